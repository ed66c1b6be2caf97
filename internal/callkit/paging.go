package callkit

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// pageWorkers is how many later pages are fetched at once. The shared
// endpoint limiter paces them; the workers only hide round-trip latency.
const pageWorkers = 16

// ErrTooManyPages is returned when a walk reaches MaxPages.
var ErrTooManyPages = errors.New("too many pages")

// ListAllRecords returns every record matching f across all pages, in the
// service's order (ascending start time).
//
// The walk follows callkit-api.md §4 under every reading of the docs: it asks
// the first page without a page number, then pages 2, 3, … and stops at the
// first of: the answer's page is 0; a page holds fewer than NumberPerPage
// records; "nothing found" on a page after the first. totalNum is never
// trusted to end the walk; it only lets the pages it announces be fetched
// concurrently, and the stop rule is then applied to them in order, the
// sequential walk resuming if they do not end it.
func (c *Client) ListAllRecords(ctx context.Context, v APIVersion, f RecordFilter) ([]Record, error) {
	if err := checkVersion(v); err != nil {
		return nil, err
	}
	f, err := f.validate()
	if err != nil {
		return nil, err
	}
	f = c.withEnd(f)
	first, err := c.fetchPage(ctx, v, f, 0)
	if errors.Is(err, ErrNotFound) {
		return []Record{}, nil
	}
	if err != nil {
		return nil, err
	}
	w := walk{size: f.NumberPerPage}
	if w.add(1, first) {
		return w.records(), nil
	}
	next := int64(2)
	if announced := ceilDiv(first.TotalNum, int64(f.NumberPerPage)); announced >= 2 {
		last := min(announced, c.pageCap())
		done, err := c.fetchConcurrently(ctx, v, f, next, last, &w)
		if err != nil || done {
			return w.recordsOrNil(err), err
		}
		next = last + 1
	}
	for page := next; ; page++ {
		if page > c.pageCap() {
			return nil, w.tooMany(c.pageCap())
		}
		p, err := c.fetchPage(ctx, v, f, page)
		if errors.Is(err, ErrNotFound) {
			return w.records(), nil
		}
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", page, err)
		}
		if err := w.checkRepeat(page, p); err != nil {
			return nil, err
		}
		if w.add(page, p) {
			return w.records(), nil
		}
	}
}

// fetchConcurrently fetches pages from..to and feeds them to w in order. It
// reports whether the stop rule ended the walk within them.
func (c *Client) fetchConcurrently(ctx context.Context, v APIVersion, f RecordFilter, from, to int64, w *walk) (bool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := int(to - from + 1)
	pages := make([]*RecordPage, n)
	errs := make([]error, n)
	var (
		mu       sync.Mutex
		firstErr = -1 // index of the first hard failure, for reporting
	)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(pageWorkers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				p, err := c.fetchPage(ctx, v, f, from+int64(i))
				pages[i], errs[i] = p, err
				if err != nil && !errors.Is(err, ErrNotFound) && ctx.Err() == nil {
					mu.Lock()
					if firstErr == -1 || i < firstErr {
						firstErr = i
					}
					mu.Unlock()
					cancel()
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	for i := range n {
		page := from + int64(i)
		if errs[i] != nil {
			if errors.Is(errs[i], ErrNotFound) {
				return true, nil
			}
			err := errs[i]
			if firstErr >= 0 && errors.Is(err, context.Canceled) && ctx.Err() != nil {
				// Cancelled because a later page failed: report that failure.
				page, err = from+int64(firstErr), errs[firstErr]
			}
			return false, fmt.Errorf("page %d: %w", page, err)
		}
		if pages[i] == nil {
			// Never sent: the caller's context ended.
			return false, fmt.Errorf("page %d: %w", page, context.Cause(ctx))
		}
		if err := w.checkRepeat(page, pages[i]); err != nil {
			return false, err
		}
		if w.add(page, pages[i]) {
			return true, nil
		}
	}
	return false, nil
}

// walk accumulates pages and applies the stop rule.
type walk struct {
	size    int
	pages   [][]Record
	total   int
	firstID string // first call ID of the last page added
}

// add appends a page and reports whether the walk ends with it.
func (w *walk) add(_ int64, p *RecordPage) bool {
	w.pages = append(w.pages, p.Records)
	w.total += len(p.Records)
	if len(p.Records) > 0 {
		w.firstID = p.Records[0].CallID
	}
	return p.Page == 0 || len(p.Records) < w.size
}

// checkRepeat catches a service that ignores the page number and answers the
// same full page forever.
func (w *walk) checkRepeat(page int64, p *RecordPage) error {
	if len(p.Records) > 0 && w.firstID != "" && p.Records[0].CallID == w.firstID {
		return fmt.Errorf("page %d repeats page %d (first call %q): the service is not paging; refusing to return duplicated records", page, page-1, w.firstID)
	}
	return nil
}

func (w *walk) tooMany(limit int64) error {
	return fmt.Errorf("%w: more than %d pages (%d records so far) match: narrow the time range or filter by call type or result; a truncated list is never returned", ErrTooManyPages, limit, w.total)
}

// records concatenates the pages, copying each record once.
func (w *walk) records() []Record {
	out := make([]Record, 0, w.total)
	for _, p := range w.pages {
		out = append(out, p...)
	}
	return out
}

func (w *walk) recordsOrNil(err error) []Record {
	if err != nil {
		return nil
	}
	return w.records()
}

// pageCap is MaxPages unless a test lowered it.
func (c *Client) pageCap() int64 {
	if c.maxPages > 0 {
		return c.maxPages
	}
	return MaxPages
}

func ceilDiv(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	return (a + b - 1) / b
}
