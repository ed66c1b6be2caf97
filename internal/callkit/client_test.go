package callkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/usersig"
)

const (
	testApp = int64(1400000000)
	testKey = "test-secret-key-do-not-leak-0123"
)

// fake is a scripted server: handle answers each request by path.
type fake struct {
	t      *testing.T
	mu     sync.Mutex
	calls  map[string]int
	bodies map[string][]string
	sigs   []string
	handle func(path string, n int, body map[string]any, w http.ResponseWriter)
}

func newFake(t *testing.T, handle func(path string, n int, body map[string]any, w http.ResponseWriter)) (*fake, *httptest.Server) {
	t.Helper()
	f := &fake{t: t, calls: map[string]int{}, bodies: map[string][]string{}, handle: handle}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, "/")
		raw, _ := io.ReadAll(r.Body)
		q := r.URL.Query()
		if r.Method != http.MethodPost || q.Get("contenttype") != "json" || q.Get("identifier") != "administrator" || q.Get("sdkappid") != strconv.FormatInt(testApp, 10) {
			t.Errorf("bad request: %s %s", r.Method, r.URL.Path)
		}
		if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "terraform-provider-tencentcallkit") {
			t.Errorf("User-Agent %q", ua)
		}
		if _, err := strconv.ParseUint(q.Get("random"), 10, 32); err != nil {
			t.Errorf("random %q is not a uint32", q.Get("random"))
		}
		if err := usersig.Verify(testApp, testKey, "administrator", q.Get("usersig"), time.Now()); err != nil {
			t.Errorf("usersig does not verify: %v", err)
		}
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("body %q is not a JSON object: %v", raw, err)
		}
		f.mu.Lock()
		f.calls[path]++
		n := f.calls[path]
		f.bodies[path] = append(f.bodies[path], string(raw))
		f.sigs = append(f.sigs, q.Get("usersig"))
		f.mu.Unlock()
		f.handle(path, n, body, w)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fake) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[path]
}

func v1Answer(w http.ResponseWriter, code int, data any) {
	m := map[string]any{"errorCode": code, "errorMessage": "msg " + strconv.Itoa(code), "requestId": "req-" + strconv.Itoa(code)}
	if data != nil {
		m["data"] = data
	}
	_ = json.NewEncoder(w).Encode(m)
}

func v4Answer(w http.ResponseWriter, code int, resp any) {
	status := "OK"
	if code != 0 {
		status = "FAIL"
	}
	m := map[string]any{"ErrorCode": code, "ErrorInfo": "info " + strconv.Itoa(code), "ActionStatus": status, "RequestId": "Id-" + strconv.Itoa(code)}
	if resp != nil {
		m["Response"] = resp
	}
	_ = json.NewEncoder(w).Encode(m)
}

type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) Log(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %v", msg, fields))
}

func newTestClient(t *testing.T, url string, mod ...func(*Config)) (*Client, *logSink) {
	t.Helper()
	logs := &logSink{}
	cfg := Config{SDKAppID: testApp, SecretKey: testKey, Endpoint: url, MaxRetries: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, Logger: logs}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, logs
}

func TestRegionDomains(t *testing.T) {
	t.Parallel()
	want := map[string][2]string{
		"china":          {"callkit.trtc.tencent-cloud.com", "console.tim.qq.com"},
		"singapore":      {"callkit-intl.trtc.tencent-cloud.com", "adminapisgp.im.qcloud.com"},
		"seoul":          {"callkit-intl.trtc.tencent-cloud.com", "adminapikr.im.qcloud.com"},
		"frankfurt":      {"callkit-intl.trtc.tencent-cloud.com", "adminapiger.im.qcloud.com"},
		"silicon-valley": {"callkit-intl.trtc.tencent-cloud.com", "adminapiusa.im.qcloud.com"},
		"jakarta":        {"callkit-intl.trtc.tencent-cloud.com", "adminapiidn.im.qcloud.com"},
	}
	if len(Regions()) != len(want) {
		t.Fatalf("Regions() = %v", Regions())
	}
	for _, r := range Regions() {
		c, err := New(Config{SDKAppID: testApp, SecretKey: testKey, Region: r})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.buildURL(epGetCallback, "S"); !strings.HasPrefix(got, "https://"+want[r][0]+"/v1/callback/get?") {
			t.Errorf("%s: v1 URL %s", r, got)
		}
		if got := c.buildURL(epGetRecordV4, "S"); !strings.HasPrefix(got, "https://"+want[r][1]+"/v4/call_record_http_srv/get_record_by_callid?") {
			t.Errorf("%s: v4 URL %s", r, got)
		}
	}
	if _, err := New(Config{SDKAppID: testApp, SecretKey: testKey, Region: "mars"}); err == nil || !strings.Contains(err.Error(), "silicon-valley") {
		t.Errorf("unknown region error %v does not list the regions", err)
	}
	// The endpoint override replaces both families.
	c, _ := New(Config{SDKAppID: testApp, SecretKey: testKey, Endpoint: "https://proxy.example.com/base/"})
	if got := c.buildURL(epGetRecordV4, "S"); !strings.HasPrefix(got, "https://proxy.example.com/base/v4/") {
		t.Errorf("override v4 URL %s", got)
	}
	if got := c.buildURL(epGetCallback, "S"); !strings.HasPrefix(got, "https://proxy.example.com/base/v1/") {
		t.Errorf("override v1 URL %s", got)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	cases := map[string]Config{
		"SDKAppID":    {SDKAppID: 0, SecretKey: "k"},
		"secret key":  {SDKAppID: 1},
		"region":      {SDKAppID: 1, SecretKey: "k", Region: "mars"},
		"timeout":     {SDKAppID: 1, SecretKey: "k", Timeout: 3 * time.Second},
		"max retries": {SDKAppID: 1, SecretKey: "k", MaxRetries: -1},
		"endpoint":    {SDKAppID: 1, SecretKey: "k", Endpoint: "http://example.com"},
	}
	for name, cfg := range cases {
		_, err := New(cfg)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if cfg.SecretKey != "" && strings.Contains(err.Error(), cfg.SecretKey+"\x00") {
			t.Errorf("%s: leaks key", name)
		}
	}
}

func TestCallbackV1RoundTrip(t *testing.T) {
	t.Parallel()
	var stored *v1CallbackBody
	var mu sync.Mutex
	_, srv := newFake(t, func(path string, _ int, body map[string]any, w http.ResponseWriter) {
		mu.Lock()
		defer mu.Unlock()
		switch path {
		case "v1/callback/set", "v1/callback/update":
			if path == "v1/callback/update" && stored == nil {
				v1Answer(w, 999, nil)
				return
			}
			b, _ := json.Marshal(body)
			stored = &v1CallbackBody{}
			_ = json.Unmarshal(b, stored)
			v1Answer(w, 0, stored.Address)
		case "v1/callback/get":
			if stored == nil {
				v1Answer(w, 999, nil)
				return
			}
			v1Answer(w, 0, stored)
		case "v1/callback/delete":
			stored = nil
			v1Answer(w, 0, "")
		}
	})
	c, _ := newTestClient(t, srv.URL)
	ctx := context.Background()
	if _, err := c.GetCallback(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get before set: %v, want ErrNotFound", err)
	}
	if err := c.UpdateCallback(ctx, Callback{"https://a.example/cb", []string{"normal_end"}}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("update before set: %v, want ErrNotFound", err)
	}
	if err := c.SetCallback(ctx, Callback{"https://a.example/cb", []string{"normal_end", "call_busy"}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetCallback(ctx)
	if err != nil || got.Address != "https://a.example/cb" || strings.Join(got.Actions, ",") != "normal_end,call_busy" {
		t.Fatalf("get = %+v, %v", got, err)
	}
	if err := c.UpdateCallback(ctx, Callback{"http://b.example/cb", []string{"cancel"}}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetCallback(ctx)
	if got.Address != "http://b.example/cb" || len(got.Actions) != 1 {
		t.Fatalf("after update %+v", got)
	}
	if err := c.DeleteCallback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteCallback(ctx); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	// Client-side validation: no request for a bad action.
	if err := c.SetCallback(ctx, Callback{"https://a", []string{"Normal_End"}}); !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), "Normal_End") {
		t.Fatalf("bad action: %v", err)
	}
}

func TestGetCallbackEmptyReadsAsNotFound(t *testing.T) {
	t.Parallel()
	for _, data := range []string{`null`, `""`, `{"address":"","actions":[]}`, `absent`} {
		_, srv := newFake(t, func(_ string, _ int, _ map[string]any, w http.ResponseWriter) {
			if data == "absent" {
				fmt.Fprint(w, `{"errorCode":0,"errorMessage":"Success","requestId":"r"}`)
				return
			}
			fmt.Fprintf(w, `{"errorCode":0,"errorMessage":"Success","requestId":"r","data":%s}`, data)
		})
		c, _ := newTestClient(t, srv.URL)
		if _, err := c.GetCallback(context.Background()); !errors.Is(err, ErrNotFound) {
			t.Errorf("data %s: %v, want ErrNotFound", data, err)
		}
	}
}

func TestErrorClasses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		code     int
		sentinel error
		attempts int // with MaxRetries 3
	}{
		{50001, ErrNotPurchased, 1},
		{70001, ErrInvalidRequest, 1},
		{70002, ErrAuth, 1},
		{70003, ErrAuth, 2}, // one retry with a fresh UserSig
		{70004, ErrNotAdmin, 1},
		{70005, ErrRateLimited, 4},
		{70009, ErrInvalidRequest, 1},
		{70011, ErrNotFound, 1},
		{999, ErrNotFound, 1},
		{71234, nil, 4}, // internal: retried
		{101001, nil, 4},
	}
	for _, tc := range cases {
		f, srv := newFake(t, func(_ string, _ int, _ map[string]any, w http.ResponseWriter) { v1Answer(w, tc.code, nil) })
		c, logs := newTestClient(t, srv.URL)
		_, err := c.GetRecord(context.Background(), V1, "call-1")
		var ae *APIError
		if !errors.As(err, &ae) || ae.Code != tc.code || ae.RequestID != "req-"+strconv.Itoa(tc.code) || ae.Endpoint != "v1/records/get_record_by_callId" {
			t.Errorf("code %d: err %v", tc.code, err)
			continue
		}
		if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
			t.Errorf("code %d: %v is not %v", tc.code, err, tc.sentinel)
		}
		if got := f.count("v1/records/get_record_by_callId"); got != tc.attempts || ae.Attempts != tc.attempts {
			t.Errorf("code %d: %d requests, Attempts %d, want %d", tc.code, got, ae.Attempts, tc.attempts)
		}
		if tc.code == 70004 && !errors.Is(err, ErrAuth) {
			t.Errorf("70004 should also be ErrAuth")
		}
		if !strings.Contains(err.Error(), "errorCode "+strconv.Itoa(tc.code)) || !strings.Contains(err.Error(), "req-") {
			t.Errorf("message %q lacks code or request id", err)
		}
		if len(logs.lines) != tc.attempts {
			t.Errorf("code %d: %d log lines, want %d", tc.code, len(logs.lines), tc.attempts)
		}
	}
}

func TestV4ErrorMapping(t *testing.T) {
	t.Parallel()
	cases := []struct {
		code     int
		sentinel error
		attempts int
	}{
		{100301, ErrNotFound, 1},
		{101050, ErrNotFound, 1},
		{60004, ErrAuth, 2},
		{60005, ErrAuth, 2},
		{60010, ErrNotAdmin, 1},
		{60007, ErrRateLimited, 4},
		{60011, ErrRateLimited, 4},
		{60018, ErrRateLimited, 4},
		{60019, ErrRateLimited, 4},
		{60008, nil, 4},
		{100001, nil, 4},
		{101001, nil, 4},
		{60020, ErrPackageExpired, 1},
		{60002, ErrInvalidRequest, 1},
		{60003, ErrInvalidRequest, 1},
		{60006, ErrInvalidRequest, 1},
		{100002, ErrInvalidRequest, 1},
		{65432, nil, 1}, // the rest: parameter errors, not retried
	}
	for _, tc := range cases {
		f, srv := newFake(t, func(_ string, _ int, _ map[string]any, w http.ResponseWriter) { v4Answer(w, tc.code, nil) })
		c, _ := newTestClient(t, srv.URL)
		_, err := c.GetCallbackV4(context.Background())
		var ae *APIError
		if !errors.As(err, &ae) || ae.Code != tc.code || ae.RequestID != "Id-"+strconv.Itoa(tc.code) {
			t.Errorf("code %d: err %v", tc.code, err)
			continue
		}
		if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
			t.Errorf("code %d: %v is not %v", tc.code, err, tc.sentinel)
		}
		if got := f.count("v4/call_config/get_callback"); got != tc.attempts {
			t.Errorf("code %d: %d requests, want %d", tc.code, got, tc.attempts)
		}
	}
	// delete of nothing is success
	_, srv := newFake(t, func(_ string, _ int, _ map[string]any, w http.ResponseWriter) { v4Answer(w, 100301, nil) })
	c, _ := newTestClient(t, srv.URL)
	if err := c.DeleteCallbackV4(context.Background()); err != nil {
		t.Fatalf("delete of none: %v", err)
	}
}

func TestRetryThenSuccess(t *testing.T) {
	t.Parallel()
	f, srv := newFake(t, func(_ string, n int, _ map[string]any, w http.ResponseWriter) {
		switch n {
		case 1:
			v1Answer(w, 70005, nil)
		case 2:
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html>bad gateway</html>")
		case 3:
			fmt.Fprint(w, "<html>proxy error page</html>")
		default:
			v1Answer(w, 0, map[string]any{"address": "https://x.example", "actions": []string{"cancel"}})
		}
	})
	c, _ := newTestClient(t, srv.URL)
	got, err := c.GetCallback(context.Background())
	if err != nil || got.Address != "https://x.example" {
		t.Fatalf("got %+v, %v", got, err)
	}
	if n := f.count("v1/callback/get"); n != 4 {
		t.Fatalf("%d requests, want 4", n)
	}
}

func TestStallIsRetriedAfterTimeout(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			select {
			case <-block:
			case <-r.Context().Done():
			}
			return
		}
		v1Answer(w, 0, map[string]any{"address": "https://x.example", "actions": []string{"cancel"}})
	}))
	t.Cleanup(func() { close(block); srv.Close() })
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Timeout = 3*time.Second + 100*time.Millisecond })
	start := time.Now()
	if _, err := c.GetCallback(context.Background()); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 3*time.Second || el > 8*time.Second {
		t.Fatalf("took %v", el)
	}
}

func TestTransportFailureReport(t *testing.T) {
	t.Parallel()
	f, srv := newFake(t, func(_ string, _ int, _ map[string]any, w http.ResponseWriter) {
		w.WriteHeader(http.StatusBadGateway)
	})
	c, _ := newTestClient(t, srv.URL)
	err := c.SetCallback(context.Background(), Callback{"https://a.example", []string{"cancel"}})
	var te *TransportError
	if !errors.As(err, &te) || te.HTTPStatus != 502 || te.Attempts != 4 || f.count("v1/callback/set") != 4 {
		t.Fatalf("err %#v", err)
	}
	if strings.Contains(err.Error(), "usersig") || strings.Contains(err.Error(), f.sigs[0]) {
		t.Fatalf("error leaks the UserSig: %v", err)
	}
	// A closed server: network errors never carry the URL (and its UserSig).
	srv.Close()
	err = c.DeleteCallback(context.Background())
	if err == nil || strings.Contains(err.Error(), "usersig=") || strings.Contains(err.Error(), "sdkappid=") {
		t.Fatalf("network error %v", err)
	}
}

func TestNoRetryOnAuth(t *testing.T) {
	t.Parallel()
	f, srv := newFake(t, func(_ string, _ int, _ map[string]any, w http.ResponseWriter) { v1Answer(w, 70002, nil) })
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = 10 })
	if _, err := c.GetCallback(context.Background()); !errors.Is(err, ErrAuth) {
		t.Fatal(err)
	}
	if n := f.count("v1/callback/get"); n != 1 {
		t.Fatalf("%d requests for an auth failure", n)
	}
}

// TestResignIsOutsideTheRetryBudget: the one immediate retry with a fresh
// UserSig after "expired" does not use up a retry (issue 17): 70003 once,
// then rate limits with MaxRetries 3, is 1 + 1 + 3 requests.
func TestResignIsOutsideTheRetryBudget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path    string
		expired func(http.ResponseWriter)
		limited func(http.ResponseWriter)
		call    func(*Client) error
	}{
		{"v1/callback/get", func(w http.ResponseWriter) { v1Answer(w, 70003, nil) }, func(w http.ResponseWriter) { v1Answer(w, 70005, nil) },
			func(c *Client) error { _, err := c.GetCallback(context.Background()); return err }},
		{"v4/call_config/get_callback", func(w http.ResponseWriter) { v4Answer(w, 60004, nil) }, func(w http.ResponseWriter) { v4Answer(w, 60011, nil) },
			func(c *Client) error { _, err := c.GetCallbackV4(context.Background()); return err }},
		{"v4/call_config/get_callback", func(w http.ResponseWriter) { v4Answer(w, 60005, nil) }, func(w http.ResponseWriter) { v4Answer(w, 60011, nil) },
			func(c *Client) error { _, err := c.GetCallbackV4(context.Background()); return err }},
	} {
		f, srv := newFake(t, func(_ string, n int, _ map[string]any, w http.ResponseWriter) {
			if n == 1 {
				tc.expired(w)
				return
			}
			tc.limited(w)
		})
		c, _ := newTestClient(t, srv.URL) // MaxRetries 3
		err := tc.call(c)
		var ae *APIError
		if !errors.Is(err, ErrRateLimited) || !errors.As(err, &ae) || ae.Attempts != 5 {
			t.Errorf("%s: err %v, want rate limited after 5 attempts", tc.path, err)
		}
		if n := f.count(tc.path); n != 5 {
			t.Errorf("%s: %d requests, want 5 (the re-sign is not a retry)", tc.path, n)
		}
	}
}

func TestContextCancelledMidBackoff(t *testing.T) {
	t.Parallel()
	f, srv := newFake(t, func(_ string, _ int, _ map[string]any, w http.ResponseWriter) { v1Answer(w, 70005, nil) })
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxRetries = 10
		cfg.RetryWaitMin, cfg.RetryWaitMax = 10*time.Second, 10*time.Second
	})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetCallback(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("backoff ignored the context: %v", el)
	}
	if f.count("v1/callback/get") != 1 {
		t.Fatalf("%d requests", f.count("v1/callback/get"))
	}
}

func TestUserSigCachedAndRefreshed(t *testing.T) {
	t.Parallel()
	f, srv := newFake(t, func(_ string, _ int, _ map[string]any, w http.ResponseWriter) { v1Answer(w, 0, "") })
	var now atomic.Int64
	now.Store(time.Now().Unix())
	c, logs := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.Clock = func() time.Time { return time.Unix(now.Load(), 0) }
	})
	ctx := context.Background()
	for range 3 {
		if err := c.DeleteCallback(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if f.sigs[0] != f.sigs[1] || f.sigs[1] != f.sigs[2] {
		t.Fatal("UserSig not cached")
	}
	// 56 minutes later (inside the re-mint margin of a 1 h sig) a new one is
	// minted. The vendor library stamps sigs with the wall clock, so within the
	// same second a new sig can equal the old one: check the cache's expiry.
	c.sigMu.Lock()
	before := c.sig.ExpiresAt
	c.sigMu.Unlock()
	now.Add(56 * 60)
	if err := c.DeleteCallback(ctx); err != nil {
		t.Fatal(err)
	}
	c.sigMu.Lock()
	after := c.sig.ExpiresAt
	c.sigMu.Unlock()
	if got := after.Sub(before); got != 56*time.Minute {
		t.Fatalf("UserSig not re-minted before expiry: expiry moved by %v", got)
	}
	for _, line := range logs.lines {
		for _, s := range f.sigs {
			if strings.Contains(line, s) {
				t.Fatalf("log line carries a UserSig: %s", line)
			}
		}
		if strings.Contains(line, testKey) {
			t.Fatalf("log line carries the key: %s", line)
		}
	}
}

func TestHostileResponses(t *testing.T) {
	t.Parallel()
	huge := `{"errorCode":0,"requestId":"r","data":"` + strings.Repeat("a", maxBodyBytes+10) + `"}`
	cases := map[string]struct {
		body string
		want string
	}{
		"malformed json":  {`{"errorCode":0,`, "not a CallKit API envelope"},
		"html":            {`<html><body>502 Bad Gateway</body></html>`, "not a JSON object"},
		"missing fields":  {`{"requestId":"r"}`, "errorCode is missing"},
		"huge":            {huge, "larger than"},
		"wrong types":     {`{"errorCode":0,"requestId":"r","data":{"callId":["x"]}}`, "unexpected shape"},
		"errorCode float": {`{"errorCode":1.5,"requestId":"r"}`, "not an integer"},
	}
	for name, tc := range cases {
		_, srv := newFake(t, func(_ string, _ int, _ map[string]any, w http.ResponseWriter) { fmt.Fprint(w, tc.body) })
		c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = 1 })
		_, err := c.GetRecord(context.Background(), V1, "x")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", name, err, tc.want)
		}
		if err != nil && len(err.Error()) > 600 {
			t.Errorf("%s: error is %d bytes long", name, len(err.Error()))
		}
	}
	// errorCode as a numeric string is accepted.
	_, srv := newFake(t, func(_ string, _ int, _ map[string]any, w http.ResponseWriter) {
		fmt.Fprint(w, `{"errorCode":"70011","errorMessage":"none","requestId":12345}`)
	})
	c, _ := newTestClient(t, srv.URL)
	_, err := c.GetRecord(context.Background(), V1, "x")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != 70011 || ae.RequestID != "12345" || !errors.Is(err, ErrNotFound) {
		t.Fatalf("string errorCode: %v", err)
	}
}

// TestAttemptLogFields pins each attempt's log line: a bare HTTP failure, an
// API error, then the success (which logs error_code 0).
func TestAttemptLogFields(t *testing.T) {
	t.Parallel()
	_, srv := newFake(t, func(_ string, n int, _ map[string]any, w http.ResponseWriter) {
		switch n {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			v1Answer(w, 71234, nil)
		default:
			v1Answer(w, 0, nil)
		}
	})
	c, logs := newTestClient(t, srv.URL)
	if err := c.DeleteCallback(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"map[attempt:1 duration_ms:D endpoint:v1/callback/delete error:not an API answer http_status:503 retryable:true]",
		"map[attempt:2 duration_ms:D endpoint:v1/callback/delete error_code:71234 error_message:msg 71234 request_id:req-71234 retryable:true]",
		"map[attempt:3 duration_ms:D endpoint:v1/callback/delete error_code:0 request_id:req-0]",
	}
	if len(logs.lines) != len(want) {
		t.Fatalf("log lines %q, want %d", logs.lines, len(want))
	}
	dur := regexp.MustCompile(`duration_ms:\d+`)
	for i, line := range logs.lines {
		if got := dur.ReplaceAllString(line, "duration_ms:D"); got != "CallKit API request "+want[i] {
			t.Errorf("line %d = %q, want %q", i+1, got, want[i])
		}
	}
}
