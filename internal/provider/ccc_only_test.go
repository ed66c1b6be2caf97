package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// TestAccProvider_cccOnly: a team that only reads Cloud Contact Center records
// configures only the Tencent Cloud credentials. tencentcallkit_tel_cdrs works;
// a CallKit resource in the same configuration gets the missing sdk_app_id /
// secret_key error, naming the attributes and the environment variables.
func TestAccProvider_cccOnly(t *testing.T) {
	t.Setenv(envSDKAppID, "")
	t.Setenv(envSecretKey, "")
	mock, url := newTestMock(t, mockserver.Options{CCCRecords: 30, Seed: 41})
	start, end := cccWindow()
	provider := fmt.Sprintf(`
provider "tencentcallkit" {
  ccc_endpoint            = %q
  tencentcloud_secret_id  = %q
  tencentcloud_secret_key = %q
}
`, url, mockserver.DefaultCCCSecretID, mockserver.DefaultCCCSecretKey)
	cdrs := fmt.Sprintf(`
data "tencentcallkit_tel_cdrs" "all" {
  ccc_sdk_app_id  = %d
  start_timestamp = %d
  end_timestamp   = %d
}
`, mockserver.DefaultCCCSdkAppID, start, end)
	want := 0
	for _, r := range mock.TelCdrs() {
		if r.StartTimestamp >= start && r.StartTimestamp <= end {
			want++
		}
	}
	if want == 0 {
		t.Fatal("no seeded records in the window: the test proves nothing")
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: provider + cdrs,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.all", tfjsonpath.New("total_count"), knownvalue.Int64Exact(int64(want))),
				},
			},
			{
				Config: provider + cdrs + testCallbackResource,
				ExpectError: errorPattern(`Missing SDKAppID.*sdk_app_id.*TENCENTCALLKIT_SDK_APP_ID.*this provider block sets tencentcloud_secret_id and tencentcloud_secret_key\): ` +
					`those serve tencentcallkit_tel_cdrs \(Cloud Contact Center\) only.*Missing Secret Key.*secret_key.*TENCENTCALLKIT_SECRET_KEY`),
			},
		},
	})
	if st := mock.Stats(); st.Requests["v1/callback/get"] != 0 || st.Requests["v1/callback/set"] != 0 {
		t.Errorf("the CallKit API was called without credentials: %v", st.Requests)
	}
}

// TestAccProvider_cccOnlyOneCredentialMissing: a provider meant for Cloud
// Contact Center only (no CallKit credentials) with one of the two Tencent
// Cloud credentials missing names that one and its environment variable, not
// the CallKit sdk_app_id / secret_key nobody meant to set. Not parallel
// (t.Setenv).
func TestAccProvider_cccOnlyOneCredentialMissing(t *testing.T) {
	for _, env := range []string{envSDKAppID, envSecretKey, envCloudSecretID, envCloudSecretKey} {
		t.Setenv(env, "")
	}
	mock, url := newTestMock(t, mockserver.Options{CCCRecords: 5, Seed: 42})
	start, end := cccWindow()
	config := func(credential string) string {
		return fmt.Sprintf(`
provider "tencentcallkit" {
  ccc_endpoint = %q
  %s
}

data "tencentcallkit_tel_cdrs" "all" {
  ccc_sdk_app_id  = %d
  start_timestamp = %d
  end_timestamp   = %d
}
`, url, credential, mockserver.DefaultCCCSdkAppID, start, end)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config(fmt.Sprintf("tencentcloud_secret_id = %q", mockserver.DefaultCCCSecretID)),
				PlanOnly:    true,
				ExpectError: errorText("Missing Tencent Cloud API Credentials", "the provider has no tencentcloud_secret_key.", "TENCENTCLOUD_SECRET_KEY"),
			},
			{
				Config:      config(fmt.Sprintf("tencentcloud_secret_key = %q", mockserver.DefaultCCCSecretKey)),
				PlanOnly:    true,
				ExpectError: errorText("Missing Tencent Cloud API Credentials", "the provider has no tencentcloud_secret_id.", "TENCENTCLOUD_SECRET_ID"),
			},
		},
	})
	assertNoAPICalls(t, mock)

	// The same through the protocol, where the absence of the misleading
	// CallKit errors can be checked too.
	for _, set := range []map[string]any{
		{"ccc_endpoint": url, "tencentcloud_secret_id": mockserver.DefaultCCCSecretID},
		{"ccc_endpoint": url, "tencentcloud_secret_key": mockserver.DefaultCCCSecretKey},
	} {
		s := newTwoServers(t)
		s.configure(t, set) // fails the test on any diagnostic, such as "Missing SDKAppID"
		cfg, err := configValue(s.schemas.DataSourceSchemas["tencentcallkit_tel_cdrs"], map[string]any{
			"ccc_sdk_app_id": int64(mockserver.DefaultCCCSdkAppID), "start_timestamp": start, "end_timestamp": end,
		})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := s.served.ReadDataSource(t.Context(), &tfprotov6.ReadDataSourceRequest{TypeName: "tencentcallkit_tel_cdrs", Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		text := describeDiags(resp.Diagnostics)
		if len(resp.Diagnostics) != 1 || !strings.Contains(text, "Missing Tencent Cloud API Credentials") ||
			strings.Contains(text, "SDKAppID") || strings.Contains(text, "Secret Key") {
			t.Errorf("with %v: want only the missing Tencent Cloud credential, got%s", keysOf(set), text)
		}
	}
}

// TestAccProvider_tencentCloudKeysFromEnvironment: people who also use the
// tencentcloud provider export TENCENTCLOUD_SECRET_ID / _KEY. With those and
// no CallKit setting, a CallKit resource's errors name sdk_app_id and
// secret_key, say the Tencent Cloud keys came from the environment and serve
// tencentcallkit_tel_cdrs only, and do not call the provider block one for
// Cloud Contact Center (it sets nothing of the kind). Not parallel (t.Setenv).
func TestAccProvider_tencentCloudKeysFromEnvironment(t *testing.T) {
	t.Setenv(envSDKAppID, "")
	t.Setenv(envSecretKey, "")
	t.Setenv(envCloudSecretID, mockserver.DefaultCCCSecretID)
	t.Setenv(envCloudSecretKey, mockserver.DefaultCCCSecretKey)
	mock, url := newTestMock(t, mockserver.Options{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf("provider \"tencentcallkit\" {\n  endpoint = %q\n}\n", url) + testCallbackResource,
			ExpectError: errorPattern(`Missing SDKAppID.*Set sdk_app_id in the provider configuration or the TENCENTCALLKIT_SDK_APP_ID environment variable\. ` +
				`The provider found only Tencent Cloud API keys \(the TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY environment variables are set\): ` +
				`those serve tencentcallkit_tel_cdrs \(Cloud Contact Center\) only, while the CallKit resources and data sources need the application's sdk_app_id and secret_key\.`),
		}},
	})
	assertNoAPICalls(t, mock)

	// Through the protocol, where the absence of the old claim can be checked.
	s := newTwoServers(t)
	s.configure(t, map[string]any{"endpoint": url})
	served, _ := s.read(t, s.callRecordsConfig(t, map[string]any{"lookback": "24h"}))
	text := describeDiags(served.Diagnostics)
	if len(served.Diagnostics) != 2 || strings.Contains(text, "configured for Cloud Contact Center only") ||
		strings.Count(text, "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY environment variables are set") != 2 {
		t.Errorf("want the two missing CallKit settings, each saying where the Tencent Cloud keys came from, got%s", text)
	}
}
