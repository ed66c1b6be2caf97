package pace

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestReserveSlidingWindow: n requests go at once, the next one a window
// after the first, and so on; never more than n in any window.
func TestReserveSlidingWindow(t *testing.T) {
	t.Parallel()
	l := New(20)
	t0 := time.Unix(1_000_000, 0)
	var slots []time.Time
	for range 45 {
		slots = append(slots, l.reserve(t0))
	}
	for i, s := range slots {
		want := t0.Add(time.Duration(i/20) * l.window)
		if !s.Equal(want) {
			t.Fatalf("request %d at %v, want %v", i, s.Sub(t0), want.Sub(t0))
		}
	}
	// Later arrivals are not held back by an old burst.
	l = New(20)
	for range 20 {
		l.reserve(t0)
	}
	if s := l.reserve(t0.Add(3 * time.Second)); !s.Equal(t0.Add(3 * time.Second)) {
		t.Fatalf("after a pause: %v", s.Sub(t0))
	}
}

// TestThrottledSwitchesToSpacing: after the first rate-limit answer one
// request is in flight at a time, each sent 1/N after the previous answer.
func TestThrottledSwitchesToSpacing(t *testing.T) {
	t.Parallel()
	l := New(20)
	ctx := context.Background()
	first, err := l.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first.Done(Answered)
	a, err := l.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Wait(ctx) // slow start allows two now
	if err != nil {
		t.Fatal(err)
	}
	a.Done(Throttled)
	if !spacedNow(l) {
		t.Fatal("a rate-limit answer did not switch the path to spacing")
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := l.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("spaced, a request went while another was in flight: %v", err)
	}
	b.Done(Answered)
	var ends []time.Time
	var starts []time.Time
	for range 4 {
		tk, err := l.Wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		starts = append(starts, time.Now())
		time.Sleep(5 * time.Millisecond) // the round trip
		ends = append(ends, time.Now())
		tk.Done(Answered)
	}
	for i := 1; i < len(starts); i++ {
		if gap := starts[i].Sub(ends[i-1]); gap < l.gap {
			t.Fatalf("request %d went %v after the previous answer, want at least %v", i, gap, l.gap)
		}
	}
}

// TestSlowStart: one request in flight at first, one more per answer.
func TestSlowStart(t *testing.T) {
	t.Parallel()
	l := New(100)
	ctx := context.Background()
	oneInFlight(t, l, "at first").Done(Answered)
	var tickets []*Ticket
	for range 2 {
		tk, err := l.Wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	for _, tk := range tickets {
		tk.Done(Answered)
		tk.Done(Answered) // Done is idempotent
	}
	if l.inflight != 0 || l.allowed != 4 {
		t.Fatalf("inflight %d allowed %d", l.inflight, l.allowed)
	}
}

// TestWaitBurstThenWindow drives Wait from many goroutines in real time: the
// first n go at once, the rest one window later.
func TestWaitBurstThenWindow(t *testing.T) {
	t.Parallel()
	l := New(10)
	start := time.Now()
	var mu sync.Mutex
	var at []time.Duration
	var wg sync.WaitGroup
	for range 15 {
		wg.Go(func() {
			tk, err := l.Wait(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			at = append(at, time.Since(start))
			mu.Unlock()
			tk.Done(Answered)
		})
	}
	wg.Wait()
	early := 0
	for _, d := range at {
		if d < l.window {
			early++
		}
	}
	if early != 10 {
		t.Fatalf("%d of 15 went within the first window, want 10 (%v)", early, at)
	}
	if el := time.Since(start); el > l.window+500*time.Millisecond {
		t.Fatalf("15 requests at 10/s took %v", el)
	}
}

func TestWaitHonoursContext(t *testing.T) {
	t.Parallel()
	l := New(1)
	tk, err := l.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tk.Done(Answered)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := l.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 500*time.Millisecond {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
	if l.inflight != 0 {
		t.Fatalf("a cancelled wait kept its place: inflight %d", l.inflight)
	}
}

// TestSpacingEndsAfterAQuietSecond: one rate-limit answer spaces the path for
// a second only; then requests go in bursts again, after a fresh slow start,
// and a later throttle spaces it again.
func TestSpacingEndsAfterAQuietSecond(t *testing.T) {
	t.Parallel()
	l := New(200)
	advance := useFakeClock(l).advance
	ctx := context.Background()
	tk, err := l.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tk.Done(Throttled)
	advance(999 * time.Millisecond)
	if !spacedNow(l) {
		t.Fatal("not spaced within the second after a rate-limit answer")
	}
	tk, _ = l.Wait(ctx)
	tk.Done(Answered)
	advance(time.Second)
	if spacedNow(l) {
		t.Fatal("still spaced a second after the last rate-limit answer")
	}
	// Slow start: one answer lets two go at once, two answers three, ...
	var held []*Ticket
	for round := 1; round <= 4; round++ {
		for range round {
			short, cancel := context.WithTimeout(ctx, time.Second)
			tk, err := l.Wait(short)
			cancel()
			if err != nil {
				t.Fatalf("round %d: a burst request had to wait: %v", round, err)
			}
			held = append(held, tk)
		}
		for _, tk := range held {
			tk.Done(Answered)
		}
		held = held[:0]
	}
	tk, _ = l.Wait(ctx)
	tk.Done(Throttled)
	if !spacedNow(l) {
		t.Fatal("a later rate-limit answer did not space the path again")
	}
}

// spacedNow reports whether l is spacing its requests now, as Wait sees it.
func spacedNow(l *Limiter) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.spaced(l.now())
}

// fakeClock drives a Limiter's clock by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func useFakeClock(l *Limiter) *fakeClock {
	c := &fakeClock{now: time.Unix(1_000_000, 0)}
	l.now = func() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
	return c
}

func (c *fakeClock) advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// send waits for a ticket (at most a second of real time) and reports o.
func send(t *testing.T, l *Limiter, o Outcome) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	tk, err := l.Wait(ctx)
	if err != nil {
		t.Fatalf("a request had to wait: %v", err)
	}
	tk.Done(o)
}

// spacedFor checks that the path is spaced for exactly want from now, as
// Wait sees it, and leaves the clock where spacing has just ended.
func spacedFor(t *testing.T, l *Limiter, c *fakeClock, want time.Duration) {
	t.Helper()
	c.advance(want - time.Millisecond)
	if !spacedNow(l) {
		t.Fatalf("spacing ended before %v", want)
	}
	c.advance(time.Millisecond)
	if spacedNow(l) {
		t.Fatalf("still spaced %v after the rate-limit answer", want)
	}
}

// throttledBurst is the first burst after spacing against a service that
// allows none: the first request is answered, the next one refused.
func throttledBurst(t *testing.T, l *Limiter, c *fakeClock) {
	t.Helper()
	send(t, l, Answered)
	c.advance(2 * time.Millisecond)
	send(t, l, Throttled)
}

// TestStrictServiceLengthensSpacing: a service that throttles every burst
// sees the spaced period double at each return to bursts (1 s, 2 s, 4 s …),
// up to MaxRecovery, so it refuses a request or two a minute at most, not
// a second. A straggler of a refused burst does not double it again.
func TestStrictServiceLengthensSpacing(t *testing.T) {
	t.Parallel()
	l := New(200)
	c := useFakeClock(l)
	send(t, l, Answered)
	send(t, l, Throttled)
	want := []time.Duration{Recovery, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second,
		32 * time.Second, MaxRecovery, MaxRecovery}
	for i, period := range want {
		if i > 0 {
			throttledBurst(t, l, c)
		}
		if i == 2 {
			c.advance(time.Millisecond)
			send(t, l, Throttled) // the refused burst's other request
		}
		spacedFor(t, l, c, period)
	}
}

// TestCleanBurstsResetSpacing: once bursts go Recovery without a rate-limit
// answer, the next one spaces the path for Recovery again; idle time between
// spacing and the first burst does not count as bursts that went well.
func TestCleanBurstsResetSpacing(t *testing.T) {
	t.Parallel()
	l := New(200)
	c := useFakeClock(l)
	send(t, l, Throttled)
	spacedFor(t, l, c, Recovery)
	throttledBurst(t, l, c)
	spacedFor(t, l, c, 2*time.Second)
	c.advance(10 * time.Second) // idle
	throttledBurst(t, l, c)
	spacedFor(t, l, c, 4*time.Second)
	for range 11 { // bursts answered for a second
		send(t, l, Answered)
		c.advance(100 * time.Millisecond)
	}
	send(t, l, Throttled)
	spacedFor(t, l, c, Recovery)
}

// TestReturnToBurstsStartsSlow: answers to spaced requests do not widen the
// slow start, so the first burst after spacing is one request, then two.
func TestReturnToBurstsStartsSlow(t *testing.T) {
	t.Parallel()
	l := New(200)
	c := useFakeClock(l)
	for range 3 {
		send(t, l, Answered)
	}
	send(t, l, Throttled)
	for range 50 {
		c.advance(10 * time.Millisecond)
		send(t, l, Answered)
	}
	c.advance(Recovery)
	if spacedNow(l) {
		t.Fatal("still spaced after a quiet second")
	}
	oneInFlight(t, l, "back in bursts").Done(Answered)
	for range 2 {
		if _, err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// oneInFlight takes a ticket and checks that no second one goes before it
// is answered.
func oneInFlight(t *testing.T, l *Limiter, when string) *Ticket {
	t.Helper()
	ctx := context.Background()
	first, err := l.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if _, err := l.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%s, a second request went before the first was answered: %v", when, err)
	}
	return first
}
