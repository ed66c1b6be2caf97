package provider

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxAckBytes bounds what is read of an answer: an acknowledgement is a
// small JSON object, and a receiver that answers megabytes is broken.
const maxAckBytes = 64 << 10

// maxReceiverText cuts the receiver's ErrorMessage / ErrorInfo in errors.
const maxReceiverText = 200

// newCheckHTTPClient sends the samples: certificates verified, no
// redirects followed (the check reports what the address itself answers),
// no connection kept for later (the action sends a few requests and ends).
func newCheckHTTPClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:             http.ProxyFromEnvironment,
			TLSClientConfig:   &tls.Config{MinVersion: tls.VersionTLS12},
			DisableKeepAlives: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// outcome is what one sample got back.
type outcome struct {
	elapsed time.Duration
	status  int   // 0 when no answer arrived
	err     error // network error, timeout, redirect, oversized or unreadable answer
	// unreached: no connection could be made (refused, unknown host, no
	// route): the receiver is down or out of reach, not misbehaving.
	unreached bool
	// From the answer's JSON body; code is nil when it has no ErrorCode.
	code         *int64
	message      string // ErrorMessage (v1) or ErrorInfo (v4)
	actionStatus string // v4
}

// acknowledged: HTTP 2xx and ErrorCode 0 (v4: and ActionStatus OK).
func (o outcome) acknowledged(v4 bool) bool {
	ok := o.err == nil && o.status/100 == 2 && o.code != nil && *o.code == 0
	if v4 {
		ok = ok && o.actionStatus == "OK"
	}
	return ok
}

// refused: a definite answer that is not an acknowledgement, a non-zero
// ErrorCode or HTTP 4xx. A timeout, network error or 5xx proves nothing.
func (o outcome) refused() bool {
	if o.err != nil {
		return false
	}
	return o.status/100 == 4 || (o.status/100 == 2 && o.code != nil && *o.code != 0)
}

// summary is the outcome in a few words, for progress messages and errors.
func (o outcome) summary() string {
	var parts []string
	switch {
	case o.err != nil:
		parts = append(parts, o.err.Error())
	case o.status != 0:
		parts = append(parts, fmt.Sprintf("HTTP %d", o.status))
	}
	if o.code != nil {
		parts = append(parts, fmt.Sprintf("ErrorCode %d", *o.code))
	} else if o.err == nil {
		parts = append(parts, "no ErrorCode in the answer")
	}
	if o.actionStatus != "" {
		parts = append(parts, fmt.Sprintf("ActionStatus %q", o.actionStatus))
	}
	if o.message != "" {
		parts = append(parts, fmt.Sprintf("message %q", o.message))
	}
	return strings.Join(parts, ", ")
}

// ackBody is the receiver's answer: {"ErrorCode": 0, "ErrorMessage": ...}
// (v1) or {"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0} (v4).
// ErrorCode stays raw so that an absent one is told from 0, and a numeric
// string is read as the number.
type ackBody struct {
	ErrorCode    json.RawMessage `json:"ErrorCode"`
	ErrorMessage string          `json:"ErrorMessage"`
	ErrorInfo    string          `json:"ErrorInfo"`
	ActionStatus string          `json:"ActionStatus"`
}

// send posts one sample and reads the answer within timeout.
func send(ctx context.Context, client *http.Client, address string, s sample, timeout time.Duration) outcome {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	o := post(ctx, client, s.url(address), s.body)
	o.elapsed = time.Since(start)
	if o.err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		o.err = fmt.Errorf("no complete answer within %s (timeout)", timeout)
	}
	return o
}

func post(ctx context.Context, client *http.Client, target string, body []byte) outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		// The parse error would quote the URL, query string included.
		return outcome{err: errors.New("the address does not parse as a URL")}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "terraform-provider-tencentcallkit callback check")
	resp, err := client.Do(req)
	if err != nil {
		// url.Error quotes the URL, query string included; the error names
		// the address without it.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return outcome{err: err, unreached: unreached(err)}
	}
	defer resp.Body.Close()
	o := outcome{status: resp.StatusCode}
	if resp.StatusCode/100 == 3 {
		o.err = fmt.Errorf("HTTP %d redirecting to %s: the check does not follow redirects (neither should a receiver need them); set the final URL", resp.StatusCode, shownAddress(resp.Header.Get("Location")))
		return o
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAckBytes+1))
	switch {
	case err != nil:
		o.err = fmt.Errorf("HTTP %d, reading the answer failed: %w", resp.StatusCode, err)
		return o
	case len(raw) > maxAckBytes:
		o.err = fmt.Errorf("HTTP %d with an answer larger than %d KiB, cut off (an acknowledgement is a small JSON object)", resp.StatusCode, maxAckBytes>>10)
		return o
	}
	readAck(raw, &o)
	return o
}

// unreached tells a connection that was never made (refused, unknown host,
// no route, the proxy refusing) from one that failed later.
func unreached(err error) bool {
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return true
	}
	op, ok := errors.AsType[*net.OpError](err)
	return ok && (op.Op == "dial" || op.Op == "proxyconnect")
}

// readAck fills the outcome from a JSON answer; a body that is not one
// leaves code nil, which fails the sample.
func readAck(raw []byte, o *outcome) {
	var ack ackBody
	if json.Unmarshal(raw, &ack) != nil {
		return
	}
	o.message = cut(firstNonEmpty(ack.ErrorMessage, ack.ErrorInfo), maxReceiverText)
	o.actionStatus = cut(ack.ActionStatus, maxReceiverText)
	code := strings.Trim(string(ack.ErrorCode), `"`)
	if n, err := strconv.ParseInt(code, 10, 64); err == nil {
		o.code = &n
	}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// cut shortens s to n runes, marking the cut.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// shownAddress is a URL as messages and logs show it: without user:password
// credentials (replaced by ***), query string and fragment. A receiver's
// address may carry a token in any of them. It works on the text, so an
// address that does not parse is cut as well.
func shownAddress(u string) string {
	scheme, rest := "", u
	if i := strings.Index(u, "://"); i >= 0 {
		scheme, rest = u[:i+3], u[i+3:]
	}
	host, tail := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host, tail = rest[:i], rest[i:]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = "***@" + host[i+1:]
	}
	shown := scheme + host + tail
	if i := strings.IndexAny(shown, "?#"); i >= 0 {
		return shown[:i]
	}
	return shown
}

// dialled is where a sample to address goes on the network: host and port
// (the scheme's default when the address has none), and the proxy when the
// environment names one for it (HTTPS_PROXY, HTTP_PROXY, NO_PROXY).
func dialled(address string) string {
	u, err := url.Parse(address)
	if err != nil || u.Host == "" {
		return shownAddress(address)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	where := net.JoinHostPort(u.Hostname(), port)
	if proxy, err := http.ProxyFromEnvironment(&http.Request{URL: u}); err == nil && proxy != nil {
		return fmt.Sprintf("%s through the proxy %s (from the environment)", where, shownAddress(proxy.String()))
	}
	return where
}
