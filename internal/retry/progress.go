package retry

import (
	"context"
	"sync"
	"time"
)

// DefaultProgressWindow is how long the requests of a walk go on being
// retried past the retry budget while none of them succeeds.
const DefaultProgressWindow = time.Minute

// Progress ties the requests of one walk together. A request that keeps
// failing while its siblings succeed meets a transient fault, not an outage:
// with a Progress in its context, Do retries it past Policy.MaxRetries for
// as long as some request of the walk has succeeded within the window. Once
// the window passes with no success at all the service is taken to be down
// and the request fails as it does without one ("after N attempt(s)").
// This is the walk's retry quota (the AWS SDKs' standard mode stops retries
// when a shared quota runs dry): retries past the budget are paid for by the
// walk's successes, and stop when those stop.
type Progress struct {
	window time.Duration
	now    func() time.Time

	mu   sync.Mutex
	last time.Time // the latest success, or when the walk began
}

// NewProgress starts the window of a walk now; window <= 0 means
// DefaultProgressWindow. now is the clock (nil: time.Now).
func NewProgress(window time.Duration, now func() time.Time) *Progress {
	if window <= 0 {
		window = DefaultProgressWindow
	}
	if now == nil {
		now = time.Now
	}
	return &Progress{window: window, now: now, last: now()}
}

type progressKey struct{}

// WithProgress returns ctx carrying p: every Do under it counts toward p and
// may retry past its budget while p sees successes.
func WithProgress(ctx context.Context, p *Progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

func progressOf(ctx context.Context) *Progress {
	p, _ := ctx.Value(progressKey{}).(*Progress)
	return p
}

// succeeded records a success of the walk.
func (p *Progress) succeeded() {
	if p == nil {
		return
	}
	t := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if t.After(p.last) {
		p.last = t
	}
}

// left is how long retries past the budget may go on: the time until the
// window has passed without a success; zero or less when it has.
func (p *Progress) left() time.Duration {
	if p == nil {
		return 0
	}
	p.mu.Lock()
	last := p.last
	p.mu.Unlock()
	return last.Add(p.window).Sub(p.now())
}
