package main

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/bench/internal/scenario"
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
		0:                        "0 s",
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

func TestWindowFloor(t *testing.T) {
	for _, c := range []struct {
		n, rate int
		want    time.Duration
	}{{40, 20, time.Second}, {20, 20, 0}, {21, 20, time.Second}, {200, 200, 0}, {201, 200, time.Second}, {0, 20, 0}} {
		if got := windowFloor(c.n, c.rate); got != c.want {
			t.Errorf("windowFloor(%d, %d) = %v, want %v", c.n, c.rate, got, c.want)
		}
	}
	res := &results{records: 20000, lookups: 40}
	if f, tg := res.lookupsTarget(); f != time.Second || tg != 1250*time.Millisecond {
		t.Errorf("lookups floor %v target %v, want 1 s and 1.25 s", f, tg)
	}
	if f, tg := res.pagingTarget(&modeResult{}); f != 0 || tg != 600*time.Millisecond {
		t.Errorf("paging floor %v target %v, want 0 and 0.6 s", f, tg)
	}
	// The walk's own request count sets the floor when it passes the pages:
	// 6 reads of 209 requests each is 1 s of waiting at 200/s.
	walked := &modeResult{runs: map[string]int{"client-paging": 6}, lists: map[string]int{"client-paging": 6 * 209}}
	if f, tg := res.pagingTarget(walked); f != time.Second || tg != 1600*time.Millisecond {
		t.Errorf("paging floor %v target %v for 209 requests a read, want 1 s and 1.6 s", f, tg)
	}
	if n := walked.listsPerRead(); n != 209 {
		t.Errorf("listsPerRead %d, want 209", n)
	}
}

// rowsByScenario keys each row by its scenario's text before the first ":"
// and its ratio.
func rowsByScenario(res *results) map[string]row {
	got := map[string]row{}
	for _, r := range res.rows() {
		got[strings.SplitN(r.scenario, ":", 2)[0]+" "+r.ratio] = r
	}
	return got
}

func TestRowsVerdicts(t *testing.T) {
	def := &modeResult{mode: scenario.ModeDefault, ran: []string{"provider-paging", "client-paging", "lookups"},
		limited:        map[string]int{"lookups": 1},
		providerPaging: sample{590 * time.Millisecond}, clientPaging: sample{610 * time.Millisecond},
		lookupsSpan: sample{1300 * time.Millisecond}, surfaced: 1}
	res := &results{records: 20000, lookups: 40, binaryBytes: 19e6, modes: []*modeResult{def}}
	got := rowsByScenario(res)
	for key, want := range map[string]string{
		"[default mock] Paging 20000 records (200 pages of 100) at 200/s 0.98× target":    ok,
		"[default mock] Paging 1.02× target":                                              miss,
		"[default mock] Lookups 1.04× target":                                             miss,
		"[default mock] Rate-limit answers (70005/60011) from the mock, every scenario –": miss,
		"[default mock] Rate-limit errors surfaced to Terraform (every terraform run) –":  miss,
		"Provider binary (CGO_ENABLED=0, -trimpath, -ldflags \"-s -w\") 0.63× target":     ok,
	} {
		if got[key].verdict != want {
			t.Errorf("%s: %q, want %q (rows: %v)", key, got[key].verdict, want, got)
		}
	}
	if n := res.misses(); n != 4 {
		t.Errorf("%d misses, want 4", n)
	}
	if md := res.markdown(); !strings.Contains(md, "| Scenario |") || !strings.Contains(md, "Peer: not given") {
		t.Error(md)
	}
}

func TestStrictModeRows(t *testing.T) {
	strict := &modeResult{mode: scenario.ModeStrict, ran: []string{"provider-lookups", "lookups", "paging"},
		limited:         map[string]int{"provider-lookups": 54, "lookups": 66, "paging": 3},
		runs:            map[string]int{"provider-lookups": 6, "lookups": 6, "paging": 6},
		errs:            map[string]error{"paging": errors.New("terraform plan: rate limited\nmore")},
		providerLookups: sample{3 * time.Second}}
	res := &results{records: 20000, lookups: 40, modes: []*modeResult{strict}}
	got := rowsByScenario(res)
	for key, want := range map[string]string{
		// Slow is allowed against the strict mock: only failing is not.
		"[strict mock] Lookups –":                    info,
		"[strict mock] provider-lookups 9.0 per run": ok,
		"[strict mock] lookups 11.0 per run":         miss,
		"[strict mock] paging 0.5 per run":           miss,
	} {
		if got[key].verdict != want {
			t.Errorf("%s: %q, want %q (rows: %v)", key, got[key].verdict, want, got)
		}
	}
	if r := got["[strict mock] paging 0.5 per run"]; r.figure != "FAILED: terraform plan: rate limited" {
		t.Errorf("failed scenario's figure %q", r.figure)
	}
	if r := got["[strict mock] provider-lookups 9.0 per run"]; r.figure != "completed, no error" {
		t.Errorf("completed scenario's figure %q", r.figure)
	}
}

func TestPhaseRows(t *testing.T) {
	ms := func() scenario.MockStats {
		return scenario.MockStats{Requests: map[string]int{"v1/callback/get": 4, "v1/callback/set": 2}, Applied: map[string]int{"v1/callback/get": 2, "v1/callback/set": 2}}
	}
	res := &results{warmups: 1, phases: map[string]*phaseResult{
		// Apply: the pairs' ratios are 1.10, 1.20, 1.05: median 1.10 ≤ 1.12.
		phaseApply: {runs: 2, samples: map[string]sample{
			keyNoop: {100 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond},
			keyReal: {110 * time.Millisecond, 120 * time.Millisecond, 210 * time.Millisecond},
			keyPeer: {130 * time.Millisecond, 130 * time.Millisecond, 260 * time.Millisecond},
		}, requests: map[string]scenario.MockStats{keyReal: ms(), keyPeer: ms()}},
		// Plan: 1.06 > 1.05.
		phasePlan: {runs: 1, samples: map[string]sample{keyNoop: {100 * time.Millisecond}, keyReal: {106 * time.Millisecond}},
			requests: map[string]scenario.MockStats{keyReal: ms()}},
	}, peer: &peerInfo{source: peerSource}}
	got := rowsByScenario(res)
	apply := got["`terraform apply` (create from empty state), the issue's workspace 1.10× (of medians: 1.20×)"]
	if apply.verdict != ok || apply.target != "≤ 1.12×" || apply.figure != "120.0 ms" {
		t.Errorf("apply row %+v (rows %v)", apply, got)
	}
	if plan := got["`terraform plan` (no changes, state in place), the issue's workspace 1.06× (of medians: 1.06×)"]; plan.verdict != miss || plan.target != "≤ 1.05×" {
		t.Errorf("plan row %+v (rows %v)", plan, got)
	}
	peer := got["`terraform apply` (create from empty state) 1.30× (of medians: 1.30×); tencentcallkit ÷ restapi 0.85×"]
	if peer.verdict != info || peer.figure != "130.0 ms" {
		t.Errorf("peer row %+v (rows %v)", peer, got)
	}
	reqs := got["`terraform apply` (create from empty state) –"]
	if want := "tencentcallkit: v1/callback/get 2, v1/callback/set 1 (1 answered with an error code); restapi: v1/callback/get 2, v1/callback/set 1 (1 answered with an error code)"; reqs.figure != want {
		t.Errorf("requests row %q, want %q", reqs.figure, want)
	}
	side := res.sideBySide()
	for _, want := range []string{"| apply (create from empty state) | 100.0 ms | 130.0 ms (1.30×) | 120.0 ms (1.10×) | ≤ 1.12× |",
		"| plan (no-op) | 100.0 ms | peer: not given | 106.0 ms (1.06×) | ≤ 1.05× |"} {
		if !strings.Contains(side, want) {
			t.Errorf("side-by-side table lacks %q:\n%s", want, side)
		}
	}
	if n := res.misses(); n != 1 {
		t.Errorf("%d misses, want 1", n)
	}
	res.peer = nil
	if got := rowsByScenario(res)["Peer provider (-peer) –"]; got.figure != "peer: not given" {
		t.Errorf("no peer: %+v", got)
	}
}

func TestPeerHCL(t *testing.T) {
	hcl := peerHCL("http://127.0.0.1:1", "sdkappid=1&usersig=a%2Ab", 10, 20, "call-1")
	for _, want := range []string{`source = "mastercard/restapi"`, `uri            = "http://127.0.0.1:1"`,
		`query_string              = "sdkappid=1&usersig=a%2Ab"`, `startTimestamp = 10, endTimestamp = 20`,
		`search_value            = "call-1"`, `resource "restapi_object" "main"`, `data "restapi_object" "one"`} {
		if !strings.Contains(hcl, want) {
			t.Errorf("peer workspace lacks %q:\n%s", want, hcl)
		}
	}
}

func TestParseModes(t *testing.T) {
	if m, err := parseModes("default, strict,default"); err != nil || len(m) != 2 || m[0] != scenario.ModeDefault || m[1] != scenario.ModeStrict {
		t.Errorf("%v %v", m, err)
	}
	for _, bad := range []string{"", "loose", " , "} {
		if _, err := parseModes(bad); err == nil {
			t.Errorf("-modes %q accepted", bad)
		}
	}
}

func TestRunnerExitStatus(t *testing.T) {
	dir := t.TempDir()
	tf := filepath.Join(dir, "terraform")
	if err := os.WriteFile(tf, []byte("#!/bin/sh\necho \"$@\"\nexit 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := tfRunner{terraform: tf, timeout: 10 * time.Second}
	if _, err := r.run(context.Background(), dir, "/rc", "", nil, "plan"); err == nil {
		t.Error("exit status 2 passed without being allowed")
	}
	run, err := r.run(context.Background(), dir, "/rc", "", []int{2}, "plan", "-detailed-exitcode")
	if err != nil || run.exit != 2 || !strings.Contains(run.output, "plan -detailed-exitcode") {
		t.Errorf("%+v %v", run, err)
	}
}

func TestSetupPeer(t *testing.T) {
	dir := t.TempDir()
	newBench := func(peer string) *bench {
		return &bench{opts: options{peer: peer}, work: t.TempDir(), res: &results{}}
	}
	other := filepath.Join(dir, "terraform-provider-null")
	if err := os.WriteFile(other, []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := newBench(other).setupPeer(); err == nil || !strings.Contains(err.Error(), "mastercard/restapi only") {
		t.Errorf("a null provider as the peer: %v", err)
	}
	if err := newBench(filepath.Join(dir, "terraform-provider-restapi")).setupPeer(); err == nil {
		t.Error("a missing peer binary was accepted")
	}
	peer := filepath.Join(dir, "terraform-provider-restapi_v3.0.0")
	if err := os.WriteFile(peer, []byte("peer"), 0o755); err != nil {
		t.Fatal(err)
	}
	b := newBench(peer)
	if err := b.setupPeer(); err != nil {
		t.Fatal(err)
	}
	// dev_overrides looks for terraform-provider-<type> in the directory.
	raw, err := os.ReadFile(filepath.Join(b.peerDir, "terraform-provider-restapi"))
	if err != nil || string(raw) != "peer" {
		t.Fatalf("copied peer %q %v", raw, err)
	}
	if p := b.res.peer; p == nil || p.bytes != 4 || p.sha256 != "2ffc1d06387ef8bb7a34312b6c6c3f691550684508c3ce7ee3889375a18d6fa0" || p.source != peerSource || p.version != "v3.0.0" {
		t.Fatalf("%+v", p)
	}
	// results.md names the peer by version and checksum, not by where it
	// was on the machine that ran the bench.
	b.res.env.date, b.res.env.commit = "now", "abc"
	md := b.res.markdown()
	if !strings.Contains(md, "- Peer: mastercard/restapi v3.0.0 (4 bytes, sha256 2ffc1d06387ef8bb7a34312b6c6c3f691550684508c3ce7ee3889375a18d6fa0), given with -peer") ||
		strings.Contains(md, dir) {
		t.Errorf("the results' peer line names the binary's path or lacks its version:\n%s", md)
	}
}

// TestPeerVersion: a Go binary's module version (this test binary has one
// only when built from a module version), else the file name's, else unknown.
func TestPeerVersion(t *testing.T) {
	dir := t.TempDir()
	for name, want := range map[string]string{
		"terraform-provider-restapi_v1.20.0":    "v1.20.0",
		"terraform-provider-restapi_v3.0.0-rc1": "v3.0.0-rc1",
		"terraform-provider-restapi":            "version unknown",
	} {
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, []byte("not a Go binary"), 0o755); err != nil {
			t.Fatal(err)
		}
		if got := peerVersion(file); got != want {
			t.Errorf("peerVersion(%s) = %q, want %q", name, got, want)
		}
	}
}

// Each mock-mode run starts once the last one's requests have left the
// one-second window, so its first second is its own.
func TestSettle(t *testing.T) {
	b := &bench{}
	begin := time.Now()
	if err := b.settle(context.Background()); err != nil || time.Since(begin) > 50*time.Millisecond {
		t.Fatalf("first run waited %v (%v)", time.Since(begin), err)
	}
	b.lastSent = time.Now().Add(-time.Second)
	begin = time.Now()
	if err := b.settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(begin); took < 80*time.Millisecond || took > 900*time.Millisecond {
		t.Fatalf("waited %v, want about 100 ms", took)
	}
	b.sent()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.settle(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
}
