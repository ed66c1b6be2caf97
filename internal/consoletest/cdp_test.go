package consoletest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// A minimal Chrome DevTools Protocol client over --remote-debugging-pipe:
// Chromium reads NUL-terminated JSON messages on its fd 3 and writes them on
// its fd 4, so no port, WebSocket or third-party module is needed.

// chromiumFlags are the ones known to work on this project's machines: the
// background-networking flags stop Chromium from dialling out.
var chromiumFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--hide-scrollbars", "--mute-audio", "--disable-extensions", "--remote-debugging-pipe",
}

// requireChromiumEnv, set to a non-empty value, turns the browser tests'
// skip on a machine without Chromium into a failure. CI sets it (.ci/run),
// so there the tests run or the build fails; on a newcomer's machine they
// skip with a one-line reason and the rest of the suite is unaffected.
const requireChromiumEnv = "CONSOLETEST_REQUIRE_CHROMIUM"

// findChromium returns the browser to drive: $CHROMIUM, else the first of
// the usual names on PATH. When none is found the test skips, saying how to
// install one, or fails when requireChromiumEnv is set.
func findChromium(t *testing.T) string {
	t.Helper()
	path, problem := locateChromium(os.Getenv, exec.LookPath)
	switch {
	case problem == "":
		return path
	case os.Getenv("CHROMIUM") != "" || os.Getenv(requireChromiumEnv) != "":
		t.Fatal(problem)
	default:
		t.Skip(problem + " (set " + requireChromiumEnv + "=1 to make this a failure)")
	}
	return ""
}

// locateChromium is findChromium's search: the browser's path, or why
// there is none and how to get one.
func locateChromium(getenv func(string) string, lookPath func(string) (string, error)) (string, string) {
	if p := getenv("CHROMIUM"); p != "" {
		if _, err := lookPath(p); err != nil {
			return "", fmt.Sprintf("CHROMIUM=%q is not an executable (%v): point it at a Chromium, or unset it and "+
				"install one with `apt-get update && apt-get install -y chromium`", p, err)
		}
		return p, ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := lookPath(name); err == nil {
			return p, ""
		}
	}
	return "", "no headless Chromium on PATH (looked for chromium, chromium-browser, google-chrome) for the console's browser tests: " +
		"install it with `apt-get update && apt-get install -y chromium`, or set CHROMIUM to its path"
}

type cdpMessage struct {
	ID        int64           `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

type browser struct {
	cmd    *exec.Cmd
	w, r   *os.File
	mu     sync.Mutex
	nextID int64
	calls  map[int64]chan cdpMessage
	subs   []chan cdpMessage
	done   chan struct{}
	stderr *bytes.Buffer
	dir    string
}

// One Chromium serves every test of the package (each test opens its own
// tabs): starting it is most of a browser test's time. TestMain stops it.
var shared struct {
	once sync.Once
	b    *browser
	err  error
}

func sharedBrowser(t *testing.T) *browser {
	t.Helper()
	path := findChromium(t)
	shared.once.Do(func() { shared.b, shared.err = launch(path) })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.b
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.b != nil {
		shared.b.close()
	}
	os.Exit(code)
}

// launch starts Chromium with a fresh, empty profile.
func launch(path string) (*browser, error) {
	profile, err := os.MkdirTemp("", "consoletest-chromium-")
	if err != nil {
		return nil, err
	}
	toChrome, chromeIn, err := os.Pipe() // we write chromeIn; Chromium reads its fd 3
	if err != nil {
		return nil, err
	}
	chromeOut, fromChrome, err := os.Pipe() // Chromium writes its fd 4; we read chromeOut
	if err != nil {
		return nil, err
	}
	args := append(append([]string{}, chromiumFlags...), "--user-data-dir="+profile, "about:blank")
	cmd := exec.Command(path, args...)
	cmd.ExtraFiles = []*os.File{toChrome, fromChrome}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	toChrome.Close()
	fromChrome.Close()
	b := &browser{cmd: cmd, w: chromeIn, r: chromeOut, calls: map[int64]chan cdpMessage{}, done: make(chan struct{}), stderr: &stderr, dir: profile}
	go b.read(chromeOut)
	return b, nil
}

// close asks Chromium to quit, kills it if it does not, and removes its profile.
func (b *browser) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = b.call(ctx, "", "Browser.close", nil, nil)
	exited := make(chan struct{})
	go func() { _ = b.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = b.cmd.Process.Kill()
		<-exited
	}
	b.w.Close()
	b.r.Close()
	_ = os.RemoveAll(b.dir)
}

func (b *browser) read(r *os.File) {
	defer close(b.done)
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			return
		}
		var m cdpMessage
		if json.Unmarshal(raw[:len(raw)-1], &m) != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.calls[m.ID]; ok {
				delete(b.calls, m.ID)
				ch <- m
			}
		} else {
			for _, ch := range b.subs {
				select {
				case ch <- m:
				default: // a subscriber that is not listening misses events, never blocks the reader
				}
			}
		}
		b.mu.Unlock()
	}
}

// call sends one command (on a page session when session is set) and decodes its result.
func (b *browser) call(ctx context.Context, session, method string, params, out any) error {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.calls[id] = ch
	b.mu.Unlock()
	p, err := json.Marshal(params)
	if err != nil {
		return err
	}
	if params == nil {
		p = []byte("{}")
	}
	msg, _ := json.Marshal(cdpMessage{ID: id, Method: method, Params: p, SessionID: session})
	if _, err := b.w.Write(append(msg, 0)); err != nil {
		return fmt.Errorf("%s: writing to Chromium: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		if out != nil {
			return json.Unmarshal(m.Result, out)
		}
		return nil
	case <-b.done:
		return fmt.Errorf("%s: Chromium exited; its stderr:\n%s", method, tail(b.stderr.String(), 2000))
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (b *browser) subscribe() (chan cdpMessage, func()) {
	ch := make(chan cdpMessage, 256)
	b.mu.Lock()
	b.subs = append(b.subs, ch)
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for i, c := range b.subs {
			if c == ch {
				b.subs = append(b.subs[:i], b.subs[i+1:]...)
				return
			}
		}
	}
}

// page is one tab.
type page struct {
	b       *browser
	t       *testing.T
	session string
	timeout time.Duration
}

// newPage opens a tab for t with a viewport width wide CSS pixels (mobile:
// a phone); t's cleanup closes it.
func (b *browser) newPage(t *testing.T, width, height int, mobile bool) *page {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var target struct {
		TargetID string `json:"targetId"`
	}
	// A window of its own: a tab behind another is hidden, and the console
	// stops polling while hidden, so parallel tests would stall each other.
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank", "newWindow": true}, &target); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = b.call(ctx, "", "Target.closeTarget", map[string]any{"targetId": target.TargetID}, nil)
	})
	var att struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att); err != nil {
		t.Fatal(err)
	}
	p := &page{b: b, t: t, session: att.SessionID, timeout: 15 * time.Second}
	p.do("Page.enable", nil, nil)
	p.do("Runtime.enable", nil, nil)
	p.do("Emulation.setDeviceMetricsOverride", map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}, nil)
	return p
}

func (p *page) do(method string, params, out any) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
	defer cancel()
	if err := p.b.call(ctx, p.session, method, params, out); err != nil {
		p.t.Fatal(err)
	}
}

// navigate loads url and waits for its load event.
func (p *page) navigate(url string) {
	p.t.Helper()
	events, stop := p.b.subscribe()
	defer stop()
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	p.do("Page.navigate", map[string]any{"url": url}, &nav)
	if nav.ErrorText != "" {
		p.t.Fatalf("loading %s: %s", url, nav.ErrorText)
	}
	p.waitLoad(events, url)
}

func (p *page) waitLoad(events chan cdpMessage, what string) {
	p.t.Helper()
	deadline := time.After(p.timeout)
	for {
		select {
		case m := <-events:
			if m.SessionID == p.session && m.Method == "Page.loadEventFired" {
				return
			}
		case <-deadline:
			p.t.Fatalf("%s did not finish loading within %v", what, p.timeout)
		}
	}
}

// eval runs a JavaScript expression (promises awaited) and decodes its value into out.
func (p *page) eval(expr string, out any) {
	p.t.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	p.do("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &res)
	if res.ExceptionDetails != nil {
		p.t.Fatalf("evaluating %s: %s %s", expr, res.ExceptionDetails.Text, res.ExceptionDetails.Exception.Description)
	}
	if out != nil {
		if err := json.Unmarshal(res.Result.Value, out); err != nil {
			p.t.Fatalf("evaluating %s: the value %s: %v", expr, res.Result.Value, err)
		}
	}
}

// text returns the trimmed text of the first element matching a CSS selector ("" when none).
func (p *page) text(selector string) string {
	p.t.Helper()
	var s string
	p.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.textContent.trim() : ""; })()`, selector), &s)
	return s
}

// submit runs js (which submits a form) and waits for the page it leads to.
func (p *page) submit(js string) {
	p.t.Helper()
	events, stop := p.b.subscribe()
	defer stop()
	p.eval(js, nil)
	p.waitLoad(events, "the page after "+js)
}

// waitFor polls a JavaScript condition until it is true.
func (p *page) waitFor(cond string, within time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(within)
	for {
		var ok bool
		p.eval(cond, &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s did not become true within %v; the page:\n%s", cond, within, tail(p.text("main"), 3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// screenshot captures the viewport, or the whole page when full, as PNG.
func (p *page) screenshot(full bool) []byte {
	p.t.Helper()
	var res struct {
		Data string `json:"data"`
	}
	p.do("Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": full}, &res)
	png, err := base64.StdEncoding.DecodeString(res.Data)
	if err != nil {
		p.t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		p.t.Fatal("the screenshot is not a PNG")
	}
	return png
}

var errNoTF = errors.New("set TF_ACC=1 to run the console's browser tests")

// requireAcc gates the browser tests like the acceptance tests: they run
// with TF_ACC=1 (make test, make testacc, CI) and stay out of `make unit`.
func requireAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip(errNoTF.Error())
	}
	if strings.TrimSpace(os.Getenv("TF_ACC")) == "0" {
		t.Skip(errNoTF.Error())
	}
}

// Without Chromium the browser tests skip with a one-line reason that says
// how to get it, and fail instead when CONSOLETEST_REQUIRE_CHROMIUM is set
// (CI) or CHROMIUM names no executable: never a silent skip. (Runs this
// test binary again with no browser to be found.)
func TestBrowser_withoutChromium(t *testing.T) {
	requireAcc(t)
	t.Parallel()
	noBrowser := []string{"PATH=" + t.TempDir(), "CHROMIUM="}
	for name, c := range map[string]struct {
		env      []string
		wantFail bool
	}{
		"nothing on PATH":           {append(noBrowser, requireChromiumEnv+"="), false},
		"nothing on PATH, required": {append(noBrowser, requireChromiumEnv+"=1"), true},
		"CHROMIUM names nothing":    {[]string{"CHROMIUM=/nonexistent/chromium", requireChromiumEnv + "="}, true},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBrowser_everyPageFitsPhoneAndDesktop$", "-test.count=1", "-test.v")
		cmd.Env = append(append(os.Environ(), "TF_ACC=1"), c.env...)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		failed := errors.As(err, &exit)
		switch {
		case err != nil && !failed:
			t.Fatalf("%s: %v", name, err)
		case failed != c.wantFail:
			t.Errorf("%s: the browser test failed: %v, want %v:\n%s", name, failed, c.wantFail, out)
		case !strings.Contains(string(out), "apt-get install -y chromium"):
			t.Errorf("%s: the output does not say how to install Chromium:\n%s", name, out)
		case !c.wantFail && !strings.Contains(string(out), "--- SKIP: TestBrowser_everyPageFitsPhoneAndDesktop"):
			t.Errorf("%s: the browser test did not skip:\n%s", name, out)
		}
	}
}
