package main

import (
	"fmt"
	"strings"
	"time"
)

// results holds every figure of one bench run.
type results struct {
	runs, records, lookups int
	env                    envInfo
	loadBefore, loadAfter  string

	binaryBytes int64

	clientPaging    sample // callkit.ListAllRecords, in-process
	providerPaging  sample // ReadDataSource of call_records, in-process
	pagingSpan      sample // ReadDataSource of call_records inside terraform plan (provider log)
	pagingPlan      sample // whole plan, real provider
	pagingNoop      sample // whole plan, no-I/O provider
	providerLookups sample // N ReadDataSource at parallelism 10, in-process
	lookupsSpan     sample // first ReadDataSource received → last served, inside terraform plan
	lookupsPlan     sample
	lookupsNoop     sample
	startReal       sample
	startNoop       sample
	schema          sample

	rateLimited   int // 70005 answered by the mock's limiter, all scenarios
	clientRetried int // 70005 answers the provider logged (and retried) in the terraform runs
	surfaced      int // "errorCode 70005" in terraform's output

	goBench     string
	filterP99   float64 // µs
	filterP99OK bool
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

// maxFloorRatio is the target for every figure with a rate floor.
const maxFloorRatio = 1.25

// vsFloor is a row whose target is a multiple of a floor in time.
func vsFloor(scenario string, s sample, floor time.Duration) row {
	const maxRatio = maxFloorRatio
	r := s.median().Seconds() / floor.Seconds()
	return row{scenario, secs(s.median()), s.spread(), secs(floor), fmt.Sprintf("≤ %.2f× (%s)", maxRatio, secs(time.Duration(maxRatio*float64(floor)))),
		fmt.Sprintf("%.2f×", r), verdict(len(s) > 0 && r <= maxRatio)}
}

// rows builds the table. Floors come from the documented rate limits: with
// a limiter of burst 1, n requests at r/s take (n-1)/r after the first, which
// the issue rounds to n/r.
func (res *results) rows() []row {
	pages := (res.records + 99) / 100
	pagingFloor := time.Duration(float64(pages) / 200 * float64(time.Second))
	lookupsFloor := time.Duration(float64(res.lookups) / 20 * float64(time.Second))
	var rows []row
	timed := func(scenario string, s sample, floor time.Duration) {
		if len(s) > 0 {
			rows = append(rows, vsFloor(scenario, s, floor))
		}
	}

	timed(fmt.Sprintf("Paging %d records (%d pages of 100) at 200/s: provider time, ReadDataSource in-process", res.records, pages), res.providerPaging, pagingFloor)
	timed("Paging: provider time inside `terraform plan` (ReadDataSource, from the provider's log)", res.pagingSpan, pagingFloor)
	timed("Paging: the client's part alone (callkit.ListAllRecords, what paging.go does)", res.clientPaging, pagingFloor)
	if len(res.pagingPlan) > 0 {
		rows = append(rows, row{"Paging: whole `terraform plan` (the no-I/O provider's plan: " + secs(res.pagingNoop.median()) + ")",
			secs(res.pagingPlan.median()), res.pagingPlan.spread(), "–", "–", "–", info})
	}

	timed(fmt.Sprintf("Lookups: %d `tencentcallkit_call_record` at 20/s, default parallelism: provider time inside `terraform plan` (first read received → last served)", res.lookups), res.lookupsSpan, lookupsFloor)
	timed(fmt.Sprintf("Lookups: %d ReadDataSource in-process, 10 at a time", res.lookups), res.providerLookups, lookupsFloor)
	if len(res.lookupsPlan) > 0 {
		rows = append(rows, row{"Lookups: whole `terraform plan` (the no-I/O provider's plan: " + secs(res.lookupsNoop.median()) + ")",
			secs(res.lookupsPlan.median()), res.lookupsPlan.spread(), "–", "–", "–", info})
	}

	if len(res.startReal) > 0 && len(res.startNoop) > 0 {
		ratio := medianFloat(pairedRatios(res.startReal, res.startNoop))
		ofMedians := res.startReal.median().Seconds() / res.startNoop.median().Seconds()
		rows = append(rows, row{"Plugin start: `terraform plan`, one callback + one record, vs. the same plan with the no-I/O provider (alternating runs; ratio: median of the run-by-run ratios)",
			secs(res.startReal.median()), res.startReal.spread(), "no-I/O plan " + secs(res.startNoop.median()) + " (" + res.startNoop.spread() + ")", "≤ 1.10×",
			fmt.Sprintf("%.2f× (of medians: %.2f×)", ratio, ofMedians), verdict(ratio <= 1.10)})
	}
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
	rows = append(rows,
		row{"70005 surfaced to Terraform (every terraform run)", fmt.Sprint(res.surfaced), "–", "–", "0", "–", verdict(res.surfaced == 0)},
		row{"70005 answered by the mock's limiter (retried by the client), every scenario", fmt.Sprint(res.rateLimited), fmt.Sprintf("%d seen in the provider logs", res.clientRetried), "–", "–", "–", info},
	)
	return rows
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
	fmt.Fprintf(&b, "- Each scenario: one warm-up run, then %d measured runs (min / median / max); real and no-I/O plans alternate\n\n", res.runs)
	b.WriteString(res.table())
	b.WriteString("\nFloors: 200 pages at 200/s and 40 lookups at 20/s through a limiter of burst 1 (the first request at once, then one every 1/rate). ")
	b.WriteString("Ratio is median ÷ floor (or ÷ target where there is no floor).\n")
	if res.goBench != "" {
		b.WriteString("\n## Go micro-benchmarks\n\n`go test -run '^$' -bench . -benchmem ./internal/callkit ./internal/mockserver ./internal/provider ./bench/...`\n\n```\n")
		b.WriteString(strings.TrimRight(res.goBench, "\n"))
		b.WriteString("\n```\n")
	}
	return b.String()
}
