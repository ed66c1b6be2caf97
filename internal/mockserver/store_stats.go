package mockserver

import (
	"slices"
	"sort"
	"sync"
	"time"
)

// The console's statistics (callkit-api.md §6), from the store's time
// indexes: the mock's own reading of the definitions, held equal to the
// provider's tencentcallkit_call_stats by a test outside this package.
// Participants are distinct user IDs of connected calls (non-zero accept
// time); a call is in progress from its start to its end, both inclusive (an
// end before the start counts as the start). Every peak is reached at some
// call's start, so a difference array over the start seconds finds it
// without sorting.

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
	return s.statsWithin(start, end, callType, loc, maxDiffSpan)
}

// statsWithin is stats with the difference arrays limited to spanLimit
// seconds (tests lower it to exercise the sorted sweeps).
func (s *store) statsWithin(start, end int64, callType string, loc *time.Location, spanLimit int64) (ws WindowStats) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ws = WindowStats{Start: start, End: end, CallType: callType, Days: emptyDays(start, end, loc)}
	idx, ok := s.index(callType, "")
	if !ok || end < start {
		return ws
	}
	if ws.Days == nil {
		// Too long a window for a day list: compute with the whole window as
		// one bucket, and show no days.
		ws.Days = []DayStats{{Start: start, End: end}}
		defer func() { ws.Days = nil }()
	}
	slots := s.window(idx, start, end)
	ws.Calls = int64(len(slots))
	if len(slots) == 0 {
		return ws
	}
	first, last := s.recs[slots[0]].start, s.recs[slots[len(slots)-1]].start
	if last-first >= spanLimit {
		days := make([][]uint32, len(ws.Days))
		for d := range ws.Days {
			days[d] = s.window(slots, ws.Days[d].Start, ws.Days[d].End)
			ws.Days[d].Calls = int64(len(days[d]))
		}
		s.peaksSorted(&ws, slots, days)
		s.participants(&ws, days, anyCode)
		return ws
	}
	// The passes read the records through the index of all calls, which
	// holds them in (mostly) memory order, and skip the other type: faster
	// than following a type's own, scattered index.
	want := anyCode
	if callType != "" {
		want, _ = s.enums.lookup(callType)
	}
	all, _ := s.index("", "")
	days := make([][]uint32, len(ws.Days))
	firsts, lasts := make([]int64, len(days)), make([]int64, len(days))
	for d := range ws.Days {
		day := &ws.Days[d]
		typed := s.window(slots, day.Start, day.End)
		day.Calls = int64(len(typed))
		firsts[d], lasts[d] = -1, -1
		if len(typed) > 0 {
			firsts[d], lasts[d] = s.recs[typed[0]].start, s.recs[typed[len(typed)-1]].start
			days[d] = s.window(all, firsts[d], lasts[d])
		}
	}
	s.onePass(&ws, days, firsts, lasts, want, first, last)
	return ws
}

// onePass fills the window's and the days' peaks and participants from one
// read of the records. The peaks come from difference arrays over [first,
// last]: one for the selected calls, one per type when all are selected, and
// one for the days, whose ends are clamped to their own day's last start and
// whose running sum restarts at each day. Participants are counted as in
// participants.
func (s *store) onePass(ws *WindowStats, days [][]uint32, firsts, lasts []int64, want uint32, first, last int64) {
	span := int(last-first) + 1
	arrays := 2
	if ws.CallType == "" {
		arrays = 4
	}
	buf, release := diffBuffer(arrays * span)
	defer release()
	sel, day := buf[:span], buf[span:2*span]
	var single, group []int32
	singleCode, groupCode := anyCode, anyCode
	if arrays == 4 {
		single, group = buf[2*span:3*span], buf[3*span:]
		singleCode, groupCode = s.typeCodes()
	}
	seen, all := s.participantMarks()
	for d, ds := range days {
		dayLast := lasts[d]
		mark := uint32(d + 1)
		for _, slot := range ds {
			r := &s.recs[slot]
			if want != anyCode && r.ctype != want {
				continue
			}
			if r.accept > 0 {
				ws.Days[d].Participants += countUser(seen, all, r.caller, mark, &ws.Participants)
				for _, u := range s.callees[r.calleeOff : r.calleeOff+uint32(r.calleeN)] {
					ws.Days[d].Participants += countUser(seen, all, u, mark, &ws.Participants)
				}
			}
			at := r.start - first
			e := max(r.end, r.start)
			sel[at]++
			day[at]++
			// A call is in progress through its end second; an end at or
			// after the last start never lowers the count at any start.
			if e < last {
				sel[e+1-first]--
			}
			if e < dayLast {
				day[e+1-first]--
			}
			var typed []int32
			switch r.ctype {
			case singleCode:
				typed = single
			case groupCode:
				typed = group
			}
			if typed != nil {
				typed[at]++
				if e < last {
					typed[e+1-first]--
				}
			}
		}
	}
	setPeaks(ws, sel, single, group, day, firsts, lasts, first)
}

// diffBuffer is a zeroed buffer of n counters from the pool, and its return.
func diffBuffer(n int) ([]int32, func()) {
	bp, _ := diffPool.Get().(*[]int32)
	if bp == nil {
		bp = new([]int32)
	}
	if cap(*bp) < n {
		*bp = make([]int32, n)
	}
	buf := (*bp)[:n]
	clear(buf)
	return buf, func() { diffPool.Put(bp) }
}

// typeCodes are the store's codes of the two call types (anyCode for one
// no record has).
func (s *store) typeCodes() (single, group uint32) {
	single, group = anyCode, anyCode
	if c, ok := s.enums.lookup("single"); ok {
		single = c
	}
	if c, ok := s.enums.lookup("group"); ok {
		group = c
	}
	return single, group
}

// setPeaks reads the window's and each day's peaks off the difference
// arrays onePass filled (single and group are nil for one call type).
func setPeaks(ws *WindowStats, sel, single, group, day []int32, firsts, lasts []int64, first int64) {
	ws.MaxConcurrent = maxPrefix(sel)
	if single != nil {
		ws.MaxSingle, ws.MaxGroup = maxPrefix(single), maxPrefix(group)
	} else if ws.CallType == "single" {
		ws.MaxSingle = ws.MaxConcurrent
	} else {
		ws.MaxGroup = ws.MaxConcurrent
	}
	for d := range firsts {
		if firsts[d] >= 0 {
			ws.Days[d].MaxConcurrent = maxPrefix(day[firsts[d]-first : lasts[d]-first+1])
		}
	}
}

func maxPrefix(diff []int32) int64 {
	var cur, best int64
	for _, d := range diff {
		cur += int64(d)
		best = max(best, cur)
	}
	return best
}

// peaksSorted fills the peaks with sorted sweeps, for records spread too
// wide in time for difference arrays.
func (s *store) peaksSorted(ws *WindowStats, slots []uint32, days [][]uint32) {
	ws.MaxConcurrent = s.peakSorted(slots)
	switch ws.CallType {
	case "":
		var single, group []uint32
		for _, slot := range slots {
			switch s.enums.strs[s.recs[slot].ctype] {
			case "single":
				single = append(single, slot)
			case "group":
				group = append(group, slot)
			}
		}
		ws.MaxSingle, ws.MaxGroup = s.peakSorted(single), s.peakSorted(group)
	case "single":
		ws.MaxSingle = ws.MaxConcurrent
	default:
		ws.MaxGroup = ws.MaxConcurrent
	}
	for d, ds := range days {
		ws.Days[d].MaxConcurrent = s.peakSorted(ds)
	}
}

// participantMarks returns the marks participants and onePass count users
// with: seen[u] is the last day (1-based) user u was counted in, all[u]
// whether it was counted for the window. The empty user ID is nobody, so it
// starts out counted.
func (s *store) participantMarks() (seen []uint32, all []bool) {
	seen = make([]uint32, len(s.users.strs))
	all = make([]bool, len(s.users.strs))
	if c, ok := s.users.lookup(""); ok {
		all[c], seen[c] = true, ^uint32(0)
	}
	return seen, all
}

// countUser counts user u for the day marked mark (returning 1 when new to
// the day) and for the window.
func countUser(seen []uint32, all []bool, u, mark uint32, window *int64) int64 {
	if seen[u] >= mark {
		return 0
	}
	seen[u] = mark
	if !all[u] {
		all[u] = true
		*window++
	}
	return 1
}

// participants counts the window's and each day's distinct users of the
// connected calls (for the sorted-sweep path; onePass counts them itself).
func (s *store) participants(ws *WindowStats, days [][]uint32, want uint32) {
	seen, all := s.participantMarks()
	for d, ds := range days {
		mark := uint32(d + 1)
		for _, slot := range ds {
			r := &s.recs[slot]
			if r.accept <= 0 || want != anyCode && r.ctype != want {
				continue
			}
			ws.Days[d].Participants += countUser(seen, all, r.caller, mark, &ws.Participants)
			for _, u := range s.callees[r.calleeOff : r.calleeOff+uint32(r.calleeN)] {
				ws.Days[d].Participants += countUser(seen, all, u, mark, &ws.Participants)
			}
		}
	}
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

// peakSorted is the most calls among slots (in start order) in progress at
// once, by a sweep over the sorted ends:
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
