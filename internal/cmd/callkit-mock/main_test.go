package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

func TestCheckLoopback(t *testing.T) {
	t.Parallel()
	for addr, ok := range map[string]bool{
		"127.0.0.1:8080": true, "127.0.0.1:0": true, "[::1]:0": true, "localhost:9000": true,
		"0.0.0.0:8080": false, ":8080": false, "192.168.1.5:80": false, "example.com:80": false, "127.0.0.1": false,
	} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", addr, err, ok)
		}
	}
}

// TestVersion: -version prints the version and starts nothing (not even on a
// taken or refused -addr).
func TestVersion(t *testing.T) {
	t.Parallel()
	var stdout, stderr strings.Builder
	if err := run(context.Background(), []string{"-version", "-addr", "0.0.0.0:1"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if got, want := stdout.String(), "callkit-mock dev (commit none)\n"; got != want {
		t.Errorf("stdout %q, want %q (stderr %q)", got, want, stderr.String())
	}
}

// buildWithVersion builds the command with the version a release build sets
// (.goreleaser.yml's ldflags) and checks that -version prints it.
func buildWithVersion(ctx context.Context, t *testing.T, gobin string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "callkit-mock")
	out, err := exec.CommandContext(ctx, gobin, "build", "-ldflags", "-X main.version=9.9.9-test -X main.commit=abc123", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err = exec.CommandContext(ctx, bin, "-version").CombinedOutput()
	if err != nil || string(out) != "callkit-mock 9.9.9-test (commit abc123)\n" {
		t.Fatalf("callkit-mock -version: %v, output %q", err, out)
	}
	return bin
}

// TestCommand builds the command, starts it on a free port, sends one signed
// request and stops it with SIGINT.
func TestCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin := buildWithVersion(ctx, t, gobin)

	// A non-loopback address is refused.
	out, err := exec.CommandContext(ctx, bin, "-addr", "0.0.0.0:0").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "loopback") {
		t.Fatalf("non-loopback -addr: err %v, output %s", err, out)
	}

	const key = "cmd-test-key"
	cmd := exec.CommandContext(ctx, bin, "-addr", "127.0.0.1:0", "-sdkappid", "1400000042", "-key", key, "-records", "50", "-ratelimit=false")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = cmd.Process.Kill()
			if err := <-exited; err != nil {
				t.Logf("mock killed at cleanup: %v", err)
			}
		}
	})

	lines := make(chan string, 8)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func() string {
		t.Helper()
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("stdout closed early")
			}
			return l
		case <-time.After(30 * time.Second):
			t.Fatal("no output within 30s")
		}
		return ""
	}
	first := next()
	m := regexp.MustCompile(`^listening on (http://127\.0\.0\.1:\d+)$`).FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("first line %q", first)
	}
	base := m[1]
	if l := next(); l != "sdk_app_id = 1400000042" {
		t.Fatalf("second line %q", l)
	}
	if l := next(); l != `secret_key = "`+key+`"` {
		t.Fatalf("third line %q", l)
	}

	for l := next(); !strings.HasPrefix(l, "console: "); l = next() {
		if !strings.Contains(l, " = ") {
			t.Fatalf("unexpected line %q before the console's address", l)
		}
	}
	page, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != http.StatusOK || !strings.Contains(string(html), "SDKAppID 1400000042") {
		t.Fatalf("the console at %s/ answered %d:\n%.300s", base, page.StatusCode, html)
	}

	sig, err := tencentyun.GenUserSig(1400000042, key, "administrator", 600)
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"sdkappid": {"1400000042"}, "identifier": {"administrator"}, "usersig": {sig}, "random": {strconv.Itoa(77)}, "contenttype": {"json"}}
	resp, err := http.Post(base+"/v1/records/get_records_by_filter?"+q.Encode(), "application/json",
		strings.NewReader(`{"startTimestamp":`+strconv.FormatInt(time.Now().Add(-8*24*time.Hour).Unix(), 10)+
			`,"endTimestamp":`+strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10)+`,"numberPerPage":20}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var env struct {
		ErrorCode int `json:"errorCode"`
		Data      struct {
			TotalNum int               `json:"totalNum"`
			Page     int               `json:"page"`
			List     []json.RawMessage `json:"callRecordList"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.ErrorCode != 0 || env.Data.TotalNum != 50 || len(env.Data.List) != 20 || env.Data.Page != 1 {
		t.Fatalf("signed request answered %.300s", body)
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Fatalf("exit after SIGINT: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the mock did not stop within 15s of SIGINT")
	}
}
