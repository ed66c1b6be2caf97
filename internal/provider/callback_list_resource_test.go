package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

func identityChecks(v callbackVersion) map[string]knownvalue.Check {
	return map[string]knownvalue.Check{
		"sdk_app_id":  knownvalue.Int64Exact(mockserver.DefaultSDKAppID),
		"api_version": knownvalue.StringExact(v.name),
	}
}

const listBlocks = `
list "tencentcallkit_callback" "all" {
  provider = tencentcallkit
}

list "tencentcallkit_callback" "v4" {
  provider = tencentcallkit
  config {
    api_version = "v4"
  }
}

list "tencentcallkit_callback" "full" {
  provider         = tencentcallkit
  include_resource = true
}

list "tencentcallkit_callback" "first" {
  provider = tencentcallkit
  limit    = 1
}
`

// TestAccCallbackList_query: `terraform query` finds the application's
// configurations made outside Terraform (v1 and v4), each with its identity
// and display name; config { api_version } narrows the list and
// include_resource returns the whole resource; limit stops the list (v1
// comes first). An application without
// configurations lists nothing, and that is not an error.
func TestAccCallbackList_query(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	const v1Address, v4Address = "https://hooks.example.com/v1", "https://hooks.example.com/v4"
	mock.SetCallback(mockserver.Callback{Address: v1Address, Actions: callbackV1.actionsB})
	mock.SetCallbackV4(mockserver.Callback{Address: v4Address, Actions: callbackV4.actionsB})
	_, emptyURL := newTestMock(t, mockserver.Options{})
	appID := mockserver.DefaultSDKAppID
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   queryVersionChecks,
		Steps: []resource.TestStep{
			{Config: testProviderConfig(url)},
			{
				Query:  true,
				Config: listBlocks,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("tencentcallkit_callback.all", 2),
					querycheck.ExpectIdentity("tencentcallkit_callback.all", identityChecks(callbackV1)),
					querycheck.ExpectIdentity("tencentcallkit_callback.all", identityChecks(callbackV4)),
					querycheck.ExpectResourceDisplayName("tencentcallkit_callback.all", queryfilter.ByResourceIdentity(identityChecks(callbackV1)),
						knownvalue.StringExact(fmt.Sprintf("%d (v1): %s", appID, v1Address))),
					querycheck.ExpectResourceDisplayName("tencentcallkit_callback.all", queryfilter.ByResourceIdentity(identityChecks(callbackV4)),
						knownvalue.StringExact(fmt.Sprintf("%d (v4): %s", appID, v4Address))),

					querycheck.ExpectLength("tencentcallkit_callback.v4", 1),
					querycheck.ExpectIdentity("tencentcallkit_callback.v4", identityChecks(callbackV4)),

					querycheck.ExpectLength("tencentcallkit_callback.first", 1),
					querycheck.ExpectIdentity("tencentcallkit_callback.first", identityChecks(callbackV1)),

					querycheck.ExpectLength("tencentcallkit_callback.full", 2),
					querycheck.ExpectResourceKnownValues("tencentcallkit_callback.full", queryfilter.ByResourceIdentity(identityChecks(callbackV1)), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(callbackV1.id)},
						{Path: tfjsonpath.New("api_version"), KnownValue: knownvalue.StringExact("v1")},
						{Path: tfjsonpath.New("address"), KnownValue: knownvalue.StringExact(v1Address)},
						{Path: tfjsonpath.New("actions"), KnownValue: stringSet(callbackV1.actionsB)},
					}),
					querycheck.ExpectResourceKnownValues("tencentcallkit_callback.full", queryfilter.ByResourceIdentity(identityChecks(callbackV4)), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(callbackV4.id)},
						{Path: tfjsonpath.New("api_version"), KnownValue: knownvalue.StringExact("v4")},
						{Path: tfjsonpath.New("address"), KnownValue: knownvalue.StringExact(v4Address)},
						{Path: tfjsonpath.New("actions"), KnownValue: stringSet(callbackV4.actionsB)},
					}),
				},
			},
			{Config: testProviderConfig(emptyURL)},
			{
				Query:  true,
				Config: listBlocks,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("tencentcallkit_callback.all", 0),
					querycheck.ExpectLength("tencentcallkit_callback.v4", 0),
				},
			},
			{
				Query: true,
				Config: `
list "tencentcallkit_callback" "bad" {
  provider = tencentcallkit
  config {
    api_version = "v2"
  }
}
`,
				ExpectError: errorPattern(`api_version value must be one of: \["v1" "v4"\], got: "v2"`),
			},
		},
	})
}

// TestAccCallbackList_queryAPIError: a failing read is an error of the
// query naming the operation, not an empty list.
func TestAccCallbackList_queryAPIError(t *testing.T) {
	t.Parallel()
	_, url := newTestMock(t, mockserver.Options{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   queryVersionChecks,
		Steps: []resource.TestStep{
			{Config: testProviderConfigWith(url, mockserver.DefaultSDKAppID, "not-the-key")},
			{
				Query:       true,
				Config:      listBlocks,
				ExpectError: errorPattern(`Unable to List Callback Configurations`),
			},
		},
	})
}

// TestAccCallbackList_generateConfigPlansImportsOnly is the adoption
// workflow of the guide, with the real CLI: `terraform query
// -generate-config-out=generated.tf` on an application with a v1 and a v4
// configuration writes an import block and a resource block for each, and
// `terraform plan` then imports exactly those two and changes nothing.
func TestAccCallbackList_generateConfigPlansImportsOnly(t *testing.T) {
	t.Parallel()
	tf := newTerraformCLI(t)
	if e := acceptanceEngine(); e.err == nil && e.openTofu {
		t.Skipf("%s: OpenTofu has no list resources or query command yet", e)
	}
	if slices.Compare(tf.version[:], []int{1, 14, 0}) < 0 {
		t.Skipf("terraform query needs Terraform 1.14 or later; this is Terraform %s", tf.versionString())
	}
	mock, url := newTestMock(t, mockserver.Options{})
	mock.SetCallback(mockserver.Callback{Address: "https://hooks.example.com/v1", Actions: callbackV1.actionsB})
	mock.SetCallbackV4(mockserver.Callback{Address: "https://hooks.example.com/v4", Actions: callbackV4.actionsB})

	dir := t.TempDir()
	files := map[string]string{
		"main.tf": `terraform {
  required_providers {
    tencentcallkit = {
      source = "tencentcallkit/tencentcallkit"
    }
  }
}
` + testProviderConfig(url),
		"adopt.tfquery.hcl": `list "tencentcallkit_callback" "existing" {
  provider         = tencentcallkit
  include_resource = true
}
`,
	}
	for name, code := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	queryOut, _, err := tf.run(t, tf.rc, dir, nil, "query", "-no-color", "-generate-config-out=generated.tf")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("terraform query:\n%s", queryOut)
	generated, err := os.ReadFile(filepath.Join(dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generated.tf:\n%s", generated)
	for _, want := range []string{"import {", "identity", `resource "tencentcallkit_callback"`, "https://hooks.example.com/v1", "https://hooks.example.com/v4"} {
		if !strings.Contains(string(generated), want) {
			t.Errorf("generated.tf has no %q:\n%s", want, generated)
		}
	}
	if n := len(regexp.MustCompile(`(?m)^import \{`).FindAllIndex(generated, -1)); n != 2 {
		t.Errorf("generated.tf has %d import blocks, want 2:\n%s", n, generated)
	}

	if _, _, err := tf.run(t, tf.rc, dir, nil, "plan", "-no-color", "-input=false", "-out=tfplan"); err != nil {
		t.Fatalf("%v\ngenerated.tf:\n%s", err, generated)
	}
	out, _, err := tf.run(t, tf.rc, dir, nil, "show", "-json", "tfplan")
	if err != nil {
		t.Fatal(err)
	}
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions   []string        `json:"actions"`
				Importing json.RawMessage `json:"importing"`
				After     map[string]any  `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(out, &plan); err != nil {
		t.Fatal(err)
	}
	versions := map[string]bool{}
	for _, rc := range plan.ResourceChanges {
		if !slices.Equal(rc.Change.Actions, []string{"no-op"}) || len(rc.Change.Importing) == 0 || string(rc.Change.Importing) == "null" {
			t.Errorf("%s: actions %v, importing %s: want an import and no change", rc.Address, rc.Change.Actions, rc.Change.Importing)
		}
		versions[fmt.Sprint(rc.Change.After["api_version"])] = true
	}
	if len(plan.ResourceChanges) != 2 || !versions["v1"] || !versions["v4"] {
		t.Errorf("the plan has %d resource changes for API versions %v, want the v1 and the v4 configuration:\n%s", len(plan.ResourceChanges), versions, generated)
	}
	for path := range mock.Stats().Requests {
		if strings.Contains(path, "set") || strings.Contains(path, "update") || strings.Contains(path, "delete") {
			t.Errorf("the query and the plan wrote to the service: %s", path)
		}
	}
}
