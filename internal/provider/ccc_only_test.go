package provider

import (
	"fmt"
	"testing"

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
				Config:      provider + cdrs + testCallbackResource,
				ExpectError: errorPattern(`Missing SDKAppID.*sdk_app_id.*TENCENTCALLKIT_SDK_APP_ID.*Missing Secret Key.*secret_key.*TENCENTCALLKIT_SECRET_KEY.*Cloud Contact Center only`),
			},
		},
	})
	if st := mock.Stats(); st.Requests["v1/callback/get"] != 0 || st.Requests["v1/callback/set"] != 0 {
		t.Errorf("the CallKit API was called without credentials: %v", st.Requests)
	}
}
