package callkit_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// The pacing figures against the mock on loopback, in its default mode (a
// bucket of one second's allowance) and its strict one (burst 1). Each
// iteration gets a fresh mock and client, so no bucket or pacer carries over;
// ns/op is the wall time of the reads alone. Targets (issue 21): 40 lookups
// at 20/s ≤ 1.25 s, 20,000 records (200 pages at 200/s) ≤ 0.6 s.

// benchMock starts a mock with n records; stop ends it.
func benchMock(b *testing.B, n int, strict bool) (m *mockserver.Server, c *callkit.Client, stop func()) {
	b.Helper()
	m = mockserver.New(mockserver.Options{Records: n, Seed: 21, RateLimit: true, RateLimitStrict: strict})
	srv := httptest.NewServer(m)
	c, err := callkit.New(callkit.Config{SDKAppID: mockserver.DefaultSDKAppID, SecretKey: mockserver.DefaultKey, Endpoint: srv.URL, MaxRetries: callkit.DefaultMaxRetries})
	if err != nil {
		b.Fatal(err)
	}
	return m, c, func() { srv.Close(); m.Close() }
}

func modes(b *testing.B, run func(b *testing.B, strict bool)) {
	for _, strict := range []bool{false, true} {
		name := "default"
		if strict {
			name = "strict"
		}
		b.Run(name, func(b *testing.B) { run(b, strict) })
	}
}

// BenchmarkPacedLookups40 is 40 lookups by call ID, ten at a time as
// Terraform's default -parallelism reads 40 call_record data sources.
func BenchmarkPacedLookups40(b *testing.B) {
	modes(b, func(b *testing.B, strict bool) {
		limited := 0
		for range b.N {
			b.StopTimer()
			m, c, stop := benchMock(b, 100, strict)
			recs := m.Records()
			jobs := make(chan string)
			var wg sync.WaitGroup
			b.StartTimer()
			for range 10 {
				wg.Go(func() {
					for id := range jobs {
						if _, err := c.GetRecord(context.Background(), callkit.V1, id); err != nil {
							b.Error(err)
						}
					}
				})
			}
			for i := range 40 {
				jobs <- recs[i].CallID
			}
			close(jobs)
			wg.Wait()
			b.StopTimer()
			limited += m.Stats().RateLimited
			stop()
		}
		b.ReportMetric(float64(limited)/float64(b.N), "rate-limited/op")
	})
}

// BenchmarkPacedListAll20k is an all-pages read of 20,000 records: 200
// pages of 100 on the 200/s path.
func BenchmarkPacedListAll20k(b *testing.B) {
	modes(b, func(b *testing.B, strict bool) {
		limited := 0
		for range b.N {
			b.StopTimer()
			m, c, stop := benchMock(b, 20_000, strict)
			f := callkit.RecordFilter{StartTimestamp: m.Records()[0].StartCallTs}
			b.StartTimer()
			recs, err := c.ListAllRecords(context.Background(), callkit.V1, f)
			b.StopTimer()
			if err != nil || len(recs) != 20_000 {
				b.Fatalf("%d records, %v", len(recs), err)
			}
			limited += m.Stats().RateLimited
			stop()
		}
		b.ReportMetric(float64(limited)/float64(b.N), "rate-limited/op")
	})
}
