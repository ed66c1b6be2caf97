// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

// An in-process harness for actions: Configure and Invoke called as the
// framework calls them, with a SendProgress of the test's choosing. The
// Terraform CLI harness (action_harness_test.go) needs Terraform 1.14; this
// one runs on every engine, and can do what Terraform does only on Ctrl-C:
// stop reading progress and cancel the context.

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// configuredAction is a, configured with a client of the default app on mockURL.
func configuredAction(t *testing.T, a action.Action, mockURL string) action.Action {
	t.Helper()
	client, err := callkit.New(callkit.Config{SDKAppID: mockserver.DefaultSDKAppID, SecretKey: mockserver.DefaultKey, Endpoint: mockURL,
		Timeout: 5 * time.Second, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	configurable, ok := a.(action.ActionWithConfigure)
	if !ok {
		t.Fatalf("%T has no Configure", a)
	}
	var resp action.ConfigureResponse
	configurable.Configure(t.Context(), action.ConfigureRequest{ProviderData: &providerData{Client: client}}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("Configure: %v", resp.Diagnostics)
	}
	return a
}

// actionConfig is a's configuration with the attributes in set (string,
// bool, int64 or []string values) and every other attribute null.
func actionConfig(t *testing.T, a action.Action, set map[string]any) tfsdk.Config {
	t.Helper()
	var sr action.SchemaResponse
	a.Schema(t.Context(), action.SchemaRequest{}, &sr)
	typ, ok := sr.Schema.Type().TerraformType(t.Context()).(tftypes.Object)
	if !ok {
		t.Fatal("the action schema is not an object")
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		var v any
		switch x := set[name].(type) {
		case nil:
		case []string:
			elems := make([]tftypes.Value, len(x))
			for i, s := range x {
				elems[i] = tftypes.NewValue(tftypes.String, s)
			}
			v = elems
		default:
			v = x
		}
		vals[name] = tftypes.NewValue(at, v)
	}
	return tfsdk.Config{Schema: sr.Schema, Raw: tftypes.NewValue(typ, vals)}
}

// blockedProgress is a SendProgress that never returns until released, as
// the framework's does once Terraform stops reading: it counts the sends
// that are blocked in it and the messages it got.
type blockedProgress struct {
	release chan struct{}
	entered chan struct{} // closed on the first send
	once    sync.Once
	blocked atomic.Int64
	mu      sync.Mutex
	got     []string
}

func newBlockedProgress(t *testing.T) *blockedProgress {
	b := &blockedProgress{release: make(chan struct{}), entered: make(chan struct{})}
	t.Cleanup(func() { close(b.release) })
	return b
}

func (b *blockedProgress) send(e action.InvokeProgressEvent) {
	b.mu.Lock()
	b.got = append(b.got, e.Message)
	b.mu.Unlock()
	b.blocked.Add(1)
	defer b.blocked.Add(-1)
	b.once.Do(func() { close(b.entered) })
	<-b.release
}

// invokeCancelledWhileBlocked invokes a with a progress send that blocks,
// cancels the context once a send is blocked, and fails the test unless
// Invoke returns promptly, with at most one send left blocked.
func invokeCancelledWhileBlocked(t *testing.T, a action.Action, cfg tfsdk.Config) diag.Diagnostics {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	progress := newBlockedProgress(t)
	resp := &action.InvokeResponse{SendProgress: progress.send}
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		a.Invoke(ctx, action.InvokeRequest{Config: cfg}, resp)
	}()
	select {
	case <-progress.entered:
	case <-returned:
		t.Fatal("Invoke returned before sending any progress")
	case <-time.After(30 * time.Second):
		t.Fatal("no progress sent within 30 s")
	}
	cancel()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("Invoke did not return within 5 s of the cancellation while a progress send was blocked")
	}
	if n := progress.blocked.Load(); n > 1 {
		t.Errorf("%d progress sends left blocked, want at most one", n)
	}
	return resp.Diagnostics
}

// requireDiag fails the test unless diags hold an error whose summary and
// detail contain every one of parts.
func requireDiag(t *testing.T, diags diag.Diagnostics, parts ...string) diag.Diagnostic {
	t.Helper()
	for _, d := range diags.Errors() {
		text := d.Summary() + ": " + d.Detail()
		if containsAll(text, parts...) {
			return d
		}
	}
	t.Fatalf("no error containing %q in:\n%s", parts, diagsText(diags))
	return nil
}

func diagsText(diags diag.Diagnostics) string {
	var s string
	for _, d := range diags {
		s += fmt.Sprintf("  %s: %s: %s\n", d.Severity(), d.Summary(), d.Detail())
	}
	return s
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
