package ccc_test

// The client (signing by the official SDK) against the in-process mock
// (signature verified by its own TC3 implementation): two independent
// readings of callkit-api.md §8 that must agree.

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/ccc"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

func startMock(t *testing.T, opts mockserver.Options) (*mockserver.Server, string) {
	t.Helper()
	m := mockserver.New(opts)
	srv := httptest.NewServer(m)
	t.Cleanup(func() { srv.Close(); m.Close() })
	return m, srv.URL
}

func client(t *testing.T, url string, mod ...func(*ccc.Config)) *ccc.Client {
	t.Helper()
	cfg := ccc.Config{SecretID: mockserver.DefaultCCCSecretID, SecretKey: mockserver.DefaultCCCSecretKey, Endpoint: url,
		MaxRetries: 5, RetryWaitMin: time.Millisecond, RetryWaitMax: 20 * time.Millisecond}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := ccc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func monthQuery() ccc.TelCdrQuery {
	now := time.Now()
	return ccc.TelCdrQuery{SdkAppID: mockserver.DefaultCCCSdkAppID, StartTimestamp: now.Add(-31 * 24 * time.Hour).Unix(), EndTimestamp: now.Unix()}
}

func sessionIDs(recs []ccc.TelCdrInfo) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = *r.SessionId
	}
	return out
}

func mockSessionIDs(recs []mockserver.TelCdr) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.SessionID
	}
	return out
}

func TestMockAllPages(t *testing.T) {
	t.Parallel()
	m, url := startMock(t, mockserver.Options{CCCRecords: 321, Seed: 4, RateLimit: true})
	c := client(t, url)
	recs, err := c.DescribeAllTelCdrs(context.Background(), monthQuery(), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := m.TelCdrs()
	if !slices.Equal(sessionIDs(recs), mockSessionIDs(want)) {
		t.Fatalf("read %d records, the mock holds %d, or in another order", len(recs), len(want))
	}
	if n := m.Stats().Requests["ccc/DescribeTelCdr"]; n != 4 {
		t.Fatalf("%d requests, want 4 pages of 100", n)
	}
	// Every mapped field arrives: compare one full record.
	for i, w := range want {
		r := recs[i]
		if *r.Caller != w.Caller || *r.Callee != w.Callee || *r.Direction != int64(w.Direction) || *r.Time != w.StartTimestamp ||
			*r.StartTimestamp != w.StartTimestamp || *r.EndedTimestamp != w.EndedTimestamp || *r.Duration != w.Duration ||
			*r.EndStatus != int64(w.EndStatus) || *r.EndStatusString != w.EndStatusString || *r.HungUpSide != w.HungUpSide ||
			*r.RecordURL != w.RecordURL || *r.Uui != w.UUI || len(r.ServeParticipants) != len(w.ServeParticipants) ||
			(w.SeatUser == nil) != (r.SeatUser == nil) || (w.SeatUser != nil && *r.SeatUser.StaffNumber != w.SeatUser.StaffNumber) {
			t.Fatalf("record %d differs:\n got %+v\nwant %+v", i, r, w)
		}
	}
}

func TestMockPageAndFilters(t *testing.T) {
	t.Parallel()
	m, url := startMock(t, mockserver.Options{CCCRecords: 260, Seed: 8})
	c := client(t, url)
	all := m.TelCdrs()
	q := monthQuery()
	q.PageSize = 40
	p, err := c.DescribeTelCdrPage(context.Background(), q, 2)
	if err != nil {
		t.Fatal(err)
	}
	if p.TotalCount != 260 || !slices.Equal(sessionIDs(p.Records), mockSessionIDs(all[80:120])) {
		t.Fatalf("page 2: TotalCount %d, %d records", p.TotalCount, len(p.Records))
	}

	phone := all[0].Caller
	var want []string
	for _, r := range all {
		if r.Caller == phone || r.Callee == phone {
			want = append(want, r.SessionID)
		}
	}
	q = monthQuery()
	q.Phones = []string{phone}
	recs, err := c.DescribeAllTelCdrs(context.Background(), q, 0)
	if err != nil || !slices.Equal(sessionIDs(recs), want) {
		t.Fatalf("phone filter: %v, %d records, want %d", err, len(recs), len(want))
	}

	q = monthQuery()
	q.SessionIDs = []string{all[5].SessionID, all[250].SessionID}
	recs, err = c.DescribeAllTelCdrs(context.Background(), q, 0)
	if err != nil || !slices.Equal(sessionIDs(recs), q.SessionIDs) {
		t.Fatalf("session filter: %v, %v", err, sessionIDs(recs))
	}

	q = monthQuery()
	q.Phones = []string{"00000000000"}
	recs, err = c.DescribeAllTelCdrs(context.Background(), q, 0)
	if err != nil || recs == nil || len(recs) != 0 {
		t.Fatalf("no match: %#v, %v", recs, err)
	}
}

func TestMockAuthFailures(t *testing.T) {
	t.Parallel()
	m, url := startMock(t, mockserver.Options{CCCRecords: 3})
	for name, mod := range map[string]func(*ccc.Config){
		"AuthFailure.SignatureFailure": func(c *ccc.Config) { c.SecretKey = "wrong-secret-key-value" },
		"AuthFailure.SecretIdNotFound": func(c *ccc.Config) { c.SecretID = "AKIDsomebodyelse" },
	} {
		var cfg ccc.Config
		mod(&cfg)
		_, err := client(t, url, mod).DescribeAllTelCdrs(context.Background(), monthQuery(), 0)
		var apiErr *ccc.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != name || !errors.Is(err, ccc.ErrAuth) || apiErr.Attempts != 1 {
			t.Fatalf("%s: %v", name, err)
		}
		if cfg.SecretKey != "" && strings.Contains(err.Error(), cfg.SecretKey) {
			t.Fatalf("%s: error carries the key: %v", name, err)
		}
	}
	q := monthQuery()
	q.SdkAppID = 42
	if _, err := client(t, url).DescribeAllTelCdrs(context.Background(), q, 0); !errors.Is(err, ccc.ErrInstanceNotFound) {
		t.Fatalf("another application: %v", err)
	}
	if n := m.Stats().Applied["ccc/DescribeTelCdr"]; n != 0 {
		t.Fatalf("%d refused requests were applied", n)
	}
}

// parallelWalks reads every page n times at once through c and checks each
// read against the mock's records.
func parallelWalks(t *testing.T, m *mockserver.Server, c *ccc.Client, n int) {
	t.Helper()
	want := mockSessionIDs(m.TelCdrs())
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			recs, err := c.DescribeAllTelCdrs(context.Background(), monthQuery(), 0)
			if err != nil {
				t.Error(err)
				return
			}
			if !slices.Equal(sessionIDs(recs), want) {
				t.Errorf("read %d records, want %d", len(recs), len(want))
			}
		})
	}
	wg.Wait()
}

// TestMockFaultsAndSharedLimit: injected throttling and internal errors are
// retried to success, and parallel walks through one client never trip the
// mock's own 20/s limit.
func TestMockFaultsAndSharedLimit(t *testing.T) {
	t.Parallel()
	m, url := startMock(t, mockserver.Options{CCCRecords: 500, Seed: 12, RateLimit: true})
	c := client(t, url)
	m.SetFaults(mockserver.Faults{Rate: 0.3, Kinds: []mockserver.FaultKind{mockserver.FaultInternal, mockserver.FaultRateLimit, mockserver.FaultHTTP502}})
	// 6 walks of 5 pages, plus retries: well over the 20 requests the mock's
	// bucket holds, so an unshared or missing limiter trips it.
	parallelWalks(t, m, c, 6)
	st := m.Stats()
	if st.Faulted == 0 || st.RateLimited != 0 {
		t.Fatalf("stats %+v: want some faults and no request over the mock's own limit", st)
	}
}

// TestMockStrictRateLimitFallsBackToSpacing: against a mock that allows no
// burst, a burst is partly refused and the client then spaces its requests;
// after a quiet second it bursts again (the stated limit is per second), so a
// walk longer than a second may see another burst partly refused (and then
// stays spaced twice as long). Parallel
// walks finish with no error and a handful of refusals.
func TestMockStrictRateLimitFallsBackToSpacing(t *testing.T) {
	t.Parallel()
	m, url := startMock(t, mockserver.Options{CCCRecords: 500, Seed: 13, RateLimitStrict: true})
	c := client(t, url)
	parallelWalks(t, m, c, 3)
	st := m.Stats()
	t.Logf("%d rate-limit answers of %v", st.RateLimited, st.Requests)
	if st.RateLimited == 0 || st.RateLimited > 10 {
		t.Errorf("%d rate-limit answers: want a few, a part of each burst", st.RateLimited)
	}
}
