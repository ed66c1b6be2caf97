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
// latency test and the benchmark (generation takes a moment; queries only read).
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

func TestFilterQuery1MLatency(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("generates a million records and measures latency")
	}
	s := bigMock()
	if n := len(s.store.idx[filterKey{anyCode, anyCode}]); n != million {
		t.Fatalf("%d records indexed", n)
	}
	target := signedTarget(t)
	qs := makeQueries(2000)
	for _, q := range qs[:50] { // warm up
		serveQuery(t, s, target, q)
	}
	// The store's own query, the part that must not grow with the data.
	storeLat := make([]time.Duration, 0, len(qs))
	rng := rand.New(rand.NewPCG(3, 4))
	week := int64(retention / time.Second)
	for range len(qs) {
		start := fixedNow.Unix() - week + rng.Int64N(week)
		q := query{start: start, end: start + rng.Int64N(week), offset: rng.IntN(5000) * 100, limit: 100}
		if rng.IntN(2) == 0 {
			q.callType, q.result = "single", callResults[rng.IntN(len(callResults))]
		}
		begin := time.Now()
		s.store.find(q)
		storeLat = append(storeLat, time.Since(begin))
	}
	slices.Sort(storeLat)
	storeP99 := storeLat[len(storeLat)*99/100]

	// The whole request. The machine is shared, so a p99 spoiled by a burst
	// of someone else's work gets one more sample before it counts as a failure.
	var p50, p99, worst time.Duration
	for try := 0; try < 2; try++ {
		lat := make([]time.Duration, len(qs))
		for i, q := range qs {
			lat[i] = serveQuery(t, s, target, q)
		}
		slices.Sort(lat)
		p50, p99, worst = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
		if p99 <= 5*time.Millisecond {
			break
		}
	}
	t.Logf("1M records: built in %v, heap %.0f MB; store query p99 %v; whole request p50 %v, p99 %v, max %v",
		bigBuild, bigHeapMB, storeP99, p50, p99, worst)
	if storeP99 > time.Millisecond {
		t.Errorf("store query p99 %v over 1M records, want <= 1ms", storeP99)
	}
	if p99 > 5*time.Millisecond {
		t.Errorf("filter request p99 %v over 1M records, want <= 5ms", p99)
	}
	if bigHeapMB > 300 {
		t.Errorf("a million records take %.0f MB of heap", bigHeapMB)
	}
}

func BenchmarkFilterQuery1M(b *testing.B) {
	s := bigMock()
	target := signedTarget(b)
	qs := makeQueries(4096)
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		lat = append(lat, serveQuery(b, s, target, qs[i%len(qs)]))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(bigHeapMB, "heap-MB")
}
