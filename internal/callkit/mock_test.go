package callkit_test

// The client against the in-process mock: two independent readings of
// callkit-api.md that must agree.

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

func startMock(t *testing.T, opts mockserver.Options) (*mockserver.Server, string) {
	t.Helper()
	m := mockserver.New(opts)
	srv := httptest.NewServer(m)
	t.Cleanup(func() { srv.Close(); m.Close() })
	return m, srv.URL
}

func client(t *testing.T, url string, mod ...func(*callkit.Config)) *callkit.Client {
	t.Helper()
	cfg := callkit.Config{SDKAppID: mockserver.DefaultSDKAppID, SecretKey: mockserver.DefaultKey, Endpoint: url, MaxRetries: 5, RetryWaitMin: time.Millisecond, RetryWaitMax: 20 * time.Millisecond}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := callkit.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMockCallbackLifecycle(t *testing.T) {
	t.Parallel()
	m, url := startMock(t, mockserver.Options{RateLimit: true})
	c := client(t, url)
	ctx := context.Background()
	for _, v4 := range []bool{false, true} {
		get, set, del := c.GetCallback, c.SetCallback, c.DeleteCallback
		actions := []string{"normal_end", "caller_start_call"}
		if v4 {
			get, set, del = c.GetCallbackV4, c.SetCallbackV4, c.DeleteCallbackV4
			actions = []string{"Call.CallbackAfterEndCall"}
		}
		if _, err := get(ctx); !errors.Is(err, callkit.ErrNotFound) {
			t.Fatalf("v4=%v get before set: %v", v4, err)
		}
		if err := set(ctx, callkit.Callback{Address: "https://hooks.example.com/a", Actions: actions}); err != nil {
			t.Fatal(err)
		}
		got, err := get(ctx)
		if err != nil || got.Address != "https://hooks.example.com/a" || !slices.Equal(got.Actions, actions) {
			t.Fatalf("v4=%v get: %+v %v", v4, got, err)
		}
		if !v4 {
			if err := c.UpdateCallback(ctx, callkit.Callback{Address: "http://hooks.example.com/b", Actions: []string{"cancel"}}); err != nil {
				t.Fatal(err)
			}
			if cb, ok := m.Callback(); !ok || cb.Address != "http://hooks.example.com/b" {
				t.Fatalf("mock holds %+v", cb)
			}
		}
		if err := del(ctx); err != nil {
			t.Fatal(err)
		}
		if err := del(ctx); err != nil {
			t.Fatalf("v4=%v delete of none: %v", v4, err)
		}
	}
	if err := c.UpdateCallback(ctx, callkit.Callback{Address: "https://x.example", Actions: []string{"cancel"}}); !errors.Is(err, callkit.ErrNotFound) {
		t.Fatalf("update of none: %v", err)
	}
	// v1 and v4 stores are independent.
	_ = c.SetCallback(ctx, callkit.Callback{Address: "https://v1.example", Actions: []string{"cancel"}})
	if _, err := c.GetCallbackV4(ctx); !errors.Is(err, callkit.ErrNotFound) {
		t.Fatalf("v4 sees the v1 config: %v", err)
	}
}

func TestMockRecordsV1AndV4Agree(t *testing.T) {
	t.Parallel()
	m, url := startMock(t, mockserver.Options{Records: 1234, Seed: 7, RateLimit: true})
	c := client(t, url)
	ctx := context.Background()
	all := m.Records()
	start := all[0].StartCallTs
	f := callkit.RecordFilter{StartTimestamp: start}
	v1, err := c.ListAllRecords(ctx, callkit.V1, f, 0)
	if err != nil {
		t.Fatal(err)
	}
	v4, err := c.ListAllRecords(ctx, callkit.V4, f, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(v1) != len(all) || len(v4) != len(all) {
		t.Fatalf("v1 %d, v4 %d, mock %d", len(v1), len(v4), len(all))
	}
	for i := range all {
		a, b := v1[i], v4[i]
		if a.CallID != all[i].CallID || b.CallID != all[i].CallID || a.CallResult != b.CallResult || a.CallType != b.CallType || a.MediaType != b.MediaType || a.AcceptTs != b.AcceptTs || a.EndTs != b.EndTs || !slices.Equal(a.Callees, b.Callees) {
			t.Fatalf("record %d differs:\nmock %+v\nv1   %+v\nv4   %+v", i, all[i], a, b)
		}
	}
	// Filtered: result + type.
	want := 0
	for _, r := range all {
		if r.CallResult == "normal_end" && r.CallType == "single" {
			want++
		}
	}
	for _, v := range []callkit.APIVersion{callkit.V1, callkit.V4} {
		got, err := c.ListAllRecords(ctx, v, callkit.RecordFilter{StartTimestamp: start, CallResult: "normal_end", CallType: "single", NumberPerPage: 37}, 0)
		if err != nil || len(got) != want {
			t.Fatalf("%s filtered: %d records (%v), want %d", v, len(got), err, want)
		}
		one, err := c.GetRecord(ctx, v, all[5].CallID)
		if err != nil || one.CallID != all[5].CallID || one.StartCallTs != all[5].StartCallTs {
			t.Fatalf("%s get: %+v %v", v, one, err)
		}
		if _, err := c.GetRecord(ctx, v, "no-such-call"); !errors.Is(err, callkit.ErrNotFound) {
			t.Fatalf("%s missing: %v", v, err)
		}
		// Nothing matches: empty, not an error.
		none, err := c.ListAllRecords(ctx, v, callkit.RecordFilter{StartTimestamp: all[len(all)-1].StartCallTs + 10}, 0)
		if err != nil || len(none) != 0 {
			t.Fatalf("%s none: %v %v", v, none, err)
		}
	}
	if st := m.Stats(); st.RateLimited != 0 {
		t.Logf("mock rate-limited %d requests (retried)", st.RateLimited)
	}
}

func TestMockAuthFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, url := startMock(t, mockserver.Options{})
	c := client(t, url, func(cfg *callkit.Config) { cfg.SecretKey = "wrong-key" })
	var ae *callkit.APIError
	if _, err := c.GetCallback(ctx); !errors.As(err, &ae) || ae.Code != 70002 || !errors.Is(err, callkit.ErrAuth) {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := c.GetCallbackV4(ctx); !errors.As(err, &ae) || ae.Code != 60004 {
		t.Fatalf("wrong key v4: %v", err)
	}
	c = client(t, url, func(cfg *callkit.Config) { cfg.Identifier = "alice" })
	if _, err := c.GetCallback(ctx); !errors.Is(err, callkit.ErrNotAdmin) {
		t.Fatalf("non-admin: %v", err)
	}
	// The mock lives two hours ahead: every 1 h sig is expired on arrival.
	_, url = startMock(t, mockserver.Options{Clock: func() time.Time { return time.Now().Add(2 * time.Hour) }})
	c = client(t, url)
	if _, err := c.GetCallback(ctx); !errors.As(err, &ae) || ae.Code != 70003 || ae.Attempts != 2 {
		t.Fatalf("expired: %v", err)
	}
	_, url = startMock(t, mockserver.Options{NoGroupCallPackage: true})
	c = client(t, url)
	if _, err := c.GetRecord(ctx, callkit.V1, "x"); !errors.Is(err, callkit.ErrNotPurchased) {
		t.Fatalf("not purchased: %v", err)
	}
	if _, err := c.GetRecord(ctx, callkit.V4, "x"); !errors.Is(err, callkit.ErrPackageExpired) {
		t.Fatalf("package expired: %v", err)
	}
}

func TestMockFaultsAreRiddenThrough(t *testing.T) {
	t.Parallel()
	m, url := startMock(t, mockserver.Options{Records: 450, Seed: 3})
	m.SetFaults(mockserver.Faults{Rate: 0.3, Kinds: []mockserver.FaultKind{mockserver.FaultRateLimit, mockserver.FaultInternal, mockserver.FaultHTTP502}})
	c := client(t, url, func(cfg *callkit.Config) { cfg.MaxRetries = 10 })
	ctx := context.Background()
	if err := c.SetCallback(ctx, callkit.Callback{Address: "https://a.example", Actions: []string{"cancel"}}); err != nil {
		t.Fatal(err)
	}
	recs, err := c.ListAllRecords(ctx, callkit.V1, callkit.RecordFilter{StartTimestamp: m.Records()[0].StartCallTs, NumberPerPage: 50}, 0)
	if err != nil || len(recs) != 450 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if st := m.Stats(); st.Faulted == 0 {
		t.Fatal("no fault was injected")
	}
	if cb, ok := m.Callback(); !ok || cb.Address != "https://a.example" {
		t.Fatalf("mock holds %+v", cb)
	}
}

// lookups reads n records by call ID at once, as Terraform reads n
// call_record data sources, and returns how long that took.
func lookups(t *testing.T, c *callkit.Client, recs []mockserver.Record, n int) time.Duration {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			if _, err := c.GetRecord(context.Background(), callkit.V1, recs[i%len(recs)].CallID); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	return time.Since(start)
}

// TestMockLookupsBurstWithinTheLimit: 40 lookups at 20/s go as two bursts a
// second apart (not 1/20 s apart, which takes 1.95 s), and the mock's own
// bucket never refuses one.
func TestMockLookupsBurstWithinTheLimit(t *testing.T) {
	t.Parallel()
	m, url := startMock(t, mockserver.Options{Records: 50, RateLimit: true, Seed: 1})
	el := lookups(t, client(t, url), m.Records(), 40)
	if el < time.Second {
		t.Errorf("40 lookups in %v: more than 20 went within one second", el)
	}
	if el > 1500*time.Millisecond {
		t.Errorf("40 lookups in %v: the client spaces requests instead of letting 20 go at once", el)
	}
	if st := m.Stats(); st.RateLimited != 0 {
		t.Errorf("the mock refused %d lookups over its 20/s limit", st.RateLimited)
	}
}

// TestMockStrictRateLimitFallsBackToSpacing: a service that allows no burst
// at all (the mock's strict mode) refuses only a handful of requests per path
// and second (the client spaces them 1/N apart for a second after a refusal,
// twice as long after each refused return to bursts); nothing fails.
func TestMockStrictRateLimitFallsBackToSpacing(t *testing.T) {
	t.Parallel()
	began := time.Now()
	m, url := startMock(t, mockserver.Options{Records: 3000, RateLimitStrict: true, Seed: 2})
	c := client(t, url)
	lookups(t, c, m.Records(), 40)
	afterLookups := m.Stats().RateLimited
	ctx := context.Background()
	f := callkit.RecordFilter{StartTimestamp: m.Records()[0].StartCallTs}
	for _, v := range []callkit.APIVersion{callkit.V1, callkit.V4} {
		recs, err := c.ListAllRecords(ctx, v, f, 0)
		if err != nil || len(recs) != 3000 {
			t.Fatalf("%s: %d records, %v", v, len(recs), err)
		}
	}
	if err := c.SetCallback(ctx, callkit.Callback{Address: "https://a.example", Actions: []string{"cancel"}}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.GetCallback(ctx); err != nil {
			t.Fatal(err)
		}
	}
	st := m.Stats()
	t.Logf("rate-limit answers: %d for 40 lookups, %d in all for %d requests", afterLookups, st.RateLimited, total(st.Requests))
	if afterLookups == 0 {
		t.Error("the strict mock refused no lookup: the test does not exercise the fallback")
	}
	// Each path is refused in the first burst of each second only: a few
	// answers a second.
	seconds := int(time.Since(began)/time.Second) + 1
	for path, n := range st.Requests {
		if refused := n - st.Applied[path]; refused > 4*seconds {
			t.Errorf("%s: %d of %d requests refused in %d s, want a handful a second at most", path, refused, n, seconds)
		}
	}
	if st.RateLimited > 8*seconds {
		t.Errorf("%d rate-limit answers in all in %d s, want a handful a second", st.RateLimited, seconds)
	}
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
