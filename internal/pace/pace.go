// Package pace keeps a client within the rate an API states for one path,
// and within the part of it other clients leave: the limits are per app, and
// every Terraform run, workspace and the app's own backend share them
// without seeing each other, so a path learns what is left only from
// rate-limit answers.
//
// Until its first rate-limit answer a path goes in bursts: never more than N
// requests in any one-second window, one request in flight at first and one
// more per answer (slow start, a quick ramp from a probe), so a run alone
// keeps the speed the documented limit allows.
//
// The first rate-limit answer makes the path adaptive for the rest of the
// process, after the AWS SDKs' adaptive retry mode: requests go one at a
// time, each 1/rate after the previous answer (a token bucket of one token,
// robust to a service stricter than its docs), at a rate that follows the
// measured send rate.
// A rate-limit answer to a request sent after the latest cut cuts the rate
// to Beta times the requests sent in the last second; the rate then regrows
// along a cubic curve, flat around the rate of the cut (wmax) and steep
// away from it: wmax + C·(t−K)³, back at wmax after K seconds, and then
// above it, probing for what others have stopped using, up to N. Answers to
// requests sent before the cut (sent at the old rate) do not cut again, so
// several processes converge on their shares in a few cuts each, and stay
// there: a refusal costs one request, not a burst.
package pace

import (
	"context"
	"math"
	"sync"
	"time"
)

// Margin widens the one-second window so that requests reserved exactly one
// second apart cannot arrive closer than that after uneven network delays.
const Margin = 50 * time.Millisecond

// Beta is the share of the measured send rate a path keeps after a cut.
const Beta = 0.7

// regrowth is how long the cubic takes to bring a cut at the documented rate
// back to it; a cut at a lower rate (a share) is back sooner (K grows with
// the cube root of wmax).
const regrowth = 2.0 // seconds

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
	now    func() time.Time // time.Now; tests replace it
	c      float64          // the cubic's scale, requests/s per s³
	floor  float64          // the lowest rate a cut leaves, requests/s

	mu       sync.Mutex
	sent     []time.Time // the last n reservations, oldest at head
	head     int
	inflight int
	allowed  int           // slow start, until adaptive: requests in flight (or waiting for their slot)
	wake     chan struct{} // closed (and replaced) whenever a waiter may proceed

	// After the first rate-limit answer.
	adaptive bool
	cutAt    time.Time // the latest cut
	wmax     float64   // the rate the latest cut measured, requests/s
	k        float64   // seconds from cutAt until the cubic is back at wmax
	next     time.Time // the earliest the next request may go at the rate
	lastDone time.Time // when the latest request ended: once adaptive, the next goes 1/rate after it
}

// New returns a Limiter for a path documented at perSecond requests/s.
func New(perSecond int) *Limiter {
	n := max(perSecond, 1)
	return &Limiter{
		n: n, window: time.Second + Margin, now: time.Now,
		c:     float64(n) * (1 - Beta) / (regrowth * regrowth * regrowth),
		floor: max(1, float64(n)/10),
		sent:  make([]time.Time, n), allowed: 1, wake: make(chan struct{}),
	}
}

// Ticket is one request's place; Done must be called with its outcome.
type Ticket struct {
	l    *Limiter
	at   time.Time // when it may go: a rate-limit answer to a request sent before the latest cut does not cut again
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
	t := &Ticket{l: l}
	for {
		reserved := l.now()
		t.at = l.reserve(reserved)
		l.mu.Unlock()
		if d := t.at.Sub(l.now()); d > 0 {
			timer := time.NewTimer(d)
			select {
			case <-ctx.Done():
				timer.Stop()
				t.Done(Failed)
				return nil, ctx.Err()
			case <-timer.C:
			}
		}
		l.mu.Lock()
		// A slot reserved before a cut was spaced at the old rate: take a
		// new one at the new rate.
		if !l.adaptive || !l.cutAt.After(reserved) {
			l.mu.Unlock()
			return t, nil
		}
	}
}

// full reports whether a new request must wait for one in flight to end:
// in bursts, the slow start's bound; once adaptive, one request at a time,
// so that the service sees them 1/rate apart whatever the network and the
// scheduler do (a service stricter than its docs refuses closer ones).
// The caller holds mu.
func (l *Limiter) full() bool {
	if l.adaptive {
		return l.inflight > 0
	}
	return l.inflight >= l.allowed
}

// reserve returns the earliest instant at or after now that keeps the last
// n reservations within the window (and, once adaptive, 1/rate after the
// previous one), and records it. The caller holds mu.
func (l *Limiter) reserve(now time.Time) time.Time {
	slot := now
	if oldest := l.sent[l.head]; !oldest.IsZero() {
		slot = later(slot, oldest.Add(l.window))
	}
	if l.adaptive {
		slot = later(later(slot, l.next), l.lastDone.Add(time.Duration(float64(time.Second)/l.rateAt(now))))
		l.next = slot.Add(time.Duration(float64(time.Second) / l.rateAt(slot)))
	}
	l.sent[l.head] = slot
	l.head = (l.head + 1) % l.n
	return slot
}

// rateAt is the adaptive rate at t: the cubic through the latest cut,
// between the floor and N. The caller holds mu.
func (l *Limiter) rateAt(t time.Time) float64 {
	dt := t.Sub(l.cutAt).Seconds() - l.k
	r := l.wmax + l.c*dt*dt*dt
	return min(max(r, l.floor), float64(l.n))
}

// Done reports the request's outcome and frees its place; later calls do nothing.
func (t *Ticket) Done(o Outcome) {
	t.once.Do(func() { t.l.done(o, t.at) })
}

func (l *Limiter) done(o Outcome, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight--
	l.lastDone = l.now()
	switch o {
	case Answered:
		l.allowed = min(l.allowed+1, l.n)
	case Throttled:
		l.throttled(l.now(), at)
	}
	close(l.wake)
	l.wake = make(chan struct{})
}

// throttled cuts the rate to Beta times the requests sent in the last second
// (or the current rate, if lower), unless the refused request went before
// the latest cut: it then says nothing the cut did not know. Requests that
// reserved their slots before the cut take new ones. The caller holds mu.
func (l *Limiter) throttled(now, at time.Time) {
	if l.adaptive && at.Before(l.cutAt) {
		return
	}
	measured := float64(l.sentSince(now.Add(-time.Second)))
	if l.adaptive {
		measured = min(measured, l.rateAt(now))
	}
	l.wmax = min(max(measured, l.floor), float64(l.n))
	l.k = math.Cbrt(l.wmax * (1 - Beta) / l.c)
	l.cutAt = now
	l.adaptive = true
	l.next = now.Add(time.Duration(float64(time.Second) / l.rateAt(now)))
}

// sentSince counts the reservations after t. The caller holds mu.
func (l *Limiter) sentSince(t time.Time) int {
	n := 0
	for _, s := range l.sent {
		if s.After(t) {
			n++
		}
	}
	return n
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
