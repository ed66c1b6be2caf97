// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// TestWindowBeyondTheReach (issue 33): a window that starts earlier than the
// records API reaches back (7 days) is warned of at plan time, naming the
// limit; a lookback of 7 days or less, or a later start, is not; and a read
// starts a minute inside the edge, where neither a service that clamps an
// older start nor one that refuses it can meet it. tel_cdrs (180 days, no
// such rule in its docs) is left alone.
func TestWindowBeyondTheReach(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	edge := now.Add(-7 * 24 * time.Hour).Unix()
	warned := func(w windowModel, r windowRules) string {
		var diags diag.Diagnostics
		w.warnReach(r, now, &diags)
		if diags.HasError() || diags.WarningsCount() > 1 {
			t.Fatalf("%+v: %v", w, diags)
		}
		if diags.WarningsCount() == 0 {
			return ""
		}
		return diags.Warnings()[0].Detail()
	}
	lookback := func(s string) windowModel {
		return windowModel{Lookback: types.StringValue(s), StartTimestamp: types.Int64Null(), EndTimestamp: types.Int64Null()}
	}
	start := func(s int64) windowModel {
		return windowModel{StartTimestamp: types.Int64Value(s), Lookback: types.StringNull(), EndTimestamp: types.Int64Null()}
	}
	for _, w := range []windowModel{lookback("30d"), lookback("7d1s"), start(edge - 1), start(1_700_000_000)} {
		if got := warned(w, callRecordsWindow); !strings.Contains(got, "past 7 days") {
			t.Errorf("%+v: warning %q, want one naming the 7-day limit", w, got)
		}
		if got := warned(w, callStatsWindow); got == "" {
			t.Errorf("%+v: call_stats not warned", w)
		}
		if got := warned(w, telCdrsWindow); got != "" {
			t.Errorf("%+v: tel_cdrs warned: %q", w, got)
		}
	}
	for _, w := range []windowModel{lookback("7d"), lookback("24h"), start(edge), start(now.Unix()), {Lookback: types.StringUnknown(), StartTimestamp: types.Int64Null(), EndTimestamp: types.Int64Null()}} {
		if got := warned(w, callRecordsWindow); got != "" {
			t.Errorf("%+v: warned %q", w, got)
		}
	}
	inside := now.Add(-7*24*time.Hour + time.Minute).Unix()
	for _, tc := range []struct {
		w         windowModel
		wantStart int64
	}{
		{lookback("7d"), inside},
		{lookback("30d"), inside},
		{lookback("6d"), now.Add(-6 * 24 * time.Hour).Unix()},
		{start(1_700_000_000), inside},
		{start(inside + 5), inside + 5},
		// A window that ended before the edge is left as it is.
		{windowModel{StartTimestamp: types.Int64Value(edge - 100), EndTimestamp: types.Int64Value(edge - 10), Lookback: types.StringNull()}, edge - 100},
	} {
		s, _, diags := tc.w.resolve(now, callRecordsWindow)
		if diags.HasError() || s != tc.wantStart {
			t.Errorf("%+v: start %d, want %d (%v)", tc.w, s, tc.wantStart, diags)
		}
	}
	if s, _, _ := lookback("30d").resolve(now, telCdrsWindow); s != now.Add(-30*24*time.Hour).Unix() {
		t.Errorf("tel_cdrs start moved: %d", s)
	}
}

// newestEngineOnly runs a test on the newest engine only (Terraform 1.15 and
// later), to keep the engine matrix within its time budget: what such a test
// covers does not differ by engine.
var newestEngineOnly = engineCheck(func(e testEngine) (string, error) {
	v, err := parseVersion(e.version)
	if err != nil {
		return "", err
	}
	if e.openTofu || slices.Compare(v[:2], []int{1, 15}) < 0 {
		return fmt.Sprintf("%s: the mock's readings (issue 33) run on the newest engine only, Terraform 1.15 or later, to keep the engine matrix within its time budget", e), nil
	}
	return "", nil
})

// TestAccRecords_everyMockReading (issue 33): call_records and call_stats read
// every call, the one at end_timestamp included, under each reading the docs
// leave open (tie order, end reading, a page cap, a start older than 7 days
// clamped or refused), with a busy second larger than the pages; lookback =
// "7d" and lookback = "30d" (warned of at plan time) read under both 7-day
// readings.
func TestAccRecords_everyMockReading(t *testing.T) {
	t.Parallel()
	var readings []mockserver.Readings
	for _, tie := range mockserver.TieOrders {
		for _, end := range mockserver.EndReadings {
			readings = append(readings, mockserver.Readings{TieOrder: tie, End: end, OldStart: "refuse"})
		}
	}
	readings = append(readings, mockserver.Readings{OldStart: "clamp", PageCap: 9})
	for _, rd := range readings {
		t.Run(fmt.Sprintf("%s_%s_%s_cap%d", rd.TieOrder, rd.End, rd.OldStart, rd.PageCap), func(t *testing.T) {
			t.Parallel()
			m, url := newTestMock(t, mockserver.Options{Records: 200, Seed: 33, BusySecond: 60, Readings: rd})
			recs := m.Records()
			first, last := recs[0].StartCallTs, recs[len(recs)-1].StartCallTs
			total := knownvalue.Int64Exact(int64(len(recs)))
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{newestEngineOnly},
				Steps: []resource.TestStep{{
					Config: testProviderConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_records" "week" {
  lookback        = "7d"
  number_per_page = 25
}

data "tencentcallkit_call_records" "exact" {
  start_timestamp = %d
  end_timestamp   = %d
  number_per_page = 7
  api_version     = "v4"
}

data "tencentcallkit_call_stats" "month" {
  lookback = "30d"
}
`, first, last),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.tencentcallkit_call_records.week", tfjsonpath.New("total_num"), total),
						statecheck.ExpectKnownValue("data.tencentcallkit_call_records.exact", tfjsonpath.New("total_num"), total),
						statecheck.ExpectKnownValue("data.tencentcallkit_call_records.exact",
							tfjsonpath.New("records").AtSliceIndex(len(recs)-1).AtMapKey("start_call_ts"), knownvalue.Int64Exact(last)),
						statecheck.ExpectKnownValue("data.tencentcallkit_call_stats.month", tfjsonpath.New("call_count"), total),
					},
				}},
			})
		})
	}
}
