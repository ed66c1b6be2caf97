package provider

// The acceptance tests that need only the public API: each runs against the
// in-process mock in `make test` and against the live app in `make
// testacc-live` (live_test.go). Nothing here assumes what the service holds:
// callback configurations are the tests' own (every address carries the
// tf-acc-test mark), and records are checked by their invariants over a
// closed window that ended hours before the run, so nothing moves under the
// reads that span it.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/usersig"
)

// accTarget is where a live-capable test runs: a fresh in-process mock, or
// the app the environment names.
type accTarget struct {
	live      bool
	provider  string // the provider block
	client    *callkit.Client
	sdkAppID  int64
	secretKey string
	mockURL   string // "" in live mode
}

// newAccTarget returns the live app in live mode, else a mock started with
// opts. Callback tests run one at a time in live mode (they share the app's
// one configuration per generation): only in mock mode do they go parallel.
func newAccTarget(t *testing.T, opts mockserver.Options) accTarget {
	t.Helper()
	if liveMode() {
		client, err := liveClientFromEnv(os.Getenv)
		if err != nil {
			t.Fatal(err)
		}
		return accTarget{live: true, provider: `provider "tencentcallkit" {}` + "\n", client: client,
			sdkAppID: client.SDKAppID(), secretKey: os.Getenv(envSecretKey)}
	}
	t.Parallel()
	_, url := newTestMock(t, opts)
	client, err := callkit.New(callkit.Config{SDKAppID: mockserver.DefaultSDKAppID, SecretKey: mockserver.DefaultKey, Endpoint: url, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	return accTarget{provider: testProviderConfig(url), client: client, sdkAppID: mockserver.DefaultSDKAppID,
		secretKey: mockserver.DefaultKey, mockURL: url}
}

// liveWindow is a closed window well inside the 7-day retention that ended
// hours before the run: [now-3d, now-3h], on whole hours.
func liveWindow() (start, end int64) {
	e := time.Now().Truncate(time.Hour).Add(-3 * time.Hour)
	return e.Add(-69 * time.Hour).Unix(), e.Unix()
}

// TestAccLive_callback: create, update in place, import and destroy of the v1
// and v4 configurations, each apply followed by a plan that must be empty
// (resource.Test checks it), and the service holding what state says.
func TestAccLive_callback(t *testing.T) {
	for _, v := range []struct {
		name, importID string
		actionsA       []string
		actionsB       []string
		get            func(*callkit.Client) func(context.Context) (*callkit.Callback, error)
	}{
		{"v1", "", []string{"normal_end", "call_busy"}, []string{"normal_end", "caller_start_call"},
			func(c *callkit.Client) func(context.Context) (*callkit.Callback, error) { return c.GetCallback }},
		{"v4", "v4:", []string{"Call.CallbackAfterStartCall"}, []string{"Call.CallbackAfterEndCall", "Call.CallbackAfterMemberChanged"},
			func(c *callkit.Client) func(context.Context) (*callkit.Callback, error) { return c.GetCallbackV4 }},
	} {
		t.Run(v.name, func(t *testing.T) {
			target := newAccTarget(t, mockserver.Options{})
			addrA, addrB := liveAddress(v.name+"-a"), liveAddress(v.name+"-b")
			config := func(address string, actions []string) string {
				quoted, _ := json.Marshal(actions)
				return target.provider + fmt.Sprintf(`
resource "tencentcallkit_callback" "test" {
  api_version = %q
  address     = %q
  actions     = %s
}
`, v.name, address, quoted)
			}
			holds := func(want *callkit.Callback) resource.TestCheckFunc {
				return func(*terraform.State) error {
					got, err := readCallback(context.Background(), v.get(target.client))
					if err != nil {
						return err
					}
					if !sameSaved(got, want) {
						return fmt.Errorf("the service holds %+v, want %+v", got, want)
					}
					return nil
				}
			}
			const addr = "tencentcallkit_callback.test"
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             holds(nil), // nothing left: read back as absent
				Steps: []resource.TestStep{
					{
						Config: config(addrA, v.actionsA),
						Check:  holds(&callkit.Callback{Address: addrA, Actions: v.actionsA}),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(v.importID+strconv.FormatInt(target.sdkAppID, 10))),
							statecheck.ExpectKnownValue(addr, tfjsonpath.New("address"), knownvalue.StringExact(addrA)),
						},
					},
					{
						Config: config(addrB, v.actionsB),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
						},
						Check: holds(&callkit.Callback{Address: addrB, Actions: v.actionsB}),
					},
					{
						ResourceName:      addr,
						ImportState:       true,
						ImportStateId:     v.importID + strconv.FormatInt(target.sdkAppID, 10),
						ImportStateVerify: true,
					},
				},
			})
		})
	}
}

// liveRow is one record of records_json, as the invariants need it.
type liveRow struct {
	CallID      string   `json:"call_id"`
	StartCallTs int64    `json:"start_call_ts"`
	AcceptTs    int64    `json:"accept_ts"`
	EndTs       int64    `json:"end_ts"`
	Caller      string   `json:"caller"`
	Callees     []string `json:"callees"`
	CallType    string   `json:"call_type"`
	CallResult  string   `json:"call_result"`
}

// TestAccLive_records checks call_records, call_record and call_stats
// against each other over a closed window, through both API generations:
// ascending start, no call twice, total_num equal to the list (and to a
// count taken before), the first and last rows equal to the records looked up
// by their IDs, call_stats equal to what the list adds up to, and max_records
// exact (the count succeeds, one fewer fails).
func TestAccLive_records(t *testing.T) {
	for _, v := range []string{"v1", "v4"} {
		t.Run(v, func(t *testing.T) {
			target := newAccTarget(t, mockserver.Options{Records: 400, Seed: 33})
			start, end := liveWindow()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			before, err := target.client.ListAllRecords(ctx, callkit.APIVersion(v), callkit.RecordFilter{StartTimestamp: start, EndTimestamp: end}, defaultMaxRecords)
			var tooMany *callkit.TooManyRecordsError
			if errors.As(err, &tooMany) {
				t.Skipf("app %d has more than %d call records in the closed window: the record invariants read them all, at most the data sources' default max_records", target.sdkAppID, defaultMaxRecords)
			}
			if err != nil {
				t.Fatal(err)
			}
			n := len(before)
			if n == 0 {
				t.Skipf("no call records of app %d in the closed window %s to %s: the record invariants need some (CI starts the mock with -records)",
					target.sdkAppID, time.Unix(start, 0).UTC().Format(time.RFC3339), time.Unix(end, 0).UTC().Format(time.RFC3339))
			}
			window := fmt.Sprintf("  api_version     = %q\n  start_timestamp = %d\n  end_timestamp   = %d\n", v, start, end)
			config := target.provider + fmt.Sprintf(`
data "tencentcallkit_call_records" "all" {
%[1]s  records_format  = "json"
}

data "tencentcallkit_call_stats" "all" {
%[1]s}

locals {
  rows  = jsondecode(data.tencentcallkit_call_records.all.records_json)
  first = local.rows[0]
  last  = local.rows[length(local.rows) - 1]
}

data "tencentcallkit_call_record" "first" {
  api_version = %[2]q
  call_id     = local.first.call_id
}

data "tencentcallkit_call_record" "last" {
  api_version = %[2]q
  call_id     = local.last.call_id
}

output "pairs" {
  value = {
    first = [jsonencode(local.first), jsonencode({ for a, x in data.tencentcallkit_call_record.first : a => x if contains(keys(local.first), a) })]
    last  = [jsonencode(local.last), jsonencode({ for a, x in data.tencentcallkit_call_record.last : a => x if contains(keys(local.last), a) })]
  }
}
`, window, v)
			bounded := func(limit int) string {
				return target.provider + fmt.Sprintf("data \"tencentcallkit_call_records\" \"bounded\" {\n%s  max_records     = %d\n}\n", window, limit)
			}
			steps := []resource.TestStep{
				{Config: config, Check: checkRecordInvariants(n)},
				{Config: bounded(n), ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.tencentcallkit_call_records.bounded", tfjsonpath.New("total_num"), knownvalue.Int64Exact(int64(n))),
				}},
			}
			if n > 1 {
				steps = append(steps, resource.TestStep{Config: bounded(n - 1),
					ExpectError: regexp.MustCompile(`more than max_records = ` + strconv.Itoa(n-1))})
			}
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    steps,
			})
		})
	}
}

// checkRecordInvariants is the state check of TestAccLive_records.
func checkRecordInvariants(n int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		mod := s.RootModule()
		list, stats := mod.Resources["data.tencentcallkit_call_records.all"], mod.Resources["data.tencentcallkit_call_stats.all"]
		if list == nil || stats == nil {
			return errors.New("the data sources are missing from state")
		}
		var rows []liveRow
		if err := json.Unmarshal([]byte(list.Primary.Attributes["records_json"]), &rows); err != nil {
			return fmt.Errorf("records_json: %w", err)
		}
		if got := list.Primary.Attributes["total_num"]; got != strconv.Itoa(len(rows)) || len(rows) != n {
			return fmt.Errorf("total_num %s, %d rows, %d records counted before: all three must agree", got, len(rows), n)
		}
		seen := map[string]bool{}
		agg := callkit.NewStatsAggregator()
		for i, r := range rows {
			if i > 0 && r.StartCallTs < rows[i-1].StartCallTs {
				return fmt.Errorf("row %d (%s) starts at %d, before row %d at %d: not in ascending start", i, r.CallID, r.StartCallTs, i-1, rows[i-1].StartCallTs)
			}
			if seen[r.CallID] {
				return fmt.Errorf("call %s is listed twice", r.CallID)
			}
			seen[r.CallID] = true
			agg.Add([]callkit.Record{{CallID: r.CallID, StartCallTs: r.StartCallTs, AcceptTs: r.AcceptTs, EndTs: r.EndTs,
				Caller: r.Caller, Callees: r.Callees, CallType: r.CallType, CallResult: r.CallResult}})
		}
		if err := compareStats(agg.Stats(), stats.Primary.Attributes); err != nil {
			return err
		}
		pairs, ok := mod.Outputs["pairs"].Value.(map[string]any)
		if !ok || len(pairs) != 2 {
			return fmt.Errorf("output pairs is %#v", mod.Outputs["pairs"].Value)
		}
		for k, p := range pairs {
			pair, _ := p.([]any)
			if len(pair) != 2 || pair[0] == "" || pair[0] != pair[1] {
				return fmt.Errorf("the %s row and the record looked up by its ID differ:\n  list:   %v\n  lookup: %v", k, pair[0], pair[1])
			}
		}
		return nil
	}
}

// compareStats: call_stats equals what the list adds up to.
func compareStats(want callkit.Stats, got map[string]string) error {
	figures := map[string]int64{
		"call_count": want.CallCount, "connected_count": want.ConnectedCount, "participant_count": want.ParticipantCount,
		"max_concurrent_calls": want.MaxConcurrentCalls, "max_concurrent_single_calls": want.MaxConcurrentSingle,
		"max_concurrent_group_calls": want.MaxConcurrentGroup, "total_duration_seconds": want.TotalDurationSeconds,
		"results.%": int64(len(want.Results)),
	}
	for k, c := range want.Results {
		figures["results."+k] = c
	}
	for _, k := range slices.Sorted(maps.Keys(figures)) {
		if got[k] != strconv.FormatInt(figures[k], 10) {
			return fmt.Errorf("call_stats %s = %q, the list adds up to %d", k, got[k], figures[k])
		}
	}
	return nil
}

// TestAccLive_telCdrs checks tencentcallkit_tel_cdrs by its invariants over
// the closed window: total_count equal to the list, no session twice, every
// session started inside the window. Live, it needs the Tencent Cloud keys
// and the Cloud Contact Center app.
func TestAccLive_telCdrs(t *testing.T) {
	var provider string
	var cccApp int64
	if liveMode() {
		missing := []string{}
		for _, e := range []string{envCloudSecretID, envCloudSecretKey, envAccCCCSdkAppID} {
			if os.Getenv(e) == "" {
				missing = append(missing, e)
			}
		}
		if len(missing) > 0 {
			t.Skipf("live mode: tel_cdrs needs %v (Tencent Cloud keys and the Cloud Contact Center app): not set", missing)
		}
		target := newAccTarget(t, mockserver.Options{})
		id, err := strconv.ParseInt(os.Getenv(envAccCCCSdkAppID), 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", envAccCCCSdkAppID, err)
		}
		provider, cccApp = target.provider, id
	} else {
		t.Parallel()
		mock, url := newTestMock(t, mockserver.Options{CCCRecords: 300, Seed: 34})
		provider = testCCCConfig(url)
		cccApp = mock.CCCSdkAppID()
	}
	start, end := liveWindow()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: provider + fmt.Sprintf(`
data "tencentcallkit_tel_cdrs" "all" {
  ccc_sdk_app_id  = %d
  start_timestamp = %d
  end_timestamp   = %d
}
`, cccApp, start, end),
			Check: func(s *terraform.State) error {
				a := s.RootModule().Resources["data.tencentcallkit_tel_cdrs.all"].Primary.Attributes
				n, _ := strconv.Atoi(a["records.#"])
				if a["total_count"] != strconv.Itoa(n) {
					return fmt.Errorf("total_count %s, %d records", a["total_count"], n)
				}
				if n == 0 {
					t.Logf("no telephone records of Cloud Contact Center app %d in the window: only total_count = 0 was checked", cccApp)
				}
				seen := map[string]bool{}
				for i := range n {
					id := a[fmt.Sprintf("records.%d.session_id", i)]
					ts, _ := strconv.ParseInt(a[fmt.Sprintf("records.%d.start_timestamp", i)], 10, 64)
					if seen[id] {
						return fmt.Errorf("session %s is listed twice", id)
					}
					seen[id] = true
					if ts < start || ts > end {
						return fmt.Errorf("session %s started at %d, outside the window [%d, %d]", id, ts, start, end)
					}
				}
				return nil
			},
		}},
	})
}

// TestAccLive_usersig: the ephemeral UserSig verifies with the app's key for
// its user and lifetime, and is never stored.
func TestAccLive_usersig(t *testing.T) {
	target := newAccTarget(t, mockserver.Options{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   ephemeralVersionCheck,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactoriesWithEcho(),
		Steps: []resource.TestStep{{
			Config: target.provider + `
ephemeral "tencentcallkit_usersig" "test" {
  user_id        = "tf-acc-test-user"
  expire_seconds = 600
}

provider "echo" {
  data = ephemeral.tencentcallkit_usersig.test
}

resource "echo" "test" {}
`,
			ExpectNonEmptyPlan: openTofuPlansEphemeralOpens(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{expectOnlyEphemeralOpens()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("usersig"), knownvalue.StringFunc(func(sig string) error {
					now := time.Now()
					if err := usersig.Verify(target.sdkAppID, target.secretKey, "tf-acc-test-user", sig, now); err != nil {
						return fmt.Errorf("usersig does not verify now: %w", err)
					}
					if err := usersig.Verify(target.sdkAppID, target.secretKey, "tf-acc-test-user", sig, now.Add(11*time.Minute)); !errors.Is(err, usersig.ErrExpired) {
						return fmt.Errorf("usersig should have expired after 600 s, Verify says %v", err)
					}
					return nil
				})),
			},
		}},
	})
}

// TestAccLive_callbackCheck: the callback_check action sends v1 and v4
// samples to a receiver this test hosts (on 127.0.0.1), which acknowledges
// the app's own and refuses another app's. It changes nothing on the service.
func TestAccLive_callbackCheck(t *testing.T) {
	tf := newActionCLI(t)
	target := newAccTarget(t, mockserver.Options{})
	rc := newTestReceiver(t, nil)
	rc.sdkAppID = target.sdkAppID
	for _, v := range []struct{ version, action string }{{"v1", "normal_end"}, {"v4", "Call.CallbackAfterEndCall"}} {
		config := target.provider + fmt.Sprintf(`
action "tencentcallkit_callback_check" "test" {
  config {
    api_version      = %q
    address          = %q
    actions          = [%q]
    check_sdk_app_id = true
  }
}
`, v.version, rc.url("/"+liveMark+"/"+liveRunID+"/"+v.version), v.action)
		res := tf.invoke(t, config, checkAddr)
		res.requireSuccess(t)
		if msgs := res.messages(checkAddr); len(msgs) != 3 {
			t.Errorf("%s: progress messages %q, want the announcement, one acknowledgement and one refusal", v.version, msgs)
		}
	}
	if got := rc.requests(); len(got) != 4 {
		t.Errorf("the receiver got %d requests, want 4 (two per generation)", len(got))
	}
}
