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
	first, err := l.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if _, err := l.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second request went before the first was answered: %v", err)
	}
	first.Done(Answered)
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
	var mu sync.Mutex
	now := time.Unix(1_000_000, 0)
	l.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
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
