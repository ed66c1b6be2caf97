package mockserver

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

const million = 1_000_000

var (
	bigOnce   sync.Once
	bigServer *Server
	bigHeapMB float64
	bigBuild  time.Duration
)

// bigMock is one mock holding a million generated records, shared by the
// benchmarks (generation takes a moment; queries only read).
func bigMock() *Server {
	bigOnce.Do(func() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		begin := time.Now()
		bigServer = New(Options{Key: testKey, Clock: func() time.Time { return fixedNow }, Seed: 42, Records: million})
		bigBuild = time.Since(begin)
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		bigHeapMB = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	})
	return bigServer
}

type filterQuery struct {
	path, body string
}

func makeQueries(n int) []filterQuery {
	rng := rand.New(rand.NewPCG(1, 2))
	now := fixedNow.Unix()
	week := int64(retention / time.Second)
	out := make([]filterQuery, n)
	for i := range out {
		start := now - week + rng.Int64N(week)
		end := start + rng.Int64N(week)
		switch i % 4 {
		case 0: // the widest query: a whole week, no filter, a deep page
			out[i] = filterQuery{"v1/records/get_records_by_filter", fmt.Sprintf(`{"startTimestamp":%d,"endTimestamp":%d,"page":%d}`, now-week, now, 1+rng.IntN(9000))}
		case 1:
			out[i] = filterQuery{"v1/records/get_records_by_filter", fmt.Sprintf(`{"startTimestamp":%d,"endTimestamp":%d,"callType":"single","callResult":"%s","numberPerPage":%d,"page":%d}`,
				start, end, callResults[rng.IntN(len(callResults))], 1+rng.IntN(100), 1+rng.IntN(20))}
		case 2:
			out[i] = filterQuery{"v1/records/get_records_by_filter", fmt.Sprintf(`{"startTimestamp":%d,"callType":"group"}`, start)}
		default:
			out[i] = filterQuery{"v4/call_record_http_srv/get_record_by_filter", fmt.Sprintf(`{"StartTime":%d,"EndTime":%d,"CallResult":"NormalEnd","NumberPerPage":100,"Page":%d}`, start, end, 1+rng.IntN(50))}
		}
	}
	return out
}

// serveQuery runs one query through the whole handler (auth, parsing, store,
// encoding) and returns how long the handler took.
func serveQuery(tb testing.TB, s *Server, target string, q filterQuery) time.Duration {
	req := httptest.NewRequest(http.MethodPost, "/"+q.path+target, bytes.NewBufferString(q.body))
	w := httptest.NewRecorder()
	begin := time.Now()
	s.ServeHTTP(w, req)
	took := time.Since(begin)
	// A cheap look at the envelope's head: decoding every answer would cost
	// more than the handler.
	head := w.Body.Bytes()[:min(w.Body.Len(), 40)]
	for _, ok := range []string{`{"errorCode":0,`, `{"ActionStatus":"OK",`, `{"errorCode":70011,`, `"ErrorCode":101050,`} {
		if bytes.Contains(head, []byte(ok)) {
			return took
		}
	}
	tb.Fatalf("%s %s: %.200s", q.path, q.body, w.Body.String())
	return took
}

func signedTarget(tb testing.TB) string {
	sig, err := signSig(DefaultSDKAppID, testKey, DefaultIdentifier, 86400)
	if err != nil {
		tb.Fatal(err)
	}
	c := &client{app: DefaultSDKAppID, user: DefaultIdentifier, sig: sig}
	return "?" + c.query().Encode()
}

// The mock at scale: a million records, queried through the whole handler
// (auth, parsing, store, encoding). These are benchmarks, not tests: latency
// figures on a shared machine belong in `make bench` (bench/results.md, target
// p99 <= 5 ms), not in assertions that fail when someone else is busy.

// BenchmarkFilterQuery1M serves filter queries (v1 and v4, wide and narrow,
// deep pages) over 1,000,000 records and reports the latency distribution of
// the whole request as custom metrics.
func BenchmarkFilterQuery1M(b *testing.B) {
	if raceEnabled {
		b.Skip("timings under the race detector say nothing about the mock")
	}
	s := bigMock()
	if n := len(s.store.idx[filterKey{anyCode, anyCode}]); n != million {
		b.Fatalf("%d records indexed, want %d", n, million)
	}
	target := signedTarget(b)
	qs := makeQueries(4096)
	for _, q := range qs[:50] { // warm up
		serveQuery(b, s, target, q)
	}
	lat := make([]time.Duration, 0, 1<<16)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		lat = append(lat, serveQuery(b, s, target, qs[i%len(qs)]))
	}
	b.StopTimer()
	reportLatency(b, lat)
	b.ReportMetric(bigHeapMB, "heap-MB")
	b.ReportMetric(bigBuild.Seconds(), "build-s")
}

// BenchmarkStoreFind1M is the store's own query over 1,000,000 records: the
// part that must not grow with the data (a time index, no full scans).
func BenchmarkStoreFind1M(b *testing.B) {
	if raceEnabled {
		b.Skip("timings under the race detector say nothing about the mock")
	}
	s := bigMock()
	rng := rand.New(rand.NewPCG(3, 4))
	week := int64(retention / time.Second)
	qs := make([]query, 4096)
	for i := range qs {
		start := fixedNow.Unix() - week + rng.Int64N(week)
		qs[i] = query{start: start, end: start + rng.Int64N(week), offset: rng.IntN(5000) * 100, limit: 100}
		if rng.IntN(2) == 0 {
			qs[i].callType, qs[i].result = "single", callResults[rng.IntN(len(callResults))]
		}
	}
	lat := make([]time.Duration, 0, 1<<16)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		begin := time.Now()
		s.store.find(qs[i%len(qs)])
		lat = append(lat, time.Since(begin))
	}
	b.StopTimer()
	reportLatency(b, lat)
}

// reportLatency reports the median, 99th percentile and worst of lat in µs.
func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	b.ReportMetric(us(lat[len(lat)/2]), "p50-µs")
	b.ReportMetric(us(lat[len(lat)*99/100]), "p99-µs")
	b.ReportMetric(us(lat[len(lat)-1]), "max-µs")
}
