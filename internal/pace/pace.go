// Package pace keeps a client within the rate an API states for one path:
// never more than N requests in any one-second window. A burst therefore goes
// at once rather than 1/N apart, which is what "N requests per second" allows.
//
// A service may enforce its limit more strictly than it states (a bucket of
// one token, say). The first rate-limit answer on a path switches that path
// to spacing: one request at a time, each sent 1/N after the answer to the one
// before. Because a request is answered only after the service has seen it,
// the service then sees its requests more than 1/N apart however the network
// delays them. To keep a strict service from refusing a whole burst before
// that switch, a path starts with one request in flight and allows one more
// per answer (as TCP's slow start does); against a service that keeps its
// word this costs a few round trips.
package pace

import (
	"context"
	"sync"
	"time"
)

// Margin widens the one-second window so that requests reserved exactly one
// second apart cannot arrive closer than that after uneven network delays.
const Margin = 50 * time.Millisecond

// Outcome is what one paced request learned.
type Outcome int

const (
	// Failed: no answer (network error, timeout); says nothing about the rate.
	Failed Outcome = iota
	// Answered: the service answered, with anything but "rate limited".
	Answered
	// Throttled: the service answered "rate limited".
	Throttled
)

// Limiter paces one path. It is safe for concurrent use.
type Limiter struct {
	n      int
	window time.Duration    // one second and the margin
	gap    time.Duration    // 1/N, between an answer and the next request once spaced
	now    func() time.Time // time.Now; tests replace it

	mu       sync.Mutex
	sent     []time.Time // the last n reservations, oldest at head
	head     int
	spaced   bool      // after the first rate-limit answer
	lastDone time.Time // when the latest request ended, for spacing
	inflight int
	allowed  int           // slow start: requests in flight before spacing
	wake     chan struct{} // closed (and replaced) whenever a waiter may proceed
}

// New returns a Limiter for a path documented at perSecond requests/s.
func New(perSecond int) *Limiter {
	n := max(perSecond, 1)
	return &Limiter{
		n: n, window: time.Second + Margin, gap: time.Second / time.Duration(n), now: time.Now,
		sent: make([]time.Time, n), allowed: 1, wake: make(chan struct{}),
	}
}

// Ticket is one request's place; Done must be called with its outcome.
type Ticket struct {
	l    *Limiter
	once sync.Once
}

// Wait blocks until a request may be sent, or ctx ends.
func (l *Limiter) Wait(ctx context.Context) (*Ticket, error) {
	l.mu.Lock()
	for l.full() {
		wake := l.wake
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wake:
		}
		l.mu.Lock()
	}
	l.inflight++
	slot := l.reserve(l.now())
	t := &Ticket{l: l}
	l.mu.Unlock()

	if d := slot.Sub(l.now()); d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-ctx.Done():
			t.Done(Failed)
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
	return t, nil
}

// full reports whether a new request must wait for one in flight to end.
func (l *Limiter) full() bool {
	if l.spaced {
		return l.inflight > 0
	}
	return l.inflight >= l.allowed
}

// reserve returns the earliest instant at or after now that keeps the last
// n reservations within the window (and, once spaced, 1/N after the last
// answer), and records it. The caller holds mu.
func (l *Limiter) reserve(now time.Time) time.Time {
	slot := now
	if oldest := l.sent[l.head]; !oldest.IsZero() {
		slot = later(slot, oldest.Add(l.window))
	}
	if l.spaced {
		slot = later(slot, l.lastDone.Add(l.gap))
	}
	l.sent[l.head] = slot
	l.head = (l.head + 1) % l.n
	return slot
}

// Done reports the request's outcome and frees its place; later calls do nothing.
func (t *Ticket) Done(o Outcome) {
	t.once.Do(func() { t.l.done(o) })
}

func (l *Limiter) done(o Outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight--
	l.lastDone = l.now()
	switch o {
	case Answered:
		l.allowed = min(l.allowed+1, l.n)
	case Throttled:
		l.spaced = true
	}
	close(l.wake)
	l.wake = make(chan struct{})
}

// Spaced reports whether the path has fallen back to spacing.
func (l *Limiter) Spaced() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.spaced
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
