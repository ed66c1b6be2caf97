package callkit

import (
	"cmp"
	"math"
	"slices"
)

// Stats are the console dashboard's figures (callkit-api.md §6), derived from
// records.
type Stats struct {
	// CallCount is every call initiated, connected or not.
	CallCount int64
	// ConnectedCount is the calls that connected (a non-zero accept time).
	ConnectedCount int64
	// ParticipantCount is the distinct user IDs that actually joined a call:
	// the caller and the callees of connected calls.
	ParticipantCount int64
	// MaxConcurrentCalls is the most calls in progress at one instant, a call
	// being in progress from its start to its end, both inclusive.
	MaxConcurrentCalls int64
	// MaxConcurrentSingle and MaxConcurrentGroup are each call type's own peak;
	// the console's overview shows the larger of the two.
	MaxConcurrentSingle int64
	MaxConcurrentGroup  int64
	// Results counts calls per result.
	Results map[string]int64
	// TotalDurationSeconds sums the connected time (end − accept) of connected
	// calls. It stops at math.MaxInt64 rather than wrap to a negative number
	// when an answer carries absurd timestamps.
	TotalDurationSeconds int64
	// AverageDurationSeconds is TotalDurationSeconds / ConnectedCount (0 when none connected).
	AverageDurationSeconds float64
}

// ComputeStats derives the dashboard figures from records.
func ComputeStats(recs []Record) Stats {
	s := Stats{CallCount: int64(len(recs)), Results: map[string]int64{}}
	users := map[string]struct{}{}
	for i := range recs {
		r := &recs[i]
		s.Results[r.CallResult]++
		if r.AcceptTs <= 0 {
			continue
		}
		s.ConnectedCount++
		if r.EndTs > r.AcceptTs {
			s.TotalDurationSeconds = addSaturating(s.TotalDurationSeconds, r.EndTs-r.AcceptTs)
		}
		if r.Caller != "" {
			users[r.Caller] = struct{}{}
		}
		for _, u := range r.Callees {
			if u != "" {
				users[u] = struct{}{}
			}
		}
	}
	s.ParticipantCount = int64(len(users))
	if s.ConnectedCount > 0 {
		s.AverageDurationSeconds = float64(s.TotalDurationSeconds) / float64(s.ConnectedCount)
	}
	s.MaxConcurrentCalls = peak(recs, "")
	s.MaxConcurrentSingle = peak(recs, "single")
	s.MaxConcurrentGroup = peak(recs, "group")
	return s
}

// addSaturating adds two non-negative durations, stopping at math.MaxInt64.
func addSaturating(a, b int64) int64 {
	if b > math.MaxInt64-a {
		return math.MaxInt64
	}
	return a + b
}

type edge struct {
	t     int64
	delta int8 // +1 start, -1 end
}

// peak sweeps the calls' [start, end] intervals (of one call type, or all
// when callType is empty). At equal instants starts sort before ends, so a
// call that ends in the second another starts counts as overlapping it.
func peak(recs []Record, callType string) int64 {
	edges := make([]edge, 0, 2*len(recs))
	for i := range recs {
		r := &recs[i]
		if callType != "" && r.CallType != callType {
			continue
		}
		end := max(r.EndTs, r.StartCallTs)
		edges = append(edges, edge{r.StartCallTs, +1}, edge{end, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if c := cmp.Compare(a.t, b.t); c != 0 {
			return c
		}
		return cmp.Compare(b.delta, a.delta)
	})
	var cur, best int64
	for _, e := range edges {
		cur += int64(e.delta)
		best = max(best, cur)
	}
	return best
}
