// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// TestCallbackCheck_cancelWhileProgressBlocked: Terraform stops reading
// progress (Ctrl-C) and cancels; a progress send is blocked and the receiver
// hangs. Invoke returns at once, says the check was cancelled, and leaves at
// most the one forwarding send blocked.
func TestCallbackCheck_cancelWhileProgressBlocked(t *testing.T) {
	t.Parallel()
	_, mockURL := newTestMock(t, mockserver.Options{})
	var rc *testReceiver
	rc = newTestReceiver(t, func(_ http.ResponseWriter, _ received) { <-rc.done })
	a := configuredAction(t, NewCallbackCheckAction(), mockURL)
	cfg := actionConfig(t, a, map[string]any{"address": rc.url("/cb"), "timeout": "50s",
		"actions": []string{"caller_start_call", "normal_end", "call_busy"}})
	start := time.Now()
	diags := invokeCancelledWhileBlocked(t, a, cfg)
	requireDiag(t, diags, "Callback Check Cancelled", "0 of 3 sample deliveries done")
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %s: the hanging sample was not cut short by the cancellation", d)
	}
}

// TestCallbackCheck_progressBeforeResult: every progress message reaches
// Terraform, in order, before Invoke returns.
func TestCallbackCheck_progressBeforeResult(t *testing.T) {
	t.Parallel()
	_, mockURL := newTestMock(t, mockserver.Options{})
	rc := newTestReceiver(t, nil)
	a := configuredAction(t, NewCallbackCheckAction(), mockURL)
	var mu sync.Mutex
	var got []string
	resp := &action.InvokeResponse{SendProgress: func(e action.InvokeProgressEvent) {
		time.Sleep(20 * time.Millisecond) // a slow reader
		mu.Lock()
		got = append(got, e.Message)
		mu.Unlock()
	}}
	a.Invoke(t.Context(), action.InvokeRequest{Config: actionConfig(t, a, map[string]any{"address": rc.url("/cb"), "check_sdk_app_id": true,
		"actions": []string{"caller_start_call", "normal_end"}})}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("Invoke failed:\n%s", diagsText(resp.Diagnostics))
	}
	mu.Lock()
	defer mu.Unlock()
	wantMessages(t, got, `^Sending 3 sample deliveries`, `^normal_end: acknowledged`, `^caller_start_call: acknowledged`, `another app's\): refused`)
}

// TestCallbackCheck_receiverDown: nothing listens at the address. The error
// says what helps (is it running, reachable from where Terraform runs, the
// address as dialled), not how an acknowledgement looks.
func TestCallbackCheck_receiverDown(t *testing.T) {
	t.Parallel()
	_, mockURL := newTestMock(t, mockserver.Options{})
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	a := configuredAction(t, NewCallbackCheckAction(), mockURL)
	resp := &action.InvokeResponse{}
	a.Invoke(t.Context(), action.InvokeRequest{Config: actionConfig(t, a, map[string]any{"address": closed.URL + "/cb?token=s3cret"})}, resp)
	host := strings.TrimPrefix(closed.URL, "http://")
	d := requireDiag(t, resp.Diagnostics, "Callback Receiver Did Not Answer", closed.URL+"/cb got no answer", "connection refused",
		"Is the receiver running", "reachable from where Terraform runs", "The check dialled "+host+".")
	if text := d.Detail(); strings.Contains(text, "acknowledges with") || strings.Contains(text, "s3cret") {
		t.Errorf("the error names the answer format or the query string: %s", text)
	}
}

// TestCallbackCheck_serviceAddressChecked: with address unset, the address
// the service holds is checked as tencentcallkit_callback checks address;
// credentials in it reach no message, and nothing is sent to an address
// whose #fragment would swallow the delivery's query.
func TestCallbackCheck_serviceAddressChecked(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct{ path, problem string }{
		"credentials": {"/cb?token=s3cret", "must not carry user:password credentials"},
		"fragment":    {"/cb#part", "must not have a #fragment"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			mock, mockURL := newTestMock(t, mockserver.Options{})
			rc := newTestReceiver(t, nil)
			address := rc.url(c.path)
			if name == "credentials" {
				address = strings.Replace(address, "http://", "http://alice:pa55w0rd@", 1)
			}
			mock.SetCallback(mockserver.Callback{Address: address, Actions: []string{"normal_end"}})
			a := configuredAction(t, NewCallbackCheckAction(), mockURL)
			var mu sync.Mutex
			var got []string
			resp := &action.InvokeResponse{SendProgress: func(e action.InvokeProgressEvent) {
				mu.Lock()
				got = append(got, e.Message)
				mu.Unlock()
			}}
			a.Invoke(t.Context(), action.InvokeRequest{Config: actionConfig(t, a, nil)}, resp)
			requireDiag(t, resp.Diagnostics, "Invalid Callback Address", "app's v1 callback configuration", c.problem, "tencentcallkit_callback")
			mu.Lock()
			all := diagsText(resp.Diagnostics) + strings.Join(got, "\n")
			mu.Unlock()
			for _, secret := range []string{"alice", "pa55w0rd", "s3cret"} {
				if strings.Contains(all, secret) {
					t.Errorf("a message names %q:\n%s", secret, all)
				}
			}
			if n := len(rc.requests()); n != 0 {
				t.Errorf("the receiver got %d samples, want none", n)
			}
		})
	}
}

// TestShownAddress: credentials, query string and fragment never reach a
// message, whether the address parses or not.
func TestShownAddress(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://example.com/cb":                       "https://example.com/cb",
		"https://example.com/cb?token=x#f":             "https://example.com/cb",
		"https://u:p@example.com:8443/cb?t=1":          "https://***@example.com:8443/cb",
		"http://u:p?q@example.com/cb":                  "http://***@example.com/cb",
		"http://u%40x:p@w@example.com":                 "http://***@example.com",
		"https://example.com/a@b/c":                    "https://example.com/a@b/c",
		"/elsewhere?token=s3cret":                      "/elsewhere",
		"not a url u:p@host/x":                         "***@host/x",
		"https://example.com#frag?SdkAppid=1400000000": "https://example.com",
	} {
		if got := shownAddress(in); got != want {
			t.Errorf("shownAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
