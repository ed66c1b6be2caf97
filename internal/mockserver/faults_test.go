package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

func TestFaultsHaveNoSideEffect(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Now())
	s, ts := startMock(t, Options{Clock: clock.Now, RateLimit: true})
	c := newClient(t, ts.URL)

	s.SetFaults(Faults{Rate: 1, Kinds: []FaultKind{FaultRateLimit}})
	wantCode(t, c.post("v1/callback/set", validConfig), v1RateLimited)
	wantCode(t, c.post("v4/call_config/set_callback", `{"Url":"https://x.example","CallbackCommandList":["Call.CallbackAfterEndCall"]}`), v4RateLimited)
	s.SetFaults(Faults{Rate: 1, Kinds: []FaultKind{FaultInternal}})
	wantCode(t, c.post("v1/callback/set", validConfig), v1Internal)
	wantCode(t, c.post("v4/call_config/set_callback", `{}`), 100001)
	wantCode(t, c.post("v4/call_record_http_srv/get_record_by_filter", `{}`), 101001)
	s.SetFaults(Faults{Rate: 1, Kinds: []FaultKind{FaultHTTP502}})
	for range 20 { // more than the endpoint's 10/s: faults must not use up the limiter
		if status, _ := c.raw(http.MethodPost, "v1/callback/set", c.query(), validConfig); status != http.StatusBadGateway {
			t.Fatalf("http502 fault: HTTP %d", status)
		}
	}
	s.SetFaults(Faults{Rate: 1, Kinds: []FaultKind{FaultStall}, StallFor: 30 * time.Millisecond})
	begin := time.Now()
	if status, _ := c.raw(http.MethodPost, "v1/callback/set", c.query(), validConfig); status != http.StatusBadGateway {
		t.Fatalf("stall fault: HTTP %d", status)
	}
	if waited := time.Since(begin); waited < 30*time.Millisecond {
		t.Fatalf("stall answered after %v", waited)
	}
	if _, ok := s.Callback(); ok {
		t.Fatal("a faulted set took effect")
	}
	if _, ok := s.CallbackV4(); ok {
		t.Fatal("a faulted v4 set took effect")
	}
	st := s.Stats()
	if st.Faulted != 26 || st.RateLimited != 0 || st.Applied["v1/callback/set"] != 0 || st.Requests["v1/callback/set"] != 23 {
		t.Fatalf("stats after faults: %+v", st)
	}

	// Paths restricts injection; other paths are untouched and the limiter is intact.
	s.SetFaults(Faults{Rate: 1, Kinds: []FaultKind{FaultInternal}, Paths: []string{"/v1/callback/get"}})
	for range 10 {
		wantCode(t, c.post("v1/callback/set", validConfig), 0)
	}
	wantCode(t, c.post("v1/callback/set", validConfig), v1RateLimited)
	wantCode(t, c.post("v1/callback/get", `{}`), v1Internal)
	s.SetFaults(Faults{})
	wantCode(t, c.post("v1/callback/get", `{}`), 0)
}

func TestFaultsAreDeterministic(t *testing.T) {
	t.Parallel()
	pattern := func(seed int64) []int {
		s, ts := startMock(t, Options{Seed: seed})
		s.SetFaults(Faults{Rate: 0.5, Kinds: []FaultKind{FaultRateLimit, FaultInternal}})
		c := newClient(t, ts.URL)
		var codes []int
		for range 40 {
			codes = append(codes, code(t, c.post("v1/callback/delete", `{}`)))
		}
		return codes
	}
	a, b, other := pattern(3), pattern(3), pattern(4)
	faulted := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different fault at request %d: %v vs %v", i, a, b)
		}
		if a[i] != 0 {
			faulted++
		}
	}
	if faulted < 8 || faulted > 32 {
		t.Fatalf("%d of 40 requests faulted at rate 0.5", faulted)
	}
	if equal := func() bool {
		for i := range a {
			if a[i] != other[i] {
				return false
			}
		}
		return true
	}(); equal {
		t.Fatal("another seed gave the same fault sequence")
	}
}

func TestControlSurface(t *testing.T) {
	t.Parallel()
	s, ts := startMock(t, Options{})
	do := func(method, path, body string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, ts.URL+path, bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		return resp.StatusCode, buf.Bytes()
	}
	if st, b := do("GET", "/_mock/health", ""); st != 200 || string(b) != "ok" {
		t.Fatalf("health: %d %s", st, b)
	}
	if st, _ := do("GET", "/_mock/callback", ""); st != 404 {
		t.Fatalf("GET callback with none: %d", st)
	}
	if st, _ := do("PUT", "/_mock/callback", `{"address":"https://drift.example","actions":["reject"]}`); st != 200 {
		t.Fatalf("PUT callback: %d", st)
	}
	if cb, ok := s.Callback(); !ok || cb.Address != "https://drift.example" {
		t.Fatalf("after PUT: %v %v", cb, ok)
	}
	if st, b := do("GET", "/_mock/callback", ""); st != 200 || !bytes.Contains(b, []byte(`"actions":["reject"]`)) {
		t.Fatalf("GET callback: %d %s", st, b)
	}
	if st, _ := do("PUT", "/_mock/v4/callback", `{"address":"https://v4.example","actions":["Call.CallbackAfterEndCall"]}`); st != 200 {
		t.Fatalf("PUT v4: %d", st)
	}
	if st, _ := do("DELETE", "/_mock/callback", ""); st != 204 {
		t.Fatalf("DELETE: %d", st)
	}
	if _, ok := s.Callback(); ok {
		t.Fatal("v1 config survived DELETE")
	}
	if cb, ok := s.CallbackV4(); !ok || cb.Address != "https://v4.example" {
		t.Fatal("v4 config lost with the v1 DELETE")
	}
	if st, _ := do("POST", "/_mock/records", `[{"callId":"x1","mediaType":"audio","startCallTs":100,"endTs":110,"caller":"a","callees":["b"],"totalUserNumber":2,"callType":"single","callResult":"cancel"}]`); st != 200 {
		t.Fatalf("POST records: %d", st)
	}
	if st, b := do("GET", "/_mock/records", ""); st != 200 || !bytes.Contains(b, []byte(`"callId":"x1"`)) {
		t.Fatalf("GET records: %d %s", st, b)
	}
	if st, _ := do("POST", "/_mock/faults", `{"rate":2}`); st != 400 {
		t.Fatalf("invalid faults accepted: %d", st)
	}
	if st, _ := do("POST", "/_mock/faults", `{"rate":1,"kinds":["http502"]}`); st != 204 {
		t.Fatalf("POST faults: %d", st)
	}
	c := newClient(t, ts.URL)
	if st, _ := c.raw("POST", "v1/callback/get", c.query(), `{}`); st != 502 {
		t.Fatalf("fault not applied: %d", st)
	}
	if st, _ := do("DELETE", "/_mock/faults", ""); st != 204 {
		t.Fatalf("DELETE faults: %d", st)
	}
	wantCode(t, c.post("v1/callback/get", `{}`), v1NoConfig)
	st, b := do("POST", "/_mock/simulate", `{"calls":3,"call_type":"single","result":"reject"}`)
	var recs []Record
	if st != 200 || json.Unmarshal(b, &recs) != nil || len(recs) != 3 || recs[0].CallResult != "reject" {
		t.Fatalf("simulate: %d %s", st, b)
	}
	if len(s.Records()) != 4 {
		t.Fatalf("%d records after simulate", len(s.Records()))
	}
	var stats Stats
	if st, b := do("GET", "/_mock/stats", ""); st != 200 || json.Unmarshal(b, &stats) != nil || stats.Requests["v1/callback/get"] != 2 || stats.Faulted != 1 {
		t.Fatalf("stats: %d %s", st, b)
	}
	if st, _ := do("POST", "/_mock/group-call-package", `{"bought":false}`); st != 204 {
		t.Fatalf("package: %d", st)
	}
	wantCode(t, c.post("v1/callback/get", `{}`), v1NoPackage)
	if st, b := do("GET", "/_mock/rate-limit", ""); st != 200 || string(b) != `{"mode":"off"}` {
		t.Fatalf("GET rate-limit: %d %s", st, b)
	}
	if st, _ := do("POST", "/_mock/rate-limit", `{"mode":"strict"}`); st != 204 || s.RateMode() != RateModeStrict {
		t.Fatalf("POST rate-limit strict: %d, mode %v", st, s.RateMode())
	}
	if st, b := do("POST", "/_mock/rate-limit", `{"mode":"fast"}`); st != 400 || !bytes.Contains(b, []byte(`\"fast\"`)) {
		t.Fatalf("POST rate-limit fast: %d %s", st, b)
	}
	if sigs := s.SeenUserSigs(); len(sigs) != 1 || sigs[0] != c.sig {
		t.Fatalf("SeenUserSigs = %d entries", len(sigs))
	}
}
