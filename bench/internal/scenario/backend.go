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
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
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
	cmd     *exec.Cmd
	started time.Time
	done    chan error
	http    *http.Client
}

// DefaultSDKAppID is the app the bench's mock serves.
const DefaultSDKAppID = 1400000000

// StartMockProcess runs the callkit-mock binary at bin with n generated
// records (within the 7 days before it starts) and a fresh throwaway key, and
// waits at most 60 s for it to listen. Its stderr goes to logw.
func StartMockProcess(bin string, n int, logw io.Writer) (*MockProcess, error) {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	m := &MockProcess{
		Backend: Backend{SDKAppID: DefaultSDKAppID, Key: "bench-" + hex.EncodeToString(raw[:])},
		started: time.Now(),
		done:    make(chan error, 1),
		http:    &http.Client{Timeout: 30 * time.Second},
	}
	m.cmd = exec.Command(bin, "-addr", "127.0.0.1:0", "-ratelimit=true", "-seed", "1",
		"-records", strconv.Itoa(n), "-sdkappid", strconv.FormatInt(m.SDKAppID, 10), "-key", m.Key)
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
	RateLimited int            `json:"rate_limited"` // answered 70005 / 60011 by the limiter
}

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
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.URL+path, nil)
	if err != nil {
		return err
	}
	resp, err := m.http.Do(req)
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
