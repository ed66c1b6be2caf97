package walk

import (
	"context"
	"fmt"
)

// cursor walks one time slice [its first second, end) by keyset.
type cursor[R any] struct {
	w    *Walk[R]
	end  int64               // exclusive: records from here on belong to the next slice
	at   int64               // the next request's start time
	seen map[string]struct{} // IDs delivered that started at `at`

	// More than a page of records started at `at`: they are read by page
	// number from [at, at+1], page index `page`.
	second bool
	page   int64
	// stale counts the full pages in a row, within one second, that held
	// nothing new: a service that ignores the page number.
	stale int
}

// maxStale is how many full pages of repeats in a row end a walk: one can
// come from a record joining the second being paged (with a page size of 1).
const maxStale = 2

func (w *Walk[R]) cursor(from, end int64) *cursor[R] {
	return &cursor[R]{w: w, end: end, at: from, seen: map[string]struct{}{}}
}

// next fetches one page and returns the records it adds and whether the slice
// is complete.
func (c *cursor[R]) next(ctx context.Context) ([]R, bool, error) {
	from, to, index := c.at, c.queryEnd(), int64(0)
	if c.second {
		to, index = c.at+1, c.page
	}
	p, err := c.w.Fetch(ctx, from, to, index)
	if err != nil {
		return nil, false, err
	}
	return c.take(p)
}

// queryEnd is the end a keyset request asks for. The service may read it as
// inclusive or exclusive (callkit-api.md §4), so a slice that is not the last
// asks up to the next slice's first second: under an exclusive reading its own
// last second is still answered, and under an inclusive one take drops the
// next slice's records as beyond it. The last slice asks up to the window's
// end, To, in the service's own reading. A request never ends at its start,
// which is an empty range under an exclusive reading.
func (c *cursor[R]) queryEnd() int64 {
	last := min(c.end, c.w.To)
	return max(last, c.at+1)
}

// take applies an answer to the cursor: it drops what was already delivered
// and what belongs to the next slice, moves the keyset on, and says whether
// the slice is complete.
func (c *cursor[R]) take(p Page[R]) ([]R, bool, error) {
	out := make([]R, 0, len(p.Records))
	tail, tailAt := map[string]struct{}{}, c.at
	beyond := false // a record past this slice (or past this second) was seen
	for i := range p.Records {
		r := &p.Records[i]
		s := c.w.Start(r)
		if s < tailAt {
			return nil, false, fmt.Errorf("%w: a record that started at %d follows one that started at %d in an answer for start times from %d", ErrOutOfOrder, s, tailAt, c.at)
		}
		if s >= c.end {
			beyond = true
			break
		}
		if s > tailAt {
			tail, tailAt = map[string]struct{}{}, s
		}
		set := tail
		if s == c.at {
			set = c.seen
		}
		id := c.w.ID(r)
		if _, dup := set[id]; dup {
			continue
		}
		set[id] = struct{}{}
		out = append(out, *r)
	}
	full := len(p.Records) >= c.w.PageSize && !p.Last
	if err := c.checkStale(full, tailAt > c.at, len(out)); err != nil {
		return nil, false, err
	}
	return out, c.advance(full, beyond, tail, tailAt), nil
}

// checkStale catches a service that answers the same page of one second
// whatever page number is asked.
func (c *cursor[R]) checkStale(full, moved bool, added int) error {
	if !c.second || !full || moved || added > 0 {
		c.stale = 0
		return nil
	}
	c.stale++
	if c.stale >= maxStale {
		return fmt.Errorf("%w: page %d of the records that started at %d repeats records already read: the service does not seem to page; refusing to return duplicated records",
			ErrNotPaging, c.page+1, c.at)
	}
	return nil
}

// advance moves the cursor after a page and reports whether the slice is done.
func (c *cursor[R]) advance(full, beyond bool, tail map[string]struct{}, tailAt int64) bool {
	switch {
	case beyond:
		return true
	case c.second && tailAt == c.at && full:
		c.page++
		return false
	case c.second:
		// Every record of second `at` is read: go on from the next second
		// (whose first records this page may already hold).
		c.second, c.page = false, 0
		c.at, c.seen = c.at+1, tail
		return c.at >= c.end || c.at > c.w.To
	case !full:
		return true
	case tailAt > c.at:
		c.at, c.seen = tailAt, tail
		return false
	default:
		// A full page that all started at `at` is page 0 of that second
		// alone (the service's order): page on through that second.
		c.second, c.page = true, 1
		return false
	}
}
