package main

// The shared-limit scenario (issue 34): several Terraform runs at once
// against one mock, whose limits are per app; other clients taking a share
// of every limit; and injected faults, run after run.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/bench/internal/scenario"
)

const scenarioShared = "shared"

// sharedCase is one row: runs concurrent plans, each reading every record
// (as JSON) and lookups records by ID (and call_stats when stats), repeated
// repeat times in a row against one mock.
type sharedCase struct {
	runs, lookups, repeat int
	others                float64 // the share of every limit other clients take
	faults                float64 // injected failures, the mock's default kinds
	stats                 bool
}

var sharedCases = []sharedCase{
	{runs: 1, lookups: 20, repeat: 1},
	{runs: 3, lookups: 20, repeat: 1},
	{runs: 6, lookups: 20, repeat: 1},
	{runs: 1, lookups: 40, repeat: 1},
	{runs: 1, lookups: 40, repeat: 1, others: 0.5},
	{runs: 1, lookups: 0, repeat: 20, faults: 0.3, stats: true},
}

// sharedRow is what the mock saw of one case.
type sharedRow struct {
	c                 sharedCase
	span              time.Duration // first API request to last (the mock's stats)
	floor             time.Duration // the busiest path's useful requests ÷ the rate left to them
	requests, refused int
	failed            int
	wall              sample
	err               string // the first failure, shortened
}

// shared runs every case against a fresh mock each (their stats are the
// case's alone), and returns the results section.
func (b *bench) shared(ctx context.Context) (string, error) {
	rc := filepath.Join(b.work, "real.tfrc")
	if err := cliConfig(rc, "tencentcallkit/tencentcallkit", b.realDir); err != nil {
		return "", err
	}
	var rows []sharedRow
	for i, c := range sharedCases {
		if c.faults > 0 {
			c.repeat = max(b.opts.faultRuns, 1)
		}
		err := b.withRecordsMock(b.opts.records, func(m *scenario.MockProcess) error {
			logf("%s: %d run(s) at once, %d lookups, others %.0f %%, faults %.0f %%, ×%d (load %s)",
				scenarioShared, c.runs, c.lookups, 100*c.others, 100*c.faults, c.repeat, loadAvg())
			row, err := b.sharedRun(ctx, m, c, rc, filepath.Join(b.work, fmt.Sprintf("shared-%d", i)))
			if err != nil {
				return err
			}
			rows = append(rows, row)
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("%s: %w", scenarioShared, err)
		}
	}
	return sharedMarkdown(rows, b.opts.records), nil
}

// sharedSetup sets the mock's share for other clients and its faults, and
// writes one workspace per run.
func sharedSetup(ctx context.Context, m *scenario.MockProcess, c sharedCase, dir string) ([]string, error) {
	if err := postControl(ctx, m, "/_mock/others", fmt.Sprintf(`{"share": %g}`, c.others)); err != nil {
		return nil, err
	}
	if c.faults > 0 {
		if err := postControl(ctx, m, "/_mock/faults", fmt.Sprintf(`{"rate": %g}`, c.faults)); err != nil {
			return nil, err
		}
	}
	ids, err := m.CallIDs(ctx, c.lookups)
	if err != nil {
		return nil, err
	}
	start, end := m.Window()
	hcl := sharedHCL(start, end, ids, c.stats)
	dirs := make([]string, c.runs)
	for i := range dirs {
		dirs[i] = filepath.Join(dir, strconv.Itoa(i))
		if err := writeDir(dirs[i], hcl); err != nil {
			return nil, err
		}
	}
	return dirs, nil
}

func (b *bench) sharedRun(ctx context.Context, m *scenario.MockProcess, c sharedCase, rc, dir string) (sharedRow, error) {
	row := sharedRow{c: c}
	dirs, err := sharedSetup(ctx, m, c, dir)
	if err != nil {
		return row, err
	}
	r := tfRunner{terraform: b.opts.terraform, backend: m.Backend, timeout: b.opts.tfTimeout}
	for range c.repeat {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for _, d := range dirs {
			wg.Go(func() {
				run, err := r.plan(ctx, d, rc, "")
				if err == nil {
					err = sharedCheck(run.output, b.opts.records, c)
				}
				mu.Lock()
				defer mu.Unlock()
				row.wall = append(row.wall, run.wall)
				if err != nil {
					row.failed++
					if row.err == "" {
						row.err = firstLine(err.Error())
					}
				}
			})
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return row, err
		}
	}
	b.sent()
	st, err := mockStats(ctx, m)
	if err != nil {
		return row, err
	}
	row.span = st.LastRequest.Sub(st.FirstRequest)
	row.refused = st.RateLimited
	for path, n := range st.Requests {
		row.requests += n
		if fl := time.Duration(float64(st.Applied[path]) / (sharedRate(path) * (1 - c.others)) * float64(time.Second)); fl > row.floor {
			row.floor = fl
		}
	}
	return row, nil
}

// sharedRate is a path's documented rate (callkit-api.md §2).
func sharedRate(path string) float64 {
	if path == "v1/records/get_record_by_callId" {
		return 20
	}
	return 200
}

// sharedHCL reads every record as JSON, the lookups and (with stats) call_stats.
func sharedHCL(start, end int64, ids []string, stats bool) string {
	hcl := lookupsHCL(ids) + fmt.Sprintf(`
data "tencentcallkit_call_records" "all" {
  start_timestamp = %[1]d
  end_timestamp   = %[2]d
  records_format  = "json"
}

output "total_num" {
  value = data.tencentcallkit_call_records.all.total_num
}

output "json_bytes" {
  value = length(data.tencentcallkit_call_records.all.records_json)
}
`, start, end)
	if stats {
		hcl += fmt.Sprintf(`
data "tencentcallkit_call_stats" "all" {
  start_timestamp = %[1]d
  end_timestamp   = %[2]d
}

output "call_count" {
  value = data.tencentcallkit_call_stats.all.call_count
}
`, start, end)
	}
	return hcl
}

// sharedCheck: the plan read every record (and counted every one in call_stats).
func sharedCheck(out string, records int, c sharedCase) error {
	want := []string{fmt.Sprintf("total_num  = %d", records)}
	if c.stats {
		want = append(want, fmt.Sprintf("call_count = %d", records))
	}
	for _, w := range want {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(w), " ")) {
			return fmt.Errorf("the plan does not show %q:\n%s", w, tail(out, 20))
		}
	}
	return nil
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "Error") || strings.Contains(l, "after") {
			return strings.TrimSpace(l)
		}
	}
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// mockTimes is the part of /_mock/stats the shared scenario reads.
type mockTimes struct {
	Requests     map[string]int `json:"requests"`
	Applied      map[string]int `json:"applied"`
	RateLimited  int            `json:"rate_limited"`
	FirstRequest time.Time      `json:"first_request"`
	LastRequest  time.Time      `json:"last_request"`
}

func mockStats(ctx context.Context, m *scenario.MockProcess) (mockTimes, error) {
	var st mockTimes
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.URL+"/_mock/stats", nil)
	if err != nil {
		return st, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("GET /_mock/stats: %s", resp.Status)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

func postControl(ctx context.Context, m *scenario.MockProcess, path, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("POST %s: %s", path, resp.Status)
	}
	return nil
}

func sharedMarkdown(rows []sharedRow, records int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Shared limits: several runs at once, other clients, faults\n\n")
	fmt.Fprintf(&b, "`go run ./bench/cmd/bench -only %s` (issue 34). Each case against a fresh mock (default mode: a bucket of N per path, per app) holding %d records; every run is one `terraform plan` reading them all as JSON (`records_format = \"json\"`) plus the lookups (and `call_stats`), the runs of a case started together. Span: first API request to last, from the mock; floor: the busiest path's useful requests (answered with code 0) ÷ the rate left to this app (200/s, 20/s for lookups, less what other clients take), no burst credited. Refused: the mock's rate-limit answers (not injected faults) ÷ every request it received.\n\n", scenarioShared, records)
	b.WriteString("| case | runs | failed | span | floor | span ÷ floor | target | refused / requests | target | plan wall (median, max) | |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		name := fmt.Sprintf("%d run(s) at once: %d records + %d lookups", r.c.runs, records, r.c.lookups)
		spanTarget, refusedTarget := "≤ 1.3×", "≤ 10 %"
		switch {
		case r.c.faults > 0:
			name = fmt.Sprintf("%.0f %% injected faults, %d runs in a row: %d records + call_stats", 100*r.c.faults, r.c.repeat, records)
			spanTarget, refusedTarget = "–", "–"
		case r.c.others > 0:
			name += fmt.Sprintf(", other clients take %.0f %% of every limit", 100*r.c.others)
		case r.c.runs == 1:
			spanTarget, refusedTarget = "–", "–"
		}
		ratio := float64(r.span) / float64(r.floor)
		refused := float64(r.refused) / float64(max(r.requests, 1))
		pass := r.failed == 0
		if spanTarget != "–" {
			pass = pass && ratio <= 1.3 && refused <= 0.10
		}
		v := verdict(pass)
		if spanTarget == "–" && pass {
			v = ok
		}
		if r.err != "" {
			v += "; first failure: " + strings.ReplaceAll(r.err, "|", "/")
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s | %.2f× | %s | %d / %d (%.1f %%) | %s | %s, %s | %s |\n",
			name, r.c.runs*r.c.repeat, r.failed, secs(r.span), secs(r.floor), ratio, spanTarget,
			r.refused, r.requests, 100*refused, refusedTarget, secs(r.wall.median()), secs(r.wall.max()), v)
	}
	return b.String()
}
