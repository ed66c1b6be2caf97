package walk

import (
	"context"
	"sync"
)

// answer is one page's contribution to a slice, or the error that ended it.
type answer[R any] struct {
	batch []R
	done  bool // the slice's last answer
	err   error
}

// concurrently walks the slices bounds describes (the first continuing c)
// with several workers, and delivers their records in slice order. A slice
// that fails ends the walk when its turn comes: the slices before it are
// delivered, the ones after it are cancelled, and their failures do not count.
func (d *delivery[R]) concurrently(ctx context.Context, c *cursor[R], bounds []int64) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := c.w.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	// Slices read ahead of the one being delivered: this, not the record
	// count, bounds the walk's memory.
	ahead := make(chan struct{}, 2*workers)
	order := make(chan chan answer[R], 2*workers)
	jobs := make(chan job[R])
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.run(ctx)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		defer close(order)
		dispatch(ctx, c, bounds, ahead, order, jobs)
	}()
	err := d.inOrder(ctx, order, ahead)
	cancel()
	wg.Wait()
	return err
}

// dispatch hands the slices out in order, each once there is room ahead.
func dispatch[R any](ctx context.Context, c *cursor[R], bounds []int64, ahead chan struct{}, order chan chan answer[R], jobs chan job[R]) {
	for i := range len(bounds) - 1 {
		cur := c
		if i == 0 {
			cur.end = bounds[1]
		} else {
			cur = c.w.cursor(bounds[i], bounds[i+1])
		}
		out := make(chan answer[R], pagesPerSlice+2)
		select {
		case ahead <- struct{}{}:
		case <-ctx.Done():
			return
		}
		order <- out // never blocks: order holds as many as ahead allows
		select {
		case jobs <- job[R]{c: cur, out: out}:
		case <-ctx.Done():
			close(out)
			return
		}
	}
}

// inOrder delivers each slice's answers, slice after slice.
// A slice that ends without its last answer was cancelled.
func (d *delivery[R]) inOrder(ctx context.Context, order chan chan answer[R], ahead chan struct{}) error {
	for out := range order {
		complete := false
		for a := range out {
			if a.err == nil {
				a.err = d.deliver(a.batch)
			}
			if a.err != nil {
				return a.err
			}
			complete = a.done
		}
		if !complete {
			return context.Cause(ctx)
		}
		<-ahead
	}
	return context.Cause(ctx)
}

// job is one slice for a worker.
type job[R any] struct {
	c   *cursor[R]
	out chan answer[R]
}

func (j job[R]) run(ctx context.Context) {
	defer close(j.out)
	for {
		batch, done, err := j.c.next(ctx)
		select {
		case j.out <- answer[R]{batch: batch, done: done, err: err}:
		case <-ctx.Done():
			return
		}
		if err != nil || done {
			return
		}
	}
}
