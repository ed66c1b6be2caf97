package mockserver

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// bruteStats is the §6 definition written the slow, obvious way, to hold the
// console's indexed computation to.
func bruteStats(recs []Record, start, end int64, callType string) (calls, participants, peakAll, peakSingle, peakGroup int64) {
	var in []Record
	for _, r := range recs {
		if r.StartCallTs >= start && r.StartCallTs <= end && (callType == "" || r.CallType == callType) {
			in = append(in, r)
		}
	}
	users := map[string]bool{}
	for _, r := range in {
		if r.AcceptTs > 0 {
			for _, u := range append([]string{r.Caller}, r.Callees...) {
				if u != "" {
					users[u] = true
				}
			}
		}
	}
	peak := func(ct string) int64 {
		var best int64
		for _, a := range in {
			if ct != "" && a.CallType != ct {
				continue
			}
			var n int64
			for _, b := range in {
				if (ct == "" || b.CallType == ct) && b.StartCallTs <= a.StartCallTs && max(b.EndTs, b.StartCallTs) >= a.StartCallTs {
					n++
				}
			}
			best = max(best, n)
		}
		return best
	}
	return int64(len(in)), int64(len(users)), peak(""), peak("single"), peak("group")
}

func randomRecords(rng *rand.Rand, n int, now int64, span int64) []Record {
	out := make([]Record, n)
	for i := range out {
		r := randomRecord(rng, now-rng.Int64N(span), now)
		r.CallID = fmt.Sprintf("call-%05d", i)
		switch rng.IntN(10) {
		case 0:
			r.EndTs = r.StartCallTs - 5 // an end before the start counts as the start
		case 1:
			r.Caller = "" // an empty user ID is nobody
		}
		out[i] = r
	}
	return out
}

func TestConsoleStats_matchDefinition(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	now := fixedNow.Unix()
	loc := time.FixedZone("UTC+8", 8*3600)
	for round := range 20 {
		s := newStore()
		span := int64(3 * 24 * 3600)
		if round%4 == 0 {
			span = 600 // dense: high concurrency
		}
		recs := randomRecords(rng, 300, now, span)
		s.add(recs)
		for range 10 {
			start := now - rng.Int64N(span+3600)
			end := start + rng.Int64N(span)
			for _, ct := range []string{"", "single", "group"} {
				got := s.stats(start, end, ct, loc)
				calls, parts, all, single, group := bruteStats(recs, start, end, ct)
				want := WindowStats{Calls: calls, Participants: parts, MaxConcurrent: all, MaxSingle: single, MaxGroup: group}
				switch ct {
				case "single":
					want.MaxConcurrent, want.MaxGroup = single, 0
				case "group":
					want.MaxConcurrent, want.MaxSingle = group, 0
				}
				if got.Calls != want.Calls || got.Participants != want.Participants || got.MaxConcurrent != want.MaxConcurrent ||
					got.MaxSingle != want.MaxSingle || got.MaxGroup != want.MaxGroup {
					t.Fatalf("round %d window [%d, %d] type %q: got calls %d participants %d peak %d/%d/%d, want %d %d %d/%d/%d",
						round, start, end, ct, got.Calls, got.Participants, got.MaxConcurrent, got.MaxSingle, got.MaxGroup,
						want.Calls, want.Participants, want.MaxConcurrent, want.MaxSingle, want.MaxGroup)
				}
				var dayCalls int64
				for _, d := range got.Days {
					c, p, pk, _, _ := bruteStats(recs, d.Start, d.End, ct)
					if d.Calls != c || d.Participants != p || d.MaxConcurrent != pk {
						t.Fatalf("day %s: got %d/%d/%d, want %d/%d/%d", d.Day, d.Calls, d.Participants, d.MaxConcurrent, c, p, pk)
					}
					if d.Day.Hour() != 0 || d.Day.Location() != loc {
						t.Fatalf("day %s is not a midnight in %s", d.Day, loc)
					}
					dayCalls += d.Calls
				}
				if dayCalls != got.Calls {
					t.Fatalf("the days hold %d calls, the window %d", dayCalls, got.Calls)
				}
			}
		}
	}
}

// The sorted sweeps (for records spread wider than the difference arrays)
// and the one-pass difference arrays agree, day by day.
func TestConsoleStats_peakPathsAgree(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	now := fixedNow.Unix()
	for range 50 {
		s := newStore()
		s.add(randomRecords(rng, 200, now, 1+rng.Int64N(3*86400)))
		for _, ct := range []string{"", "single", "group"} {
			a := s.statsWithin(now-4*86400, now, ct, time.UTC, maxDiffSpan)
			b := s.statsWithin(now-4*86400, now, ct, time.UTC, 0)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("type %q: difference arrays %+v, sorted sweeps %+v", ct, a, b)
			}
		}
	}
	// Two records decades apart take the sorted path and still count right.
	s := newStore()
	s.add([]Record{
		{CallID: "old", StartCallTs: 100, EndTs: 200, CallType: "single", CallResult: "normal_end", AcceptTs: 150},
		{CallID: "new", StartCallTs: fixedNow.Unix(), EndTs: fixedNow.Unix() + 60, CallType: "single", CallResult: "cancel"},
		{CallID: "new2", StartCallTs: fixedNow.Unix() + 30, EndTs: fixedNow.Unix() + 31, CallType: "group", CallResult: "normal_end"},
	})
	s.add([]Record{{CallID: "mid", StartCallTs: fixedNow.Unix() + 10, AcceptTs: fixedNow.Unix() + 12, EndTs: fixedNow.Unix() + 20,
		Caller: "ann", Callees: []string{"ben"}, CallType: "single", CallResult: "normal_end"}})
	// Decades: too long for a day list, counted all the same.
	if got := s.stats(0, fixedNow.Unix()+100, "", time.UTC); got.MaxConcurrent != 2 || got.Calls != 4 || got.Participants != 2 || got.Days != nil {
		t.Fatalf("wide window: %+v", got)
	}
}

// TestNewestFirstOffsetOutOfRange: an offset before the first record or past
// the last one answers the total and an empty page.
func TestNewestFirstOffsetOutOfRange(t *testing.T) {
	t.Parallel()
	s := New(Options{Clock: func() time.Time { return fixedNow }})
	s.AddRecords(seqRecords(3, 1000, "reject")...)
	for _, offset := range []int{-1, -1 << 62, 3, 1 << 62} {
		total, page := s.store.newestFirst(0, 10000, "", "", offset, 10)
		if total != 3 || len(page) != 0 {
			t.Errorf("offset %d: total %d, %d records; want 3 and none", offset, total, len(page))
		}
	}
	if total, page := s.store.newestFirst(0, 10000, "", "", 1, 10); total != 3 || len(page) != 2 || page[0].StartCallTs != 1060 {
		t.Errorf("offset 1: total %d, %+v", total, page)
	}
}
