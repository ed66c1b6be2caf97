// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// everyFieldMock is a mock with the 50 generated records of seed 11 and two
// known ones, a day old: a connected group call and a 1:1 call that was never
// answered.
func everyFieldMock(t *testing.T) (m *mockserver.Server, url string, now time.Time, group, missed mockserver.Record) {
	t.Helper()
	m, url, now = frozenRecordsMock(t, mockserver.Options{Records: 50, Seed: 11})
	base := now.Add(-26 * time.Hour).Unix()
	group = mockserver.Record{
		CallID: "5d0e6a9c-7a43-4d8f-9b1e-2f6c0b8e4a11", MediaType: "video", RoomID: "room-team-sync", RoomIDType: 2,
		StartCallTs: base, AcceptTs: base + 7, EndTs: base + 1807, Caller: "alice", TotalUserNumber: 3,
		CallType: "group", CallResult: "normal_end", Callees: []string{"bob", "carol"},
	}
	missed = mockserver.Record{
		CallID: "0b7c3f1e-1f2d-4c55-8e0a-6d9b2a7c5e22", MediaType: "audio", RoomID: "734211", RoomIDType: 1,
		StartCallTs: base + 3600, AcceptTs: 0, EndTs: base + 3645, Caller: "dave", TotalUserNumber: 2,
		CallType: "single", CallResult: "not_answer", Callees: []string{"erin"},
	}
	m.AddRecords(group, missed)
	return m, url, now, group, missed
}

// TestAccCallRecordDataSource_everyField reads two known records, a connected group call and a
// 1:1 call that was never answered, through both API versions and checks every attribute.
func TestAccCallRecordDataSource_everyField(t *testing.T) {
	t.Parallel()

	m, url, _, group, missed := everyFieldMock(t)

	config := testProviderConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_record" "group_v1" {
  call_id = %[1]q
}

data "tencentcallkit_call_record" "group_v4" {
  call_id     = %[1]q
  api_version = "v4"
}

data "tencentcallkit_call_record" "missed_v1" {
  call_id     = %[2]q
  api_version = "v1"
}

data "tencentcallkit_call_record" "missed_v4" {
  call_id     = %[2]q
  api_version = "v4"
}
`, group.CallID, missed.CallID)

	var checks []statecheck.StateCheck
	for _, tc := range []struct {
		name string
		rec  mockserver.Record
	}{{"group", group}, {"missed", missed}} {
		callees := make([]knownvalue.Check, 0, len(tc.rec.Callees))
		for _, c := range tc.rec.Callees {
			callees = append(callees, knownvalue.StringExact(c))
		}
		for _, version := range []string{"v1", "v4"} {
			var roomIDType, total knownvalue.Check = knownvalue.Null(), knownvalue.Int64Exact(int64(tc.rec.TotalUserNumber))
			if version == "v4" {
				roomIDType, total = knownvalue.Int64Exact(int64(tc.rec.RoomIDType)), knownvalue.Null()
			}
			addr := "data.tencentcallkit_call_record." + tc.name + "_" + version
			for attr, want := range map[string]knownvalue.Check{
				"call_id":           knownvalue.StringExact(tc.rec.CallID),
				"api_version":       knownvalue.StringExact(version),
				"sdk_app_id":        knownvalue.Int64Exact(mockserver.DefaultSDKAppID),
				"media_type":        knownvalue.StringExact(tc.rec.MediaType),
				"room_id":           knownvalue.StringExact(tc.rec.RoomID),
				"room_id_type":      roomIDType,
				"start_call_ts":     knownvalue.Int64Exact(tc.rec.StartCallTs),
				"accept_ts":         knownvalue.Int64Exact(tc.rec.AcceptTs),
				"end_ts":            knownvalue.Int64Exact(tc.rec.EndTs),
				"caller":            knownvalue.StringExact(tc.rec.Caller),
				"total_user_number": total,
				"call_type":         knownvalue.StringExact(tc.rec.CallType),
				"call_result":       knownvalue.StringExact(tc.rec.CallResult),
				"callees":           knownvalue.ListExact(callees),
			} {
				checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), want))
			}
		}
		// Apart from the two documented differences, v4 answers exactly what v1 answers.
		for _, attr := range []string{"call_id", "sdk_app_id", "media_type", "room_id", "start_call_ts", "accept_ts",
			"end_ts", "caller", "call_type", "call_result", "callees"} {
			checks = append(checks, statecheck.CompareValuePairs(
				"data.tencentcallkit_call_record."+tc.name+"_v1", tfjsonpath.New(attr),
				"data.tencentcallkit_call_record."+tc.name+"_v4", tfjsonpath.New(attr),
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

	reqs := m.Stats().Requests
	if reqs["v1/records/get_record_by_callId"] == 0 || reqs["v4/call_record_http_srv/get_record_by_callid"] == 0 {
		t.Errorf("expected reads through both record-by-ID endpoints, the mock saw %v", reqs)
	}
}

// TestAccCallRecordDataSource_notFound: a call ID with no record is an error that names the ID
// and the 7-day retention, for both API versions.
func TestAccCallRecordDataSource_notFound(t *testing.T) {
	t.Parallel()

	_, url, _ := frozenRecordsMock(t, mockserver.Options{Records: 20, Seed: 12})
	const missing = "9f1c2d3e-0000-4000-8000-00000000dead"

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testProviderConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_record" "gone" {
  call_id = %q
}
`, missing),
				ExpectError: errorText(`Call Record Not Found`,
					`The v1 records API has no record of call_id "`+missing+`". Call records are kept for 7 days`),
			},
			{
				Config: testProviderConfig(url) + fmt.Sprintf(`
data "tencentcallkit_call_record" "gone" {
  call_id     = %q
  api_version = "v4"
}
`, missing),
				ExpectError: errorText(`Call Record Not Found`,
					`The v4 records API has no record of call_id "`+missing+`". Call records are kept for 7 days`),
			},
		},
	})
}

// TestAccCallRecordDataSource_validation: bad inputs fail at plan time, naming the attribute,
// the value and what is allowed, before any request reaches the API.
func TestAccCallRecordDataSource_validation(t *testing.T) {
	t.Parallel()

	m, url, _ := frozenRecordsMock(t, mockserver.Options{Records: 20, Seed: 13})

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testProviderConfig(url) + `
data "tencentcallkit_call_record" "bad" {
  call_id = ""
}
`,
				PlanOnly:    true,
				ExpectError: errorText(`Attribute call_id string length must be at least 1, got: 0`),
			},
			{
				Config: testProviderConfig(url) + `
data "tencentcallkit_call_record" "bad" {
  call_id     = "5d0e6a9c-7a43-4d8f-9b1e-2f6c0b8e4a11"
  api_version = "v2"
}
`,
				PlanOnly:    true,
				ExpectError: errorText(`Attribute api_version value must be one of: ["v1" "v4"], got: "v2"`),
			},
		},
	})

	assertNoAPICalls(t, m)
}

// TestAccCallRecordDataSource_rateLimited reads 40 records at once from a mock that enforces the
// documented 20 requests/s of v1/records/get_record_by_callId: the client's own limiter and
// retries must absorb it, so the user sees no error and every record is right.
func TestAccCallRecordDataSource_rateLimited(t *testing.T) {
	t.Parallel()

	// The real clock: the mock's token buckets refill on it.
	m, url := newTestMock(t, mockserver.Options{RateLimit: true, Seed: 14})
	recs := m.Records()
	if len(recs) != 0 {
		t.Fatalf("the mock started with %d records, want none", len(recs))
	}
	base := time.Now().Add(-2 * time.Hour).Unix()
	ids := make([]string, 40)
	for i := range ids {
		ids[i] = fmt.Sprintf("7e57ca11-0000-4000-8000-%012d", i)
		m.AddRecords(mockserver.Record{
			CallID: ids[i], MediaType: "audio", RoomID: fmt.Sprint(500000 + i), RoomIDType: 1,
			StartCallTs: base + int64(i), AcceptTs: base + int64(i) + 3, EndTs: base + int64(i) + 60,
			Caller: fmt.Sprintf("caller%d", i), TotalUserNumber: 2, CallType: "single", CallResult: "normal_end",
			Callees: []string{fmt.Sprintf("callee%d", i)},
		})
	}

	checks := make([]statecheck.StateCheck, 0, 2*len(ids))
	for i, id := range ids {
		addr := fmt.Sprintf("data.tencentcallkit_call_record.many[%d]", i)
		checks = append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("call_id"), knownvalue.StringExact(id)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("caller"), knownvalue.StringExact(fmt.Sprintf("caller%d", i))),
		)
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testProviderConfig(url) + fmt.Sprintf(`
locals {
  call_ids = ["%s"]
}

data "tencentcallkit_call_record" "many" {
  count   = 40
  call_id = local.call_ids[count.index]
}
`, strings.Join(ids, `", "`)),
			ConfigStateChecks: checks,
		}},
	})

	st := m.Stats()
	if n := st.Requests["v1/records/get_record_by_callId"]; n < len(ids) {
		t.Errorf("the mock saw %d record-by-ID requests, want at least %d", n, len(ids))
	}
	t.Logf("record-by-ID requests: %d; answered rate-limited by the mock and absorbed by the client: %d",
		st.Requests["v1/records/get_record_by_callId"], st.RateLimited)
}
