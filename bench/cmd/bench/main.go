// Command bench is `make bench`: it builds the provider as the release does,
// a no-I/O baseline provider (bench/noopprovider) and the mock backend, runs
// every performance scenario of the project against the mock on loopback,
// repeating each (min / median / max of at least -runs runs), prints a table
// of each figure against its floor and target, runs the Go micro-benchmarks
// and writes it all to bench/results.md.
//
// Terraform runs use the `terraform` on PATH (never downloaded) with a CLI
// configuration of their own (dev_overrides, no registry, no init),
// CHECKPOINT_DISABLE=1 and a clean environment. Every child process is
// bounded in time and stopped by its own process ID.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/bench/internal/scenario"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

type options struct {
	runs        int
	records     int
	lookups     int
	out         string
	terraform   string
	goBench     bool
	quietLoad   float64
	quietWait   time.Duration
	tfTimeout   time.Duration
	benchTime   time.Duration
	keep        bool
	parallelism int
	only        string
	strict      bool
}

func main() {
	var o options
	flag.IntVar(&o.runs, "runs", 5, "measured runs of each scenario (at least 5 for the results table), after one warm-up run")
	flag.IntVar(&o.records, "records", 20000, "records the mock holds and the paging scenario reads (100 a page)")
	flag.IntVar(&o.lookups, "lookups", 40, "tencentcallkit_call_record data sources in the lookups scenario")
	flag.StringVar(&o.out, "out", "bench/results.md", "where to write the results (empty: do not write)")
	flag.StringVar(&o.terraform, "terraform", "", "Terraform CLI to run (default: terraform on PATH; never downloaded)")
	flag.BoolVar(&o.goBench, "gobench", true, "also run the Go micro-benchmarks and append their output")
	flag.Float64Var(&o.quietLoad, "quiet-load", 2, "with -wait-quiet: the 1-minute load average to wait for")
	flag.DurationVar(&o.quietWait, "wait-quiet", 0, "wait up to this long for the load average to drop under -quiet-load before measuring (0: do not wait)")
	flag.DurationVar(&o.tfTimeout, "timeout", 5*time.Minute, "time limit of each terraform command")
	flag.DurationVar(&o.benchTime, "gobench-timeout", 30*time.Minute, "time limit of the Go micro-benchmarks")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory (binaries, configurations, provider logs)")
	flag.IntVar(&o.parallelism, "parallelism", 10, "reads at once in the in-process lookups scenario (Terraform's default -parallelism)")
	flag.BoolVar(&o.strict, "strict", false, "exit with status 2 when a figure misses its target (the table is written either way)")
	flag.StringVar(&o.only, "only", "", "run only these scenarios, comma-separated: "+strings.Join(scenarioNames, ", ")+" (the table then has only their rows)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		if errors.Is(err, errMissed) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	if o.runs < 1 || o.records < 100 || o.lookups < 1 {
		return errors.New("-runs must be at least 1, -records at least 100 and -lookups at least 1")
	}
	for _, name := range strings.Split(o.only, ",") {
		if name = strings.TrimSpace(name); name != "" && !slices.Contains(scenarioNames, name) {
			return fmt.Errorf("-only: unknown scenario %q (known: %s)", name, strings.Join(scenarioNames, ", "))
		}
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	if o.terraform == "" {
		if o.terraform, err = exec.LookPath("terraform"); err != nil {
			return errors.New("no terraform on PATH: install the Terraform CLI (>= 1.0); the bench never downloads one")
		}
	}
	work, err := os.MkdirTemp("", "tencentcallkit-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		logf("work directory %s (kept)", work)
	} else {
		defer os.RemoveAll(work)
	}

	b := &bench{opts: o, root: root, work: work, res: &results{runs: o.runs, records: o.records, lookups: o.lookups}}
	b.res.env, err = describeEnv(ctx, root, o.terraform)
	if err != nil {
		return err
	}
	if err := b.build(ctx); err != nil {
		return err
	}
	if o.quietWait > 0 {
		waitQuiet(ctx, o.quietLoad, o.quietWait)
	}
	b.res.loadBefore = loadAvg()
	if err := b.scenarios(ctx); err != nil {
		return err
	}
	b.res.loadAfter = loadAvg()
	if o.goBench {
		if err := b.goBenchmarks(ctx); err != nil {
			return err
		}
	}
	table := b.res.table()
	fmt.Println()
	fmt.Print(table)
	if o.out != "" {
		out := o.out
		if !filepath.IsAbs(out) {
			out = filepath.Join(root, out)
		}
		if err := os.WriteFile(out, []byte(b.res.markdown()), 0o644); err != nil {
			return err
		}
		logf("wrote %s", out)
	}
	if n := b.res.misses(); n > 0 {
		logf("%d figure(s) missed their target: see the table", n)
		if o.strict {
			return errMissed
		}
	}
	return nil
}

// errMissed ends a -strict run whose table has a miss.
var errMissed = errors.New("a figure missed its target")

// scenarioNames are the -only names, in the order the scenarios run.
var scenarioNames = []string{"client-paging", "provider-paging", "provider-lookups", "schema", "start", "lookups", "paging"}

type bench struct {
	opts options
	root string
	work string
	res  *results

	realDir, noopDir, mockBin string
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// moduleRoot is the directory of the provider's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := command(ctx, time.Minute, "", "go", "env", "GOMOD")
	if err != nil {
		return "", err
	}
	gomod := strings.TrimSpace(out)
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run the bench inside the provider's module (make bench)")
	}
	return filepath.Dir(gomod), nil
}

// command runs a short command in dir and returns its combined output.
func command(ctx context.Context, limit time.Duration, dir, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail(string(out), 40))
	}
	return string(out), nil
}

// build compiles the provider exactly as the release does (.goreleaser.yml:
// CGO_ENABLED=0, -trimpath, -ldflags "-s -w ..."), the no-I/O baseline the
// same way, and the mock command.
func (b *bench) build(ctx context.Context) error {
	b.realDir = filepath.Join(b.work, "real")
	b.noopDir = filepath.Join(b.work, "noop")
	b.mockBin = filepath.Join(b.work, "callkit-mock")
	const binary = "terraform-provider-tencentcallkit"
	builds := []struct{ out, pkg, ldflags string }{
		{filepath.Join(b.realDir, binary), ".", "-s -w -X main.version=bench"},
		{filepath.Join(b.noopDir, binary), "./bench/noopprovider", "-s -w"},
		{b.mockBin, "./internal/cmd/callkit-mock", ""},
	}
	for _, bl := range builds {
		logf("building %s", bl.pkg)
		args := []string{"build", "-trimpath", "-o", bl.out}
		if bl.ldflags != "" {
			args = append(args, "-ldflags", bl.ldflags)
		}
		args = append(args, bl.pkg)
		ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = b.root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cmd.WaitDelay = 10 * time.Second
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
		}
	}
	st, err := os.Stat(filepath.Join(b.realDir, binary))
	if err != nil {
		return err
	}
	b.res.binaryBytes = st.Size()
	return nil
}

// scenarios runs every measured scenario against one mock process.
func (b *bench) scenarios(ctx context.Context) error {
	mockLog, err := os.Create(filepath.Join(b.work, "mock.log"))
	if err != nil {
		return err
	}
	defer mockLog.Close()
	logf("starting the mock with %d records", b.opts.records)
	m, err := scenario.StartMockProcess(b.mockBin, b.opts.records, mockLog)
	if err != nil {
		return err
	}
	defer func() {
		if err := m.Close(); err != nil {
			logf("%v", err)
		}
	}()
	ids, err := m.CallIDs(ctx, b.opts.lookups)
	if err != nil {
		return err
	}
	steps := []struct {
		name string
		fn   func(context.Context, *scenario.MockProcess, []string) error
	}{
		{"client-paging", b.clientPaging},
		{"provider-paging", b.providerPaging},
		{"provider-lookups", b.providerLookups},
		{"schema", b.providerSchema},
		{"start", b.pluginStart},
		{"lookups", b.terraformLookups},
		{"paging", b.terraformPaging},
	}
	only := map[string]bool{}
	for _, name := range strings.Split(b.opts.only, ",") {
		if name = strings.TrimSpace(name); name != "" {
			only[name] = true
		}
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(only) > 0 && !only[s.name] {
			continue
		}
		before, err := m.Stats(ctx)
		if err != nil {
			return err
		}
		logf("%s (load %s)", s.name, loadAvg())
		if err := s.fn(ctx, m, ids); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		after, err := m.Stats(ctx)
		if err != nil {
			return err
		}
		b.res.rateLimited += after.RateLimited - before.RateLimited
	}
	return nil
}

// repeat runs fn once to warm up, then runs times, and returns the timings
// fn reports.
func repeat(ctx context.Context, runs int, fn func() (time.Duration, error)) (sample, error) {
	var s sample
	for i := -1; i < runs; i++ {
		if err := ctx.Err(); err != nil {
			return s, err
		}
		d, err := fn()
		if err != nil {
			return s, err
		}
		if i >= 0 {
			s = append(s, d)
		}
	}
	return s, nil
}

func (b *bench) clientPaging(ctx context.Context, m *scenario.MockProcess, _ []string) error {
	c, err := callkit.New(callkit.Config{SDKAppID: m.SDKAppID, SecretKey: m.Key, Endpoint: m.URL, MaxRetries: callkit.DefaultMaxRetries})
	if err != nil {
		return err
	}
	start, end := m.Window()
	b.res.clientPaging, err = repeat(ctx, b.opts.runs, func() (time.Duration, error) {
		begin := time.Now()
		recs, err := c.ListAllRecords(ctx, callkit.V1, callkit.RecordFilter{StartTimestamp: start, EndTimestamp: end})
		took := time.Since(begin)
		if err == nil && len(recs) != b.opts.records {
			err = fmt.Errorf("read %d records, want %d", len(recs), b.opts.records)
		}
		return took, err
	})
	return err
}

func (b *bench) configuredProvider(ctx context.Context, m *scenario.MockProcess) (*scenario.Provider, error) {
	p, err := scenario.NewProvider(ctx)
	if err != nil {
		return nil, err
	}
	return p, p.Configure(ctx, m.Backend)
}

func (b *bench) providerPaging(ctx context.Context, m *scenario.MockProcess, _ []string) error {
	p, err := b.configuredProvider(ctx, m)
	if err != nil {
		return err
	}
	start, end := m.Window()
	b.res.providerPaging, err = repeat(ctx, b.opts.runs, func() (time.Duration, error) {
		took, n, err := p.ReadCallRecords(ctx, start, end)
		if err == nil && n != b.opts.records {
			err = fmt.Errorf("read %d records, want %d", n, b.opts.records)
		}
		return took, err
	})
	return err
}

func (b *bench) providerLookups(ctx context.Context, m *scenario.MockProcess, ids []string) error {
	p, err := b.configuredProvider(ctx, m)
	if err != nil {
		return err
	}
	b.res.providerLookups, err = repeat(ctx, b.opts.runs, func() (time.Duration, error) {
		begin := time.Now()
		err := p.ReadCallRecordsParallel(ctx, ids, b.opts.parallelism)
		return time.Since(begin), err
	})
	return err
}

// providerSchema times a fresh provider server's GetProviderSchema, as a
// newly started plugin answers it (twenty times the runs: it is short).
func (b *bench) providerSchema(ctx context.Context, _ *scenario.MockProcess, _ []string) error {
	var err error
	b.res.schema, err = repeat(ctx, 20*b.opts.runs, func() (time.Duration, error) {
		begin := time.Now()
		_, err := scenario.NewProvider(ctx)
		return time.Since(begin), err
	})
	return err
}

// tfSetup writes the CLI configurations of both providers and returns a
// runner.
func (b *bench) tfSetup(m *scenario.MockProcess) (tfRunner, string, string, error) {
	realRC, noopRC := filepath.Join(b.work, "real.tfrc"), filepath.Join(b.work, "noop.tfrc")
	if err := cliConfig(realRC, b.realDir); err != nil {
		return tfRunner{}, "", "", err
	}
	if err := cliConfig(noopRC, b.noopDir); err != nil {
		return tfRunner{}, "", "", err
	}
	return tfRunner{terraform: b.opts.terraform, backend: m.Backend, timeout: b.opts.tfTimeout}, realRC, noopRC, nil
}

// alternate runs real and noop plans in turns (the order swapped each round)
// after one warm-up of each, so both see the same machine. Real runs write
// the provider log when withLog is set, and it is parsed.
func (b *bench) alternate(ctx context.Context, m *scenario.MockProcess, name, hcl string, runs int, withLog bool) (withIO, noop sample, spans []readSpan, err error) {
	r, realRC, noopRC, err := b.tfSetup(m)
	if err != nil {
		return nil, nil, nil, err
	}
	dir := filepath.Join(b.work, name)
	if err := writeDir(dir, hcl); err != nil {
		return nil, nil, nil, err
	}
	for i := -1; i < runs; i++ {
		order := []bool{true, false}
		if i%2 != 0 {
			order = []bool{false, true}
		}
		for _, isReal := range order {
			if err := ctx.Err(); err != nil {
				return withIO, noop, spans, err
			}
			rc, logPath := noopRC, ""
			if isReal {
				rc = realRC
				if withLog {
					logPath = filepath.Join(b.work, fmt.Sprintf("%s-%d.log", name, i+1))
				}
			}
			run, err := r.plan(ctx, dir, rc, logPath)
			if err != nil {
				return withIO, noop, spans, err
			}
			if isReal {
				// A rate-limit answer the client gave up on reaches the user
				// as a diagnostic naming the code.
				b.res.surfaced += strings.Count(run.output, "errorCode 70005")
			}
			if i < 0 {
				continue
			}
			if !isReal {
				noop = append(noop, run.wall)
				continue
			}
			withIO = append(withIO, run.wall)
			if logPath != "" {
				span, err := parseLogFile(logPath)
				if err != nil {
					return withIO, noop, spans, err
				}
				spans = append(spans, span)
				if !b.opts.keep {
					_ = os.Remove(logPath)
				}
			}
		}
	}
	return withIO, noop, spans, nil
}

func parseLogFile(path string) (readSpan, error) {
	f, err := os.Open(path)
	if err != nil {
		return readSpan{}, err
	}
	defer f.Close()
	s, err := parseProviderLog(f)
	if err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

func (b *bench) pluginStart(ctx context.Context, m *scenario.MockProcess, ids []string) error {
	var err error
	// A plan takes a fraction of a second here, and the figure is a ratio
	// of two such times on a shared machine: four times the runs, compared
	// pair by pair.
	b.res.startReal, b.res.startNoop, _, err = b.alternate(ctx, m, "start", startHCL(ids[0]), 4*b.opts.runs, false)
	return err
}

func (b *bench) terraformLookups(ctx context.Context, m *scenario.MockProcess, ids []string) error {
	withIO, noop, spans, err := b.alternate(ctx, m, "lookups", lookupsHCL(ids), b.opts.runs, true)
	if err != nil {
		return err
	}
	b.res.lookupsPlan, b.res.lookupsNoop = withIO, noop
	for _, s := range spans {
		if s.reads != len(ids) {
			return fmt.Errorf("the provider log shows %d ReadDataSource calls, want %d", s.reads, len(ids))
		}
		b.res.lookupsSpan = append(b.res.lookupsSpan, s.span)
		b.res.clientRetried += s.limited
	}
	return nil
}

func (b *bench) terraformPaging(ctx context.Context, m *scenario.MockProcess, _ []string) error {
	start, end := m.Window()
	withIO, noop, spans, err := b.alternate(ctx, m, "paging", pagingHCL(start, end), b.opts.runs, true)
	if err != nil {
		return err
	}
	b.res.pagingPlan, b.res.pagingNoop = withIO, noop
	for _, s := range spans {
		if s.reads != 1 {
			return fmt.Errorf("the provider log shows %d ReadDataSource calls, want 1", s.reads)
		}
		b.res.pagingSpan = append(b.res.pagingSpan, s.span)
		b.res.clientRetried += s.limited
	}
	return nil
}

// goBenchmarks runs the Go micro-benchmarks of the client, the mock and the
// bench scenarios, and keeps their output.
func (b *bench) goBenchmarks(ctx context.Context) error {
	args := []string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-count", "1",
		"-timeout", b.opts.benchTime.String(), "./internal/callkit", "./internal/mockserver", "./internal/provider", "./bench/..."}
	logf("go %s", strings.Join(args, " "))
	ctx, cancel := context.WithTimeout(ctx, b.opts.benchTime+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = b.root
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout = io.MultiWriter(&out, os.Stderr)
	cmd.Stderr = cmd.Stdout
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go test -bench: %w", err)
	}
	b.res.goBench = out.String()
	b.res.filterP99, b.res.filterP99OK = benchMetric(b.res.goBench, "BenchmarkFilterQuery1M", "p99-µs")
	return nil
}

// benchMetric finds a custom metric on a benchmark's result line.
func benchMetric(out, bench, unit string) (float64, bool) {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || (f[0] != bench && !strings.HasPrefix(f[0], bench+"-")) {
			continue
		}
		for i := 2; i+1 < len(f); i++ {
			if f[i+1] == unit {
				v, err := strconv.ParseFloat(f[i], 64)
				return v, err == nil
			}
		}
	}
	return 0, false
}

// loadAvg is the 1, 5 and 15-minute load averages.
func loadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func load1() (float64, bool) {
	f := strings.Fields(loadAvg())
	if len(f) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(f[0], 64)
	return v, err == nil
}

// waitQuiet polls the load average every 30 s until it is under limit or
// wait has passed; it measures either way.
func waitQuiet(ctx context.Context, limit float64, wait time.Duration) {
	deadline := time.Now().Add(wait)
	for {
		l, ok := load1()
		if !ok || l < limit {
			return
		}
		if time.Now().After(deadline) {
			logf("load average still %s after %s: measuring anyway", loadAvg(), wait)
			return
		}
		logf("load average %s, waiting for < %.1f", loadAvg(), limit)
		select {
		case <-ctx.Done():
			return
		case <-time.After(30 * time.Second):
		}
	}
}

// envInfo describes where the figures were taken.
type envInfo struct {
	date, commit, goVersion, terraform, cpus string
}

func describeEnv(ctx context.Context, root, terraform string) (envInfo, error) {
	e := envInfo{date: time.Now().UTC().Format("2006-01-02 15:04 UTC"), goVersion: runtime.Version(), cpus: strconv.Itoa(runtime.NumCPU())}
	if out, err := command(ctx, time.Minute, root, "git", "describe", "--always", "--dirty", "--abbrev=12"); err == nil {
		e.commit = strings.TrimSpace(out)
	} else {
		e.commit = "unknown"
	}
	tctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(tctx, terraform, "version", "-json")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE="+os.DevNull)
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.Output()
	if err != nil {
		return e, fmt.Errorf("terraform version -json: %w", err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return e, fmt.Errorf("terraform version -json: %w", err)
	}
	e.terraform = v.Version
	return e, nil
}
