package callkit

import (
	"context"
	"errors"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/walk"
)

// WalkOptions bounds a walk.
type WalkOptions struct {
	// MaxRecords > 0: the walk fails (ErrTooManyRecords, as a
	// *TooManyRecordsError giving the announced count) when the first answer
	// announces more than MaxRecords matches, or when a record beyond
	// MaxRecords would be read. Exactly MaxRecords records succeed.
	// 0: no record bound; the walk is bounded only against a service that
	// never ends one (more than 2 x the first answer's total + 1,000 records
	// read is an error that says so: ErrEndlessWalk).
	MaxRecords int64
}

// WalkProgress is passed with each batch.
type WalkProgress struct {
	Read      int64 // distinct records delivered so far, this batch included
	Announced int64 // the first answer's total match count; -1 when the service did not say
}

// The bounds of a walk (internal/walk keeps them for every bulk read).
var (
	// ErrTooManyRecords: more records match than WalkOptions.MaxRecords.
	ErrTooManyRecords = walk.ErrTooManyRecords
	// ErrEndlessWalk: the service kept answering records far past the
	// total it announced.
	ErrEndlessWalk = walk.ErrEndless
)

// TooManyRecordsError is the MaxRecords bound: Announced is the first
// answer's total (-1 when it had none), Limit the bound.
type TooManyRecordsError = walk.TooManyRecordsError

// WalkRecords delivers every record matching f exactly once (by call ID), in
// ascending start time, to fn, one batch at a time (fn is never called
// concurrently; the batch slice is only valid during the call). Memory does
// not grow with the number of records. A non-nil error from fn stops the walk
// and is returned. It returns the number of records delivered.
//
// Records join the match set in the middle while calls end, and leave its
// front as they pass the 7-day retention, so page numbers drift during a walk;
// the walk pages by start time instead (internal/walk). The docs allow several
// readings of the paging fields (callkit-api.md §4): a request's end follows
// when a page is short, the answer's page is 0 or "nothing found" comes back;
// an absent page field says nothing. totalNum never ends a walk: the first
// answer's fails it at once when over MaxRecords, and sizes the concurrent
// slices and the bound against an endless walk.
func (c *Client) WalkRecords(ctx context.Context, v APIVersion, f RecordFilter, o WalkOptions,
	fn func(batch []Record, p WalkProgress) error,
) (int64, error) {
	if err := checkVersion(v); err != nil {
		return 0, err
	}
	f, err := f.validate()
	if err != nil {
		return 0, err
	}
	f = c.withEnd(f)
	w := walk.Walk[Record]{
		From: f.StartTimestamp, To: f.EndTimestamp, PageSize: f.NumberPerPage,
		Fetch:      c.walkPage(v, f),
		ID:         func(r *Record) string { return r.CallID },
		Start:      func(r *Record) int64 { return r.StartCallTs },
		MaxRecords: o.MaxRecords,
		Workers:    pageWorkers,
	}
	return w.Run(c.retry.Walk(ctx), func(batch []Record, p walk.Progress) error {
		return fn(batch, WalkProgress{Read: p.Read, Announced: p.Announced})
	})
}

// pageWorkers bounds how many time slices are walked at once; the path's
// pacer decides when each request may go.
const pageWorkers = 16

// walkPage is the walk's page request: f narrowed to [from, to], the index-th
// page (the first omits page).
func (c *Client) walkPage(v APIVersion, f RecordFilter) walk.Fetch[Record] {
	return func(ctx context.Context, from, to, index int64) (walk.Page[Record], error) {
		f := f // each call its own copy: slices are fetched concurrently
		f.StartTimestamp, f.EndTimestamp = from, to
		page := int64(0)
		if index > 0 {
			page = index + 1
		}
		p, err := c.fetchPage(ctx, v, f, page)
		if errors.Is(err, ErrNotFound) {
			return walk.Page[Record]{Total: 0, Last: true}, nil
		}
		if err != nil {
			return walk.Page[Record]{}, err
		}
		return walk.Page[Record]{Records: p.Records, Total: p.TotalNum, Last: p.Page == 0, More: p.Page > 0}, nil
	}
}

// ListAllRecords returns every record matching f (WalkRecords), in ascending
// start time; maxRecords as WalkOptions.MaxRecords.
func (c *Client) ListAllRecords(ctx context.Context, v APIVersion, f RecordFilter, maxRecords int64) ([]Record, error) {
	out := []Record{}
	_, err := c.WalkRecords(ctx, v, f, WalkOptions{MaxRecords: maxRecords}, func(batch []Record, p WalkProgress) error {
		if len(out) == 0 && p.Announced > 0 {
			// Sized once from the announcement (bounded: it is only a hint).
			n := min(p.Announced, 1<<20)
			if maxRecords > 0 {
				n = min(n, maxRecords)
			}
			out = make([]Record, 0, n)
		}
		out = append(out, batch...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
