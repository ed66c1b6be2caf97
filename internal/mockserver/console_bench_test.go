package mockserver

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"syscall"
	"testing"
	"time"
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
	s := bigMock()
	recs := s.store.all()
	mid := recs[len(recs)/2].CallID
	week := fixedNow.Add(-6 * 24 * time.Hour).Format(consoleDateLayout)
	// Deliveries and API requests to show, as after a busy session.
	for i := range consoleDeliveryRows * 5 {
		s.logDelivery(Delivery{Time: fixedNow, API: "v1", URL: "http://127.0.0.1:9/cb", Command: "normal_end", CallID: mid, Attempt: 1 + i%7, Status: 200, OK: true})
	}
	for range maxRequestLog {
		req := httptest.NewRequest(http.MethodPost, "/v1/callback/get?usersig=x", nil)
		s.ServeHTTP(httptest.NewRecorder(), req)
	}
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
