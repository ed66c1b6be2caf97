package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// callbackIdentityIs checks the identity Terraform stored for addr.
func callbackIdentityIs(addr string, v callbackVersion) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectIdentity(addr, map[string]knownvalue.Check{
			"sdk_app_id":  knownvalue.Int64Exact(mockserver.DefaultSDKAppID),
			"api_version": knownvalue.StringExact(v.name),
		}),
		statecheck.ExpectIdentityValueMatchesState(addr, tfjsonpath.New("api_version")),
	}
}

// TestAccCallback_identity: create, update, the read that drops a
// configuration deleted out of band, and re-create each leave the identity
// {sdk_app_id, api_version} in state; import by identity (an import block
// with identity = {...}, Terraform's and OpenTofu's 1.12 way) finds the
// same object, also with -generate-config-out.
func TestAccCallback_identity(t *testing.T) {
	t.Parallel()
	for _, v := range []callbackVersion{callbackV1, callbackV4} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			mock, url := newTestMock(t, mockserver.Options{})
			const addr = "tencentcallkit_callback.test"
			cfgA := testCallbackConfig(url, v.hclVersion(), testCallbackAddress, v.actionsA)
			cfgB := testCallbackConfig(url, v.hclVersion(), "https://example.com/updated", v.actionsB)
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				TerraformVersionChecks:   identityVersionChecks,
				Steps: []resource.TestStep{
					{Config: cfgA, ConfigStateChecks: callbackIdentityIs(addr, v)},
					{
						Config: cfgB,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
						},
						ConfigStateChecks: callbackIdentityIs(addr, v),
					},
					{
						PreConfig: func() { v.deleteOOB(mock) },
						Config:    cfgB,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
						},
						ConfigStateChecks: append(callbackIdentityIs(addr, v), mockHolds(mock, v, "https://example.com/updated", v.actionsB)),
					},
					{
						Config:          cfgB,
						ResourceName:    addr,
						ImportState:     true,
						ImportStateKind: resource.ImportBlockWithResourceIdentity,
						ImportPlanChecks: resource.ImportPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop),
								plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(v.id)),
								plancheck.ExpectKnownValue(addr, tfjsonpath.New("actions"), stringSet(v.actionsB)),
							},
						},
					},
					{
						// Only the provider: Terraform writes the resource block.
						Config:          testProviderConfig(url),
						ResourceName:    addr,
						ImportState:     true,
						ImportStateKind: resource.ImportBlockWithResourceIdentity,
						GenerateConfig:  true,
						ImportPlanChecks: resource.ImportPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectKnownValue("tencentcallkit_callback.generated", tfjsonpath.New("api_version"), knownvalue.StringExact(v.name)),
								plancheck.ExpectKnownValue("tencentcallkit_callback.generated", tfjsonpath.New("address"), knownvalue.StringExact("https://example.com/updated")),
								plancheck.ExpectKnownValue("tencentcallkit_callback.generated", tfjsonpath.New("actions"), stringSet(v.actionsB)),
							},
						},
					},
				},
			})
		})
	}
}

// TestAccCallback_importByIdentityBlock adopts configurations made outside
// Terraform with the import blocks the docs show: identity = { sdk_app_id }
// for v1 (api_version unset means v1) and { sdk_app_id, api_version = "v4" };
// and without sdk_app_id, which is optional for import and defaults to the
// provider's (as the AWS provider treats region). The apply imports both,
// changes nothing, and stores the identity with the provider's SDKAppID.
func TestAccCallback_importByIdentityBlock(t *testing.T) {
	t.Parallel()
	for name, identities := range map[string][2]string{
		"with sdk_app_id": {fmt.Sprintf("{ sdk_app_id = %d }", mockserver.DefaultSDKAppID),
			fmt.Sprintf("{ sdk_app_id = %d, api_version = \"v4\" }", mockserver.DefaultSDKAppID)},
		"without sdk_app_id": {`{ api_version = "v1" }`, `{ api_version = "v4" }`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			mock, url := newTestMock(t, mockserver.Options{})
			mock.SetCallback(mockserver.Callback{Address: testCallbackAddress, Actions: callbackV1.actionsA})
			mock.SetCallbackV4(mockserver.Callback{Address: testCallbackAddress, Actions: callbackV4.actionsA})
			cfg := testProviderConfig(url) + fmt.Sprintf(`
import {
  to       = tencentcallkit_callback.v1
  identity = %s
}

import {
  to       = tencentcallkit_callback.v4
  identity = %s
}
`, identities[0], identities[1]) + testCallbackBlock("v1", "", testCallbackAddress, callbackV1.actionsA) +
				testCallbackBlock("v4", "v4", testCallbackAddress, callbackV4.actionsA)
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				TerraformVersionChecks:   identityVersionChecks,
				Steps: []resource.TestStep{{
					Config: cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction("tencentcallkit_callback.v1", plancheck.ResourceActionNoop),
							plancheck.ExpectResourceAction("tencentcallkit_callback.v4", plancheck.ResourceActionNoop),
						},
					},
					ConfigStateChecks: append(append(append(
						callbackStateIs("tencentcallkit_callback.v1", callbackV1, testCallbackAddress, callbackV1.actionsA),
						callbackStateIs("tencentcallkit_callback.v4", callbackV4, testCallbackAddress, callbackV4.actionsA)...),
						callbackIdentityIs("tencentcallkit_callback.v1", callbackV1)...),
						callbackIdentityIs("tencentcallkit_callback.v4", callbackV4)...),
				}},
			})
		})
	}
}

// TestAccCallback_importByIdentityInvalid: an identity naming another
// application or an unknown API generation is refused, saying what to write.
func TestAccCallback_importByIdentityInvalid(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	mock.SetCallback(mockserver.Callback{Address: testCallbackAddress, Actions: callbackV1.actionsA})
	step := func(identity, want string) resource.TestStep {
		return resource.TestStep{
			Config: testProviderConfig(url) + fmt.Sprintf("\nimport {\n  to       = tencentcallkit_callback.test\n  identity = %s\n}\n", identity) +
				testCallbackBlock("test", "", testCallbackAddress, callbackV1.actionsA),
			ExpectError: errorPattern(want),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   identityVersionChecks,
		Steps: []resource.TestStep{
			step(`{ sdk_app_id = 1400000001 }`, `Import Identity Names Another Application.*sdk_app_id = 1400000001, but the provider is configured for SDKAppID 1400000000.*identity = \{ sdk_app_id = 1400000000 \}`),
			step(`{ sdk_app_id = 1400000000, api_version = "v5" }`, `Invalid Import Identity.*api_version must be "v1" or "v4" \(unset means "v1"\), got "v5"`),
		},
	})
	if got, ok := mock.Callback(); !ok || got.Address != testCallbackAddress {
		t.Errorf("the refused imports changed the configuration: %+v, %v", got, ok)
	}
}

// TestCallback_identityWithoutEngineSupport: Terraform and OpenTofu before
// 1.12 send no identity. A read that finds the configuration deleted (and
// so removes the resource) must still answer one, or the framework fails the
// refresh with "Missing Resource Identity After Read"; so must a read that
// finds it and an import by ID. Driven at the protocol level, so it runs
// whatever engine is installed.
func TestCallback_identityWithoutEngineSupport(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	s := newTwoServers(t)
	s.configure(t, map[string]any{"endpoint": url, "sdk_app_id": int64(mockserver.DefaultSDKAppID), "secret_key": mockserver.DefaultKey})
	ctx := t.Context()
	schema := s.schemas.ResourceSchemas["tencentcallkit_callback"]
	state, err := configValue(schema, map[string]any{"id": testAppID, "api_version": "v1", "address": testCallbackAddress, "actions": callbackV1.actionsA})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := s.served.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil || len(ids.Diagnostics) > 0 {
		t.Fatalf("GetResourceIdentitySchemas: %v%s", err, describeDiags(ids.Diagnostics))
	}
	idType := ids.IdentitySchemas["tencentcallkit_callback"].ValueType()
	wantIdentity := tftypes.NewValue(idType, map[string]tftypes.Value{
		"sdk_app_id":  tftypes.NewValue(tftypes.Number, mockserver.DefaultSDKAppID),
		"api_version": tftypes.NewValue(tftypes.String, "v1"),
	})
	checkIdentity := func(what string, got *tfprotov6.ResourceIdentityData) {
		t.Helper()
		if got == nil || got.IdentityData == nil {
			t.Fatalf("%s: no identity", what)
		}
		v, err := got.IdentityData.Unmarshal(idType)
		if err != nil {
			t.Fatal(err)
		}
		if !v.Equal(wantIdentity) {
			t.Errorf("%s: identity %v, want %v", what, v, wantIdentity)
		}
	}

	for _, present := range []bool{true, false} {
		if present {
			mock.SetCallback(mockserver.Callback{Address: testCallbackAddress, Actions: callbackV1.actionsA})
		} else {
			mock.DeleteCallback()
		}
		resp, err := s.served.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "tencentcallkit_callback", CurrentState: state})
		if err != nil || len(resp.Diagnostics) > 0 {
			t.Fatalf("ReadResource (configuration present: %v): %v%s", present, err, describeDiags(resp.Diagnostics))
		}
		checkIdentity(fmt.Sprintf("read (configuration present: %v)", present), resp.NewIdentity)
		removed := resp.NewState == nil
		if !removed {
			v, err := resp.NewState.Unmarshal(schema.ValueType())
			if err != nil {
				t.Fatal(err)
			}
			removed = v.IsNull()
		}
		if removed == present {
			t.Errorf("read (configuration present: %v): resource removed: %v", present, removed)
		}
	}

	imp, err := s.served.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: "tencentcallkit_callback", ID: testAppID})
	if err != nil || len(imp.Diagnostics) > 0 || len(imp.ImportedResources) != 1 {
		t.Fatalf("ImportResourceState: %v%s (%d resources)", err, describeDiags(imp.Diagnostics), len(imp.ImportedResources))
	}
	checkIdentity("import by ID", imp.ImportedResources[0].Identity)
}
