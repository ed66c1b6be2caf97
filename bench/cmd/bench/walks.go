package main

// The call_stats scenarios (issue 26): a week of a busy app (250,000 calls)
// and four times that, read by `terraform plan` through the provider, with
// and without 50 ms of latency the mock adds to every answer, against the
// rate-limit floor (pages ÷ 200/s), with the provider's peak RSS.
// `-only call-stats` runs these alone.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/bench/internal/scenario"
)

const callStatsScenario = "call-stats"

// callStatsCase is one row of the call_stats table.
type callStatsCase struct {
	records int
	latency time.Duration
	target  float64 // × the floor
}

var callStatsCases = []callStatsCase{
	{250_000, 0, 1.1}, {250_000, 50 * time.Millisecond, 1.2},
	{1_000_000, 0, 1.1}, {1_000_000, 50 * time.Millisecond, 1.2},
}

// callStatsRow is one measured row.
type callStatsRow struct {
	c        callStatsCase
	span     time.Duration // the provider's ReadDataSource, by its own log
	wall     time.Duration // the whole terraform plan
	peakRSS  int64         // the provider process's VmHWM, bytes
	requests int
	limited  int
}

func (r callStatsRow) floor() time.Duration {
	pages := (r.c.records + 99) / 100
	return time.Duration(pages) * time.Second / 200
}

// callStats runs every case (a fresh mock for each record count) and returns
// the results section.
func (b *bench) callStats(ctx context.Context) (string, error) {
	var rows []callStatsRow
	for _, n := range []int{250_000, 1_000_000} {
		err := b.withRecordsMock(n, func(m *scenario.MockProcess) error {
			for _, c := range callStatsCases {
				if c.records != n {
					continue
				}
				logf("%s: %d records, %v latency (load %s)", callStatsScenario, n, c.latency, loadAvg())
				row, err := b.callStatsRun(ctx, m, c)
				if err != nil {
					return err
				}
				rows = append(rows, row)
			}
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("%s: %w", callStatsScenario, err)
		}
	}
	return callStatsMarkdown(rows), nil
}

func (b *bench) withRecordsMock(n int, fn func(*scenario.MockProcess) error) error {
	mockLog, err := os.OpenFile(filepath.Join(b.work, "mock.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer mockLog.Close()
	logf("starting the default mock with %d records", n)
	m, err := scenario.StartMockProcess(b.mockBin, n, scenario.ModeDefault, mockLog)
	if err != nil {
		return err
	}
	defer func() {
		if err := m.Close(); err != nil {
			logf("%v", err)
		}
	}()
	return fn(m)
}

// callStatsRun sets the mock's latency and reads call_stats over every record once.
func (b *bench) callStatsRun(ctx context.Context, m *scenario.MockProcess, c callStatsCase) (callStatsRow, error) {
	row := callStatsRow{c: c}
	if err := setLatency(ctx, m, c.latency); err != nil {
		return row, err
	}
	rc := filepath.Join(b.work, "real.tfrc")
	if err := cliConfig(rc, "tencentcallkit/tencentcallkit", b.realDir); err != nil {
		return row, err
	}
	dir := filepath.Join(b.work, fmt.Sprintf("call-stats-%d-%d", c.records, c.latency.Milliseconds()))
	start, end := m.Window()
	if err := writeDir(dir, callStatsHCL(start, end)); err != nil {
		return row, err
	}
	if err := b.settle(ctx); err != nil {
		return row, err
	}
	logPath := filepath.Join(dir, "provider.log")
	r := tfRunner{terraform: b.opts.terraform, backend: m.Backend, timeout: b.opts.tfTimeout}
	wall, peak, out, err := planWithPeakRSS(ctx, r, dir, rc, logPath)
	b.sent()
	if err != nil {
		return row, err
	}
	if want := fmt.Sprintf("call_count = %d", c.records); !strings.Contains(out, want) {
		return row, fmt.Errorf("the plan does not show %q:\n%s", want, tail(out, 20))
	}
	span, err := parseLogFile(logPath)
	if err != nil {
		return row, err
	}
	row.span, row.wall, row.peakRSS, row.requests, row.limited = span.span, wall, peak, span.requests, span.limited
	return row, nil
}

func setLatency(ctx context.Context, m *scenario.MockProcess, d time.Duration) error {
	return postControl(ctx, m, "/_mock/latency", fmt.Sprintf(`{"ms": %d}`, d.Milliseconds()))
}

// callStatsHCL is one tencentcallkit_call_stats read of the window.
func callStatsHCL(start, end int64) string {
	return windowReadHCL("tencentcallkit_call_stats", "week", "call_count", start, end)
}

// planWithPeakRSS runs terraform plan and samples the peak RSS (VmHWM) of the
// processes terraform starts (the provider) until it ends.
func planWithPeakRSS(ctx context.Context, r tfRunner, dir, rc, logPath string) (time.Duration, int64, string, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.terraform, "plan", "-input=false", "-no-color")
	cmd.Dir, cmd.Env = dir, r.env(rc, logPath)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, "", err
	}
	done := make(chan struct{})
	peak := make(chan int64, 1)
	go func() { peak <- samplePeak(cmd.Process.Pid, done) }()
	err := cmd.Wait()
	wall := time.Since(begin)
	close(done)
	p := <-peak
	if err != nil {
		return wall, p, out.String(), fmt.Errorf("terraform plan in %s: %w\n%s", dir, err, tail(out.String(), 40))
	}
	return wall, p, out.String(), nil
}

// samplePeak polls the children of pid every 100 ms for their VmHWM.
func samplePeak(pid int, done <-chan struct{}) int64 {
	var peak int64
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		for _, child := range childrenOf(pid) {
			peak = max(peak, vmHWM(child))
		}
		select {
		case <-done:
			return peak
		case <-t.C:
		}
	}
}

func childrenOf(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, s := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(s); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

func vmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func callStatsMarkdown(rows []callStatsRow) string {
	var b strings.Builder
	b.WriteString("\n## call_stats at a busy app's volume\n\n")
	b.WriteString("`terraform plan` of one `tencentcallkit_call_stats` over every record of the mock (100 a page), one run each " +
		"(`go run ./bench/cmd/bench -only call-stats` runs these alone). Read: the provider's ReadDataSource by its own log; " +
		"floor: pages ÷ 200/s; peak RSS: the provider process's VmHWM.\n\n")
	b.WriteString("| records | mock latency | read | terraform plan | floor | read ÷ floor | target | requests | rate-limited | provider peak RSS | verdict |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		ratio := float64(r.span) / float64(r.floor())
		verdict := "ok"
		if ratio > r.c.target {
			verdict = "MISS"
		}
		fmt.Fprintf(&b, "| %d | %d ms | %.2f s | %.2f s | %.2f s | %.2f× | ≤ %.1f× | %d | %d | %.0f MiB | %s |\n",
			r.c.records, r.c.latency.Milliseconds(), r.span.Seconds(), r.wall.Seconds(), r.floor().Seconds(), ratio, r.c.target,
			r.requests, r.limited, float64(r.peakRSS)/(1<<20), verdict)
	}
	return b.String()
}
