package mockserver

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Record is one call record in the mock's own, wire-independent form (v1 vocabulary).
// Its JSON form is the lowerCamel shape of the v1 wire record plus roomIdType.
type Record struct {
	CallID          string   `json:"callId"`
	MediaType       string   `json:"mediaType"`
	RoomID          string   `json:"roomId"`
	RoomIDType      int      `json:"roomIdType"`
	StartCallTs     int64    `json:"startCallTs"`
	AcceptTs        int64    `json:"acceptTs"`
	EndTs           int64    `json:"endTs"`
	Caller          string   `json:"caller"`
	TotalUserNumber int      `json:"totalUserNumber"`
	CallType        string   `json:"callType"`
	CallResult      string   `json:"callResult"`
	Callees         []string `json:"callees"`
}

// callResults are the six documented call results (v1 vocabulary).
var callResults = []string{"cancel", "reject", "not_answer", "normal_end", "call_busy", "interrupt"}

func isCallResult(s string) bool { return slices.Contains(callResults, s) }

var callTypes = []string{"single", "group"}

func isCallType(s string) bool { return slices.Contains(callTypes, s) }

// retention is how far back the records API reaches.
const retention = 7 * 24 * time.Hour

// interner maps repeated strings (user IDs, enum values) to small codes so a
// million records do not carry a million copies of the same few strings.
type interner struct {
	codes map[string]uint32
	strs  []string
}

func newInterner() *interner { return &interner{codes: map[string]uint32{}} }

func (in *interner) code(s string) uint32 {
	if c, ok := in.codes[s]; ok {
		return c
	}
	c := uint32(len(in.strs))
	in.codes[s] = c
	in.strs = append(in.strs, s)
	return c
}

func (in *interner) lookup(s string) (uint32, bool) {
	c, ok := in.codes[s]
	return c, ok
}

// rec is the compact stored form of a Record. It holds no pointers (strings
// live in store.text, user IDs and enum words are interned), so a million of
// them cost the garbage collector nothing to scan. Slots in store.recs never
// move, so the ordering indexes and the call-ID map hold stable slot numbers.
type rec struct {
	start, accept, end int64
	textOff            int64 // call ID then room ID, in store.text
	idLen, roomLen     uint32
	calleeOff          uint32 // into store.callees
	calleeN            uint16
	roomType           uint8
	dead               bool
	media, ctype       uint32 // codes in store.enums
	result             uint32
	caller             uint32 // code in store.users
	total              int32
}

func (s *store) idOf(r *rec) []byte {
	return s.text[r.textOff : r.textOff+int64(r.idLen)]
}

func (s *store) roomOf(r *rec) []byte {
	o := r.textOff + int64(r.idLen)
	return s.text[o : o+int64(r.roomLen)]
}

// filterKey selects one ordering index: callType and callResult codes, with
// anyCode standing for "not filtered".
type filterKey struct{ ctype, result uint32 }

const anyCode = ^uint32(0)

// store is the time-indexed record store shared by the v1 and v4 record APIs.
//
// Every combination of the two filters the APIs offer (call type, call
// result, each possibly absent) has its own slice of slots sorted by start
// time, so a filter query is two binary searches and a slice: its cost does
// not depend on how many records the window holds.
type store struct {
	mu      sync.RWMutex
	recs    []rec
	text    []byte   // call and room IDs, referenced by rec.textOff
	callees []uint32 // user codes, referenced by rec.calleeOff/calleeN
	users   *interner
	enums   *interner // media types, call types and call results
	byID    map[uint64]uint32
	collide map[string]uint32 // IDs whose hash another stored ID already took
	idSeed  maphash.Seed
	idx     map[filterKey][]uint32
	live    int
}

func newStore() *store {
	return &store{
		users:   newInterner(),
		enums:   newInterner(),
		byID:    map[uint64]uint32{},
		collide: map[string]uint32{},
		idSeed:  maphash.MakeSeed(),
		idx:     map[filterKey][]uint32{},
	}
}

// reserve makes room for n more generated records up front, so a large
// generation does not leave the slack of repeated slice doubling behind.
func (s *store) reserve(n int) {
	s.recs = slices.Grow(s.recs, n)
	s.text = slices.Grow(s.text, n*(36+12))
	s.callees = slices.Grow(s.callees, n*2) // 1.6 callees per generated call on average
	k := filterKey{anyCode, anyCode}
	s.idx[k] = slices.Grow(s.idx[k], n)
}

func (s *store) hashID(id string) uint64 { return maphash.String(s.idSeed, id) }

// keysFor lists the four indexes a record with these codes belongs to.
func keysFor(ctype, result uint32) [4]filterKey {
	return [4]filterKey{{anyCode, anyCode}, {ctype, anyCode}, {anyCode, result}, {ctype, result}}
}

// add stores records. A record whose call ID is already stored, or comes
// again later in the same batch, replaces the earlier one (call IDs are unique
// in the real service). Caller holds s.mu.
func (s *store) add(in []Record) {
	if len(in) == 0 {
		return
	}
	appendOnly := true
	var last int64
	if n := len(s.idx[filterKey{anyCode, anyCode}]); n > 0 {
		last = s.recs[s.idx[filterKey{anyCode, anyCode}][n-1]].start
	}
	sorted := slices.IsSortedFunc(in, func(a, b Record) int { return cmpInt64(a.StartCallTs, b.StartCallTs) })
	if !sorted || (len(s.recs) > 0 && in[0].StartCallTs < last) {
		appendOnly = false
	}
	for i := range in {
		if slot, ok := s.findLocked(in[i].CallID); ok {
			// The slot may be in the indexes, or (an ID repeated within
			// this batch) about to be appended to them: either way only a
			// rebuild leaves the dead slot out.
			appendOnly = false
			s.recs[slot].dead = true
			if _, ok := s.collide[in[i].CallID]; ok {
				delete(s.collide, in[i].CallID)
			} else {
				delete(s.byID, s.hashID(in[i].CallID))
			}
			s.live--
		}
		s.insertSlot(in[i])
	}
	if appendOnly {
		// New records all start at or after the newest stored one (the usual
		// case: simulated calls and generated batches), so appending keeps
		// every index sorted.
		for slot := len(s.recs) - len(in); slot < len(s.recs); slot++ {
			r := &s.recs[slot]
			for _, k := range keysFor(r.ctype, r.result) {
				s.idx[k] = append(s.idx[k], uint32(slot))
			}
		}
		return
	}
	s.rebuildIndexes()
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *store) insertSlot(r Record) {
	off := uint32(len(s.callees))
	for _, c := range r.Callees {
		s.callees = append(s.callees, s.users.code(c))
	}
	slot := uint32(len(s.recs))
	textOff := int64(len(s.text))
	s.text = append(append(s.text, r.CallID...), r.RoomID...)
	s.recs = append(s.recs, rec{
		start:     r.StartCallTs,
		accept:    r.AcceptTs,
		end:       r.EndTs,
		textOff:   textOff,
		idLen:     uint32(len(r.CallID)),
		roomLen:   uint32(len(r.RoomID)),
		calleeOff: off,
		calleeN:   uint16(len(r.Callees)),
		media:     s.enums.code(r.MediaType),
		ctype:     s.enums.code(r.CallType),
		result:    s.enums.code(r.CallResult),
		caller:    s.users.code(r.Caller),
		total:     int32(r.TotalUserNumber),
		roomType:  uint8(r.RoomIDType),
	})
	h := s.hashID(r.CallID)
	if old, taken := s.byID[h]; taken && !s.recs[old].dead && string(s.idOf(&s.recs[old])) != r.CallID {
		s.collide[r.CallID] = slot
	} else {
		s.byID[h] = slot
	}
	s.live++
}

// rebuildIndexes re-sorts every index from scratch: O(n log n), used only when
// records arrive out of order or replace older ones.
func (s *store) rebuildIndexes() {
	all := make([]uint32, 0, s.live)
	for i := range s.recs {
		if !s.recs[i].dead {
			all = append(all, uint32(i))
		}
	}
	sort.SliceStable(all, func(a, b int) bool { return s.recs[all[a]].start < s.recs[all[b]].start })
	idx := map[filterKey][]uint32{{anyCode, anyCode}: all}
	for _, slot := range all {
		r := &s.recs[slot]
		keys := keysFor(r.ctype, r.result)
		for _, k := range keys[1:] {
			idx[k] = append(idx[k], slot)
		}
	}
	s.idx = idx
}

// findLocked looks a call ID up by its 64-bit hash (a map keyed by the hash
// costs far less than one keyed by the string); the rare ID whose hash was
// already taken lives in s.collide.
func (s *store) findLocked(id string) (uint32, bool) {
	slot, ok := s.byID[s.hashID(id)]
	if ok && !s.recs[slot].dead && string(s.idOf(&s.recs[slot])) == id {
		return slot, true
	}
	if slot, ok := s.collide[id]; ok && !s.recs[slot].dead {
		return slot, true
	}
	return 0, false
}

// expireOldest removes the n oldest records (by start time; within a second,
// in the order answers list them: by call ID when byID), as the retention
// does while time passes. Caller holds s.mu.
func (s *store) expireOldest(n int, byID bool) {
	all := s.idx[filterKey{anyCode, anyCode}]
	n = min(n, len(all))
	if n <= 0 {
		return
	}
	oldest := all[:n]
	if byID {
		oldest = s.byCallID(all, 0, len(all), 0, n)
	}
	for _, slot := range oldest {
		r := &s.recs[slot]
		id := string(s.idOf(r))
		if _, ok := s.collide[id]; ok {
			delete(s.collide, id)
		} else {
			delete(s.byID, s.hashID(id))
		}
		r.dead = true
		s.live--
	}
	s.rebuildIndexes()
}

func (s *store) get(id string) (Record, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	slot, ok := s.findLocked(id)
	if !ok {
		return Record{}, false
	}
	return s.toRecord(slot), true
}

func (s *store) toRecord(slot uint32) Record {
	r := &s.recs[slot]
	callees := make([]string, r.calleeN)
	for i := range callees {
		callees[i] = s.users.strs[s.callees[r.calleeOff+uint32(i)]]
	}
	return Record{
		CallID:          string(s.idOf(r)),
		MediaType:       s.enums.strs[r.media],
		RoomID:          string(s.roomOf(r)),
		RoomIDType:      int(r.roomType),
		StartCallTs:     r.start,
		AcceptTs:        r.accept,
		EndTs:           r.end,
		Caller:          s.users.strs[r.caller],
		TotalUserNumber: int(r.total),
		CallType:        s.enums.strs[r.ctype],
		CallResult:      s.enums.strs[r.result],
		Callees:         callees,
	}
}

func (s *store) all() []Record {
	s.mu.RLock()
	defer s.mu.RUnlock()
	idx := s.idx[filterKey{anyCode, anyCode}]
	out := make([]Record, len(idx))
	for i, slot := range idx {
		out[i] = s.toRecord(slot)
	}
	return out
}

// query describes a filter query in the v1 vocabulary; empty strings mean
// "any". Offset and limit select the page.
type query struct {
	start, end       int64 // inclusive bounds on the start time
	callType, result string
	offset, limit    int
	byID             bool // ties within a second in call-ID order (Readings.TieOrder)
}

// find answers a filter query: the total number of matches and the records
// of the requested page, in ascending start time.
func (s *store) find(q query) (total int, page []Record) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k := filterKey{anyCode, anyCode}
	if q.callType != "" {
		c, ok := s.enums.lookup(q.callType)
		if !ok {
			return 0, nil
		}
		k.ctype = c
	}
	if q.result != "" {
		c, ok := s.enums.lookup(q.result)
		if !ok {
			return 0, nil
		}
		k.result = c
	}
	idx := s.idx[k]
	lo := sort.Search(len(idx), func(i int) bool { return s.recs[idx[i]].start >= q.start })
	hi := sort.Search(len(idx), func(i int) bool { return s.recs[idx[i]].start > q.end })
	if hi < lo {
		hi = lo
	}
	total = hi - lo
	if q.offset < 0 || q.offset >= total {
		return total, nil
	}
	from := lo + q.offset
	to := from + min(q.limit, hi-from)
	slots := idx[from:to]
	if q.byID {
		slots = s.byCallID(idx, lo, hi, from, to)
	}
	page = make([]Record, 0, to-from)
	for _, slot := range slots {
		page = append(page, s.toRecord(slot))
	}
	return total, page
}

// byCallID returns the slots idx[from:to] would hold were ties within a
// second ordered by call ID: the page's first and last seconds are taken
// whole from idx[lo:hi], ordered, and the page cut from them. Caller holds
// s.mu.
func (s *store) byCallID(idx []uint32, lo, hi, from, to int) []uint32 {
	a, b := from, to
	for a > lo && s.recs[idx[a-1]].start == s.recs[idx[from]].start {
		a--
	}
	for b < hi && s.recs[idx[b]].start == s.recs[idx[to-1]].start {
		b++
	}
	seg := slices.Clone(idx[a:b])
	slices.SortStableFunc(seg, func(x, y uint32) int {
		if c := cmpInt64(s.recs[x].start, s.recs[y].start); c != 0 {
			return c
		}
		return bytes.Compare(s.idOf(&s.recs[x]), s.idOf(&s.recs[y]))
	})
	return seg[from-a : to-a]
}

// generate makes n deterministic records (for seed and salt) whose calls
// started and ended within the retention window before now, and hands them to
// emit in ascending start order, a chunk at a time so a million records never
// exist twice in memory.
func generate(seed, salt int64, n int, now time.Time, emit func([]Record)) {
	if n <= 0 {
		return
	}
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(salt)^0x9e3779b97f4a7c15))
	nowS := now.Unix()
	// Starts leave room for the longest ring so every call has ended by now,
	// and an hour inside the 7-day edge: a read of the whole week, which
	// starts a little inside the edge (the provider's margin against a
	// service that refuses an older start), finds every generated record
	// until the mock has run an hour.
	lo, hi := nowS-int64(retention/time.Second)+generatedInside, nowS-maxRing
	starts := make([]int64, n)
	for i := range starts {
		starts[i] = lo + rng.Int64N(hi-lo+1)
	}
	slices.Sort(starts)
	const chunk = 8192
	buf := make([]Record, 0, chunk)
	for from := 0; from < n; from += chunk {
		to := min(from+chunk, n)
		var ids strings.Builder
		ids.Grow((to - from) * 36)
		for range to - from {
			writeUUID(&ids, rng)
		}
		all := ids.String()
		buf = buf[:0]
		for i := from; i < to; i++ {
			r := randomRecord(rng, starts[i], nowS)
			// Substrings share one backing string: no allocation per ID.
			j := i - from
			r.CallID = all[j*36 : (j+1)*36]
			buf = append(buf, r)
		}
		emit(buf)
	}
}

const (
	numUsers        = 500
	maxRing         = 60   // seconds
	generatedInside = 3600 // seconds inside the 7-day edge that generated records start at the earliest
)

var userNames = func() []string {
	out := make([]string, numUsers)
	for i := range out {
		out[i] = "user" + strconv.Itoa(i+1)
	}
	return out
}()

// resultWeights orders callResults by how often a 1:1 call ends that way.
var resultWeights = []int{10, 10, 10, 55, 8, 7}

func pickResult(rng *rand.Rand) string {
	n := rng.IntN(100)
	for i, w := range resultWeights {
		if n < w {
			return callResults[i]
		}
		n -= w
	}
	return "normal_end"
}

// connected reports whether a call that ended with result was ever answered.
func connected(result string) bool { return result == "normal_end" || result == "interrupt" }

// randomRecord draws one self-consistent record that started at start and
// ended no later than now.
func randomRecord(rng *rand.Rand, start, now int64) Record {
	r := Record{StartCallTs: start}
	r.MediaType = []string{"audio", "video"}[rng.IntN(2)]
	r.Caller = userNames[rng.IntN(numUsers)]
	if rng.IntN(5) == 0 {
		r.CallType = "group"
		r.CallResult = "normal_end" // group calls only ever report normal_end
		r.Callees = pickUsers(rng, r.Caller, 2+rng.IntN(5))
	} else {
		r.CallType = "single"
		r.CallResult = pickResult(rng)
		r.Callees = pickUsers(rng, r.Caller, 1)
	}
	r.TotalUserNumber = 1 + len(r.Callees)
	if rng.IntN(2) == 0 {
		r.RoomIDType = 1
		r.RoomID = strconv.Itoa(100000 + rng.IntN(900000))
	} else {
		r.RoomIDType = 2
		r.RoomID = "room-" + strconv.Itoa(rng.IntN(1000000))
	}
	switch r.CallResult {
	case "normal_end", "interrupt":
		r.AcceptTs = start + 1 + rng.Int64N(30)
		r.EndTs = min(r.AcceptTs+5+rng.Int64N(3600), now)
	case "not_answer":
		r.EndTs = start + 30 + rng.Int64N(maxRing-30+1)
	case "call_busy":
		r.EndTs = start + rng.Int64N(2)
	default: // cancel, reject
		r.EndTs = start + 1 + rng.Int64N(30)
	}
	return r
}

// pickUsers picks n distinct users other than caller.
func pickUsers(rng *rand.Rand, caller string, n int) []string {
	out := make([]string, 0, n)
	for len(out) < n {
		u := userNames[rng.IntN(numUsers)]
		if u != caller && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

func writeUUID(b *strings.Builder, rng *rand.Rand) {
	hi, lo := rng.Uint64(), rng.Uint64()
	hi = hi&^0xf000 | 0x4000     // version 4
	lo = lo&^(0xc<<60) | 0x8<<60 // RFC 4122 variant
	fmt.Fprintf(b, "%08x-%04x-%04x-%04x-%012x", hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}

func newUUID(rng *rand.Rand) string {
	var b strings.Builder
	writeUUID(&b, rng)
	return b.String()
}

// newestFirst answers one page of a filter query in descending start time;
// an offset outside the matches gives an empty page.
func (s *store) newestFirst(start, end int64, callType, result string, offset, limit int) (int, []Record) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	idx, ok := s.index(callType, result)
	if !ok {
		return 0, nil
	}
	slots := s.window(idx, start, end)
	if offset < 0 || offset >= len(slots) || limit <= 0 {
		return len(slots), nil
	}
	out := make([]Record, 0, min(limit, len(slots)-offset))
	for i := len(slots) - 1 - offset; i >= 0 && len(out) < limit; i-- {
		out = append(out, s.toRecord(slots[i]))
	}
	return len(slots), out
}
