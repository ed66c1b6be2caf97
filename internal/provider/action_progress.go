// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/action"
)

// progressQueue is how many progress messages may wait for Terraform to
// read them before an action's next message waits too.
const progressQueue = 16

// progressForwarder hands an action's progress messages to Terraform from
// one goroutine of its own, so that the action never blocks on them.
//
// The framework's SendProgress (v1.19) is an unbuffered channel send with no
// select on the context: once Terraform stops reading progress (Ctrl-C, a
// stream that broke), the next send blocks for good. The provider cannot
// unblock it; what it can do is keep that send off the action's own path.
// After cancellation, Invoke returns at once and at most this one goroutine
// stays blocked, holding nothing but the message it was sending.
type progressForwarder struct {
	ctx   context.Context
	queue chan string
	done  chan struct{}
}

// forwardProgress starts the forwarder; send may be nil (nothing to report
// to). Every action that reports progress uses one, and calls close before
// Invoke returns.
func forwardProgress(ctx context.Context, send func(action.InvokeProgressEvent)) *progressForwarder {
	f := &progressForwarder{ctx: ctx, queue: make(chan string, progressQueue), done: make(chan struct{})}
	go func() {
		defer close(f.done)
		for msg := range f.queue {
			if send != nil {
				send(action.InvokeProgressEvent{Message: msg})
			}
		}
	}()
	return f
}

// send queues msg. It waits while the queue is full (Terraform is slower
// than the action), but never once ctx is done: then msg may be dropped.
func (f *progressForwarder) send(msg string) {
	select {
	case <-f.ctx.Done():
		return
	default:
	}
	select {
	case f.queue <- msg:
	case <-f.ctx.Done():
	}
}

// close ends the forwarder. It waits until every queued message is handed
// to Terraform, so that they all come before the action's result, but only
// as long as ctx is not done.
func (f *progressForwarder) close() {
	close(f.queue)
	select {
	case <-f.done:
	case <-f.ctx.Done():
	}
}
