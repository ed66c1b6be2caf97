package provider

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// received is one request a test receiver got.
type received struct {
	path     string
	rawQuery string
	query    url.Values
	body     map[string]any
	rawBody  []byte
}

// appParam is the query parameter naming the app: sdkappid (v1) or SdkAppid (v4).
func (r received) appParam() string {
	if r.query.Has("CallbackCommand") {
		return "SdkAppid"
	}
	return "sdkappid"
}

// testReceiver is a callback receiver for one test: it records every
// request and answers with answer (default: acknowledge this app's
// deliveries, refuse another app's with ErrorCode 1, as a receiver should).
type testReceiver struct {
	t        *testing.T
	srv      *httptest.Server
	sdkAppID int64

	mu  sync.Mutex
	got []received
	// answer, when set, writes the answer instead.
	answer func(w http.ResponseWriter, r received)
}

func newTestReceiver(t *testing.T, answer func(w http.ResponseWriter, r received)) *testReceiver {
	t.Helper()
	rc := &testReceiver{t: t, sdkAppID: mockserver.DefaultSDKAppID, answer: answer}
	rc.srv = httptest.NewServer(rc)
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *testReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	got := received{path: r.URL.Path, rawQuery: r.URL.RawQuery, query: r.URL.Query(), rawBody: raw}
	_ = json.Unmarshal(raw, &got.body)
	rc.mu.Lock()
	rc.got = append(rc.got, got)
	answer := rc.answer
	rc.mu.Unlock()
	if answer != nil {
		answer(w, got)
		return
	}
	ackOrRefuse(w, got, rc.sdkAppID)
}

// ackOrRefuse answers as a correct receiver of app sdkAppID does.
func ackOrRefuse(w http.ResponseWriter, r received, sdkAppID int64) {
	v4 := r.appParam() == "SdkAppid"
	ours := r.query.Get(r.appParam()) == strconv.FormatInt(sdkAppID, 10)
	switch {
	case v4 && ours:
		_, _ = io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)
	case v4:
		_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"not my app","ErrorCode":1}`)
	case ours:
		_, _ = io.WriteString(w, `{"ErrorCode":0,"ErrorMessage":"Success"}`)
	default:
		_, _ = io.WriteString(w, `{"ErrorCode":1,"ErrorMessage":"not my app"}`)
	}
}

func (rc *testReceiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

func (rc *testReceiver) url(path string) string { return rc.srv.URL + path }

// checkConfig is a provider block on mockURL and one action block named
// "test" with the given attribute lines.
func checkConfig(mockURL, attrs string) string {
	return testProviderConfig(mockURL) + fmt.Sprintf(`
action "tencentcallkit_callback_check" "test" {
  config {
%s
  }
}
`, attrs)
}

const checkAddr = "action.tencentcallkit_callback_check.test"

// wantMessages checks progress messages against patterns, one each, in order.
func wantMessages(t *testing.T, got []string, patterns ...string) {
	t.Helper()
	if len(got) != len(patterns) {
		t.Fatalf("got %d progress messages, want %d:\n  %s", len(got), len(patterns), strings.Join(got, "\n  "))
	}
	for i, p := range patterns {
		if !regexp.MustCompile(p).MatchString(got[i]) {
			t.Errorf("progress message %d = %q, want a match for %q", i+1, got[i], p)
		}
	}
}

// TestAccCallbackCheck_invokeReadsV1Configuration: -invoke without address
// reads the app's v1 configuration and sends one sample per subscribed word,
// then the foreign app's, each reported as it goes.
func TestAccCallbackCheck_invokeReadsV1Configuration(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	mock, mockURL := newTestMock(t, mockserver.Options{})
	rc := newTestReceiver(t, nil)
	mock.SetCallback(mockserver.Callback{Address: rc.url("/cb?token=s3cret"), Actions: []string{"caller_start_call", "normal_end"}})

	start := time.Now()
	res := tf.invoke(t, checkConfig(mockURL, `check_sdk_app_id = true`), checkAddr)
	res.requireSuccess(t)
	wantMessages(t, res.messages(checkAddr),
		`^Sending 3 sample deliveries \(v1\) to http://127\.0\.0\.1:\d+/cb, one at a time, 3s each at most$`,
		`^normal_end: acknowledged \(ErrorCode 0\) in \d+ ms$`,
		`^caller_start_call: acknowledged \(ErrorCode 0\) in \d+ ms$`,
		`^normal_end for SDKAppID 1400000001 \(another app's\): refused as it should be \(HTTP 200, ErrorCode 1, message "not my app"\) in \d+ ms$`,
	)
	// The address's query string is the receiver's business (a token, say):
	// no progress message names it.
	for _, m := range res.messages(checkAddr) {
		if strings.Contains(m, "s3cret") {
			t.Errorf("progress message names the address's query string: %q", m)
		}
	}
	got := rc.requests()
	if len(got) != 3 {
		t.Fatalf("the receiver got %d requests, want 3", len(got))
	}
	for i, want := range []struct{ word, app string }{{"normal_end", "1400000000"}, {"caller_start_call", "1400000000"}, {"normal_end", "1400000001"}} {
		assertV1Sample(t, got[i], want.word, want.app, start)
	}
}

// assertV1Sample checks a v1 delivery field by field (callkit-api.md §3).
func assertV1Sample(t *testing.T, r received, word, app string, start time.Time) {
	t.Helper()
	wantQuery := "token=s3cret&sdkappid=" + app + "&command=" + word + "&contenttype=json&clientip=192.0.2.1&optplatform=Web"
	if r.path != "/cb" || r.rawQuery != wantQuery {
		t.Errorf("%s: request %s?%s, want /cb?%s", word, r.path, r.rawQuery, wantQuery)
	}
	want := map[string]any{
		"UserId": "terraform-check", "RoomId": "terraform-check", "TotalNum": 2.0, "MediaType": "audio",
		"Role": "caller", "CallResult": word,
	}
	keys := []string{"CallId", "CallResult", "EventTime", "MediaType", "Role", "RoomId", "TotalNum", "UserId"}
	if word == "caller_start_call" {
		want["CallResult"], want["CallType"], want["Event"] = "", "single", "start_call"
		want["StartCallTs"], want["AcceptTs"], want["EndTs"] = 0.0, 0.0, 0.0
		keys = append(keys, "AcceptTs", "CallType", "EndTs", "Event", "StartCallTs")
	}
	assertBody(t, word, r.body, want, keys)
	assertCheckCallID(t, word, r.body["CallId"])
	assertUnixTime(t, word, "EventTime", r.body["EventTime"], start, time.Second)
}

func assertBody(t *testing.T, word string, body, want map[string]any, keys []string) {
	t.Helper()
	var gotKeys []string
	for k := range body {
		gotKeys = append(gotKeys, k)
	}
	slices.Sort(gotKeys)
	slices.Sort(keys)
	if !slices.Equal(gotKeys, keys) {
		t.Errorf("%s: body fields %v, want %v", word, gotKeys, keys)
	}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("%s: body %s = %#v, want %#v", word, k, body[k], v)
		}
	}
}

var checkCallIDRE = regexp.MustCompile(`^terraform-check-[0-9a-f]{16}$`)

func assertCheckCallID(t *testing.T, word string, id any) {
	t.Helper()
	if s, _ := id.(string); !checkCallIDRE.MatchString(s) {
		t.Errorf("%s: CallId %#v, want terraform-check-<16 hex>", word, id)
	}
}

// assertUnixTime checks that v is a whole number of units (seconds or
// milliseconds) since the epoch between start and now.
func assertUnixTime(t *testing.T, word, field string, v any, start time.Time, unit time.Duration) {
	t.Helper()
	f, ok := v.(float64)
	if !ok || f != float64(int64(f)) {
		t.Errorf("%s: %s = %#v, want an integer", word, field, v)
		return
	}
	lo, hi := start.Truncate(unit).UnixNano()/int64(unit), time.Now().UnixNano()/int64(unit)
	if int64(f) < lo || int64(f) > hi {
		t.Errorf("%s: %s = %d, want between %d and %d (unix %s)", word, field, int64(f), lo, hi, unit)
	}
}

// TestAccCallbackCheck_invalidConfig: bad input is refused at plan time,
// naming the attribute, the value and what is allowed, before any request
// to the service or the receiver.
func TestAccCallbackCheck_invalidConfig(t *testing.T) {
	t.Parallel()
	mock, mockURL := newTestMock(t, mockserver.Options{})
	rc := newTestReceiver(t, nil)
	addr := fmt.Sprintf("address = %q\n", rc.url("/cb"))
	var steps []resource.TestStep
	for _, c := range []struct{ attrs, want string }{
		{addr + `timeout = "3x"`, `Invalid Timeout.*Attribute timeout must be a Go duration such as "3s" or "500ms", got "3x"`},
		{addr + `timeout = "0s"`, `Invalid Timeout.*must be more than 0 and at most 1m0s, got "0s"`},
		{addr + `timeout = "2m"`, `Invalid Timeout.*at most 1m0s, got "2m"`},
		{addr + `actions = ["Normal_End"]`, `Invalid Callback Action.*"Normal_End" is not a v1 action word. Words are case-sensitive: did you mean "normal_end"\?`},
		{addr + `actions = ["Call.CallbackAfterEndCall"]`, `"Call.CallbackAfterEndCall" is a v4 command word: set api_version = "v4"`},
		{addr + "api_version = \"v4\"\nactions = [\"normal_end\"]", `"normal_end" is not a v4 command word`},
		{addr + `actions = []`, `Attribute actions set must contain at least 1 elements`},
		{addr + `api_version = "v2"`, `Attribute api_version value must be one of: \["v1" "v4"\], got: "v2"`},
		{`address = "ftp://example.com/cb"`, `Invalid Callback Address.*got "ftp://example.com/cb": the scheme must be http or https`},
	} {
		steps = append(steps, resource.TestStep{
			Config:      checkConfig(mockURL, c.attrs) + testCallbackResource,
			PlanOnly:    true,
			ExpectError: errorPattern(c.want),
		})
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   actionVersionChecks,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
	assertNoAPICalls(t, mock)
	if got := rc.requests(); len(got) > 0 {
		t.Errorf("the receiver got %d requests from invalid configurations", len(got))
	}
}

// TestAccCallbackCheck_noConfiguration: without address, an app without a
// configuration of the generation is an error that says so.
func TestAccCallbackCheck_noConfiguration(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	_, mockURL := newTestMock(t, mockserver.Options{})
	tf.invoke(t, checkConfig(mockURL, `api_version = "v4"`), checkAddr).requireErrors(t,
		`No Callback Configuration.*the app's v4 callback configuration, but SDKAppID 1400000000 has none \(v4/call_config/get_callback\). `+
			`Set address, or create the configuration first \(tencentcallkit_callback with api_version = "v4"\)`)
}
