package provider

// Tests of live mode's safety (live_test.go), run in the normal test pass
// against the in-process mock: the refusal to start, the restore after a run
// killed outright or interrupted, and the sweeper's mark. The runs are this
// test binary started again in live mode, as `make testacc-live` and `make
// sweep` start it.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// envLiveHelperEnd selects how TestLiveHelper_changeAndEnd ends its run.
const envLiveHelperEnd = "TENCENTCALLKIT_TEST_LIVE_HELPER_END"

func TestLive_checkLiveApp(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		app  int64
		list string
		ok   bool
	}{
		{1400000000, "1400000000", true},
		{1400000000, " 1400000007 , 1400000000 ", true},
		{1400000000, "", false},
		{1400000000, "14000000001,140000000", false},
		{1400000000, "1400000001", false},
		{0, "0", false},
	} {
		err := checkLiveApp(c.app, c.list)
		if (err == nil) != c.ok {
			t.Errorf("checkLiveApp(%d, %q) = %v, want ok %v", c.app, c.list, err, c.ok)
		}
		if err != nil && c.app > 0 && !strings.Contains(err.Error(), envAccLiveApp) {
			t.Errorf("the refusal does not name %s: %v", envAccLiveApp, err)
		}
	}
}

func TestLive_hasLiveMark(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"https://hooks.example.com/tf-acc-test/abc/v1": true,
		"https://hooks.example.com/tf-acc-test":        true,
		"http://127.0.0.1:8080/a/tf-acc-test/":         true,
		"https://hooks.example.com/tf-acc-tests/abc":   false,
		"https://hooks.example.com/x-tf-acc-test":      false,
		"https://tf-acc-test.example.com/cb":           false,
		"https://hooks.example.com/cb?p=/tf-acc-test/": false,
		"https://hooks.example.com/cb#/tf-acc-test/":   false,
		"ftp://hooks.example.com/tf-acc-test/":         false,
		"":                                             false,
	} {
		if got := hasLiveMark(addr); got != want {
			t.Errorf("hasLiveMark(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestLive_sweepDeletesOnlyMarked: the sweeper deletes a configuration whose
// address has the tf-acc-test segment and leaves any other alone.
func TestLive_sweepDeletesOnlyMarked(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name           string
		v1, v4         string // "" = none
		keepV1, keepV4 bool
	}{
		{"v1 marked", "https://hooks.example.com/tf-acc-test/r/v1", "https://hooks.example.com/prod", false, true},
		{"v4 marked", "https://hooks.example.com/prod", "https://hooks.example.com/tf-acc-test/r/v4", true, false},
		{"both marked", "https://h.example.com/tf-acc-test", "https://h.example.com/tf-acc-test/", false, false},
		{"look-alikes", "https://tf-acc-test.example.com/cb?x=/tf-acc-test/", "https://h.example.com/tf-acc-tests/x", true, true},
		{"none", "", "", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			mock, url := newTestMock(t, mockserver.Options{})
			set := map[string]mockserver.Callback{}
			if c.v1 != "" {
				set["v1"] = mockserver.Callback{Address: c.v1, Actions: []string{"normal_end"}}
				mock.SetCallback(set["v1"])
			}
			if c.v4 != "" {
				set["v4"] = mockserver.Callback{Address: c.v4, Actions: []string{"Call.CallbackAfterEndCall"}}
				mock.SetCallbackV4(set["v4"])
			}
			swept, err := sweepCallbacks(t.Context(), mockClient(t, url, mockserver.DefaultSDKAppID))
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range []struct {
				name string
				keep bool
				get  func() (mockserver.Callback, bool)
			}{{"v1", c.keepV1, mock.Callback}, {"v4", c.keepV4, mock.CallbackV4}} {
				got, ok := g.get()
				_, had := set[g.name]
				switch {
				case g.keep && (!ok || got.Address != set[g.name].Address):
					t.Errorf("%s: the unmarked configuration %q was not left alone: now %+v (present %v)", g.name, set[g.name].Address, got, ok)
				case !g.keep && ok:
					t.Errorf("%s: the marked configuration %q was not deleted", g.name, got.Address)
				case !g.keep && had && !strings.Contains(fmt.Sprint(swept), g.name):
					t.Errorf("%s: deleted but not reported: %v", g.name, swept)
				}
			}
		})
	}
}

func mockClient(t *testing.T, url string, sdkAppID int64) *callkit.Client {
	t.Helper()
	c, err := callkit.New(callkit.Config{SDKAppID: sdkAppID, SecretKey: mockserver.DefaultKey, Endpoint: url, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// liveEnv is the environment of a live run of this test binary against the
// mock at url, with app listed in TENCENTCALLKIT_ACC_LIVE_APP (or not).
func liveEnv(url string, app int64, listed, saveDir string) []string {
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TENCENTCALLKIT_") && !strings.HasPrefix(kv, "TENCENTCLOUD_") {
			env = append(env, kv)
		}
	}
	return append(env, envAccLive+"=1", envAccLiveApp+"="+listed, envAccLiveSaveDir+"="+saveDir,
		envSDKAppID+"="+strconv.FormatInt(app, 10), envSecretKey+"="+mockserver.DefaultKey, envEndpoint+"="+url)
}

// runSelf runs this test binary with args and env, bounded in time.
func runSelf(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestLive_refusesUnlistedApp: live mode does not start, and changes nothing,
// unless TENCENTCALLKIT_ACC_LIVE_APP lists the configured app; neither does
// a sweep.
func TestLive_refusesUnlistedApp(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	for _, args := range [][]string{{"-test.run=^TestLive_hasLiveMark$", "-test.v"}, {"-sweep=app"}} {
		out, err := runSelf(t, liveEnv(url, mockserver.DefaultSDKAppID, "1400000007", t.TempDir()), args...)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("%v: want exit status 1, got %v\n%s", args, err, out)
		}
		if !strings.Contains(out, "refuse to start: SDKAppID 1400000000 is not listed in "+envAccLiveApp) {
			t.Errorf("%v: the output does not say why it refused:\n%s", args, out)
		}
		if strings.Contains(out, "=== RUN") {
			t.Errorf("%v: tests ran although the app is not listed:\n%s", args, out)
		}
	}
	assertNoAPICalls(t, mock)
}

// TestLive_restoresAfterKilledRun: a live run killed outright (SIGKILL) in
// the middle leaves the app's saved configurations in the file; the next
// `make sweep` restores exactly them before sweeping. An interrupted run
// (SIGINT) restores them itself.
func TestLive_restoresAfterKilledRun(t *testing.T) {
	t.Parallel()
	const app = 1400000055 // the save file is per app
	original := mockserver.Callback{Address: "https://hooks.example.com/prod/v4", Actions: []string{"Call.CallbackAfterEndCall"}}
	for _, end := range []string{"kill", "interrupt"} {
		t.Run(end, func(t *testing.T) {
			mock, url := newTestMock(t, mockserver.Options{SDKAppID: app})
			mock.SetCallbackV4(original) // v1: none
			dir := t.TempDir()
			env := liveEnv(url, app, "1400000000,"+strconv.Itoa(app), dir)
			out, err := runSelf(t, append(env, envLiveHelperEnd+"="+end), "-test.run=^TestLiveHelper_changeAndEnd$", "-test.v")
			if err == nil {
				t.Fatalf("the run was to end by %s, but it succeeded:\n%s", end, out)
			}
			if !strings.Contains(out, "changed both configurations") {
				t.Fatalf("the helper did not run:\n%s", out)
			}
			file := fmt.Sprintf("%s/callbacks-%d.json", dir, app)
			_, statErr := os.Stat(file)
			if end == "interrupt" {
				if statErr == nil {
					t.Errorf("the interrupted run did not remove %s after restoring", file)
				}
			} else {
				if statErr != nil {
					t.Fatalf("the killed run left no saved file: %v\n%s", statErr, out)
				}
				if got, ok := mock.CallbackV4(); !ok || !hasLiveMark(got.Address) {
					t.Fatalf("the killed run was to leave its own v4 configuration, the mock holds %+v", got)
				}
				// The next sweep restores the file first.
				out, err := runSelf(t, env, "-sweep=app")
				if err != nil {
					t.Fatalf("make sweep after the killed run: %v\n%s", err, out)
				}
				for _, want := range []string{"restoring the callback configurations a killed run saved", fmt.Sprintf("sweep: app %d: deleted 0", app)} {
					if !strings.Contains(out, want) {
						t.Errorf("the sweep's output does not say %q:\n%s", want, out)
					}
				}
				if _, err := os.Stat(file); err == nil {
					t.Errorf("the sweep restored but did not remove %s", file)
				}
			}
			if got, ok := mock.CallbackV4(); !ok || got.Address != original.Address || fmt.Sprint(got.Actions) != fmt.Sprint(original.Actions) {
				t.Errorf("v4 after the %s: %+v (present %v), want the saved %+v", end, got, ok, original)
			}
			if got, ok := mock.Callback(); ok {
				t.Errorf("v1 after the %s: %+v, want none (none was saved)", end, got)
			}
		})
	}
}

// TestLiveHelper_changeAndEnd is the live run TestLive_restoresAfterKilledRun
// starts: it changes both configurations as a callback test would, then ends
// the process by SIGKILL or SIGINT. It skips elsewhere.
func TestLiveHelper_changeAndEnd(t *testing.T) {
	end := os.Getenv(envLiveHelperEnd)
	if !liveMode() || end == "" {
		t.Skip("helper of TestLive_restoresAfterKilledRun: runs only in the live run that test starts")
	}
	client, err := liveClientFromEnv(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	// The session saved the app's v4 configuration and cleared it.
	if cb, err := client.GetCallbackV4(t.Context()); !errors.Is(err, callkit.ErrNotFound) {
		t.Fatalf("the tests start with the v4 configuration %+v (%v), want none: the session clears what it saved", cb, err)
	}
	if err := client.SetCallback(t.Context(), callkit.Callback{Address: liveAddress("v1"), Actions: []string{"normal_end"}}); err != nil {
		t.Fatal(err)
	}
	if err := client.SetCallbackV4(t.Context(), callkit.Callback{Address: liveAddress("v4"), Actions: []string{"Call.CallbackAfterStartCall"}}); err != nil {
		t.Fatal(err)
	}
	fmt.Println("changed both configurations")
	sig := syscall.SIGKILL
	if end == "interrupt" {
		sig = syscall.SIGINT
	}
	_ = syscall.Kill(os.Getpid(), sig)
	time.Sleep(time.Minute) // the signal ends the process first
	t.Fatal("still running a minute after the signal")
}
