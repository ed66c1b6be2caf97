package console

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

func get(t *testing.T, base, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// field returns the text of the first element carrying attr="value".
func field(t *testing.T, page, attr string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)` + regexp.QuoteMeta(attr) + `[^>]*>(.*?)<`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the page has no %s element:\n%s", attr, page)
	}
	return strings.TrimSpace(m[1])
}

func TestConsole_pagesRender(t *testing.T) {
	t.Parallel()
	s, ts := startConsole(t, mockserver.Options{Records: 2000, Seed: 5, Clock: func() time.Time { return fixedNow }})
	id := s.Records()[10].CallID
	for _, path := range []string{
		"/", "/console/stats", "/console/stats?range=today", "/console/stats?range=30d&type=group&chart=peak",
		"/console/stats?range=custom&from=2025-06-10&to=2025-06-15&type=single&chart=participants",
		"/console/records", "/console/records?result=reject&type=single&page=2", "/console/records/" + id,
		"/console/deliveries", "/console/requests", "/console/simulate", "/console/static/console.css", "/console/static/console.js",
		"/favicon.ico",
	} {
		status, body := get(t, ts.URL, path)
		if status != http.StatusOK {
			t.Errorf("%s: HTTP %d\n%s", path, status, body)
		}
	}
	if _, total := s.RequestLog(0); total != 0 {
		t.Errorf("console pages were logged as %d API requests", total)
	}
	for path, want := range map[string]int{
		"/console/stats?range=fortnight":             http.StatusBadRequest,
		"/console/stats?start=10&end=5":              http.StatusBadRequest,
		"/console/records?result=offline":            http.StatusBadRequest,
		"/console/records?from=yesterday":            http.StatusBadRequest,
		"/console/records/no-such-call":              http.StatusNotFound,
		"/console/records?id=no-such-call":           http.StatusNotFound,
		"/console/nothing-here":                      http.StatusNotFound,
		"/console/static/../../server.go":            http.StatusNotFound,
		"/console/records?id=" + url.QueryEscape(id): http.StatusOK, // follows the redirect to the detail
	} {
		if status, body := get(t, ts.URL, path); status != want {
			t.Errorf("%s: HTTP %d, want %d\n%s", path, status, want, body)
		}
	}
	// The API keeps answering beside the console: a POST / without X-TC-Action is not the console's.
	resp, err := http.Post(ts.URL+"/", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /: HTTP %d, want 404 as before the console", resp.StatusCode)
	}
}

func TestConsole_statsPageFigures(t *testing.T) {
	t.Parallel()
	s, ts := startConsole(t, mockserver.Options{Records: 3000, Seed: 9, Clock: func() time.Time { return fixedNow }})
	start, end := fixedNow.Unix()-3*86400, fixedNow.Unix()-86400
	for _, ct := range []string{"", "single", "group"} {
		q := url.Values{"start": {strconv.FormatInt(start, 10)}, "end": {strconv.FormatInt(end, 10)}}
		if ct != "" {
			q.Set("type", ct)
		}
		_, page := get(t, ts.URL, "/console/stats?"+q.Encode())
		// The figures are the store's (held to the §6 definition in mockserver's tests).
		st := s.ConsoleView().Stats(start, end, ct, time.Local)
		calls, parts, all, single, group := st.Calls, st.Participants, st.MaxConcurrent, st.MaxSingle, st.MaxGroup
		switch ct {
		case "single":
			single, group = all, 0
		case "group":
			single, group = 0, all
		}
		for attr, want := range map[string]int64{
			`data-figure="calls"`: calls, `data-figure="participants"`: parts, `data-figure="max-concurrent"`: all,
			`data-figure="max-single"`: single, `data-figure="max-group"`: group,
		} {
			if got := field(t, page, attr); got != strconv.FormatInt(want, 10) {
				t.Errorf("type %q: %s shows %s, want %d", ct, attr, got, want)
			}
		}
		if !strings.Contains(page, fmt.Sprintf("start_timestamp = %d", start)) {
			t.Errorf("the page's HCL does not name the window's start %d", start)
		}
	}
}

func TestConsole_recordsNewestFirstAndPaging(t *testing.T) {
	t.Parallel()
	s, ts := startConsole(t, mockserver.Options{Records: 120, Seed: 2, Clock: func() time.Time { return fixedNow }})
	all := s.Records()
	slices.Reverse(all)
	ids := regexp.MustCompile(`data-call-id="([^"]+)"`)
	var got []string
	for page := 1; page <= 3; page++ {
		_, body := get(t, ts.URL, "/console/records?page="+strconv.Itoa(page))
		for _, m := range ids.FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		if page == 1 && field(t, body, `data-field="total"`) != "120" {
			t.Fatalf("total: %s", field(t, body, `data-field="total"`))
		}
	}
	if len(got) != len(all) {
		t.Fatalf("3 pages list %d records, want %d", len(got), len(all))
	}
	for i := range all {
		if got[i] != all[i].CallID {
			t.Fatalf("record %d is %s, want %s (newest first)", i, got[i], all[i].CallID)
		}
	}
	// Filters narrow exactly like the records API.
	_, body := get(t, ts.URL, "/console/records?type=single&result=normal_end")
	want := 0
	for _, r := range all {
		if r.CallType == "single" && r.CallResult == "normal_end" {
			want++
		}
	}
	if got := field(t, body, `data-field="total"`); got != strconv.Itoa(want) {
		t.Errorf("single normal_end: %s records, want %d", got, want)
	}
}

// TestConsole_recordsPageOutOfRange: a page number past the last page (even
// one whose offset overflows, or that does not fit an int) shows the last
// page; zero, negative or non-numeric pages show the first.
func TestConsole_recordsPageOutOfRange(t *testing.T) {
	t.Parallel()
	s, ts := startConsole(t, mockserver.Options{Records: 120, Seed: 2, Clock: func() time.Time { return fixedNow }})
	all := s.Records() // oldest first: the last page (newest first) ends with all[0]
	ids := regexp.MustCompile(`data-call-id="([^"]+)"`)
	for page, want := range map[string]string{
		"4": "3", "288230376151711745": "3", "99999999999999999999": "3",
		"0": "1", "-288230376151711745": "1", "x": "1",
	} {
		status, body := get(t, ts.URL, "/console/records?page="+page)
		if status != http.StatusOK {
			t.Fatalf("page=%s: HTTP %d", page, status)
		}
		if !strings.Contains(body, "page "+want+" of 3") {
			t.Errorf("page=%s: not page %s of 3", page, want)
		}
		var got []string
		for _, m := range ids.FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		first, n := all[len(all)-1].CallID, 50
		if want == "3" {
			first, n = all[19].CallID, 20
		}
		if len(got) != n || got[0] != first {
			t.Errorf("page=%s: %d records, want %d from %s", page, len(got), n, first)
		}
	}
}

func TestConsole_configChangesAndRequestLog(t *testing.T) {
	t.Parallel()
	s, ts := startConsole(t, mockserver.Options{})
	env := apiPost(t, ts.URL, "v1/callback/set", `{"address": "https://hooks.example.com/a", "actions": ["normal_end"]}`)
	reqID := str(t, env["requestId"])
	_, page := get(t, ts.URL, "/")
	if got := field(t, page, `data-field="request-id"`); got != reqID {
		t.Errorf("v1 last change requestId %q, want %q", got, reqID)
	}
	if got := field(t, page, `data-field="source"`); got != "v1/callback/set" {
		t.Errorf("v1 last change by %q", got)
	}
	if !strings.Contains(page, "https://hooks.example.com/a") {
		t.Error("the overview does not show the v1 address")
	}
	// Out of band through the control surface: shown, with no requestId.
	req, _ := http.NewRequest(http.MethodPut, ts.URL+"/_mock/callback", strings.NewReader(`{"address": "https://elsewhere.example.com/b", "actions": ["reject"]}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, page = get(t, ts.URL, "/")
	if got := field(t, page, `data-field="source"`); !strings.HasPrefix(got, "PUT /_mock/callback") {
		t.Errorf("after the out-of-band PUT the last change is by %q", got)
	}
	if !strings.Contains(page, "https://elsewhere.example.com/b") || strings.Contains(page, `data-field="unattributed"`) {
		t.Error("the overview does not show the out-of-band address as attributed")
	}
	// A Go method call leaves no request behind: the page says so instead of showing a stale one.
	s.SetCallback(mockserver.Callback{Address: "https://go.example.com/c", Actions: []string{"cancel"}})
	_, page = get(t, ts.URL, "/")
	if !strings.Contains(page, `data-field="unattributed"`) {
		t.Error("a change by the Go API is not flagged")
	}
	// v4 delete through the API.
	env = apiPost(t, ts.URL, "v4/call_config/delete_callback", `{}`)
	_, page = get(t, ts.URL, "/")
	v4 := page[strings.Index(page, `id="config-v4"`):]
	if got := field(t, v4, `data-field="request-id"`); got != str(t, env["RequestId"]) {
		t.Errorf("v4 last change requestId %q, want %q", got, env["RequestId"])
	}

	// The request log: every API request, newest first, no UserSig anywhere.
	apiPost(t, ts.URL, "v1/callback/get", `{}`)
	apiPost(t, ts.URL, "v1/callback/update", `{"address": "nope", "actions": ["cancel"]}`)
	entries, total := s.RequestLog(10)
	if total != 4 || entries[0].Path != "v1/callback/update" || entries[0].ErrorCode != "70001" || entries[3].RequestID != reqID {
		t.Fatalf("request log: total %d, %+v", total, entries)
	}
	_, page = get(t, ts.URL, "/console/requests")
	for _, sig := range s.SeenUserSigs() {
		if strings.Contains(page, sig) || strings.Contains(page, url.QueryEscape(sig)) {
			t.Fatal("the request log page shows a UserSig")
		}
	}
	if !strings.Contains(page, "usersig=[redacted]") || !strings.Contains(page, reqID) {
		t.Error("the request log page lacks the redacted usersig or a requestId")
	}
	_, page = get(t, ts.URL, "/console/requests?failed=1")
	if strings.Count(page, `<tr class="bad">`) != 1 || strings.Contains(page, `<tr class="ok">`) {
		t.Error("failed=1 does not keep only the failed request")
	}
}

func TestConsole_simulateForm(t *testing.T) {
	t.Parallel()
	s, ts := startConsole(t, mockserver.Options{DeliveryTimeScale: 0.001})
	received := make(chan string, 64)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received <- r.URL.Query().Get("command")
		_, _ = io.WriteString(w, `{"ErrorCode": 0, "ErrorMessage": "Success"}`)
	}))
	t.Cleanup(recv.Close)
	s.SetCallback(mockserver.Callback{Address: recv.URL + "/cb", Actions: []string{"normal_end", "caller_start_call"}})
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"caller": {"alice"}, "callees": {"bob"}, "result": {"normal_end"}, "media_type": {"audio"}}
	resp, err := noFollow.PostForm(ts.URL+"/console/simulate", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	call := loc.Query().Get("call")
	if resp.StatusCode != http.StatusSeeOther || loc.Path != "/console/deliveries" || call == "" {
		t.Fatalf("simulate answered %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitDeliveries(ctx); err != nil {
		t.Fatal(err)
	}
	_, page := get(t, ts.URL, loc.String())
	if strings.Count(page, `<tr class="ok">`) != 2 || !strings.Contains(page, "caller_start_call") || !strings.Contains(page, "1 of 7") {
		t.Errorf("the deliveries page does not show the call's two deliveries:\n%s", page)
	}
	_, js := get(t, ts.URL, "/console/deliveries.json?call="+url.QueryEscape(call))
	if !strings.Contains(js, `"shown":2`) {
		t.Errorf("deliveries.json: %s", js)
	}
	// Bad input re-renders the form with the reason; another site's post is refused.
	resp, err = noFollow.PostForm(ts.URL+"/console/simulate", url.Values{"callees": {"a,b"}, "call_type": {"single"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "exactly one callee") {
		t.Errorf("a single call with two callees: HTTP %d\n%s", resp.StatusCode, b)
	}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/console/simulate", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example.com")
	resp, err = noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site post: HTTP %d, want 403", resp.StatusCode)
	}
	if n := len(s.Records()); n != 1 {
		t.Errorf("%d records after one accepted simulation", n)
	}
}

// "Last 7 days" and "Last 30 days" are lookback's windows: whole 24-hour
// days back from now, whatever the zone and its offset changes; "today"
// starts at the zone's midnight.
func TestRangeWindow_rolling(t *testing.T) {
	t.Parallel()
	for _, loc := range []*time.Location{time.UTC, time.FixedZone("UTC+13", 13*3600), time.FixedZone("UTC-11", -11*3600)} {
		now := fixedNow.In(loc)
		for name, back := range map[string]int64{"7d": 7 * 86400, "30d": 30 * 86400} {
			if start, end := rangeWindow(name, now, loc); start != now.Unix()-back || end != now.Unix() {
				t.Errorf("%s in %s: [%d, %d], want [now-%d, now]", name, loc, start, end, back)
			}
		}
		start, _ := rangeWindow("today", now, loc)
		if got := time.Unix(start, 0).In(loc); got.Format("15:04:05") != "00:00:00" || got.YearDay() != now.YearDay() {
			t.Errorf("today in %s starts %s", loc, got)
		}
	}
}

// The first and last day of a window say which part of them is counted.
func TestDayPart(t *testing.T) {
	t.Parallel()
	day := time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC)
	whole, last := day.Unix(), day.AddDate(0, 0, 1).Unix()-1
	for _, c := range []struct {
		start, end int64
		want       string
	}{
		{whole, last, ""},
		{whole + 11*3600 + 20*60, last, " (from 11:20)"},
		{whole, whole + 9*3600 + 5*60 + 30, " (until 09:05)"},
		{whole + 3600, whole + 2*3600, " (01:00 to 02:00)"},
	} {
		if got := dayPart(mockserver.DayStats{Day: day, Start: c.start, End: c.end}); got != c.want {
			t.Errorf("[%d, %d]: %q, want %q", c.start-whole, c.end-whole, got, c.want)
		}
	}
}

func TestZoneLabel(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		loc  *time.Location
		want string
	}{
		{time.UTC, "UTC"},
		{time.FixedZone("CEST", 2*3600), "CEST, UTC+02:00"},
		{time.FixedZone("+0530", 5*3600+1800), "UTC+05:30"},
		{time.FixedZone("", -3*3600-1800), "UTC-03:30"},
	} {
		if got := zoneLabel(fixedNow.In(c.loc)); got != c.want {
			t.Errorf("%v: %q, want %q", c.loc, got, c.want)
		}
	}
}

// The overview's out-of-band commands are addressed to the host the page was
// asked for, and stay one shell word per argument whatever the address holds.
func TestConsole_outOfBandCommands(t *testing.T) {
	t.Parallel()
	s, _ := startConsole(t, mockserver.Options{Clock: func() time.Time { return fixedNow }})
	s.SetCallback(mockserver.Callback{Address: "http://receiver.test/it's here?a=1&b=2", Actions: []string{"normal_end"}})
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Host = "mock.test:8080"
	rec := httptest.NewRecorder()
	New(s.ConsoleView(), s).ServeHTTP(rec, req)
	page := html.UnescapeString(rec.Body.String())
	for _, want := range []string{
		`curl -X PUT http://mock.test:8080/_mock/callback -d '{"address":"http://receiver.test/it'\''s here?a=1&b=2","actions":["normal_end"]}'`,
		`curl -X DELETE http://mock.test:8080/_mock/callback`,
		`curl -X PUT http://mock.test:8080/_mock/v4/callback -d '{"address":"<your receiver URL>","actions":["Call.CallbackAfterEndCall"]}'`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the overview lacks\n%s", want)
		}
	}
}

// The request log page shows Cloud Contact Center requests with their string
// codes, and never the signature of their Authorization header.
func TestConsole_requestLogPageCCC(t *testing.T) {
	t.Parallel()
	_, ts := startConsole(t, mockserver.Options{})
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-TC-Action", "DescribeTelCdr")
	req.Header.Set("X-TC-Version", "2020-02-10")
	req.Header.Set("Authorization", "TC3-HMAC-SHA256 Credential=AKIDexample/2025-01-01/ccc/tc3_request, SignedHeaders=content-type;host, Signature=0123abcd")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, page := get(t, ts.URL, "/console/requests")
	if !strings.Contains(page, "ccc/DescribeTelCdr") || !strings.Contains(page, "AuthFailure.") || strings.Contains(page, "0123abcd") || strings.Contains(page, "Signature=") {
		t.Errorf("the request log page lacks the CCC failure or shows its signature:\n%s", page)
	}
}
