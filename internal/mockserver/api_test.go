package mockserver

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

const validConfig = `{"address":"https://example.com/cb","actions":["normal_end","caller_start_call"]}`

func TestV1CallbackLifecycle(t *testing.T) {
	t.Parallel()
	s, ts := startMock(t, Options{})
	c := newClient(t, ts.URL)

	wantCode(t, c.post("v1/callback/get", `{}`), v1NoConfig)
	wantCode(t, c.post("v1/callback/update", validConfig), v1NoConfig)
	wantCode(t, c.post("v1/callback/delete", `{}`), 0) // deleting nothing succeeds

	env := c.post("v1/callback/set", validConfig)
	wantCode(t, env, 0)
	if env["data"] != "https://example.com/cb" || env["errorMessage"] != "Success" {
		t.Fatalf("set answer = %v", env)
	}
	if id, _ := env["requestId"].(string); len(id) != 32 {
		t.Fatalf("requestId = %q, want 32 hex characters", env["requestId"])
	}
	env = c.post("v1/callback/get", `{}`)
	wantCode(t, env, 0)
	data := obj(t, env["data"])
	if data["address"] != "https://example.com/cb" || !reflect.DeepEqual(data["actions"], []any{"normal_end", "caller_start_call"}) {
		t.Fatalf("get data = %v", data)
	}
	wantCode(t, c.post("v1/callback/update", `{"address":"http://example.org/x","actions":["reject"]}`), 0)
	if cb, ok := s.Callback(); !ok || cb.Address != "http://example.org/x" || !reflect.DeepEqual(cb.Actions, []string{"reject"}) {
		t.Fatalf("Callback() = %v, %v after update", cb, ok)
	}
	if _, ok := s.CallbackV4(); ok {
		t.Fatal("a v1 set must not create a v4 configuration")
	}
	env = c.post("v1/callback/delete", `{}`)
	wantCode(t, env, 0)
	if d, present := env["data"]; !present || d != "" {
		t.Fatalf("delete data = %#v, want empty string", env["data"])
	}
	if _, ok := s.Callback(); ok {
		t.Fatal("configuration still present after delete")
	}
	st := s.Stats()
	if st.Requests["v1/callback/set"] != 1 || st.Applied["v1/callback/update"] != 1 || st.Applied["v1/callback/get"] != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestV1Strictness(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Now())
	_, ts := startMock(t, Options{Clock: clock.Now})
	c := newClient(t, ts.URL)
	cases := []struct {
		name  string
		query func(q map[string][]string)
		body  string
		want  int
	}{
		{"wrong key", func(q map[string][]string) {
			q["usersig"] = []string{sign(t, DefaultSDKAppID, "other-key", DefaultIdentifier, 3600)}
		}, validConfig, v1SigInvalid},
		{"garbage sig", func(q map[string][]string) { q["usersig"] = []string{"not-a-usersig"} }, validConfig, v1SigInvalid},
		{"sig for another app", func(q map[string][]string) {
			q["usersig"] = []string{sign(t, 1400000001, testKey, DefaultIdentifier, 3600)}
		}, validConfig, v1SigInvalid},
		{"another sdkappid", func(q map[string][]string) {
			q["sdkappid"] = []string{"1400000001"}
			q["usersig"] = []string{sign(t, 1400000001, testKey, DefaultIdentifier, 3600)}
		}, validConfig, v1SigInvalid},
		{"non-admin identifier", func(q map[string][]string) {
			q["identifier"] = []string{"bob"}
			q["usersig"] = []string{sign(t, DefaultSDKAppID, testKey, "bob", 3600)}
		}, validConfig, v1NotAdmin},
		{"sig for another user", func(q map[string][]string) { q["usersig"] = []string{sign(t, DefaultSDKAppID, testKey, "bob", 3600)} }, validConfig, v1SigInvalid},
		{"missing sdkappid", func(q map[string][]string) { delete(q, "sdkappid") }, validConfig, v1BadParam},
		{"missing usersig", func(q map[string][]string) { delete(q, "usersig") }, validConfig, v1BadParam},
		{"random too big", func(q map[string][]string) { q["random"] = []string{"4294967296"} }, validConfig, v1BadParam},
		{"random negative", func(q map[string][]string) { q["random"] = []string{"-1"} }, validConfig, v1BadParam},
		{"contenttype", func(q map[string][]string) { q["contenttype"] = []string{"JSON"} }, validConfig, v1BadParam},
		{"empty body", nil, ``, v1BadBody},
		{"array body", nil, `[]`, v1BadBody},
		{"null body", nil, `null`, v1BadBody},
		{"broken JSON", nil, `{"address":`, v1BadBody},
		{"wrong type", nil, `{"address":"https://x.example","actions":"normal_end"}`, v1BadBody},
		{"bad address", nil, `{"address":"ftp://x.example","actions":["normal_end"]}`, v1BadParam},
		{"address without scheme", nil, `{"address":"example.com/cb","actions":["normal_end"]}`, v1BadParam},
		{"missing actions", nil, `{"address":"https://x.example"}`, v1BadParam},
		{"empty actions", nil, `{"address":"https://x.example","actions":[]}`, v1BadParam},
		{"unknown action", nil, `{"address":"https://x.example","actions":["call_end"]}`, v1BadParam},
		{"field name case", nil, `{"Address":"https://x.example","actions":["normal_end"]}`, v1BadParam},
		{"valid", nil, validConfig, 0},
	}
	for _, tc := range cases {
		q := c.query()
		if tc.query != nil {
			tc.query(q)
		}
		status, env := c.raw(http.MethodPost, "v1/callback/set", q, tc.body)
		if status != http.StatusOK {
			t.Fatalf("%s: HTTP %d", tc.name, status)
		}
		if got := code(t, env); got != tc.want {
			t.Errorf("%s: error code %d, want %d (%v)", tc.name, got, tc.want, env)
		}
		if tc.want != 0 && env["data"] != nil {
			t.Errorf("%s: an error answer carries data %v", tc.name, env["data"])
		}
	}

	// GET is refused with an error answer, and has no effect.
	status, env := c.raw(http.MethodGet, "v1/callback/delete", c.query(), `{}`)
	if status != http.StatusOK || code(t, env) != v1BadParam {
		t.Fatalf("GET: HTTP %d, %v", status, env)
	}
	wantCode(t, c.post("v1/callback/get", `{}`), 0)

	// Expired: a sig valid for 60 s, presented two hours later by the server's clock.
	short := sign(t, DefaultSDKAppID, testKey, DefaultIdentifier, 60)
	clock.Advance(2 * time.Hour)
	q := c.query()
	q["usersig"] = []string{short}
	_, env = c.raw(http.MethodPost, "v1/callback/get", q, `{}`)
	wantCode(t, env, v1SigExpired)
}

func TestV4Strictness(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Now())
	_, ts := startMock(t, Options{Clock: clock.Now})
	c := newClient(t, ts.URL)
	const path = "v4/call_config/set_callback"
	valid := `{"Url":"https://example.com/v4","CallbackCommandList":["Call.CallbackAfterEndCall"]}`
	cases := []struct {
		name  string
		query func(q map[string][]string)
		body  string
		want  int
	}{
		{"wrong key", func(q map[string][]string) {
			q["usersig"] = []string{sign(t, DefaultSDKAppID, "other-key", DefaultIdentifier, 3600)}
		}, valid, v4SigError},
		{"non-admin", func(q map[string][]string) {
			q["identifier"] = []string{"bob"}
			q["usersig"] = []string{sign(t, DefaultSDKAppID, testKey, "bob", 3600)}
		}, valid, v4NotAdmin},
		{"another sdkappid", func(q map[string][]string) { q["sdkappid"] = []string{"1400000001"} }, valid, v4BadAppID},
		{"missing sdkappid", func(q map[string][]string) { delete(q, "sdkappid") }, valid, v4MissingAppID},
		{"empty body", nil, ``, v4BadBody},
		{"wrong type", nil, `{"Url":1,"CallbackCommandList":[]}`, v4BadBody},
		{"bad url", nil, `{"Url":"example.com","CallbackCommandList":["Call.CallbackAfterEndCall"]}`, v4ConfigBadParam},
		{"unknown command", nil, `{"Url":"https://x.example","CallbackCommandList":["normal_end"]}`, v4ConfigBadParam},
		{"valid", nil, valid, 0},
	}
	for _, tc := range cases {
		q := c.query()
		if tc.query != nil {
			tc.query(q)
		}
		_, env := c.raw(http.MethodPost, path, q, tc.body)
		if got := code(t, env); got != tc.want {
			t.Errorf("%s: ErrorCode %d, want %d (%v)", tc.name, got, tc.want, env)
		}
		wantStatus := "OK"
		if tc.want != 0 {
			wantStatus = "FAIL"
		}
		if env["ActionStatus"] != wantStatus || !strings.HasPrefix(str(t, env["RequestId"]), "Id-") {
			t.Errorf("%s: envelope %v", tc.name, env)
		}
	}
	status, env := c.raw(http.MethodGet, "v4/call_config/get_callback", c.query(), `{}`)
	if status != http.StatusOK || code(t, env) != v4BadRequest {
		t.Fatalf("GET: HTTP %d, %v", status, env)
	}
	short := sign(t, DefaultSDKAppID, testKey, DefaultIdentifier, 60)
	clock.Advance(2 * time.Hour)
	q := c.query()
	q["usersig"] = []string{short}
	_, env = c.raw(http.MethodPost, "v4/call_config/get_callback", q, `{}`)
	wantCode(t, env, v4SigError)
}

func TestV4CallbackLifecycle(t *testing.T) {
	t.Parallel()
	s, ts := startMock(t, Options{})
	c := newClient(t, ts.URL)
	wantCode(t, c.post("v4/call_config/get_callback", `{}`), v4NoConfig)
	wantCode(t, c.post("v4/call_config/delete_callback", `{}`), 0)
	env := c.post("v4/call_config/set_callback", `{"Url":"https://example.com/v4","CallbackCommandList":["Call.CallbackAfterStartCall","Call.CallbackAfterEndCall"]}`)
	wantCode(t, env, 0)
	if _, present := env["Response"]; present {
		t.Fatalf("set answered a Response: %v", env)
	}
	env = c.post("v4/call_config/get_callback", `{}`)
	wantCode(t, env, 0)
	resp := obj(t, env["Response"])
	if resp["Url"] != "https://example.com/v4" || len(arr(t, resp["CallbackCommandList"])) != 2 {
		t.Fatalf("get Response = %v", resp)
	}
	if _, ok := s.Callback(); ok {
		t.Fatal("a v4 set must not create a v1 configuration")
	}
	wantCode(t, c.post("v4/call_config/delete_callback", `{}`), 0)
	wantCode(t, c.post("v4/call_config/get_callback", `{}`), v4NoConfig)
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Now())
	s, ts := startMock(t, Options{Clock: clock.Now, RateLimit: true})
	c := newClient(t, ts.URL)
	// With the clock frozen the bucket never refills: exactly the documented
	// per-second allowance succeeds.
	for i := range 10 {
		wantCode(t, c.post("v1/callback/get", `{}`), v1NoConfig) // past the limiter
		_ = i
	}
	wantCode(t, c.post("v1/callback/get", `{}`), v1RateLimited)
	// Per endpoint: another path still has its own allowance.
	wantCode(t, c.post("v1/callback/delete", `{}`), 0)
	// A second later the bucket has refilled.
	clock.Advance(time.Second)
	wantCode(t, c.post("v1/callback/get", `{}`), v1NoConfig)

	for range 200 {
		wantCode(t, c.post("v4/call_config/get_callback", `{}`), v4NoConfig)
	}
	wantCode(t, c.post("v4/call_config/get_callback", `{}`), v4RateLimited)
	if got := s.Stats().RateLimited; got != 2 {
		t.Fatalf("RateLimited = %d, want 2", got)
	}

	// Without RateLimit nothing is limited.
	_, ts2 := startMock(t, Options{Clock: clock.Now})
	c2 := newClient(t, ts2.URL)
	for range 30 {
		wantCode(t, c2.post("v1/callback/get", `{}`), v1NoConfig)
	}
}

// TestRateLimitStrict: burst 1, so only requests 1/N apart get through, per
// path; the mode can also be switched at run time.
func TestRateLimitStrict(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Now())
	s, ts := startMock(t, Options{Clock: clock.Now, RateLimitStrict: true})
	c := newClient(t, ts.URL)
	if m := s.RateMode(); m != RateModeStrict {
		t.Fatalf("RateMode = %v, want strict", m)
	}
	wantCode(t, c.post("v1/callback/get", `{}`), v1NoConfig)
	wantCode(t, c.post("v1/callback/get", `{}`), v1RateLimited)
	clock.Advance(90 * time.Millisecond) // 10/s: 100 ms apart
	wantCode(t, c.post("v1/callback/get", `{}`), v1RateLimited)
	clock.Advance(10 * time.Millisecond)
	wantCode(t, c.post("v1/callback/get", `{}`), v1NoConfig)
	// A long pause still earns only one request: the bucket holds one token.
	clock.Advance(time.Minute)
	wantCode(t, c.post("v1/callback/get", `{}`), v1NoConfig)
	wantCode(t, c.post("v1/callback/get", `{}`), v1RateLimited)
	// Per path, at the path's own rate (200/s: 5 ms).
	wantCode(t, c.post("v4/call_config/get_callback", `{}`), v4NoConfig)
	wantCode(t, c.post("v4/call_config/get_callback", `{}`), v4RateLimited)
	clock.Advance(5 * time.Millisecond)
	wantCode(t, c.post("v4/call_config/get_callback", `{}`), v4NoConfig)
	if got := s.Stats().RateLimited; got != 4 {
		t.Fatalf("RateLimited = %d, want 4", got)
	}

	// Back to the default mode: one second's allowance at once.
	s.SetRateMode(RateModeDefault)
	clock.Advance(time.Second)
	for range 10 {
		wantCode(t, c.post("v1/callback/get", `{}`), v1NoConfig)
	}
	wantCode(t, c.post("v1/callback/get", `{}`), v1RateLimited)
	s.SetRateMode(RateModeOff)
	for range 20 {
		wantCode(t, c.post("v1/callback/get", `{}`), v1NoConfig)
	}
}

func TestGroupCallPackage(t *testing.T) {
	t.Parallel()
	s, ts := startMock(t, Options{NoGroupCallPackage: true})
	c := newClient(t, ts.URL)
	for _, p := range []string{"v1/callback/set", "v1/callback/get", "v1/records/get_record_by_callId", "v1/records/get_records_by_filter"} {
		wantCode(t, c.post(p, validConfig), v1NoPackage)
	}
	wantCode(t, c.post("v4/call_config/get_callback", `{}`), v4PackageExpired)
	if _, ok := s.Callback(); ok {
		t.Fatal("a refused set took effect")
	}
	s.SetGroupCallPackage(true)
	wantCode(t, c.post("v1/callback/set", validConfig), 0)
}

// TestOthersShare: other clients of the app take a share of every limit
// (POST /_mock/others): the rest is what this client gets, per path, burst
// and rate alike; the first and last request times span what was served.
func TestOthersShare(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Now())
	s, ts := startMock(t, Options{Clock: clock.Now, RateLimit: true})
	post := func(body string) int {
		t.Helper()
		resp, err := http.Post(ts.URL+"/_mock/others", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, bad := range []string{`{}`, `{"share": -0.1}`, `{"share": 0.95}`, `{"share": "half"}`} {
		if st := post(bad); st != http.StatusBadRequest {
			t.Fatalf("POST /_mock/others %s: %d, want 400", bad, st)
		}
	}
	if st := post(`{"share": 0.5}`); st != http.StatusNoContent || s.OthersShare() != 0.5 {
		t.Fatalf("POST /_mock/others: %d, share %v", st, s.OthersShare())
	}
	c := newClient(t, ts.URL)
	// Half of 200/s: 100 at once, then refused until the bucket refills.
	for range 100 {
		wantCode(t, c.post("v4/call_config/get_callback", `{}`), v4NoConfig)
	}
	wantCode(t, c.post("v4/call_config/get_callback", `{}`), v4RateLimited)
	// Half of 10/s: 5.
	for range 5 {
		wantCode(t, c.post("v1/callback/get", `{}`), v1NoConfig)
	}
	wantCode(t, c.post("v1/callback/get", `{}`), v1RateLimited)
	first := s.Stats().FirstRequest
	// 100 ms later, 10 more at 100/s.
	clock.Advance(100 * time.Millisecond)
	for range 10 {
		wantCode(t, c.post("v4/call_config/get_callback", `{}`), v4NoConfig)
	}
	wantCode(t, c.post("v4/call_config/get_callback", `{}`), v4RateLimited)
	if st := s.Stats(); !st.FirstRequest.Equal(first) || st.LastRequest.Sub(st.FirstRequest) != 100*time.Millisecond {
		t.Fatalf("first %v, last %v: want 100 ms apart", st.FirstRequest, st.LastRequest)
	}
	// The whole limit again.
	if st := post(`{"share": 0}`); st != http.StatusNoContent {
		t.Fatalf("POST /_mock/others 0: %d", st)
	}
	clock.Advance(time.Second)
	for range 200 {
		wantCode(t, c.post("v4/call_config/get_callback", `{}`), v4NoConfig)
	}
}
