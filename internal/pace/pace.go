// Package pace keeps a client within the rate an API states for one path:
// never more than N requests in any one-second window, so a burst goes at
// once. After a rate-limit answer (a service stricter than its docs) the path
// sends one request at a time, 1/N after the previous answer: the service has
// seen a request before it answers, so it then sees them 1/N apart whatever
// the network does. The limits are per second, so a second without a
// rate-limit answer returns the path to bursts (with a fresh slow start): one
// throttle early in a long walk does not slow all of it. A path starts with one request in flight and one more per
// answer (slow start), so a strict service refuses a handful, not a burst.
package pace

import (
	"context"
	"sync"
	"time"
)

// Recovery is how long a path stays spaced after a rate-limit answer.
const Recovery = time.Second

// Margin widens the one-second window so that requests reserved exactly one
// second apart cannot arrive closer than that after uneven network delays.
const Margin = 50 * time.Millisecond

// Outcome is what one paced request learned.
type Outcome int

const (
	// Failed: no answer, or a transient failure; says nothing about the rate.
	Failed Outcome = iota
	// Answered: the service took the request (success, or a final answer).
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
	spacedTo time.Time // spacing lasts until a second after the latest rate-limit answer
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
	if err := ctx.Err(); err != nil {
		return nil, err
	}
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
	if l.spaced(l.now()) {
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
	if l.spaced(now) {
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
		l.spacedTo = l.lastDone.Add(Recovery)
		l.allowed = 1
	}
	close(l.wake)
	l.wake = make(chan struct{})
}

// spaced reports whether a rate-limit answer came less than Recovery ago.
// The caller holds mu.
func (l *Limiter) spaced(now time.Time) bool {
	return now.Before(l.spacedTo)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
