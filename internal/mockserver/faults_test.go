package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
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

// TestLostAnswer: the one fault that follows a served request. The write
// takes effect, its answer is a failure, the next FailNext requests (any
// path) fail without effect, and then the mock answers normally again.
func TestLostAnswer(t *testing.T) {
	t.Parallel()
	s, ts := startMock(t, Options{RateLimit: true})
	c := newClient(t, ts.URL)
	status := func(path, body string) int {
		t.Helper()
		st, _ := c.raw(http.MethodPost, path, c.query(), body)
		return st
	}

	if err := s.LoseAnswer(LostAnswer{Path: "/v1/callback/set", FailNext: 2}); err != nil {
		t.Fatal(err)
	}
	// Other paths are served normally until the armed path is requested.
	wantCode(t, c.post("v1/callback/get", `{}`), v1NoConfig)
	if st := status("v1/callback/set", validConfig); st != http.StatusBadGateway {
		t.Fatalf("lost answer: HTTP %d, want 502", st)
	}
	if _, ok := s.Callback(); !ok {
		t.Fatal("the set whose answer was lost did not take effect")
	}
	// The next two requests fail whatever their path, and change nothing.
	if st := status("v1/callback/delete", `{}`); st != http.StatusBadGateway {
		t.Fatalf("first request after the lost answer: HTTP %d, want 502", st)
	}
	if st := status("v4/call_config/set_callback", `{"Url":"https://x.example","CallbackCommandList":["Call.CallbackAfterEndCall"]}`); st != http.StatusBadGateway {
		t.Fatalf("second request after the lost answer: HTTP %d, want 502", st)
	}
	if _, ok := s.Callback(); !ok {
		t.Fatal("a failed delete after the lost answer took effect")
	}
	if _, ok := s.CallbackV4(); ok {
		t.Fatal("a failed v4 set after the lost answer took effect")
	}
	// Then it is over: the get reads what the lost set wrote, and a second
	// set is answered.
	wantCode(t, c.post("v1/callback/get", `{}`), 0)
	wantCode(t, c.post("v1/callback/set", validConfig), 0)
	st := s.Stats()
	if st.LostAnswers != 1 || st.Faulted != 3 || st.Requests["v1/callback/set"] != 2 || st.Applied["v1/callback/set"] != 2 ||
		st.Applied["v1/callback/delete"] != 0 || st.Applied["v4/call_config/set_callback"] != 0 {
		t.Fatalf("stats after a lost answer: %+v", st)
	}

	// An envelope kind answers with the failure code after the write.
	if err := s.LoseAnswer(LostAnswer{Path: "v4/call_config/set_callback", Kind: FaultInternal}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, c.post("v4/call_config/set_callback", `{"Url":"https://v4.example","CallbackCommandList":["Call.CallbackAfterEndCall"]}`), 100001)
	if cb, ok := s.CallbackV4(); !ok || cb.Address != "https://v4.example" {
		t.Fatalf("v4 set with a lost answer: %+v %v", cb, ok)
	}
	wantCode(t, c.post("v4/call_config/get_callback", `{}`), 0) // FailNext 0: nothing else fails

	// A stalled lost answer holds the request, then answers 502.
	if err := s.LoseAnswer(LostAnswer{Path: "v1/callback/delete", Kind: FaultStall, StallFor: 30 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	if st := status("v1/callback/delete", `{}`); st != http.StatusBadGateway {
		t.Fatalf("stalled lost answer: HTTP %d", st)
	}
	if waited := time.Since(begin); waited < 30*time.Millisecond {
		t.Fatalf("stalled lost answer came after %v", waited)
	}
	if _, ok := s.Callback(); ok {
		t.Fatal("the delete whose answer stalled did not take effect")
	}

	// SetFaults replaces the whole configuration: an armed lost answer is
	// disarmed, and so is the rest of its FailNext.
	if err := s.LoseAnswer(LostAnswer{Path: "v1/callback/set", FailNext: 5}); err != nil {
		t.Fatal(err)
	}
	s.SetFaults(Faults{})
	wantCode(t, c.post("v1/callback/set", validConfig), 0)
	if err := s.LoseAnswer(LostAnswer{Path: "v1/callback/set", FailNext: 5}); err != nil {
		t.Fatal(err)
	}
	if st := status("v1/callback/set", validConfig); st != http.StatusBadGateway {
		t.Fatalf("lost answer: HTTP %d", st)
	}
	s.SetFaults(Faults{})
	wantCode(t, c.post("v1/callback/get", `{}`), 0)

	for _, bad := range []LostAnswer{
		{},
		{Path: "v1/callback/nope"},
		{Path: "v1/callback/set", Kind: "lost"},
		{Path: "v1/callback/set", FailNext: -1},
	} {
		if err := s.LoseAnswer(bad); err == nil {
			t.Errorf("LoseAnswer(%+v) accepted", bad)
		}
	}
	wantCode(t, c.post("v1/callback/get", `{}`), 0) // nothing was armed
}

// TestLostAnswerControl: the lost answer through POST /_mock/faults.
func TestLostAnswerControl(t *testing.T) {
	t.Parallel()
	s, ts := startMock(t, Options{})
	post := func(body string) (int, string) {
		t.Helper()
		resp, err := http.Post(ts.URL+"/_mock/faults", "application/json", bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	for body, want := range map[string]string{
		`{"lose_answer":{"path":"v1/nothing"}}`:                          `not an API path`,
		`{"lose_answer":{"path":"v1/callback/set","kind":"bogus"}}`:      `unknown fault kind`,
		`{"lose_answer":{"path":"v1/callback/set","fail_next":-2}}`:      `must not be negative`,
		`{"rate":0.5,"lose_answer":{"path":"v1/callback/set","kind":3}}`: `invalid JSON body`,
	} {
		if st, b := post(body); st != http.StatusBadRequest || !strings.Contains(b, want) {
			t.Errorf("POST %s: %d %s, want 400 with %q", body, st, b, want)
		}
	}
	c := newClient(t, ts.URL)
	wantCode(t, c.post("v1/callback/set", validConfig), 0) // nothing was armed by the refused bodies

	if st, b := post(`{"lose_answer":{"path":"v1/callback/update","kind":"ratelimit","fail_next":1}}`); st != http.StatusNoContent {
		t.Fatalf("POST lose_answer: %d %s", st, b)
	}
	wantCode(t, c.post("v1/callback/update", `{"address":"https://updated.example","actions":["reject"]}`), v1RateLimited)
	if cb, _ := s.Callback(); cb.Address != "https://updated.example" {
		t.Fatalf("the update whose answer was lost did not take effect: %+v", cb)
	}
	wantCode(t, c.post("v1/callback/get", `{}`), v1RateLimited)
	wantCode(t, c.post("v1/callback/get", `{}`), 0)
	resp, err := http.Get(ts.URL + "/_mock/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var stats map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil || stats["lost_answers"] != float64(1) || stats["faulted"] != float64(2) {
		t.Fatalf("stats: %v %v", stats, err)
	}
}
