package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

const testCallbackAddress = "https://example.com/callkit/callback"

var testAppID = strconv.FormatInt(mockserver.DefaultSDKAppID, 10)

// callbackVersion bundles what differs between the two API generations, so
// one lifecycle test body covers both.
type callbackVersion struct {
	name      string // "v1" or "v4"
	setInHCL  bool   // write api_version in the configuration (v1 also tests the default)
	id        string
	actionsA  []string
	actionsB  []string
	getPath   string // the mock's path for "read"
	writePath string // the mock's path that creates the configuration
	stored    func(*mockserver.Server) (mockserver.Callback, bool)
	setOOB    func(*mockserver.Server, mockserver.Callback)
	deleteOOB func(*mockserver.Server)
}

var (
	callbackV1 = callbackVersion{
		name:      "v1",
		id:        testAppID,
		actionsA:  []string{"normal_end", "call_busy"},
		actionsB:  []string{"normal_end", "caller_start_call", "callee_reject_call"},
		getPath:   "v1/callback/get",
		writePath: "v1/callback/set",
		stored:    (*mockserver.Server).Callback,
		setOOB:    (*mockserver.Server).SetCallback,
		deleteOOB: (*mockserver.Server).DeleteCallback,
	}
	callbackV4 = callbackVersion{
		name:      "v4",
		setInHCL:  true,
		id:        "v4:" + testAppID,
		actionsA:  []string{"Call.CallbackAfterStartCall"},
		actionsB:  []string{"Call.CallbackAfterEndCall", "Call.CallbackAfterMemberChanged"},
		getPath:   "v4/call_config/get_callback",
		writePath: "v4/call_config/set_callback",
		stored:    (*mockserver.Server).CallbackV4,
		setOOB:    (*mockserver.Server).SetCallbackV4,
		deleteOOB: (*mockserver.Server).DeleteCallbackV4,
	}
)

// testCallbackConfig renders a provider block and the callback resource
// "test". apiVersion "" leaves the attribute out (the default).
func testCallbackConfig(mockURL, apiVersion, address string, actions []string) string {
	return testProviderConfig(mockURL) + testCallbackBlock("test", apiVersion, address, actions)
}

func testCallbackBlock(name, apiVersion, address string, actions []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nresource \"tencentcallkit_callback\" %q {\n", name)
	if apiVersion != "" {
		fmt.Fprintf(&b, "  api_version = %q\n", apiVersion)
	}
	fmt.Fprintf(&b, "  address     = %q\n", address)
	quoted := make([]string, len(actions))
	for i, a := range actions {
		quoted[i] = strconv.Quote(a)
	}
	fmt.Fprintf(&b, "  actions     = [%s]\n}\n", strings.Join(quoted, ", "))
	return b.String()
}

func (v callbackVersion) hclVersion() string {
	if v.setInHCL {
		return v.name
	}
	return ""
}

// mockHolds is a state check that looks past Terraform at what the mock
// backend stores: the configuration must be exactly want (actions in any order).
func mockHolds(mock *mockserver.Server, v callbackVersion, address string, actions []string) mockCheck {
	return mockCheck{mock: mock, v: v, want: &mockserver.Callback{Address: address, Actions: actions}}
}

// mockHoldsNothing is a state check that the mock has no configuration of v.
func mockHoldsNothing(mock *mockserver.Server, v callbackVersion) mockCheck {
	return mockCheck{mock: mock, v: v}
}

type mockCheck struct {
	mock *mockserver.Server
	v    callbackVersion
	want *mockserver.Callback
}

func (c mockCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c.check()
}

func (c mockCheck) check() error {
	got, ok := c.v.stored(c.mock)
	switch {
	case c.want == nil && ok:
		return fmt.Errorf("mock: expected no %s callback configuration, found %+v", c.v.name, got)
	case c.want == nil:
		return nil
	case !ok:
		return fmt.Errorf("mock: expected %s callback configuration %+v, found none", c.v.name, *c.want)
	}
	gotActions, wantActions := slices.Sorted(slices.Values(got.Actions)), slices.Sorted(slices.Values(c.want.Actions))
	if got.Address != c.want.Address || !slices.Equal(gotActions, wantActions) {
		return fmt.Errorf("mock: expected %s callback configuration %+v, found %+v", c.v.name, *c.want, got)
	}
	return nil
}

func stringSet(values []string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.SetExact(checks)
}

// callbackStateIs checks every attribute of the resource at addr.
func callbackStateIs(addr string, v callbackVersion, address string, actions []string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(v.id)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("api_version"), knownvalue.StringExact(v.name)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("address"), knownvalue.StringExact(address)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("actions"), stringSet(actions)),
	}
}

func TestAccCallback_lifecycle(t *testing.T) {
	t.Parallel()
	testAccCallbackLifecycle(t, callbackV1)
}

func TestAccCallbackV4_lifecycle(t *testing.T) {
	t.Parallel()
	testAccCallbackLifecycle(t, callbackV4)
}

// testAccCallbackLifecycle: create, empty plan, drift of the address,
// in-place update of the actions, out-of-band delete and recreate, import,
// destroy, against one mock, checking Terraform's state and the mock's store.
func testAccCallbackLifecycle(t *testing.T, v callbackVersion) {
	mock, url := newTestMock(t, mockserver.Options{})
	const addr = "tencentcallkit_callback.test"
	driftAddress := "https://drifted.example.com/elsewhere"
	updatedAddress := "http://hooks.example.com:8080/callkit?token=abc"
	cfgA := testCallbackConfig(url, v.hclVersion(), testCallbackAddress, v.actionsA)
	cfgB := testCallbackConfig(url, v.hclVersion(), updatedAddress, v.actionsB)
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return mockHoldsNothing(mock, v).check()
		},
		Steps: []resource.TestStep{
			{
				Config: cfgA,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: append(callbackStateIs(addr, v, testCallbackAddress, v.actionsA),
					mockHolds(mock, v, testCallbackAddress, v.actionsA),
					sameID.AddStateValue(addr, tfjsonpath.New("id"))),
			},
			{
				// Nothing changed anywhere: the plan must be empty.
				Config: cfgA,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// The address changed outside Terraform: refresh sees it, the
				// plan puts it back in place, and apply does.
				PreConfig: func() {
					v.setOOB(mock, mockserver.Callback{Address: driftAddress, Actions: v.actionsA})
				},
				Config: cfgA,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectNonEmptyPlan(),
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: append(callbackStateIs(addr, v, testCallbackAddress, v.actionsA),
					mockHolds(mock, v, testCallbackAddress, v.actionsA),
					sameID.AddStateValue(addr, tfjsonpath.New("id"))),
			},
			{
				// The action list changed outside Terraform (one removed):
				// drift on the set alone also shows.
				PreConfig: func() {
					v.setOOB(mock, mockserver.Callback{Address: testCallbackAddress, Actions: v.actionsB[:1]})
				},
				Config: cfgA,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{mockHolds(mock, v, testCallbackAddress, v.actionsA)},
			},
			{
				// Address and actions change in place, not by replacement.
				Config: cfgB,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: append(callbackStateIs(addr, v, updatedAddress, v.actionsB),
					mockHolds(mock, v, updatedAddress, v.actionsB),
					sameID.AddStateValue(addr, tfjsonpath.New("id"))),
			},
			{
				// Deleted outside Terraform: Read drops it from state and the
				// plan creates it again.
				PreConfig: func() { v.deleteOOB(mock) },
				Config:    cfgB,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: append(callbackStateIs(addr, v, updatedAddress, v.actionsB),
					mockHolds(mock, v, updatedAddress, v.actionsB)),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     v.id,
				ImportStateVerify: true,
			},
		},
	})
}

// TestAccCallback_importBlockAndGeneratedConfig imports with an import {}
// block, then with -generate-config-out: the generated HCL must be valid and
// plan to no change.
func TestAccCallback_importBlockAndGeneratedConfig(t *testing.T) {
	t.Parallel()
	for _, v := range []callbackVersion{callbackV1, callbackV4} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			_, url := newTestMock(t, mockserver.Options{})
			cfg := testCallbackConfig(url, v.hclVersion(), testCallbackAddress, v.actionsA)
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
				Steps: []resource.TestStep{
					{Config: cfg},
					{
						Config:          cfg,
						ResourceName:    "tencentcallkit_callback.test",
						ImportState:     true,
						ImportStateKind: resource.ImportBlockWithID,
						ImportStateId:   v.id,
						ImportPlanChecks: resource.ImportPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectKnownValue("tencentcallkit_callback.test", tfjsonpath.New("id"), knownvalue.StringExact(v.id)),
								plancheck.ExpectKnownValue("tencentcallkit_callback.test", tfjsonpath.New("actions"), stringSet(v.actionsA)),
							},
						},
					},
					{
						// Only the provider: Terraform writes the resource block.
						Config:          testProviderConfig(url),
						ResourceName:    "tencentcallkit_callback.test",
						ImportState:     true,
						ImportStateKind: resource.ImportBlockWithID,
						ImportStateId:   v.id,
						GenerateConfig:  true,
						ImportPlanChecks: resource.ImportPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectKnownValue("tencentcallkit_callback.generated", tfjsonpath.New("api_version"), knownvalue.StringExact(v.name)),
								plancheck.ExpectKnownValue("tencentcallkit_callback.generated", tfjsonpath.New("address"), knownvalue.StringExact(testCallbackAddress)),
								plancheck.ExpectKnownValue("tencentcallkit_callback.generated", tfjsonpath.New("actions"), stringSet(v.actionsA)),
							},
						},
					},
				},
			})
		})
	}
}

func TestAccCallback_importInvalidID(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	cfg := testCallbackConfig(url, "", testCallbackAddress, callbackV1.actionsA)
	importStep := func(id string, want *regexp.Regexp) resource.TestStep {
		return resource.TestStep{
			Config:        cfg,
			ResourceName:  "tencentcallkit_callback.test",
			ImportState:   true,
			ImportStateId: id,
			ExpectError:   want,
		}
	}
	otherApp := errorPattern(`names SDKAppID 1400000001, but the provider is configured for SDKAppID 1400000000`)
	malformed := errorPattern(`Invalid Import ID.*expected "1400000000" \(v1\) or "v4:1400000000" \(v4\)`)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			importStep("1400000001", otherApp),
			importStep("v4:1400000001", otherApp),
			importStep("not-a-number", errorPattern(`Invalid Import ID.*got "not-a-number"`)),
			importStep("v4:", malformed),
			importStep("V4:1400000000", malformed),
			importStep("v1:1400000000", malformed),
			importStep("01400000000", malformed),
			importStep(" 1400000000", malformed),
			// A well-formed ID of a configuration that does not exist (no v4 one here).
			importStep("v4:1400000000", errorPattern(`Cannot import non-existent remote object`)),
		},
	})
	if _, ok := mock.CallbackV4(); ok {
		t.Error("mock: a failed import created a v4 configuration")
	}
}

// TestAccCallback_createOverExisting: create never overwrites; the error
// shows the import command and the existing configuration is untouched.
func TestAccCallback_createOverExisting(t *testing.T) {
	t.Parallel()
	for _, v := range []callbackVersion{callbackV1, callbackV4} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			mock, url := newTestMock(t, mockserver.Options{})
			existing := mockserver.Callback{Address: "https://existing.example.com/hook", Actions: v.actionsB}
			v.setOOB(mock, existing)
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					return mockHolds(mock, v, existing.Address, existing.Actions).check()
				},
				Steps: []resource.TestStep{{
					Config: testCallbackConfig(url, v.hclVersion(), testCallbackAddress, v.actionsA),
					ExpectError: errorPattern(`Callback Configuration Already Exists.*terraform import tencentcallkit_callback.<NAME> ` +
						regexp.QuoteMeta(v.id) + `.*import \{.*id = "` + regexp.QuoteMeta(v.id) + `"`),
				}},
			})
			if n := mock.Stats().Requests[v.writePath]; n != 0 {
				t.Errorf("mock: %s was called %d times; create must not write over an existing configuration", v.writePath, n)
			}
			if err := mockHolds(mock, v, existing.Address, existing.Actions).check(); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestAccCallback_v1AndV4SideBySide: the two generations are separate
// configurations; managing both in one configuration must not mix them up.
func TestAccCallback_v1AndV4SideBySide(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	v1Addr, v4Addr := "https://v1.example.com/cb", "https://v4.example.com/cb"
	cfg := func(v4Actions []string) string {
		return testProviderConfig(url) +
			testCallbackBlock("legacy", "v1", v1Addr, callbackV1.actionsA) +
			testCallbackBlock("current", "v4", v4Addr, v4Actions)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if err := mockHoldsNothing(mock, callbackV1).check(); err != nil {
				return err
			}
			return mockHoldsNothing(mock, callbackV4).check()
		},
		Steps: []resource.TestStep{
			{
				Config: cfg(callbackV4.actionsA),
				ConfigStateChecks: append(append(
					callbackStateIs("tencentcallkit_callback.legacy", callbackV1, v1Addr, callbackV1.actionsA),
					callbackStateIs("tencentcallkit_callback.current", callbackV4, v4Addr, callbackV4.actionsA)...),
					mockHolds(mock, callbackV1, v1Addr, callbackV1.actionsA),
					mockHolds(mock, callbackV4, v4Addr, callbackV4.actionsA)),
			},
			{
				// Changing the v4 resource leaves the v1 one alone.
				Config: cfg(callbackV4.actionsB),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("tencentcallkit_callback.current", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("tencentcallkit_callback.legacy", plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					mockHolds(mock, callbackV1, v1Addr, callbackV1.actionsA),
					mockHolds(mock, callbackV4, v4Addr, callbackV4.actionsB),
				},
			},
			{
				// Deleting the v1 configuration out of band affects only it.
				PreConfig: func() { mock.DeleteCallback() },
				Config:    cfg(callbackV4.actionsB),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("tencentcallkit_callback.legacy", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("tencentcallkit_callback.current", plancheck.ResourceActionNoop),
					},
				},
			},
		},
	})
}

// TestAccCallback_apiVersionChangeReplaces: moving between generations
// deletes the old configuration and creates the new one.
func TestAccCallback_apiVersionChangeReplaces(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	const addr = "tencentcallkit_callback.test"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            testCallbackConfig(url, "", testCallbackAddress, callbackV1.actionsA),
				ConfigStateChecks: []statecheck.StateCheck{mockHolds(mock, callbackV1, testCallbackAddress, callbackV1.actionsA)},
			},
			{
				Config: testCallbackConfig(url, "v4", testCallbackAddress, callbackV4.actionsA),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("id")),
					},
				},
				ConfigStateChecks: append(callbackStateIs(addr, callbackV4, testCallbackAddress, callbackV4.actionsA),
					mockHoldsNothing(mock, callbackV1),
					mockHolds(mock, callbackV4, testCallbackAddress, callbackV4.actionsA)),
			},
			{
				// And back to v1, written explicitly.
				Config: testCallbackConfig(url, "v1", testCallbackAddress, callbackV1.actionsA),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace)},
				},
				ConfigStateChecks: append(callbackStateIs(addr, callbackV1, testCallbackAddress, callbackV1.actionsA),
					mockHoldsNothing(mock, callbackV4)),
			},
			{
				// Leaving api_version out means v1: no change.
				Config: testCallbackConfig(url, "", testCallbackAddress, callbackV1.actionsA),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccCallback_planTimeValidation: every bad value is refused while
// planning, with a message naming it, before any request reaches the API.
func TestAccCallback_planTimeValidation(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	step := func(apiVersion, address string, actions []string, want string) resource.TestStep {
		return resource.TestStep{
			Config:      testCallbackConfig(url, apiVersion, address, actions),
			PlanOnly:    true,
			ExpectError: errorPattern(want),
		}
	}
	longAddress := "https://example.com/" + strings.Repeat("a", maxCallbackAddressLength)
	ok := []string{"normal_end"}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step("", "ftp://example.com/cb", ok, `Invalid Callback Address.*"ftp://example.com/cb".*http or https`),
			step("", "HTTPS://example.com/cb", ok, `Invalid Callback Address.*"HTTPS://example.com/cb".*lowercase`),
			step("", "example.com/cb", ok, `Invalid Callback Address.*"example.com/cb"`),
			step("", "https://", ok, `Invalid Callback Address.*"https://".*no host`),
			step("", "https://exa mple.com/cb", ok, `Invalid Callback Address.*"https://exa mple.com/cb".*whitespace`),
			step("", " https://example.com/cb", ok, `Invalid Callback Address.*whitespace`),
			step("", "", ok, `Invalid Callback Address.*empty`),
			step("", longAddress, ok, `Invalid Callback Address.*2068 characters long, at most 2048`),
			step("", testCallbackAddress, []string{"call_start"}, `Invalid Callback Action.*"call_start" is not a v1 action word.*"cancel", "reject"`),
			step("", testCallbackAddress, []string{"normal_end", "Normal_End"}, `"Normal_End" is not a v1 action word\. Did you mean "normal_end"\?`),
			step("", testCallbackAddress, []string{"call_end"}, `"call_end" is not a v1 action word\. Did you mean "caller_call_end" or "callee_call_end"\? Valid values`),
			step("", testCallbackAddress, []string{"caller_start"}, `"caller_start" is not a v1 action word\. Did you mean "caller_start_call"\?`),
			step("v4", testCallbackAddress, []string{"CallbackAfterEndCall"}, `Did you mean "Call.CallbackAfterEndCall"\?`),
			step("", testCallbackAddress, []string{""}, `"" is not a v1 action word.*must not be empty`),
			step("", testCallbackAddress, []string{}, `actions set must contain at least 1 elements`),
			step("v1", testCallbackAddress, []string{"Call.CallbackAfterEndCall"}, `"Call.CallbackAfterEndCall" is a v4 command word: set api_version = "v4"`),
			step("v4", testCallbackAddress, []string{"normal_end"}, `"normal_end" is not a v4 command word.*set api_version = "v1".*"Call.CallbackAfterStartCall"`),
			step("v4", testCallbackAddress, []string{"call.callbackafterendcall"}, `Did you mean "Call.CallbackAfterEndCall"\?`),
			step("v2", testCallbackAddress, ok, `api_version value must be one of.*"v1".*"v4".*got: "v2"`),
			// One error only: TestAccCallback_invalidAPIVersionOneError counts them.
			step("4", testCallbackAddress, []string{"Call.CallbackAfterEndCall"}, `api_version value must be one of.*"v1".*"v4".*got: "4"`),
		},
	})
	assertNoAPICalls(t, mock)
}

// TestAccCallback_wrongSecretKey: the service refuses the admin UserSig; the
// error says so and what to check, and never quotes the key.
func TestAccCallback_wrongSecretKey(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testProviderConfigWith(url, mockserver.DefaultSDKAppID, "not-the-apps-secret-key") +
				testCallbackBlock("test", "", testCallbackAddress, callbackV1.actionsA),
			ExpectError: errorPattern(`Unable to Create Callback Configuration.*errorCode 7000[23].*rejected the UserSig.*secret_key`),
		}},
	})
	if _, ok := mock.Callback(); ok {
		t.Error("mock: a request signed with the wrong key created a configuration")
	}
}

func TestCallbackModelFrom(t *testing.T) {
	t.Parallel()
	m, diags := callbackModelFrom(1400000000, callkit.V4, callkit.Callback{
		Address: "https://example.com/cb",
		Actions: []string{"Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall"},
	})
	if diags.HasError() {
		t.Fatal(diags)
	}
	if m.ID.ValueString() != "v4:1400000000" || m.APIVersion.ValueString() != "v4" || m.Address.ValueString() != "https://example.com/cb" {
		t.Errorf("model = %+v", m)
	}
	if n := len(m.Actions.Elements()); n != 2 {
		t.Errorf("duplicate actions not collapsed: %d elements", n)
	}

	m, diags = callbackModelFrom(1400000000, callkit.V1, callkit.Callback{Address: "https://example.com/cb"})
	if diags.HasError() {
		t.Fatal(diags)
	}
	if m.ID.ValueString() != "1400000000" || m.Actions.IsNull() || len(m.Actions.Elements()) != 0 {
		t.Errorf("no actions must map to an empty set (drift against the config), got %+v", m)
	}
}

func TestValidateActions(t *testing.T) {
	t.Parallel()
	set := func(vals ...string) types.Set {
		s, _ := types.SetValueFrom(context.Background(), types.StringType, vals)
		return s
	}
	cases := []struct {
		v       callkit.APIVersion
		actions types.Set
		errors  int
		want    string
	}{
		{callkit.V1, set(callkit.V1Actions...), 0, ""},
		{callkit.V4, set(callkit.V4Commands...), 0, ""},
		{callkit.V1, set("normal_end", "Normal_End"), 1, `Did you mean "normal_end"?`},
		{callkit.V1, set("bogus", ""), 2, ""},
		{callkit.V4, set("normal_end"), 1, `set api_version = "v1"`},
		{callkit.V1, types.SetValueMust(types.StringType, []attr.Value{types.StringUnknown()}), 0, ""},
	}
	for i, tc := range cases {
		var diags diag.Diagnostics
		validateActions(tc.v, tc.actions, &diags)
		if diags.ErrorsCount() != tc.errors {
			t.Errorf("case %d: %d errors, want %d: %v", i, diags.ErrorsCount(), tc.errors, diags)
			continue
		}
		if tc.want != "" && !strings.Contains(diags[0].Detail(), tc.want) {
			t.Errorf("case %d: detail %q does not contain %q", i, diags[0].Detail(), tc.want)
		}
	}
}

// TestAccCallback_providerAppChanged: after sdk_app_id changes, the state
// describes another application's configuration; the provider must neither
// adopt, overwrite nor delete the new application's configuration.
func TestAccCallback_providerAppChanged(t *testing.T) {
	t.Parallel()
	mockA, urlA := newTestMock(t, mockserver.Options{})
	const otherApp = 1400000001
	mockB, urlB := newTestMock(t, mockserver.Options{SDKAppID: otherApp})
	mockB.SetCallback(mockserver.Callback{Address: "https://other-app.example.com/cb", Actions: []string{"cancel"}})
	resourceBlock := testCallbackBlock("test", "", testCallbackAddress, callbackV1.actionsA)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return mockHoldsNothing(mockA, callbackV1).check()
		},
		Steps: []resource.TestStep{
			{Config: testProviderConfig(urlA) + resourceBlock},
			{
				Config:      testProviderConfigWith(urlB, otherApp, mockserver.DefaultKey) + resourceBlock,
				ExpectError: errorPattern(`Callback Configuration Belongs to Another Application.*ID "1400000000", but the provider is now configured for SDKAppID 1400000001`),
			},
			{
				// Back on the right application, all is as before.
				Config: testProviderConfig(urlA) + resourceBlock,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{mockHolds(mockA, callbackV1, testCallbackAddress, callbackV1.actionsA)},
			},
		},
	})
	assertNoAPICalls(t, mockB)
	if err := mockHolds(mockB, callbackV1, "https://other-app.example.com/cb", []string{"cancel"}).check(); err != nil {
		t.Error(err)
	}
}

// TestAccCallback_transientFaults: rate limits, internal errors and HTTP 502s
// are retried; the whole lifecycle still converges on the right configuration.
func TestAccCallback_transientFaults(t *testing.T) {
	t.Parallel()
	for _, v := range []callbackVersion{callbackV1, callbackV4} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			mock, url := newTestMock(t, mockserver.Options{Seed: 42})
			mock.SetFaults(mockserver.Faults{Rate: 0.3})
			provider := fmt.Sprintf(`
provider "tencentcallkit" {
  endpoint    = %q
  sdk_app_id  = %d
  secret_key  = %q
  max_retries = 6
}
`, url, mockserver.DefaultSDKAppID, mockserver.DefaultKey)
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					return mockHoldsNothing(mock, v).check()
				},
				Steps: []resource.TestStep{
					{
						Config:            provider + testCallbackBlock("test", v.hclVersion(), testCallbackAddress, v.actionsA),
						ConfigStateChecks: append(callbackStateIs("tencentcallkit_callback.test", v, testCallbackAddress, v.actionsA), mockHolds(mock, v, testCallbackAddress, v.actionsA)),
					},
					{
						Config:            provider + testCallbackBlock("test", v.hclVersion(), testCallbackAddress, v.actionsB),
						ConfigStateChecks: append(callbackStateIs("tencentcallkit_callback.test", v, testCallbackAddress, v.actionsB), mockHolds(mock, v, testCallbackAddress, v.actionsB)),
					},
				},
			})
			if mock.Stats().Faulted == 0 {
				t.Error("no fault was injected: the test did not exercise retries")
			}
		})
	}
}

// TestAccCallback_packageNotPurchased: a non-retryable service error comes
// back as a diagnostic that says what to do.
func TestAccCallback_packageNotPurchased(t *testing.T) {
	t.Parallel()
	for _, v := range []callbackVersion{callbackV1, callbackV4} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			mock, url := newTestMock(t, mockserver.Options{NoGroupCallPackage: true})
			want := `Unable to Create Callback Configuration.*errorCode 50001.*Group Call package`
			if v.name == "v4" {
				want = `Unable to Create Callback Configuration.*errorCode 60020.*expired or is disabled`
			}
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      testCallbackConfig(url, v.hclVersion(), testCallbackAddress, v.actionsA),
					ExpectError: errorPattern(want),
				}},
			})
			if n := mock.Stats().Requests[v.getPath]; n != 1 {
				t.Errorf("a non-retryable error was sent %d times, want once", n)
			}
		})
	}
}

// TestCallbackValidateConfig: through the validation RPC Terraform calls
// (attribute validators and ValidateConfig together) and through
// ValidateConfig alone. An api_version that is neither v1 nor v4 gets
// exactly one error, on api_version, whatever the actions hold; an unknown
// value in any attribute, or in all of them, is no error.
func TestCallbackValidateConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	server, err := NewProtocol6Server("test")()
	if err != nil {
		t.Fatal(err)
	}
	var schemaResp fwresource.SchemaResponse
	NewCallbackResource().Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)
	typ, ok := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatalf("the schema's type is %T, not an object", schemaResp.Schema.Type().TerraformType(ctx))
	}
	actionsType := typ.AttributeTypes["actions"]
	unknown := func(t tftypes.Type) tftypes.Value { return tftypes.NewValue(t, tftypes.UnknownValue) }
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	actions := func(words ...string) tftypes.Value {
		els := make([]tftypes.Value, len(words))
		for i, w := range words {
			els[i] = str(w)
		}
		return tftypes.NewValue(actionsType, els)
	}
	config := func(apiVersion, address, acts tftypes.Value) tftypes.Value {
		return tftypes.NewValue(typ, map[string]tftypes.Value{
			"id": tftypes.NewValue(tftypes.String, nil), "api_version": apiVersion, "address": address, "actions": acts,
		})
	}
	null := tftypes.NewValue(tftypes.String, nil)
	addr := str(testCallbackAddress)
	cases := []struct {
		name   string
		config tftypes.Value
		served int    // errors through the RPC
		direct int    // errors from ValidateConfig alone
		on     string // the attribute of the one served error
		want   string
	}{
		{"api_version 4, v4 words", config(str("4"), addr, actions("Call.CallbackAfterEndCall")), 1, 0, "api_version", `got: "4"`},
		{"api_version 4, v1 words", config(str("4"), addr, actions("normal_end")), 1, 0, "api_version", `got: "4"`},
		{"api_version V1", config(str("V1"), addr, actions("normal_end")), 1, 0, "api_version", `got: "V1"`},
		{"api_version empty", config(str(""), addr, actions("Call.CallbackAfterEndCall", "bogus")), 1, 0, "api_version", `got: ""`},
		{"v4 with a v1 word", config(str("v4"), addr, actions("normal_end")), 1, 1, "actions", `"normal_end" is not a v4 command word`},
		{"default v1 with a v4 word", config(null, addr, actions("Call.CallbackAfterEndCall")), 1, 1, "actions", `set api_version = "v4"`},
		{"api_version unknown", config(unknown(tftypes.String), addr, actions("Call.CallbackAfterEndCall", "normal_end")), 0, 0, "", ""},
		{"address unknown", config(str("v4"), unknown(tftypes.String), actions("Call.CallbackAfterEndCall")), 0, 0, "", ""},
		{"actions unknown", config(str("v1"), addr, unknown(actionsType)), 0, 0, "", ""},
		{"an action unknown", config(null, addr, tftypes.NewValue(actionsType, []tftypes.Value{str("normal_end"), unknown(tftypes.String)})), 0, 0, "", ""},
		{"everything unknown", config(unknown(tftypes.String), unknown(tftypes.String), unknown(actionsType)), 0, 0, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dv, err := tfprotov6.NewDynamicValue(typ, tc.config)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "tencentcallkit_callback", Config: &dv})
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Diagnostics) != tc.served {
				t.Fatalf("served: %d diagnostics, want %d error(s):%s", len(resp.Diagnostics), tc.served, describeDiags(resp.Diagnostics))
			}
			if tc.served == 1 {
				d := resp.Diagnostics[0]
				if d.Severity != tfprotov6.DiagnosticSeverityError || d.Attribute == nil || d.Attribute.Steps()[0] != tftypes.AttributeName(tc.on) ||
					!strings.Contains(d.Detail, tc.want) {
					t.Errorf("served: want one error on %s containing %q:%s", tc.on, tc.want, describeDiags(resp.Diagnostics))
				}
			}

			var direct fwresource.ValidateConfigResponse
			(&callbackResource{}).ValidateConfig(ctx, fwresource.ValidateConfigRequest{Config: tfsdk.Config{Schema: schemaResp.Schema, Raw: tc.config}}, &direct)
			if direct.Diagnostics.ErrorsCount() != tc.direct || len(direct.Diagnostics) != tc.direct {
				t.Errorf("ValidateConfig: %d diagnostics, want %d error(s): %v", len(direct.Diagnostics), tc.direct, direct.Diagnostics)
			}
		})
	}
}

// TestAccCallback_invalidAPIVersionOneError: through Terraform, an invalid
// api_version is one error, not also one per action judged as v1.
func TestAccCallback_invalidAPIVersionOneError(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	errorLine := regexp.MustCompile(`(?m)^Error: `)
	var checked []string
	step := func(apiVersion string, actions []string) resource.TestStep {
		return resource.TestStep{Config: testCallbackConfig(url, apiVersion, testCallbackAddress, actions), PlanOnly: true}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// ExpectError cannot count; ErrorCheck sees each step's error and
		// passes it only when it is exactly the one expected diagnostic.
		ErrorCheck: func(err error) error {
			text := err.Error()
			n := len(errorLine.FindAllStringIndex(text, -1))
			if n != 1 || !errorPattern(`Invalid Attribute Value Match.*api_version value must be one of.*"v1".*"v4"`).MatchString(text) {
				return fmt.Errorf("want exactly one error, on api_version; got %d: %w", n, err)
			}
			checked = append(checked, text)
			return nil
		},
		Steps: []resource.TestStep{
			step("4", callbackV4.actionsB),
			step("4", callbackV1.actionsA),
			step("V4", []string{"Call.CallbackAfterEndCall", "normal_end"}),
		},
	})
	if len(checked) != 3 {
		t.Errorf("%d of the 3 steps failed as expected", len(checked))
	}
	assertNoAPICalls(t, mock)
}

// TestAccCallback_twoV1ResourcesOneApp: two v1 resources for one SDKAppID
// manage the same configuration, as the docs say: the second one created
// is refused, and the first one's configuration is left as it was.
func TestAccCallback_twoV1ResourcesOneApp(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	second := strings.Replace(testCallbackBlock("second", "", "https://second.example.com/cb", callbackV1.actionsB),
		"resource \"tencentcallkit_callback\" \"second\" {\n", "resource \"tencentcallkit_callback\" \"second\" {\n  depends_on = [tencentcallkit_callback.first]\n", 1)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return mockHoldsNothing(mock, callbackV1).check()
		},
		Steps: []resource.TestStep{{
			Config:      testProviderConfig(url) + testCallbackBlock("first", "", testCallbackAddress, callbackV1.actionsA) + second,
			ExpectError: errorPattern(`Callback Configuration Already Exists.*with tencentcallkit_callback.second`),
		}},
	})
	if n := mock.Stats().Applied["v1/callback/set"]; n != 1 {
		t.Errorf("v1/callback/set applied %d times, want 1 (the first resource only)", n)
	}
}
