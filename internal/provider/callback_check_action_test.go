package provider

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
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
	header   http.Header
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

	// done is closed when the test ends, releasing handlers that hang.
	done chan struct{}

	mu  sync.Mutex
	got []received
	// answer, when set, writes the answer instead.
	answer func(w http.ResponseWriter, r received)
}

func newTestReceiver(t *testing.T, answer func(w http.ResponseWriter, r received)) *testReceiver {
	t.Helper()
	rc := &testReceiver{t: t, sdkAppID: mockserver.DefaultSDKAppID, answer: answer, done: make(chan struct{})}
	rc.srv = httptest.NewServer(rc)
	t.Cleanup(func() {
		close(rc.done)
		rc.srv.Close()
	})
	return rc
}

func (rc *testReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	got := received{header: r.Header.Clone(), path: r.URL.Path, rawQuery: r.URL.RawQuery, query: r.URL.Query(), rawBody: raw}
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
	tf.env = append(tf.env, "TF_LOG_PROVIDER=DEBUG")
	res := tf.invoke(t, checkConfig(mockURL, `check_sdk_app_id = true`), checkAddr)
	res.requireSuccess(t)
	assertNothingSecret(t, res, rc)
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

// assertNothingSecret: no key, UserSig or administrator identifier reaches
// the receiver, and the provider's log names the address without its query
// string (a receiver's token).
func assertNothingSecret(t *testing.T, res actionResult, rc *testReceiver) {
	t.Helper()
	if !strings.Contains(res.stderr, "Callback check sample") {
		t.Fatalf("the provider's debug log has no sample entries:\n%s", res.stderr)
	}
	if strings.Contains(res.stderr, "s3cret") {
		t.Errorf("the provider's log names the address's query string:\n%s", res.stderr)
	}
	for _, r := range rc.requests() {
		all := fmt.Sprint(r.header) + r.rawQuery + string(r.rawBody)
		for _, secret := range []string{mockserver.DefaultKey, "usersig", "UserSig", "identifier", mockserver.DefaultIdentifier} {
			if strings.Contains(all, secret) {
				t.Errorf("a sample carries %q: %s", secret, all)
			}
		}
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
		{addr + `actions = ["Normal_End"]`, `Invalid Callback Action.*"Normal_End" is not a v1 action word. Did you mean "normal_end"\? Valid values for api_version = "v1": "cancel", "reject"`},
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

// TestAccCallbackCheck_invokeV4Shape: v4 samples carry the v4 parameter
// spellings and bodies, EventTime in milliseconds and the record's times
// in seconds (callkit-api.md §7).
func TestAccCallbackCheck_invokeV4Shape(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	_, mockURL := newTestMock(t, mockserver.Options{})
	rc := newTestReceiver(t, nil)
	start := time.Now()
	res := tf.invoke(t, checkConfig(mockURL, fmt.Sprintf(`
    api_version      = "v4"
    address          = %q
    actions          = ["Call.CallbackAfterEndCall", "Call.CallbackAfterMemberChanged", "Call.CallbackAfterStartCall"]
    check_sdk_app_id = true`, rc.url("/v4?k=v"))), checkAddr)
	res.requireSuccess(t)
	wantMessages(t, res.messages(checkAddr),
		`^Sending 4 sample deliveries \(v4\) to http://127\.0\.0\.1:\d+/v4, one at a time, 2s each at most$`,
		`^Call\.CallbackAfterStartCall: acknowledged \(ErrorCode 0\) in \d+ ms$`,
		`^Call\.CallbackAfterEndCall: acknowledged \(ErrorCode 0\) in \d+ ms$`,
		`^Call\.CallbackAfterMemberChanged: acknowledged \(ErrorCode 0\) in \d+ ms$`,
		`^Call\.CallbackAfterStartCall for SDKAppID 1400000001 \(another app's\): refused as it should be \(HTTP 200, ErrorCode 1, ActionStatus "FAIL", message "not my app"\) in \d+ ms$`,
	)
	got := rc.requests()
	if len(got) != 4 {
		t.Fatalf("the receiver got %d requests, want 4", len(got))
	}
	words := []string{"Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall", "Call.CallbackAfterMemberChanged", "Call.CallbackAfterStartCall"}
	for i, word := range words {
		app := "1400000000"
		if i == 3 {
			app = "1400000001"
		}
		wantQuery := "k=v&SdkAppid=" + app + "&CallbackCommand=" + url.QueryEscape(word) + "&contenttype=json&ClientIP=192.0.2.1&OptPlatform=Web"
		if got[i].path != "/v4" || got[i].rawQuery != wantQuery {
			t.Errorf("%s: request %s?%s, want /v4?%s", word, got[i].path, got[i].rawQuery, wantQuery)
		}
		assertV4Body(t, word, got[i].body, start)
	}
}

// assertV4Body checks a v4 body field by field.
func assertV4Body(t *testing.T, word string, body map[string]any, start time.Time) {
	t.Helper()
	assertUnixTime(t, word, "EventTime", body["EventTime"], start, time.Millisecond)
	user := []any{map[string]any{"User_Account": "terraform-check", "Status": "Calling"}}
	switch word {
	case "Call.CallbackAfterStartCall":
		assertBody(t, word, body, map[string]any{"CallbackCommand": word}, []string{"CallbackCommand", "CallInfo", "UserList", "EventTime"})
		info, _ := body["CallInfo"].(map[string]any)
		assertBody(t, word+" CallInfo", info, map[string]any{"MediaType": "Audio", "ChatGroupId": "", "RoomId": "terraform-check", "RoomIdType": 2.0},
			[]string{"CallId", "MediaType", "ChatGroupId", "RoomId", "RoomIdType"})
		assertCheckCallID(t, word, info["CallId"])
		assertJSONEqual(t, word+" UserList", body["UserList"], user)
	case "Call.CallbackAfterMemberChanged":
		assertBody(t, word, body, map[string]any{"CallbackCommand": word}, []string{"CallbackCommand", "CallId", "UserList", "ChangedUserList", "EventTime"})
		assertCheckCallID(t, word, body["CallId"])
		assertJSONEqual(t, word+" UserList", body["UserList"], user)
		assertJSONEqual(t, word+" ChangedUserList", body["ChangedUserList"], []any{map[string]any{"User_Account": "terraform-check", "ActionType": "Join"}})
	default:
		assertBody(t, word, body, map[string]any{"CallbackCommand": word}, []string{"CallbackCommand", "CallRecord", "EventTime"})
		rec, _ := body["CallRecord"].(map[string]any)
		assertBody(t, word+" CallRecord", rec, map[string]any{
			"Caller_Account": "terraform-check", "MediaType": "Audio", "CallType": "SingleCall", "CallResult": "NormalEnd",
			"RoomId": "terraform-check", "RoomIdType": 2.0,
		}, []string{"CallId", "Caller_Account", "MediaType", "CallType", "StartTime", "EndTime", "AcceptTime", "CallResult", "CalleeList_Account", "RoomId", "RoomIdType"})
		assertCheckCallID(t, word, rec["CallId"])
		assertJSONEqual(t, word+" CalleeList_Account", rec["CalleeList_Account"], []any{"terraform-check"})
		assertUnixTime(t, word, "EndTime", rec["EndTime"], start, time.Second)
		end, _ := rec["EndTime"].(float64)
		if s, a := rec["StartTime"], rec["AcceptTime"]; s != end-65 || a != end-60 {
			t.Errorf("%s: StartTime %v, AcceptTime %v, EndTime %v: want a call that rang 5 s and talked 60 s", word, s, a, end)
		}
	}
}

func assertJSONEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s = %s, want %s", what, g, w)
	}
}

// brokenReceivers answer as the broken receivers of the failure tests do,
// by path; done is closed when the test ends.
var brokenReceivers = map[string]func(w http.ResponseWriter, done <-chan struct{}){
	"/code": func(w http.ResponseWriter, _ <-chan struct{}) {
		_, _ = io.WriteString(w, `{"ErrorCode":7,"ErrorMessage":"db down `+strings.Repeat("x", 300)+`"}`)
	},
	"/500":     func(w http.ResponseWriter, _ <-chan struct{}) { http.Error(w, "oops", http.StatusInternalServerError) },
	"/400":     func(w http.ResponseWriter, _ <-chan struct{}) { http.Error(w, "unknown app", http.StatusBadRequest) },
	"/notjson": func(w http.ResponseWriter, _ <-chan struct{}) { _, _ = io.WriteString(w, "OK") },
	"/nocode":  func(w http.ResponseWriter, _ <-chan struct{}) { _, _ = io.WriteString(w, `{"ErrorMessage":"Success"}`) },
	"/v4fail": func(w http.ResponseWriter, _ <-chan struct{}) {
		_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"","ErrorCode":0}`)
	},
	"/redirect": func(w http.ResponseWriter, _ <-chan struct{}) {
		w.Header().Set("Location", "/elsewhere?token=s3cret")
		w.WriteHeader(http.StatusFound)
	},
	"/huge": func(w http.ResponseWriter, _ <-chan struct{}) {
		_, _ = io.WriteString(w, `{"ErrorCode":0,"ErrorMessage":"`)
		chunk := strings.Repeat("x", 64<<10)
		for range 160 { // 10 MB
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	},
	"/slow": func(_ http.ResponseWriter, done <-chan struct{}) {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
	},
	"/stream": func(w http.ResponseWriter, done <-chan struct{}) {
		w.WriteHeader(http.StatusOK)
		for range 200 { // at most 10 s
			if _, err := io.WriteString(w, " "); err != nil {
				return
			}
			http.NewResponseController(w).Flush() //nolint:errcheck // a failed flush shows as a failed write next time
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	},
}

// misbehave answers by path as brokenReceivers say; any other path
// acknowledges every delivery, whatever its app (/ackall).
func misbehave(w http.ResponseWriter, r received, done <-chan struct{}) {
	if answer, ok := brokenReceivers[r.path]; ok {
		answer(w, done)
		return
	}
	_, _ = io.WriteString(w, `{"ErrorCode":0,"ErrorMessage":"Success","ActionStatus":"OK"}`)
}

// TestAccCallbackCheck_failures: every way a receiver can fail the check
// is an error naming the command word, the address without its query
// string, and what went wrong; and a progress message.
func TestAccCallbackCheck_failures(t *testing.T) {
	t.Parallel()
	_, mockURL := newTestMock(t, mockserver.Options{})
	var rc *testReceiver
	rc = newTestReceiver(t, func(w http.ResponseWriter, r received) { misbehave(w, r, rc.done) })
	tlsRC := newTLSReceiver(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	where := `to http://127\.0\.0\.1:\d+/%s was not acknowledged: `
	for name, c := range map[string]struct{ attrs, progress, err string }{
		"error code": {`address = "` + rc.url("/code?token=s3cret") + `"`, `normal_end: FAILED \(HTTP 200, ErrorCode 7, message "db down x+…"\) in \d+ ms`,
			fmt.Sprintf(`Callback Receiver Did Not Acknowledge.*The v1 sample delivery of command "normal_end" `+where, "code") + `HTTP 200, ErrorCode 7, message "db down x{192}…". A receiver acknowledges with HTTP 2xx and \{"ErrorCode": 0, "ErrorMessage": "Success"\}`},
		"http 500":    {`address = "` + rc.url("/500") + `"`, `normal_end: FAILED \(HTTP 500, no ErrorCode in the answer\)`, fmt.Sprintf(where, "500") + `HTTP 500, no ErrorCode in the answer`},
		"not json":    {`address = "` + rc.url("/notjson") + `"`, `FAILED \(HTTP 200, no ErrorCode in the answer\)`, fmt.Sprintf(where, "notjson") + `HTTP 200, no ErrorCode`},
		"no code":     {`address = "` + rc.url("/nocode") + `"`, `FAILED \(HTTP 200, no ErrorCode in the answer, message "Success"\)`, fmt.Sprintf(where, "nocode") + `HTTP 200, no ErrorCode`},
		"v4 fail":     {"api_version = \"v4\"\naddress = \"" + rc.url("/v4fail") + `"`, `Call.CallbackAfterEndCall: FAILED \(HTTP 200, ErrorCode 0, ActionStatus "FAIL"\)`, `The v4 sample delivery of command "Call.CallbackAfterEndCall" ` + fmt.Sprintf(where, "v4fail") + `HTTP 200, ErrorCode 0, ActionStatus "FAIL". A receiver acknowledges with HTTP 2xx and \{"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0\}`},
		"redirect":    {`address = "` + rc.url("/redirect") + `"`, `FAILED \(HTTP 302 redirecting to /elsewhere: the check does not follow redirects`, fmt.Sprintf(where, "redirect") + `HTTP 302 redirecting to /elsewhere: the check does not follow redirects \(neither should a receiver need them\); set the final URL`},
		"10 MB":       {`address = "` + rc.url("/huge") + `"`, `FAILED \(HTTP 200 with an answer larger than 64 KiB, cut off`, fmt.Sprintf(where, "huge") + `HTTP 200 with an answer larger than 64 KiB, cut off \(an acknowledgement is a small JSON object\)`},
		"timeout":     {"timeout = \"300ms\"\naddress = \"" + rc.url("/slow") + `"`, `FAILED \(no complete answer within 300ms \(timeout\)\) in \d+ ms`, fmt.Sprintf(where, "slow") + `no complete answer within 300ms \(timeout\)`},
		"streams":     {"timeout = \"500ms\"\naddress = \"" + rc.url("/stream") + `"`, `FAILED \(no complete answer within 500ms \(timeout\)\)`, fmt.Sprintf(where, "stream") + `no complete answer within 500ms \(timeout\)`},
		"refused":     {`address = "` + closed.URL + `/x"`, `FAILED \(dial tcp 127\.0\.0\.1:\d+: connect: connection refused\)`, `Callback Receiver Did Not Answer.*to http://127\.0\.0\.1:\d+/x got no answer: dial tcp 127\.0\.0\.1:\d+: connect: connection refused\. Is the receiver running, and reachable from where Terraform runs .* The check dialled 127\.0\.0\.1:\d+\.`},
		"tls unknown": {`address = "` + tlsRC.URL + `/x"`, `FAILED \(tls: failed to verify certificate: x509: certificate signed by unknown authority\)`, `to https://127\.0\.0\.1:\d+/x was not acknowledged: tls: failed to verify certificate: x509: certificate signed by unknown authority`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tf := newActionCLI(t)
			res := tf.invoke(t, checkConfig(mockURL, c.attrs), checkAddr)
			res.requireErrors(t, c.err)
			msgs := res.messages(checkAddr)
			if len(msgs) != 2 || !regexp.MustCompile(c.progress).MatchString(msgs[1]) {
				t.Errorf("progress messages %q, want the second to match %q", msgs, c.progress)
			}
			if strings.Contains(res.stdout[strings.Index(res.stdout, "Action started"):]+res.stderr, "s3cret") {
				t.Errorf("the output names a query string's token:\n%s\n%s", res.stdout, res.stderr)
			}
		})
	}
}

// TestAccCallbackCheck_oneErrorPerSample: several failing samples are one
// error each, all sent, not only the first.
func TestAccCallbackCheck_oneErrorPerSample(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	_, mockURL := newTestMock(t, mockserver.Options{})
	rc := newTestReceiver(t, func(w http.ResponseWriter, _ received) {
		_, _ = io.WriteString(w, `{"ErrorCode":3,"ErrorMessage":"no"}`)
	})
	res := tf.invoke(t, checkConfig(mockURL, fmt.Sprintf("address = %q\nactions = [\"caller_start_call\", \"normal_end\", \"call_busy\"]", rc.url("/cb"))), checkAddr)
	res.requireErrors(t, `command "normal_end"`, `command "call_busy"`, `command "caller_start_call"`)
	// Terraform lists an action's errors as the problems of one.
	if n := strings.Count(res.stderr, "- Callback Receiver Did Not Acknowledge:"); n != 3 || !strings.Contains(res.stderr, "3 problems") {
		t.Errorf("%d errors, want 3:\n%s", n, res.stderr)
	}
	if got := rc.requests(); len(got) != 3 {
		t.Errorf("the receiver got %d samples, want 3", len(got))
	}
}

// newTLSReceiver is an https receiver that acknowledges everything, with
// httptest's certificate (trusted by nobody unless told to).
func newTLSReceiver(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"ErrorCode":0,"ErrorMessage":"Success"}`)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the test
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// TestAccCallbackCheck_https: an https receiver whose certificate the
// system trusts passes (here: SSL_CERT_FILE names httptest's certificate,
// as a private CA would be installed).
func TestAccCallbackCheck_https(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	_, mockURL := newTestMock(t, mockserver.Options{})
	srv := newTLSReceiver(t)
	pemFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	tf.env = append(tf.env, "SSL_CERT_FILE="+pemFile, "SSL_CERT_DIR="+t.TempDir())
	res := tf.invoke(t, checkConfig(mockURL, fmt.Sprintf("address = %q", srv.URL+"/cb")), checkAddr)
	res.requireSuccess(t)
	wantMessages(t, res.messages(checkAddr), `to https://127\.0\.0\.1:\d+/cb,`, `^normal_end: acknowledged \(ErrorCode 0\) in \d+ ms$`)
}

// TestAccCallbackCheck_sdkAppID: check_sdk_app_id passes only when the
// receiver refuses another app's sample with a definite answer.
func TestAccCallbackCheck_sdkAppID(t *testing.T) {
	t.Parallel()
	_, mockURL := newTestMock(t, mockserver.Options{})
	// Each receiver acknowledges this app's samples and answers another
	// app's as its path says.
	var rc *testReceiver
	rc = newTestReceiver(t, func(w http.ResponseWriter, r received) {
		if r.query.Get(r.appParam()) == "1400000000" {
			ackOrRefuse(w, r, rc.sdkAppID)
			return
		}
		misbehave(w, r, rc.done)
	})
	for name, c := range map[string]struct {
		attrs string
		pass  bool
		want  string
	}{
		"refused with 4xx":            {fmt.Sprintf("address = %q", rc.url("/400")), true, `refused as it should be \(HTTP 400, no ErrorCode in the answer\)`},
		"refused with ErrorCode (v4)": {fmt.Sprintf("api_version = \"v4\"\naddress = %q", rc.url("/code")), true, `refused as it should be \(HTTP 200, ErrorCode 7,`},
		"accepted": {fmt.Sprintf("address = %q", rc.url("/ackall")), false,
			`Callback Receiver Accepts Another App's Deliveries.*The v1 sample delivery of command "normal_end" to http://127\.0\.0\.1:\d+/ackall carried sdkappid=1400000001, not this app's 1400000000, and the receiver accepted it: HTTP 200, ErrorCode 0.*Receivers must check sdkappid`},
		"accepted v4": {fmt.Sprintf("api_version = \"v4\"\naddress = %q", rc.url("/ackall")), false,
			`carried SdkAppid=1400000001, not this app's 1400000000, and the receiver accepted it: HTTP 200, ErrorCode 0, ActionStatus "OK"`},
		"5xx proves nothing": {fmt.Sprintf("address = %q", rc.url("/500")), false, `and the receiver gave no definite answer, which proves nothing: HTTP 500`},
		"timeout proves nothing": {fmt.Sprintf("timeout = \"300ms\"\naddress = %q", rc.url("/slow")), false,
			`gave no definite answer, which proves nothing: no complete answer within 300ms \(timeout\)`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tf := newActionCLI(t)
			res := tf.invoke(t, checkConfig(mockURL, c.attrs+"\ncheck_sdk_app_id = true"), checkAddr)
			msgs := res.messages(checkAddr)
			if c.pass {
				res.requireSuccess(t)
				if len(msgs) != 3 || !regexp.MustCompile(c.want).MatchString(msgs[2]) {
					t.Errorf("progress messages %q, want the third to match %q", msgs, c.want)
				}
				return
			}
			res.requireErrors(t, c.want)
			if len(msgs) != 3 || !strings.Contains(msgs[2], "(another app's): FAILED, not refused") {
				t.Errorf("progress messages %q, want the third to say the foreign sample failed", msgs)
			}
		})
	}
}

// triggeredConfig is a callback resource on address whose creation and
// updates trigger the check, which reads what the service holds.
func triggeredConfig(mockURL, address string) string {
	return testProviderConfig(mockURL) + fmt.Sprintf(`
resource "tencentcallkit_callback" "main" {
  address = %q
  actions = ["normal_end", "caller_start_call"]

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.tencentcallkit_callback_check.main]
    }
  }
}

action "tencentcallkit_callback_check" "main" {
  config {
    check_sdk_app_id = true
  }
}
`, address)
}

// TestAccCallbackCheck_triggers: after_create and after_update run the
// check on what the apply just wrote; an apply without changes does not;
// an update to a broken receiver fails the apply with the reason.
func TestAccCallbackCheck_triggers(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	mock, mockURL := newTestMock(t, mockserver.Options{})
	var rc *testReceiver
	rc = newTestReceiver(t, func(w http.ResponseWriter, r received) {
		if r.path == "/code" {
			misbehave(w, r, rc.done)
			return
		}
		ackOrRefuse(w, r, rc.sdkAppID)
	})
	const main = "action.tencentcallkit_callback_check.main"
	paths := func() []string {
		var out []string
		for _, r := range rc.requests() {
			out = append(out, r.path+" "+r.query.Get("command")+" "+r.query.Get("sdkappid"))
		}
		return out
	}
	want := func(path string) []string {
		return []string{path + " normal_end 1400000000", path + " caller_start_call 1400000000", path + " normal_end 1400000001"}
	}

	res := tf.apply(t, triggeredConfig(mockURL, rc.url("/first")))
	res.requireSuccess(t)
	res.requireTriggers(t, 4, "tencentcallkit_callback.main")
	if got := paths(); !slices.Equal(got, want("/first")) {
		t.Fatalf("after create: the receiver got %q, want %q", got, want("/first"))
	}

	res = tf.apply(t, triggeredConfig(mockURL, rc.url("/second")))
	res.requireSuccess(t)
	if got := paths()[3:]; !slices.Equal(got, want("/second")) {
		t.Fatalf("after update: the receiver got %q, want %q", got, want("/second"))
	}

	res = tf.apply(t, triggeredConfig(mockURL, rc.url("/second")))
	res.requireSuccess(t)
	if n := len(res.messages(main)); n != 0 || len(paths()) != 6 {
		t.Errorf("an apply without changes ran the check: %d progress messages, %d requests", n, len(paths()))
	}

	// By hand, the same action checks what the service holds now.
	res = tf.invoke(t, triggeredConfig(mockURL, rc.url("/second")), main)
	res.requireSuccess(t)
	res.requireTriggers(t, 4, "CLI")
	if got := paths()[6:]; !slices.Equal(got, want("/second")) {
		t.Fatalf("-invoke: the receiver got %q, want %q", got, want("/second"))
	}

	res = tf.apply(t, triggeredConfig(mockURL, rc.url("/code")))
	res.requireErrors(t, `Callback Receiver Did Not Acknowledge.*command "normal_end" to http://127\.0\.0\.1:\d+/code was not acknowledged: HTTP 200, ErrorCode 7`)
	// The configuration was written before the check ran: the check reports, it does not undo.
	if cb, ok := mock.Callback(); !ok || cb.Address != rc.url("/code") {
		t.Errorf("the service holds %+v, want the address the failed apply wrote", cb)
	}
}

// TestAccCallbackCheck_unknownAtPlan: an address that is another
// resource's output, unknown at plan, is checked once it is known.
func TestAccCallbackCheck_unknownAtPlan(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	_, mockURL := newTestMock(t, mockserver.Options{})
	rc := newTestReceiver(t, nil)
	res := tf.apply(t, testProviderConfig(mockURL)+fmt.Sprintf(`
resource "terraform_data" "receiver" {
  input = %q

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.tencentcallkit_callback_check.main]
    }
  }
}

variable "words" {
  default = ["normal_end"]
}

action "tencentcallkit_callback_check" "main" {
  config {
    address = terraform_data.receiver.output
    actions = var.words
    timeout = terraform_data.receiver.id != "" ? "2s" : "1s"
  }
}
`, rc.url("/cb")))
	res.requireSuccess(t)
	wantMessages(t, res.messages("action.tencentcallkit_callback_check.main"), `2s each at most$`, `^normal_end: acknowledged`)
	if got := rc.requests(); len(got) != 1 || got[0].path != "/cb" {
		t.Errorf("the receiver got %+v, want one sample at /cb", got)
	}
}

// startDemoReceiver builds and starts scripts/demo-receiver (the receiver
// of `make demo`) for app 1400000000 and returns its URL and its output.
func startDemoReceiver(t *testing.T) (string, *syncBuffer) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "demo-receiver")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "../../scripts/demo-receiver")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build scripts/demo-receiver: %v\n%s", err, out)
	}
	out := &syncBuffer{}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-sdkappid", "1400000000", "-lifetime", "5m")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if first, _, ok := strings.Cut(out.String(), "\n"); ok {
			return strings.TrimPrefix(first, "listening on "), out
		}
	}
	t.Fatalf("the demo receiver did not start within 30 s:\n%s", out.String())
	return "", nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAccCallbackCheck_demoReceiver: the demo's receiver passes the check,
// v1 and v4 with check_sdk_app_id, prints the samples as check samples,
// and once told to refuse fails it with its reason.
func TestAccCallbackCheck_demoReceiver(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	_, mockURL := newTestMock(t, mockserver.Options{})
	recvURL, out := startDemoReceiver(t)
	for _, v := range []string{"v1", "v4"} {
		res := tf.invoke(t, checkConfig(mockURL, fmt.Sprintf("api_version = %q\naddress = %q\ncheck_sdk_app_id = true", v, recvURL+"/callkit")), checkAddr)
		res.requireSuccess(t)
		if msgs := res.messages(checkAddr); len(msgs) != 3 || !strings.Contains(msgs[2], "refused as it should be") {
			t.Errorf("%s: progress %q", v, msgs)
		}
	}
	if n := strings.Count(out.String(), "[check sample from terraform, not a real call]"); n != 4 {
		t.Errorf("the demo receiver marked %d samples as checks, want 4:\n%s", n, out.String())
	}
	resp, err := http.Post(recvURL+"/_receiver/refuse", "text/plain", strings.NewReader("down for maintenance"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	tf.invoke(t, checkConfig(mockURL, fmt.Sprintf("address = %q", recvURL+"/callkit")), checkAddr).requireErrors(t,
		`command "normal_end" to http://127\.0\.0\.1:\d+/callkit was not acknowledged: HTTP 200, ErrorCode 1, message "down for maintenance"`)
}

// TestAccCallbackCheck_unknownWordsFromService: words the service holds
// that the provider has no delivery shape for are not guessed at: a
// warning names them, the known ones are checked.
func TestAccCallbackCheck_unknownWordsFromService(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	mock, mockURL := newTestMock(t, mockserver.Options{})
	rc := newTestReceiver(t, nil)
	mock.SetCallbackV4(mockserver.Callback{Address: rc.url("/v4"), Actions: []string{"Call.CallbackAfterEndCall", "Call.CallbackAfterFutureEvent"}})
	res := tf.invoke(t, checkConfig(mockURL, `api_version = "v4"`), checkAddr)
	res.requireSuccess(t)
	if !errorPattern(`Callback Words Not Checked: The app.s v4 configuration subscribes to "Call.CallbackAfterFutureEvent", which this provider does not know the delivery shape of`).MatchString(res.stdout + res.stderr) {
		t.Errorf("no warning names the unknown word:\n%s\n%s", res.stdout, res.stderr)
	}
	wantMessages(t, res.messages(checkAddr), `^Sending 1 sample delivery \(v4\) to http://127\.0\.0\.1:\d+/v4,`, `^Call\.CallbackAfterEndCall: acknowledged`)
	if got := rc.requests(); len(got) != 1 || got[0].query.Get("CallbackCommand") != "Call.CallbackAfterEndCall" {
		t.Errorf("the receiver got %d samples, want the one for Call.CallbackAfterEndCall", len(got))
	}
}

// beforeConfig is the action page's safer pattern: the check runs before the
// configuration is created or changed, its address from the same value.
func beforeConfig(mockURL, address string) string {
	return testProviderConfig(mockURL) + fmt.Sprintf(`
locals {
  address = %q
}

resource "tencentcallkit_callback" "main" {
  address = local.address
  actions = ["normal_end"]

  lifecycle {
    action_trigger {
      events  = [before_create, before_update]
      actions = [action.tencentcallkit_callback_check.main]
    }
  }
}

action "tencentcallkit_callback_check" "main" {
  config {
    address = local.address
    actions = ["normal_end"]
  }
}
`, address)
}

// TestAccCallbackCheck_beforeCreate: with before_create / before_update, a
// failing receiver stops the apply before the service holds anything, and
// the next apply checks again; a working one is proven, then written.
func TestAccCallbackCheck_beforeCreate(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	mock, mockURL := newTestMock(t, mockserver.Options{})
	var rc *testReceiver
	rc = newTestReceiver(t, func(w http.ResponseWriter, r received) { misbehave(w, r, rc.done) })

	res := tf.apply(t, beforeConfig(mockURL, rc.url("/code")))
	res.requireErrors(t, `Callback Receiver Did Not Acknowledge.*/code was not acknowledged: HTTP 200, ErrorCode 7`)
	if cb, ok := mock.Callback(); ok {
		t.Fatalf("the failed check left a configuration on the service: %+v", cb)
	}
	res = tf.apply(t, beforeConfig(mockURL, rc.url("/code")))
	res.requireErrors(t, `Callback Receiver Did Not Acknowledge`)
	if n := len(rc.requests()); n != 2 {
		t.Errorf("the receiver got %d samples, want one per apply: the second apply must check again", n)
	}

	res = tf.apply(t, beforeConfig(mockURL, rc.url("/ackall")))
	res.requireSuccess(t)
	if cb, ok := mock.Callback(); !ok || cb.Address != rc.url("/ackall") {
		t.Errorf("the service holds %+v, want the checked address", cb)
	}
	res = tf.apply(t, beforeConfig(mockURL, rc.url("/code")))
	res.requireErrors(t, `Callback Receiver Did Not Acknowledge`)
	if cb, _ := mock.Callback(); cb.Address != rc.url("/ackall") {
		t.Errorf("a failed before_update check changed the service's address to %s", cb.Address)
	}
}
