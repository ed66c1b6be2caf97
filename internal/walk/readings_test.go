package walk

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"
)

// filled is a model holding n calls per second over [1000, 1000+seconds),
// plus calls just outside the window, and the IDs of the window's calls.
func filled(m *model, seconds, n int) map[string]bool {
	const from = 1000
	m.add("before", from-1)
	in := map[string]bool{}
	for s := range seconds {
		for i := range n {
			id := fmt.Sprintf("c%05d-%03d", s, i)
			m.add(id, from+int64(s))
			in[id] = true
		}
	}
	m.add("after", from+int64(seconds))
	return in
}

// TestBusySecondShrinkingFromTheFront (issue 33): 250 calls start in the
// oldest second of the window; after the walk has read the first 100, the 50
// oldest pass the retention. Paging that second by page number alone starts
// the next page 50 calls too far; every call that matched throughout must
// still come back, under both end readings and both tie orders.
func TestBusySecondShrinkingFromTheFront(t *testing.T) {
	t.Parallel()
	for _, idOrder := range []bool{false, true} {
		for _, exclusive := range []bool{false, true} {
			t.Run(fmt.Sprintf("idOrder=%v/exclusive=%v", idOrder, exclusive), func(t *testing.T) {
				t.Parallel()
				m := &model{idOrder: idOrder, exclusive: exclusive, size: 100}
				const from = 1000
				ever := map[string]bool{}
				for i := range 250 {
					id := fmt.Sprintf("busy-%03d", i)
					m.add(id, from)
					ever[id] = true
				}
				for i := range 1750 {
					id := fmt.Sprintf("late-%04d", i)
					m.add(id, from+1+int64(i/10))
					ever[id] = true
				}
				to := int64(from + 175)
				stable := map[string]bool{}
				for id := range ever {
					stable[id] = true
				}
				m.hook = func(m *model) {
					if m.requests == 2 { // the first 100 are read
						for range 50 {
							c, _ := m.expireFront()
							delete(stable, c.id)
						}
					}
				}
				got, err := m.run(from, to, 100, 1, 0)
				if err := exactness(got, err, from, to, stable, ever, 0); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestCallAtTheEndUnderAnExclusiveEnd (issue 33): against a service that reads
// endTimestamp as exclusive, the call that started at exactly the window's
// end is returned whatever the page size.
func TestCallAtTheEndUnderAnExclusiveEnd(t *testing.T) {
	t.Parallel()
	for _, size := range []int{1, 2, 3, 7, 100} {
		for _, exclusive := range []bool{false, true} {
			t.Run(fmt.Sprintf("size=%d/exclusive=%v", size, exclusive), func(t *testing.T) {
				t.Parallel()
				m := &model{exclusive: exclusive, size: size}
				in := filled(m, 601, 1) // the window [1000, 1600]: 601 calls
				got, err := m.run(1000, 1600, size, 4, 0)
				if err := exactness(got, err, 1000, 1600, in, in, 0); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestMaxRecordsAtOnceUnderBothEndReadings (issues 26 and 33): max_records
// equal to the calls in the window succeeds and one less fails, under both
// end readings, with many calls just past the end that asking one second past
// it must not count.
func TestMaxRecordsAtOnceUnderBothEndReadings(t *testing.T) {
	t.Parallel()
	for _, exclusive := range []bool{false, true} {
		t.Run(fmt.Sprintf("exclusive=%v", exclusive), func(t *testing.T) {
			t.Parallel()
			m := &model{exclusive: exclusive, size: 10}
			in := filled(m, 50, 3)
			for i := range 40 {
				m.add(fmt.Sprint("late-", i), 1050)
			}
			got, err := m.run(1000, 1049, 10, 4, 150)
			if err := exactness(got, err, 1000, 1049, in, in, 150); err != nil {
				t.Fatal(err)
			}
			m.requests = 0
			_, err = m.run(1000, 1049, 10, 4, 149)
			var tm *TooManyRecordsError
			if !errors.As(err, &tm) || tm.Limit != 149 {
				t.Fatalf("max_records 149 of 150: %v", err)
			}
			if !exclusive && (tm.Announced != 150 || m.requests != 1) {
				t.Fatalf("announced %d after %d requests: want the first answer's 150, at once", tm.Announced, m.requests)
			}
		})
	}
}

// TestTiesInAnotherOrderAreNotANonPagingService (issue 33): with calls ordered
// by call ID within a second and a page size of 1, two calls that join the
// busy second ahead of the walk's position make two pages look stale; moving
// data explains that, so the walk must not fail, and must still return every
// call that matched throughout.
func TestTiesInAnotherOrderAreNotANonPagingService(t *testing.T) {
	t.Parallel()
	m := &model{idOrder: true, size: 1}
	ever := map[string]bool{}
	for _, id := range []string{"m1", "m2", "m3", "m4", "m5"} {
		m.add(id, 1000)
		ever[id] = true
	}
	stable := map[string]bool{}
	for id := range ever {
		stable[id] = true
	}
	m.hook = func(m *model) {
		if m.requests == 3 { // after m1 and m2 are read
			m.add("a1", 1000)
			m.add("a2", 1000)
			ever["a1"], ever["a2"] = true, true
		}
	}
	got, err := m.run(1000, 1000, 1, 1, 0)
	if err := exactness(got, err, 1000, 1000, stable, ever, 0); err != nil {
		t.Fatal(err)
	}
}

// TestANonPagingServiceIsCaught: a service that answers the first page
// whatever page is asked is caught (not read forever, nor duplicated).
func TestANonPagingServiceIsCaught(t *testing.T) {
	t.Parallel()
	for _, paging := range []int{pagingMock, pagingAbsent} {
		m := &model{size: 10, ignore: true, paging: paging}
		filled(m, 1, 25)
		_, err := m.run(1000, 1000, 10, 1, 0)
		if !errors.Is(err, ErrNotPaging) {
			t.Fatalf("paging %d: %v after %d requests, want ErrNotPaging", paging, err, m.requests)
		}
		if m.requests > 5 {
			t.Fatalf("paging %d: caught after %d requests", paging, m.requests)
		}
	}
}

// TestShortPageThatSaysMoreRemain (issue 33): a service that caps a page
// below numberPerPage while its answer says more pages follow; the walk
// carries on (the cap its page size) and returns every call, whatever the
// paging field's reading.
func TestShortPageThatSaysMoreRemain(t *testing.T) {
	t.Parallel()
	for _, paging := range []int{pagingMock, pagingEcho} {
		for _, perSecond := range []int{1, 120} {
			t.Run(fmt.Sprintf("paging=%d/perSecond=%d", paging, perSecond), func(t *testing.T) {
				t.Parallel()
				m := &model{size: 100, cap: 50, paging: paging}
				seconds := 1000 / perSecond
				in := filled(m, seconds, perSecond)
				to := int64(1000 + seconds - 1)
				got, err := m.run(1000, to, 100, 4, 0)
				if err := exactness(got, err, 1000, to, in, in, 0); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// modelSeed is the first seed of the randomized walks; WALK_MODEL_SEED
// replays another (a failure prints its own).
func modelSeed(t *testing.T) uint64 {
	if s := os.Getenv("WALK_MODEL_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("WALK_MODEL_SEED=%q: %v", s, err)
		}
		return n
	}
	return 33_000
}

// TestWalkModel (issue 33): a few thousand randomized walks of the model
// under every reading the docs allow, with calls joining and expiring while
// they run: each call that matched throughout is returned once, none twice,
// in order, and max_records kept. A failure prints its scenario; rerun it
// alone with WALK_MODEL_SEED=<seed> go test -run TestWalkModel -count=1.
func TestWalkModel(t *testing.T) {
	t.Parallel()
	walks := 3000
	if testing.Short() {
		walks = 300
	}
	first := modelSeed(t)
	if os.Getenv("WALK_MODEL_SEED") != "" {
		walks = 1
	}
	for i := range uint64(walks) {
		s := newScenario(first + i)
		if err := s.play(); err != nil {
			t.Fatalf("%v\n%v\nreplay: WALK_MODEL_SEED=%d go test -run 'TestWalkModel$' -count=1 ./internal/walk/", err, s, s.seed)
		}
	}
}

// FuzzWalkModel runs the model's randomized walks for as long as asked, e.g.
// `go test -run '^$' -fuzz FuzzWalkModel -fuzztime 5m ./internal/walk/`.
func FuzzWalkModel(f *testing.F) {
	for _, seed := range []uint64{1, 33, 33_000, 1 << 40} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		s := newScenario(seed)
		if err := s.play(); err != nil {
			t.Fatalf("%v\n%v", err, s)
		}
	})
}
