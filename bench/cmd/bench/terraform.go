package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/bench/internal/scenario"
)

// cliConfig writes a Terraform CLI configuration whose dev_overrides point
// the provider source (e.g. tencentcallkit/tencentcallkit) at the provider
// binary in dir: no registry, no terraform init.
func cliConfig(path, source, dir string) error {
	body := fmt.Sprintf(`provider_installation {
  dev_overrides {
    %s = %s
  }
  direct {}
}
`, strconv.Quote(source), strconv.Quote(dir))
	return os.WriteFile(path, []byte(body), 0o600)
}

const hclHeader = `terraform {
  required_providers {
    tencentcallkit = {
      source = "tencentcallkit/tencentcallkit"
    }
  }
}

# Endpoint, SDKAppID and key come from TENCENTCALLKIT_* environment variables.
provider "tencentcallkit" {}
`

// workspaceHCL is the workspace, what the apply, plan and schema
// phases run: one callback and one record lookup.
func workspaceHCL(callID string) string {
	return hclHeader + fmt.Sprintf(`
resource "tencentcallkit_callback" "main" {
  address = "https://hooks.example.com/callkit"
  actions = ["normal_end", "call_busy"]
}

data "tencentcallkit_call_record" "one" {
  call_id = %s
}
`, strconv.Quote(callID))
}

// lookupsHCL is one tencentcallkit_call_record data source per call ID.
func lookupsHCL(callIDs []string) string {
	var b strings.Builder
	b.WriteString(hclHeader)
	for i, id := range callIDs {
		fmt.Fprintf(&b, "\ndata \"tencentcallkit_call_record\" \"r%02d\" {\n  call_id = %s\n}\n", i, strconv.Quote(id))
	}
	return b.String()
}

// pagingHCL is one all-pages tencentcallkit_call_records read.
func pagingHCL(start, end int64) string {
	return windowReadHCL("tencentcallkit_call_records", "all", "total_num", start, end)
}

// windowReadHCL is one read of dataSource over [start, end] with its attribute
// out as an output of that name.
func windowReadHCL(dataSource, name, out string, start, end int64) string {
	return hclHeader + fmt.Sprintf(`
data %q %q {
  start_timestamp = %d
  end_timestamp   = %d
}

output %q {
  value = data.%s.%s.%s
}
`, dataSource, name, start, end, out, dataSource, name, out)
}

// writeDir creates dir holding main.tf.
func writeDir(dir, hcl string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(hcl), 0o644)
}

// tfRunner runs terraform in a scenario directory.
type tfRunner struct {
	terraform string
	backend   scenario.Backend
	timeout   time.Duration
	extraEnv  []string // added to the run's environment
}

// tfRun is one finished terraform command.
type tfRun struct {
	wall    time.Duration
	output  string
	exit    int   // the exit status (0 unless a command allowed to end otherwise)
	peakRSS int64 // bytes: terraform's own peak resident memory (VmHWM, sampled)
}

// plan runs `terraform plan` in dir with the CLI configuration rc. With
// logPath set the provider's log (TF_LOG_PROVIDER=trace, framework internals
// off) is written there. The plan must succeed: an error carries its output.
func (r tfRunner) plan(ctx context.Context, dir, rc, logPath string) (tfRun, error) {
	return r.run(ctx, dir, rc, logPath, nil, "plan", "-input=false", "-no-color", "-compact-warnings")
}

// run runs terraform with args in dir with the CLI configuration rc and
// times it. An exit status other than 0 is an error unless okExit allows it.
func (r tfRunner) run(ctx context.Context, dir, rc, logPath string, okExit []int, args ...string) (tfRun, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.terraform, args...)
	cmd.Dir = dir
	cmd.Env = r.env(rc, logPath)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Terraform starts provider plugins: give it its own process group so a
	// timeout stops the plugins this run started too, and nothing else.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	begin := time.Now()
	var peak int64
	err := cmd.Start()
	if err == nil {
		stop := make(chan struct{})
		sampled := make(chan int64)
		go func() { sampled <- samplePeakRSS(cmd.Process.Pid, stop) }()
		err = cmd.Wait()
		close(stop)
		peak = <-sampled
	}
	run := tfRun{wall: time.Since(begin), output: out.String(), peakRSS: peak}
	name := "terraform " + args[0]
	if ctx.Err() != nil {
		return run, fmt.Errorf("%s in %s did not finish within %s", name, dir, r.timeout)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && slices.Contains(okExit, ee.ExitCode()) {
		run.exit = ee.ExitCode()
		err = nil
	}
	if err != nil {
		return run, fmt.Errorf("%s in %s: %w\n%s", name, dir, err, tail(run.output, 40))
	}
	return run, nil
}

// env is the process environment without any Terraform or provider settings
// of the caller's (this machine exports a TF_CLI_CONFIG_FILE naming a missing
// file; a developer's may hold credentials), plus the run's own.
func (r tfRunner) env(rc, logPath string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TF_") || strings.HasPrefix(name, "TENCENTCALLKIT_") ||
			strings.HasPrefix(name, "TENCENTCLOUD_") || name == "CHECKPOINT_DISABLE" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"TF_CLI_CONFIG_FILE="+rc,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TENCENTCALLKIT_ENDPOINT="+r.backend.URL,
		"TENCENTCALLKIT_SDK_APP_ID="+strconv.FormatInt(r.backend.SDKAppID, 10),
		"TENCENTCALLKIT_SECRET_KEY="+r.backend.Key,
	)
	env = append(env, r.extraEnv...)
	if logPath != "" {
		env = append(env, "TF_LOG_PROVIDER=trace", "TF_LOG_SDK_FRAMEWORK=off", "TF_LOG_PATH="+logPath)
	}
	return env
}

// samplePeakRSS reads the process's high-water mark of resident memory
// (VmHWM: its own, not its children's) every 20 ms until stop, and returns
// the last reading in bytes. The process's last 20 ms may go unseen.
func samplePeakRSS(pid int, stop <-chan struct{}) int64 {
	var peak int64
	status := fmt.Sprintf("/proc/%d/status", pid)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if raw, err := os.ReadFile(status); err == nil {
			for _, line := range strings.Split(string(raw), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					kib, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
					peak = max(peak, kib*1024)
				}
			}
		}
		select {
		case <-stop:
			return peak
		case <-tick.C:
		}
	}
}

func tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}

// readSpan is what the provider's log says about the ReadDataSource calls of
// one plan, timed by the provider itself.
type readSpan struct {
	reads    int           // ReadDataSource requests received
	span     time.Duration // first request received → last response served
	limited  int           // rate-limit answers (70005, 60011) the client saw (and retried)
	requests int           // API requests the client sent
}

// parseProviderLog reads a TF_LOG_PATH file. Each line the plugin logged
// carries its own timestamp=..., taken in the provider process.
func parseProviderLog(r io.Reader) (readSpan, error) {
	var (
		s           readSpan
		first, last time.Time
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, "CallKit API request:") {
			s.countRequest(line)
			continue
		}
		received, served := readEvent(line)
		if !received && !served {
			continue
		}
		ts, err := logTimestamp(line)
		if err != nil {
			return s, err
		}
		if received {
			s.reads++
			if first.IsZero() || ts.Before(first) {
				first = ts
			}
		}
		if served && ts.After(last) {
			last = ts
		}
	}
	if err := sc.Err(); err != nil {
		return s, err
	}
	if s.reads == 0 || last.IsZero() {
		return s, errors.New("the provider log has no served ReadDataSource request")
	}
	s.span = last.Sub(first)
	return s, nil
}

// countRequest counts one logged CallKit API request, and whether the
// service refused it for its rate (70005 v1, 60011 v4).
func (s *readSpan) countRequest(line string) {
	s.requests++
	if strings.Contains(line, " error_code=70005") || strings.Contains(line, " error_code=60011") {
		s.limited++
	}
}

// readEvent says whether line logs a ReadDataSource request received or served.
func readEvent(line string) (received, served bool) {
	if !strings.Contains(line, "tf_rpc=ReadDataSource") {
		return false, false
	}
	return strings.Contains(line, "Received request:"), strings.Contains(line, "Served request:")
}

// logTimestamp returns the value of the line's timestamp= field.
func logTimestamp(line string) (time.Time, error) {
	i := strings.LastIndex(line, " timestamp=")
	if i < 0 {
		return time.Time{}, fmt.Errorf("no timestamp= in log line %.120q", line)
	}
	v := line[i+len(" timestamp="):]
	if j := strings.IndexByte(v, ' '); j >= 0 {
		v = v[:j]
	}
	return time.Parse(time.RFC3339Nano, v)
}
