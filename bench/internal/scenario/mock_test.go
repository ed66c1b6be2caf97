package scenario

import (
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// testMock is the mock in-process on a loopback port (tests may import it;
// the bench harness runs the command instead), recording when each API
// request arrives.
type testMock struct {
	*mockserver.Server
	backend Backend
	created time.Time

	mu       sync.Mutex
	arrivals []time.Time
}

// noLimits is a mock without rate limits, for tests that check results only.
const noLimits MockMode = ""

func startTestMock(tb testing.TB, records int, mode MockMode) *testMock {
	tb.Helper()
	m := &testMock{created: time.Now()}
	m.Server = mockserver.New(mockserver.Options{Seed: 1, Records: records,
		RateLimit: mode != noLimits, RateLimitStrict: mode == ModeStrict})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: m, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() {
		m.Close()
		_ = srv.Close()
	})
	m.backend = Backend{URL: "http://" + ln.Addr().String(), SDKAppID: mockserver.DefaultSDKAppID, Key: mockserver.DefaultKey}
	return m
}

func (m *testMock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/_mock/") {
		now := time.Now()
		m.mu.Lock()
		m.arrivals = append(m.arrivals, now)
		m.mu.Unlock()
	}
	m.Server.ServeHTTP(w, r)
}

// window covers every generated record.
func (m *testMock) window() (start, end int64) {
	return m.created.Unix() - 7*24*3600, time.Now().Unix()
}

func (m *testMock) callIDs(tb testing.TB, n int) []string {
	tb.Helper()
	recs := m.Records()
	if len(recs) < n {
		tb.Fatalf("the mock holds %d records, %d wanted", len(recs), n)
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = recs[i].CallID
	}
	return ids
}

// peakPerSecond is the largest number of requests that arrived within any
// one-second window: what a server enforcing the limit without a burst sees.
func (m *testMock) peakPerSecond() int {
	m.mu.Lock()
	a := slices.Clone(m.arrivals)
	m.mu.Unlock()
	slices.SortFunc(a, func(x, y time.Time) int { return x.Compare(y) })
	peak, lo := 0, 0
	for hi := range a {
		for a[hi].Sub(a[lo]) >= time.Second {
			lo++
		}
		peak = max(peak, hi-lo+1)
	}
	return peak
}
