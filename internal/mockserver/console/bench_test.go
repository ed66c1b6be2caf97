package console

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkConsolePages renders each console page against a million records
// (the budget: under 100 ms of server time per page). The widest windows read
// every record once: "30d" and a custom range cover all million.
func BenchmarkConsolePages(b *testing.B) {
	mock := mockserver.New(mockserver.Options{Key: testKey, Clock: func() time.Time { return fixedNow }, Seed: 42, Records: 1_000_000})
	b.Cleanup(mock.Close)
	recs := mock.Records()
	mid := recs[len(recs)/2].CallID
	week := fixedNow.Add(-6 * 24 * time.Hour).Format(consoleDateLayout)
	// Deliveries and API requests to show, as after a busy session: the
	// deliveries through the view, as the mock logs them, newest first.
	view := mock.ConsoleView()
	logged := make([]mockserver.Delivery, consoleDeliveryRows*5)
	for i := range logged {
		logged[i] = mockserver.Delivery{Time: fixedNow, API: "v1", URL: "http://127.0.0.1:9/cb", Command: "normal_end", CallID: mid, Attempt: 1 + i%7, Status: 200, OK: true}
	}
	view.Deliveries = func(limit int, keep func(*mockserver.Delivery) bool) ([]mockserver.Delivery, int) {
		var out []mockserver.Delivery
		for i := len(logged) - 1; i >= 0 && len(out) < limit; i-- {
			if keep == nil || keep(&logged[i]) {
				out = append(out, logged[i])
			}
		}
		return out, len(logged)
	}
	for range view.RequestLogSize {
		req := httptest.NewRequest(http.MethodPost, "/v1/callback/get?usersig=x", nil)
		mock.ServeHTTP(httptest.NewRecorder(), req)
	}
	s := New(view, mock)
	for _, path := range []string{
		"/",
		"/console/stats?range=today",
		"/console/stats?range=7d",
		"/console/stats?range=30d",
		"/console/stats?range=30d&type=single&chart=peak",
		"/console/stats?range=custom&type=group&from=" + week + "&to=" + fixedNow.Format(consoleDateLayout),
		"/console/records",
		"/console/records?page=19000",
		"/console/records?type=single&result=reject&page=50",
		"/console/records/" + url.PathEscape(mid),
		"/console/deliveries",
		"/console/deliveries.json",
		"/console/requests",
		"/console/simulate",
	} {
		b.Run(fmt.Sprintf("%q", path), func(b *testing.B) {
			cpu0 := cpuTime(b)
			for b.Loop() {
				w := httptest.NewRecorder()
				s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
				if w.Code != http.StatusOK {
					b.Fatalf("%s: HTTP %d", path, w.Code)
				}
			}
			// Server time is CPU time here: on a shared machine the wall
			// clock also counts the time other processes held the cores.
			cpu := (cpuTime(b) - cpu0) / time.Duration(b.N)
			b.ReportMetric(float64(cpu)/float64(time.Millisecond), "cpu-ms/op")
			if cpu > 100*time.Millisecond {
				b.Errorf("%s takes %v of CPU a page, over the 100 ms budget", path, cpu)
			}
		})
	}
}
