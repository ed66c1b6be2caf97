package callkit

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestComputeStats(t *testing.T) {
	t.Parallel()
	recs := []Record{
		// Overlap: A [0,100], B [50,150], C [100,200] → 3 at t=100; D alone later.
		{CallID: "A", StartCallTs: 0, AcceptTs: 10, EndTs: 100, Caller: "u1", Callees: []string{"u2"}, CallType: "single", CallResult: "normal_end"},
		{CallID: "B", StartCallTs: 50, AcceptTs: 0, EndTs: 150, Caller: "u3", Callees: []string{"u4"}, CallType: "single", CallResult: "not_answer"},
		{CallID: "C", StartCallTs: 100, AcceptTs: 120, EndTs: 200, Caller: "u1", Callees: []string{"u5", "u6"}, CallType: "group", CallResult: "normal_end"},
		{CallID: "D", StartCallTs: 1000, AcceptTs: 0, EndTs: 1005, Caller: "u7", Callees: []string{}, CallType: "single", CallResult: "cancel"},
		{CallID: "E", StartCallTs: 300, AcceptTs: 305, EndTs: 301, Caller: "u8", CallType: "group", CallResult: "offline"}, // bad clock: no negative time
	}
	s := computeStats(recs)
	want := Stats{
		CallCount: 5, ConnectedCount: 3, ParticipantCount: 6, // u1,u2,u5,u6,u8 + ... u1 twice
		MaxConcurrentCalls: 3, MaxConcurrentSingle: 2, MaxConcurrentGroup: 1,
		TotalDurationSeconds: 90 + 80, AverageDurationSeconds: 170.0 / 3,
		Results: map[string]int64{"normal_end": 2, "not_answer": 1, "cancel": 1, "offline": 1},
	}
	want.ParticipantCount = 5 // u1, u2, u5, u6, u8
	got, _ := json.Marshal(s)
	exp, _ := json.Marshal(want)
	if string(got) != string(exp) {
		t.Fatalf("got  %s\nwant %s", got, exp)
	}
	empty := computeStats(nil)
	if empty.CallCount != 0 || empty.AverageDurationSeconds != 0 || empty.Results == nil || empty.MaxConcurrentCalls != 0 {
		t.Fatalf("empty: %+v", empty)
	}
}

// TestComputeStatsDurationSaturates: a hostile answer whose durations sum past
// int64 gives the largest total, never a negative one (issue 17).
func TestComputeStatsDurationSaturates(t *testing.T) {
	t.Parallel()
	huge := int64(math.MaxInt64/2 + 10)
	recs := []Record{
		{CallID: "A", StartCallTs: 1, AcceptTs: 1, EndTs: 1 + huge, CallResult: "normal_end"},
		{CallID: "B", StartCallTs: 1, AcceptTs: 1, EndTs: 1 + huge, CallResult: "normal_end"},
		{CallID: "C", StartCallTs: 1, AcceptTs: 1, EndTs: math.MaxInt64, CallResult: "normal_end"},
	}
	s := computeStats(recs)
	if s.TotalDurationSeconds != math.MaxInt64 || s.AverageDurationSeconds <= 0 {
		t.Fatalf("total %d, average %v: want math.MaxInt64 and a positive average", s.TotalDurationSeconds, s.AverageDurationSeconds)
	}
	if got := computeStats(recs[:1]).TotalDurationSeconds; got != huge {
		t.Fatalf("one call: %d, want %d", got, huge)
	}
}

func BenchmarkComputeStats100k(b *testing.B) {
	recs := make([]Record, 100_000)
	for i := range recs {
		start := int64(i * 3)
		recs[i] = Record{CallID: fmt.Sprint(i), StartCallTs: start, AcceptTs: start + 2, EndTs: start + 60 + int64(i%97), Caller: fmt.Sprintf("u%d", i%5000), Callees: []string{fmt.Sprintf("u%d", (i+1)%5000)}, CallType: CallTypes[i%2], CallResult: CallResults[i%6]}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		computeStats(recs)
	}
}

// computeStats aggregates a list of records, in any order, as CallStats
// aggregates the walk's pages (which come in start-time order).
func computeStats(recs []Record) Stats {
	sorted := slices.Clone(recs)
	slices.SortStableFunc(sorted, func(a, b Record) int { return cmp.Compare(a.StartCallTs, b.StartCallTs) })
	a := NewStatsAggregator()
	a.Add(sorted)
	return a.Stats()
}
