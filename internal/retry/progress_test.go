package retry

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock the test moves; safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestDoFollowsProgress: a request of a walk that keeps failing while the
// walk succeeds elsewhere is retried past MaxRetries; it succeeds in the end.
func TestDoFollowsProgress(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	prog := NewProgress(0, clock.now)
	ctx := WithProgress(context.Background(), prog)
	p := Policy{MaxRetries: 2, WaitMin: time.Microsecond, WaitMax: time.Microsecond}
	const failures = 40 // far past the budget of 2
	var attempts int
	err := Do(ctx, p, open(), "op", func(ctx context.Context, a Attempt) (Verdict, error) {
		attempts = a.N
		clock.advance(5 * time.Second)
		// A sibling of the walk succeeds between this request's attempts.
		if err := Do(ctx, p, open(), "sibling", func(context.Context, Attempt) (Verdict, error) { return Stop, nil }); err != nil {
			t.Error(err)
		}
		if a.N <= failures {
			return Again, fmt.Errorf("failure %d", a.N)
		}
		return Stop, nil
	})
	if err != nil || attempts != failures+1 {
		t.Fatalf("err %v after %d attempts, want success after %d", err, attempts, failures+1)
	}
}

// TestDoGivesUpWithoutProgress: when no request of the walk succeeds, the
// retries past the budget end once the default window (60 s, on a fake
// clock) has passed, with the last failure; the walk's clock starts when it
// begins, so a service that only fails ends the walk within the window.
func TestDoGivesUpWithoutProgress(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	start := clock.now()
	ctx := WithProgress(context.Background(), NewProgress(0, clock.now))
	p := Policy{MaxRetries: 2, WaitMin: time.Microsecond, WaitMax: time.Microsecond}
	var attempts atomic.Int64
	var gaveUp time.Time
	err := Do(ctx, p, open(), "op", func(_ context.Context, a Attempt) (Verdict, error) {
		attempts.Store(int64(a.N))
		clock.advance(time.Second)
		if a.N > 1000 {
			t.Fatal("still retrying after 1000 attempts")
		}
		return Throttled, fmt.Errorf("failure %d", a.N)
	})
	gaveUp = clock.now()
	n := attempts.Load()
	if err == nil || err.Error() != fmt.Sprintf("failure %d", n) {
		t.Fatalf("err %v, want the last failure (attempt %d)", err, n)
	}
	if n <= int64(p.MaxRetries)+1 || gaveUp.Sub(start) > DefaultProgressWindow {
		t.Fatalf("gave up after %d attempts, %v after the walk began; want more than %d attempts, within %v",
			n, gaveUp.Sub(start), p.MaxRetries+1, DefaultProgressWindow)
	}
	if n < 59 {
		t.Fatalf("gave up after %d attempts of one (fake) second each, before the window of %v passed", n, DefaultProgressWindow)
	}
}

// TestDoProgressKeepsBudgetMeanings: max_retries = 0 still means one attempt
// under a walk, a final failure is not retried, and a request outside a walk
// keeps its budget even while other walks succeed.
func TestDoProgressKeepsBudgetMeanings(t *testing.T) {
	t.Parallel()
	ctx := WithProgress(context.Background(), NewProgress(time.Hour, nil))
	var n int
	failing := func(v Verdict) Try {
		n = 0
		return func(context.Context, Attempt) (Verdict, error) { n++; return v, fmt.Errorf("failure %d", n) }
	}
	if err := Do(ctx, Policy{MaxRetries: 0}, open(), "op", failing(Again)); err == nil || n != 1 {
		t.Fatalf("max_retries 0 under a walk: %v after %d attempts, want 1", err, n)
	}
	if err := Do(ctx, fast, open(), "op", failing(Stop)); err == nil || n != 1 {
		t.Fatalf("final failure under a walk: %v after %d attempts, want 1", err, n)
	}
	if err := Do(context.Background(), fast, open(), "op", failing(Again)); err == nil || n != fast.MaxRetries+1 {
		t.Fatalf("single request: %v after %d attempts, want %d", err, n, fast.MaxRetries+1)
	}
}
