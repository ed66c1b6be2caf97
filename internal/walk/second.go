package walk

import (
	"context"
	"fmt"
)

// A second that holds more than a page of records can only be read by page
// number, and page numbers drift: a record that joins the second ahead of
// the walk's page shifts the rest forward (a repeat, dropped by ID), and one
// that leaves its front (retention: the oldest second of a window that
// starts at the 7-day edge) shifts the rest backward, so that the next page
// starts past a record never read. A second is therefore read in passes:
// each pass pages from page 0 to the second's end, and the page 0 that
// follows it checks the pass: when the second's first record is still the
// one the pass began with, nothing left the front of the second while the
// pass ran and no record was skipped; otherwise that page 0 begins the next
// pass (its repeats dropped by ID). A pass of one page is one answer and
// needs no check. The memory is the IDs of the second.

// maxPassesOver bounds the passes over one second: every pass but the last
// follows a change of the second's front, and each such change is a record
// that left it or joined ahead of it.
func maxPassesOver(seen int) int { return seen + 8 }

// advanceSecond moves a cursor in second mode after a page: more says the
// page was full of records of `at` (more of them may follow); fresh that it
// held a record of `at` not read before; first is its first record of `at`.
func (c *cursor[R]) advanceSecond(more, fresh bool, first string) (bool, error) {
	switch {
	case c.page == 0 && (!more || first == c.front):
		// One answer that holds the rest of the second, or the check
		// that the last pass saw the same front: the second is read.
		return c.nextSecond(), nil
	case c.page == 0:
		c.passes++
		if c.passes > maxPassesOver(len(c.seen)) {
			return false, fmt.Errorf("%w: the records that started at %d kept changing while they were read (%d passes over them)", ErrEndless, c.at, c.passes)
		}
		c.front, c.stale = first, 0
		c.page = 1
		return false, nil
	case !more:
		c.page = 0 // the pass is over: check it
		return false, nil
	}
	if fresh {
		c.stale = 0
	} else {
		c.stale++
	}
	c.page++
	return false, nil
}

// nextSecond leaves second mode for the keyset at the next second.
func (c *cursor[R]) nextSecond() bool {
	c.second, c.page, c.cap = false, 0, 0
	c.at, c.seen = c.at+1, map[string]struct{}{}
	return c.at >= c.end
}

// probe catches a service that ignores the page number: the first full page
// of a second that holds nothing new gets one request for a far page. A
// service that pages answers it empty; one that answers records there does
// not page. Moving data alone (records joining ahead of the walk's page, or
// a pass over a second already read) never fails a walk.
func (c *cursor[R]) probe(ctx context.Context) error {
	if !c.second || c.probed || c.stale == 0 {
		return nil
	}
	c.probed = true
	far := int64(unknownTotal/c.size + 1)
	p, err := c.w.Fetch(ctx, c.at, c.at+1, far)
	if err != nil {
		return err
	}
	for i := range p.Records {
		if c.w.Start(&p.Records[i]) == c.at {
			return fmt.Errorf("%w: page %d of the records that started at %d holds records, as do all pages asked for before it: the service does not seem to page; refusing to return duplicated records",
				ErrNotPaging, far+1, c.at)
		}
	}
	return nil
}
