package mockserver

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

const testKey = "test-key-for-the-mock"

// fakeClock is a settable clock for the server.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.ns.Store(t.UnixNano())
	return c
}
func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// startMock serves a fresh mock (defaults: test key, fake clock at the real now).
func startMock(t *testing.T, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	if opts.Key == "" {
		opts.Key = testKey
	}
	s := New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	return s, ts
}

// sign mints a UserSig with the vendor library directly: outside the project's client.
func sign(t *testing.T, appID int64, key, user string, expire int) string {
	t.Helper()
	sig, err := signSig(appID, key, user, expire)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func signSig(appID int64, key, user string, expire int) (string, error) {
	return tencentyun.GenUserSig(int(appID), key, user, expire)
}

// client talks to the mock like an API client would, with overridable query parameters.
type client struct {
	t    *testing.T
	base string
	app  int64
	key  string
	user string
	sig  string
}

func newClient(t *testing.T, base string) *client {
	c := &client{t: t, base: base, app: DefaultSDKAppID, key: testKey, user: DefaultIdentifier}
	c.sig = sign(t, c.app, c.key, c.user, 3600)
	return c
}

func (c *client) query() url.Values {
	return url.Values{
		"sdkappid": {strconv.FormatInt(c.app, 10)}, "identifier": {c.user}, "usersig": {c.sig},
		"random": {"12345"}, "contenttype": {"json"},
	}
}

// raw sends one request and returns the HTTP status and the decoded body.
func (c *client) raw(method, path string, q url.Values, body string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+"/"+path+"?"+q.Encode(), bytes.NewBufferString(body))
	if err != nil {
		c.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	var out map[string]any
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &out); err != nil {
			c.t.Fatalf("%s: answer is not JSON: %s", path, b)
		}
	}
	return resp.StatusCode, out
}

func (c *client) post(path, body string) map[string]any {
	c.t.Helper()
	status, out := c.raw(http.MethodPost, path, c.query(), body)
	if status != http.StatusOK {
		c.t.Fatalf("%s: HTTP %d", path, status)
	}
	return out
}

// code returns the error code of a v1 or v4 envelope.
func code(t *testing.T, env map[string]any) int {
	t.Helper()
	for _, k := range []string{"errorCode", "ErrorCode"} {
		if v, ok := env[k].(float64); ok {
			return int(v)
		}
	}
	t.Fatalf("no error code in %v", env)
	return -1
}

func wantCode(t *testing.T, env map[string]any, want int) {
	t.Helper()
	if got := code(t, env); got != want {
		t.Fatalf("error code = %d, want %d (answer %v)", got, want, env)
	}
}

// as asserts v's dynamic type, failing the test instead of panicking.
func as[T any](t *testing.T, v any) T {
	t.Helper()
	out, ok := v.(T)
	if !ok {
		t.Fatalf("value %v is a %T, not a %T", v, v, out)
	}
	return out
}

func obj(t *testing.T, v any) map[string]any { t.Helper(); return as[map[string]any](t, v) }
func arr(t *testing.T, v any) []any          { t.Helper(); return as[[]any](t, v) }
func str(t *testing.T, v any) string         { t.Helper(); return as[string](t, v) }
func num(t *testing.T, v any) float64        { t.Helper(); return as[float64](t, v) }
