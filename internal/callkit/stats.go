package callkit

import (
	"container/heap"
	"context"
	"maps"
	"math"
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

// CallStats walks every record matching f (WalkRecords, bounded only against a
// service that never ends the walk) and aggregates them page by page.
func (c *Client) CallStats(ctx context.Context, v APIVersion, f RecordFilter) (Stats, error) {
	a := NewStatsAggregator()
	_, err := c.WalkRecords(ctx, v, f, WalkOptions{}, func(batch []Record, _ WalkProgress) error {
		a.Add(batch)
		return nil
	})
	if err != nil {
		return Stats{}, err
	}
	return a.Stats(), nil
}

// StatsAggregator computes Stats from records handed over in ascending start
// time, a batch at a time. Its memory grows with the distinct users and the
// peak number of concurrent calls, never with the records.
type StatsAggregator struct {
	s                   Stats
	users               map[string]struct{}
	all, single, groups peakTracker
}

// NewStatsAggregator returns an empty aggregator.
func NewStatsAggregator() *StatsAggregator {
	return &StatsAggregator{s: Stats{Results: map[string]int64{}}, users: map[string]struct{}{}}
}

// Add counts a batch; records must come in ascending start time (across
// batches too), as WalkRecords delivers them.
func (a *StatsAggregator) Add(batch []Record) {
	for i := range batch {
		r := &batch[i]
		a.s.CallCount++
		a.s.Results[r.CallResult]++
		a.all.add(r)
		switch r.CallType {
		case "single":
			a.single.add(r)
		case "group":
			a.groups.add(r)
		}
		if r.AcceptTs > 0 {
			a.addConnected(r)
		}
	}
}

func (a *StatsAggregator) addConnected(r *Record) {
	a.s.ConnectedCount++
	if r.EndTs > r.AcceptTs {
		a.s.TotalDurationSeconds = addSaturating(a.s.TotalDurationSeconds, r.EndTs-r.AcceptTs)
	}
	if r.Caller != "" {
		a.users[r.Caller] = struct{}{}
	}
	for _, u := range r.Callees {
		if u != "" {
			a.users[u] = struct{}{}
		}
	}
}

// Stats returns the figures of the records added so far.
func (a *StatsAggregator) Stats() Stats {
	s := a.s
	s.Results = maps.Clone(a.s.Results)
	s.ParticipantCount = int64(len(a.users))
	if s.ConnectedCount > 0 {
		s.AverageDurationSeconds = float64(s.TotalDurationSeconds) / float64(s.ConnectedCount)
	}
	s.MaxConcurrentCalls = a.all.best
	s.MaxConcurrentSingle = a.single.best
	s.MaxConcurrentGroup = a.groups.best
	return s
}

// addSaturating adds two non-negative durations, stopping at math.MaxInt64.
func addSaturating(a, b int64) int64 {
	if b > math.MaxInt64-a {
		return math.MaxInt64
	}
	return a + b
}

// peakTracker keeps the end times of the calls in progress (a min-heap) as
// calls arrive in start order. A call is in progress from its start to its
// end, both inclusive, so a call that ends in the second another starts
// overlaps it.
type peakTracker struct {
	ends endHeap
	best int64
}

func (p *peakTracker) add(r *Record) {
	for len(p.ends) > 0 && p.ends[0] < r.StartCallTs {
		heap.Pop(&p.ends)
	}
	heap.Push(&p.ends, max(r.EndTs, r.StartCallTs))
	p.best = max(p.best, int64(len(p.ends)))
}

type endHeap []int64

func (h endHeap) Len() int           { return len(h) }
func (h endHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h endHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *endHeap) Push(x any) {
	if v, ok := x.(int64); ok {
		*h = append(*h, v)
	}
}
func (h *endHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
