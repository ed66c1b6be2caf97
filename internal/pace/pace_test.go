package pace

import (
	"context"
	"errors"
	"math"
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

// cutAfter sends n requests evenly over the second before a rate-limit
// answer to one sent last, on the fake clock, and returns that answer's time.
func cutAfter(t *testing.T, l *Limiter, c *fakeClock, n int) time.Time {
	t.Helper()
	for range n {
		c.advance(time.Second / time.Duration(n))
		l.mu.Lock()
		at := l.reserve(l.now())
		l.mu.Unlock()
		l.done(Answered, at)
	}
	l.mu.Lock()
	at := l.reserve(l.now())
	l.mu.Unlock()
	c.advance(time.Millisecond)
	l.done(Throttled, at)
	return l.now()
}

// TestThrottleCutsToTheMeasuredRate: the first rate-limit answer makes the
// path adaptive at Beta times what it sent in the last second; the rate regrows along the cubic, back at the measured rate
// after K and above it later, never past N nor below the floor.
func TestThrottleCutsToTheMeasuredRate(t *testing.T) {
	t.Parallel()
	l := New(200)
	c := useFakeClock(l)
	cut := cutAfter(t, l, c, 60)
	if !l.adaptive {
		t.Fatal("a rate-limit answer did not make the path adaptive")
	}
	if l.wmax < 59 || l.wmax > 61 {
		t.Fatalf("measured %v requests/s, want the 60 sent in the last second", l.wmax)
	}
	if r := l.rateAt(cut); math.Abs(r-Beta*l.wmax) > 0.01 {
		t.Fatalf("rate just after the cut %v, want %v", r, Beta*l.wmax)
	}
	k := time.Duration(l.k * float64(time.Second))
	if k <= 0 || k > 2*time.Second {
		t.Fatalf("K = %v", k)
	}
	if r := l.rateAt(cut.Add(k / 2)); r <= Beta*l.wmax || r >= l.wmax {
		t.Fatalf("rate half way to K %v, want between the cut and wmax", r)
	}
	if r := l.rateAt(cut.Add(k)); math.Abs(r-l.wmax) > 0.01 {
		t.Fatalf("rate at K %v, want wmax %v", r, l.wmax)
	}
	if r := l.rateAt(cut.Add(k + time.Second)); r <= l.wmax {
		t.Fatalf("rate a second past K %v, want above wmax %v (probing)", r, l.wmax)
	}
	if r := l.rateAt(cut.Add(time.Hour)); r != 200 {
		t.Fatalf("rate an hour on %v, want N", r)
	}
	// Requests are spaced at the rate.
	a := l.reserve(l.now())
	b := l.reserve(l.now())
	if gap, want := b.Sub(a), time.Duration(float64(time.Second)/l.rateAt(a)); gap != want {
		t.Fatalf("adaptive requests %v apart, want %v", gap, want)
	}
}

// TestThrottleOncePerCut: rate-limit answers to requests sent before the
// latest cut do not cut again; one to a request sent after it does, from
// the lower of the measured and the current rate, and never below the floor.
func TestThrottleOncePerCut(t *testing.T) {
	t.Parallel()
	l := New(200)
	c := useFakeClock(l)
	l.mu.Lock()
	early := l.reserve(l.now())
	l.mu.Unlock()
	cut := cutAfter(t, l, c, 100)
	wmax := l.wmax
	c.advance(time.Millisecond)
	l.done(Throttled, early) // sent before the cut
	if l.wmax != wmax || !l.cutAt.Equal(cut) {
		t.Fatalf("a straggler cut again: wmax %v → %v", wmax, l.wmax)
	}
	for range 30 {
		l.mu.Lock()
		at := l.reserve(l.now())
		l.mu.Unlock()
		c.advance(time.Millisecond)
		l.done(Throttled, at)
	}
	if l.wmax != l.floor || l.floor != 20 {
		t.Fatalf("after 30 cuts in a row: wmax %v, want the floor of N/10 = 20", l.wmax)
	}
}
