package main

import (
	"fmt"
	"slices"
	"time"
)

// sample is the timings of one figure over repeated runs.
type sample []time.Duration

func (s sample) sorted() []time.Duration {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func (s sample) min() time.Duration {
	if len(s) == 0 {
		return 0
	}
	return slices.Min(s)
}

func (s sample) max() time.Duration {
	if len(s) == 0 {
		return 0
	}
	return slices.Max(s)
}

// median is the middle value, or the mean of the two middle values.
func (s sample) median() time.Duration {
	c := s.sorted()
	switch n := len(c); {
	case n == 0:
		return 0
	case n%2 == 1:
		return c[n/2]
	default:
		return (c[n/2-1] + c[n/2]) / 2
	}
}

// spread is "min … max (n runs)".
func (s sample) spread() string {
	if len(s) == 0 {
		return "no runs"
	}
	return fmt.Sprintf("%s … %s (%d runs)", secs(s.min()), secs(s.max()), len(s))
}

// secs formats a duration in seconds with millisecond precision, or in
// milliseconds / microseconds when it is short.
func secs(d time.Duration) string {
	switch {
	case d == 0:
		return "0 s"
	case d >= time.Second:
		return fmt.Sprintf("%.3f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1e3)
	default:
		return fmt.Sprintf("%.0f µs", float64(d.Nanoseconds())/1e3)
	}
}

// pairedRatios is a[i] / b[i] for the runs both samples have: runs taken
// side by side, so a drift in the machine's load affects both alike.
func pairedRatios(a, b sample) []float64 {
	n := min(len(a), len(b))
	out := make([]float64, 0, n)
	for i := range n {
		if b[i] > 0 {
			out = append(out, a[i].Seconds()/b[i].Seconds())
		}
	}
	return out
}

// medianFloat is the middle value, or the mean of the two middle values.
func medianFloat(v []float64) float64 {
	c := slices.Clone(v)
	slices.Sort(c)
	switch n := len(c); {
	case n == 0:
		return 0
	case n%2 == 1:
		return c[n/2]
	default:
		return (c[n/2-1] + c[n/2]) / 2
	}
}
