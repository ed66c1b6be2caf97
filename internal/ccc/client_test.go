package ccc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/walk"
)

const (
	testID  = "AKIDtest0000000000000000000000000000"
	testKey = "test-secret-key-must-never-leak-0123"
)

// fake is a scripted API 3.0 server: answer(n, r, body) writes the answer to
// the n-th request (from 1).
type fake struct {
	t      *testing.T
	srv    *httptest.Server
	hits   atomic.Int64
	answer func(n int, w http.ResponseWriter, r *http.Request, body []byte)

	mu   sync.Mutex
	reqs []seenRequest
}

type seenRequest struct {
	header http.Header
	body   map[string]json.RawMessage
	path   string
	host   string
}

func newFake(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request, body []byte)) *fake {
	t.Helper()
	f := &fake{t: t, answer: answer}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(f.hits.Add(1))
		body, _ := io.ReadAll(r.Body)
		var m map[string]json.RawMessage
		_ = json.Unmarshal(body, &m)
		f.mu.Lock()
		f.reqs = append(f.reqs, seenRequest{header: r.Header.Clone(), body: m, path: r.URL.Path, host: r.Host})
		f.mu.Unlock()
		f.answer(n, w, r, body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) requests() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.reqs...)
}

func writeBody(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func apiError(w http.ResponseWriter, code, msg string) {
	writeBody(w, http.StatusOK, fmt.Sprintf(`{"Response":{"Error":{"Code":%q,"Message":%q},"RequestId":"req-err"}}`, code, msg))
}

// pageJSON answers a page of n records with ids prefix-0.. and the given total.
func pageJSON(total int, ids ...string) string {
	recs := make([]string, len(ids))
	for i, id := range ids {
		recs[i] = fmt.Sprintf(`{"SessionId":%q,"Caller":"138","StartTimestamp":%d}`, id, 1000+i)
	}
	return fmt.Sprintf(`{"Response":{"TotalCount":%d,"TelCdrList":[%s],"RequestId":"req-ok"}}`, total, strings.Join(recs, ","))
}

func newTestClient(t *testing.T, endpoint string, mod ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{SecretID: testID, SecretKey: testKey, Endpoint: endpoint, MaxRetries: 3,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, Timeout: 2 * time.Second}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var testQuery = TelCdrQuery{SdkAppID: 1400000100, StartTimestamp: 1_770_000_000, EndTimestamp: 1_770_086_400}

func noLeak(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), testKey) {
		t.Fatalf("error text contains the SecretKey: %v", err)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cfg  Config
		want string
		is   error
	}{
		{Config{}, "the SecretId and the SecretKey are both empty", ErrMissingCredentials},
		{Config{SecretKey: testKey}, "the SecretId is empty", ErrMissingCredentials},
		{Config{SecretID: testID}, "the SecretKey is empty", ErrMissingCredentials},
		{Config{SecretID: testID, SecretKey: testKey, Endpoint: "http://ccc.example.com"}, `plain http on the non-loopback host "ccc.example.com"`, nil},
		{Config{SecretID: testID, SecretKey: testKey, Endpoint: "ccc.example.com"}, "not an absolute URL", nil},
		{Config{SecretID: testID, SecretKey: testKey, Endpoint: "https://ccc.example.com/?a=b"}, "must not have a query", nil},
		{Config{SecretID: testID, SecretKey: testKey, MaxRetries: -1}, "max retries must be zero or more, got -1", nil},
		{Config{SecretID: testID, SecretKey: testKey, Timeout: -time.Second}, "request timeout must be positive", nil},
	}
	for _, c := range cases {
		_, err := New(c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v) = %v, want an error containing %q", c.cfg, err, c.want)
			continue
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("New(%+v) = %v, want errors.Is %v", c.cfg, err, c.is)
		}
		noLeak(t, err)
	}
	for _, ep := range []string{"", "https://ccc.tencentcloudapi.com", "http://127.0.0.1:8080", "http://localhost:1/", "http://[::1]:9"} {
		if _, err := New(Config{SecretID: testID, SecretKey: testKey, Endpoint: ep}); err != nil {
			t.Fatalf("New(endpoint %q): %v", ep, err)
		}
	}
}

// TestDefaultEndpoint: without an Endpoint, requests go to DefaultEndpoint.
func TestDefaultEndpoint(t *testing.T) {
	t.Parallel()
	var got atomic.Value
	c, err := New(Config{SecretID: testID, SecretKey: testKey, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got.Store(r.URL.Scheme + "://" + r.URL.Host)
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(pageJSON(1, "s1"))), Request: r}, nil
	})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeTelCdrPage(context.Background(), testQuery, 0); err != nil {
		t.Fatal(err)
	}
	if got.Load() != DefaultEndpoint {
		t.Errorf("request sent to %v, want %s", got.Load(), DefaultEndpoint)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestRequestShape: what goes on the wire is the documented API 3.0 request,
// signed by the SDK, with exact integer parameters.
func TestRequestShape(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) { writeBody(w, 200, pageJSON(1, "s1")) })
	c := newTestClient(t, f.srv.URL+"/proxy/")
	q := testQuery
	q.PageSize = 37
	q.Phones = []string{"13800000001"}
	if _, err := c.DescribeTelCdrPage(context.Background(), q, 4); err != nil {
		t.Fatal(err)
	}
	q.Phones, q.SessionIDs = nil, []string{"s-1", "s-2"}
	if _, err := c.DescribeTelCdrPage(context.Background(), q, 0); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	r := reqs[0]
	if r.path != "/proxy" || r.host != strings.TrimPrefix(f.srv.URL, "http://") {
		t.Errorf("path %q host %q", r.path, r.host)
	}
	for k, want := range map[string]string{"X-Tc-Action": "DescribeTelCdr", "X-Tc-Version": "2020-02-10", "Content-Type": "application/json", "X-Tc-Language": "en-US"} {
		if got := r.header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if r.header.Get("X-Tc-Region") != "" {
		t.Errorf("X-TC-Region %q sent without a region", r.header.Get("X-Tc-Region"))
	}
	auth := regexp.MustCompile(`^TC3-HMAC-SHA256 Credential=` + testID + `/\d{4}-\d{2}-\d{2}/ccc/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$`)
	if !auth.MatchString(r.header.Get("Authorization")) {
		t.Errorf("Authorization %q", r.header.Get("Authorization"))
	}
	for k, want := range map[string]string{"SdkAppId": "1400000100", "StartTimeStamp": "1770000000", "EndTimeStamp": "1770086400", "PageSize": "37", "PageNumber": "4", "Phones": `["13800000001"]`} {
		if got := string(r.body[k]); got != want {
			t.Errorf("body %s = %s, want %s", k, got, want)
		}
	}
	if len(r.body) != 6 {
		t.Errorf("body %v: want exactly 6 fields", r.body)
	}
	if _, ok := reqs[1].body["Phones"]; ok || string(reqs[1].body["SessionIds"]) != `["s-1","s-2"]` {
		t.Errorf("second body %v: want SessionIds and no Phones", reqs[1].body)
	}
	for _, r := range reqs {
		for k, v := range r.header {
			if strings.Contains(strings.Join(v, " "), testKey) {
				t.Fatalf("header %s carries the SecretKey", k)
			}
		}
	}
}

func TestRetries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		fail     func(w http.ResponseWriter)
		attempts int64 // requests made with MaxRetries 3 when every answer fails
		is       error
		status   int
		contains string
	}{
		{"RequestLimitExceeded", func(w http.ResponseWriter) { apiError(w, "RequestLimitExceeded", "slow down") }, 4, ErrRateLimited, 0, "RequestLimitExceeded (slow down)"},
		{"RequestLimitExceeded.UinLimitExceeded", func(w http.ResponseWriter) { apiError(w, "RequestLimitExceeded.UinLimitExceeded", "x") }, 4, ErrRateLimited, 0, ""},
		{"InternalError", func(w http.ResponseWriter) { apiError(w, "InternalError", "oops") }, 4, nil, 0, "InternalError (oops), RequestId req-err, after 4 attempt(s)"},
		{"InternalError.DBError", func(w http.ResponseWriter) { apiError(w, "InternalError.DBError", "db") }, 4, nil, 0, ""},
		{"HTTP 502", func(w http.ResponseWriter) { writeBody(w, 502, "<html>bad gateway</html>") }, 4, nil, 502, "unexpected HTTP status 502"},
		{"HTTP 429", func(w http.ResponseWriter) { writeBody(w, 429, "too many") }, 4, nil, 429, ""},
		{"not JSON", func(w http.ResponseWriter) { writeBody(w, 200, "<html>proxy error</html>") }, 4, nil, 0, "not an API 3.0 JSON envelope"},
		{"no Response", func(w http.ResponseWriter) { writeBody(w, 200, `{"Other":1}`) }, 4, nil, 0, "no Response object"},
		{"HTTP 404", func(w http.ResponseWriter) { writeBody(w, 404, "not found") }, 1, nil, 404, "unexpected HTTP status 404"},
		{"AuthFailure.SignatureFailure", func(w http.ResponseWriter) { apiError(w, "AuthFailure.SignatureFailure", "bad sig") }, 1, ErrAuth, 0, ""},
		{"AuthFailure.SecretIdNotFound", func(w http.ResponseWriter) { apiError(w, "AuthFailure.SecretIdNotFound", "no id") }, 1, ErrAuth, 0, ""},
		{"InvalidParameterValue", func(w http.ResponseWriter) { apiError(w, "InvalidParameterValue", "bad") }, 1, ErrInvalidRequest, 0, ""},
		{"InstanceNotExist", func(w http.ResponseWriter) { apiError(w, "InvalidParameterValue.InstanceNotExist", "none") }, 1, ErrInstanceNotFound, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) { c.fail(w) })
			_, err := newTestClient(t, f.srv.URL).DescribeTelCdrPage(context.Background(), testQuery, 0)
			if err == nil {
				t.Fatal("no error")
			}
			if got := f.hits.Load(); got != c.attempts {
				t.Errorf("%d requests, want %d", got, c.attempts)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("%v is not %v", err, c.is)
			}
			var te *TransportError
			if c.status != 0 && (!errors.As(err, &te) || te.HTTPStatus != c.status) {
				t.Errorf("%v: want a TransportError with HTTP status %d", err, c.status)
			}
			if !strings.Contains(err.Error(), c.contains) {
				t.Errorf("%q does not contain %q", err, c.contains)
			}
			noLeak(t, err)
		})
	}

	// A transient failure followed by success converges.
	f := newFake(t, func(n int, w http.ResponseWriter, _ *http.Request, _ []byte) {
		switch n {
		case 1:
			apiError(w, "InternalError.DBError", "db")
		case 2:
			writeBody(w, 503, "busy")
		default:
			writeBody(w, 200, pageJSON(1, "s1"))
		}
	})
	p, err := newTestClient(t, f.srv.URL).DescribeTelCdrPage(context.Background(), testQuery, 0)
	if err != nil || len(p.Records) != 1 || p.RequestID != "req-ok" || f.hits.Load() != 3 {
		t.Fatalf("page %+v err %v after %d requests", p, err, f.hits.Load())
	}
}

func TestNoRetriesWhenZero(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) { apiError(w, "InternalError", "x") })
	c := newTestClient(t, f.srv.URL, func(c *Config) { c.MaxRetries = 0 })
	if _, err := c.DescribeTelCdrPage(context.Background(), testQuery, 0); err == nil || f.hits.Load() != 1 {
		t.Fatalf("err %v after %d requests, want one request", err, f.hits.Load())
	}
}

func TestTimeoutAndCancel(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f := newFake(t, func(_ int, w http.ResponseWriter, r *http.Request, _ []byte) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	// Every attempt times out: bounded by (1+MaxRetries) × Timeout plus backoff.
	c := newTestClient(t, f.srv.URL, func(c *Config) { c.Timeout = 100 * time.Millisecond; c.MaxRetries = 1 })
	start := time.Now()
	_, err := c.DescribeTelCdrPage(context.Background(), testQuery, 0)
	var te *TransportError
	if !errors.As(err, &te) || te.Attempts != 2 || !strings.Contains(err.Error(), "no answer within the request timeout (100ms)") {
		t.Fatalf("err %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("took %s", el)
	}

	// A cancelled caller ends the call at once, whatever the retry budget.
	c = newTestClient(t, f.srv.URL, func(c *Config) { c.Timeout = time.Minute; c.MaxRetries = 50 })
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = c.DescribeTelCdrPage(ctx, testQuery, 0)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want the context's deadline", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("cancel took %s", el)
	}
}

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"Response":{"TotalCount":1,"RequestId":"`)
		chunk := strings.Repeat("x", 1<<20)
		for range (maxBodyBytes >> 20) + 1 {
			_, _ = io.WriteString(w, chunk)
		}
		_, _ = io.WriteString(w, `"}}`)
	})
	// A per-attempt timeout long enough to read the 17 MiB under -race on a
	// loaded machine: a timed-out attempt is (rightly) retried, and this test
	// is about the size bound, which is final.
	c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.Timeout = time.Minute })
	_, err := c.DescribeTelCdrPage(context.Background(), testQuery, 0)
	if err == nil || !strings.Contains(err.Error(), "answer larger than") || f.hits.Load() != 1 {
		t.Fatalf("err %v after %d requests", err, f.hits.Load())
	}
}

// TestSecretScrubbed: even a server that quotes the key back cannot get it
// into an error.
func TestSecretScrubbed(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
		apiError(w, "AuthFailure.SignatureFailure", "expected key "+testKey)
	})
	_, err := newTestClient(t, f.srv.URL).DescribeTelCdrPage(context.Background(), testQuery, 0)
	if err == nil || !strings.Contains(err.Error(), "expected key REDACTED") {
		t.Fatalf("err %v", err)
	}
	noLeak(t, err)
}

func TestOlderListName(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
		writeBody(w, 200, `{"Response":{"TotalCount":2,"TelCdrs":[{"SessionId":"a"},null,{"SessionId":"b","SeatUser":{"UserId":"u"},"IVRKeyPressed":["1","2"]}],"RequestId":"r"}}`)
	})
	p, err := newTestClient(t, f.srv.URL).DescribeTelCdrPage(context.Background(), testQuery, 0)
	if err != nil || len(p.Records) != 2 || *p.Records[1].SessionId != "b" || *p.Records[1].SeatUser.UserId != "u" || len(p.Records[1].IVRKeyPressed) != 2 {
		t.Fatalf("page %+v err %v", p, err)
	}
	if p.Records[0].SeatUser != nil || p.Records[0].Duration != nil {
		t.Fatalf("absent fields must stay nil: %+v", p.Records[0])
	}
}

func TestQueryValidation(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) { writeBody(w, 200, pageJSON(0)) })
	c := newTestClient(t, f.srv.URL)
	for _, c2 := range []struct {
		mod  func(*TelCdrQuery)
		page int64
		want string
	}{
		{func(q *TelCdrQuery) { q.SdkAppID = 0 }, 0, "SdkAppId must be a positive"},
		{func(q *TelCdrQuery) { q.EndTimestamp = q.StartTimestamp }, 0, "EndTimeStamp (1770000000) must be after StartTimeStamp (1770000000)"},
		{func(q *TelCdrQuery) { q.EndTimestamp = q.StartTimestamp + 90*86400 }, 0, "must be under 90 days (7776000 seconds), got 7776000 seconds"},
		{func(q *TelCdrQuery) { q.PageSize = 101 }, 0, "PageSize must be between 1 and 100, got 101"},
		{func(q *TelCdrQuery) { q.PageSize = -1 }, 0, "PageSize must be between 1 and 100, got -1"},
		{func(*TelCdrQuery) {}, -1, "PageNumber must be 0 or more, got -1"},
	} {
		q := testQuery
		c2.mod(&q)
		_, err := c.DescribeTelCdrPage(context.Background(), q, c2.page)
		if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), c2.want) {
			t.Errorf("err %v, want %q", err, c2.want)
		}
	}
	if f.hits.Load() != 0 {
		t.Fatalf("invalid queries sent %d requests", f.hits.Load())
	}
	q := testQuery
	q.EndTimestamp = q.StartTimestamp + 90*86400 - 1
	if _, err := c.DescribeTelCdrPage(context.Background(), q, 0); err != nil {
		t.Fatalf("89d23h59m59s: %v", err)
	}
}

// served answers DescribeTelCdr over n records p0..p(n-1), record i started
// at testQuery.StartTimestamp+i, honouring the time filter, PageSize and
// PageNumber; total rewrites the TotalCount field ("" leaves it out).
func served(n int, total func(matching int) string) func(int, http.ResponseWriter, *http.Request, []byte) {
	return func(_ int, w http.ResponseWriter, _ *http.Request, body []byte) {
		var q struct{ StartTimeStamp, EndTimeStamp, PageSize, PageNumber int64 }
		_ = json.Unmarshal(body, &q)
		lo := max(q.StartTimeStamp-testQuery.StartTimestamp, 0)
		hi := min(q.EndTimeStamp-testQuery.StartTimestamp+1, int64(n))
		recs := []string{}
		for i := lo + q.PageNumber*q.PageSize; i < hi && int64(len(recs)) < q.PageSize; i++ {
			recs = append(recs, fmt.Sprintf(`{"SessionId":"p%d","StartTimestamp":%d}`, i, testQuery.StartTimestamp+i))
		}
		writeBody(w, 200, fmt.Sprintf(`{"Response":{%s"TelCdrList":[%s],"RequestId":"r"}}`, total(int(max(hi-lo, 0))), strings.Join(recs, ",")))
	}
}

func exactTotal(matching int) string { return fmt.Sprintf(`"TotalCount":%d,`, matching) }

func TestAllPagesWalk(t *testing.T) {
	t.Parallel()
	t.Run("stops at a short page", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, served(25, exactTotal))
		q := testQuery
		q.PageSize = 10
		recs, err := newTestClient(t, f.srv.URL).DescribeAllTelCdrs(context.Background(), q, 0)
		if err != nil || len(recs) != 25 || f.hits.Load() != 3 {
			t.Fatalf("%d records, err %v, %d requests", len(recs), err, f.hits.Load())
		}
		// Keyset: each request starts at the last start time read.
		for i, r := range f.requests() {
			want := fmt.Sprint(testQuery.StartTimestamp + int64(9*i))
			if string(r.body["StartTimeStamp"]) != want || string(r.body["PageNumber"]) != "0" {
				t.Fatalf("request %d asked from %s page %s, want from %s page 0", i, r.body["StartTimeStamp"], r.body["PageNumber"], want)
			}
		}
		for i, r := range recs {
			if *r.SessionId != fmt.Sprint("p", i) {
				t.Fatalf("record %d is %s", i, *r.SessionId)
			}
		}
	})
	// TotalCount is a hint only (issue 17): missing, too small or too large,
	// the walk reads until a short or empty page.
	for name, total := range map[string]func(int) string{
		"missing":   func(int) string { return "" },
		"too small": func(int) string { return `"TotalCount":5,` },
		"too large": func(int) string { return `"TotalCount":1000,` },
		"exact":     exactTotal,
	} {
		for _, n := range []int{20, 24} {
			t.Run(fmt.Sprintf("TotalCount %s, %d records", name, n), func(t *testing.T) {
				t.Parallel()
				f := newFake(t, served(n, total))
				q := testQuery
				q.PageSize = 10
				recs, err := newTestClient(t, f.srv.URL).DescribeAllTelCdrs(context.Background(), q, 0)
				maxReq := int64(3)
				if name == "too large" {
					maxReq += 1000 / (10 * 24) // time slices planned for records that never come
				}
				if err != nil || len(recs) != n || f.hits.Load() > maxReq {
					t.Fatalf("%d records, err %v, %d requests; want %d records in at most %d requests", len(recs), err, f.hits.Load(), n, maxReq)
				}
			})
		}
	}
	t.Run("empty", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			writeBody(w, 200, `{"Response":{"TotalCount":0,"RequestId":"r"}}`)
		})
		recs, err := newTestClient(t, f.srv.URL).DescribeAllTelCdrs(context.Background(), testQuery, 0)
		if err != nil || recs == nil || len(recs) != 0 {
			t.Fatalf("records %#v err %v", recs, err)
		}
	})
	t.Run("a server that ignores the time filter and PageNumber", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			writeBody(w, 200, pageJSON(1000, "a", "b"))
		})
		q := testQuery
		q.PageSize = 2
		_, err := newTestClient(t, f.srv.URL).DescribeAllTelCdrs(context.Background(), q, 0)
		if !errors.Is(err, walk.ErrOutOfOrder) || f.hits.Load() != 1 {
			t.Fatalf("err %v after %d requests", err, f.hits.Load())
		}
	})
	t.Run("a server that never ends the walk", func(t *testing.T) {
		t.Parallel()
		// Every page is full, of records never seen before, all at the
		// window's first second.
		f := newFake(t, func(n int, w http.ResponseWriter, _ *http.Request, _ []byte) {
			recs := make([]string, 100)
			for i := range recs {
				recs[i] = fmt.Sprintf(`{"SessionId":"x%d-%d","StartTimestamp":%d}`, n, i, testQuery.StartTimestamp)
			}
			writeBody(w, 200, fmt.Sprintf(`{"Response":{"TotalCount":150,"TelCdrList":[%s],"RequestId":"r"}}`, strings.Join(recs, ",")))
		})
		_, err := newTestClient(t, f.srv.URL).DescribeAllTelCdrs(context.Background(), testQuery, 0)
		if !errors.Is(err, ErrEndlessWalk) || f.hits.Load() != 14 {
			t.Fatalf("err %v after %d requests, want ErrEndlessWalk once 2 x 150 + 1,000 records are passed", err, f.hits.Load())
		}
	})
	t.Run("max records", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, served(30, exactTotal))
		q := testQuery
		q.PageSize = 10
		c := newTestClient(t, f.srv.URL)
		if recs, err := c.DescribeAllTelCdrs(context.Background(), q, 30); err != nil || len(recs) != 30 {
			t.Fatalf("exactly max_records: %d records, %v", len(recs), err)
		}
		before := f.hits.Load()
		var tm *walk.TooManyRecordsError
		_, err := c.DescribeAllTelCdrs(context.Background(), q, 29)
		if !errors.As(err, &tm) || !errors.Is(err, ErrTooManyRecords) || tm.Announced != 30 || tm.Limit != 29 || f.hits.Load() != before+1 {
			t.Fatalf("one over: %v after %d requests", err, f.hits.Load()-before)
		}
		// Without a TotalCount the bound is met while reading.
		f = newFake(t, served(30, func(int) string { return "" }))
		_, err = newTestClient(t, f.srv.URL).DescribeAllTelCdrs(context.Background(), q, 29)
		if !errors.As(err, &tm) || tm.Announced != -1 {
			t.Fatalf("one over, no TotalCount: %v", err)
		}
	})
	t.Run("error on a later page", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, func(n int, w http.ResponseWriter, r *http.Request, body []byte) {
			if n == 1 {
				served(4, exactTotal)(n, w, r, body)
				return
			}
			apiError(w, "AuthFailure.SignatureExpire", "expired")
		})
		q := testQuery
		q.PageSize = 2
		_, err := newTestClient(t, f.srv.URL).DescribeAllTelCdrs(context.Background(), q, 0)
		if !errors.Is(err, ErrAuth) {
			t.Fatalf("err %v", err)
		}
	})
}

// TestLimiterShared: concurrent callers of one Client together never send
// more than 20 requests in any one second, and a burst of 20 goes at once
// (not 1/20 s apart).
func TestLimiterShared(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var at []time.Time
	f := newFake(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
		mu.Lock()
		at = append(at, time.Now())
		mu.Unlock()
		writeBody(w, 200, pageJSON(0))
	})
	c := newTestClient(t, f.srv.URL)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 6 {
				if _, err := c.DescribeTelCdrPage(context.Background(), testQuery, 0); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(at) != 24 {
		t.Fatalf("%d requests", len(at))
	}
	// The client keeps its sends a second (and a margin) apart; arrivals
	// may bunch a little on a busy machine.
	for i := 0; i+RequestsPerSecond < len(at); i++ {
		if d := at[i+RequestsPerSecond].Sub(at[i]); d < 900*time.Millisecond {
			t.Fatalf("requests %d and %d arrived %v apart: more than %d in one second", i+1, i+RequestsPerSecond+1, d, RequestsPerSecond)
		}
	}
	if d := at[RequestsPerSecond-1].Sub(at[0]); d > 500*time.Millisecond {
		t.Fatalf("the first %d requests took %v: the limiter spaces them instead of letting them go at once", RequestsPerSecond, d)
	}
}

type logLine struct {
	msg    string
	fields map[string]any
}

type recLogger struct {
	mu    sync.Mutex
	lines []logLine
}

func (l *recLogger) Log(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, logLine{msg, fields})
}

func TestLogging(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(n int, w http.ResponseWriter, _ *http.Request, _ []byte) {
		if n == 1 {
			apiError(w, "RequestLimitExceeded", "slow")
			return
		}
		writeBody(w, 200, pageJSON(1, "s"))
	})
	l := &recLogger{}
	if _, err := newTestClient(t, f.srv.URL, func(c *Config) { c.Logger = l }).DescribeTelCdrPage(context.Background(), testQuery, 0); err != nil {
		t.Fatal(err)
	}
	if len(l.lines) != 2 {
		t.Fatalf("%d log lines, want one per attempt", len(l.lines))
	}
	first, second := l.lines[0].fields, l.lines[1].fields
	if first["error_code"] != "RequestLimitExceeded" || first["retryable"] != true || first["attempt"] != 1 || first["request_id"] != "req-err" {
		t.Errorf("first line %v", first)
	}
	if second["request_id"] != "req-ok" || second["attempt"] != 2 {
		t.Errorf("second line %v", second)
	}
	for _, line := range l.lines {
		if strings.Contains(fmt.Sprint(line), testKey) {
			t.Fatalf("log line carries the SecretKey: %v", line)
		}
	}
}
