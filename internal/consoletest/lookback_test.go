package consoletest

import (
	"fmt"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
	mockconsole "github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver/console"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/provider"
)

// The statistics page's "Last 7 days" is the window of lookback = "7d": over
// the data `callkit-mock -records 500` seeds, the calls a person reads on the
// page are the call_count of tencentcallkit_call_stats and the total_num of
// tencentcallkit_call_records that Terraform reads with lookback = "7d".
// (Counted by calendar days, the page showed about 470 of the 500.)
func TestBrowser_last7DaysIsLookback7d(t *testing.T) {
	requireAcc(t)
	t.Parallel()
	// The mock runs on the real clock, as Terraform's reads do.
	mock := mockserver.New(mockserver.Options{Records: 500, Seed: 1})
	srv := httptest.NewServer(mockconsole.New(mock.ConsoleView(), mock))
	t.Cleanup(func() {
		srv.Close()
		mock.Close()
	})
	started := time.Now()
	boundary := started.Add(-7 * 24 * time.Hour).Unix()
	// The window's start moves with the clock while the test runs: it is
	// sound while no record starts within margin of where it began.
	const margin = 5 * 60
	for _, r := range mock.Records() {
		if r.StartCallTs < boundary+margin {
			t.Fatalf("a seeded record starts %d s into the 7-day window: the window moves with the clock while the test runs, so pick a seed without one", r.StartCallTs-boundary)
		}
	}
	// One call just inside the window, one just outside.
	edge := func(id string, start int64) mockserver.Record {
		return mockserver.Record{CallID: id, MediaType: "audio", CallType: "single", CallResult: "reject",
			Caller: "edge-caller", Callees: []string{"edge-callee"}, StartCallTs: start, EndTs: start + 30, TotalUserNumber: 2}
	}
	mock.AddRecords(edge("inside-the-week", boundary+margin), edge("before-the-week", boundary-margin))
	const want = 501

	p := sharedBrowser(t).newPage(t, 390, 844, true)
	p.navigate(srv.URL + "/console/stats")
	var shown struct{ Range, Calls string }
	p.eval(`({Range: document.querySelector('input[name="range"]:checked').value,
		Calls: document.querySelector('[data-figure="calls"]').textContent.trim()})`, &shown)
	if shown.Range != "7d" || shown.Calls != strconv.Itoa(want) {
		t.Errorf("the statistics page opens on range %q showing %s calls; want 7d and %d (500 seeded, one at the window's edge)", shown.Range, shown.Calls, want)
	}
	onPage, err := strconv.ParseInt(shown.Calls, 10, 64)
	if err != nil {
		t.Fatalf("the page's call figure %q: %v", shown.Calls, err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){"tencentcallkit": provider.NewProtocol6Server("test")},
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "tencentcallkit" {
  endpoint   = %q
  sdk_app_id = %d
  secret_key = %q
}

data "tencentcallkit_call_stats" "week" {
  lookback = "7d"
}

data "tencentcallkit_call_records" "week" {
  lookback = "7d"
}
`, srv.URL, mockserver.DefaultSDKAppID, mockserver.DefaultKey),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.tencentcallkit_call_stats.week", tfjsonpath.New("call_count"), knownvalue.Int64Exact(onPage)),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.week", tfjsonpath.New("total_num"), knownvalue.Int64Exact(onPage)),
			},
		}},
	})
	if elapsed := time.Since(started); elapsed >= margin*time.Second {
		t.Fatalf("the test took %v, longer than the %d s margin at the window's edge: its figures may differ by the clock alone", elapsed, margin)
	}
}
