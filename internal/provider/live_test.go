package provider

// Live mode: `make testacc-live` runs the acceptance tests that need only the
// public API against the app the provider's own environment variables name
// (TENCENTCALLKIT_SDK_APP_ID, _SECRET_KEY, _IDENTIFIER, _REGION or _ENDPOINT),
// and `make sweep` deletes what failed runs left on it. What lives here:
//
//   - the switch (TENCENTCALLKIT_ACC_LIVE=1, set by the Makefile) and the
//     safety check: nothing starts unless TENCENTCALLKIT_ACC_LIVE_APP lists the
//     configured SDKAppID;
//   - saving the app's v1 and v4 callback configurations before the first test
//     (to a file first, under .cache/testacc-live) and restoring exactly that
//     when the run ends, passed, failed or interrupted; a run killed outright
//     leaves the file, and the next live run or sweep restores it first;
//   - the sweeper of callback configurations whose address has a path segment
//     tf-acc-test (the mark every address a test sets carries).
//
// TestMain (examples_test.go) calls liveMain; tests that need the in-process
// mock skip in live mode, saying why (newTestMock).

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

const (
	// envAccLive switches the acceptance tests to the live app ("1").
	envAccLive = "TENCENTCALLKIT_ACC_LIVE"
	// envAccLiveApp lists the SDKAppIDs confirmed disposable, comma-separated.
	envAccLiveApp = "TENCENTCALLKIT_ACC_LIVE_APP"
	// envAccCCCSdkAppID is the Cloud Contact Center app of the tel_cdrs tests.
	envAccCCCSdkAppID = "TENCENTCALLKIT_ACC_CCC_SDK_APP_ID"
	// envAccLiveSaveDir overrides where the configurations are saved
	// (default .cache/testacc-live in the repository).
	envAccLiveSaveDir = "TENCENTCALLKIT_ACC_LIVE_SAVE_DIR"
	// liveMark is the path segment every callback address a test sets carries.
	liveMark = "tf-acc-test"
	// liveOpTimeout bounds the save, restore and sweep of one app.
	liveOpTimeout = 2 * time.Minute
)

// liveMode reports whether the acceptance tests run against the live app.
func liveMode() bool { return os.Getenv(envAccLive) == "1" }

// skipInLiveMode skips, saying why, a test that cannot run against the
// service: in live mode only the TestAccLive_ tests run, which need nothing
// but the public API. Every other acceptance test reaches it through
// newTestMock, testAccPreCheck or newTerraformCLI before any request.
func skipInLiveMode(t *testing.T) {
	t.Helper()
	if liveMode() && !strings.HasPrefix(t.Name(), "TestAccLive_") {
		t.Skip("live mode: this test needs the in-process mock or a fake server of its own (faults, seeded records, " +
			"deliveries, request counts) or no service at all; the live suite runs the TestAccLive_ tests")
	}
}

// liveRunID tells this run's addresses from another's.
var liveRunID = strconv.FormatInt(time.Now().UnixNano()%1e9, 36)

// liveAddress is a callback address with the test mark, unique to this run.
func liveAddress(name string) string {
	return "https://hooks.example.com/" + liveMark + "/" + liveRunID + "/" + name
}

// hasLiveMark reports whether address has the path segment tf-acc-test. An
// address that is not a URL with a path has no mark.
func hasLiveMark(address string) bool {
	rest, ok := strings.CutPrefix(address, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(address, "http://"); !ok {
			return false
		}
	}
	rest, _, _ = strings.Cut(rest, "?")
	rest, _, _ = strings.Cut(rest, "#")
	_, p, ok := strings.Cut(rest, "/")
	return ok && slices.Contains(strings.Split(p, "/"), liveMark)
}

// liveClientFromEnv builds the CallKit client from the provider's own
// environment variables, as the provider would (callKitConfig), after
// checking that the app is listed in TENCENTCALLKIT_ACC_LIVE_APP.
func liveClientFromEnv(getenv func(string) string) (*callkit.Client, error) {
	vals := make(map[string]settingValue, len(settings))
	for _, s := range settings {
		vals[s.name] = settingValue{raw: getenv(s.env), fromEnv: true}
	}
	cfg := callKitConfig(vals)
	if err := checkLiveApp(cfg.SDKAppID, getenv(envAccLiveApp)); err != nil {
		return nil, err
	}
	return callkit.New(cfg)
}

// checkLiveApp refuses an app that the comma-separated list does not confirm
// disposable.
func checkLiveApp(sdkAppID int64, list string) error {
	if sdkAppID <= 0 {
		return fmt.Errorf("live acceptance tests: %s is not set to an SDKAppID", envSDKAppID)
	}
	for _, f := range strings.Split(list, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil && id == sdkAppID {
			return nil
		}
	}
	return fmt.Errorf("live acceptance tests refuse to start: SDKAppID %d is not listed in %s (%q). "+
		"The tests change and delete the app's callback configurations: list the app there only if it is disposable",
		sdkAppID, envAccLiveApp, list)
}

// savedCallbacks is the file a live run writes before its first test: the
// app's configurations as they were (nil: none).
type savedCallbacks struct {
	SDKAppID int64             `json:"sdk_app_id"`
	SavedAt  time.Time         `json:"saved_at"`
	V1       *callkit.Callback `json:"v1"`
	V4       *callkit.Callback `json:"v4"`
}

// liveSaveFile is where the configurations of app are saved.
func liveSaveFile(sdkAppID int64) string {
	dir := os.Getenv(envAccLiveSaveDir)
	if dir == "" {
		dir = filepath.Join(repoRoot, ".cache", "testacc-live")
	}
	return filepath.Join(dir, fmt.Sprintf("callbacks-%d.json", sdkAppID))
}

// liveSession saves, and later restores, one app's callback configurations.
type liveSession struct {
	client *callkit.Client
	file   string
	once   sync.Once
	err    error
}

// readCallback reads one generation's configuration; nil when there is none.
func readCallback(ctx context.Context, get func(context.Context) (*callkit.Callback, error)) (*callkit.Callback, error) {
	cb, err := get(ctx)
	if errors.Is(err, callkit.ErrNotFound) {
		return nil, nil
	}
	return cb, err
}

// restorePending restores the file a killed run left behind.
func restorePending(ctx context.Context, client *callkit.Client, file string) error {
	return restoreFile(ctx, client, file, "a killed run saved")
}

// restoreFile restores the configurations file holds (who saved them: why),
// then removes it. No file: nothing to do.
func restoreFile(ctx context.Context, client *callkit.Client, file, why string) error {
	raw, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var saved savedCallbacks
	if err := json.Unmarshal(raw, &saved); err != nil {
		return fmt.Errorf("reading %s: %w (fix or remove it by hand)", file, err)
	}
	if saved.SDKAppID != client.SDKAppID() {
		return fmt.Errorf("%s holds the configurations of app %d, not %d", file, saved.SDKAppID, client.SDKAppID())
	}
	fmt.Fprintf(os.Stderr, "live: restoring the callback configurations %s at %s (%s)\n", why, saved.SavedAt.Format(time.RFC3339), file)
	if err := restoreCallbacks(ctx, client, saved); err != nil {
		return err
	}
	return os.Remove(file)
}

// restoreCallbacks makes the app hold exactly what was saved, and reads it
// back to be sure.
func restoreCallbacks(ctx context.Context, client *callkit.Client, saved savedCallbacks) error {
	gens := []struct {
		name   string
		want   *callkit.Callback
		set    func(context.Context, callkit.Callback) error
		del    func(context.Context) error
		get    func(context.Context) (*callkit.Callback, error)
		exists bool
	}{
		{"v1", saved.V1, client.SetCallback, client.DeleteCallback, client.GetCallback, false},
		{"v4", saved.V4, client.SetCallbackV4, client.DeleteCallbackV4, client.GetCallbackV4, false},
	}
	var errs []error
	for _, g := range gens {
		var err error
		if g.want == nil {
			err = g.del(ctx)
		} else {
			err = g.set(ctx, *g.want)
		}
		if err == nil {
			var got *callkit.Callback
			if got, err = readCallback(ctx, g.get); err == nil && !sameSaved(got, g.want) {
				err = fmt.Errorf("read back %+v, want %+v", got, g.want)
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("restoring the %s callback configuration: %w", g.name, err))
		}
	}
	return errors.Join(errs...)
}

// sameSaved: both absent, or the same configuration (sameCallback).
func sameSaved(a, b *callkit.Callback) bool {
	if a == nil || b == nil {
		return a == b
	}
	return sameCallback(*a, *b)
}

// saveCallbacks reads the app's configurations and writes them to file
// (atomically) before anything changes them.
func saveCallbacks(ctx context.Context, client *callkit.Client, file string) (savedCallbacks, error) {
	s := savedCallbacks{SDKAppID: client.SDKAppID(), SavedAt: time.Now().UTC()}
	var err error
	if s.V1, err = readCallback(ctx, client.GetCallback); err != nil {
		return s, fmt.Errorf("reading the v1 callback configuration: %w", err)
	}
	if s.V4, err = readCallback(ctx, client.GetCallbackV4); err != nil {
		return s, fmt.Errorf("reading the v4 callback configuration: %w", err)
	}
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return s, err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return s, err
	}
	tmp := file + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return s, err
	}
	_, werr := f.Write(raw)
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		return s, err
	}
	return s, os.Rename(tmp, file)
}

// startLiveSession checks the app, restores what a killed run left, saves
// the configurations as they are now, and clears them for the tests.
func startLiveSession(getenv func(string) string, file func(int64) string) (*liveSession, savedCallbacks, error) {
	client, err := liveClientFromEnv(getenv)
	if err != nil {
		return nil, savedCallbacks{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), liveOpTimeout)
	defer cancel()
	s := &liveSession{client: client, file: file(client.SDKAppID())}
	if err := restorePending(ctx, client, s.file); err != nil {
		return nil, savedCallbacks{}, err
	}
	saved, err := saveCallbacks(ctx, client, s.file)
	if err != nil {
		return nil, saved, err
	}
	// The tests start from no configuration (the resource's create never
	// overwrites one); the file now holds what the end of the run restores.
	if err := errors.Join(client.DeleteCallback(ctx), client.DeleteCallbackV4(ctx)); err != nil {
		return nil, saved, fmt.Errorf("clearing the callback configurations after saving them to %s: %w", s.file, err)
	}
	return s, saved, nil
}

// finish restores the saved file (once, whoever asks first: the end of the
// run or a signal) and removes it when the app holds it again.
func (s *liveSession) finish() error {
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), liveOpTimeout)
		defer cancel()
		s.err = restoreFile(ctx, s.client, s.file, "this run saved")
	})
	return s.err
}

// liveRunner is what resource.TestMain runs in place of m when no -sweep is
// given: in live mode the tests run between the save and the restore.
type liveRunner struct{ m *testing.M }

func (r liveRunner) Run() int {
	if !liveMode() {
		return r.m.Run()
	}
	s, saved, err := startLiveSession(os.Getenv, liveSaveFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "live:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "live: app %d: saved its callback configurations (v1 %s, v4 %s) to %s, and cleared them for the tests\n",
		saved.SDKAppID, describeSaved(saved.V1), describeSaved(saved.V4), s.file)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sig, ok := <-sigs
		if !ok {
			return
		}
		fmt.Fprintf(os.Stderr, "live: %v: restoring the callback configurations before exiting\n", sig)
		if err := s.finish(); err != nil {
			fmt.Fprintln(os.Stderr, "live:", err)
		}
		os.Exit(1)
	}()
	code := r.m.Run()
	signal.Stop(sigs)
	close(sigs)
	if err := s.finish(); err != nil {
		fmt.Fprintln(os.Stderr, "live:", err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "live: restored the callback configurations")
	return code
}

func describeSaved(cb *callkit.Callback) string {
	if cb == nil {
		return "none"
	}
	return fmt.Sprintf("%d actions", len(cb.Actions))
}

// liveMain runs in TestMain once the provider-serving case is handled. With
// -sweep (make sweep) it first restores what a killed live run left, then
// runs the sweepers; otherwise it runs the tests (live mode: between save and
// restore). It returns the exit code.
func liveMain(m *testing.M) int {
	flag.Parse()
	if f := flag.Lookup("sweep"); f != nil && f.Value.String() != "" {
		client, err := liveClientFromEnv(os.Getenv)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), liveOpTimeout)
			err = restorePending(ctx, client, liveSaveFile(client.SDKAppID()))
			cancel()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "sweep:", err)
			return 1
		}
	}
	resource.TestMain(liveRunner{m}) // exits, except after a successful sweep
	return 0
}

func init() {
	resource.AddTestSweepers("tencentcallkit_callback", &resource.Sweeper{
		Name: "tencentcallkit_callback",
		F: func(string) error {
			client, err := liveClientFromEnv(os.Getenv)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(context.Background(), liveOpTimeout)
			defer cancel()
			swept, err := sweepCallbacks(ctx, client)
			fmt.Fprintf(os.Stderr, "sweep: app %d: deleted %d marked callback configurations %v\n", client.SDKAppID(), len(swept), swept)
			return err
		},
	})
}

// sweepCallbacks deletes the v1 and v4 configurations whose address has the
// tf-acc-test segment and leaves any other alone. It returns the generations
// it deleted.
func sweepCallbacks(ctx context.Context, client *callkit.Client) ([]string, error) {
	var swept []string
	for _, g := range []struct {
		name string
		get  func(context.Context) (*callkit.Callback, error)
		del  func(context.Context) error
	}{
		{"v1", client.GetCallback, client.DeleteCallback},
		{"v4", client.GetCallbackV4, client.DeleteCallbackV4},
	} {
		cb, err := readCallback(ctx, g.get)
		if err != nil {
			return swept, fmt.Errorf("reading the %s configuration: %w", g.name, err)
		}
		if cb == nil || !hasLiveMark(cb.Address) {
			continue
		}
		if err := g.del(ctx); err != nil {
			return swept, fmt.Errorf("deleting the %s configuration: %w", g.name, err)
		}
		swept = append(swept, g.name)
	}
	return swept, nil
}
