// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

func TestParseLookback(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]time.Duration{
		"24h":      24 * time.Hour,
		"90m":      90 * time.Minute,
		"7d":       7 * 24 * time.Hour,
		"1d12h":    36 * time.Hour,
		"1.5d":     36 * time.Hour,
		"0d30m":    30 * time.Minute,
		" 2h30m ":  150 * time.Minute,
		"1d1h1m1s": 25*time.Hour + time.Minute + time.Second,
	} {
		got, err := parseLookback(raw)
		if err != nil || got != want {
			t.Errorf("parseLookback(%q) = %v, %v; want %v", raw, got, err, want)
		}
	}
	for _, raw := range []string{"", "7", "7days", "d", "-24h", "+1h", "1h1d", "1d2d", "0s", "500ms", "0d", "1e3d", "infd", "0x10d", "99999999999d", "1d-1h", "24 h"} {
		if got, err := parseLookback(raw); err == nil {
			t.Errorf("parseLookback(%q) = %v, want an error", raw, got)
		}
	}
}

// windowRecordsMock is the setup, everyFieldMock's 52 records.
// Before the end was always sent, v1 answered only 42 of them for a start 8
// days back (the mock reads the API's "default 7 days" as start + 7 days)
// and none for a start 30 days back, while v4 answered all 52.
func windowRecordsMock(t *testing.T) (*mockserver.Server, string, time.Time) {
	t.Helper()
	m, url, now, _, _ := everyFieldMock(t)
	if n := len(m.Records()); n != 52 {
		t.Fatalf("the mock holds %d records, want the issue's 52", n)
	}
	return m, url, now
}

// TestAccTimeWindow_endUnsetIsNow: without end_timestamp the window ends at
// the read on both API versions, whatever the API's own default means.
func TestAccTimeWindow_endUnsetIsNow(t *testing.T) {
	t.Parallel()
	m, url, now := windowRecordsMock(t)
	recs := m.Records()
	eightDays, thirtyDays := now.Add(-8*24*time.Hour).Unix(), now.Add(-30*24*time.Hour).Unix()

	config := testProviderConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_records" "v1" {
  start_timestamp = %[1]d
}

data "tencentcallkit_call_records" "v4" {
  start_timestamp = %[1]d
  api_version     = "v4"
}

data "tencentcallkit_call_stats" "v1" {
  start_timestamp = %[2]d
}

data "tencentcallkit_call_stats" "v4" {
  start_timestamp = %[2]d
  api_version     = "v4"
}
`, eightDays, thirtyDays) + recordRowsOutput("v1_rows", "data.tencentcallkit_call_records.v1.records")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.v1", tfjsonpath.New("total_num"), knownvalue.Int64Exact(52)),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.v4", tfjsonpath.New("total_num"), knownvalue.Int64Exact(52)),
				statecheck.ExpectKnownOutputValue("v1_rows", expectedRows(recs, "v1")),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.v1", tfjsonpath.New("end_timestamp"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_stats.v1", tfjsonpath.New("call_count"), knownvalue.Int64Exact(52)),
				statecheck.CompareValuePairs(
					"data.tencentcallkit_call_stats.v1", tfjsonpath.New("call_count"),
					"data.tencentcallkit_call_stats.v4", tfjsonpath.New("call_count"),
					compare.ValuesSame()),
				statecheck.CompareValuePairs(
					"data.tencentcallkit_call_stats.v1", tfjsonpath.New("results"),
					"data.tencentcallkit_call_stats.v4", tfjsonpath.New("results"),
					compare.ValuesSame()),
			},
		}},
	})
}

// TestAccTimeWindow_lookback: lookback windows on all three data sources,
// over records placed far from the windows' edges.
func TestAccTimeWindow_lookback(t *testing.T) {
	t.Parallel()
	m, url := newTestMock(t, mockserver.Options{})
	now := time.Now()
	var want []mockserver.Record
	for i, hoursAgo := range []int{10, 30, 50} {
		start := now.Add(-time.Duration(hoursAgo) * time.Hour).Unix()
		r := mockserver.Record{CallID: fmt.Sprintf("lookback-%d", i), MediaType: "audio", RoomID: fmt.Sprint(9000 + i), RoomIDType: 1,
			StartCallTs: start, AcceptTs: start + 5, EndTs: start + 65, Caller: "alice", TotalUserNumber: 2,
			CallType: "single", CallResult: "normal_end", Callees: []string{"bob"}}
		m.AddRecords(r)
		want = append(want, r)
		if err := m.AddTelCdrs(mockserver.TelCdr{SessionID: fmt.Sprintf("lookback-%d", i), Caller: "008613800000000", Callee: "02066660001",
			StartTimestamp: start, EndedTimestamp: start + 60, Duration: 60, EndStatus: 1, EndStatusString: "ok"}); err != nil {
			t.Fatal(err)
		}
	}

	config := testCCCConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_records" "day_and_a_half" {
  lookback = "1d12h"
}

data "tencentcallkit_call_records" "week_v4" {
  lookback    = "7d"
  api_version = "v4"
}

data "tencentcallkit_call_stats" "hours" {
  lookback = "36h"
}

data "tencentcallkit_tel_cdrs" "two_days" {
  ccc_sdk_app_id = %d
  lookback       = "2d"
}
`, mockserver.DefaultCCCSdkAppID) + recordRowsOutput("recent", "data.tencentcallkit_call_records.day_and_a_half.records")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.day_and_a_half", tfjsonpath.New("total_num"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownOutputValue("recent", expectedRows([]mockserver.Record{want[1], want[0]}, "v1")), // oldest first
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.day_and_a_half", tfjsonpath.New("lookback"), knownvalue.StringExact("1d12h")),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.day_and_a_half", tfjsonpath.New("start_timestamp"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.week_v4", tfjsonpath.New("total_num"), knownvalue.Int64Exact(3)),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_stats.hours", tfjsonpath.New("call_count"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.two_days", tfjsonpath.New("total_count"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.two_days", tfjsonpath.New("records").AtSliceIndex(0).AtMapKey("session_id"), knownvalue.StringExact("lookback-1")),
			},
		}},
	})
}

// TestAccTimeWindow_validation: every mistake in a window fails at plan time
// on each data source that has one, naming the attribute and the value, and
// no request reaches the API.
func TestAccTimeWindow_validation(t *testing.T) {
	t.Parallel()
	m, url := newTestMock(t, mockserver.Options{})
	const ms = int64(1_764_633_600_000) // 2025-12-02 in milliseconds
	dataSources := map[string]string{
		"tencentcallkit_call_records": "",
		"tencentcallkit_call_stats":   "",
		"tencentcallkit_tel_cdrs":     fmt.Sprintf("ccc_sdk_app_id = %d\n", mockserver.DefaultCCCSdkAppID),
	}
	var steps []resource.TestStep
	for _, typ := range []string{"tencentcallkit_call_records", "tencentcallkit_call_stats", "tencentcallkit_tel_cdrs"} {
		step := func(body string, want ...string) resource.TestStep {
			return resource.TestStep{
				Config:      testCCCConfig(url) + fmt.Sprintf("data %q \"bad\" {\n%s%s\n}\n", typ, dataSources[typ], body),
				PlanOnly:    true,
				ExpectError: errorText(want...),
			}
		}
		end := "\nend_timestamp = 1764720000"
		steps = append(steps,
			step(fmt.Sprintf("start_timestamp = %d%s", ms, end),
				"Invalid Timestamp", fmt.Sprintf("Attribute start_timestamp value %d looks like a timestamp in milliseconds", ms), "Divide it by 1000 (1764633600)"),
			step(fmt.Sprintf("start_timestamp = 1764633600\nend_timestamp = %d", ms+1000),
				"Invalid Timestamp", fmt.Sprintf("Attribute end_timestamp value %d looks like a timestamp in milliseconds", ms+1000)),
			step("start_timestamp = 1764633600\nend_timestamp = 0",
				"Invalid Timestamp", "Attribute end_timestamp value 0 would end the window in 1970", "Leave end_timestamp unset"),
			step("", "Missing Time Window", "Set start_timestamp (Unix seconds) or lookback"),
			step("start_timestamp = 1764633600\nlookback = \"24h\""+end,
				"Conflicting Time Window", `start_timestamp (1764633600) and lookback ("24h") are both set`),
			step("lookback = \"24h\""+end, "Conflicting Time Window", "end_timestamp cannot be set with lookback"),
			step(`lookback = "7days"`, "Invalid Lookback", `Attribute lookback value "7days" is refused`, `such as "24h", "90m" or "7d"`, `Did you mean "7d"?`),
			step(`lookback = "3 days"`, "Invalid Lookback", `Attribute lookback value "3 days" is refused`, `Did you mean "3d"?`),
			step(`lookback = "1 week"`, "Invalid Lookback", `Did you mean "7d"?`),
			step(`lookback = "1 day and 12 Hours"`, "Invalid Lookback", `Did you mean "1d12h"?`),
			step(`lookback = "-24h"`, "Invalid Lookback", `"-24h" is refused: it must be a positive duration`),
		)
		if typ == "tencentcallkit_tel_cdrs" {
			steps = append(steps,
				step("start_timestamp = 1764633600", "Missing End of Time Window", "end_timestamp (Unix seconds) is required with start_timestamp", "Or set lookback"),
				step(`lookback = "90d"`, "Invalid Time Range", `lookback "90d" is 90.0 days; Cloud Contact Center answers only for ranges under 90 days`),
			)
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
	assertNoAPICalls(t, m)
}

// TestAccTelCdrs_inputsFromApply: phones and start_timestamp come from a
// terraform_data output, unknown until apply; validation and plan accept
// them, and the read during apply returns exactly the matching records.
func TestAccTelCdrs_inputsFromApply(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{CCCRecords: 400, Seed: 32})
	start, end := cccWindow()
	phoneA, phoneB, byPhone := twoPhones(t, mock.TelCdrs())
	config := testCCCConfig(url) + fmt.Sprintf(`
resource "terraform_data" "inputs" {
  input = {
    phones = [%[4]q, %[5]q]
    start  = %[2]d
  }
}

data "tencentcallkit_tel_cdrs" "test" {
  ccc_sdk_app_id  = %[1]d
  phones          = terraform_data.inputs.output.phones
  start_timestamp = terraform_data.inputs.output.start
  end_timestamp   = %[3]d
  page_size       = 9
}
`, mockserver.DefaultCCCSdkAppID, start, end, phoneA, phoneB) + telCdrRowsOutput("rows", "data.tencentcallkit_tel_cdrs.test.records")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.test", tfjsonpath.New("total_count"), knownvalue.Int64Exact(int64(len(byPhone)))),
				statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.test", tfjsonpath.New("phones"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact(phoneA), knownvalue.StringExact(phoneB)})),
				statecheck.ExpectKnownOutputValue("rows", expectedTelCdrRows(byPhone)),
			},
		}},
	})
}

// The window's rules are written once; their text must say what the
// contract promises on every data source that has a window.
func TestWindowAttributes_descriptions(t *testing.T) {
	t.Parallel()
	for _, r := range []windowRules{callRecordsWindow, callStatsWindow, telCdrsWindow} {
		attrs := windowAttributes(r)
		for _, name := range []string{"start_timestamp", "end_timestamp", "lookback"} {
			a, ok := attrs[name]
			if !ok || a.GetMarkdownDescription() == "" || a.IsRequired() {
				t.Errorf("%s: %s missing, undocumented or required", r.what, name)
			}
		}
		if d := attrs["lookback"].GetMarkdownDescription(); !strings.Contains(d, "`\"7d\"`") {
			t.Errorf("lookback does not show the day suffix: %s", d)
		}
		if d := attrs["start_timestamp"].GetMarkdownDescription(); !strings.Contains(d, "milliseconds") {
			t.Errorf("start_timestamp does not warn about milliseconds: %s", d)
		}
	}
}

// TestAccTimeWindow_endAlwaysSent: without end_timestamp, every filter
// request of call_records and call_stats carries an explicit end, the time of
// the read, on v1 and v4 alike, so no reading of the API's own default
// ("7 days") can apply. The mock is wrapped to see the request bodies.
func TestAccTimeWindow_endAlwaysSent(t *testing.T) {
	t.Parallel()
	now := time.Now().Truncate(time.Second)
	mock := mockserver.New(mockserver.Options{Records: 150, Seed: 12, Clock: func() time.Time { return now }})
	var mu sync.Mutex
	bodies := map[string][]map[string]any{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err == nil {
			var fields map[string]any
			if json.Unmarshal(body, &fields) == nil {
				mu.Lock()
				bodies[r.URL.Path] = append(bodies[r.URL.Path], fields)
				mu.Unlock()
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		mock.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		srv.Close()
		mock.Close()
	})
	before := time.Now().Unix()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testProviderConfig(srv.URL) + fmt.Sprintf(`
data "tencentcallkit_call_records" "v1" {
  start_timestamp = %[1]d
  number_per_page = 40
}

data "tencentcallkit_call_records" "v4" {
  lookback    = "7d"
  api_version = "v4"
}

data "tencentcallkit_call_stats" "v1" {
  lookback = "7d"
}

data "tencentcallkit_call_stats" "v4" {
  start_timestamp = %[1]d
  api_version     = "v4"
}
`, weekAgo(now)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.v1", tfjsonpath.New("total_num"), knownvalue.Int64Exact(150)),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_stats.v4", tfjsonpath.New("call_count"), knownvalue.Int64Exact(150)),
			},
		}},
	})
	after := time.Now().Unix()
	mu.Lock()
	defer mu.Unlock()
	for path, key := range map[string]string{
		"/v1/records/get_records_by_filter":             "endTimestamp",
		"/v4/call_record_http_srv/get_record_by_filter": "EndTime",
	} {
		if len(bodies[path]) < 4 {
			t.Errorf("%s was asked %d times, want the pages of two reads", path, len(bodies[path]))
		}
		for _, b := range bodies[path] {
			// A walk's requests after its first ask one second past the
			// end (issue 33: the service may read it as exclusive).
			end, ok := b[key].(float64)
			if !ok || int64(end) < before || int64(end) > after+1 {
				t.Errorf("%s body %v: %s is not the time of the read (between %d and %d, + 1)", path, b, key, before, after)
			}
		}
	}
}

// TestLookbackSuggestion: a duration written in words is rewritten the way
// lookback reads it; anything else gets no suggestion.
func TestLookbackSuggestion(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"3 days": "3d", "7days": "7d", "1 week": "7d", "2 Weeks": "14d", "24H": "24h", "24 hours": "24h",
		"90 mins": "90m", "1 day and 12 hours": "1d12h", "1 day, 12 hours": "1d12h",
		"7d": "", "soon": "", "3 fortnights": "", "-3 days": "", "3 days ago": "", "": "", "0 days": "",
	} {
		if got := lookbackSuggestion(raw); got != want {
			t.Errorf("lookbackSuggestion(%q) = %q, want %q", raw, got, want)
		}
	}
}
