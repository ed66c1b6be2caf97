package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// receiver is a callback endpoint that records what the mock delivers.
type receiver struct {
	url  string
	mu   sync.Mutex
	cmds []string // v1 "command" or v4 "CallbackCommand" query values, in order
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.Copy(io.Discard, io.LimitReader(req.Body, 1<<20))
		cmd := req.URL.Query().Get("command")
		if cmd == "" {
			cmd = req.URL.Query().Get("CallbackCommand")
		}
		r.mu.Lock()
		r.cmds = append(r.cmds, cmd)
		r.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"ErrorCode": 0, "ErrorMessage": "Success", "ActionStatus": "OK", "ErrorInfo": ""})
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/callkit"
	return r
}

func (r *receiver) commands() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.cmds...)
}

// simulate runs one 1:1 call that ends normally and waits for its deliveries.
func simulate(t *testing.T, mock *mockserver.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := mock.SimulateCall(ctx, mockserver.SimulatedCall{Caller: "alice", Callees: []string{"bob"}, CallType: "single", MediaType: "video", Result: "normal_end"}); err != nil {
		t.Fatalf("simulate call: %v", err)
	}
	if err := mock.WaitDeliveries(ctx); err != nil {
		t.Fatalf("wait for deliveries: %v", err)
	}
}

func equalStrings(a, b []string) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// TestAccCallback_deliveriesFollowApply: the configuration Terraform writes is
// the one the service delivers with — only the subscribed actions, and to the
// address the latest apply set.
func TestAccCallback_deliveriesFollowApply(t *testing.T) {
	t.Parallel()
	for _, v := range []struct {
		apiVersion string
		actions    []string
		want       []string // what one normal 1:1 call delivers for those actions
	}{
		{"v1", []string{"normal_end", "caller_start_call"}, []string{"caller_start_call", "normal_end"}},
		{"v4", []string{"Call.CallbackAfterEndCall"}, []string{"Call.CallbackAfterEndCall"}},
	} {
		t.Run(v.apiVersion, func(t *testing.T) {
			t.Parallel()
			mock, url := newTestMock(t, mockserver.Options{DeliveryTimeScale: 0.01, Seed: 5})
			first, second := newReceiver(t), newReceiver(t)
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config: testProviderConfig(url) + testCallbackBlock("hook", v.apiVersion, first.url, v.actions),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("tencentcallkit_callback.hook", tfjsonpath.New("address"), knownvalue.StringExact(first.url)),
						},
					},
					{
						PreConfig: func() {
							simulate(t, mock)
							if got := first.commands(); !equalStrings(got, v.want) {
								t.Errorf("first receiver got %v, want %v", got, v.want)
							}
						},
						Config: testProviderConfig(url) + testCallbackBlock("hook", v.apiVersion, second.url, v.actions),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("tencentcallkit_callback.hook", tfjsonpath.New("address"), knownvalue.StringExact(second.url)),
						},
					},
					{
						PreConfig: func() {
							before := len(first.commands())
							simulate(t, mock)
							if got := second.commands(); !equalStrings(got, v.want) {
								t.Errorf("after the address change the new receiver got %v, want %v", got, v.want)
							}
							if after := len(first.commands()); after != before {
								t.Errorf("the old address still received %d deliveries", after-before)
							}
						},
						Config:   testProviderConfig(url) + testCallbackBlock("hook", v.apiVersion, second.url, v.actions),
						PlanOnly: true,
					},
				},
			})
		})
	}
}

// TestAccCallbackV4_userSigFailures: on the v4 paths a bad UserSig is 60004,
// one code for "invalid" and "expired", so it is retried exactly once with a
// fresh UserSig and then reported: for a wrong key with a diagnostic naming
// secret_key, for a service whose clock runs ahead likewise after 2 attempts.
func TestAccCallbackV4_userSigFailures(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	ahead, aheadURL := newTestMock(t, mockserver.Options{Clock: func() time.Time { return time.Now().Add(3 * time.Hour) }})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      testProviderConfigWith(url, mockserver.DefaultSDKAppID, "not-the-apps-secret-key") + testCallbackBlock("v4", "v4", testCallbackAddress, callbackV4.actionsA),
				ExpectError: errorPattern(`Unable to Create Callback Configuration.*errorCode 60004.*secret_key`),
			},
			{
				Config:      testProviderConfig(aheadURL) + testCallbackBlock("v4", "v4", testCallbackAddress, callbackV4.actionsA),
				ExpectError: errorPattern(`errorCode 60004.*after 2 attempt`),
			},
		},
	})
	if got := mock.Stats().Requests["v4/call_config/get_callback"]; got != 2 {
		t.Errorf("wrong key: %d get_callback requests, want 2 (one retry with a fresh UserSig)", got)
	}
	if got := ahead.Stats().Requests["v4/call_config/get_callback"]; got != 2 {
		t.Errorf("expired UserSig: %d get_callback requests, want 2 (one retry with a fresh UserSig)", got)
	}
	if _, ok := mock.CallbackV4(); ok {
		t.Error("a refused request created a v4 configuration")
	}
	if _, ok := ahead.CallbackV4(); ok {
		t.Error("a refused request created a v4 configuration")
	}
}

// TestAccCallbackV4_rateLimited: 60011 on the v4 paths is retried with backoff
// until it gets through; when retries cannot absorb it the diagnostic names the
// rate limit, the code and the attempts, and nothing is written.
func TestAccCallbackV4_rateLimited(t *testing.T) {
	t.Parallel()
	v4Paths := []string{"v4/call_config/get_callback", "v4/call_config/set_callback", "v4/call_config/delete_callback"}
	mock, url := newTestMock(t, mockserver.Options{Seed: 11})
	mock.SetFaults(mockserver.Faults{Rate: 0.4, Kinds: []mockserver.FaultKind{mockserver.FaultRateLimit}, Paths: v4Paths})
	provider := fmt.Sprintf(`
provider "tencentcallkit" {
  endpoint    = %q
  sdk_app_id  = %d
  secret_key  = %q
  max_retries = 10
}
`, url, mockserver.DefaultSDKAppID, mockserver.DefaultKey)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: provider + testCallbackBlock("v4", "v4", testCallbackAddress, callbackV4.actionsB),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("tencentcallkit_callback.v4", tfjsonpath.New("id"), knownvalue.StringExact(callbackV4.id)),
			},
		}},
	})
	if mock.Stats().Faulted == 0 {
		t.Fatal("no 60011 was injected: the test proves nothing")
	}
	if _, ok := mock.CallbackV4(); ok {
		t.Error("destroy under rate limiting left a v4 configuration")
	}

	// Every answer 60011: the retries cannot absorb it.
	full, fullURL := newTestMock(t, mockserver.Options{})
	full.SetFaults(mockserver.Faults{Rate: 1, Kinds: []mockserver.FaultKind{mockserver.FaultRateLimit}, Paths: v4Paths})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      testProviderConfig(fullURL) + testCallbackBlock("v4", "v4", testCallbackAddress, callbackV4.actionsA),
			ExpectError: errorPattern(`errorCode 60011.*v4/call_config/get_callback.*after 2 attempt\(s\).*rate limited`),
		}},
	})
	if got := full.Stats().Requests["v4/call_config/set_callback"]; got != 0 {
		t.Errorf("%d set_callback requests after a failed read", got)
	}
}
