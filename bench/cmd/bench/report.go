package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/bench/internal/scenario"
)

// results holds every figure of one bench run.
type results struct {
	runs, records, lookups int
	phaseRuns, warmups     int
	env                    envInfo
	loadBefore, loadAfter  string

	binaryBytes int64

	phases        map[string]*phaseResult // by phase name
	peer          *peerInfo               // nil: no -peer
	phaseSurfaced int                     // rate-limit codes in the real provider's phase output

	modes  []*modeResult // the lookups and paging scenarios, per mock mode
	bulk   []*bulkResult // the big reads (bulk.go)
	schema sample        // GetProviderSchema in-process

	callStats   string // the call_stats section (walks.go)
	shared      string // the shared-limits section (shared.go)
	goBench     string
	filterP99   float64 // µs
	filterP99OK bool
}

// modeResult is the lookups and paging scenarios against one mock mode.
type modeResult struct {
	mode scenario.MockMode

	clientPaging    sample // callkit.ListAllRecords, in-process
	providerPaging  sample // ReadDataSource of call_records, in-process
	pagingSpan      sample // ReadDataSource of call_records inside terraform plan (provider log)
	pagingPlan      sample // whole plan, real provider
	pagingNoop      sample // whole plan, no-I/O provider
	providerLookups sample // N ReadDataSource at parallelism 10, in-process
	lookupsSpan     sample // first ReadDataSource received → last served, inside terraform plan
	lookupsPlan     sample
	lookupsNoop     sample

	ran     []string         // scenarios run, in order
	runs    map[string]int   // runs that sent requests, warm-ups included, by scenario
	limited map[string]int   // rate-limit answers (70005, 60011) the mock's limiter gave, by scenario
	lists   map[string]int   // record-list requests the mock answered (rate-limited ones aside), by scenario
	errs    map[string]error // scenarios that failed (strict mode only; default mode stops the bench)

	clientRetried int // rate-limit answers the provider logged (and retried) in the terraform runs
	surfaced      int // rate-limit error codes in terraform's output
}

// row is one line of the table.
type row struct {
	scenario, figure, spread, floor, target, ratio, verdict string
}

const (
	ok   = "ok"
	miss = "**MISS**"
	info = "info"
)

func verdict(pass bool) string {
	if pass {
		return ok
	}
	return miss
}

// Targets of the mock-mode scenarios on the default mock (the issue's, for
// 40 lookups and 20,000 records): the wait the documented limit imposes
// plus what the provider may spend on top.
const (
	lookupsOverFloor = 250 * time.Millisecond // 40 lookups: 1.0 s floor → ≤ 1.25 s
	pagingOver20k    = 600 * time.Millisecond // 20,000 records: 0 s floor → ≤ 0.6 s
	// maxStrictLimitedPerRun is "a handful" of rate-limit answers per run
	// against the strict mock: at most one wave of Terraform's default
	// -parallelism (10) in flight before the client falls back to spacing.
	maxStrictLimitedPerRun = 10
)

// windowFloor is the least time n requests take at rate per second when at
// most rate go in any one-second window: ⌈n/rate⌉ − 1 seconds of waiting.
func windowFloor(n, rate int) time.Duration {
	if n <= 0 {
		return 0
	}
	return time.Duration((n+rate-1)/rate-1) * time.Second
}

func (res *results) pages() int { return (res.records + 99) / 100 }

func (res *results) lookupsTarget() (floor, target time.Duration) {
	floor = windowFloor(res.lookups, 20)
	return floor, floor + lookupsOverFloor
}

// pagingTarget scales the provider's own share with the number of records.
// The floor is that of the requests one read makes: the exact walk
// (internal/walk) asks a few more than the pages (each time slice ends on a
// partial page of its own), and past 200 the documented limit makes the
// read wait for the next second.
func (res *results) pagingTarget(mr *modeResult) (floor, target time.Duration) {
	floor = windowFloor(max(res.pages(), mr.listsPerRead()), 200)
	return floor, floor + time.Duration(float64(pagingOver20k)*float64(res.records)/20000)
}

// listsPerRead is the record-list requests one all-pages read made, from the
// first paging scenario that ran (0: none ran).
func (mr *modeResult) listsPerRead() int {
	for _, name := range []string{"client-paging", "provider-paging", "paging"} {
		if runs := mr.runs[name]; runs > 0 && mr.lists[name] > 0 {
			return (mr.lists[name] + runs - 1) / runs
		}
	}
	return 0
}

// vsTarget is a row whose target is a time. With withTarget false (the
// strict mock: only completing counts) it is information.
func vsTarget(scenario string, s sample, floor, target time.Duration, withTarget bool) row {
	if !withTarget {
		return row{scenario, secs(s.median()), s.spread(), secs(floor), "–", "–", info}
	}
	r := s.median().Seconds() / target.Seconds()
	return row{scenario, secs(s.median()), s.spread(), secs(floor), "≤ " + secs(target),
		fmt.Sprintf("%.2f× target", r), verdict(len(s) > 0 && r <= 1)}
}

// phaseRatio is the real (or peer) sample against the no-I/O one: the
// median of the round-by-round ratios, and the ratio of the medians.
func phaseRatio(s, noop sample) (paired, ofMedians float64) {
	paired = medianFloat(pairedRatios(s, noop))
	if m := noop.median(); m > 0 {
		ofMedians = s.median().Seconds() / m.Seconds()
	}
	return paired, ofMedians
}

func (res *results) phaseRows() []row {
	var rows []row
	for _, name := range phaseNames {
		p := res.phases[name]
		if p == nil {
			continue
		}
		withIO, noop := p.samples[keyReal], p.samples[keyNoop]
		target := phaseTargets[name]
		paired, ofMedians := phaseRatio(withIO, noop)
		noopFig := "no-I/O " + secs(noop.median()) + " (" + noop.spread() + ")"
		rows = append(rows, row{fmt.Sprintf("%s, the issue's workspace: tencentcallkit vs. the no-I/O provider (%d rounds in turns after %d warm-up rounds; ratio: median of the round-by-round ratios)", phaseTitles[name], len(withIO), res.warmups),
			secs(withIO.median()), withIO.spread(), noopFig, fmt.Sprintf("≤ %.2f×", target),
			fmt.Sprintf("%.2f× (of medians: %.2f×)", paired, ofMedians), verdict(len(withIO) > 0 && paired <= target)})
		if peer, ok := p.samples[keyPeer]; ok {
			paired, ofMedians := phaseRatio(peer, noop)
			vsPeer, _ := phaseRatio(withIO, peer)
			rows = append(rows, row{fmt.Sprintf("%s: restapi (peer) vs. the no-I/O provider, same rounds", phaseTitles[name]),
				secs(peer.median()), peer.spread(), noopFig, "–",
				fmt.Sprintf("%.2f× (of medians: %.2f×); tencentcallkit ÷ restapi %.2f×", paired, ofMedians, vsPeer), info})
		}
		if name != phaseSchema {
			reqs := "tencentcallkit: " + requestsPerRun(p.requests[keyReal], p.runs)
			if _, ok := p.requests[keyPeer]; ok {
				reqs += "; restapi: " + requestsPerRun(p.requests[keyPeer], p.runs)
			}
			rows = append(rows, row{phaseTitles[name] + ": API requests per run (the mock's count)", reqs, fmt.Sprintf("%d runs each", p.runs), "–", "–", "–", info})
		}
	}
	if len(res.phases) > 0 {
		if res.peer == nil {
			rows = append(rows, row{"Peer provider (-peer)", "peer: not given", "–", "–", "–", "–", info})
		}
		rows = append(rows, row{"Rate-limit errors surfaced to Terraform, phases", fmt.Sprint(res.phaseSurfaced), "–", "–", "0", "–", verdict(res.phaseSurfaced == 0)})
	}
	return rows
}

func (res *results) modeRows(mr *modeResult) []row {
	strict := mr.mode == scenario.ModeStrict
	at := fmt.Sprintf("[%s mock] ", mr.mode)
	pFloor, pTarget := res.pagingTarget(mr)
	lFloor, lTarget := res.lookupsTarget()
	var rows []row
	timed := func(scenario string, s sample, floor, target time.Duration) {
		if len(s) > 0 {
			rows = append(rows, vsTarget(at+scenario, s, floor, target, !strict))
		}
	}
	walk := ""
	if n := mr.listsPerRead(); n > 0 {
		walk = fmt.Sprintf("; %d requests a read", n)
	}
	timed(fmt.Sprintf("Paging %d records (%d pages of 100%s) at 200/s: provider time, ReadDataSource in-process", res.records, res.pages(), walk), mr.providerPaging, pFloor, pTarget)
	timed("Paging: provider time inside `terraform plan` (ReadDataSource, from the provider's log)", mr.pagingSpan, pFloor, pTarget)
	timed("Paging: the client's part alone (callkit.ListAllRecords, what paging.go does)", mr.clientPaging, pFloor, pTarget)
	if len(mr.pagingPlan) > 0 {
		rows = append(rows, row{at + "Paging: whole `terraform plan` (the no-I/O provider's plan: " + secs(mr.pagingNoop.median()) + ")",
			secs(mr.pagingPlan.median()), mr.pagingPlan.spread(), "–", "–", "–", info})
	}
	timed(fmt.Sprintf("Lookups: %d `tencentcallkit_call_record` at 20/s, default parallelism: provider time inside `terraform plan` (first read received → last served)", res.lookups), mr.lookupsSpan, lFloor, lTarget)
	timed(fmt.Sprintf("Lookups: %d ReadDataSource in-process, 10 at a time", res.lookups), mr.providerLookups, lFloor, lTarget)
	if len(mr.lookupsPlan) > 0 {
		rows = append(rows, row{at + "Lookups: whole `terraform plan` (the no-I/O provider's plan: " + secs(mr.lookupsNoop.median()) + ")",
			secs(mr.lookupsPlan.median()), mr.lookupsPlan.spread(), "–", "–", "–", info})
	}
	if strict {
		for _, name := range mr.ran {
			n, runs := mr.limited[name], mr.runs[name]
			fig := "completed, no error"
			if err := mr.errs[name]; err != nil {
				first, _, _ := strings.Cut(err.Error(), "\n")
				fig = "FAILED: " + first
			}
			per := 0.0
			if runs > 0 {
				per = float64(n) / float64(runs)
			}
			rows = append(rows, row{at + name + ": completes; rate-limit answers (70005/60011) from the mock", fig,
				fmt.Sprintf("%d answered over %d runs", n, runs), "–", fmt.Sprintf("no error; ≤ %d per run", maxStrictLimitedPerRun),
				fmt.Sprintf("%.1f per run", per), verdict(mr.errs[name] == nil && per <= maxStrictLimitedPerRun)})
		}
	} else {
		total := 0
		parts := make([]string, 0, len(mr.ran))
		for _, name := range mr.ran {
			total += mr.limited[name]
			parts = append(parts, fmt.Sprintf("%s %d", name, mr.limited[name]))
		}
		rows = append(rows, row{at + "Rate-limit answers (70005/60011) from the mock, every scenario", fmt.Sprint(total), strings.Join(parts, ", "), "–", "0", "–", verdict(total == 0)})
	}
	rows = append(rows, row{at + "Rate-limit errors surfaced to Terraform (every terraform run)", fmt.Sprint(mr.surfaced),
		fmt.Sprintf("%d retried, from the provider logs", mr.clientRetried), "–", "0", "–", verdict(mr.surfaced == 0)})
	return rows
}

// rows builds the table.
func (res *results) rows() []row {
	rows := res.phaseRows()
	for _, mr := range res.modes {
		rows = append(rows, res.modeRows(mr)...)
	}
	rows = append(rows, res.bulkRows()...)
	if res.binaryBytes > 0 {
		mb := float64(res.binaryBytes) / 1e6
		rows = append(rows, row{"Provider binary (CGO_ENABLED=0, -trimpath, -ldflags \"-s -w\")", fmt.Sprintf("%.1f MB", mb), fmt.Sprintf("%d bytes", res.binaryBytes), "–", "≤ 30 MB",
			fmt.Sprintf("%.2f× target", mb/30), verdict(mb <= 30)})
	}
	if len(res.schema) > 0 {
		ratio := res.schema.median().Seconds() / 0.1
		rows = append(rows, row{"GetProviderSchema, fresh provider server (in-process)", secs(res.schema.median()), res.schema.spread(), "–", "≤ 100 ms",
			fmt.Sprintf("%.3f× target", ratio), verdict(ratio <= 1)})
	}
	if res.filterP99OK {
		d := time.Duration(res.filterP99 * float64(time.Microsecond))
		ratio := d.Seconds() / 0.005
		rows = append(rows, row{"Mock: filter query over 1,000,000 records, p99 (BenchmarkFilterQuery1M)", secs(d), "go test -bench", "–", "≤ 5 ms",
			fmt.Sprintf("%.2f× target", ratio), verdict(ratio <= 1)})
	}
	return rows
}

// sideBySide is the table: each phase's median per provider, with
// its ratio to the no-I/O provider (median of the round-by-round ratios).
func (res *results) sideBySide() string {
	if len(res.phases) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("| phase | no-I/O provider | restapi (peer) | tencentcallkit | target |\n|---|---|---|---|---|\n")
	short := map[string]string{phasePlan: "plan (no-op)", phaseApply: "apply (create from empty state)", phaseSchema: "providers schema -json"}
	for _, name := range phaseNames {
		p := res.phases[name]
		if p == nil {
			continue
		}
		noop := p.samples[keyNoop]
		cell := func(key string) string {
			s, ok := p.samples[key]
			if !ok {
				return "peer: not given"
			}
			paired, _ := phaseRatio(s, noop)
			return fmt.Sprintf("%s (%.2f×)", secs(s.median()), paired)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | ≤ %.2f× |\n", short[name], secs(noop.median()), cell(keyPeer), cell(keyReal), phaseTargets[name])
	}
	return b.String()
}

func (res *results) misses() int {
	n := 0
	for _, r := range res.rows() {
		if r.verdict == miss {
			n++
		}
	}
	return n
}

// table is the markdown table of every figure.
func (res *results) table() string {
	var b strings.Builder
	b.WriteString("| Scenario | Figure (median) | min … max | Floor | Target | Ratio | |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range res.rows() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", r.scenario, r.figure, r.spread, r.floor, r.target, r.ratio, r.verdict)
	}
	return b.String()
}

// markdown is bench/results.md.
func (res *results) markdown() string {
	var b strings.Builder
	b.WriteString("# Performance results\n\n")
	b.WriteString("Written by `make bench` (bench/cmd/bench); do not edit by hand. How the figures are taken: README.md, section Performance.\n\n")
	fmt.Fprintf(&b, "- Taken: %s, commit `%s`\n", res.env.date, res.env.commit)
	fmt.Fprintf(&b, "- Machine: %s CPUs; load average (1, 5, 15 min) %s before the scenarios, %s after\n", res.env.cpus, res.loadBefore, res.loadAfter)
	fmt.Fprintf(&b, "- %s, Terraform %s; mock on 127.0.0.1 enforcing the documented limits, %d records\n", res.env.goVersion, res.env.terraform, res.records)
	if res.peer != nil {
		fmt.Fprintf(&b, "- Peer: %s %s (%d bytes, sha256 %s), given with -peer\n", res.peer.source, res.peer.version, res.peer.bytes, res.peer.sha256)
	} else {
		b.WriteString("- Peer: not given (-peer)\n")
	}
	fmt.Fprintf(&b, "- Phases (plan, apply, schema): %d warm-up rounds, then %d rounds; each round runs every provider once, the order rotated each round\n", res.warmups, res.phaseRuns)
	fmt.Fprintf(&b, "- Lookups and paging: one warm-up run, then %d measured runs (min / median / max), against each mock mode; real and no-I/O plans alternate\n\n", res.runs)
	if t := res.sideBySide(); t != "" {
		b.WriteString(t)
		b.WriteString("\nRatio: to the no-I/O provider, median of the round-by-round ratios.\n\n")
	}
	b.WriteString(res.table())
	b.WriteString("\nFloors: the least wait the documented limit allows when at most N requests go to a path in any one second (40 lookups at 20/s: 1 s; 200 requests at 200/s: 0 s, 201 to 400: 1 s). Paging counts the requests a read made (the mock's count): the exact walk asks a few more than the pages, one partial page per time slice. ")
	b.WriteString("The strict mock (`callkit-mock -ratelimit-strict`) rejects any request closer than 1/N to the previous one: there only completing with no error counts, with at most a handful of rate-limit answers per run.\n")
	b.WriteString(res.callStats)
	b.WriteString(res.shared)
	if res.goBench != "" {
		b.WriteString("\n## Go micro-benchmarks\n\n`go test -run '^$' -bench . -benchmem ./internal/callkit ./internal/mockserver ./internal/provider ./bench/...`\n\n```\n")
		b.WriteString(strings.TrimRight(res.goBench, "\n"))
		b.WriteString("\n```\n")
	}
	return b.String()
}
