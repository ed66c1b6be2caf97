// Package ccc is the client of Cloud Contact Center's telephone call records
// (DescribeTelCdr, callkit-api.md §8). It has no Terraform imports. The
// Tencent Cloud SDK's common module signs (TC3-HMAC-SHA256) and sends; the
// SDK's own retries are off because their waits ignore the context, so
// pacing (internal/pace) and retries (internal/retry) are this package's.
// The SDK keeps the SecretKey out of its errors; messages built here are
// scrubbed of it as well.
package ccc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/endpoint"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/pace"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/retry"
)

const (
	// Service, APIVersion and ActionDescribeTelCdr name the API (callkit-api.md §8).
	Service              = "ccc"
	APIVersion           = "2020-02-10"
	ActionDescribeTelCdr = "DescribeTelCdr"

	// DefaultEndpoint is the public API 3.0 endpoint of Cloud Contact Center.
	DefaultEndpoint = "https://ccc.tencentcloudapi.com"
	// RequestsPerSecond is DescribeTelCdr's documented limit.
	RequestsPerSecond = 20
	// DefaultTimeout is the per-attempt HTTP timeout.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxRetries is the number of retries after the first attempt.
	DefaultMaxRetries = 5

	// maxBodyBytes caps what is read of one answer: a page of 100 records is
	// well under 1 MiB.
	maxBodyBytes = 16 << 20
)

// Logger receives one structured line per attempt. Fields never carry the
// SecretKey or the Authorization header.
type Logger interface {
	Log(ctx context.Context, msg string, fields map[string]any)
}

// Config configures a Client. Zero values take the documented defaults.
type Config struct {
	SecretID  string
	SecretKey string
	// Endpoint replaces DefaultEndpoint: an absolute https URL, or http on a
	// loopback host (the endpoint package's rule).
	Endpoint string
	// Region is sent as X-TC-Region when set. DescribeTelCdr does not need one.
	Region     string
	Timeout    time.Duration // per attempt; 0 → DefaultTimeout
	MaxRetries int           // retries after the first attempt; negative is an error
	// RetryWaitMin and RetryWaitMax bound the exponential backoff between
	// retries (0 → 200 ms and 5 s).
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	// ProgressWindow: a walk's requests are retried past MaxRetries while the
	// walk has succeeded within this window (0 → 60 s; MaxRetries 0 still
	// disables retries).
	ProgressWindow time.Duration
	// Transport carries the requests; nil → a pooled keep-alive transport.
	Transport http.RoundTripper
	Logger    Logger
}

// Client reads Cloud Contact Center records. It is safe for concurrent use;
// everything that shares one Client shares its pacer.
type Client struct {
	sdk       *common.Client
	secretKey string // only to scrub messages; never sent by this package
	endpoint  string // scheme://host[/path], for logs and messages
	timeout   time.Duration
	retry     retry.Policy
	logger    Logger
	pacer     *pace.Limiter
}

// New validates cfg and returns a Client. It sends nothing. Its errors never
// contain the SecretKey.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.SecretID == "" && cfg.SecretKey == "":
		return nil, fmt.Errorf("%w: the SecretId and the SecretKey are both empty", ErrMissingCredentials)
	case cfg.SecretID == "":
		return nil, fmt.Errorf("%w: the SecretId is empty", ErrMissingCredentials)
	case cfg.SecretKey == "":
		return nil, fmt.Errorf("%w: the SecretKey is empty", ErrMissingCredentials)
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	u, err := endpoint.Parse(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("request timeout must be positive, got %s", cfg.Timeout)
	}
	if cfg.MaxRetries < 0 {
		return nil, fmt.Errorf("max retries must be zero or more, got %d", cfg.MaxRetries)
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = 200 * time.Millisecond
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = 5 * time.Second
	}
	cfg.RetryWaitMax = max(cfg.RetryWaitMax, cfg.RetryWaitMin)
	if cfg.Transport == nil {
		cfg.Transport = endpoint.PooledTransport(16, 8)
	}

	host := u.Host
	path := strings.TrimRight(u.Path, "/")
	prof := profile.NewClientProfile()
	prof.HttpProfile.ReqMethod = http.MethodPost
	prof.HttpProfile.Scheme = u.Scheme
	prof.HttpProfile.Endpoint = host + path
	// The SDK's http.Client timeout is whole seconds; the per-attempt context
	// deadline below is the precise one, this is only a backstop.
	prof.HttpProfile.ReqTimeout = int(math.Ceil(cfg.Timeout.Seconds())) + 1
	prof.Language = "en-US"
	// The region breaker would redirect requests to a backup domain after
	// failures: never leave the configured endpoint.
	prof.DisableRegionBreaker = true
	// Retries are this package's: the SDK's sleep without watching the context.
	prof.NetworkFailureMaxRetries = 0
	prof.RateLimitExceededMaxRetries = 0
	// Debug dumps whole requests, Authorization header included, to stderr.
	prof.Debug = false

	sdk := common.NewCommonClient(common.NewCredential(cfg.SecretID, cfg.SecretKey), cfg.Region, prof)
	sdk.WithHttpTransport(&recordingTransport{base: cfg.Transport})

	return &Client{
		sdk:       sdk,
		secretKey: cfg.SecretKey,
		endpoint:  u.Scheme + "://" + host + path,
		timeout:   cfg.Timeout,
		retry:     retry.Policy{MaxRetries: cfg.MaxRetries, WaitMin: cfg.RetryWaitMin, WaitMax: cfg.RetryWaitMax, ProgressWindow: cfg.ProgressWindow},
		logger:    cfg.Logger,
		pacer:     pace.New(RequestsPerSecond),
	}, nil
}

// attemptInfo is what the transport learns about one attempt that the SDK's
// errors do not say: the HTTP status and whether the answer was cut off.
type attemptInfo struct {
	status   int
	tooLarge bool
}

type attemptKey struct{}

// recordingTransport notes each answer's status in the attempt's context and
// bounds how much of its body can be read.
type recordingTransport struct {
	base http.RoundTripper
}

func (t *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if info, ok := req.Context().Value(attemptKey{}).(*attemptInfo); ok {
		info.status = resp.StatusCode
		resp.Body = &limitedBody{rc: resp.Body, left: maxBodyBytes, info: info}
	}
	return resp, nil
}

var errBodyTooLarge = fmt.Errorf("answer larger than %d bytes", maxBodyBytes)

type limitedBody struct {
	rc   io.ReadCloser
	left int64
	info *attemptInfo
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			b.info.tooLarge = true
			return 0, errBodyTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// attemptErr classifies one failed attempt.
type attemptErr struct {
	err        error
	api        *APIError
	httpStatus int
	verdict    retry.Verdict
}

// final is the error the call ends with if this attempt, the n-th, is the last.
func (ae *attemptErr) final(n int) error {
	if ae.api != nil {
		ae.api.Attempts = n
		return ae.api
	}
	return &TransportError{Action: ActionDescribeTelCdr, Attempts: n, HTTPStatus: ae.httpStatus, Err: ae.err}
}

// describeTelCdr sends one DescribeTelCdr request, retrying transient failures.
func (c *Client) describeTelCdr(ctx context.Context, req *DescribeTelCdrRequest) (*DescribeTelCdrResult, error) {
	params := req.actionParameters()
	var res *DescribeTelCdrResult
	err := retry.Do(ctx, c.retry, c.pacer, ActionDescribeTelCdr, func(ctx context.Context, a retry.Attempt) (retry.Verdict, error) {
		r, ae := c.attempt(ctx, params, a.N)
		if ae != nil {
			return ae.verdict, ae.final(a.N)
		}
		res = r
		return retry.Stop, nil
	})
	return res, err
}

// attempt sends one signed request through the SDK and logs it.
func (c *Client) attempt(ctx context.Context, params map[string]any, n int) (*DescribeTelCdrResult, *attemptErr) {
	start := time.Now()
	res, ae := c.roundTrip(ctx, params)
	fields := map[string]any{
		"action":      ActionDescribeTelCdr,
		"endpoint":    c.endpoint,
		"attempt":     n,
		"duration_ms": time.Since(start).Milliseconds(),
	}
	o := retry.Outcome{}
	if ae == nil {
		o.RequestID = deref(res.RequestId)
	} else {
		o = retry.Outcome{Err: ae.err, Verdict: ae.verdict, HTTPStatus: ae.httpStatus}
	}
	if ae != nil && ae.api != nil {
		o.Code, o.Message, o.RequestID = ae.api.Code, ae.api.Message, ae.api.RequestID
	}
	o.Log(fields)
	if c.logger != nil {
		c.logger.Log(ctx, "Cloud Contact Center API request", fields)
	}
	return res, ae
}

func (c *Client) roundTrip(ctx context.Context, params map[string]any) (*DescribeTelCdrResult, *attemptErr) {
	info := &attemptInfo{}
	actx, cancel := context.WithTimeout(context.WithValue(ctx, attemptKey{}, info), c.timeout)
	defer cancel()

	// A new request per attempt: the SDK stamps it with a fresh timestamp and
	// nonce, so a retry is never refused as a stale signature.
	req := tchttp.NewCommonRequest(Service, APIVersion, ActionDescribeTelCdr)
	if err := req.SetActionParameters(params); err != nil {
		return nil, &attemptErr{err: fmt.Errorf("building the request: %s", c.scrub(err.Error()))}
	}
	req.SetContext(actx)
	resp := newDescribeTelCdrResponse()
	err := c.sdk.Send(req, resp)
	if err == nil {
		if resp.Response == nil {
			return nil, &attemptErr{err: errors.New("the answer has no Response object"), httpStatus: info.status, verdict: retry.Again}
		}
		return resp.Response, nil
	}
	return nil, c.classify(err, info)
}

// classify turns an error from the SDK's Send into an attempt failure.
func (c *Client) classify(err error, info *attemptInfo) *attemptErr {
	var sdkErr *tcerr.TencentCloudSDKError
	if !errors.As(err, &sdkErr) {
		return &attemptErr{err: errors.New(c.scrub(err.Error())), httpStatus: info.status}
	}
	if !strings.HasPrefix(sdkErr.Code, "ClientError.") {
		api := &APIError{
			Code:      sdkErr.Code,
			Message:   c.scrub(sdkErr.Message),
			RequestID: sdkErr.RequestId,
			Action:    ActionDescribeTelCdr,
		}
		return &attemptErr{err: api, api: api, httpStatus: info.status, verdict: verdictFor(sdkErr.Code)}
	}
	// A failure on this side of the API: network, HTTP status, unreadable body.
	switch {
	case info.tooLarge:
		return &attemptErr{err: errBodyTooLarge, httpStatus: info.status}
	case sdkErr.Code == "ClientError.NetworkError":
		// Network errors and per-attempt timeouts are transient; a cancelled
		// caller context is seen by the loop and ends it.
		return &attemptErr{err: c.networkErr(sdkErr), verdict: retry.Again}
	case info.status != 0 && info.status != http.StatusOK:
		return &attemptErr{
			err:        fmt.Errorf("unexpected HTTP status %d %s", info.status, http.StatusText(info.status)),
			httpStatus: info.status,
			verdict:    retry.ForStatus(info.status),
		}
	case sdkErr.Code == "ClientError.ParseJsonError" || sdkErr.Code == "ClientError.IOError":
		// An HTML error page or a truncated body from a proxy in the way:
		// transient more often than not, and bounded by the retry budget.
		return &attemptErr{
			err:        fmt.Errorf("the answer is not an API 3.0 JSON envelope: %s", snippet(c.scrub(sdkErr.Message))),
			httpStatus: info.status,
			verdict:    retry.Again,
		}
	}
	return &attemptErr{err: fmt.Errorf("%s: %s", sdkErr.Code, snippet(c.scrub(sdkErr.Message))), httpStatus: info.status}
}

// networkErr words a ClientError.NetworkError by its cause, without the
// SDK's prefix: "Post \"https://host/\": dial tcp ...: connection refused".
func (c *Client) networkErr(sdkErr *tcerr.TencentCloudSDKError) error {
	cause := errors.Unwrap(sdkErr)
	if cause == nil {
		return errors.New(c.scrub(sdkErr.Message))
	}
	var ue *url.Error
	if errors.As(cause, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("%s %s: no answer within the request timeout (%s)", ue.Op, c.endpoint, c.timeout)
		}
		return fmt.Errorf("%s %s: %s", ue.Op, c.endpoint, c.scrub(ue.Err.Error()))
	}
	return errors.New(c.scrub(cause.Error()))
}

// scrub removes the SecretKey from text that leaves the client.
func (c *Client) scrub(s string) string {
	if c.secretKey == "" {
		return s
	}
	return strings.ReplaceAll(s, c.secretKey, "REDACTED")
}

// snippet shortens a message that may quote a whole answer body.
func snippet(s string) string { return retry.Snippet(s, 200) }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
