// Package callkit is the client of the Tencent TUICallKit (TRTC Call) server
// API: callback configuration and call records, v1 and v4 (callkit-api.md).
// It has no Terraform imports. Requests are paced per path (internal/pace)
// and retried by internal/retry. Retrying a write is safe: set and update
// send the whole configuration (last write wins) and deleting nothing is
// success.
package callkit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/endpoint"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/pace"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/retry"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/usersig"
)

// Logger receives one structured line per attempt. Fields never carry the
// secret key or a UserSig.
type Logger interface {
	Log(ctx context.Context, msg string, fields map[string]any)
}

// Config configures a Client. Zero values take the documented defaults.
type Config struct {
	SDKAppID   int64
	SecretKey  string
	Identifier string        // "" → "administrator"
	Region     string        // "" → "china"
	Endpoint   string        // optional base URL replacing both API families' domains
	Timeout    time.Duration // per attempt; 0 → 10 s; must exceed 3 s
	MaxRetries int           // retries after the first attempt; 0 = none; negative is an error
	HTTPClient *http.Client  // nil → a pooled keep-alive client
	Clock      func() time.Time
	Logger     Logger

	// RetryWaitMin and RetryWaitMax bound the exponential backoff between
	// retries (0 → 200 ms and 5 s).
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	// ProgressWindow: a walk's requests are retried past MaxRetries while the
	// walk has succeeded within this window (0 → 60 s; MaxRetries 0 still
	// disables retries).
	ProgressWindow time.Duration
	// UserSigTTL is the lifetime of the admin UserSigs the client mints (0 → 1 h).
	UserSigTTL time.Duration
	// UserAgent is sent with every request ("" → DefaultUserAgent).
	UserAgent string
}

// DefaultUserAgent identifies the client when Config.UserAgent is empty.
const DefaultUserAgent = "terraform-provider-tencentcallkit"

// Client talks to one application's CallKit APIs. It is safe for concurrent use.
type Client struct {
	sdkAppID   int64
	identifier string
	v1Base     *url.URL
	v4Base     *url.URL
	timeout    time.Duration
	retry      retry.Policy
	http       *http.Client
	now        func() time.Time
	logger     Logger
	sigTTL     time.Duration
	signer     *usersig.Signer
	userAgent  string

	sigMu  sync.Mutex
	sig    usersig.Sig
	paceMu sync.Mutex
	pacers map[string]*pace.Limiter
}

// New validates cfg and returns a Client. Its errors never contain the key.
func New(cfg Config) (*Client, error) {
	if err := cfg.checkCredentials(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	dom, err := lookupRegion(cfg.Region)
	if err != nil {
		return nil, err
	}
	if err := ValidateTimeout(cfg.Timeout); err != nil {
		return nil, err
	}
	if cfg.MaxRetries < 0 {
		return nil, fmt.Errorf("max retries must be zero or more, got %d", cfg.MaxRetries)
	}
	signer, err := usersig.NewSigner(cfg.SDKAppID, cfg.SecretKey, usersig.Clock(cfg.Clock))
	if err != nil {
		return nil, err
	}
	v1Base, v4Base, err := baseURLs(dom, cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = newPooledHTTPClient()
	}
	return &Client{
		sdkAppID:   cfg.SDKAppID,
		identifier: cfg.Identifier,
		v1Base:     v1Base,
		v4Base:     v4Base,
		timeout:    cfg.Timeout,
		retry:      retry.Policy{MaxRetries: cfg.MaxRetries, WaitMin: cfg.RetryWaitMin, WaitMax: cfg.RetryWaitMax, ProgressWindow: cfg.ProgressWindow},
		http:       cfg.HTTPClient,
		now:        cfg.Clock,
		logger:     cfg.Logger,
		sigTTL:     cfg.UserSigTTL,
		signer:     signer,
		pacers:     map[string]*pace.Limiter{},
		userAgent:  cfg.UserAgent,
	}, nil
}

func (cfg *Config) checkCredentials() error {
	if cfg.SDKAppID <= 0 {
		return fmt.Errorf("SDKAppID must be a positive integer, got %d", cfg.SDKAppID)
	}
	if cfg.SecretKey == "" {
		return errors.New("secret key is empty")
	}
	return nil
}

// setDefaults gives each zero value its documented default.
func (cfg *Config) setDefaults() {
	if cfg.Identifier == "" {
		cfg.Identifier = DefaultIdentifier
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = 200 * time.Millisecond
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = 5 * time.Second
	}
	cfg.RetryWaitMax = max(cfg.RetryWaitMax, cfg.RetryWaitMin)
	if cfg.UserSigTTL <= 0 {
		cfg.UserSigTTL = time.Hour
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
}

// baseURLs are the two API families' bases: the region's domains, or the
// endpoint override for both.
func baseURLs(dom regionDomains, override string) (v1, v4 *url.URL, err error) {
	if override == "" {
		return &url.URL{Scheme: "https", Host: dom.v1}, &url.URL{Scheme: "https", Host: dom.v4}, nil
	}
	u, err := endpoint.Parse(override)
	if err != nil {
		return nil, nil, err
	}
	return u, u, nil
}

func newPooledHTTPClient() *http.Client {
	// Concurrent paging keeps up to pageWorkers requests in flight to one
	// host. The per-attempt timeout is a context deadline, so no
	// Client.Timeout here.
	return &http.Client{Transport: endpoint.PooledTransport(64, 32)}
}

// SDKAppID returns the application this client signs for.
func (c *Client) SDKAppID() int64 { return c.sdkAppID }

// MintUserSig signs a UserSig for any user of the app (the ephemeral resource).
func (c *Client) MintUserSig(userID string, expire time.Duration) (usersig.Sig, error) {
	return c.signer.Mint(userID, expire)
}

// adminSig returns a cached admin UserSig, minting a new one when fewer than a
// tenth of its lifetime (at most 5 minutes) remain, or when fresh is set.
func (c *Client) adminSig(fresh bool) (string, error) {
	c.sigMu.Lock()
	defer c.sigMu.Unlock()
	margin := min(c.sigTTL/10, 5*time.Minute)
	if fresh || c.sig.Value == "" || !c.now().Add(margin).Before(c.sig.ExpiresAt) {
		s, err := c.signer.Mint(c.identifier, c.sigTTL)
		if err != nil {
			return "", err
		}
		c.sig = s
	}
	return c.sig.Value, nil
}

// family is an API generation: envelopes and error codes differ.
type family int

const (
	familyV1 family = iota
	familyV4
)

// route is one API path with its documented rate limit.
type route struct {
	path   string
	family family
	rps    int // documented requests per second
}

var (
	epSetCallback    = route{"v1/callback/set", familyV1, 10}
	epGetCallback    = route{"v1/callback/get", familyV1, 10}
	epUpdateCallback = route{"v1/callback/update", familyV1, 10}
	epDeleteCallback = route{"v1/callback/delete", familyV1, 10}
	epGetRecord      = route{"v1/records/get_record_by_callId", familyV1, 20}
	epListRecords    = route{"v1/records/get_records_by_filter", familyV1, 200}
	epSetCallbackV4  = route{"v4/call_config/set_callback", familyV4, 200}
	epGetCallbackV4  = route{"v4/call_config/get_callback", familyV4, 200}
	epDelCallbackV4  = route{"v4/call_config/delete_callback", familyV4, 200}
	epGetRecordV4    = route{"v4/call_record_http_srv/get_record_by_callid", familyV4, 200}
	epListRecordsV4  = route{"v4/call_record_http_srv/get_record_by_filter", familyV4, 200}
)

// pacer returns the path's pacer, shared by every caller of this client.
func (c *Client) pacer(ep route) *pace.Limiter {
	c.paceMu.Lock()
	defer c.paceMu.Unlock()
	l, ok := c.pacers[ep.path]
	if !ok {
		l = pace.New(ep.rps)
		c.pacers[ep.path] = l
	}
	return l
}

// maxBodyBytes caps what is read of an answer: a 100-record page is ~40 KiB.
const maxBodyBytes = 8 << 20

// result is one decoded envelope, family-independent.
type result struct {
	code      int
	message   string
	requestID string
	data      json.RawMessage
}

// attemptErr classifies one failed attempt.
type attemptErr struct {
	err        error
	api        *APIError
	httpStatus int
	verdict    retry.Verdict
}

// final is the error the call ends with if this attempt, the n-th, is the last.
func (ae *attemptErr) final(ep route, n int) error {
	if ae.api != nil {
		ae.api.Attempts = n
		return ae.api
	}
	return &TransportError{Endpoint: ep.path, Attempts: n, HTTPStatus: ae.httpStatus, Err: ae.err}
}

// call sends body to ep and decodes the answer's data into out (when non-nil),
// retrying transient failures.
func (c *Client) call(ctx context.Context, ep route, body any, out any) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("%s: encoding request: %w", ep.path, err)
	}
	if string(payload) == "null" {
		payload = []byte("{}")
	}
	var (
		res      *result
		attempts int
	)
	err = retry.Do(ctx, c.retry, c.pacer(ep), ep.path, func(ctx context.Context, a retry.Attempt) (retry.Verdict, error) {
		r, ae := c.attempt(ctx, ep, payload, a)
		if ae != nil {
			return ae.verdict, ae.final(ep, a.N)
		}
		res, attempts = r, a.N
		return retry.Stop, nil
	})
	if err != nil {
		return err
	}
	if out != nil && len(res.data) > 0 && string(res.data) != "null" {
		if err := json.Unmarshal(res.data, out); err != nil {
			return &TransportError{Endpoint: ep.path, Attempts: attempts, Err: fmt.Errorf("unexpected shape of the answer's data: %w", describeDecodeError(err))}
		}
	}
	return nil
}

func (c *Client) buildURL(ep route, sig string) string {
	base := c.v1Base
	if ep.family == familyV4 {
		base = c.v4Base
	}
	u := *base
	u.Path = base.Path + "/" + ep.path
	q := url.Values{}
	q.Set("sdkappid", strconv.FormatInt(c.sdkAppID, 10))
	q.Set("identifier", c.identifier)
	q.Set("usersig", sig)
	q.Set("random", strconv.FormatUint(uint64(rand.Uint32()), 10))
	q.Set("contenttype", "json")
	u.RawQuery = q.Encode()
	return u.String()
}

// attempt sends one request. It returns the decoded envelope, or the
// classified failure.
func (c *Client) attempt(ctx context.Context, ep route, payload []byte, a retry.Attempt) (*result, *attemptErr) {
	start := time.Now()
	res, ae := c.roundTrip(ctx, ep, payload, a.Fresh)
	fields := map[string]any{"endpoint": ep.path, "attempt": a.N, "duration_ms": time.Since(start).Milliseconds()}
	logged(res, ae).Log(fields)
	if c.logger != nil {
		c.logger.Log(ctx, "CallKit API request", fields)
	}
	return res, ae
}

// logged is what the log says of an attempt; a success logs error_code 0.
func logged(res *result, ae *attemptErr) retry.Outcome {
	switch {
	case ae == nil:
		return retry.Outcome{Code: 0, RequestID: res.requestID}
	case ae.api != nil:
		return retry.Outcome{Err: ae.err, Verdict: ae.verdict, Code: ae.api.Code, Message: ae.api.Message, RequestID: ae.api.RequestID}
	}
	return retry.Outcome{Err: ae.err, Verdict: ae.verdict, HTTPStatus: ae.httpStatus}
}

func (c *Client) roundTrip(ctx context.Context, ep route, payload []byte, freshSig bool) (*result, *attemptErr) {
	sig, err := c.adminSig(freshSig)
	if err != nil {
		return nil, &attemptErr{err: err}
	}
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.buildURL(ep, sig), bytes.NewReader(payload))
	if err != nil {
		return nil, &attemptErr{err: redactURLError(err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		// Network errors and per-attempt timeouts are transient; a cancelled
		// caller context is seen by the loop and ends it.
		return nil, &attemptErr{err: redactURLError(err), verdict: retry.Again}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		return nil, &attemptErr{err: fmt.Errorf("reading the answer: %w", redactURLError(err)), httpStatus: resp.StatusCode, verdict: retry.Again}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &attemptErr{
			err:        fmt.Errorf("not an API answer%s", snippet(raw)),
			httpStatus: resp.StatusCode,
			verdict:    retry.ForStatus(resp.StatusCode),
		}
	}
	if len(raw) > maxBodyBytes {
		return nil, &attemptErr{err: fmt.Errorf("answer larger than %d bytes", maxBodyBytes), httpStatus: resp.StatusCode}
	}
	res, err := decodeEnvelope(ep.family, raw)
	if err != nil {
		// An HTML error page or a truncated body from a proxy in the way:
		// transient more often than not, and bounded by the retry budget.
		return nil, &attemptErr{err: err, httpStatus: resp.StatusCode, verdict: retry.Again}
	}
	if res.code == 0 {
		return res, nil
	}
	apiErr := &APIError{Code: res.code, Message: res.message, RequestID: res.requestID, Endpoint: ep.path}
	return nil, &attemptErr{err: apiErr, api: apiErr, verdict: classify(ep.family, res.code)}
}

// snippet is what a message quotes of a body that is not an API answer.
func snippet(raw []byte) string {
	if s := retry.Snippet(string(raw), 120); s != "" {
		return ": " + s
	}
	return ""
}

// classify says whether an error code is worth retrying (callkit-api.md §1, §7).
func classify(f family, code int) retry.Verdict {
	if isRateLimitCode(code) {
		return retry.Throttled
	}
	if f == familyV1 {
		switch code {
		case 70003:
			return retry.Resign
		case 50001, 70001, 70002, 70004, 70009, 70011, 999:
			return retry.Stop
		}
		// Every other code is an internal error (101001 included): retry.
		return retry.Again
	}
	switch code {
	case 60008, 100001, 101001:
		return retry.Again
	case 60004, 60005:
		return retry.Resign
	}
	// 60010, 60020, not-found and every other code are final (§7: the rest are
	// parameter errors).
	return retry.Stop
}
