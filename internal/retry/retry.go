// Package retry is the attempt loop below both API clients (CallKit and
// Cloud Contact Center): pacing each attempt, how many attempts, the backoff
// between them, and the error a call ends with. What a failure means is each
// client's own: it answers with a Verdict.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/pace"
)

// Policy bounds the loop. Zero waits are not defaulted here: the clients do.
type Policy struct {
	MaxRetries int           // retries after the first attempt; re-signing is not one of them
	WaitMin    time.Duration // first backoff
	WaitMax    time.Duration // backoff cap
	// ProgressWindow: a walk's requests are retried past MaxRetries until
	// this long passes with no success of the walk (0 → DefaultProgressWindow).
	ProgressWindow time.Duration
}

// Walk returns ctx with a new Progress for one walk under p: the requests
// made with it are retried while the walk keeps succeeding (see Progress).
func (p Policy) Walk(ctx context.Context) context.Context {
	return WithProgress(ctx, NewProgress(p.ProgressWindow, nil))
}

// Verdict is a client's reading of one failed attempt.
type Verdict int

const (
	// Stop: the failure is final.
	Stop Verdict = iota
	// Again: transient; retry after a backoff while the budget lasts.
	Again
	// Throttled: the service answered "rate limited"; as Again, and the
	// path's pacer falls back to spacing.
	Throttled
	// Resign: the credentials may have expired in flight; retry at once with
	// fresh ones, once per call, outside the budget.
	Resign
)

// Attempt tells a Try which request it is.
type Attempt struct {
	N     int  // requests sent for this call so far, this one included (1-based)
	Fresh bool // sign with freshly minted credentials (after a Resign)
}

// Try sends one attempt: nil on success, or the failure (already carrying
// a.N, for "after N attempts") and what to do about it.
type Try func(ctx context.Context, a Attempt) (Verdict, error)

// Do runs try, each attempt paced by pacer, until it succeeds, a failure is
// final, the retries are spent or ctx ends. Under a Progress (WithProgress)
// a transient failure is retried past the budget (MaxRetries > 0) while the
// walk keeps succeeding elsewhere: until its window passes with no success. It returns the last failure as
// the Try returned it; when ctx ended first, ctx's error wrapping that
// failure ("context deadline exceeded (last failure: …)"), or naming op when
// nothing was sent.
func Do(ctx context.Context, p Policy, pacer *pace.Limiter, op string, try Try) error {
	var last error
	prog := progressOf(ctx)
	retries, resigned := 0, false
	a := Attempt{}
	for {
		ticket, err := pacer.Wait(ctx)
		if err != nil {
			return ended(op, err, last)
		}
		a.N++
		v, err := try(ctx, a)
		ticket.Done(outcome(v, err))
		if err == nil {
			prog.succeeded()
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			// A failure that is only the context ending says less than the
			// one before it.
			if !errors.Is(err, cerr) {
				last = err
			}
			return ended(op, cerr, last)
		}
		last = err
		a.Fresh = false
		switch {
		case v == Resign && !resigned:
			resigned, a.Fresh = true, true
			continue
		case v != Again && v != Throttled:
			return last
		}
		retries++
		wait := Backoff(retries, p.WaitMin, p.WaitMax)
		if retries > p.MaxRetries {
			if wait, err = pastBudget(p, prog, wait); err != nil {
				return last
			}
		}
		if err := Sleep(ctx, wait); err != nil {
			return ended(op, err, last)
		}
		if retries > p.MaxRetries && prog.left() <= 0 {
			return last // the window closed while waiting, with no success
		}
	}
}

// errSpent: no retry is left.
var errSpent = errors.New("retries spent")

// pastBudget is the wait before a retry beyond MaxRetries: allowed only under
// a Progress that has seen a success within its window (never when retries
// are off), and cut at the window's end, so a walk of a service that answers
// nothing but failures ends when the window does.
func pastBudget(p Policy, prog *Progress, wait time.Duration) (time.Duration, error) {
	if p.MaxRetries == 0 || prog == nil {
		return 0, errSpent
	}
	left := prog.left()
	if left <= 0 {
		return 0, errSpent
	}
	return min(wait, left), nil
}

// ForStatus reads an HTTP status other than 200 that carries no API answer:
// 5xx is transient, 429 is throttling, the rest is final.
func ForStatus(status int) Verdict {
	switch {
	case status == http.StatusTooManyRequests:
		return Throttled
	case status >= 500:
		return Again
	}
	return Stop
}

// outcome is what the pacer learns. A final or re-sign answer came from a
// service that took the request, so it widens the slow start as a success
// does; a transient failure says nothing about the rate.
func outcome(v Verdict, err error) pace.Outcome {
	switch {
	case err == nil, v == Stop, v == Resign:
		return pace.Answered
	case v == Throttled:
		return pace.Throttled
	}
	return pace.Failed
}

func ended(op string, cerr, last error) error {
	if last == nil {
		return fmt.Errorf("%s: %w", op, cerr)
	}
	return fmt.Errorf("%w (last failure: %w)", cerr, last)
}

// Backoff returns the wait before retry number attempt (1-based): exponential
// from minWait, capped at maxWait, with jitter in [d/2, d] so that clients
// throttled together do not retry in lockstep.
func Backoff(attempt int, minWait, maxWait time.Duration) time.Duration {
	d := minWait << min(max(attempt-1, 0), 20)
	if d > maxWait || d <= 0 {
		d = maxWait
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// Sleep waits for d or until ctx ends, whichever is first, and returns the
// context's error in the latter case.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Outcome is one attempt as both clients log it; each client fills it from
// its own error types.
type Outcome struct {
	Err        error // nil on success
	Verdict    Verdict
	HTTPStatus int // logged for a failure when non-zero
	// Code, Message and RequestID are the service's answer. Code is nil when
	// no error code is to be logged: a failure without an API answer, or a
	// success for a client that logs no code for it.
	Code      any
	Message   string
	RequestID string
}

// Log adds the outcome to an attempt's log fields: request_id (and
// error_code) for a success; error_code, error_message and request_id for
// an API error; error for any other failure; http_status and retryable for
// every failure.
func (o Outcome) Log(fields map[string]any) {
	switch {
	case o.Err == nil:
		fields["request_id"] = o.RequestID
		if o.Code != nil {
			fields["error_code"] = o.Code
		}
	case o.Code != nil:
		fields["error_code"] = o.Code
		fields["error_message"] = o.Message
		fields["request_id"] = o.RequestID
	default:
		fields["error"] = o.Err.Error()
	}
	if o.Err != nil {
		if o.HTTPStatus != 0 {
			fields["http_status"] = o.HTTPStatus
		}
		fields["retryable"] = o.Verdict != Stop
	}
}
