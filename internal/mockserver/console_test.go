package mockserver

import (
	"context"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// bruteStats is the §6 definition written the slow, obvious way, to hold the
// console's indexed computation to.
func bruteStats(recs []Record, start, end int64, callType string) (calls, participants, peakAll, peakSingle, peakGroup int64) {
	var in []Record
	for _, r := range recs {
		if r.StartCallTs >= start && r.StartCallTs <= end && (callType == "" || r.CallType == callType) {
			in = append(in, r)
		}
	}
	users := map[string]bool{}
	for _, r := range in {
		if r.AcceptTs > 0 {
			for _, u := range append([]string{r.Caller}, r.Callees...) {
				if u != "" {
					users[u] = true
				}
			}
		}
	}
	peak := func(ct string) int64 {
		var best int64
		for _, a := range in {
			if ct != "" && a.CallType != ct {
				continue
			}
			var n int64
			for _, b := range in {
				if (ct == "" || b.CallType == ct) && b.StartCallTs <= a.StartCallTs && max(b.EndTs, b.StartCallTs) >= a.StartCallTs {
					n++
				}
			}
			best = max(best, n)
		}
		return best
	}
	return int64(len(in)), int64(len(users)), peak(""), peak("single"), peak("group")
}

func randomRecords(rng *rand.Rand, n int, now int64, span int64) []Record {
	out := make([]Record, n)
	for i := range out {
		r := randomRecord(rng, now-rng.Int64N(span), now)
		r.CallID = fmt.Sprintf("call-%05d", i)
		switch rng.IntN(10) {
		case 0:
			r.EndTs = r.StartCallTs - 5 // an end before the start counts as the start
		case 1:
			r.Caller = "" // an empty user ID is nobody
		}
		out[i] = r
	}
	return out
}

func TestConsoleStats_matchDefinition(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	now := fixedNow.Unix()
	loc := time.FixedZone("UTC+8", 8*3600)
	for round := range 20 {
		s := newStore()
		span := int64(3 * 24 * 3600)
		if round%4 == 0 {
			span = 600 // dense: high concurrency
		}
		recs := randomRecords(rng, 300, now, span)
		s.add(recs)
		for range 10 {
			start := now - rng.Int64N(span+3600)
			end := start + rng.Int64N(span)
			for _, ct := range []string{"", "single", "group"} {
				got := s.stats(start, end, ct, loc)
				calls, parts, all, single, group := bruteStats(recs, start, end, ct)
				want := WindowStats{Calls: calls, Participants: parts, MaxConcurrent: all, MaxSingle: single, MaxGroup: group}
				switch ct {
				case "single":
					want.MaxConcurrent, want.MaxGroup = single, 0
				case "group":
					want.MaxConcurrent, want.MaxSingle = group, 0
				}
				if got.Calls != want.Calls || got.Participants != want.Participants || got.MaxConcurrent != want.MaxConcurrent ||
					got.MaxSingle != want.MaxSingle || got.MaxGroup != want.MaxGroup {
					t.Fatalf("round %d window [%d, %d] type %q: got calls %d participants %d peak %d/%d/%d, want %d %d %d/%d/%d",
						round, start, end, ct, got.Calls, got.Participants, got.MaxConcurrent, got.MaxSingle, got.MaxGroup,
						want.Calls, want.Participants, want.MaxConcurrent, want.MaxSingle, want.MaxGroup)
				}
				var dayCalls int64
				for _, d := range got.Days {
					c, p, pk, _, _ := bruteStats(recs, d.Start, d.End, ct)
					if d.Calls != c || d.Participants != p || d.MaxConcurrent != pk {
						t.Fatalf("day %s: got %d/%d/%d, want %d/%d/%d", d.Day, d.Calls, d.Participants, d.MaxConcurrent, c, p, pk)
					}
					if d.Day.Hour() != 0 || d.Day.Location() != loc {
						t.Fatalf("day %s is not a midnight in %s", d.Day, loc)
					}
					dayCalls += d.Calls
				}
				if dayCalls != got.Calls {
					t.Fatalf("the days hold %d calls, the window %d", dayCalls, got.Calls)
				}
			}
		}
	}
}

// The sorted sweeps (for records spread wider than the difference arrays)
// and the one-pass difference arrays agree, day by day.
func TestConsoleStats_peakPathsAgree(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	now := fixedNow.Unix()
	for range 50 {
		s := newStore()
		s.add(randomRecords(rng, 200, now, 1+rng.Int64N(3*86400)))
		for _, ct := range []string{"", "single", "group"} {
			a := s.statsWithin(now-4*86400, now, ct, time.UTC, maxDiffSpan)
			b := s.statsWithin(now-4*86400, now, ct, time.UTC, 0)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("type %q: difference arrays %+v, sorted sweeps %+v", ct, a, b)
			}
		}
	}
	// Two records decades apart take the sorted path and still count right.
	s := newStore()
	s.add([]Record{
		{CallID: "old", StartCallTs: 100, EndTs: 200, CallType: "single", CallResult: "normal_end", AcceptTs: 150},
		{CallID: "new", StartCallTs: fixedNow.Unix(), EndTs: fixedNow.Unix() + 60, CallType: "single", CallResult: "cancel"},
		{CallID: "new2", StartCallTs: fixedNow.Unix() + 30, EndTs: fixedNow.Unix() + 31, CallType: "group", CallResult: "normal_end"},
	})
	s.add([]Record{{CallID: "mid", StartCallTs: fixedNow.Unix() + 10, AcceptTs: fixedNow.Unix() + 12, EndTs: fixedNow.Unix() + 20,
		Caller: "ann", Callees: []string{"ben"}, CallType: "single", CallResult: "normal_end"}})
	// Decades: too long for a day list, counted all the same.
	if got := s.stats(0, fixedNow.Unix()+100, "", time.UTC); got.MaxConcurrent != 2 || got.Calls != 4 || got.Participants != 2 || got.Days != nil {
		t.Fatalf("wide window: %+v", got)
	}
}

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
	s, ts := startMock(t, Options{Records: 2000, Seed: 5, Clock: func() time.Time { return fixedNow }})
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
	s, ts := startMock(t, Options{Records: 3000, Seed: 9, Clock: func() time.Time { return fixedNow }})
	start, end := fixedNow.Unix()-3*86400, fixedNow.Unix()-86400
	for _, ct := range []string{"", "single", "group"} {
		q := url.Values{"start": {strconv.FormatInt(start, 10)}, "end": {strconv.FormatInt(end, 10)}}
		if ct != "" {
			q.Set("type", ct)
		}
		_, page := get(t, ts.URL, "/console/stats?"+q.Encode())
		calls, parts, all, single, group := bruteStats(s.Records(), start, end, ct)
		switch ct {
		case "single":
			all, group = single, 0
		case "group":
			all, single = group, 0
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
	s, ts := startMock(t, Options{Records: 120, Seed: 2, Clock: func() time.Time { return fixedNow }})
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

func TestConsole_configChangesAndRequestLog(t *testing.T) {
	t.Parallel()
	s, ts := startMock(t, Options{})
	c := newClient(t, ts.URL)
	env := c.post("v1/callback/set", `{"address": "https://hooks.example.com/a", "actions": ["normal_end"]}`)
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
	s.SetCallback(Callback{Address: "https://go.example.com/c", Actions: []string{"cancel"}})
	_, page = get(t, ts.URL, "/")
	if !strings.Contains(page, `data-field="unattributed"`) {
		t.Error("a change by the Go API is not flagged")
	}
	// v4 delete through the API.
	env = c.post("v4/call_config/delete_callback", `{}`)
	_, page = get(t, ts.URL, "/")
	v4 := page[strings.Index(page, `id="config-v4"`):]
	if got := field(t, v4, `data-field="request-id"`); got != str(t, env["RequestId"]) {
		t.Errorf("v4 last change requestId %q, want %q", got, env["RequestId"])
	}

	// The request log: every API request, newest first, no UserSig anywhere.
	c.post("v1/callback/get", `{}`)
	c.post("v1/callback/update", `{"address": "nope", "actions": ["cancel"]}`)
	entries, total := s.RequestLog(10)
	if total != 4 || entries[0].Path != "v1/callback/update" || entries[0].ErrorCode != strconv.Itoa(v1BadParam) || entries[3].RequestID != reqID {
		t.Fatalf("request log: total %d, %+v", total, entries)
	}
	_, page = get(t, ts.URL, "/console/requests")
	for _, sig := range s.SeenUserSigs() {
		if strings.Contains(page, sig) || strings.Contains(page, url.QueryEscape(sig)) {
			t.Fatal("the request log page shows a UserSig")
		}
	}
	if !strings.Contains(page, "usersig="+redacted) || !strings.Contains(page, reqID) {
		t.Error("the request log page lacks the redacted usersig or a requestId")
	}
	_, page = get(t, ts.URL, "/console/requests?failed=1")
	if strings.Count(page, `<tr class="bad">`) != 1 || strings.Contains(page, `<tr class="ok">`) {
		t.Error("failed=1 does not keep only the failed request")
	}
}

func TestConsole_requestLogKeepsTheLatest(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	for i := range maxRequestLog + 10 {
		req := httptest.NewRequest(http.MethodPost, "/v1/records/get_records_by_filter?n="+strconv.Itoa(i), strings.NewReader("{}"))
		s.ServeHTTP(httptest.NewRecorder(), req)
	}
	entries, total := s.RequestLog(maxRequestLog + 100)
	if total != maxRequestLog+10 || len(entries) != maxRequestLog {
		t.Fatalf("total %d, kept %d", total, len(entries))
	}
	if entries[0].Query != "n="+strconv.Itoa(maxRequestLog+9) || entries[len(entries)-1].Query != "n=10" {
		t.Fatalf("newest %q, oldest %q", entries[0].Query, entries[len(entries)-1].Query)
	}
}

func TestRedactQuery(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"sdkappid=1&usersig=eJyrVkrNSy3KTMsPzs8tSFWyUrK0tLQwMDAwUKoFAKxwCRs%3D&random=5": "random=5&sdkappid=1&usersig=[redacted]",
		"UserSig=abc&Key=k":  "Key=[redacted]&UserSig=[redacted]",
		"a=%zz&usersig=leak": "[redacted]",
		"":                   "",
	} {
		if got := redactQuery(in); got != want {
			t.Errorf("redactQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConsole_simulateForm(t *testing.T) {
	t.Parallel()
	s, ts := startMock(t, Options{DeliveryTimeScale: 0.001})
	received := make(chan string, 64)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received <- r.URL.Query().Get("command")
		_, _ = io.WriteString(w, `{"ErrorCode": 0, "ErrorMessage": "Success"}`)
	}))
	t.Cleanup(recv.Close)
	s.SetCallback(Callback{Address: recv.URL + "/cb", Actions: []string{"normal_end", "caller_start_call"}})
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

func TestAttemptLabel(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		d    Delivery
		want string
	}{
		{Delivery{API: "v1", Attempt: 1, OK: true}, "1 of 7"},
		{Delivery{API: "v1", Attempt: 1}, "1 of 7; next retry at once"},
		{Delivery{API: "v1", Attempt: 2}, "2 of 7, right after the first; next retry 1 s later"},
		{Delivery{API: "v1", Attempt: 4, OK: true}, "4 of 7, 2 s after the first"},
		{Delivery{API: "v1", Attempt: 6}, "6 of 7, 7 s after the first; next retry 5 s later"},
		{Delivery{API: "v1", Attempt: 7}, "7 of 7, 12 s after the first; no retry left"},
		{Delivery{API: "v4", Attempt: 1}, "1 of 1 (v4 does not retry)"},
	} {
		if got := attemptLabel(c.d); got != c.want {
			t.Errorf("%+v: %q, want %q", c.d, got, c.want)
		}
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
		if got := dayPart(DayStats{Day: day, Start: c.start, End: c.end}); got != c.want {
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
	s, _ := startMock(t, Options{Clock: func() time.Time { return fixedNow }})
	s.SetCallback(Callback{Address: "http://receiver.test/it's here?a=1&b=2", Actions: []string{"normal_end"}})
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Host = "mock.test:8080"
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
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

// Cloud Contact Center requests are logged too, with API 3.0's string codes
// and request IDs, and the signature never appears.
func TestConsole_requestLogCCC(t *testing.T) {
	t.Parallel()
	s, srv, base, now := cccMock(t, Options{CCCRecords: 5, Seed: 3})
	q := base
	q.body = cdrBody(now, 10, 0, "")
	_, env := q.send(t, srv)
	okID := str(t, cccResponse(t, env)["RequestId"])
	bad := base
	bad.body = cdrBody(now, 10, 0, "")
	bad.secretKey = "wrong"
	_, env = bad.send(t, srv)
	badID := str(t, cccResponse(t, env)["RequestId"])
	entries, _ := s.RequestLog(10)
	if len(entries) != 2 || entries[0].Path != "ccc/DescribeTelCdr" || entries[0].ErrorCode != "AuthFailure.SignatureFailure" ||
		entries[0].RequestID != badID || entries[1].ErrorCode != "0" || entries[1].RequestID != okID {
		t.Fatalf("request log: %+v", entries)
	}
	_, page := get(t, srv.URL, "/console/requests")
	if !strings.Contains(page, "AuthFailure.SignatureFailure") || strings.Contains(page, "Signature=") {
		t.Error("the request log page lacks the CCC failure or shows a signature")
	}
}
