// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/ccc"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// testCCCProviderConfig is a provider block pointing both API families at
// one mock, with the given Tencent Cloud API key pair.
func testCCCProviderConfig(mockURL, secretID, secretKey string, maxRetries int) string {
	return fmt.Sprintf(`
provider "tencentcallkit" {
  endpoint                = %[1]q
  sdk_app_id              = %[2]d
  secret_key              = %[3]q
  max_retries             = %[6]d
  request_timeout         = "5s"
  ccc_endpoint            = %[1]q
  tencentcloud_secret_id  = %[4]q
  tencentcloud_secret_key = %[5]q
}
`, mockURL, mockserver.DefaultSDKAppID, mockserver.DefaultKey, secretID, secretKey, maxRetries)
}

func testCCCConfig(mockURL string) string {
	return testCCCProviderConfig(mockURL, mockserver.DefaultCCCSecretID, mockserver.DefaultCCCSecretKey, 1)
}

// cccWindow is a time range that covers every record the mock generates (the
// 30 days before its start) and stays under the API's 90-day limit.
func cccWindow() (start, end int64) {
	now := time.Now()
	return now.Add(-31 * 24 * time.Hour).Unix(), now.Add(time.Hour).Unix()
}

// telCdrRowsOutput flattens every record of a list into one string per
// record: every non-sensitive attribute, nested ones included.
func telCdrRowsOutput(name, records string) string {
	return fmt.Sprintf(`
output %q {
  value = [for r in %s : join("|", [
    r.session_id, r.caller, r.callee, tostring(r.direction), tostring(r.start_timestamp),
    tostring(r.queued_timestamp), tostring(r.ring_timestamp), tostring(r.accept_timestamp),
    tostring(r.ended_timestamp), tostring(r.duration), tostring(r.end_status), r.end_status_string,
    r.hung_up_side, r.skill_group, tostring(r.skill_group_id), tostring(r.queued_skill_group_id),
    r.queued_skill_group_name,
    r.seat_user == null ? "-" : join(",", [r.seat_user.user_id, r.seat_user.name, r.seat_user.nick, r.seat_user.phone, r.seat_user.mail, r.seat_user.staff_number]),
    join(";", [for p in r.serve_participants : join(",", [
      tostring(p.sequence), p.type, p.mail, p.phone, tostring(p.skill_group_id), p.skill_group_name,
      tostring(p.start_timestamp), tostring(p.ring_timestamp), tostring(p.accept_timestamp), tostring(p.ended_timestamp),
      p.end_status_string, p.record_id, p.transfer_from, p.transfer_to, p.transfer_to_type,
    ])]),
    tostring(r.ivr_duration), join(",", r.ivr_key_pressed), r.record_id, r.caller_location, r.remark, r.uui,
  ])]
}
`, name, records)
}

// expectedTelCdrRow is the test's own rendering of a mock record as
// telCdrRowsOutput shows it.
func expectedTelCdrRow(r mockserver.TelCdr) string {
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	seat := "-"
	if u := r.SeatUser; u != nil {
		seat = strings.Join([]string{u.UserID, u.Name, u.Nick, u.Phone, u.Mail, u.StaffNumber}, ",")
	}
	parts := make([]string, len(r.ServeParticipants))
	for k, p := range r.ServeParticipants {
		parts[k] = strings.Join([]string{
			strconv.Itoa(p.Sequence), p.Type, p.Mail, p.Phone, i(p.SkillGroupID), p.SkillGroupName,
			i(p.StartTimestamp), i(p.RingTimestamp), i(p.AcceptTimestamp), i(p.EndedTimestamp),
			p.EndStatusString, p.RecordID, p.TransferFrom, p.TransferTo, p.TransferToType,
		}, ",")
	}
	return strings.Join([]string{
		r.SessionID, r.Caller, r.Callee, strconv.Itoa(r.Direction), i(r.StartTimestamp),
		i(r.QueuedTimestamp), i(r.RingTimestamp), i(r.AcceptTimestamp), i(r.EndedTimestamp), i(r.Duration),
		strconv.Itoa(r.EndStatus), r.EndStatusString, r.HungUpSide, r.SkillGroup, i(r.SkillGroupID), i(r.QueuedSkillGroupID),
		r.QueuedSkillGroupName, seat, strings.Join(parts, ";"),
		i(r.IVRDuration), strings.Join(r.IVRKeyPressed, ","), r.RecordID, r.CallerLocation, r.Remark, r.UUI,
	}, "|")
}

func expectedTelCdrRows(recs []mockserver.TelCdr) knownvalue.Check {
	checks := make([]knownvalue.Check, 0, len(recs))
	for _, r := range recs {
		checks = append(checks, knownvalue.StringExact(expectedTelCdrRow(r)))
	}
	return knownvalue.ListExact(checks)
}

// TestAccTelCdrs_allPages reads every page of 321 records and compares the
// whole answer, the sensitive recording URLs included, with the mock's records.
func TestAccTelCdrs_allPages(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{CCCRecords: 321, Seed: 31, RateLimit: true})
	recs := mock.TelCdrs()
	start, end := cccWindow()
	voicemail, custom, transfer := -1, -1, -1
	for i, r := range recs {
		switch {
		case voicemail < 0 && len(r.VoicemailRecordURL) > 0:
			voicemail = i
		case custom < 0 && r.CustomRecordURL != "":
			custom = i
		case transfer < 0 && len(r.ServeParticipants) > 1:
			transfer = i
		}
	}
	if len(recs) != 321 || voicemail < 0 || custom < 0 || transfer < 0 {
		t.Fatalf("seed 31 gives %d records, voicemail at %d, custom recording at %d, transfer at %d: pick a seed with all three",
			len(recs), voicemail, custom, transfer)
	}
	ds := "data.tencentcallkit_tel_cdrs.all"
	at := func(i int, attr string) tfjsonpath.Path {
		return tfjsonpath.New("records").AtSliceIndex(i).AtMapKey(attr)
	}
	recording := func(i int, attr string) tfjsonpath.Path {
		return tfjsonpath.New("recordings").AtMapKey(recs[i].SessionID).AtMapKey(attr)
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testCCCConfig(url) + fmt.Sprintf(`
data "tencentcallkit_tel_cdrs" "all" {
  ccc_sdk_app_id  = %d
  start_timestamp = %d
  end_timestamp   = %d
}
`, mockserver.DefaultCCCSdkAppID, start, end) + telCdrRowsOutput("rows", ds+".records"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("total_count"), knownvalue.Int64Exact(321)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("records"), knownvalue.ListSizeExact(321)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("page_size"), knownvalue.Int64Exact(100)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("page_number"), knownvalue.Null()),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("phones"), knownvalue.Null()),
				statecheck.ExpectKnownOutputValue("rows", expectedTelCdrRows(recs)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("recordings"), knownvalue.MapSizeExact(321)),
				statecheck.ExpectKnownValue(ds, recording(custom, "record_url"), knownvalue.StringExact(recs[custom].RecordURL)),
				statecheck.ExpectKnownValue(ds, recording(custom, "custom_record_url"), knownvalue.StringExact(recs[custom].CustomRecordURL)),
				statecheck.ExpectKnownValue(ds, recording(voicemail, "voicemail_record_url"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(recs[voicemail].VoicemailRecordURL[0])})),
				statecheck.ExpectKnownValue(ds, recording(voicemail, "record_url"), knownvalue.StringExact(recs[voicemail].RecordURL)),
				statecheck.ExpectKnownValue(ds, recording(voicemail, "custom_record_url"), knownvalue.StringExact(recs[voicemail].CustomRecordURL)),
				statecheck.ExpectKnownValue(ds, recording(custom, "voicemail_record_url"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(ds, at(voicemail, "seat_user"), knownvalue.Null()),
				statecheck.ExpectKnownValue(ds, at(transfer, "serve_participants"), knownvalue.ListSizeExact(len(recs[transfer].ServeParticipants))),
			},
		}},
	})
	// 321 records at 100 a page: pages 0..3, each asked once per plan and apply.
	st := mock.Stats()
	if n := st.Requests["ccc/DescribeTelCdr"]; n < 4 || n%4 != 0 {
		t.Errorf("DescribeTelCdr was asked %d times, want whole walks of 4 pages", n)
	}
	if st.RateLimited != 0 {
		t.Errorf("the mock refused %d requests over its 20/s limit", st.RateLimited)
	}
}

// twoPhones picks two phone numbers of recs (seed 32's) and the records to or
// from either: the test's own reading of the phones filter.
func twoPhones(t *testing.T, recs []mockserver.TelCdr) (phoneA, phoneB string, byPhone []mockserver.TelCdr) {
	t.Helper()
	phoneA, phoneB = recs[10].Caller, recs[20].Callee
	for _, r := range recs {
		if r.Caller == phoneA || r.Callee == phoneA || r.Caller == phoneB || r.Callee == phoneB {
			byPhone = append(byPhone, r)
		}
	}
	if len(byPhone) < 3 || len(byPhone) == len(recs) {
		t.Fatalf("seed 32: phones %s and %s are in %d of %d records", phoneA, phoneB, len(byPhone), len(recs))
	}
	return phoneA, phoneB, byPhone
}

// TestAccTelCdrs_filters checks the phones and session_ids filters against
// the test's own reading of them over the mock's records.
func TestAccTelCdrs_filters(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{CCCRecords: 400, Seed: 32})
	recs := mock.TelCdrs()
	start, end := cccWindow()
	phoneA, phoneB, byPhone := twoPhones(t, recs)
	bySession := []mockserver.TelCdr{recs[7], recs[123], recs[399]}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testCCCConfig(url) + fmt.Sprintf(`
data "tencentcallkit_tel_cdrs" "phones" {
  ccc_sdk_app_id  = %[1]d
  start_timestamp = %[2]d
  end_timestamp   = %[3]d
  phones          = [%[4]q, %[5]q]
  page_size       = 7
}

data "tencentcallkit_tel_cdrs" "sessions" {
  ccc_sdk_app_id  = %[1]d
  start_timestamp = %[2]d
  end_timestamp   = %[3]d
  session_ids     = [%[6]q, %[7]q, %[8]q, "no-such-session"]
}
`, mockserver.DefaultCCCSdkAppID, start, end, phoneA, phoneB, bySession[0].SessionID, bySession[1].SessionID, bySession[2].SessionID) +
				telCdrRowsOutput("phones", "data.tencentcallkit_tel_cdrs.phones.records") +
				telCdrRowsOutput("sessions", "data.tencentcallkit_tel_cdrs.sessions.records"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.phones", tfjsonpath.New("total_count"), knownvalue.Int64Exact(int64(len(byPhone)))),
				statecheck.ExpectKnownOutputValue("phones", expectedTelCdrRows(byPhone)),
				statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.sessions", tfjsonpath.New("total_count"), knownvalue.Int64Exact(3)),
				statecheck.ExpectKnownOutputValue("sessions", expectedTelCdrRows(bySession)),
			},
		}},
	})
}

// TestAccTelCdrs_page reads single pages: exactly that slice of the records,
// and total_count is the service's count.
func TestAccTelCdrs_page(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{CCCRecords: 250, Seed: 33})
	recs := mock.TelCdrs()
	start, end := cccWindow()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testCCCConfig(url) + fmt.Sprintf(`
data "tencentcallkit_tel_cdrs" "third" {
  ccc_sdk_app_id  = %[1]d
  start_timestamp = %[2]d
  end_timestamp   = %[3]d
  page_size       = 40
  page_number     = 2
}

data "tencentcallkit_tel_cdrs" "first" {
  ccc_sdk_app_id  = %[1]d
  start_timestamp = %[2]d
  end_timestamp   = %[3]d
  page_number     = 0
}

data "tencentcallkit_tel_cdrs" "past_the_end" {
  ccc_sdk_app_id  = %[1]d
  start_timestamp = %[2]d
  end_timestamp   = %[3]d
  page_number     = 9
}
`, mockserver.DefaultCCCSdkAppID, start, end) +
				telCdrRowsOutput("third", "data.tencentcallkit_tel_cdrs.third.records") +
				telCdrRowsOutput("first", "data.tencentcallkit_tel_cdrs.first.records"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("third", expectedTelCdrRows(recs[80:120])),
				statecheck.ExpectKnownOutputValue("first", expectedTelCdrRows(recs[0:100])),
				statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.third", tfjsonpath.New("total_count"), knownvalue.Int64Exact(250)),
				statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.third", tfjsonpath.New("page_number"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.first", tfjsonpath.New("total_count"), knownvalue.Int64Exact(250)),
				statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.past_the_end", tfjsonpath.New("total_count"), knownvalue.Int64Exact(250)),
				statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.past_the_end", tfjsonpath.New("records"), knownvalue.ListSizeExact(0)),
			},
		}},
	})
}

// TestAccTelCdrs_empty: nothing matching is total_count = 0 and records = [],
// not an error and not null.
func TestAccTelCdrs_empty(t *testing.T) {
	t.Parallel()
	_, url := newTestMock(t, mockserver.Options{CCCRecords: 50, Seed: 34})
	start, end := cccWindow()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testCCCConfig(url) + fmt.Sprintf(`
data "tencentcallkit_tel_cdrs" "nobody" {
  ccc_sdk_app_id  = %[1]d
  start_timestamp = %[2]d
  end_timestamp   = %[3]d
  phones          = ["00000000000"]
}

data "tencentcallkit_tel_cdrs" "future" {
  ccc_sdk_app_id  = %[1]d
  start_timestamp = %[3]d
  end_timestamp   = %[4]d
  page_number     = 0
}
`, mockserver.DefaultCCCSdkAppID, start, end, end+86400),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.nobody", tfjsonpath.New("total_count"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.nobody", tfjsonpath.New("records"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.nobody", tfjsonpath.New("recordings"), knownvalue.MapExact(map[string]knownvalue.Check{})),
				statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.future", tfjsonpath.New("total_count"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.future", tfjsonpath.New("records"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

// TestAccTelCdrs_authFailure: a wrong key or SecretId is an AuthFailure
// diagnostic that names the credential settings; a wrong application names
// ccc_sdk_app_id. None is retried.
func TestAccTelCdrs_authFailure(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{CCCRecords: 10})
	start, end := cccWindow()
	ds := func(app int64) string {
		return fmt.Sprintf(`
data "tencentcallkit_tel_cdrs" "test" {
  ccc_sdk_app_id  = %d
  start_timestamp = %d
  end_timestamp   = %d
}
`, app, start, end)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testCCCProviderConfig(url, mockserver.DefaultCCCSecretID, "wrong-ccc-secret-key", 3) + ds(mockserver.DefaultCCCSdkAppID),
				ExpectError: errorText("Unable to Read Telephone Call Records", "AuthFailure.SignatureFailure", "after 1 attempt(s)",
					"Check tencentcloud_secret_id and tencentcloud_secret_key", "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY"),
			},
			{
				Config: testCCCProviderConfig(url, "AKIDnotthemockskey", mockserver.DefaultCCCSecretKey, 3) + ds(mockserver.DefaultCCCSdkAppID),
				ExpectError: errorText("Unable to Read Telephone Call Records", "AuthFailure.SecretIdNotFound",
					"Check tencentcloud_secret_id and tencentcloud_secret_key"),
			},
			{
				Config:      testCCCConfig(url) + ds(1400009999),
				ExpectError: errorText("InvalidParameterValue.InstanceNotExist", "Check ccc_sdk_app_id"),
			},
		},
	})
	st := mock.Stats()
	if st.Applied["ccc/DescribeTelCdr"] != 0 || st.Requests["ccc/DescribeTelCdr"] != 3 {
		t.Errorf("stats %+v: want three refused requests, none retried", st)
	}
}

// TestAccTelCdrs_validation: every bad input fails at plan time with a
// message naming the attribute, the value and what is allowed, before any
// API request.
func TestAccTelCdrs_validation(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{CCCRecords: 10})
	start, _ := cccWindow()
	step := func(body, want string) resource.TestStep {
		return resource.TestStep{
			Config:      testCCCConfig(url) + "data \"tencentcallkit_tel_cdrs\" \"test\" {\n" + body + "\n}\n",
			PlanOnly:    true,
			ExpectError: errorPattern(want),
		}
	}
	base := func(end int64, extra string) string {
		return fmt.Sprintf("  ccc_sdk_app_id  = %d\n  start_timestamp = %d\n  end_timestamp   = %d\n%s", mockserver.DefaultCCCSdkAppID, start, end, extra)
	}
	day := int64(86400)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(base(start-1, ""), fmt.Sprintf(`Invalid Time Range.*end_timestamp \(%d\) must be after start_timestamp \(%d\)`, start-1, start)),
			step(base(start, ""), fmt.Sprintf(`end_timestamp \(%d\) must be after start_timestamp \(%d\)`, start, start)),
			step(base(start+90*day, ""), `Invalid Time Range.*is 7776000 seconds \(90.0 days\); Cloud Contact Center answers only for ranges under 90 days \(7776000 seconds\)`),
			step(base(start+200*day, ""), `is 17280000 seconds \(200.0 days\).*under 90 days`),
			step(base(start+day, "  page_size = 0"), `Attribute page_size value must be between 1 and 100, got: 0`),
			step(base(start+day, "  page_size = 101"), `Attribute page_size value must be between 1 and 100, got: 101`),
			step(base(start+day, "  page_number = -1"), `Attribute page_number value must be at least 0, got: -1`),
			step(base(start+day, "  phones = []"), `Attribute phones list must contain at least 1 elements, got: 0`),
			step(base(start+day, `  session_ids = ["a", ""]`), `Attribute session_ids\[1\] string length must be at least 1, got: 0`),
			step(fmt.Sprintf("  ccc_sdk_app_id = 0\n  start_timestamp = %d\n  end_timestamp = %d", start, start+day), `Attribute ccc_sdk_app_id value must be at least 1, got: 0`),
			step(fmt.Sprintf("  ccc_sdk_app_id = 1\n  start_timestamp = -5\n  end_timestamp = %d", start), `Attribute start_timestamp value must be at least 0, got: -5`),
			step(fmt.Sprintf("  ccc_sdk_app_id = 1\n  start_timestamp = %d", start), `Missing End of Time Window.*end_timestamp \(Unix seconds\) is required with start_timestamp`),
		},
	})
	assertNoAPICalls(t, mock)
}

// TestAccTelCdrs_sharedLimiter: four data sources read every page at once
// through one provider with no retries; one shared 20/s limiter keeps the
// mock's own 20/s limit from refusing any of the 40 requests of a read (four
// limiters of 20/s each would send them in half a second and be refused).
func TestAccTelCdrs_sharedLimiter(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{CCCRecords: 300, Seed: 35, RateLimit: true})
	start, end := cccWindow()
	var cfg strings.Builder
	cfg.WriteString(testCCCProviderConfig(url, mockserver.DefaultCCCSecretID, mockserver.DefaultCCCSecretKey, 0))
	var checks []statecheck.StateCheck
	for i := range 4 {
		fmt.Fprintf(&cfg, `
data "tencentcallkit_tel_cdrs" "r%d" {
  ccc_sdk_app_id  = %d
  start_timestamp = %d
  end_timestamp   = %d
  page_size       = 30
}
`, i, mockserver.DefaultCCCSdkAppID, start, end)
		checks = append(checks, statecheck.ExpectKnownValue(fmt.Sprintf("data.tencentcallkit_tel_cdrs.r%d", i), tfjsonpath.New("total_count"), knownvalue.Int64Exact(300)))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: cfg.String(), ConfigStateChecks: checks}},
	})
	if st := mock.Stats(); st.RateLimited != 0 {
		t.Errorf("the mock refused %d requests over its 20/s limit", st.RateLimited)
	}
}

// TestAccTelCdrs_missingCredentials: without a Tencent Cloud key pair the data
// source is a clear error naming the attributes and the environment variables,
// before any request; the same pair from the environment works. Not parallel
// (t.Setenv).
func TestAccTelCdrs_missingCredentials(t *testing.T) {
	mock, url := newTestMock(t, mockserver.Options{CCCRecords: 20, Seed: 36})
	t.Setenv(envCloudSecretID, "")
	t.Setenv(envCloudSecretKey, "")
	start, end := cccWindow()
	provider := func(lines string) string {
		return fmt.Sprintf(`
provider "tencentcallkit" {
  endpoint     = %[1]q
  sdk_app_id   = %[2]d
  secret_key   = %[3]q
  ccc_endpoint = %[1]q
  max_retries  = 0
%[4]s
}

data "tencentcallkit_tel_cdrs" "test" {
  ccc_sdk_app_id  = %[5]d
  start_timestamp = %[6]d
  end_timestamp   = %[7]d
}
`, url, mockserver.DefaultSDKAppID, mockserver.DefaultKey, lines, mockserver.DefaultCCCSdkAppID, start, end)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:   provider(""),
				PlanOnly: true,
				ExpectError: errorText("Missing Tencent Cloud API Credentials", "the provider has no tencentcloud_secret_id and no tencentcloud_secret_key",
					"Set tencentcloud_secret_id and tencentcloud_secret_key in the provider configuration", "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY environment variables"),
			},
			{
				Config:      provider(fmt.Sprintf("  tencentcloud_secret_id = %q", mockserver.DefaultCCCSecretID)),
				PlanOnly:    true,
				ExpectError: errorText("Missing Tencent Cloud API Credentials", "the provider has no tencentcloud_secret_key.", "TENCENTCLOUD_SECRET_KEY"),
			},
			{
				PreConfig: func() { assertNoAPICalls(t, mock) },
				Config:    provider(fmt.Sprintf("  tencentcloud_secret_key = %q", mockserver.DefaultCCCSecretKey)),
				PlanOnly:  true,
				ExpectError: errorText("Missing Tencent Cloud API Credentials", "the provider has no tencentcloud_secret_id.",
					"TENCENTCLOUD_SECRET_ID"),
			},
			{
				// The environment variables stand in for both attributes.
				PreConfig: func() {
					assertNoAPICalls(t, mock)
					t.Setenv(envCloudSecretID, mockserver.DefaultCCCSecretID)
					t.Setenv(envCloudSecretKey, mockserver.DefaultCCCSecretKey)
				},
				Config: provider(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.test", tfjsonpath.New("total_count"), knownvalue.Int64Exact(20)),
				},
			},
		},
	})
}

// TestTelCdrsSchema: the schema is valid, every attribute is documented, the
// recording URLs are sensitive, and nothing inside records is (see
// recordingModel for why).
func TestTelCdrsSchema(t *testing.T) {
	t.Parallel()
	var resp datasource.SchemaResponse
	NewTelCdrsDataSource().Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatal(diags)
	}
	var walk func(prefix string, attrs map[string]schema.Attribute, inRecords bool)
	walk = func(prefix string, attrs map[string]schema.Attribute, inRecords bool) {
		for name, a := range attrs {
			p := prefix + name
			if a.GetMarkdownDescription() == "" {
				t.Errorf("%s has no MarkdownDescription", p)
			}
			if inRecords && a.IsSensitive() {
				t.Errorf("%s is sensitive inside records: one mark per record makes Terraform quadratic", p)
			}
			switch n := a.(type) {
			case schema.ListNestedAttribute:
				walk(p+".", n.NestedObject.Attributes, inRecords || name == "records")
			case schema.MapNestedAttribute:
				walk(p+".", n.NestedObject.Attributes, inRecords)
			case schema.SingleNestedAttribute:
				walk(p+".", n.Attributes, inRecords)
			}
		}
	}
	walk("", resp.Schema.Attributes, false)
	if !resp.Schema.Attributes["recordings"].IsSensitive() {
		t.Error("recordings is not sensitive")
	}
	if !resp.Schema.Attributes["ccc_sdk_app_id"].IsRequired() {
		t.Error("ccc_sdk_app_id is not required")
	}
	// Either start_timestamp and end_timestamp, or lookback: ValidateConfig
	// requires them, so that lookback can stand in for both.
	for _, name := range []string{"start_timestamp", "end_timestamp", "lookback"} {
		if a := resp.Schema.Attributes[name]; a == nil || !a.IsOptional() {
			t.Errorf("%s is not optional", name)
		}
	}
	if d := resp.Schema.Attributes["recordings"].GetMarkdownDescription(); !strings.Contains(d, "a record without one") {
		t.Errorf("recordings does not say what a record without session_id gets: %s", d)
	}
}

// TestTelCdrModelFrom: absent values are null, absent lists are empty, and
// Time stands in for a missing StartTimestamp.
func TestTelCdrModelFrom(t *testing.T) {
	t.Parallel()
	id, tm, url := "s-1", int64(1700000000), "https://rec.example.com/s-1.mp3"
	m := telCdrModelFrom(ccc.TelCdrInfo{SessionId: &id, Time: &tm, ServeParticipants: []*ccc.ServeParticipant{nil}})
	if m.StartTimestamp != types.Int64Value(tm) || !m.Caller.IsNull() || !m.Duration.IsNull() || m.SeatUser != nil {
		t.Errorf("model %+v", m)
	}
	if m.ServeParticipants == nil || len(m.ServeParticipants) != 0 || m.IVRKeyPressed == nil || len(m.IVRKeyPressed) != 0 {
		t.Errorf("lists must be empty, not null: %+v", m)
	}
	start := int64(1700000005)
	m = telCdrModelFrom(ccc.TelCdrInfo{SessionId: &id, Time: &tm, StartTimestamp: &start, SeatUser: &ccc.SeatUserInfo{UserId: &id}})
	if m.StartTimestamp != types.Int64Value(start) || m.SeatUser == nil || m.SeatUser.UserID != types.StringValue(id) || !m.SeatUser.Mail.IsNull() {
		t.Errorf("model %+v", m)
	}
	recs := recordingsFrom([]ccc.TelCdrInfo{{SessionId: &id, RecordURL: &url, VoicemailRecordURL: []*string{nil, &url}}, {}})
	if len(recs) != 1 || recs[id].RecordURL != types.StringValue(url) || !recs[id].CustomRecordURL.IsNull() || len(recs[id].VoicemailRecordURL) != 1 {
		t.Errorf("recordings %+v", recs)
	}
}

// TestAccTelCdrs_secretsNotLeaked reads telephone records with TRACE logging
// to a file, then fails authentication with a wrong key, and looks for the
// right and the wrong Tencent Cloud secret key in the log, the plans, the
// state, every file of Terraform's working directory and the diagnostic.
// Not parallel: t.Setenv (the keys come from the environment).
func TestAccTelCdrs_secretsNotLeaked(t *testing.T) {
	const wrongKey = "wrong-ccc-secret-key-5e1d7c3b9f"
	mock, url := newTestMock(t, mockserver.Options{CCCRecords: 40, Seed: 37, CCCSecretKey: "ccc-secret-key-for-the-leak-test-8a6c"})
	dir := t.TempDir()
	logPath, workDir := filepath.Join(dir, "terraform-trace.log"), filepath.Join(dir, "work")
	if err := os.Mkdir(workDir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("TF_ACC_PERSIST_WORKING_DIR", "1")
	t.Setenv(envSecretKey, mockserver.DefaultKey)
	t.Setenv(envCloudSecretID, mockserver.DefaultCCCSecretID)
	t.Setenv(envCloudSecretKey, "ccc-secret-key-for-the-leak-test-8a6c")

	scan := newSecretScan()
	scan.add("the Tencent Cloud secret key", "ccc-secret-key-for-the-leak-test-8a6c")
	scan.add("the wrong Tencent Cloud secret key", wrongKey)
	scan.add("the app's secret key", mockserver.DefaultKey)

	start, end := cccWindow()
	config := fmt.Sprintf(`
provider "tencentcallkit" {
  endpoint     = %[1]q
  sdk_app_id   = %[2]d
  ccc_endpoint = %[1]q
  max_retries  = 0
}

data "tencentcallkit_tel_cdrs" "all" {
  ccc_sdk_app_id  = %[3]d
  start_timestamp = %[4]d
  end_timestamp   = %[5]d
}
`, url, mockserver.DefaultSDKAppID, mockserver.DefaultCCCSdkAppID, start, end)

	var diagnostics []string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		WorkingDir:               workDir,
		ErrorCheck: func(err error) error {
			if err != nil && strings.Contains(err.Error(), "AuthFailure.SignatureFailure") {
				diagnostics = append(diagnostics, err.Error())
				return nil
			}
			return err
		},
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{secretPlanCheck{scan}}},
				ConfigStateChecks: []statecheck.StateCheck{secretStateCheck{scan}, statecheck.ExpectKnownValue("data.tencentcallkit_tel_cdrs.all", tfjsonpath.New("total_count"), knownvalue.Int64Exact(40))},
			},
			{
				PreConfig: func() { t.Setenv(envCloudSecretKey, wrongKey) },
				Config:    config,
			},
		},
	})
	if len(diagnostics) != 1 || !strings.Contains(strings.Join(strings.Fields(diagnostics[0]), " "), "Check tencentcloud_secret_id and tencentcloud_secret_key") {
		t.Fatalf("expected one AuthFailure diagnostic from the wrong-key step, got %q", diagnostics)
	}
	scan.scanRun(t, logPath, workDir,
		[]string{"Cloud Contact Center API request", "DescribeTelCdr", "AuthFailure.SignatureFailure", "[TRACE]"},
		scan.find("the AuthFailure diagnostic", []byte(diagnostics[0])))
	if st := mock.Stats(); st.Applied["ccc/DescribeTelCdr"] == 0 {
		t.Errorf("stats %+v: the good step read nothing", st)
	}
}
