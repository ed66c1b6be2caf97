// Package retry holds the backoff both API clients (CallKit and Cloud
// Contact Center) wait between attempts.
package retry

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff returns the wait before retry number attempt (1-based): exponential
// from minWait, capped at maxWait, with jitter in [d/2, d] so that clients
// throttled together do not retry in lockstep.
func Backoff(attempt int, minWait, maxWait time.Duration) time.Duration {
	d := minWait << min(max(attempt-1, 0), 20)
	if d > maxWait || d <= 0 {
		d = maxWait
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// Sleep waits for d or until ctx ends, whichever is first, and returns the
// context's error in the latter case.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
