// Package walk is the one all-pages read every bulk read uses (call records
// v1 and v4, Cloud Contact Center tel_cdrs): exact while records arrive and
// expire mid-walk, bounded by records, concurrent, and streaming.
//
// The services order records by start time and offer a start-time filter but
// no cursor, and records join the order in the middle (a call that ends) or
// leave its front (retention) while a walk pages, so page numbers drift. The
// walk therefore pages by keyset: each request asks for the first page of
// records that started at or after the newest start time read so far, and
// drops the IDs already read at that second. Nothing that matched for the
// whole walk can be skipped, no ID is returned twice, and the memory for
// de-duplication is the records of one start second. More records than a page
// in one second are read by page number within that second alone, in passes
// checked against the second's first record (second.go), so that records
// leaving its front cannot shift a record past the walk.
//
// The walk is exact under every reading the docs leave open: a request's end
// inclusive or exclusive (every request after the first asks one second past
// its slice and drops what started there), ties within a second in any stable
// order, paging fields absent, echoed or 0 on the last page, totals absent or
// counting one page, and pages capped below the size asked for (a short page
// that says more follow gets one more request). A service that ignores the
// page number is caught by one request for a far page, never by repeats that
// moving data explains.
//
// Speed comes from cutting the window into time slices after the first answer
// (its total says how many records to expect) and walking several slices at
// once, each by keyset; their records are handed over in start-time order,
// with at most a fixed number of slices read ahead.
package walk

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Page is one answer of the service, in the walk's terms.
type Page[R any] struct {
	Records []R
	// Total is the answer's count of matching records; -1 when the answer
	// does not carry one (an absent field is not 0).
	Total int64
	// Last: the answer itself says no more pages follow (a page field of 0,
	// or "nothing found"). An absent page field is not Last.
	Last bool
	// More: the answer itself says more pages follow (a page field above
	// 0). An absent page field is not More. A service may echo the page
	// asked for even on its last page (callkit-api.md §4), so More on a
	// short page costs one more request, never a record.
	More bool
}

// Fetch asks for the index-th page (0 = the first) of the records that
// started from `from` up to `to` (unix seconds; the service reads the end as
// inclusive or exclusive, and the walk is right under either).
type Fetch[R any] func(ctx context.Context, from, to, index int64) (Page[R], error)

// Walk describes one all-pages read.
type Walk[R any] struct {
	From, To int64 // the window of start times, inclusive
	PageSize int   // records a full page holds
	Fetch    Fetch[R]
	ID       func(*R) string // unique per record (call ID, session ID)
	Start    func(*R) int64  // the start time the service orders and filters by
	// MaxRecords > 0 fails the walk when the first answer announces more, or
	// when a record beyond it would be delivered; exactly MaxRecords succeed.
	MaxRecords int64
	// Workers bounds the slices walked at once (0 → DefaultWorkers); the
	// services' rate limits are the caller's pacer's business.
	Workers int
}

// Progress is passed with each batch.
type Progress struct {
	Read      int64 // distinct records delivered so far, this batch included
	Announced int64 // the first answer's total; -1 when the service did not say
}

// DefaultWorkers is how many slices are walked at once unless Walk.Workers says.
const DefaultWorkers = 16

// pagesPerSlice sizes a time slice: the expected records of a slice fill this
// many pages. Each slice costs about one page more than its records need (its
// last, partial page), so larger slices waste less; the read-ahead buffer
// grows with it.
const pagesPerSlice = 24

// unknownTotal stands in for the first answer's total when it has none, for
// the bound against a walk that never ends: the largest max_records allowed.
const unknownTotal = 10_000_000

// ErrTooManyRecords is wrapped by TooManyRecordsError.
var ErrTooManyRecords = errors.New("too many records")

// ErrEndless: the service kept answering records past any plausible end.
var ErrEndless = errors.New("the service does not end the walk")

// ErrNotPaging: the service answers the same page whatever page is asked.
var ErrNotPaging = errors.New("the service does not page")

// ErrOutOfOrder: an answer broke the order or the filter the walk relies on.
var ErrOutOfOrder = errors.New("the service's answer is out of order")

// TooManyRecordsError is the record bound of a walk.
type TooManyRecordsError struct {
	// Announced is the first answer's total (-1 when the answer had none).
	Announced int64
	// Limit is the walk's MaxRecords.
	Limit int64
}

func (e *TooManyRecordsError) Error() string {
	if e.Announced > e.Limit {
		return fmt.Sprintf("%v: %d records match, more than the limit of %d", ErrTooManyRecords, e.Announced, e.Limit)
	}
	return fmt.Sprintf("%v: more than the limit of %d records match", ErrTooManyRecords, e.Limit)
}

func (e *TooManyRecordsError) Unwrap() error { return ErrTooManyRecords }

// Run delivers every record of the window exactly once (by ID), in ascending
// start time, to fn, one batch at a time; fn is never called concurrently and
// a batch is only valid during the call. A non-nil error from fn stops the
// walk and is returned. Run returns the number of records delivered.
func (w Walk[R]) Run(ctx context.Context, fn func([]R, Progress) error) (int64, error) {
	if w.PageSize < 1 {
		return 0, fmt.Errorf("walk: page size %d", w.PageSize)
	}
	first, err := w.Fetch(ctx, w.From, w.To, 0)
	if err != nil {
		return 0, err
	}
	d := newDelivery(w, first, fn)
	if w.MaxRecords > 0 && first.Total > w.MaxRecords {
		return 0, &TooManyRecordsError{Announced: first.Total, Limit: w.MaxRecords}
	}
	c := w.cursor(w.From, w.To+1)
	c.from, c.asked, c.partial = w.From, w.To, true
	batch, done, err := c.take(first)
	if err == nil && !done {
		err = c.probe(ctx)
	}
	if err == nil {
		err = d.deliver(batch)
	}
	if err != nil || done {
		return d.read, err
	}
	bounds := w.slices(first.Total-d.read, c.at)
	if len(bounds) <= 2 {
		return d.read, d.drain(ctx, c)
	}
	return d.read, d.concurrently(ctx, c, bounds)
}

// slices cuts [at, To] into time slices of about pagesPerSlice pages each, by
// the records the first answer leaves to read, and returns their bounds
// (bounds[i] is slice i's first second; the last bound is To+1).
func (w Walk[R]) slices(remaining, at int64) []int64 {
	width := w.To + 1 - at
	per := int64(w.PageSize) * pagesPerSlice
	n := min((remaining+per-1)/per, width)
	if remaining <= 0 || n < 2 {
		return []int64{at, w.To + 1}
	}
	out := make([]int64, 0, n+1)
	for i := range n {
		out = append(out, at+int64(float64(width)*float64(i)/float64(n)))
	}
	return append(out, w.To+1)
}

// delivery hands batches to fn and keeps the walk's two bounds on the
// distinct records read: MaxRecords, and the bound against a service that
// never ends a walk. (A service that answers only repeats is caught by the
// cursor: the keyset does not move, and a far page of a second holds records.)
type delivery[R any] struct {
	fn        func([]R, Progress) error
	max       int64
	announced int64
	read      int64 // distinct records delivered
	endless   int64 // read beyond this is ErrEndless
}

func newDelivery[R any](w Walk[R], first Page[R], fn func([]R, Progress) error) *delivery[R] {
	announced, basis := first.Total, first.Total
	if len(first.Records) >= w.PageSize && !first.Last && basis <= int64(len(first.Records)) {
		// A full page that says more may follow, with a total that says
		// none do: the total counts this page only (one reading of the docs).
		basis = -1
	}
	if basis < 0 {
		basis = unknownTotal
		if w.MaxRecords > 0 {
			basis = w.MaxRecords
		}
	}
	endless := int64(math.MaxInt64)
	if basis < (math.MaxInt64-1000)/2 {
		endless = 2*basis + 1000
	}
	return &delivery[R]{fn: fn, max: w.MaxRecords, announced: announced, endless: endless}
}

func (d *delivery[R]) deliver(batch []R) error {
	if len(batch) == 0 {
		return nil
	}
	if d.max > 0 && d.read+int64(len(batch)) > d.max {
		return &TooManyRecordsError{Announced: d.announced, Limit: d.max}
	}
	if n := d.read + int64(len(batch)); n > d.endless {
		return fmt.Errorf("%w: %d records read, more than twice the %d first announced plus 1,000",
			ErrEndless, n, d.announced)
	}
	d.read += int64(len(batch))
	return d.fn(batch, Progress{Read: d.read, Announced: d.announced})
}

// drain walks one cursor to its end, delivering as it goes.
func (d *delivery[R]) drain(ctx context.Context, c *cursor[R]) error {
	for {
		batch, done, err := c.next(ctx)
		if err != nil {
			return err
		}
		if err := d.deliver(batch); err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}
