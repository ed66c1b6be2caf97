package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSample(t *testing.T) {
	s := sample{3 * time.Second, time.Second, 2 * time.Second, 4 * time.Second}
	if s.min() != time.Second || s.max() != 4*time.Second || s.median() != 2500*time.Millisecond {
		t.Fatalf("min %v median %v max %v", s.min(), s.median(), s.max())
	}
	if s[0] != 3*time.Second {
		t.Fatal("median sorted the sample in place")
	}
	if got := (sample{5 * time.Millisecond}).median(); got != 5*time.Millisecond {
		t.Fatalf("median of one: %v", got)
	}
	if got := (sample{}).spread(); got != "no runs" {
		t.Fatalf("spread of none: %q", got)
	}
}

func TestPairedRatios(t *testing.T) {
	a := sample{110 * time.Millisecond, 300 * time.Millisecond, 90 * time.Millisecond}
	b := sample{100 * time.Millisecond, 200 * time.Millisecond, 100 * time.Millisecond, time.Second}
	r := pairedRatios(a, b)
	if len(r) != 3 || math.Abs(medianFloat(r)-1.1) > 1e-9 {
		t.Fatalf("ratios %v, median %v", r, medianFloat(r))
	}
	if medianFloat([]float64{1, 2}) != 1.5 || medianFloat(nil) != 0 {
		t.Fatal("medianFloat")
	}
}

func TestSecs(t *testing.T) {
	for d, want := range map[time.Duration]string{
		1234 * time.Millisecond:  "1.234 s",
		12345 * time.Microsecond: "12.3 ms",
		250 * time.Microsecond:   "250 µs",
	} {
		if got := secs(d); got != want {
			t.Errorf("secs(%v) = %q, want %q", d, got, want)
		}
	}
}

// A provider log as Terraform writes it with TF_LOG_PROVIDER=trace (lines
// shortened): two reads, one rate-limited answer retried.
const providerLog = `2026-11-22T03:02:41.534Z [TRACE] provider.terraform-provider-tencentcallkit: Received request: tf_req_id=a tf_rpc=ReadDataSource @module=sdk.proto timestamp=2026-11-22T03:02:41.534Z
2026-11-22T03:02:41.540Z [TRACE] provider.terraform-provider-tencentcallkit: Received request: tf_req_id=b tf_rpc=ReadDataSource @module=sdk.proto timestamp=2026-11-22T03:02:41.539Z
2026-11-22T03:02:41.541Z [DEBUG] provider.terraform-provider-tencentcallkit: CallKit API request: error_code=70005 tf_rpc=ReadDataSource attempt=1 timestamp=2026-11-22T03:02:41.541Z
2026-11-22T03:02:41.600Z [DEBUG] provider.terraform-provider-tencentcallkit: CallKit API request: error_code=0 tf_rpc=ReadDataSource attempt=2 timestamp=2026-11-22T03:02:41.600Z
2026-11-22T03:02:41.610Z [DEBUG] provider.terraform-provider-tencentcallkit: CallKit API request: error_code=0 tf_rpc=ReadDataSource attempt=1 timestamp=2026-11-22T03:02:41.610Z
2026-11-22T03:02:41.700Z [TRACE] provider.terraform-provider-tencentcallkit: Received downstream response: tf_rpc=ReadDataSource tf_req_duration_ms=160 timestamp=2026-11-22T03:02:41.700Z
2026-11-22T03:02:41.701Z [TRACE] provider.terraform-provider-tencentcallkit: Served request: tf_rpc=ReadDataSource tf_req_id=a timestamp=2026-11-22T03:02:41.700Z
2026-11-22T03:02:42.050Z [TRACE] provider.terraform-provider-tencentcallkit: Served request: tf_rpc=ReadDataSource tf_req_id=b timestamp=2026-11-22T03:02:42.034Z
2026-11-22T03:02:42.060Z [TRACE] provider.terraform-provider-tencentcallkit: Served request: tf_rpc=ValidateResourceConfig timestamp=2026-11-22T03:02:43.000Z
`

func TestParseProviderLog(t *testing.T) {
	s, err := parseProviderLog(strings.NewReader(providerLog))
	if err != nil {
		t.Fatal(err)
	}
	if s.reads != 2 || s.span != 500*time.Millisecond || s.requests != 3 || s.limited != 1 {
		t.Fatalf("%+v", s)
	}
	if _, err := parseProviderLog(strings.NewReader("2026-11-22T03:02:41.534Z [TRACE] nothing\n")); err == nil {
		t.Fatal("a log without reads parsed")
	}
	bad := strings.Replace(providerLog, "timestamp=2026-11-22T03:02:41.534Z", "", 2)
	if _, err := parseProviderLog(strings.NewReader(bad)); err == nil {
		t.Fatal("a read line without its timestamp parsed")
	}
}

func TestBenchMetric(t *testing.T) {
	out := `goos: linux
BenchmarkFilterQuery1M-2   	    8839	    475416 ns/op	         6.807 build-s	       174.7 heap-MB	    214213 max-µs	       100.1 p50-µs	      7829 p99-µs	  151257 B/op	     369 allocs/op
BenchmarkFilterQuery1MX-2   	    1	    1 ns/op	         1 p99-µs
`
	if v, ok := benchMetric(out, "BenchmarkFilterQuery1M", "p99-µs"); !ok || v != 7829 {
		t.Fatalf("p99 %v %v", v, ok)
	}
	if _, ok := benchMetric(out, "BenchmarkFilterQuery1M", "p95-µs"); ok {
		t.Fatal("found a metric that is not there")
	}
}

func TestHCL(t *testing.T) {
	hcl := lookupsHCL([]string{"a", "b", "c"})
	if n := strings.Count(hcl, `data "tencentcallkit_call_record"`); n != 3 {
		t.Fatalf("%d lookups in\n%s", n, hcl)
	}
	if !strings.Contains(workspaceHCL(`x"y`), `call_id = "x\"y"`) {
		t.Fatal("call ID not quoted")
	}
	if !strings.Contains(pagingHCL(10, 20), "start_timestamp = 10") {
		t.Fatal(pagingHCL(10, 20))
	}
	rc := filepath.Join(t.TempDir(), "rc")
	if err := cliConfig(rc, "tencentcallkit/tencentcallkit", "/tmp/with space"); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(rc)
	if err != nil || !strings.Contains(string(raw), `"tencentcallkit/tencentcallkit" = "/tmp/with space"`) {
		t.Fatalf("%s %v", raw, err)
	}
}

func TestRunnerEnvDropsCallerSettings(t *testing.T) {
	t.Setenv("TF_CLI_CONFIG_FILE", "/nonexistent")
	t.Setenv("TF_LOG", "trace")
	t.Setenv("TENCENTCALLKIT_SECRET_KEY", "the caller's")
	r := tfRunner{}
	r.backend.Key = "bench"
	env := strings.Join(r.env("/rc", ""), "\n")
	for _, bad := range []string{"/nonexistent", "TF_LOG=trace", "the caller's", "TF_LOG_PATH"} {
		if strings.Contains(env, bad) {
			t.Errorf("environment keeps %q", bad)
		}
	}
	for _, good := range []string{"TF_CLI_CONFIG_FILE=/rc", "CHECKPOINT_DISABLE=1", "TENCENTCALLKIT_SECRET_KEY=bench"} {
		if !strings.Contains(env, good) {
			t.Errorf("environment lacks %q", good)
		}
	}
	if env := strings.Join(r.env("/rc", "/log"), "\n"); !strings.Contains(env, "TF_LOG_PATH=/log") || !strings.Contains(env, "TF_LOG_PROVIDER=trace") {
		t.Errorf("no provider log settings in\n%s", env)
	}
}

func TestRowsVerdicts(t *testing.T) {
	res := &results{records: 20000, lookups: 40,
		providerPaging: sample{1100 * time.Millisecond}, clientPaging: sample{1300 * time.Millisecond},
		startReal: sample{120 * time.Millisecond}, startNoop: sample{100 * time.Millisecond},
		binaryBytes: 19e6, surfaced: 1}
	got := map[string]string{}
	for _, r := range res.rows() {
		got[strings.SplitN(r.scenario, ":", 2)[0]+" "+r.ratio] = r.verdict
	}
	for key, want := range map[string]string{
		"Paging 20000 records (200 pages of 100) at 200/s 1.10×": ok,
		"Paging 1.30×": miss,
		"Plugin start 1.20× (of medians: 1.20×)":                                      miss,
		"Provider binary (CGO_ENABLED=0, -trimpath, -ldflags \"-s -w\") 0.63× target": ok,
		"70005 surfaced to Terraform (every terraform run) –":                         miss,
	} {
		if got[key] != want {
			t.Errorf("%s: %q, want %q (rows: %v)", key, got[key], want, got)
		}
	}
	if n := res.misses(); n != 3 {
		t.Errorf("%d misses, want 3", n)
	}
	if md := res.markdown(); !strings.Contains(md, "| Scenario |") {
		t.Error(md)
	}
}
