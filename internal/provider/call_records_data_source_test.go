// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// TestAccCallRecordsDataSource_allPages reads every page of more than a thousand records, through
// both API versions, and compares the whole answer with the mock's own records.
func TestAccCallRecordsDataSource_allPages(t *testing.T) {
	t.Parallel()

	m, url, now := frozenRecordsMock(t, mockserver.Options{Records: 1234, Seed: 21})
	recs := m.Records()
	if len(recs) != 1234 {
		t.Fatalf("the mock holds %d records, want 1234", len(recs))
	}
	first, last := recs[0], recs[len(recs)-1]

	config := testProviderConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_records" "v1" {
  start_timestamp = %[1]d
}

data "tencentcallkit_call_records" "v4" {
  start_timestamp = %[1]d
  api_version     = "v4"
}
`, weekAgo(now)) +
		recordRowsOutput("v1_rows", "data.tencentcallkit_call_records.v1.records") +
		recordRowsOutput("v4_rows", "data.tencentcallkit_call_records.v4.records")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.v1", tfjsonpath.New("total_num"), knownvalue.Int64Exact(int64(len(recs)))),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.v1", tfjsonpath.New("records"), knownvalue.ListSizeExact(len(recs))),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.v1", tfjsonpath.New("number_per_page"), knownvalue.Int64Exact(100)),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.v1", tfjsonpath.New("api_version"), knownvalue.StringExact("v1")),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.v1", tfjsonpath.New("page"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.v1", tfjsonpath.New("records").AtSliceIndex(0).AtMapKey("call_id"), knownvalue.StringExact(first.CallID)),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.v1", tfjsonpath.New("records").AtSliceIndex(0).AtMapKey("start_call_ts"), knownvalue.Int64Exact(first.StartCallTs)),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.v1", tfjsonpath.New("records").AtSliceIndex(len(recs)-1).AtMapKey("call_id"), knownvalue.StringExact(last.CallID)),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.v1", tfjsonpath.New("records").AtSliceIndex(len(recs)-1).AtMapKey("caller"), knownvalue.StringExact(last.Caller)),
				statecheck.ExpectKnownOutputValue("v1_rows", expectedRows(recs, "v1")),
				statecheck.ExpectKnownOutputValue("v4_rows", expectedRows(recs, "v4")),
				statecheck.CompareValuePairs(
					"data.tencentcallkit_call_records.v1", tfjsonpath.New("total_num"),
					"data.tencentcallkit_call_records.v4", tfjsonpath.New("total_num"),
					compare.ValuesSame()),
			},
		}},
	})

	// 1,234 records at 100 a page is 13 pages per read; each read must walk them all.
	reqs := m.Stats().Requests
	if n := reqs["v1/records/get_records_by_filter"]; n < 13 {
		t.Errorf("v1/records/get_records_by_filter was asked %d times, want at least the 13 pages", n)
	}
	if n := reqs["v4/call_record_http_srv/get_record_by_filter"]; n < 13 {
		t.Errorf("v4/call_record_http_srv/get_record_by_filter was asked %d times, want at least the 13 pages", n)
	}
}

// TestAccCallRecordsDataSource_filtered checks a call_result + call_type query against the
// mock's own count, through both API versions, and a query that matches nothing.
func TestAccCallRecordsDataSource_filtered(t *testing.T) {
	t.Parallel()

	m, url, now := frozenRecordsMock(t, mockserver.Options{Records: 700, Seed: 22})
	start := weekAgo(now)
	all := m.Records()
	rejected := filterRecords(all, start, "reject", "single")
	groups := filterRecords(all, start, "", "group")
	if len(rejected) == 0 || len(groups) == 0 || len(rejected)+len(groups) >= len(all) {
		t.Fatalf("seed 22 gives %d rejected 1:1 calls and %d group calls of %d: pick a seed that exercises the filter",
			len(rejected), len(groups), len(all))
	}

	config := testProviderConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_records" "rejected_v1" {
  start_timestamp = %[1]d
  call_result     = "reject"
  call_type       = "single"
  number_per_page = 7
}

data "tencentcallkit_call_records" "rejected_v4" {
  start_timestamp = %[1]d
  call_result     = "reject"
  call_type       = "single"
  number_per_page = 7
  api_version     = "v4"
}

data "tencentcallkit_call_records" "groups_v4" {
  start_timestamp = %[1]d
  call_type       = "group"
  api_version     = "v4"
}
`, start) +
		recordRowsOutput("rejected_v1", "data.tencentcallkit_call_records.rejected_v1.records") +
		recordRowsOutput("rejected_v4", "data.tencentcallkit_call_records.rejected_v4.records") +
		recordRowsOutput("groups_v4", "data.tencentcallkit_call_records.groups_v4.records")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.rejected_v1", tfjsonpath.New("total_num"), knownvalue.Int64Exact(int64(len(rejected)))),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.rejected_v4", tfjsonpath.New("total_num"), knownvalue.Int64Exact(int64(len(rejected)))),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.groups_v4", tfjsonpath.New("total_num"), knownvalue.Int64Exact(int64(len(groups)))),
				statecheck.ExpectKnownOutputValue("rejected_v1", expectedRows(rejected, "v1")),
				statecheck.ExpectKnownOutputValue("rejected_v4", expectedRows(rejected, "v4")),
				statecheck.ExpectKnownOutputValue("groups_v4", expectedRows(groups, "v4")),
			},
		}},
	})
}

// TestAccCallRecordsDataSource_page reads single pages: page + number_per_page must return
// exactly that slice of the mock's records, and total_num is the service's count.
func TestAccCallRecordsDataSource_page(t *testing.T) {
	t.Parallel()

	m, url, now := frozenRecordsMock(t, mockserver.Options{Records: 250, Seed: 23})
	recs := m.Records()

	config := testProviderConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_records" "third" {
  start_timestamp = %[1]d
  number_per_page = 40
  page            = 3
}

data "tencentcallkit_call_records" "last" {
  start_timestamp = %[1]d
  number_per_page = 40
  page            = 7
}

data "tencentcallkit_call_records" "third_v4" {
  start_timestamp = %[1]d
  number_per_page = 40
  page            = 3
  api_version     = "v4"
}

data "tencentcallkit_call_records" "first" {
  start_timestamp = %[1]d
  number_per_page = 1
  page            = 1
}
`, weekAgo(now)) +
		recordRowsOutput("third", "data.tencentcallkit_call_records.third.records") +
		recordRowsOutput("last", "data.tencentcallkit_call_records.last.records") +
		recordRowsOutput("third_v4", "data.tencentcallkit_call_records.third_v4.records") +
		recordRowsOutput("first", "data.tencentcallkit_call_records.first.records")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("third", expectedRows(recs[80:120], "v1")),
				statecheck.ExpectKnownOutputValue("last", expectedRows(recs[240:250], "v1")),
				statecheck.ExpectKnownOutputValue("third_v4", expectedRows(recs[80:120], "v4")),
				statecheck.ExpectKnownOutputValue("first", expectedRows(recs[0:1], "v1")),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.third", tfjsonpath.New("total_num"), knownvalue.Int64Exact(250)),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.third_v4", tfjsonpath.New("total_num"), knownvalue.Int64Exact(250)),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.first", tfjsonpath.New("total_num"), knownvalue.Int64Exact(250)),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.third", tfjsonpath.New("page"), knownvalue.Int64Exact(3)),
			},
		}},
	})
}

// TestAccCallRecordsDataSource_empty: no matching record is total_num = 0 and records = [], not
// an error and not null, for both API versions.
func TestAccCallRecordsDataSource_empty(t *testing.T) {
	t.Parallel()

	m, url, now := frozenRecordsMock(t, mockserver.Options{Records: 300, Seed: 24})
	// Group calls only ever report normal_end, so this filter matches nothing in a non-empty mock.
	if n := len(filterRecords(m.Records(), weekAgo(now), "reject", "group")); n != 0 {
		t.Fatalf("the mock holds %d rejected group calls, want none", n)
	}

	config := testProviderConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_records" "none_v1" {
  start_timestamp = %[1]d
  call_type       = "group"
  call_result     = "reject"
}

data "tencentcallkit_call_records" "none_v4" {
  start_timestamp = %[1]d
  call_type       = "group"
  call_result     = "reject"
  api_version     = "v4"
}

data "tencentcallkit_call_records" "none_page" {
  start_timestamp = %[1]d
  call_type       = "group"
  call_result     = "reject"
  page            = 1
}

# A window after every seeded call.
data "tencentcallkit_call_records" "future" {
  start_timestamp = %[2]d
  api_version     = "v4"
}
`, weekAgo(now), now.Unix()+1)

	var checks []statecheck.StateCheck
	for _, name := range []string{"none_v1", "none_v4", "none_page", "future"} {
		addr := "data.tencentcallkit_call_records." + name
		checks = append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("total_num"), knownvalue.Int64Exact(0)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("records"), knownvalue.ListExact([]knownvalue.Check{})),
		)
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

// TestAccCallRecordsDataSource_validation: every bad input fails at plan time with a message that
// names the attribute, the value and what is allowed, and no request reaches the API.
func TestAccCallRecordsDataSource_validation(t *testing.T) {
	t.Parallel()

	m, url, _ := frozenRecordsMock(t, mockserver.Options{Records: 20, Seed: 25})

	step := func(body, want string) resource.TestStep {
		return resource.TestStep{
			Config:      testProviderConfig(url) + "data \"tencentcallkit_call_records\" \"bad\" {\n" + body + "\n}\n",
			PlanOnly:    true,
			ExpectError: errorText(want),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`start_timestamp = 1700000200
end_timestamp = 1700000100`,
				`end_timestamp (1700000100) is before start_timestamp (1700000200). end_timestamp must be at or after start_timestamp`),
			step(`start_timestamp = -1`, `Attribute start_timestamp value must be at least 0, got: -1`),
			step(`start_timestamp = 1700000000
number_per_page = 0`, `Attribute number_per_page value must be between 1 and 100, got: 0`),
			step(`start_timestamp = 1700000000
number_per_page = 101`, `Attribute number_per_page value must be between 1 and 100, got: 101`),
			step(`start_timestamp = 1700000000
page = -1`, `Attribute page value must be at least 0, got: -1`),
			step(`start_timestamp = 1700000000
call_result = "missed"`,
				`Attribute call_result value must be one of: ["cancel" "reject" "not_answer" "normal_end" "call_busy" "interrupt"], got: "missed"`),
			step(`start_timestamp = 1700000000
call_type = "conference"`, `Attribute call_type value must be one of: ["single" "group"], got: "conference"`),
			step(`start_timestamp = 1700000000
api_version = "v3"`, `Attribute api_version value must be one of: ["v1" "v4"], got: "v3"`),
			step(`lookback = "1h"
records_format = "csv"`, `Attribute records_format value must be one of: ["objects" "json"], got: "csv"`),
		},
	})

	assertNoAPICalls(t, m)
}

// TestAccCallRecordsDataSource_recordsFormat reads the same records in both
// forms, through both API versions: records_json holds exactly the records the
// objects form holds (compared with the mock's own after jsondecode), the
// other form is null, and an unset records_format reads back as "objects"
// (an unknown format: TestAccCallRecordsDataSource_validation).
func TestAccCallRecordsDataSource_recordsFormat(t *testing.T) {
	t.Parallel()

	m, url, now := frozenRecordsMock(t, mockserver.Options{Records: 345, Seed: 27})
	recs := m.Records()
	config := testProviderConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_records" "objects" {
  start_timestamp = %[1]d
}

data "tencentcallkit_call_records" "json_v1" {
  start_timestamp = %[1]d
  records_format  = "json"
  number_per_page = 33
}

data "tencentcallkit_call_records" "json_v4" {
  start_timestamp = %[1]d
  records_format  = "json"
  api_version     = "v4"
}

data "tencentcallkit_call_records" "json_nothing" {
  start_timestamp = %[2]d
  records_format  = "json"
}
`, weekAgo(now), now.Add(time.Hour).Unix()) +
		recordRowsOutput("objects_rows", "data.tencentcallkit_call_records.objects.records") +
		recordRowsOutput("json_v1_rows", "jsondecode(data.tencentcallkit_call_records.json_v1.records_json)") +
		recordRowsOutput("json_v4_rows", "jsondecode(data.tencentcallkit_call_records.json_v4.records_json)")

	objects, jsonV1, jsonNothing := "data.tencentcallkit_call_records.objects", "data.tencentcallkit_call_records.json_v1", "data.tencentcallkit_call_records.json_nothing"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(objects, tfjsonpath.New("records_format"), knownvalue.StringExact("objects")),
				statecheck.ExpectKnownValue(objects, tfjsonpath.New("records_json"), knownvalue.Null()),
				statecheck.ExpectKnownValue(jsonV1, tfjsonpath.New("records_format"), knownvalue.StringExact("json")),
				statecheck.ExpectKnownValue(jsonV1, tfjsonpath.New("records"), knownvalue.Null()),
				statecheck.ExpectKnownValue(jsonV1, tfjsonpath.New("total_num"), knownvalue.Int64Exact(int64(len(recs)))),
				statecheck.ExpectKnownValue(jsonNothing, tfjsonpath.New("records_json"), knownvalue.StringExact("[]")),
				statecheck.ExpectKnownValue(jsonNothing, tfjsonpath.New("total_num"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownOutputValue("objects_rows", expectedRows(recs, "v1")),
				statecheck.ExpectKnownOutputValue("json_v1_rows", expectedRows(recs, "v1")),
				statecheck.ExpectKnownOutputValue("json_v4_rows", expectedRows(recs, "v4")),
			},
		}},
	})
}
