// Package scenario holds what `make bench` and the Go benchmarks under bench/
// share: the provider driven in-process through its protocol server exactly
// as Terraform drives it (GetProviderSchema, ConfigureProvider,
// ReadDataSource), and the mock backend run as its own process on loopback.
package scenario

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/usersig"
)

// Backend is where the provider sends its requests.
type Backend struct {
	URL      string
	SDKAppID int64
	Key      string
}

// MockProcess is the callkit-mock command running on a free loopback port
// with the documented rate limits enforced.
type MockProcess struct {
	Backend
	Strict  bool // rate limits as a token bucket that rejects anything closer than 1/N
	cmd     *exec.Cmd
	started time.Time
	done    chan error
	http    *http.Client
}

// DefaultSDKAppID is the app the bench's mock serves.
const DefaultSDKAppID = 1400000000

// MockMode is how the mock enforces the documented rate limits.
type MockMode string

const (
	// ModeDefault is the mock as tests and `make mock` run it: at most N
	// requests to a path in any one second, as the service documents.
	ModeDefault MockMode = "default"
	// ModeStrict is a service stricter than its documentation: a token bucket
	// that rejects any request closer than 1/N to the previous one
	// (callkit-mock -ratelimit-strict).
	ModeStrict MockMode = "strict"
)

// StartMockProcess runs the callkit-mock binary at bin with n generated
// records (within the 7 days before it starts) and a fresh throwaway key,
// its rate limits on in the given mode, and waits at most 60 s for it to
// listen. Its stderr goes to logw.
func StartMockProcess(bin string, n int, mode MockMode, logw io.Writer) (*MockProcess, error) {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	m := &MockProcess{
		Backend: Backend{SDKAppID: DefaultSDKAppID, Key: "bench-" + hex.EncodeToString(raw[:])},
		started: time.Now(),
		done:    make(chan error, 1),
		http:    &http.Client{Timeout: 30 * time.Second},
		Strict:  mode == ModeStrict,
	}
	args := []string{"-addr", "127.0.0.1:0", "-ratelimit=true", "-seed", "1",
		"-records", strconv.Itoa(n), "-sdkappid", strconv.FormatInt(m.SDKAppID, 10), "-key", m.Key}
	switch mode {
	case ModeDefault:
	case ModeStrict:
		args = append(args, "-ratelimit-strict")
	default:
		return nil, fmt.Errorf("unknown mock mode %q", mode)
	}
	m.cmd = exec.Command(bin, args...)
	m.cmd.Stderr = logw
	stdout, err := m.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := m.cmd.Start(); err != nil {
		return nil, err
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		first := true
		for sc.Scan() {
			if first {
				lines <- sc.Text()
				first = false
			}
		}
		close(lines)
		m.done <- m.cmd.Wait()
	}()
	select {
	case line, ok := <-lines:
		url, found := strings.CutPrefix(line, "listening on ")
		if !ok || !found || !strings.HasPrefix(url, "http://127.0.0.1:") {
			_ = m.Close()
			return nil, fmt.Errorf("callkit-mock did not start: first line %q", line)
		}
		m.URL = url
	case <-time.After(60 * time.Second):
		_ = m.Close()
		return nil, errors.New("callkit-mock printed nothing within 60 s")
	}
	return m, nil
}

// Window returns a start and end timestamp covering every generated record.
func (m *MockProcess) Window() (start, end int64) {
	return m.started.Unix() - 7*24*3600, time.Now().Unix()
}

// MockStats is the part of /_mock/stats the bench reads.
type MockStats struct {
	Requests    map[string]int `json:"requests"`
	Applied     map[string]int `json:"applied"`      // answered with error code 0
	RateLimited int            `json:"rate_limited"` // answered 70005 / 60011 by the limiter
}

// Sub is what happened between an earlier reading and s.
func (s MockStats) Sub(earlier MockStats) MockStats {
	d := MockStats{Requests: map[string]int{}, Applied: map[string]int{}, RateLimited: s.RateLimited - earlier.RateLimited}
	for path, n := range s.Requests {
		if n -= earlier.Requests[path]; n != 0 {
			d.Requests[path] = n
		}
	}
	for path, n := range s.Applied {
		if n -= earlier.Applied[path]; n != 0 {
			d.Applied[path] = n
		}
	}
	return d
}

// Failed is how many requests were answered with an error code.
func (s MockStats) Failed() int {
	n := 0
	for path, req := range s.Requests {
		n += req - s.Applied[path]
	}
	return n
}

// DeleteCallback removes the app's v1 callback configuration through the
// control surface (no API request, no rate limit), so the next apply
// creates it from nothing.
func (m *MockProcess) DeleteCallback(ctx context.Context) error {
	resp, err := m.control(ctx, http.MethodDelete, "/_mock/callback")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("DELETE /_mock/callback: %s", resp.Status)
	}
	return nil
}

// control sends a bodiless request to the mock's control surface.
func (m *MockProcess) control(ctx context.Context, method, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, m.URL+path, nil)
	if err != nil {
		return nil, err
	}
	return m.http.Do(req)
}

// AdminQuery is the query string of a v1 API request as an administrator,
// with a UserSig valid for valid: what a generic REST provider (the bench's
// peer) must send, as it cannot sign requests itself. random stays fixed,
// which the service allows.
func (m *MockProcess) AdminQuery(valid time.Duration) (string, error) {
	s, err := usersig.NewSigner(m.SDKAppID, m.Key, nil)
	if err != nil {
		return "", err
	}
	sig, err := s.Mint(AdminIdentifier, valid)
	if err != nil {
		return "", err
	}
	// The order the API documents, which url.Values.Encode would not keep.
	return "sdkappid=" + strconv.FormatInt(m.SDKAppID, 10) + "&identifier=" + url.QueryEscape(AdminIdentifier) +
		"&usersig=" + url.QueryEscape(sig.Value) + "&random=1&contenttype=json", nil
}

// AdminIdentifier is the mock's administrator account (callkit-mock's default).
const AdminIdentifier = "administrator"

// Stats reads the mock's request counters.
func (m *MockProcess) Stats(ctx context.Context) (MockStats, error) {
	var s MockStats
	err := m.getJSON(ctx, "/_mock/stats", &s)
	return s, err
}

// CallIDs returns the call IDs of the n oldest records.
func (m *MockProcess) CallIDs(ctx context.Context, n int) ([]string, error) {
	var recs []struct {
		CallID string `json:"callId"`
	}
	if err := m.getJSON(ctx, "/_mock/records", &recs); err != nil {
		return nil, err
	}
	if len(recs) < n {
		return nil, fmt.Errorf("the mock holds %d records, %d wanted", len(recs), n)
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = recs[i].CallID
	}
	return ids, nil
}

func (m *MockProcess) getJSON(ctx context.Context, path string, out any) error {
	resp, err := m.control(ctx, http.MethodGet, path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// Close stops the mock with SIGINT, and kills it if it has not stopped
// within 15 s.
func (m *MockProcess) Close() error {
	if m.cmd.Process == nil {
		return nil
	}
	_ = m.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-m.done:
		return ignoreSignalExit(err)
	case <-time.After(15 * time.Second):
		_ = m.cmd.Process.Kill()
		err := <-m.done
		return fmt.Errorf("callkit-mock did not stop within 15 s of SIGINT; killed (%w)", err)
	}
}

func ignoreSignalExit(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return nil
		}
	}
	return err
}
