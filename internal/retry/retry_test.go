package retry

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/pace"
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
	err := Do(context.Background(), fast, open(), "op", script(&seen, Resign, Again, Again, Again, Again, Again))
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
	err := Do(context.Background(), fast, open(), "op", script(&seen, Resign, Resign, Again))
	if err == nil || err.Error() != "failure 2" || len(seen) != 2 {
		t.Fatalf("err %v after %d attempts", err, len(seen))
	}
}

func TestDoStopsAndSucceeds(t *testing.T) {
	t.Parallel()
	var seen []Attempt
	if err := Do(context.Background(), fast, open(), "op", script(&seen, Stop)); err == nil || len(seen) != 1 {
		t.Fatalf("Stop: err %v after %d attempts", err, len(seen))
	}
	seen = nil
	if err := Do(context.Background(), fast, open(), "op", script(&seen, Again, Again)); err != nil || len(seen) != 3 {
		t.Fatalf("success on the third: err %v after %d attempts", err, len(seen))
	}
	seen = nil
	if err := Do(context.Background(), Policy{}, open(), "op", script(&seen, Again)); err == nil || len(seen) != 1 {
		t.Fatalf("MaxRetries 0: err %v after %d attempts", err, len(seen))
	}
}

func TestDoReportsTheContextWithTheLastFailure(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	slow := Policy{MaxRetries: 5, WaitMin: time.Hour, WaitMax: time.Hour}
	var seen []Attempt
	err := Do(ctx, slow, open(), "op", script(&seen, Again, Again))
	if !errors.Is(err, context.DeadlineExceeded) || err.Error() != "context deadline exceeded (last failure: failure 1)" {
		t.Fatalf("err %v", err)
	}
	// The context ends while an attempt is in flight: its failure is kept
	// unless it is only the context's own error.
	for _, tc := range []struct {
		fail error
		want string
	}{
		{errors.New("throttled"), "context canceled (last failure: throttled)"},
		{context.Canceled, "op: context canceled"},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		err = Do(ctx, fast, open(), "op", func(context.Context, Attempt) (Verdict, error) {
			n++
			cancel()
			return Again, tc.fail
		})
		if !errors.Is(err, context.Canceled) || err.Error() != tc.want || n != 1 {
			t.Fatalf("err %v after %d, want %q", err, n, tc.want)
		}
	}
	// Nothing sent at all: the operation is named.
	err = Do(ctx, fast, open(), "v1/callback/get", func(context.Context, Attempt) (Verdict, error) {
		t.Fatal("sent after the context ended")
		return Stop, nil
	})
	if err == nil || err.Error() != "v1/callback/get: context deadline exceeded" {
		t.Fatalf("err %v", err)
	}
}

// TestDoPacesAndReportsThrottling: Throttled is retried like Again, and the
// pacer then spaces the next attempt 1/N after the answer.
func TestDoPacesAndReportsThrottling(t *testing.T) {
	t.Parallel()
	p := pace.New(10)
	var at []time.Time
	err := Do(context.Background(), fast, p, "op", func(context.Context, Attempt) (Verdict, error) {
		at = append(at, time.Now())
		if len(at) == 1 {
			return Throttled, errors.New("rate limited")
		}
		return Stop, nil
	})
	if err != nil || len(at) != 2 {
		t.Fatalf("err %v after %d attempts", err, len(at))
	}
	if gap := at[1].Sub(at[0]); gap < 100*time.Millisecond {
		t.Fatalf("retried %v after a rate-limit answer, want at least 1/10 s", gap)
	}
}

func TestForStatus(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]Verdict{429: Throttled, 500: Again, 502: Again, 503: Again, 400: Stop, 404: Stop} {
		if got := ForStatus(status); got != want {
			t.Errorf("ForStatus(%d) = %v, want %v", status, got, want)
		}
	}
}

// open is a pacer that never holds a test back.
func open() *pace.Limiter { return pace.New(1000) }

// TestDoGrowsTheSlowStartOnAnswers: a final answer (such as "not found")
// lets the next request go alongside, as a success does; a transient
// failure does not.
func TestDoGrowsTheSlowStartOnAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    Verdict
		grow bool
	}{{Stop, true}, {Resign, true}, {Again, false}} {
		p := pace.New(10)
		_ = Do(context.Background(), Policy{}, p, "op", func(context.Context, Attempt) (Verdict, error) {
			return tc.v, errors.New("answer")
		})
		// Two may be in flight only if the answer widened the slow start.
		first, err := p.Wait(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		second, err := p.Wait(ctx)
		cancel()
		if (err == nil) != tc.grow {
			t.Errorf("verdict %v: a second request in flight = %v, want %v", tc.v, err == nil, tc.grow)
		}
		first.Done(pace.Answered)
		if second != nil {
			second.Done(pace.Answered)
		}
	}
}

// TestOutcomeLog pins the keys each kind of attempt logs: the provider's log
// tests and users' log filters read them.
func TestOutcomeLog(t *testing.T) {
	boom := errors.New("boom")
	for name, tc := range map[string]struct {
		o    Outcome
		want map[string]any
	}{
		"success, no code":   {Outcome{RequestID: "r1"}, map[string]any{"request_id": "r1"}},
		"success, code zero": {Outcome{Code: 0, RequestID: "r1"}, map[string]any{"request_id": "r1", "error_code": 0}},
		"api error": {
			Outcome{Err: boom, Verdict: Throttled, Code: "RequestLimitExceeded", Message: "slow down", RequestID: "r2", HTTPStatus: 200},
			map[string]any{"error_code": "RequestLimitExceeded", "error_message": "slow down", "request_id": "r2", "http_status": 200, "retryable": true},
		},
		"transport, no answer": {Outcome{Err: boom, Verdict: Again}, map[string]any{"error": "boom", "retryable": true}},
		"transport, status":    {Outcome{Err: boom, HTTPStatus: 404}, map[string]any{"error": "boom", "http_status": 404, "retryable": false}},
	} {
		t.Run(name, func(t *testing.T) {
			got := map[string]any{"attempt": 1}
			tc.o.Log(got)
			tc.want["attempt"] = 1
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("fields = %v, want %v", got, tc.want)
			}
		})
	}
}
