package scenario

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/provider"
)

// The provider-side figures of `make bench`, each against the rate-limited
// mock on loopback, in both modes where pacing matters (mock=default: the
// documented N per second; mock=strict: nothing closer than 1/N). They
// report time per operation and custom metrics; the targets are compared by
// the harness (bench/cmd/bench), never asserted here.

const pagingRecords = 20_000

// BenchmarkListAllRecords20k is the client's part of an all-pages read of 200
// pages of 100: the callkit.ListAllRecords call the data source makes,
// configured as the provider configures it by default. Floor: 200 requests
// within the first one-second window, 0 s of waiting.
func BenchmarkListAllRecords20k(b *testing.B) {
	forModes(b, benchmarkListAllRecords20k)
}

func benchmarkListAllRecords20k(b *testing.B, mode MockMode) {
	m := startTestMock(b, pagingRecords, mode)
	c, err := callkit.New(callkit.Config{SDKAppID: m.backend.SDKAppID, SecretKey: m.backend.Key, Endpoint: m.backend.URL, MaxRetries: callkit.DefaultMaxRetries})
	if err != nil {
		b.Fatal(err)
	}
	start, end := m.window()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		recs, err := c.ListAllRecords(ctx, callkit.V1, callkit.RecordFilter{StartTimestamp: start, EndTimestamp: end}, 0)
		if err != nil {
			b.Fatal(err)
		}
		if len(recs) != pagingRecords {
			b.Fatalf("read %d records, want %d", len(recs), pagingRecords)
		}
	}
	b.ReportMetric(float64(m.Stats().RateLimited), "70005-answered")
	b.ReportMetric(float64(m.peakPerSecond()), "peak-req/s")
}

// BenchmarkReadCallRecords20k is the same read through the data source:
// ReadDataSource of tencentcallkit_call_records, i.e. the client's read plus
// turning 20,000 records into Terraform state. rpc-ms/op is the call alone;
// ns/op also counts decoding the answer to check it.
func BenchmarkReadCallRecords20k(b *testing.B) {
	m := startTestMock(b, pagingRecords, ModeDefault)
	p := configured(b, m.backend)
	start, end := m.window()
	ctx := context.Background()
	b.ReportAllocs()
	var rpc time.Duration
	for b.Loop() {
		took, n, err := p.ReadCallRecords(ctx, start, end)
		if err != nil {
			b.Fatal(err)
		}
		if n != pagingRecords {
			b.Fatalf("read %d records, want %d", n, pagingRecords)
		}
		rpc += took
	}
	b.ReportMetric(float64(rpc.Milliseconds())/float64(b.N), "rpc-ms/op")
	b.ReportMetric(float64(m.Stats().RateLimited), "70005-answered")
}

// BenchmarkCallRecordLookups40 is 40 tencentcallkit_call_record reads, ten at
// a time as Terraform's default -parallelism runs them. Floor: 40 requests
// at 20 in any one second, 1.0 s.
func BenchmarkCallRecordLookups40(b *testing.B) {
	forModes(b, benchmarkCallRecordLookups40)
}

func benchmarkCallRecordLookups40(b *testing.B, mode MockMode) {
	m := startTestMock(b, 1000, mode)
	p := configured(b, m.backend)
	ids := m.callIDs(b, 40)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.ReadCallRecordsParallel(ctx, ids, 10); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(m.Stats().RateLimited), "70005-answered")
	b.ReportMetric(float64(m.peakPerSecond()), "peak-req/s")
}

// BenchmarkGetProviderSchema is what a freshly started plugin answers first:
// a new provider server each time, so nothing is cached.
func BenchmarkGetProviderSchema(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		srv, err := provider.NewProtocol6Server("bench")()
		if err != nil {
			b.Fatal(err)
		}
		resp, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
		if err != nil {
			b.Fatal(err)
		}
		if err := diagError(resp.Diagnostics); err != nil {
			b.Fatal(err)
		}
	}
}

func configured(tb testing.TB, be Backend) *Provider {
	tb.Helper()
	p, err := NewProvider(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.Configure(context.Background(), be); err != nil {
		tb.Fatal(err)
	}
	return p
}

// forModes runs a benchmark against the default and the strict mock.
func forModes(b *testing.B, fn func(*testing.B, MockMode)) {
	for _, mode := range []MockMode{ModeDefault, ModeStrict} {
		b.Run("mock="+string(mode), func(b *testing.B) { fn(b, mode) })
	}
}
