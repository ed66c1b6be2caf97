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
	// from, asked, index: the last request's start, end and page index;
	// partial: it was the walk's first, which asked only up to the
	// window's end in the service's reading.
	from, asked, index int64
	partial            bool
	// size is the page size the service serves: the walk's, or a cap below
	// it that the service revealed (a short page that said more follow, and
	// a next page that held records); cap is such a short page's length
	// while its next page is asked for.
	size, cap int
	echoes    bool // a short page that said more follow was the last

	// More than a page of records started at `at`: they are read by page
	// number from [at, at+1], page index `page`, in passes (second.go).
	second bool
	page   int64
	front  string // the first record of `at` when the pass began
	passes int    // passes over second `at`
	stale  int    // full pages in a row that held nothing new
	probed bool   // a far page was asked for: the service pages
}

func (w *Walk[R]) cursor(from, end int64) *cursor[R] {
	return &cursor[R]{w: w, end: end, at: from, seen: map[string]struct{}{}, size: w.PageSize}
}

// next fetches one page and returns the records it adds and whether the slice
// is complete.
func (c *cursor[R]) next(ctx context.Context) ([]R, bool, error) {
	if c.cap > 0 && !c.second {
		done, err := c.followUp(ctx)
		return nil, done, err
	}
	from, to, index := c.at, c.end, int64(0)
	if c.second {
		to, index = c.at+1, c.page
	}
	c.from, c.asked, c.index, c.partial = from, to, index, false
	p, err := c.w.Fetch(ctx, from, to, index)
	if err != nil {
		return nil, false, err
	}
	batch, done, err := c.take(p)
	if err == nil && !done {
		err = c.probe(ctx)
	}
	return batch, done, err
}

// A request's end may be read as inclusive or exclusive (callkit-api.md §4),
// so every request after a walk's first asks up to its slice's end, the next
// slice's first second or the window's end + 1: under an exclusive reading
// its own last second is answered, and under an inclusive one take drops what
// started at the end as beyond the slice. The first request asks for the
// window as given, so that its total counts nothing past the window's end
// under either reading (the at-once max_records failure); under an exclusive
// reading it misses the last second, which a short first answer reads next.

// take applies an answer to the cursor: it drops what was already delivered
// and what belongs to the next slice, moves the keyset on, and says whether
// the slice is complete.
func (c *cursor[R]) take(p Page[R]) ([]R, bool, error) {
	out := make([]R, 0, len(p.Records))
	tail, tailAt := map[string]struct{}{}, c.at
	beyond := false // a record past this slice was seen
	first, fresh := "", false
	for i := range p.Records {
		r := &p.Records[i]
		s := c.w.Start(r)
		if s < tailAt {
			return nil, false, fmt.Errorf("%w: a record that started at %d follows one that started at %d in an answer for start times from %d", ErrOutOfOrder, s, tailAt, c.at)
		}
		if s >= c.end || c.second && s > c.at {
			// Past the slice; or, paging one second, past it: records
			// of the next second are read by its keyset, in order.
			beyond = true
			break
		}
		if s > tailAt {
			tail, tailAt = map[string]struct{}{}, s
		}
		id := c.w.ID(r)
		set := tail
		if s == c.at {
			set = c.seen
			if i == 0 {
				first = id
			}
		}
		if _, dup := set[id]; dup {
			continue
		}
		set[id] = struct{}{}
		out = append(out, *r)
		fresh = fresh || s == c.at
	}
	full := c.full(p, beyond)
	if c.second {
		done, err := c.advanceSecond(full && !beyond && tailAt == c.at, fresh, first)
		return out, done, err
	}
	return out, c.advance(full, beyond, tail, tailAt, first), nil
}

// full says whether a page may have more after it: a page of the service's
// page size that does not say it is the last. A shorter page that says more
// follow is taken as full once: the service may cap pages below the size
// asked for (callkit-api.md §7 leaves the cap to the service), and the page
// after it tells (followUp; in a second, its next page): records there make
// the cap the page size from then on.
func (c *cursor[R]) full(p Page[R], beyond bool) bool {
	n := len(p.Records)
	if c.cap > 0 { // paging a second: this is the page after a short one
		capped := c.cap
		c.cap = 0
		if n == 0 {
			return false // the second ended there: nothing learned
		}
		c.size = capped
	}
	switch {
	case p.Last || beyond:
		return false
	case n >= c.size:
		return true
	case p.More && n > 0 && !c.echoes:
		c.cap = n
		return true
	}
	return false
}

// followUp asks for the page after a short keyset page that said more
// follow, of the same request: the service's own next page. Records there
// reveal a cap, the page size from then on; the walk goes on by keyset from
// where it was (the page's own records are not taken: page numbers drift).
// None: the short page was the last, and the service echoes the page asked
// for.
func (c *cursor[R]) followUp(ctx context.Context) (bool, error) {
	capped := c.cap
	c.cap = 0
	p, err := c.w.Fetch(ctx, c.from, c.asked, c.index+1)
	if err != nil {
		return false, err
	}
	if len(p.Records) > 0 {
		c.size = capped
		return false, nil
	}
	c.echoes = true
	return c.advance(false, false, nil, c.at, ""), nil
}

// advance moves the cursor after a keyset page and reports whether the slice
// is done.
func (c *cursor[R]) advance(full, beyond bool, tail map[string]struct{}, tailAt int64, first string) bool {
	switch {
	case beyond:
		return true
	case !full && c.partial:
		// The walk's first request, short: under an exclusive reading it
		// did not answer the window's last second yet.
		last := c.end - 1
		if tailAt == last && tailAt > c.at {
			c.seen = tail
		} else if c.at != last {
			c.seen = map[string]struct{}{}
		}
		c.at, c.partial = last, false
		return false
	case !full:
		return true
	case tailAt > c.at:
		c.at, c.seen = tailAt, tail
		return false
	case c.cap > 0:
		// A short page that said more follow, all of `at`: its follow-up
		// tells whether the service caps pages.
		return false
	default:
		// A full page that all started at `at` is page 0 of that second
		// alone (the service's order): page on through that second.
		c.second, c.page, c.front, c.passes = true, 1, first, 1
		c.stale, c.probed = 0, false
		return false
	}
}
