// Package pace keeps a client within the rate an API states for one path:
// never more than N requests in any one-second window, so a burst goes at
// once. After a rate-limit answer (a service stricter than its docs) the path
// sends one request at a time, 1/N after the previous answer: the service has
// seen a request before it answers, so it then sees them 1/N apart whatever
// the network does. A path in bursts starts with one request in flight and one
// more per answer (slow start), so a strict service refuses a handful, not a
// burst.
//
// The limits are per second, so spacing ends a while after the latest
// rate-limit answer and the path returns to bursts, with a fresh slow start:
// one throttle early in a long walk spaces Recovery of it, not all of it. A
// service that allows no burst at all refuses the first burst after every
// return, so a throttle in bursts that have not yet gone Recovery without one
// (counted from their first answer: idle time says nothing about bursts)
// doubles the spaced period, up to MaxRecovery; bursts that have gone
// Recovery unthrottled reset it. Such a service sees the path return to
// bursts about 1, 3, 7, 15, 31 and 63 s after its first refusal and once a
// minute after that, drawing a refusal or two each time, while a service
// that throttled once sees bursts again after a second.
package pace

import (
	"context"
	"sync"
	"time"
)

// Recovery is how long a path stays spaced after a rate-limit answer, and
// how long its bursts must go unthrottled for that to hold again.
const Recovery = time.Second

// MaxRecovery caps the spaced period a service that keeps throttling bursts
// earns: it still gets a chance to allow them once a minute.
const MaxRecovery = time.Minute

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
	spacedTo time.Time     // spacing lasts until recovery after the latest rate-limit answer
	recovery time.Duration // the spaced period: Recovery, doubled by each throttled return to bursts
	burstAt  time.Time     // the first answer since spacing ended; zero while none
	lastDone time.Time     // when the latest request ended, for spacing
	inflight int
	allowed  int           // slow start: requests in flight before spacing
	wake     chan struct{} // closed (and replaced) whenever a waiter may proceed
}

// New returns a Limiter for a path documented at perSecond requests/s.
func New(perSecond int) *Limiter {
	n := max(perSecond, 1)
	return &Limiter{
		n: n, window: time.Second + Margin, gap: time.Second / time.Duration(n), now: time.Now,
		sent: make([]time.Time, n), allowed: 1, recovery: Recovery, wake: make(chan struct{}),
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
		l.answered(l.lastDone)
	case Throttled:
		l.throttled(l.lastDone)
	}
	close(l.wake)
	l.wake = make(chan struct{})
}

// answered widens the slow start, in bursts only: answers to spaced requests
// say nothing about bursts, so a path returns to bursts with one request in
// flight. The caller holds mu.
func (l *Limiter) answered(now time.Time) {
	if l.spaced(now) {
		return
	}
	l.allowed = min(l.allowed+1, l.n)
	if l.burstAt.IsZero() {
		l.burstAt = now
	}
}

// throttled spaces the path for its recovery period, doubled first when
// bursts were throttled again before they had gone Recovery without a
// rate-limit answer, reset when they had. A straggler of the burst that
// began the spacing only extends it. The caller holds mu.
func (l *Limiter) throttled(now time.Time) {
	switch {
	case l.spaced(now) || l.spacedTo.IsZero():
		// A straggler, or the first throttle: the period stands.
	case !l.burstAt.IsZero() && now.Sub(l.burstAt) >= Recovery:
		l.recovery = Recovery
	default:
		l.recovery = min(2*l.recovery, MaxRecovery)
	}
	l.spacedTo = now.Add(l.recovery)
	l.burstAt = time.Time{}
	l.allowed = 1
}

// spaced reports whether a rate-limit answer came less than the recovery
// period ago.
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
