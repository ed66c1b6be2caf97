package main

// The big reads of issue 27: call_records as objects and as one JSON string
// inside `terraform plan`, and the export action writing a file through
// `terraform apply -invoke`, each timed with the peak memory (RSS) of
// Terraform and of the provider. The floor of each is the API's part: the
// client's walk alone, in this process, against the same mock.

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/bench/internal/scenario"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

// The -only names of the big reads.
const (
	scenarioRecordsBulk = "records-bulk"
	scenarioExport      = "export"
)

// Record counts of the big reads (issue 27).
var (
	bulkRecordCounts   = []int{20_000, 100_000}
	exportRecordCounts = []int{100_000, 1_000_000}
)

// Targets of the big reads (issue 27).
const (
	jsonTargetRecords = 100_000
	jsonOverFloor     = 2 * time.Second
	jsonFloorFactor   = 1.5
	exportTargetCount = 1_000_000
	exportFloorFactor = 1.1
	mb                = 1 << 20
	jsonTerraformRSS  = 600 * mb
	jsonProviderRSS   = 150 * mb
	exportProviderRSS = 100 * mb
)

// bulkResult is one big read: a form at a record count.
type bulkResult struct {
	what    string // "objects", "json", "export"
	records int
	wall    sample // the terraform command
	floor   sample // the client's walk alone
	tfRSS   int64  // bytes, the largest of the runs
	provRSS int64
	err     error
}

// bulk runs the selected big reads, each against a fresh default mock
// holding exactly its record count.
func (b *bench) bulk(ctx context.Context, selected func(string) bool) error {
	if _, err := exec.LookPath("/usr/bin/time"); err != nil {
		return fmt.Errorf("%s, %s: the provider's peak memory is taken with GNU time (/usr/bin/time): %w", scenarioRecordsBulk, scenarioExport, err)
	}
	type job struct {
		what    string
		records int
	}
	var jobs []job
	if selected(scenarioRecordsBulk) {
		for _, n := range bulkRecordCounts {
			jobs = append(jobs, job{"objects", n}, job{"json", n})
		}
	}
	if selected(scenarioExport) {
		for _, n := range exportRecordCounts {
			jobs = append(jobs, job{"export", n})
		}
	}
	mocks := map[int]*scenario.MockProcess{}
	defer func() {
		for _, m := range mocks {
			if err := m.Close(); err != nil {
				logf("%v", err)
			}
		}
	}()
	for _, j := range jobs {
		if err := ctx.Err(); err != nil {
			return err
		}
		m := mocks[j.records]
		if m == nil {
			// One mock per record count, the previous one stopped first:
			// a million records are a large part of this machine's memory.
			for n, old := range mocks {
				_ = old.Close()
				delete(mocks, n)
			}
			var err error
			if m, err = b.startBulkMock(j.records); err != nil {
				return err
			}
			mocks[j.records] = m
		}
		logf("%s, %d records (load %s)", j.what, j.records, loadAvg())
		r := &bulkResult{what: j.what, records: j.records}
		b.res.bulk = append(b.res.bulk, r)
		if r.err = b.bulkRun(ctx, m, r); r.err != nil && ctx.Err() != nil {
			return r.err
		}
	}
	return nil
}

func (b *bench) startBulkMock(n int) (*scenario.MockProcess, error) {
	mockLog, err := os.OpenFile(filepath.Join(b.work, "mock.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer mockLog.Close()
	logf("starting the default mock with %d records", n)
	return scenario.StartMockProcess(b.mockBin, n, scenario.ModeDefault, mockLog)
}

// bulkRun measures one big read -bulk-runs times: the client's walk alone,
// then the terraform command, in turns.
func (b *bench) bulkRun(ctx context.Context, m *scenario.MockProcess, r *bulkResult) error {
	c, err := callkit.New(callkit.Config{SDKAppID: m.SDKAppID, SecretKey: m.Key, Endpoint: m.URL, MaxRetries: callkit.DefaultMaxRetries})
	if err != nil {
		return err
	}
	dir := filepath.Join(b.work, fmt.Sprintf("bulk-%s-%d", r.what, r.records))
	tf, args, err := b.bulkCommand(m, r, dir)
	if err != nil {
		return err
	}
	rssDir := filepath.Join(b.work, "rss")
	rc := filepath.Join(b.work, "rss.tfrc")
	if err := rssWrapper(rssDir, filepath.Join(b.realDir, "terraform-provider-tencentcallkit")); err != nil {
		return err
	}
	if err := cliConfig(rc, "tencentcallkit/tencentcallkit", rssDir); err != nil {
		return err
	}
	for i := 0; i < b.opts.bulkRuns; i++ {
		floor, err := b.walkAlone(ctx, c, m, r.records)
		if err != nil {
			return err
		}
		r.floor = append(r.floor, floor)
		provFile := filepath.Join(b.work, "provider-rss.txt")
		_ = os.Remove(provFile)
		runner := tfRunner{terraform: tf, backend: m.Backend, timeout: b.opts.tfTimeout, extraEnv: []string{"BENCH_PROVIDER_RSS=" + provFile}}
		if err := b.settle(ctx); err != nil {
			return err
		}
		run, err := runner.run(ctx, dir, rc, "", nil, args...)
		b.sent()
		if err != nil {
			return err
		}
		if err := r.check(run.output, dir); err != nil {
			return err
		}
		prov, err := maxRSSFile(provFile)
		if err != nil {
			return err
		}
		r.wall = append(r.wall, run.wall)
		r.tfRSS, r.provRSS = max(r.tfRSS, run.peakRSS), max(r.provRSS, prov)
	}
	return nil
}

// walkAlone is the API floor: the client's walk of every record, kept
// nowhere.
func (b *bench) walkAlone(ctx context.Context, c *callkit.Client, m *scenario.MockProcess, want int) (time.Duration, error) {
	if err := b.settle(ctx); err != nil {
		return 0, err
	}
	defer b.sent()
	start, end := m.Window()
	begin := time.Now()
	n, err := c.WalkRecords(ctx, callkit.V1, callkit.RecordFilter{StartTimestamp: start, EndTimestamp: end}, callkit.WalkOptions{},
		func([]callkit.Record, callkit.WalkProgress) error { return nil })
	took := time.Since(begin)
	if err == nil && n != int64(want) {
		err = fmt.Errorf("the client's walk read %d records, want %d", n, want)
	}
	return took, err
}

// bulkCommand writes the scenario's workspace and returns the terraform to
// run and its arguments.
func (b *bench) bulkCommand(m *scenario.MockProcess, r *bulkResult, dir string) (string, []string, error) {
	start, end := m.Window()
	if r.what != "export" {
		hcl := hclHeader + fmt.Sprintf(`
data "tencentcallkit_call_records" "all" {
  start_timestamp = %d
  end_timestamp   = %d
  records_format  = %q
  max_records     = %d
}

output "total_num" {
  value = data.tencentcallkit_call_records.all.total_num
}
`, start, end, r.what, r.records)
		return b.opts.terraform, []string{"plan", "-input=false", "-no-color", "-compact-warnings"}, writeDir(dir, hcl)
	}
	if b.opts.actionTerraform == "" {
		return "", nil, fmt.Errorf("the export needs Terraform 1.14 or later: give one with -action-terraform")
	}
	hcl := hclHeader + fmt.Sprintf(`
action "tencentcallkit_call_records_export" "all" {
  config {
    start_timestamp = %d
    end_timestamp   = %d
    path            = "records.jsonl"
    overwrite       = true
  }
}
`, start, end)
	return b.opts.actionTerraform, []string{"apply", "-auto-approve", "-input=false", "-no-color", "-invoke=action.tencentcallkit_call_records_export.all"}, writeDir(dir, hcl)
}

// check proves the run read every record: the plan's total_num, or one
// line of the export's file per record.
func (r *bulkResult) check(output, dir string) error {
	if r.what != "export" {
		if want := fmt.Sprintf("total_num = %d", r.records); !strings.Contains(output, want) {
			return fmt.Errorf("terraform plan does not show %q:\n%s", want, tail(output, 20))
		}
		return nil
	}
	want := fmt.Sprintf("Wrote %d records to ", r.records)
	if !strings.Contains(output, want) {
		return fmt.Errorf("the export did not report %q:\n%s", want, tail(output, 20))
	}
	f, err := os.Open(filepath.Join(dir, "records.jsonl"))
	if err != nil {
		return err
	}
	defer f.Close()
	lines := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if lines != r.records {
		return fmt.Errorf("the export's file has %d lines, want %d", lines, r.records)
	}
	return nil
}

// rssWrapper writes, in dir, a provider executable that runs the real one
// under GNU time, appending its peak RSS (KiB) to $BENCH_PROVIDER_RSS.
// Terraform starts the provider more than once per command; the largest
// counts.
func rssWrapper(dir, provider string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	script := fmt.Sprintf("#!/bin/sh\nexec /usr/bin/time -a -o \"$BENCH_PROVIDER_RSS\" -f %%M %s \"$@\"\n", strconv.Quote(provider))
	return os.WriteFile(filepath.Join(dir, "terraform-provider-tencentcallkit"), []byte(script), 0o755)
}

// maxRSSFile is the largest of the KiB figures GNU time wrote, in bytes.
func maxRSSFile(path string) (int64, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("the provider's peak memory: %w", err)
	}
	var peak int64
	for _, line := range strings.Fields(string(raw)) {
		kib, err := strconv.ParseInt(line, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %q is not a figure of GNU time", path, line)
		}
		peak = max(peak, kib*1024)
	}
	if peak == 0 {
		return 0, fmt.Errorf("%s holds no figure", path)
	}
	return peak, nil
}

func mib(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/mb) }

// bulkRows are the table's rows of the big reads.
func (res *results) bulkRows() []row {
	var rows []row
	for _, r := range res.bulk {
		title := fmt.Sprintf("call_records as %s, %d records: `terraform plan` (not printed)", r.what, r.records)
		if r.what == "export" {
			title = fmt.Sprintf("Export action, %d records to JSON Lines: `terraform apply -invoke` (Terraform ≥ 1.14)", r.records)
		}
		if r.err != nil {
			first, _, _ := strings.Cut(r.err.Error(), "\n")
			rows = append(rows, row{title, "FAILED: " + first, "–", "–", "–", "–", miss})
			continue
		}
		rows = append(rows, r.timeRow(title), r.rssRow(title))
	}
	return rows
}

func (r *bulkResult) timeRow(title string) row {
	floor := r.floor.median()
	fig, ratio := r.wall.median(), "–"
	if floor > 0 {
		ratio = fmt.Sprintf("%.2f× floor", fig.Seconds()/floor.Seconds())
	}
	floorCell := "client walk " + secs(floor) + " (" + r.floor.spread() + ")"
	var target time.Duration
	switch {
	case r.what == "json" && r.records == jsonTargetRecords:
		target = time.Duration(float64(floor)*jsonFloorFactor) + jsonOverFloor
	case r.what == "export" && r.records == exportTargetCount:
		target = time.Duration(float64(floor) * exportFloorFactor)
	default:
		return row{title, secs(fig), r.wall.spread(), floorCell, "–", ratio, info}
	}
	return row{title, secs(fig), r.wall.spread(), floorCell, "≤ " + secs(target), ratio, verdict(fig <= target)}
}

func (r *bulkResult) rssRow(title string) row {
	fig := fmt.Sprintf("terraform %s, provider %s", mib(r.tfRSS), mib(r.provRSS))
	spread := fmt.Sprintf("largest of %d runs", len(r.wall))
	switch {
	case r.what == "json" && r.records == jsonTargetRecords:
		return row{title + ": peak RSS", fig, spread, "–", fmt.Sprintf("terraform ≤ %s, provider ≤ %s", mib(jsonTerraformRSS), mib(jsonProviderRSS)), "–",
			verdict(r.tfRSS <= jsonTerraformRSS && r.provRSS <= jsonProviderRSS)}
	case r.what == "export":
		return row{title + ": peak RSS", fig, spread, "–", "provider ≤ " + mib(exportProviderRSS), "–", verdict(r.provRSS <= exportProviderRSS)}
	}
	return row{title + ": peak RSS", fig, spread, "–", "–", "–", info}
}
