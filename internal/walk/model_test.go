package walk

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
)

// The model is an independent service of the kind callkit-api.md §4, §7 and
// §8 describe, answering in each way the docs allow: the order of calls
// within one second (insertion or call ID), the reading of a request's end
// (inclusive or exclusive), the paging field (the mock's: the page served
// while more remain and 0 on the last page; echoed: the page asked for,
// always; absent), the total (all matches, this page only, absent) and a page
// cap below the page size asked for. Calls join anywhere in a second (a call
// that ends joins the match set at its start time) and expire one at a time
// from the front of the order (retention), from a hook run before each
// answer.

type call struct {
	id    string
	start int64
	seq   int64 // insertion order
}

const (
	pagingMock = iota
	pagingEcho
	pagingAbsent
	pagingModes
)

const (
	totalAll = iota
	totalPage
	totalAbsent
	totalModes
)

type model struct {
	mu        sync.Mutex
	calls     []call // in the service's order
	idOrder   bool   // ties by call ID, else by insertion
	exclusive bool   // a request's end is exclusive
	paging    int
	totals    int
	size      int // the page size the walk asks for
	cap       int // > 0: the service serves at most this many a page
	ignore    bool
	seq       int64
	requests  int
	hook      func(m *model) // run under the lock before each answer
}

func (m *model) less(a, b call) bool {
	if a.start != b.start {
		return a.start < b.start
	}
	if m.idOrder {
		return a.id < b.id
	}
	return a.seq < b.seq
}

// add inserts a call at its place in the order (the caller holds the lock or
// owns the model).
func (m *model) add(id string, start int64) {
	m.seq++
	c := call{id: id, start: start, seq: m.seq}
	i := sort.Search(len(m.calls), func(i int) bool { return m.less(c, m.calls[i]) })
	m.calls = slices.Insert(m.calls, i, c)
}

// expireFront removes the first call of the order.
func (m *model) expireFront() (call, bool) {
	if len(m.calls) == 0 {
		return call{}, false
	}
	c := m.calls[0]
	m.calls = m.calls[1:]
	return c, true
}

func (m *model) fetch(ctx context.Context, from, to, index int64) (Page[call], error) {
	if err := ctx.Err(); err != nil {
		return Page[call]{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests++
	if m.hook != nil {
		m.hook(m)
	}
	hi := to
	if m.exclusive {
		hi--
	}
	lo := sort.Search(len(m.calls), func(i int) bool { return m.calls[i].start >= from })
	up := sort.Search(len(m.calls), func(i int) bool { return m.calls[i].start > hi })
	all := m.calls[lo:max(lo, up)]
	if len(all) == 0 {
		return Page[call]{Total: 0, Last: true}, nil // "nothing found"
	}
	n := int64(m.size)
	if m.cap > 0 && int64(m.cap) < n {
		n = int64(m.cap)
	}
	if m.ignore {
		index = 0
	}
	a := min(index*n, int64(len(all)))
	b := min(a+n, int64(len(all)))
	p := Page[call]{Records: slices.Clone(all[a:b])}
	switch m.totals {
	case totalAll:
		p.Total = int64(len(all))
	case totalPage:
		p.Total = b - a
	default:
		p.Total = -1
	}
	switch m.paging {
	case pagingMock:
		p.More, p.Last = b < int64(len(all)), b >= int64(len(all))
	case pagingEcho:
		p.More = true // the page asked for, from 1
	}
	return p, nil
}

// run walks [from, to] of m and returns the IDs delivered, in order, and the
// walk's error; it fails the check when the order of start times breaks.
func (m *model) run(from, to int64, size, workers int, maxRecords int64) ([]call, error) {
	w := Walk[call]{From: from, To: to, PageSize: size, Fetch: m.fetch,
		ID: func(c *call) string { return c.id }, Start: func(c *call) int64 { return c.start },
		MaxRecords: maxRecords, Workers: workers}
	var got []call
	_, err := w.Run(context.Background(), func(b []call, _ Progress) error {
		got = append(got, b...)
		return nil
	})
	return got, err
}

// exactness checks a walk's answer: every call that matched [from, to] for
// the whole walk (stable) returned once, none twice, nothing that never
// matched, ascending start, and the record bound: with maxRecords > 0 the
// walk fails with TooManyRecordsError when more than maxRecords matched
// throughout, and never when at most maxRecords ever matched.
func exactness(got []call, err error, from, to int64, stable, ever map[string]bool, maxRecords int64) error {
	var tm *TooManyRecordsError
	switch {
	case err != nil && maxRecords > 0 && errors.As(err, &tm):
		if int64(len(ever)) <= maxRecords {
			return fmt.Errorf("max_records %d failed although at most %d calls ever matched: %v", maxRecords, len(ever), err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("walk failed: %v", err)
	case maxRecords > 0 && int64(len(stable)) > maxRecords:
		return fmt.Errorf("max_records %d: %d calls matched throughout, the walk returned %d without an error", maxRecords, len(stable), len(got))
	}
	seen := map[string]bool{}
	last := from
	for _, c := range got {
		switch {
		case seen[c.id]:
			return fmt.Errorf("call %s returned twice", c.id)
		case !ever[c.id]:
			return fmt.Errorf("call %s (started %d) never matched [%d, %d]", c.id, c.start, from, to)
		case c.start < last:
			return fmt.Errorf("call %s started %d after a call that started %d", c.id, c.start, last)
		}
		seen[c.id], last = true, c.start
	}
	var missing []string
	for id := range stable {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("%d of %d calls that matched throughout are missing (%d returned), e.g. %v",
			len(missing), len(stable), len(got), missing[:min(5, len(missing))])
	}
	return nil
}

// scenario is one randomized walk of the model.
type scenario struct {
	seed      uint64
	from, to  int64
	size      int
	workers   int
	idOrder   bool
	exclusive bool
	paging    int
	totals    int
	cap       int
	calls     int
	busy      int // calls in the oldest second of the window
	expire    int // at most this many expiries from the front
	join      int // at most this many joins
	rate      int // per request, 1 in rate chance of each move
	max       int64
}

func (s scenario) String() string {
	return fmt.Sprintf("seed=%d window=[%d,%d] size=%d workers=%d idOrder=%v exclusive=%v paging=%d totals=%d cap=%d calls=%d busy=%d expire=%d join=%d rate=%d max_records=%d",
		s.seed, s.from, s.to, s.size, s.workers, s.idOrder, s.exclusive, s.paging, s.totals, s.cap, s.calls, s.busy, s.expire, s.join, s.rate, s.max)
}

// newScenario draws one walk's parameters from seed, kept small enough that
// a few thousand walks run in seconds.
func newScenario(seed uint64) scenario {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	s := scenario{seed: seed, from: 1000, workers: 1 + r.IntN(16), idOrder: r.IntN(2) == 0,
		exclusive: r.IntN(2) == 0, paging: r.IntN(pagingModes), totals: r.IntN(totalModes)}
	s.to = s.from + int64(r.IntN(40))
	if r.IntN(2) == 0 {
		s.size = 1 + r.IntN(8)
	} else {
		s.size = 1 + r.IntN(100)
	}
	if s.paging != pagingAbsent && s.size > 1 && r.IntN(4) == 0 {
		s.cap = 1 + r.IntN(s.size-1)
	}
	per := s.size
	if s.cap > 0 {
		per = s.cap
	}
	s.calls = r.IntN(min(30*per, 300) + 1)
	if r.IntN(2) == 0 {
		s.busy = r.IntN(min(8*per, 250) + 1)
	}
	if r.IntN(3) > 0 {
		s.expire, s.join, s.rate = r.IntN(s.busy+s.calls/4+2), r.IntN(10), 1+r.IntN(4)
	}
	if r.IntN(4) == 0 {
		s.max = max(1, int64(s.calls+s.busy)-2+int64(r.IntN(5)))
	}
	return s
}

// play builds the scenario's model, walks it and checks the answer.
func (s scenario) play() error {
	r := rand.New(rand.NewPCG(s.seed, 0xca11))
	m := &model{idOrder: s.idOrder, exclusive: s.exclusive, paging: s.paging, totals: s.totals, size: s.size, cap: s.cap}
	ids := 0
	newID := func() string {
		ids++
		// Random IDs, so that call-ID order differs from insertion order.
		return fmt.Sprintf("%08x-%d", r.Uint32(), ids)
	}
	// Calls just outside the window, on both sides.
	m.add(newID(), s.from-1)
	m.add(newID(), s.to+1)
	m.add(newID(), s.to+2)
	for range s.busy {
		m.add(newID(), s.from)
	}
	for range s.calls {
		m.add(newID(), s.from+int64(r.IntN(int(s.to-s.from)+1)))
	}
	inWindow := func(c call) bool { return c.start >= s.from && c.start <= s.to }
	stable, ever := map[string]bool{}, map[string]bool{}
	for _, c := range m.calls {
		if inWindow(c) {
			stable[c.id], ever[c.id] = true, true
		}
	}
	// Calls that join are younger than any call that expires during the walk
	// (retention takes the oldest; a call that ends now started after it): a
	// join lands after the second of the last call the walk may expire.
	horizon := s.from - 1
	if s.expire > 0 {
		horizon = m.calls[min(s.expire, len(m.calls))-1].start
	}
	expired, joined := 0, 0
	if s.rate > 0 {
		m.hook = func(m *model) {
			if expired < s.expire && r.IntN(s.rate) == 0 {
				if c, ok := m.expireFront(); ok {
					expired++
					delete(stable, c.id)
				}
			}
			if joined < s.join && r.IntN(s.rate) == 0 && len(m.calls) > 0 {
				st := s.from + int64(r.IntN(int(s.to-s.from)+2))
				if st > horizon {
					joined++
					c := newID()
					m.add(c, st)
					if st <= s.to {
						ever[c] = true
					}
				}
			}
		}
	}
	got, err := m.run(s.from, s.to, s.size, s.workers, s.max)
	return exactness(got, err, s.from, s.to, stable, ever, s.max)
}
