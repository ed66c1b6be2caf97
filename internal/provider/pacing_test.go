package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// pacingConfig is a callback, 40 call_record lookups and an all-pages
// call_records read of 2,500 records (25 pages): bursts on four paths.
func pacingConfig(t *testing.T, mock *mockserver.Server, url string) (string, []statecheck.StateCheck) {
	t.Helper()
	recs := mock.Records()
	if len(recs) < 40 {
		t.Fatalf("the mock holds %d records", len(recs))
	}
	ids := make([]string, 40)
	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("data.tencentcallkit_call_records.all", tfjsonpath.New("total_num"), knownvalue.Int64Exact(int64(len(recs)))),
		statecheck.ExpectKnownValue("tencentcallkit_callback.test", tfjsonpath.New("address"), knownvalue.StringExact("https://example.com/cb")),
	}
	for i := range ids {
		ids[i] = recs[i*len(recs)/40].CallID
		checks = append(checks, statecheck.ExpectKnownValue(fmt.Sprintf("data.tencentcallkit_call_record.many[%d]", i),
			tfjsonpath.New("call_id"), knownvalue.StringExact(ids[i])))
	}
	return testProviderConfig(url) + testCallbackResource + fmt.Sprintf(`
locals {
  call_ids = ["%s"]
}

data "tencentcallkit_call_record" "many" {
  count   = 40
  call_id = local.call_ids[count.index]
}

data "tencentcallkit_call_records" "all" {
  start_timestamp = %d
}
`, strings.Join(ids, `", "`), recs[0].StartCallTs), checks
}

// TestAccPacing_defaultMock: against a mock that keeps the documented limits
// (one second's allowance at once) one provider's bursts are never refused.
// Each Terraform command is a provider of its own, with a pacer that cannot
// know what the previous command sent in its last second, so a command
// that starts within a second of the previous one may see part of its first
// burst refused (and retried): at most one second's allowance of the
// lookups path per command after the first. The limit within one client is
// held to zero refusals by TestMockLookupsBurstWithinTheLimit (internal/callkit).
func TestAccPacing_defaultMock(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{Records: 2500, Seed: 41, RateLimit: true})
	config, checks := pacingConfig(t, mock, url)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: config, ConfigStateChecks: checks}},
	})
	st := mock.Stats()
	reads := st.Applied["v1/records/get_record_by_callId"] / 40
	t.Logf("%d rate-limit answers over %d reads of the configuration", st.RateLimited, reads)
	if reads == 0 || st.RateLimited > 20*(reads-1) {
		t.Errorf("the mock refused %d requests over %d reads of the configuration: want at most one second's allowance (20) per command after the first", st.RateLimited, reads)
	}
}

// TestAccPacing_strictMock: against a mock that allows no burst at all, each
// path is refused in its first burst and then spaced 1/N apart, trying bursts
// again after a quiet second (twice as long after each refused return): a
// handful of rate-limit answers per Terraform command, absorbed with
// max_retries = 3 (a request queued behind the spaced ones can meet a second
// refused burst).
func TestAccPacing_strictMock(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{Records: 2500, Seed: 41, RateLimitStrict: true})
	config, checks := pacingConfig(t, mock, url)
	config = strings.Replace(config, "max_retries     = 1", "max_retries     = 3", 1)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: config, ConfigStateChecks: checks}},
	})
	st := mock.Stats()
	total := 0
	for _, n := range st.Requests {
		total += n
	}
	t.Logf("%d rate-limit answers of %d requests: %v", st.RateLimited, total, st.Requests)
	if st.RateLimited == 0 {
		t.Error("the strict mock refused nothing: the test does not exercise the fallback")
	}
	// Each Terraform command reads the 40 records once, with a fresh client,
	// and bursts again after each spaced period: at most one second's
	// allowance (20) refused per read, all of it absorbed by the retries.
	reads := st.Applied["v1/records/get_record_by_callId"] / 40
	if reads == 0 || st.RateLimited > 20*reads {
		t.Errorf("%d rate-limit answers over %d reads of the configuration: want at most one second's allowance (20) per read", st.RateLimited, reads)
	}
}
