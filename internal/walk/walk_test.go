package walk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// rec is a record of the fake service: an ID and a start second.
type rec struct {
	id    string
	start int64
}

// fakeService serves n records, one a second from 1000, honouring the window
// and the page index; slow delays every answer, fail fails the answers whose
// window starts in it. exclusiveEnd reads a request's end as exclusive (only
// records that started before it), the other reading callkit-api.md §4 allows.
type fakeService struct {
	n            int
	slow         time.Duration
	fail         func(from int64) error
	exclusiveEnd bool
}

func (s fakeService) fetch(ctx context.Context, from, to, index int64) (Page[rec], error) {
	if s.slow > 0 {
		select {
		case <-time.After(s.slow):
		case <-ctx.Done():
			return Page[rec]{}, ctx.Err()
		}
	}
	if s.fail != nil {
		if err := s.fail(from); err != nil {
			return Page[rec]{}, err
		}
	}
	if s.exclusiveEnd {
		to--
	}
	var all []rec
	for i := range s.n {
		if st := int64(1000 + i); st >= from && st <= to {
			all = append(all, rec{fmt.Sprint("r", i), st})
		}
	}
	lo := min(int(index)*10, len(all))
	return Page[rec]{Records: all[lo:min(lo+10, len(all))], Total: int64(len(all))}, nil
}

func walkOf(s fakeService) Walk[rec] {
	return Walk[rec]{From: 1000, To: 1000 + int64(s.n), PageSize: 10, Fetch: s.fetch,
		ID: func(r *rec) string { return r.id }, Start: func(r *rec) int64 { return r.start }, Workers: 4}
}

// TestFailureCancelsOnlyLaterSlices: a slice that fails at once while the
// slices before it are still slow ends the walk with its own error (not a
// cancellation), after every record before it was delivered, in order.
func TestFailureCancelsOnlyLaterSlices(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	s := fakeService{n: 2000, slow: 2 * time.Millisecond, fail: func(from int64) error {
		if from >= 1000+1200 {
			return boom
		}
		return nil
	}}
	var got []int64
	n, err := walkOf(s).Run(context.Background(), func(b []rec, p Progress) error {
		for _, r := range b {
			got = append(got, r.start)
		}
		return nil
	})
	if !errors.Is(err, boom) || n != int64(len(got)) {
		t.Fatalf("err %v after %d records", err, n)
	}
	for i, st := range got {
		if st != int64(1000+i) {
			t.Fatalf("record %d started at %d: not the walk's prefix in order", i, st)
		}
	}
	if len(got) < 1100 {
		t.Fatalf("only %d records delivered before the failure at 1,200", len(got))
	}
}

// TestFailurePastTheEndDoesNotCount: when the walk ends before a failing
// slice's turn (here the callback stops it), that failure is not reported.
func TestFailurePastTheEndDoesNotCount(t *testing.T) {
	t.Parallel()
	stop := errors.New("enough")
	s := fakeService{n: 2000, fail: func(from int64) error {
		if from >= 1000+1500 {
			return errors.New("a failure past the end")
		}
		return nil
	}}
	_, err := walkOf(s).Run(context.Background(), func(b []rec, p Progress) error {
		if p.Read >= 300 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("err %v, want the callback's", err)
	}
}

// TestSlicesCoverTheWindowOnce: concurrent slices deliver every record once,
// in order, with MaxRecords met exactly.
func TestSlicesCoverTheWindowOnce(t *testing.T) {
	t.Parallel()
	w := walkOf(fakeService{n: 2345})
	w.MaxRecords = 2345
	var got []string
	if _, err := w.Run(context.Background(), func(b []rec, _ Progress) error {
		for _, r := range b {
			got = append(got, r.id)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := make([]string, 2345)
	for i := range want {
		want[i] = fmt.Sprint("r", i)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%d records, not each once in order", len(got))
	}
	w.MaxRecords = 2344
	var tm *TooManyRecordsError
	if _, err := w.Run(context.Background(), func([]rec, Progress) error { return nil }); !errors.As(err, &tm) || tm.Announced != 2345 || tm.Limit != 2344 {
		t.Fatalf("one over: %v", err)
	}
}

// TestSlicesUnderEitherEndReading: the walk gets every record exactly once,
// in order, whether the service reads a request's end as inclusive or as
// exclusive; under the exclusive reading a slice must still ask for its own
// last second, or each slice boundary loses one.
func TestSlicesUnderEitherEndReading(t *testing.T) {
	t.Parallel()
	const n = 3000
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprint("r", i)
	}
	for _, exclusive := range []bool{false, true} {
		t.Run(fmt.Sprintf("exclusive=%v", exclusive), func(t *testing.T) {
			t.Parallel()
			w := walkOf(fakeService{n: n, exclusiveEnd: exclusive})
			if b := w.slices(n, w.From); len(b) < 3 {
				t.Fatalf("bounds %v: the walk would not be sliced", b)
			}
			var got []string
			read, err := w.Run(context.Background(), func(b []rec, _ Progress) error {
				for _, r := range b {
					got = append(got, r.id)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if read != n || !slices.Equal(got, want) {
				t.Fatalf("%d records read (%d delivered), want each of the %d once in order", read, len(got), n)
			}
		})
	}
}
