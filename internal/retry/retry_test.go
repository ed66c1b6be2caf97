package retry

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	minW, maxW := 100*time.Millisecond, time.Second
	for attempt, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 60: time.Second, 0: 100 * time.Millisecond} {
		for range 50 {
			got := Backoff(attempt, minW, maxW)
			if got < want/2 || got > want {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", attempt, got, want/2, want)
			}
		}
	}
}

func TestSleepStopsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep = %v", err)
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("Sleep = %v", err)
	}
}

// script returns a Try that answers verdicts[i] on attempt i+1 (nil error
// once they run out) and records the attempts it saw.
func script(seen *[]Attempt, verdicts ...Verdict) Try {
	return func(_ context.Context, a Attempt) (Verdict, error) {
		*seen = append(*seen, a)
		if a.N > len(verdicts) {
			return Stop, nil
		}
		return verdicts[a.N-1], fmt.Errorf("failure %d", a.N)
	}
}

var fast = Policy{MaxRetries: 3, WaitMin: time.Microsecond, WaitMax: time.Microsecond}

func TestDoResignIsOutsideTheBudget(t *testing.T) {
	t.Parallel()
	// Re-sign once, then transient failures: 1 + 1 + MaxRetries requests.
	var seen []Attempt
	err := Do(context.Background(), fast, "op", script(&seen, Resign, Again, Again, Again, Again, Again))
	if err == nil || err.Error() != "failure 5" || len(seen) != 5 {
		t.Fatalf("err %v after %d attempts, want failure 5 after 5", err, len(seen))
	}
	for i, a := range seen {
		if a.N != i+1 || a.Fresh != (i == 1) {
			t.Errorf("attempt %d = %+v: only the one after the re-sign is fresh", i+1, a)
		}
	}
}

func TestDoResignsOnlyOnce(t *testing.T) {
	t.Parallel()
	var seen []Attempt
	err := Do(context.Background(), fast, "op", script(&seen, Resign, Resign, Again))
	if err == nil || err.Error() != "failure 2" || len(seen) != 2 {
		t.Fatalf("err %v after %d attempts", err, len(seen))
	}
}

func TestDoStopsAndSucceeds(t *testing.T) {
	t.Parallel()
	var seen []Attempt
	if err := Do(context.Background(), fast, "op", script(&seen, Stop)); err == nil || len(seen) != 1 {
		t.Fatalf("Stop: err %v after %d attempts", err, len(seen))
	}
	seen = nil
	if err := Do(context.Background(), fast, "op", script(&seen, Again, Again)); err != nil || len(seen) != 3 {
		t.Fatalf("success on the third: err %v after %d attempts", err, len(seen))
	}
	seen = nil
	if err := Do(context.Background(), Policy{}, "op", script(&seen, Again)); err == nil || len(seen) != 1 {
		t.Fatalf("MaxRetries 0: err %v after %d attempts", err, len(seen))
	}
}

func TestDoReportsTheContextWithTheLastFailure(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	slow := Policy{MaxRetries: 5, WaitMin: time.Hour, WaitMax: time.Hour}
	var seen []Attempt
	err := Do(ctx, slow, "op", script(&seen, Again, Again))
	if !errors.Is(err, context.DeadlineExceeded) || err.Error() != "context deadline exceeded (last failure: failure 1)" {
		t.Fatalf("err %v", err)
	}
	// A try that could not send because ctx ended: the earlier failure is kept.
	ctx, cancel = context.WithCancel(context.Background())
	n := 0
	err = Do(ctx, fast, "op", func(ctx context.Context, a Attempt) (Verdict, error) {
		n++
		if a.N == 1 {
			return Again, errors.New("throttled")
		}
		cancel()
		return Stop, ctx.Err()
	})
	if !errors.Is(err, context.Canceled) || err.Error() != "context canceled (last failure: throttled)" || n != 2 {
		t.Fatalf("err %v after %d", err, n)
	}
	// Nothing sent at all: the operation is named.
	err = Do(ctx, fast, "v1/callback/get", func(ctx context.Context, _ Attempt) (Verdict, error) { return Stop, ctx.Err() })
	if err == nil || err.Error() != "v1/callback/get: context canceled" {
		t.Fatalf("err %v", err)
	}
}
