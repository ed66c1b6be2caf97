// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

// All-pages reads as a busy app sees them (issue 26): calls end and the
// oldest records expire while a read pages, answers leave paging fields out,
// pages are tiny, and more records match than the read allows.

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// idsOutput is an output listing the IDs of a data source's records, in order.
func idsOutput(name, records, id string) string {
	return fmt.Sprintf("\noutput %q {\n  value = [for r in %s : r.%s]\n}\n", name, records, id)
}

func exactIDs(ids []string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(ids))
	for i, id := range ids {
		checks[i] = knownvalue.StringExact(id)
	}
	return knownvalue.ListExact(checks)
}

func callIDs(recs []mockserver.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.CallID
	}
	return out
}

// endingCalls are n calls that end during a read: their starts fall in the
// middle of recs' start order, past the first pages.
func endingCalls(recs []mockserver.Record, n int, prefix string) []mockserver.Record {
	out := make([]mockserver.Record, n)
	for i := range out {
		r := recs[len(recs)/3+i*len(recs)/(2*n)]
		r.CallID = fmt.Sprintf("%s-ended-mid-walk-%02d", prefix, i)
		out[i] = r
	}
	return out
}

// sortedByStart is the mock's order: ascending start, ties in arrival order.
func sortedByStart(recs []mockserver.Record) []mockserver.Record {
	out := slices.Clone(recs)
	slices.SortStableFunc(out, func(a, b mockserver.Record) int { return cmp.Compare(a.StartCallTs, b.StartCallTs) })
	return out
}

// TestAccWalks_recordsMoveMidRead: while call_records pages through 1,234
// records, 40 calls end (joining the middle of the order) and the 150 oldest
// expire after the 3rd request; then v4 sees 7 calls end. Every call comes
// once, in order, none that matched throughout is missing (the expired ones
// were read before they left), and total_num is the list's length.
func TestAccWalks_recordsMoveMidRead(t *testing.T) {
	t.Parallel()
	m, url, now := frozenRecordsMock(t, mockserver.Options{Records: 1234, Seed: 26})
	before := m.Records()
	joinV1 := endingCalls(before, 40, "v1")
	afterV1 := sortedByStart(append(slices.Clone(before[150:]), joinV1...))
	wantV1 := append(callIDs(before[:150]), callIDs(afterV1)...)
	joinV4 := endingCalls(afterV1, 7, "v4")
	wantV4 := callIDs(sortedByStart(append(slices.Clone(afterV1), joinV4...)))

	step := func(version string, expire int, join []mockserver.Record, want []string) resource.TestStep {
		return resource.TestStep{
			PreConfig: func() {
				// The read's first 3 pages are served, then records move.
				served, err := m.ScheduleMidWalk(mockserver.MidWalk{AfterRequests: 1 << 30})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := m.ScheduleMidWalk(mockserver.MidWalk{AfterRequests: served + 3, ExpireOldest: expire, Add: join}); err != nil {
					t.Fatal(err)
				}
			},
			Config: testProviderConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_records" "all" {
  start_timestamp = %d
  api_version     = %q
}
`, weekAgo(now), version) + idsOutput("ids", "data.tencentcallkit_call_records.all.records", "call_id"),
			// The plan after the apply reads the records as they are now:
			// without the expired ones.
			ExpectNonEmptyPlan: expire > 0,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("ids", exactIDs(want)),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.all", tfjsonpath.New("total_num"), knownvalue.Int64Exact(int64(len(want)))),
			},
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{step("v1", 150, joinV1, wantV1), step("v4", 0, joinV4, wantV4)},
	})
}

// TestAccWalks_boundedByRecords: number_per_page = 1 reads every record
// (a walk is bounded by records, not pages: the client's
// TestWalkMoreThan2000Pages reads 2,100 one-record pages, where 57be3aa said
// "too many pages" after 2,000); exactly max_records records succeed; one
// match more fails at once, naming the data source's own arguments and
// max_records.
func TestAccWalks_boundedByRecords(t *testing.T) {
	t.Parallel()
	m, url, now := frozenRecordsMock(t, mockserver.Options{Records: 160, Seed: 19})
	recs := m.Records()
	read := func(extra string) string {
		return testProviderConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_records" "all" {
  start_timestamp = %d
  %s
}
`, weekAgo(now), extra)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: read("number_per_page = 1") + idsOutput("ids", "data.tencentcallkit_call_records.all.records", "call_id"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("ids", exactIDs(callIDs(recs))),
					statecheck.ExpectKnownValue("data.tencentcallkit_call_records.all", tfjsonpath.New("total_num"), knownvalue.Int64Exact(160)),
				},
			},
			{
				Config: read("max_records = 160"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.tencentcallkit_call_records.all", tfjsonpath.New("total_num"), knownvalue.Int64Exact(160)),
					statecheck.ExpectKnownValue("data.tencentcallkit_call_records.all", tfjsonpath.New("max_records"), knownvalue.Int64Exact(160)),
				},
			},
			{
				Config: read("max_records = 159"),
				ExpectError: errorPattern("Unable to Read Call Records.*160 records match \\(the service's count\\), more than max_records = 159.*" +
					"`start_timestamp` \\(or a shorter `lookback`\\), an earlier `end_timestamp`, `call_type` or `call_result`, or raise max_records"),
			},
		},
	})
}

// TestAccWalks_absentPagingFields: answers without page (or totalNum) are
// read to the end; on 57be3aa an answer without page ended the read after
// its first 100 of 1,234 records. With page set, a missing totalNum is null,
// not 0.
func TestAccWalks_absentPagingFields(t *testing.T) {
	t.Parallel()
	m, url, now := frozenRecordsMock(t, mockserver.Options{Records: 1234, Seed: 4})
	m.SetOmitPaging(mockserver.OmitPaging{Page: true, Total: true})
	config := testProviderConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_records" "all" {
  start_timestamp = %[1]d
}

data "tencentcallkit_call_records" "v4" {
  start_timestamp = %[1]d
  api_version     = "v4"
}

data "tencentcallkit_call_records" "page2" {
  start_timestamp = %[1]d
  page            = 2
}
`, weekAgo(now))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.all", tfjsonpath.New("total_num"), knownvalue.Int64Exact(1234)),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.all", tfjsonpath.New("records"), knownvalue.ListSizeExact(1234)),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.v4", tfjsonpath.New("total_num"), knownvalue.Int64Exact(1234)),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.page2", tfjsonpath.New("total_num"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.tencentcallkit_call_records.page2", tfjsonpath.New("records"), knownvalue.ListSizeExact(100)),
			},
		}},
	})
}

// TestAccWalks_telCdrs: while tel_cdrs pages through 600 records the 80
// oldest expire after the 2nd request (on 57be3aa 80 that stayed went
// missing): every record comes once and total_count is the list's length;
// max_records bounds the read as it does call_records.
func TestAccWalks_telCdrs(t *testing.T) {
	t.Parallel()
	m, url := newTestMock(t, mockserver.Options{CCCRecords: 600, Seed: 13})
	recs := m.TelCdrs()
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.SessionID
	}
	start, end := cccWindow()
	read := func(extra string) string {
		return testCCCConfig(url) + fmt.Sprintf(`
data "tencentcallkit_tel_cdrs" "all" {
  ccc_sdk_app_id  = %d
  start_timestamp = %d
  end_timestamp   = %d
  %s
}
`, mockserver.DefaultCCCSdkAppID, start, end, extra)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if _, err := m.ScheduleMidWalk(mockserver.MidWalk{AfterRequests: 2, ExpireOldestTelCdrs: 80}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             read("") + idsOutput("ids", "data.tencentcallkit_tel_cdrs.all.records", "session_id"),
				ExpectNonEmptyPlan: true, // later reads see 520
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("ids", exactIDs(ids)),
					statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.all", tfjsonpath.New("total_count"), knownvalue.Int64Exact(600)),
				},
			},
			{
				Config: read("max_records = 519"),
				ExpectError: errorPattern("Unable to Read Telephone Call Records.*520 records match \\(the service's count\\), more than max_records = 519.*" +
					"`phones` or `session_ids`, or raise max_records"),
			},
		},
	})
}

// TestAccWalks_maxRecordsReachedMidWalk: the first answer counts exactly
// max_records, then calls end after their starts' place in the read; the
// read fails when it meets record max_records + 1, saying at least that many
// match and what the service first counted (before: "More than max_records =
// 150 records match", no count). An answer with no count at all: the error
// says at least how many match and nothing of a count.
func TestAccWalks_maxRecordsReachedMidWalk(t *testing.T) {
	t.Parallel()
	m, url, now := frozenRecordsMock(t, mockserver.Options{Records: 150, Seed: 41})
	recs := m.Records()
	// Late in the start order: past the first page, so the read meets them.
	late := slices.Clone(recs[140:145])
	for i := range late {
		late[i].CallID = fmt.Sprintf("ended-mid-walk-%d", i)
	}
	read := func(limit int) string {
		return testProviderConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_records" "all" {
  start_timestamp = %d
  number_per_page = 50
  max_records     = %d
}
`, weekAgo(now), limit)
	}
	narrowing := ".*Select fewer records with a later `start_timestamp` \\(or a shorter `lookback`\\), an earlier `end_timestamp`, `call_type` or `call_result`, or raise max_records"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					served, err := m.ScheduleMidWalk(mockserver.MidWalk{AfterRequests: 1 << 30})
					if err != nil {
						t.Fatal(err)
					}
					if _, err := m.ScheduleMidWalk(mockserver.MidWalk{AfterRequests: served + 1, Add: late}); err != nil {
						t.Fatal(err)
					}
				},
				Config: read(150),
				ExpectError: errorPattern("Unable to Read Call Records.*At least 151 records match, more than max_records = 150 " +
					"\\(the service first counted 150; more arrived while the read paged\\); nothing is returned" + narrowing),
			},
			{
				PreConfig: func() { m.SetOmitPaging(mockserver.OmitPaging{Total: true}) },
				Config:    read(154),
				ExpectError: errorPattern("Unable to Read Call Records.*At least 155 records match, more than max_records = 154; nothing is returned" +
					narrowing),
			},
		},
	})
}
