// Command bench is `make bench`: it builds the provider as the release does,
// a no-I/O baseline provider (bench/noopprovider) and the mock backend, and
// runs every performance scenario of the project against the mock on
// loopback:
//
//   - the phases (plan with no changes, apply from empty state, `providers
//     schema -json`) of the issue's workspace, the real provider, the no-I/O
//     provider and a peer (-peer, mastercard/restapi) in turns: -warmups
//     rounds, then -phase-runs, medians and ratios;
//   - the lookups and paging scenarios (in-process and inside `terraform
//     plan`, -runs runs after one warm-up) against each mock mode of
//     -modes: the default mock (the documented limits) and the strict one
//     (a token bucket rejecting anything closer than 1/N).
//
// It prints a table of each figure against its target, runs the Go
// micro-benchmarks and writes it all to bench/results.md.
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
	faultRuns   int
	strict      bool
	warmups     int
	phaseRuns   int
	peer        string
	modes       string
	// The big reads (bulk.go).
	bulkRuns        int
	actionTerraform string
}

func main() {
	var o options
	flag.IntVar(&o.runs, "runs", 5, "measured runs of each lookups and paging scenario (at least 5 for the results table), after one warm-up run")
	flag.IntVar(&o.phaseRuns, "phase-runs", 20, "measured rounds of the plan, apply and schema phases (each round runs every provider once)")
	flag.IntVar(&o.warmups, "warmups", 3, "warm-up rounds of the plan, apply and schema phases, not measured")
	flag.StringVar(&o.peer, "peer", "", "a terraform-provider-restapi binary (mastercard/restapi) to run in the phases beside the others, with a workspace the bench writes (never downloaded; empty: \"peer: not given\")")
	flag.StringVar(&o.modes, "modes", "default,strict", "mock modes the lookups and paging scenarios run against, comma-separated: default (the documented limits), strict (-ratelimit-strict)")
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
	flag.IntVar(&o.bulkRuns, "bulk-runs", 3, "measured runs of each big read (records-bulk, export; no warm-up: each takes seconds to a minute)")
	flag.StringVar(&o.actionTerraform, "action-terraform", "", "Terraform CLI >= 1.14 for the export action's scenario (empty: the export rows say it was not run)")
	flag.BoolVar(&o.strict, "strict", false, "exit with status 2 when a figure misses its target (the table is written either way); unrelated to the strict mock mode")
	flag.IntVar(&o.faultRuns, "fault-runs", 20, "runs in a row of the shared scenario's 30 % fault case")
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
	modes, err := o.check()
	if err != nil {
		return err
	}
	root, err := o.resolve(ctx)
	if err != nil {
		return err
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

	b := &bench{opts: o, root: root, work: work, modes: modes, res: &results{runs: o.runs, records: o.records, lookups: o.lookups,
		phaseRuns: o.phaseRuns, warmups: o.warmups, phases: map[string]*phaseResult{}}}
	b.res.env, err = describeEnv(ctx, root, o.terraform)
	if err != nil {
		return err
	}
	if err := b.build(ctx); err != nil {
		return err
	}
	if o.peer != "" {
		if err := b.setupPeer(); err != nil {
			return err
		}
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
	return b.report()
}

// check refuses bad flag values and returns the mock modes -modes names.
func (o *options) check() ([]scenario.MockMode, error) {
	if o.runs < 1 || o.records < 100 || o.lookups < 1 || o.phaseRuns < 1 || o.warmups < 0 || o.bulkRuns < 1 {
		return nil, errors.New("-runs, -phase-runs and -bulk-runs must be at least 1, -warmups at least 0, -records at least 100 and -lookups at least 1")
	}
	modes, err := parseModes(o.modes)
	if err != nil {
		return nil, err
	}
	for _, name := range strings.Split(o.only, ",") {
		if name = strings.TrimSpace(name); name != "" && !slices.Contains(scenarioNames, name) {
			return nil, fmt.Errorf("-only: unknown scenario %q (known: %s)", name, strings.Join(scenarioNames, ", "))
		}
	}
	return modes, nil
}

// resolve finds the module root and makes the peer and terraform paths absolute.
func (o *options) resolve(ctx context.Context) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	if o.peer != "" {
		if o.peer, err = filepath.Abs(o.peer); err != nil {
			return "", err
		}
	}
	if o.terraform == "" {
		if o.terraform, err = exec.LookPath("terraform"); err != nil {
			return "", errors.New("no terraform on PATH: install the Terraform CLI (>= 1.0); the bench never downloads one")
		}
	}
	return root, nil
}

// report prints the results, writes them to -out and says whether a figure missed.
func (b *bench) report() error {
	o, root := b.opts, b.root
	fmt.Println()
	if t := b.res.sideBySide(); t != "" {
		fmt.Println(t)
	}
	fmt.Print(b.res.table())
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

// scenarioNames are the -only names, in the order they run: the phases
// (default mock), then the mock-mode scenarios (each mode of -modes).
var scenarioNames = []string{phaseSchema, phasePlan, phaseApply, "provider-schema",
	"client-paging", "provider-paging", "provider-lookups", "lookups", "paging", callStatsScenario, scenarioRecordsBulk, scenarioExport, scenarioShared}

// modeScenarios are the scenarios run against each mock mode.
var modeScenarios = []string{"client-paging", "provider-paging", "provider-lookups", "lookups", "paging"}

func parseModes(list string) ([]scenario.MockMode, error) {
	var modes []scenario.MockMode
	for _, name := range strings.Split(list, ",") {
		switch m := scenario.MockMode(strings.TrimSpace(name)); m {
		case "":
		case scenario.ModeDefault, scenario.ModeStrict:
			if !slices.Contains(modes, m) {
				modes = append(modes, m)
			}
		default:
			return nil, fmt.Errorf("-modes: unknown mock mode %q (known: default, strict)", m)
		}
	}
	if len(modes) == 0 {
		return nil, errors.New("-modes: name at least one mock mode (default, strict)")
	}
	return modes, nil
}

type bench struct {
	opts  options
	root  string
	work  string
	res   *results
	modes []scenario.MockMode

	realDir, noopDir, mockBin, peerDir string

	lastSent time.Time // when the last run of a mock-mode scenario ended
}

// rateWindow is the span the documented limits count requests over, plus a
// margin for the two processes' clocks.
const rateWindow = 1100 * time.Millisecond

// settle waits, untimed, until the requests of the previous mock-mode run
// have left the mock's one-second window: each run starts as a single
// `terraform plan` does after a pause, not on the heels of the last one,
// whose tail would count against its first second (on the real service as
// on the mock).
func (b *bench) settle(ctx context.Context) error {
	wait := time.Until(b.lastSent.Add(rateWindow))
	if wait <= 0 {
		return nil
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(wait):
		return nil
	}
}

// sent marks the end of a run that sent API requests.
func (b *bench) sent() { b.lastSent = time.Now() }

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

// scenarios runs the phases and the in-process schema against a default
// mock, then the mock-mode scenarios against one mock process per mode.
func (b *bench) scenarios(ctx context.Context) error {
	only := map[string]bool{}
	for _, name := range strings.Split(b.opts.only, ",") {
		if name = strings.TrimSpace(name); name != "" {
			only[name] = true
		}
	}
	selected := func(name string) bool { return len(only) == 0 || only[name] }
	anyOf := func(names []string) bool { return slices.ContainsFunc(names, selected) }

	if anyOf(phaseNames) {
		err := b.withMock(ctx, scenario.ModeDefault, func(m *scenario.MockProcess, ids []string) error {
			return b.phases(ctx, m, ids, selected)
		})
		if err != nil {
			return err
		}
	}
	if selected("provider-schema") {
		logf("provider-schema (load %s)", loadAvg())
		if err := b.providerSchema(ctx); err != nil {
			return fmt.Errorf("provider-schema: %w", err)
		}
	}
	if err := b.sections(ctx, selected); err != nil {
		return err
	}
	if anyOf([]string{scenarioRecordsBulk, scenarioExport}) {
		if err := b.bulk(ctx, selected); err != nil {
			return err
		}
	}
	if !anyOf(modeScenarios) {
		return nil
	}
	for _, mode := range b.modes {
		mr := &modeResult{mode: mode, limited: map[string]int{}, lists: map[string]int{}, runs: map[string]int{}, errs: map[string]error{}}
		b.res.modes = append(b.res.modes, mr)
		err := b.withMock(ctx, mode, func(m *scenario.MockProcess, ids []string) error {
			return b.modeSteps(ctx, m, mr, ids, selected)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// sections runs the scenarios that write a section of their own.
func (b *bench) sections(ctx context.Context, selected func(string) bool) error {
	for _, s := range []struct {
		name string
		run  func(context.Context) (string, error)
		out  *string
	}{
		{callStatsScenario, b.callStats, &b.res.callStats},
		{scenarioShared, b.shared, &b.res.shared},
	} {
		if !selected(s.name) {
			continue
		}
		section, err := s.run(ctx)
		if err != nil {
			return err
		}
		*s.out = section
	}
	return nil
}

// recordListPath is the mock's key (stats) of the v1 record-list API, which
// the paging scenarios walk.
const recordListPath = "v1/records/get_records_by_filter"

// modeSteps runs the selected mode scenarios against one mock, counting the
// rate-limit answers each drew.
func (b *bench) modeSteps(ctx context.Context, m *scenario.MockProcess, mr *modeResult, ids []string, selected func(string) bool) error {
	mode := mr.mode
	steps := []struct {
		name string
		fn   func(context.Context, *scenario.MockProcess, *modeResult, []string) (int, error)
	}{
		{"client-paging", b.clientPaging},
		{"provider-paging", b.providerPaging},
		{"provider-lookups", b.providerLookups},
		{"lookups", b.terraformLookups},
		{"paging", b.terraformPaging},
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !selected(s.name) {
			continue
		}
		before, err := m.Stats(ctx)
		if err != nil {
			return err
		}
		logf("%s, %s mock (load %s)", s.name, mode, loadAvg())
		runs, err := s.fn(ctx, m, mr, ids)
		mr.ran = append(mr.ran, s.name)
		mr.runs[s.name] = runs
		if err != nil {
			// The strict mock is allowed to find a client that fails:
			// that is a missed target, reported with the rest.
			if mode != scenario.ModeStrict || ctx.Err() != nil {
				return fmt.Errorf("%s (%s mock): %w", s.name, mode, err)
			}
			logf("%s failed against the strict mock: %v", s.name, err)
			mr.errs[s.name] = err
		}
		after, err := m.Stats(ctx)
		if err != nil {
			return err
		}
		mr.limited[s.name] = after.RateLimited - before.RateLimited
		mr.lists[s.name] = after.Requests[recordListPath] - before.Requests[recordListPath] - mr.limited[s.name]
	}
	return nil
}

// withMock runs fn against a fresh mock process in the given mode holding
// -records records, with the call IDs of the -lookups oldest.
func (b *bench) withMock(ctx context.Context, mode scenario.MockMode, fn func(*scenario.MockProcess, []string) error) error {
	mockLog, err := os.OpenFile(filepath.Join(b.work, "mock.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer mockLog.Close()
	logf("starting the %s mock with %d records", mode, b.opts.records)
	m, err := scenario.StartMockProcess(b.mockBin, b.opts.records, mode, mockLog)
	if err != nil {
		return fmt.Errorf("%s mock: %w", mode, err)
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
	return fn(m, ids)
}

// repeat runs fn once to warm up, then runs times, and returns the timings
// fn reports and how many times fn ran.
func repeat(ctx context.Context, runs int, fn func() (time.Duration, error)) (sample, int, error) {
	var s sample
	ran := 0
	for i := -1; i < runs; i++ {
		if err := ctx.Err(); err != nil {
			return s, ran, err
		}
		d, err := fn()
		ran++
		if err != nil {
			return s, ran, err
		}
		if i >= 0 {
			s = append(s, d)
		}
	}
	return s, ran, nil
}

func (b *bench) clientPaging(ctx context.Context, m *scenario.MockProcess, mr *modeResult, _ []string) (int, error) {
	c, err := callkit.New(callkit.Config{SDKAppID: m.SDKAppID, SecretKey: m.Key, Endpoint: m.URL, MaxRetries: callkit.DefaultMaxRetries})
	if err != nil {
		return 0, err
	}
	start, end := m.Window()
	var ran int
	mr.clientPaging, ran, err = repeat(ctx, b.opts.runs, func() (time.Duration, error) {
		if err := b.settle(ctx); err != nil {
			return 0, err
		}
		defer b.sent()
		begin := time.Now()
		recs, err := c.ListAllRecords(ctx, callkit.V1, callkit.RecordFilter{StartTimestamp: start, EndTimestamp: end}, 0)
		took := time.Since(begin)
		if err == nil && len(recs) != b.opts.records {
			err = fmt.Errorf("read %d records, want %d", len(recs), b.opts.records)
		}
		return took, err
	})
	return ran, err
}

func (b *bench) configuredProvider(ctx context.Context, m *scenario.MockProcess) (*scenario.Provider, error) {
	p, err := scenario.NewProvider(ctx)
	if err != nil {
		return nil, err
	}
	return p, p.Configure(ctx, m.Backend)
}

func (b *bench) providerPaging(ctx context.Context, m *scenario.MockProcess, mr *modeResult, _ []string) (int, error) {
	p, err := b.configuredProvider(ctx, m)
	if err != nil {
		return 0, err
	}
	start, end := m.Window()
	var ran int
	mr.providerPaging, ran, err = repeat(ctx, b.opts.runs, func() (time.Duration, error) {
		if err := b.settle(ctx); err != nil {
			return 0, err
		}
		defer b.sent()
		took, n, err := p.ReadCallRecords(ctx, start, end)
		if err == nil && n != b.opts.records {
			err = fmt.Errorf("read %d records, want %d", n, b.opts.records)
		}
		return took, err
	})
	return ran, err
}

func (b *bench) providerLookups(ctx context.Context, m *scenario.MockProcess, mr *modeResult, ids []string) (int, error) {
	p, err := b.configuredProvider(ctx, m)
	if err != nil {
		return 0, err
	}
	var ran int
	mr.providerLookups, ran, err = repeat(ctx, b.opts.runs, func() (time.Duration, error) {
		if err := b.settle(ctx); err != nil {
			return 0, err
		}
		defer b.sent()
		begin := time.Now()
		err := p.ReadCallRecordsParallel(ctx, ids, b.opts.parallelism)
		return time.Since(begin), err
	})
	return ran, err
}

// providerSchema times a fresh provider server's GetProviderSchema, as a
// newly started plugin answers it (twenty times the runs: it is short).
func (b *bench) providerSchema(ctx context.Context) error {
	var err error
	b.res.schema, _, err = repeat(ctx, 20*b.opts.runs, func() (time.Duration, error) {
		begin := time.Now()
		_, err := scenario.NewProvider(ctx)
		return time.Since(begin), err
	})
	return err
}

// alternate runs real and noop plans in turns (the order swapped each round)
// after one warm-up of each, so both see the same machine. Real runs write
// the provider log, and it is parsed. It returns how many real plans ran.
func (b *bench) alternate(ctx context.Context, m *scenario.MockProcess, mr *modeResult, name, hcl string) (withIO, noop sample, spans []readSpan, ran int, err error) {
	const source = "tencentcallkit/tencentcallkit"
	realRC, noopRC := filepath.Join(b.work, "real.tfrc"), filepath.Join(b.work, "noop.tfrc")
	if err := cliConfig(realRC, source, b.realDir); err != nil {
		return nil, nil, nil, 0, err
	}
	if err := cliConfig(noopRC, source, b.noopDir); err != nil {
		return nil, nil, nil, 0, err
	}
	r := tfRunner{terraform: b.opts.terraform, backend: m.Backend, timeout: b.opts.tfTimeout}
	dir := filepath.Join(b.work, name+"-"+string(mr.mode))
	if err := writeDir(dir, hcl); err != nil {
		return nil, nil, nil, 0, err
	}
	for i := -1; i < b.opts.runs; i++ {
		order := []bool{true, false}
		if i%2 != 0 {
			order = []bool{false, true}
		}
		for _, isReal := range order {
			if err := ctx.Err(); err != nil {
				return withIO, noop, spans, ran, err
			}
			if !isReal {
				run, err := r.plan(ctx, dir, noopRC, "")
				if err != nil {
					return withIO, noop, spans, ran, err
				}
				if i >= 0 {
					noop = append(noop, run.wall)
				}
				continue
			}
			ran++
			logPath := filepath.Join(b.work, fmt.Sprintf("%s-%s-%d.log", name, mr.mode, i+1))
			wall, span, err := b.realPlan(ctx, r, dir, realRC, logPath, mr)
			if err != nil {
				return withIO, noop, spans, ran, err
			}
			if i >= 0 {
				withIO = append(withIO, wall)
				spans = append(spans, span)
			}
		}
	}
	return withIO, noop, spans, ran, nil
}

// realPlan runs one plan with the real provider once the mock has settled,
// and reads the provider's log of it (removed unless -keep).
func (b *bench) realPlan(ctx context.Context, r tfRunner, dir, rc, logPath string, mr *modeResult) (time.Duration, readSpan, error) {
	if err := b.settle(ctx); err != nil {
		return 0, readSpan{}, err
	}
	run, err := r.plan(ctx, dir, rc, logPath)
	b.sent()
	// A rate-limit answer the client gave up on reaches the user
	// as a diagnostic naming the code.
	mr.surfaced += rateLimitCodes(run.output)
	if err != nil {
		return 0, readSpan{}, err
	}
	span, err := parseLogFile(logPath)
	if err != nil {
		return 0, readSpan{}, err
	}
	if !b.opts.keep {
		_ = os.Remove(logPath)
	}
	// Retries happen in warm-ups too: count them all, as the mock does.
	mr.clientRetried += span.limited
	return run.wall, span, nil
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

func (b *bench) terraformLookups(ctx context.Context, m *scenario.MockProcess, mr *modeResult, ids []string) (int, error) {
	withIO, noop, spans, ran, err := b.alternate(ctx, m, mr, "lookups", lookupsHCL(ids))
	if err != nil {
		return ran, err
	}
	mr.lookupsPlan, mr.lookupsNoop = withIO, noop
	for _, s := range spans {
		if s.reads != len(ids) {
			return ran, fmt.Errorf("the provider log shows %d ReadDataSource calls, want %d", s.reads, len(ids))
		}
		mr.lookupsSpan = append(mr.lookupsSpan, s.span)
	}
	return ran, nil
}

func (b *bench) terraformPaging(ctx context.Context, m *scenario.MockProcess, mr *modeResult, _ []string) (int, error) {
	start, end := m.Window()
	withIO, noop, spans, ran, err := b.alternate(ctx, m, mr, "paging", pagingHCL(start, end))
	if err != nil {
		return ran, err
	}
	mr.pagingPlan, mr.pagingNoop = withIO, noop
	for _, s := range spans {
		if s.reads != 1 {
			return ran, fmt.Errorf("the provider log shows %d ReadDataSource calls, want 1", s.reads)
		}
		mr.pagingSpan = append(mr.pagingSpan, s.span)
	}
	return ran, nil
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
