// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// wantStats is the test's own computation of the dashboard figures, written from the data
// source's attribute descriptions and deliberately not from callkit.Client.CallStats: a brute-force
// count at every instant a call starts instead of a sweep.
type wantStats struct {
	calls, connected, participants int64
	maxAll, maxSingle, maxGroup    int64
	totalDuration                  int64
	average                        float64
	results                        map[string]int64
}

func computeWantStats(recs []mockserver.Record) wantStats {
	w := wantStats{results: map[string]int64{
		"cancel": 0, "reject": 0, "not_answer": 0, "normal_end": 0, "call_busy": 0, "interrupt": 0,
	}}
	joined := map[string]bool{}
	for _, r := range recs {
		w.calls++
		w.results[r.CallResult]++
		if r.AcceptTs == 0 {
			continue
		}
		w.connected++
		w.totalDuration += r.EndTs - r.AcceptTs
		joined[r.Caller] = true
		for _, c := range r.Callees {
			joined[c] = true
		}
	}
	w.participants = int64(len(joined))
	if w.connected > 0 {
		w.average = float64(w.totalDuration) / float64(w.connected)
	}
	// A call is in progress from its start to its end, both included. The peak of closed
	// intervals is always reached at some call's start, so checking every start suffices.
	inProgress := func(at int64, callType string) int64 {
		var n int64
		for _, r := range recs {
			if (callType == "" || r.CallType == callType) && r.StartCallTs <= at && at <= r.EndTs {
				n++
			}
		}
		return n
	}
	for _, r := range recs {
		w.maxAll = max(w.maxAll, inProgress(r.StartCallTs, ""))
		switch r.CallType {
		case "single":
			w.maxSingle = max(w.maxSingle, inProgress(r.StartCallTs, "single"))
		case "group":
			w.maxGroup = max(w.maxGroup, inProgress(r.StartCallTs, "group"))
		}
	}
	return w
}

func (w wantStats) checks(addr string) []statecheck.StateCheck {
	results := map[string]knownvalue.Check{}
	for k, v := range w.results {
		results[k] = knownvalue.Int64Exact(v)
	}
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("call_count"), knownvalue.Int64Exact(w.calls)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("connected_count"), knownvalue.Int64Exact(w.connected)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("participant_count"), knownvalue.Int64Exact(w.participants)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("max_concurrent_calls"), knownvalue.Int64Exact(w.maxAll)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("max_concurrent_single_calls"), knownvalue.Int64Exact(w.maxSingle)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("max_concurrent_group_calls"), knownvalue.Int64Exact(w.maxGroup)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("results"), knownvalue.MapExact(results)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("total_duration_seconds"), knownvalue.Int64Exact(w.totalDuration)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("average_duration_seconds"), knownvalue.Float64Exact(w.average)),
	}
}

var statsAttributes = []string{
	"call_count", "connected_count", "participant_count", "max_concurrent_calls", "max_concurrent_single_calls",
	"max_concurrent_group_calls", "results", "total_duration_seconds", "average_duration_seconds",
}

// TestAccCallStatsDataSource_seeded compares the figures over the mock's seeded records with the
// test's own computation, for all calls and for group calls only, through both API versions.
func TestAccCallStatsDataSource_seeded(t *testing.T) {
	t.Parallel()

	m, url, now := frozenRecordsMock(t, mockserver.Options{Records: 900, Seed: 31})
	start := weekAgo(now)
	all := m.Records()
	groups := filterRecords(all, start, "", "group")
	wantAll, wantGroups := computeWantStats(all), computeWantStats(groups)
	if wantAll.maxAll < 2 || wantAll.connected == 0 || wantAll.connected == wantAll.calls {
		t.Fatalf("seed 31 does not exercise the figures: %+v", wantAll)
	}

	config := testProviderConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_stats" "all_v1" {
  start_timestamp = %[1]d
}

data "tencentcallkit_call_stats" "all_v4" {
  start_timestamp = %[1]d
  api_version     = "v4"
}

data "tencentcallkit_call_stats" "groups_v1" {
  start_timestamp = %[1]d
  end_timestamp   = %[2]d
  call_type       = "group"
}

data "tencentcallkit_call_stats" "groups_v4" {
  start_timestamp = %[1]d
  end_timestamp   = %[2]d
  call_type       = "group"
  api_version     = "v4"
}
`, start, now.Unix())

	var checks []statecheck.StateCheck
	checks = append(checks, wantAll.checks("data.tencentcallkit_call_stats.all_v1")...)
	checks = append(checks, wantAll.checks("data.tencentcallkit_call_stats.all_v4")...)
	checks = append(checks, wantGroups.checks("data.tencentcallkit_call_stats.groups_v1")...)
	checks = append(checks, wantGroups.checks("data.tencentcallkit_call_stats.groups_v4")...)
	for _, attr := range statsAttributes {
		for _, pair := range [][2]string{{"all_v1", "all_v4"}, {"groups_v1", "groups_v4"}} {
			checks = append(checks, statecheck.CompareValuePairs(
				"data.tencentcallkit_call_stats."+pair[0], tfjsonpath.New(attr),
				"data.tencentcallkit_call_stats."+pair[1], tfjsonpath.New(attr),
				compare.ValuesSame()))
		}
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            config,
			ConfigStateChecks: checks,
		}},
	})
}

// TestAccCallStatsDataSource_overlap is a hand-built day whose figures are worked out below, so a
// wrong definition (half-open intervals, peaks of the wrong type, unanswered users counted as
// participants) shows up as a wrong number rather than a matching wrong computation.
func TestAccCallStatsDataSource_overlap(t *testing.T) {
	t.Parallel()

	m, url, now := frozenRecordsMock(t, mockserver.Options{Seed: 32})
	t0 := now.Add(-3 * time.Hour).Unix()
	rec := func(id, callType, result string, start, accept, end int64, caller string, callees ...string) mockserver.Record {
		return mockserver.Record{
			CallID: id, MediaType: "audio", RoomID: "room-" + id, RoomIDType: 2, StartCallTs: t0 + start,
			AcceptTs: accept, EndTs: t0 + end, Caller: caller, TotalUserNumber: 1 + len(callees),
			CallType: callType, CallResult: result, Callees: callees,
		}
	}
	at := func(s int64) int64 { return t0 + s }
	m.AddRecords(
		//   single A: 0..100, connected at 10          (90 s)
		rec("a", "single", "normal_end", 0, at(10), 100, "u1", "u2"),
		//   single B: 50..150, connected at 55         (95 s)
		rec("b", "single", "interrupt", 50, at(55), 150, "u3", "u4"),
		//   single C: 90..95, rejected: in progress but never connected
		rec("c", "single", "reject", 90, 0, 95, "u5", "u6"),
		//   single D: starts the second B ends: closed intervals overlap at 150
		rec("d", "single", "cancel", 150, 0, 160, "u2", "u7"),
		//   group G: 60..300, connected at 62          (238 s)
		rec("g", "group", "normal_end", 60, at(62), 300, "u1", "u8", "u9"),
		//   group H: 70..80, connected at 71           (9 s)
		rec("h", "group", "normal_end", 70, at(71), 80, "u10", "u1"),
		//   single E: a busy signal, zero length, alone at 400
		rec("e", "single", "call_busy", 400, 0, 400, "u11", "u12"),
		//   single P: 1000..1100, connected at 1005    (95 s)
		rec("p", "single", "interrupt", 1000, at(1005), 1100, "u13", "u14"),
		//   single Q: starts the second P ends, alone with P
		rec("q", "single", "cancel", 1100, 0, 1110, "u15", "u16"),
	)
	// By hand:
	// - at 90..95 A, B, C, G are in progress (H ended at 80): 4 calls; at 70..80 A, B, G, H: 4.
	//   No instant has 5, so max_concurrent_calls = 4.
	// - single: A, B, C at 90..95 → 3. group: G, H at 70..80 → 2. The console would show 3.
	// - connected: A, B, G, H, P = 5; participants u1, u2, u3, u4, u8, u9, u10, u13, u14 = 9
	//   (u5, u6, u7, u11, u12, u15, u16 were only in calls that never connected).
	// - duration: 90 + 95 + 238 + 9 + 95 = 527; average 105.4.
	want := wantStats{
		calls: 9, connected: 5, participants: 9, maxAll: 4, maxSingle: 3, maxGroup: 2, totalDuration: 527, average: 105.4,
		results: map[string]int64{"cancel": 2, "reject": 1, "not_answer": 0, "normal_end": 3, "call_busy": 1, "interrupt": 2},
	}
	if got := computeWantStats(m.Records()); !reflect.DeepEqual(got, want) {
		t.Fatalf("the test's own computation disagrees with the hand-worked figures:\n got %+v\nwant %+v", got, want)
	}

	// P and Q alone (the window holds only their starts): they touch at one second, and a call
	// is in progress at its end, so the peak is 2, not 1.
	touching := wantStats{
		calls: 2, connected: 1, participants: 2, maxAll: 2, maxSingle: 2, maxGroup: 0, totalDuration: 95, average: 95,
		results: map[string]int64{"cancel": 1, "reject": 0, "not_answer": 0, "normal_end": 0, "call_busy": 0, "interrupt": 1},
	}

	config := testProviderConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_stats" "day_v1" {
  start_timestamp = %[1]d
}

data "tencentcallkit_call_stats" "day_v4" {
  start_timestamp = %[1]d
  api_version     = "v4"
}

data "tencentcallkit_call_stats" "touching" {
  start_timestamp = %[2]d
  end_timestamp   = %[3]d
  call_type       = "single"
}

data "tencentcallkit_call_stats" "nothing" {
  start_timestamp = %[4]d
}
`, weekAgo(now), at(1000), at(1100), now.Unix()+1)

	var checks []statecheck.StateCheck
	checks = append(checks, want.checks("data.tencentcallkit_call_stats.day_v1")...)
	checks = append(checks, want.checks("data.tencentcallkit_call_stats.day_v4")...)
	checks = append(checks, touching.checks("data.tencentcallkit_call_stats.touching")...)
	checks = append(checks, computeWantStats(nil).checks("data.tencentcallkit_call_stats.nothing")...)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            config,
			ConfigStateChecks: checks,
		}},
	})
}

// TestAccCallStatsDataSource_validation: bad inputs fail at plan time and call no API.
func TestAccCallStatsDataSource_validation(t *testing.T) {
	t.Parallel()

	m, url, _ := frozenRecordsMock(t, mockserver.Options{Records: 20, Seed: 33})

	step := func(body, want string) resource.TestStep {
		return resource.TestStep{
			Config:      testProviderConfig(url) + "data \"tencentcallkit_call_stats\" \"bad\" {\n" + body + "\n}\n",
			PlanOnly:    true,
			ExpectError: errorText(want),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`start_timestamp = 1700000200
end_timestamp = 1700000199`,
				`end_timestamp (1700000199) is before start_timestamp (1700000200)`),
			step(`start_timestamp = -5`, `Attribute start_timestamp value must be at least 0, got: -5`),
			step(`start_timestamp = 1700000000
call_type = "1v1"`, `Attribute call_type value must be one of: ["single" "group"], got: "1v1"`),
			step(`start_timestamp = 1700000000
api_version = "V4"`, `Attribute api_version value must be one of: ["v1" "v4"], got: "V4"`),
		},
	})

	assertNoAPICalls(t, m)
}
