// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

func TestRecordModelFrom(t *testing.T) {
	t.Parallel()

	roomType, users := int64(1), int64(3)
	v1 := callkit.Record{
		CallID: "c1", SDKAppID: 1400000000, MediaType: "audio", RoomID: "123456", StartCallTs: 10, AcceptTs: 12,
		EndTs: 40, Caller: "alice", TotalUserNumber: &users, CallType: "group", CallResult: "normal_end",
		Callees: []string{"bob", "carol"},
	}
	got := recordModelFrom(v1)
	if got.RoomIDType.IsNull() == false {
		t.Errorf("room_id_type of a v1 record: got %s, want null", got.RoomIDType)
	}
	if got.TotalUserNumber.ValueInt64() != 3 || got.TotalUserNumber.IsNull() {
		t.Errorf("total_user_number: got %s, want 3", got.TotalUserNumber)
	}
	if got.CallID.ValueString() != "c1" || got.SDKAppID.ValueInt64() != 1400000000 || got.MediaType.ValueString() != "audio" ||
		got.RoomID.ValueString() != "123456" || got.StartCallTs.ValueInt64() != 10 || got.AcceptTs.ValueInt64() != 12 ||
		got.EndTs.ValueInt64() != 40 || got.Caller.ValueString() != "alice" || got.CallType.ValueString() != "group" ||
		got.CallResult.ValueString() != "normal_end" || strings.Join(listStrings(got.Callees), ",") != "bob,carol" {
		t.Errorf("recordModelFrom(%+v) = %+v", v1, got)
	}
	// The model must not share the client's slice.
	v1.Callees[0] = "mallory"
	if listStrings(got.Callees)[0] != "bob" {
		t.Errorf("callees alias the input slice")
	}

	v4 := callkit.Record{CallID: "c2", RoomIDType: &roomType, Callees: nil}
	got = recordModelFrom(v4)
	if got.RoomIDType.IsNull() || got.RoomIDType.ValueInt64() != 1 {
		t.Errorf("room_id_type of a v4 record: got %s, want 1", got.RoomIDType)
	}
	if !got.TotalUserNumber.IsNull() {
		t.Errorf("total_user_number of a v4 record: got %s, want null", got.TotalUserNumber)
	}
	if got.Callees.IsNull() || len(got.Callees.Elements()) != 0 {
		t.Errorf("callees of a record without callees: got %#v, want an empty, non-null list", got.Callees)
	}

	if list := recordListFrom(nil); list.IsNull() || len(list.Elements()) != 0 {
		t.Errorf("recordListFrom(nil) = %#v, want an empty, non-null list", list)
	}
}

// listStrings is the elements of a list of strings.
func listStrings(l types.List) []string {
	out := make([]string, 0, len(l.Elements()))
	for _, v := range l.Elements() {
		if s, ok := v.(types.String); ok {
			out = append(out, s.ValueString())
		}
	}
	return out
}

// frozenRecordsMock starts a mock whose clock stands still, so the 7-day window and the seeded
// records cannot drift apart while a test runs. It returns the mock, its URL and its "now".
func frozenRecordsMock(t *testing.T, opts mockserver.Options) (*mockserver.Server, string, time.Time) {
	t.Helper()
	now := time.Now().Truncate(time.Second)
	opts.Clock = func() time.Time { return now }
	m, url := newTestMock(t, opts)
	return m, url, now
}

// weekAgo is a start_timestamp that covers every record the mock keeps: the
// records API reaches back 7 days (callkit-api.md, and every records data
// source's description).
func weekAgo(now time.Time) int64 {
	return now.Add(-7 * 24 * time.Hour).Unix()
}

// recordRowsOutput is an HCL output that flattens every record of a list into one string, so a
// whole answer is compared in one check against rows computed from the mock's own records.
func recordRowsOutput(name, records string) string {
	return fmt.Sprintf(`
output %q {
  value = [for r in %s : join("|", [
    r.call_id, tostring(r.sdk_app_id), r.media_type, r.room_id,
    r.room_id_type == null ? "-" : tostring(r.room_id_type),
    tostring(r.start_call_ts), tostring(r.accept_ts), tostring(r.end_ts), r.caller,
    r.total_user_number == null ? "-" : tostring(r.total_user_number),
    r.call_type, r.call_result, join(",", r.callees),
  ])]
}
`, name, records)
}

// expectedRow is what recordRowsOutput must render for a mock record read through the given
// API version: v1 does not report room_id_type, v4 does not report total_user_number.
func expectedRow(r mockserver.Record, version string) string {
	roomIDType, total := "-", strconv.Itoa(r.TotalUserNumber)
	if version == "v4" {
		roomIDType, total = strconv.Itoa(r.RoomIDType), "-"
	}
	return strings.Join([]string{
		r.CallID, strconv.Itoa(mockserver.DefaultSDKAppID), r.MediaType, r.RoomID, roomIDType,
		strconv.FormatInt(r.StartCallTs, 10), strconv.FormatInt(r.AcceptTs, 10), strconv.FormatInt(r.EndTs, 10),
		r.Caller, total, r.CallType, r.CallResult, strings.Join(r.Callees, ","),
	}, "|")
}

func expectedRows(recs []mockserver.Record, version string) knownvalue.Check {
	checks := make([]knownvalue.Check, 0, len(recs))
	for _, r := range recs {
		checks = append(checks, knownvalue.StringExact(expectedRow(r, version)))
	}
	return knownvalue.ListExact(checks)
}

// filterRecords is the test's own reading of a filter query over the mock's records.
func filterRecords(recs []mockserver.Record, start int64, callResult, callType string) []mockserver.Record {
	var out []mockserver.Record
	for _, r := range recs {
		if r.StartCallTs < start || (callResult != "" && r.CallResult != callResult) || (callType != "" && r.CallType != callType) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// errorText is the harness's errorPattern for literal diagnostic text: each further part may
// follow after any text (such as the "with data..." lines between summary and detail).
func errorText(parts ...string) *regexp.Regexp {
	quoted := make([]string, len(parts))
	for i, part := range parts {
		quoted[i] = regexp.QuoteMeta(part)
	}
	return errorPattern(strings.Join(quoted, ".*"))
}
