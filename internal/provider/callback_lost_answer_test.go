package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// Tests of writes that reach the service while their answer is lost: the
// mock applies the write, answers it with a failure and fails the retries
// after it (mockserver.LostAnswer), so the provider gives up on a write that
// took effect. Each test then shows that the next terraform apply converges
// by itself, with an empty plan after it, without an import and without
// deleting the configuration.

// lostRetries is max_retries in these tests, and how many requests fail
// after the lost answer: every retry of the lost write fails too.
const lostRetries = 2

func lostAnswerProvider(mockURL string) string {
	return faultProviderConfig(mockURL, lostRetries, "5s")
}

// loseAnswer arms the mock's lost answer for the next request to path.
func loseAnswer(t *testing.T, mock *mockserver.Server, path string) func() {
	return func() {
		if err := mock.LoseAnswer(mockserver.LostAnswer{Path: path, FailNext: lostRetries}); err != nil {
			t.Fatal(err)
		}
	}
}

func (v callbackVersion) updatePath() string {
	if v.name == "v4" {
		return "v4/call_config/set_callback" // v4 has no update: set overwrites
	}
	return "v1/callback/update"
}

func (v callbackVersion) deletePath() string {
	if v.name == "v4" {
		return "v4/call_config/delete_callback"
	}
	return "v1/callback/delete"
}

// mockStats is a state check on the mock's request counters.
type mockStats struct {
	mock  *mockserver.Server
	check func(mockserver.Stats) error
}

func (c mockStats) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c.check(c.mock.Stats())
}

// requestsAre checks how often each path was requested and applied, and
// that no other path was requested: missing paths count 0.
func requestsAre(mock *mockserver.Server, requests, applied map[string]int) mockStats {
	return mockStats{mock: mock, check: func(st mockserver.Stats) error {
		for _, want := range []struct {
			what      string
			got, want map[string]int
		}{{"requested", st.Requests, requests}, {"applied", st.Applied, applied}} {
			for path, n := range want.got {
				if _, listed := want.want[path]; !listed && n != 0 {
					return fmt.Errorf("mock: %s %s %d times, want 0 (requests %v, applied %v)", path, want.what, n, st.Requests, st.Applied)
				}
			}
			for path, n := range want.want {
				if want.got[path] != n {
					return fmt.Errorf("mock: %s %s %d times, want %d (requests %v, applied %v)", path, want.what, want.got[path], n, st.Requests, st.Applied)
				}
			}
		}
		return nil
	}}
}

var lostAnswerHint = regexp.QuoteMeta("The service may have applied the request even so (its answer did not arrive).")

// TestAccCallbackLostAnswer_create: the set is applied and its answer lost
// (502, and 502 to both retries). The failed apply leaves no state; the next
// apply finds exactly the planned configuration, takes it over without
// writing it again, and the plan after it is empty. Nothing is deleted.
func TestAccCallbackLostAnswer_create(t *testing.T) {
	t.Parallel()
	for _, v := range []callbackVersion{callbackV1, callbackV4} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			mock, url := newTestMock(t, mockserver.Options{})
			const addr = "tencentcallkit_callback.test"
			cfg := lostAnswerProvider(url) + testCallbackBlock("test", v.hclVersion(), testCallbackAddress, v.actionsA)
			// After the lost create: its get (no configuration yet), the set
			// and its two retries; after the second apply one more get, which
			// finds the configuration, and nothing else.
			afterTakeOver := requestsAre(mock,
				map[string]int{v.getPath: 2, v.writePath: 1 + lostRetries},
				map[string]int{v.getPath: 1, v.writePath: 1})
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					return mockHoldsNothing(mock, v).check()
				},
				Steps: []resource.TestStep{
					{
						PreConfig: loseAnswer(t, mock, v.writePath),
						Config:    cfg,
						ExpectError: errorPattern(`Unable to Create Callback Configuration.*` + regexp.QuoteMeta(v.writePath) +
							` failed with HTTP status 502 after 3 attempt\(s\).*` + lostAnswerHint + `.*takes it over without writing it again`),
					},
					{
						// The write took effect: the service holds the configuration,
						// Terraform does not know it yet and plans a create.
						PreConfig: func() {
							if err := mockHolds(mock, v, testCallbackAddress, v.actionsA).check(); err != nil {
								t.Fatalf("the lost write did not take effect: %v", err)
							}
						},
						Config: cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
						},
						ConfigStateChecks: append(callbackStateIs(addr, v, testCallbackAddress, v.actionsA),
							mockHolds(mock, v, testCallbackAddress, v.actionsA), afterTakeOver),
					},
					{
						Config: cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						ConfigStateChecks: []statecheck.StateCheck{mockHolds(mock, v, testCallbackAddress, v.actionsA)},
					},
				},
			})
			if st := mock.Stats(); st.LostAnswers != 1 || st.Applied[v.writePath] != 1 || st.Requests[v.deletePath()] != 1 {
				t.Errorf("mock: %d lost answers, %s applied %d times, %s sent %d times (only by the final destroy), want 1, 1, 1",
					st.LostAnswers, v.writePath, st.Applied[v.writePath], v.deletePath(), st.Requests[v.deletePath()])
			}
		})
	}
}

// TestAccCallbackLostAnswer_createTimeout: the set is applied but no answer
// comes back within request_timeout, and no retry is left.
func TestAccCallbackLostAnswer_createTimeout(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	const addr = "tencentcallkit_callback.test"
	cfg := faultProviderConfig(url, 0, "3100ms") + testCallbackBlock("test", "", testCallbackAddress, callbackV1.actionsA)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := mock.LoseAnswer(mockserver.LostAnswer{Path: "v1/callback/set", Kind: mockserver.FaultStall, StallFor: 3500 * time.Millisecond}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      cfg,
				ExpectError: errorPattern(`Unable to Create Callback Configuration.*v1/callback/set failed after 1 attempt\(s\): Post request timed out.*` + lostAnswerHint),
			},
			{
				Config: cfg,
				ConfigStateChecks: append(callbackStateIs(addr, callbackV1, testCallbackAddress, callbackV1.actionsA),
					requestsAre(mock,
						map[string]int{"v1/callback/get": 2, "v1/callback/set": 1},
						map[string]int{"v1/callback/get": 1, "v1/callback/set": 1})),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccCallbackLostAnswer_createThenChanged: a configuration that differs
// from the plan is still refused, even when this resource wrote it before
// its configuration was edited: the error says to import it, and after the
// import the change is an update in place.
func TestAccCallbackLostAnswer_createThenChanged(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	v := callbackV1
	const addr = "tencentcallkit_callback.test"
	const newAddress = "https://hooks.example.com/callkit/edited"
	cfgA := lostAnswerProvider(url) + testCallbackBlock("test", "", testCallbackAddress, v.actionsA)
	cfgB := lostAnswerProvider(url) + testCallbackBlock("test", "", newAddress, v.actionsA)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return mockHoldsNothing(mock, v).check()
		},
		Steps: []resource.TestStep{
			{
				PreConfig:   loseAnswer(t, mock, v.writePath),
				Config:      cfgA,
				ExpectError: errorPattern(`Unable to Create Callback Configuration.*` + lostAnswerHint),
			},
			{
				Config: cfgB,
				ExpectError: errorPattern(`Callback Configuration Already Exists.*configuration \(address "` +
					regexp.QuoteMeta(testCallbackAddress) + `", 2 actions\), and it differs from this resource's.*terraform import tencentcallkit_callback.<NAME> 1400000000`),
			},
			{
				PreConfig: func() {
					if err := mockHolds(mock, v, testCallbackAddress, v.actionsA).check(); err != nil {
						t.Fatalf("the refused create changed the configuration: %v", err)
					}
				},
				Config:             cfgB,
				ResourceName:       addr,
				ImportState:        true,
				ImportStateId:      v.id,
				ImportStatePersist: true,
			},
			{
				Config: cfgB,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: append(callbackStateIs(addr, v, newAddress, v.actionsA), mockHolds(mock, v, newAddress, v.actionsA)),
			},
		},
	})
	if st := mock.Stats(); st.Applied["v1/callback/set"] != 1 || st.Applied["v1/callback/update"] != 1 {
		t.Errorf("mock: set applied %d times, update %d times, want 1 and 1", st.Applied["v1/callback/set"], st.Applied["v1/callback/update"])
	}
}

// TestAccCallbackLostAnswer_update: the update (v4: the set after the get)
// is applied and its answer lost. The failed apply keeps the prior state;
// the next plan's refresh reads the new configuration, so it is empty.
func TestAccCallbackLostAnswer_update(t *testing.T) {
	t.Parallel()
	for _, v := range []callbackVersion{callbackV1, callbackV4} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			mock, url := newTestMock(t, mockserver.Options{})
			const addr = "tencentcallkit_callback.test"
			const newAddress = "https://hooks.example.com/callkit/v2"
			cfgA := lostAnswerProvider(url) + testCallbackBlock("test", v.hclVersion(), testCallbackAddress, v.actionsA)
			cfgB := lostAnswerProvider(url) + testCallbackBlock("test", v.hclVersion(), newAddress, v.actionsB)
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					return mockHoldsNothing(mock, v).check()
				},
				Steps: []resource.TestStep{
					{Config: cfgA},
					{
						PreConfig: loseAnswer(t, mock, v.updatePath()),
						Config:    cfgB,
						ExpectError: errorPattern(`Unable to Update Callback Configuration.*` + regexp.QuoteMeta(v.updatePath()) +
							` failed with HTTP status 502 after 3 attempt\(s\).*` + lostAnswerHint + `.*nothing if the change was applied`),
					},
					{
						Config: cfgB,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						ConfigStateChecks: append(callbackStateIs(addr, v, newAddress, v.actionsB), mockHolds(mock, v, newAddress, v.actionsB)),
					},
				},
			})
			want := map[string]int{"v1/callback/set": 1, "v1/callback/update": 1}
			if v.name == "v4" {
				want = map[string]int{"v4/call_config/set_callback": 2} // the create and the lost update
			}
			st := mock.Stats()
			for path, n := range want {
				if st.Applied[path] != n {
					t.Errorf("mock: %s applied %d times, want %d", path, st.Applied[path], n)
				}
			}
			if st.Requests[v.deletePath()] != 1 {
				t.Errorf("mock: %s sent %d times, want 1 (the final destroy)", v.deletePath(), st.Requests[v.deletePath()])
			}
		})
	}
}

// TestAccCallbackLostAnswer_delete: the delete is applied and its answer
// lost. The failed destroy keeps the resource in state; the next plan's
// refresh finds it gone and drops it, so nothing is left to do and no
// second delete is sent.
func TestAccCallbackLostAnswer_delete(t *testing.T) {
	t.Parallel()
	for _, v := range []callbackVersion{callbackV1, callbackV4} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			mock, url := newTestMock(t, mockserver.Options{})
			provider := lostAnswerProvider(url)
			cfg := provider + testCallbackBlock("test", v.hclVersion(), testCallbackAddress, v.actionsA)
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					return mockHoldsNothing(mock, v).check()
				},
				Steps: []resource.TestStep{
					{Config: cfg},
					{
						PreConfig: loseAnswer(t, mock, v.deletePath()),
						Config:    cfg,
						Destroy:   true,
						ExpectError: errorPattern(`Unable to Delete Callback Configuration.*` + regexp.QuoteMeta(v.deletePath()) +
							` failed with HTTP status 502 after 3 attempt\(s\).*` + lostAnswerHint + `.*deletes it only if it is`),
					},
					{
						// The resource removed from the configuration: the refresh
						// finds the configuration gone, so there is nothing to do.
						PreConfig: func() {
							if err := mockHoldsNothing(mock, v).check(); err != nil {
								t.Fatalf("the lost delete did not take effect: %v", err)
							}
						},
						Config: provider,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
					},
				},
			})
			if st := mock.Stats(); st.Applied[v.deletePath()] != 1 || st.Requests[v.deletePath()] != 1+lostRetries {
				t.Errorf("mock: %s applied %d times and sent %d times, want 1 and %d (the lost one and its retries, nothing after)",
					v.deletePath(), st.Applied[v.deletePath()], st.Requests[v.deletePath()], 1+lostRetries)
			}
		})
	}
}

// TestAccCallback_writeRequests: Create sends the existence check and the
// set, nothing else (no read-back to wait for or to lose); Update sends the
// update (v4: the get and the set). The plan's refresh is the one get
// before an update.
func TestAccCallback_writeRequests(t *testing.T) {
	t.Parallel()
	for _, v := range []callbackVersion{callbackV1, callbackV4} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			mock, url := newTestMock(t, mockserver.Options{})
			cfgA := testCallbackConfig(url, v.hclVersion(), testCallbackAddress, v.actionsA)
			cfgB := testCallbackConfig(url, v.hclVersion(), testCallbackAddress, v.actionsB)
			var before mockserver.Stats
			afterCreate := map[string]int{v.getPath: 1, v.writePath: 1}
			updateRequests := map[string]int{v.getPath: 1, "v1/callback/update": 1} // refresh, update
			if v.name == "v4" {
				updateRequests = map[string]int{v.getPath: 2, v.writePath: 1} // refresh, get, set
			}
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config: cfgA,
						// The get finds nothing (not applied); the set is.
						ConfigStateChecks: []statecheck.StateCheck{requestsAre(mock, afterCreate, map[string]int{v.writePath: 1})},
					},
					{
						PreConfig: func() { before = mock.Stats() },
						Config:    cfgB,
						ConfigStateChecks: []statecheck.StateCheck{mockStats{mock: mock, check: func(st mockserver.Stats) error {
							for path, n := range updateRequests {
								if got := st.Requests[path] - before.Requests[path]; got != n {
									return fmt.Errorf("mock: the update step sent %s %d times, want %d", path, got, n)
								}
							}
							if got, want := sum(st.Requests)-sum(before.Requests), sum(updateRequests); got != want {
								return fmt.Errorf("mock: the update step sent %d requests, want %d (%v, before %v)", got, want, st.Requests, before.Requests)
							}
							return nil
						}}},
					},
				},
			})
		})
	}
}

// TestAccCallback_adoptWarns: Create over a configuration exactly like the
// planned one takes it over without writing it (the lost-answer path), and
// says so with a warning that Terraform shows with the resource's address;
// a create over nothing warns of nothing. Checked in the CLI's own output,
// as a user reads it.
func TestAccCallback_adoptWarns(t *testing.T) {
	t.Parallel()
	tf := newTerraformCLI(t)
	apply := func(t *testing.T, url, config string) string {
		t.Helper()
		out, _, err := tf.runWith(t, tf.rc, writeModule(t, map[string]string{"main.tf": config}), exampleEnv(url), nil,
			"apply", "-auto-approve", "-input=false", "-no-color")
		if err != nil {
			t.Fatalf("apply: %v\n%s", err, out)
		}
		return string(out)
	}
	for _, v := range []callbackVersion{callbackV1, callbackV4} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			mock, url := newTestMock(t, mockserver.Options{})
			v.setOOB(mock, mockserver.Callback{Address: testCallbackAddress, Actions: v.actionsA[:1]})
			out := apply(t, url, testCallbackBlock("adopted", v.hclVersion(), testCallbackAddress, v.actionsA[:1]))
			want := errorPattern(`Warning: Existing Callback Configuration Adopted\s+with tencentcallkit_callback\.adopted,.*` +
				regexp.QuoteMeta(fmt.Sprintf("(address %q, 1 action)", testCallbackAddress)) + `.*` + regexp.QuoteMeta(fmt.Sprintf("(ID %q)", v.id)))
			if !want.MatchString(out) || strings.Count(out, "Warning:") != 2 { // the other: dev_overrides
				t.Errorf("want one adoption warning for tencentcallkit_callback.adopted naming %s and its 1 action, got\n%s", v.id, out)
			}
			if n := mock.Stats().Requests[v.writePath]; n != 0 {
				t.Errorf("the adopted configuration was written %d times, want 0", n)
			}

			_, empty := newTestMock(t, mockserver.Options{})
			if out := apply(t, empty, testCallbackBlock("created", v.hclVersion(), testCallbackAddress, v.actionsA)); strings.Contains(out, "Adopted") {
				t.Errorf("a create over no configuration warned:\n%s", out)
			}
		})
	}
}
