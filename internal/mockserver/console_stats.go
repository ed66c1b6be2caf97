package mockserver

import (
	"slices"
	"sort"
	"sync"
	"time"
)

// The console's statistics (callkit-api.md §6), computed from the store's
// time indexes. They are the mock's own reading of the definitions: the
// provider's tencentcallkit_call_stats computes the same figures with its
// client's code, and a test outside this package holds the two equal.
//
//   - Call count: the records whose start is in the window.
//   - Participants: distinct non-empty user IDs among the callers and
//     callees of the calls that connected (a non-zero accept time).
//   - Max concurrent calls: the most calls in progress at one instant, a call
//     being in progress from its start to its end, both inclusive (an end
//     before the start counts as the start).
//
// Cost: the call count is two binary searches. The other figures read each
// record of the window once (no sorting): the peak is a difference array
// over the seconds between the window's first and last start, since every
// peak is reached at some call's start and ends after the last start never
// lower it.

// WindowStats are the figures for one window and one call type.
type WindowStats struct {
	Start, End   int64 // inclusive bounds on the start time, Unix seconds
	CallType     string
	Calls        int64
	Participants int64
	// MaxConcurrent is the peak of the selected calls together; for all
	// calls, MaxSingle and MaxGroup are each type's own peak (the vendor
	// console's overview shows the larger of those two).
	MaxConcurrent       int64
	MaxSingle, MaxGroup int64
	Days                []DayStats
}

// DayStats are one calendar day's figures, the day taken on its own.
type DayStats struct {
	Day           time.Time // local midnight
	Start, End    int64
	Calls         int64
	Participants  int64
	MaxConcurrent int64
}

// maxDiffSpan bounds the difference array (4 bytes a second, 32 MiB); a
// window whose records spread wider is swept over sorted ends instead.
const maxDiffSpan = 1 << 23

var diffPool = sync.Pool{New: func() any { return new([]int32) }}

// stats computes the figures of [start, end] for callType ("" for all), with
// one DayStats per local calendar day of loc that the window touches.
func (s *store) stats(start, end int64, callType string, loc *time.Location) WindowStats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ws := WindowStats{Start: start, End: end, CallType: callType}
	idx, ok := s.index(callType, "")
	if !ok || end < start {
		ws.Days = emptyDays(start, end, loc)
		return ws
	}
	slots := s.window(idx, start, end)
	ws.Calls = int64(len(slots))
	ws.MaxConcurrent = s.peak(slots)
	if callType == "" {
		if single, ok := s.index("single", ""); ok {
			ws.MaxSingle = s.peak(s.window(single, start, end))
		}
		if group, ok := s.index("group", ""); ok {
			ws.MaxGroup = s.peak(s.window(group, start, end))
		}
	} else if callType == "single" {
		ws.MaxSingle = ws.MaxConcurrent
	} else {
		ws.MaxGroup = ws.MaxConcurrent
	}
	// Participants of the window and of each day in one pass: seen[u] holds
	// the last day (1-based) user u was counted in, all[u] whether it was
	// counted for the window.
	seen := make([]uint32, len(s.users.strs))
	all := make([]bool, len(s.users.strs))
	empty, hasEmpty := s.users.lookup("")
	ws.Days = emptyDays(start, end, loc)
	for d := range ws.Days {
		day := &ws.Days[d]
		daySlots := s.window(slots, day.Start, day.End)
		day.Calls = int64(len(daySlots))
		day.MaxConcurrent = s.peak(daySlots)
		mark := uint32(d + 1)
		for _, slot := range daySlots {
			r := &s.recs[slot]
			if r.accept <= 0 {
				continue
			}
			count := func(u uint32) {
				if hasEmpty && u == empty {
					return
				}
				if seen[u] != mark {
					seen[u] = mark
					day.Participants++
				}
				if !all[u] {
					all[u] = true
					ws.Participants++
				}
			}
			count(r.caller)
			for _, u := range s.callees[r.calleeOff : r.calleeOff+uint32(r.calleeN)] {
				count(u)
			}
		}
	}
	return ws
}

// index returns the start-ordered slots of one call type and result ("" for
// any). Caller holds s.mu.
func (s *store) index(callType, result string) ([]uint32, bool) {
	k := filterKey{anyCode, anyCode}
	if callType != "" {
		c, ok := s.enums.lookup(callType)
		if !ok {
			return nil, false
		}
		k.ctype = c
	}
	if result != "" {
		c, ok := s.enums.lookup(result)
		if !ok {
			return nil, false
		}
		k.result = c
	}
	return s.idx[k], true
}

// window narrows start-ordered slots to those starting in [start, end].
func (s *store) window(slots []uint32, start, end int64) []uint32 {
	lo := sort.Search(len(slots), func(i int) bool { return s.recs[slots[i]].start >= start })
	hi := sort.Search(len(slots), func(i int) bool { return s.recs[slots[i]].start > end })
	if hi < lo {
		hi = lo
	}
	return slots[lo:hi]
}

// peak is the most calls among slots (in start order) in progress at once.
func (s *store) peak(slots []uint32) int64 {
	if len(slots) == 0 {
		return 0
	}
	first, last := s.recs[slots[0]].start, s.recs[slots[len(slots)-1]].start
	if last-first >= maxDiffSpan {
		return s.peakSorted(slots)
	}
	span := int(last-first) + 1
	bp := diffPool.Get().(*[]int32)
	defer diffPool.Put(bp)
	if cap(*bp) < span {
		*bp = make([]int32, span)
	}
	diff := (*bp)[:span]
	clear(diff)
	for _, slot := range slots {
		r := &s.recs[slot]
		diff[r.start-first]++
		// A call is in progress through its end second; an end at or after
		// the last start never lowers the count at any start.
		if e := max(r.end, r.start); e < last {
			diff[e+1-first]--
		}
	}
	var cur, best int64
	for _, d := range diff {
		cur += int64(d)
		best = max(best, cur)
	}
	return best
}

// peakSorted is peak for records spread too wide for a difference array:
// at each distinct start t, the calls in progress are those started at or
// before t minus those that ended before t.
func (s *store) peakSorted(slots []uint32) int64 {
	ends := make([]int64, len(slots))
	for i, slot := range slots {
		r := &s.recs[slot]
		ends[i] = max(r.end, r.start)
	}
	slices.Sort(ends)
	var best int64
	j := 0
	for i := 0; i < len(slots); i++ {
		t := s.recs[slots[i]].start
		if i+1 < len(slots) && s.recs[slots[i+1]].start == t {
			continue // count every call that starts at t first
		}
		for j < len(ends) && ends[j] < t {
			j++
		}
		best = max(best, int64(i+1-j))
	}
	return best
}

// emptyDays lists the local calendar days that [start, end] touches, each
// clipped to the window. A window of more than 400 days gets no day list.
func emptyDays(start, end int64, loc *time.Location) []DayStats {
	if end < start {
		return nil
	}
	t := time.Unix(start, 0).In(loc)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	var out []DayStats
	for len(out) <= 400 {
		next := day.AddDate(0, 0, 1)
		out = append(out, DayStats{Day: day, Start: max(start, day.Unix()), End: min(end, next.Unix()-1)})
		if next.Unix() > end {
			return out
		}
		day = next
	}
	return nil
}
