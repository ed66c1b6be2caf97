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

// eachMode runs read against a fresh mock of n records and a fresh client
// per iteration, in each mock mode, timing only read, and reports the mock's
// rate-limit answers per read.
func eachMode(b *testing.B, n int, read func(b *testing.B, m *mockserver.Server, c *callkit.Client)) {
	for _, strict := range []bool{false, true} {
		name := "default"
		if strict {
			name = "strict"
		}
		b.Run(name, func(b *testing.B) {
			limited := 0
			for range b.N {
				b.StopTimer()
				m := mockserver.New(mockserver.Options{Records: n, Seed: 21, RateLimit: true, RateLimitStrict: strict})
				srv := httptest.NewServer(m)
				c, err := callkit.New(callkit.Config{SDKAppID: mockserver.DefaultSDKAppID, SecretKey: mockserver.DefaultKey, Endpoint: srv.URL, MaxRetries: callkit.DefaultMaxRetries})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				read(b, m, c)
				b.StopTimer()
				limited += m.Stats().RateLimited
				srv.Close()
				m.Close()
			}
			b.ReportMetric(float64(limited)/float64(b.N), "rate-limited/op")
		})
	}
}

// BenchmarkPacedLookups40 is 40 lookups by call ID, ten at a time as
// Terraform's default -parallelism reads 40 call_record data sources.
func BenchmarkPacedLookups40(b *testing.B) {
	eachMode(b, 100, func(b *testing.B, m *mockserver.Server, c *callkit.Client) {
		b.StopTimer()
		recs := m.Records()
		b.StartTimer()
		jobs := make(chan string)
		var wg sync.WaitGroup
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
	})
}

// BenchmarkPacedListAll20k is an all-pages read of 20,000 records: 200
// pages of 100 on the 200/s path.
func BenchmarkPacedListAll20k(b *testing.B) {
	eachMode(b, 20_000, func(b *testing.B, m *mockserver.Server, c *callkit.Client) {
		b.StopTimer()
		f := callkit.RecordFilter{StartTimestamp: m.Records()[0].StartCallTs}
		b.StartTimer()
		recs, err := c.ListAllRecords(context.Background(), callkit.V1, f, 0)
		if err != nil || len(recs) != 20_000 {
			b.Fatalf("%d records, %v", len(recs), err)
		}
	})
}
