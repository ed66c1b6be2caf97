package consoletest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
	mockconsole "github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver/console"
)

// console is one in-process mock with its console, and the provider's own
// API client pointed at it: the records API as tencentcallkit_call_stats reads it.
type console struct {
	mock   *mockserver.Server
	url    string
	client *callkit.Client
	now    time.Time
}

func newConsole(t *testing.T, opts mockserver.Options) *console {
	t.Helper()
	now := time.Now().Truncate(time.Second)
	opts.Clock = func() time.Time { return now }
	mock := mockserver.New(opts)
	srv := httptest.NewServer(mockconsole.New(mock.ConsoleView(), mock))
	t.Cleanup(func() {
		srv.Close()
		mock.Close()
	})
	client, err := callkit.New(callkit.Config{
		SDKAppID: mockserver.DefaultSDKAppID, SecretKey: mockserver.DefaultKey, Endpoint: srv.URL,
		Clock: func() time.Time { return now }, Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &console{mock: mock, url: srv.URL, client: client, now: now}
}

// statsOf is what the provider's client computes for a window: from the
// records API, which reaches back 7 days (callkit-api.md §4); the console
// reaches further (90 days), so the calls of a window before the 7-day edge
// come from the mock's store, through the client's own aggregator.
func (c *console) statsOf(ctx context.Context, f callkit.RecordFilter) (callkit.Stats, error) {
	edge := c.now.Add(-7 * 24 * time.Hour).Unix()
	if f.StartTimestamp >= edge {
		return c.client.CallStats(ctx, callkit.V1, f)
	}
	agg := callkit.NewStatsAggregator()
	var older []callkit.Record
	for _, r := range c.mock.Records() {
		if r.StartCallTs >= f.StartTimestamp && r.StartCallTs < edge && r.StartCallTs <= f.EndTimestamp && (f.CallType == "" || r.CallType == f.CallType) {
			older = append(older, callkit.Record{CallID: r.CallID, StartCallTs: r.StartCallTs, AcceptTs: r.AcceptTs, EndTs: r.EndTs,
				Caller: r.Caller, Callees: r.Callees, CallType: r.CallType, CallResult: r.CallResult, MediaType: r.MediaType})
		}
	}
	agg.Add(older)
	if f.EndTimestamp >= edge {
		f.StartTimestamp = edge
		_, err := c.client.WalkRecords(ctx, callkit.V1, f, callkit.WalkOptions{}, func(b []callkit.Record, _ callkit.WalkProgress) error {
			agg.Add(b)
			return nil
		})
		if err != nil {
			return callkit.Stats{}, err
		}
	}
	return agg.Stats(), nil
}

// The statistics page shows, for every window and call type, exactly what
// the provider's client computes from the records API for the same window.
func TestBrowser_statsMatchRecordsAPI(t *testing.T) {
	requireAcc(t)
	t.Parallel()
	c := newConsole(t, mockserver.Options{Records: 1500, Seed: 11})
	// Calls older than the generated week, so that 30 days differs from 7.
	var old []mockserver.Record
	for i := range 40 {
		start := c.now.Add(-time.Duration(8+i%20) * 24 * time.Hour).Unix()
		r := mockserver.Record{CallID: fmt.Sprintf("old-%02d", i), MediaType: "audio", StartCallTs: start, EndTs: start + 90,
			Caller: "veteran" + strconv.Itoa(i%7), Callees: []string{"user1"}, CallType: "single", CallResult: "reject", TotalUserNumber: 2}
		if i%3 == 0 {
			r.AcceptTs, r.CallResult = start+5, "normal_end"
		}
		if i%4 == 0 {
			r.CallType, r.Callees = "group", []string{"user2", "user3"}
			r.AcceptTs, r.CallResult = start+5, "normal_end"
		}
		old = append(old, r)
	}
	c.mock.AddRecords(old...)

	b := sharedBrowser(t)
	p := b.newPage(t, 1280, 900, false)
	from := c.now.Add(-12 * 24 * time.Hour).Format("2006-01-02")
	to := c.now.Add(-3 * 24 * time.Hour).Format("2006-01-02")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, window := range []string{"range=today", "range=7d", "range=30d", "range=custom&from=" + from + "&to=" + to} {
		for _, ct := range []string{"all", "single", "group"} {
			path := "/console/stats?" + window + "&type=" + ct
			p.navigate(c.url + path)
			var got struct {
				Start, End, Calls, Participants, Max, Single, Group string
			}
			p.eval(`(() => {
				const f = n => document.querySelector('[data-figure="' + n + '"]').textContent.trim();
				return {Start: document.querySelector("[data-window-start]").dataset.windowStart,
					End: document.querySelector("[data-window-end]").dataset.windowEnd,
					Calls: f("calls"), Participants: f("participants"), Max: f("max-concurrent"),
					Single: f("max-single"), Group: f("max-group")};
			})()`, &got)
			start, _ := strconv.ParseInt(got.Start, 10, 64)
			end, _ := strconv.ParseInt(got.End, 10, 64)
			if start <= 0 || end < start || end != c.now.Unix() && !strings.Contains(window, "custom") {
				t.Fatalf("%s: the page's window is [%s, %s] (now %d)", path, got.Start, got.End, c.now.Unix())
			}
			filter := callkit.RecordFilter{StartTimestamp: start, EndTimestamp: end}
			if ct != "all" {
				filter.CallType = ct
			}
			want, err := c.statsOf(ctx, filter)
			if err != nil {
				t.Fatalf("%s: the records API: %v", path, err)
			}
			for name, pair := range map[string][2]string{
				"calls":          {got.Calls, strconv.FormatInt(want.CallCount, 10)},
				"participants":   {got.Participants, strconv.FormatInt(want.ParticipantCount, 10)},
				"max concurrent": {got.Max, strconv.FormatInt(want.MaxConcurrentCalls, 10)},
				"1v1 peak":       {got.Single, strconv.FormatInt(want.MaxConcurrentSingle, 10)},
				"group peak":     {got.Group, strconv.FormatInt(want.MaxConcurrentGroup, 10)},
			} {
				if pair[0] != pair[1] {
					t.Errorf("%s: the page shows %s %s, the records API gives %s", path, name, pair[0], pair[1])
				}
			}
			if window == "range=30d" && ct == "all" && want.CallCount <= 1500 {
				t.Errorf("30 days hold %d calls: the older records are missing", want.CallCount)
			}
		}
	}
}

// The records page's filters select what the records API selects, newest
// first, and a record's detail is the API's record.
func TestBrowser_recordsMatchRecordsAPI(t *testing.T) {
	requireAcc(t)
	t.Parallel()
	c := newConsole(t, mockserver.Options{Records: 3000, Seed: 12})
	b := sharedBrowser(t)
	p := b.newPage(t, 1280, 900, false)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	from := c.now.Add(-4 * 24 * time.Hour).In(time.Local)
	to := c.now.Add(-1 * 24 * time.Hour).In(time.Local)
	layout := "2006-01-02T15:04"
	for _, f := range []struct{ callType, result string }{{"single", "reject"}, {"group", ""}, {"", "not_answer"}} {
		q := url.Values{"from": {from.Format(layout)}, "to": {to.Format(layout)}, "type": {f.callType}, "result": {f.result}}
		p.navigate(c.url + "/console/records?" + q.Encode())
		start, _ := time.ParseInLocation(layout, from.Format(layout), time.Local)
		end, _ := time.ParseInLocation(layout, to.Format(layout), time.Local)
		want, err := c.client.ListAllRecords(ctx, callkit.V1, callkit.RecordFilter{
			StartTimestamp: start.Unix(), EndTimestamp: end.Unix() + 59, CallType: f.callType, CallResult: f.result,
		}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.text(`[data-field="total"]`); got != strconv.Itoa(len(want)) {
			t.Errorf("%+v: the page counts %s records, the records API %d", f, got, len(want))
		}
		var ids []string
		p.eval(`Array.from(document.querySelectorAll("[data-call-id]")).map(a => a.dataset.callId)`, &ids)
		if len(want) == 0 || len(ids) != min(50, len(want)) || ids[0] != want[len(want)-1].CallID {
			t.Fatalf("%+v: the page lists %d records starting %v; the API's newest is %s", f, len(ids), ids[:min(1, len(ids))], want[len(want)-1].CallID)
		}
	}
	// Search by call ID leads to the record's detail.
	rec, err := c.client.GetRecord(ctx, callkit.V1, c.mock.Records()[1234].CallID)
	if err != nil {
		t.Fatal(err)
	}
	p.navigate(c.url + "/console/records")
	p.submit(fmt.Sprintf(`(() => { const f = document.querySelector('input[name="id"]').form; f.id.value = %q; f.submit(); })()`, rec.CallID))
	for sel, want := range map[string]string{
		`[data-field="call-id"]`: rec.CallID, `[data-field="caller"]`: rec.Caller, `[data-field="result"]`: rec.CallResult,
		`[data-field="callees"]`: strings.Join(rec.Callees, ", "),
	} {
		if got := p.text(sel); got != want {
			t.Errorf("the detail's %s is %q, the API's %q", sel, got, want)
		}
	}
}

// gatedReceiver acknowledges callbacks once released, failing the first
// attempt of failCommand so that a retry shows.
type gatedReceiver struct {
	*httptest.Server
	release  chan struct{}
	mu       sync.Mutex
	failed   bool
	received []string
}

func newGatedReceiver(t *testing.T, failCommand string) *gatedReceiver {
	g := &gatedReceiver{release: make(chan struct{})}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-g.release:
		case <-r.Context().Done():
			return
		}
		cmd := r.URL.Query().Get("command")
		g.mu.Lock()
		g.received = append(g.received, cmd)
		fail := cmd == failCommand && !g.failed
		g.failed = g.failed || fail
		g.mu.Unlock()
		if fail {
			_, _ = io.WriteString(w, `{"ErrorCode": 1, "ErrorMessage": "not now"}`)
			return
		}
		_, _ = io.WriteString(w, `{"ErrorCode": 0, "ErrorMessage": "Success"}`)
	}))
	t.Cleanup(g.Close)
	return g
}

// A person follows an apply, a drift and a simulated call on the page: the
// API change with its requestId, the out-of-band change, then the form's
// call and its deliveries arriving while the page stays open.
func TestBrowser_followApplyDriftAndSimulatedCall(t *testing.T) {
	requireAcc(t)
	t.Parallel()
	c := newConsole(t, mockserver.Options{Records: 3000, Seed: 5, DeliveryTimeScale: 0.05})
	recv := newGatedReceiver(t, "normal_end")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// What terraform apply does: v1/callback/set through the provider's client.
	address := recv.URL + "/callkit"
	if err := c.client.SetCallback(ctx, callkit.Callback{Address: address, Actions: []string{"caller_start_call", "callee_accept_call", "normal_end"}}); err != nil {
		t.Fatal(err)
	}
	log, _ := c.mock.RequestLog(1)
	if len(log) != 1 || log[0].Path != "v1/callback/set" || log[0].RequestID == "" {
		t.Fatalf("the request log does not hold the set request: %+v", log)
	}
	b := sharedBrowser(t)
	p := b.newPage(t, 1280, 900, false)
	p.navigate(c.url + "/")
	for sel, want := range map[string]string{
		`[data-field="sdkappid"]`:              strconv.Itoa(mockserver.DefaultSDKAppID),
		`#config-v1 [data-field="address"]`:    address,
		`#config-v1 [data-field="op"]`:         "set",
		`#config-v1 [data-field="source"]`:     "v1/callback/set",
		`#config-v1 [data-field="request-id"]`: log[0].RequestID,
		`#config-v4 [data-field="address"]`:    "No configuration.",
		`[data-field="records"]`:               "3000",
	} {
		if got := p.text(sel); got != want {
			t.Errorf("overview %s: %q, want %q", sel, got, want)
		}
	}
	shot(t, p, "overview")
	checkOutOfBandCommands(t, p, c.url, address)

	// Drift: the configuration changes behind Terraform's back; a refresh shows it.
	moved := recv.URL + "/moved"
	req, _ := http.NewRequest(http.MethodPut, c.url+"/_mock/callback",
		strings.NewReader(fmt.Sprintf(`{"address": %q, "actions": ["caller_start_call", "callee_accept_call", "normal_end"]}`, moved)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	p.navigate(c.url + "/")
	if got := p.text(`#config-v1 [data-field="address"]`); got != moved {
		t.Errorf("after the out-of-band change the page shows %q, want %q", got, moved)
	}
	if got := p.text(`#config-v1 [data-field="source"]`); !strings.HasPrefix(got, "PUT /_mock/callback") || !strings.Contains(got, "out of band") {
		t.Errorf("the out-of-band change is shown as by %q", got)
	}

	// A simulated call through the form: its deliveries appear on the page it
	// leads to without a reload (the receiver answers only once the page is up).
	p.navigate(c.url + "/console/simulate")
	p.submit(`(() => {
		const f = document.querySelector("form.simulate");
		f.caller.value = "alice"; f.callees.value = "bob"; f.result.value = "normal_end"; f.media_type.value = "video";
		f.submit();
	})()`)
	var where struct{ Path, Call string }
	p.eval(`({Path: location.pathname, Call: new URLSearchParams(location.search).get("call") || ""})`, &where)
	if where.Path != "/console/deliveries" || where.Call == "" {
		t.Fatalf("the form led to %+v", where)
	}
	if got := p.text(`[data-field="simulated"]`); !strings.Contains(got, where.Call) {
		t.Errorf("the notice says %q", got)
	}
	p.eval(`window.__sameDocument = true`, nil)
	close(recv.release)
	// Three subscribed callbacks, the status callback failing once: four attempts.
	p.waitFor(`document.querySelectorAll("table.deliveries tbody tr:not(.empty)").length === 4`, 10*time.Second)
	var same bool
	p.eval(`window.__sameDocument === true`, &same)
	if !same {
		t.Error("the page reloaded instead of updating itself")
	}
	var rows [][]string
	p.eval(`Array.from(document.querySelectorAll("table.deliveries tbody tr")).map(tr => Array.from(tr.cells).map(td => td.textContent.trim()))`, &rows)
	// Newest first: the successful retry of normal_end, then its failed first attempt.
	if len(rows) != 4 || !strings.Contains(rows[0][1], "normal_end") || rows[0][5] != "2 of 7, right after the first" || rows[0][4] != "0" ||
		!strings.Contains(rows[1][1], "normal_end") || rows[1][5] != "1 of 7; next retry at once" || rows[1][4] != "1" || rows[1][3] != "200" {
		t.Errorf("the deliveries table:\n%q", rows)
	}
	for _, row := range rows {
		if !strings.HasPrefix(row[2], moved+"?") {
			t.Errorf("a delivery went to %q, want the moved address %s", row[2], moved)
		}
	}
	shot(t, p, "deliveries")

	// The record's detail, and no UserSig on the request log.
	p.navigate(c.url + "/console/records/" + url.PathEscape(where.Call))
	if got := p.text(`[data-field="caller"]`); got != "alice" {
		t.Errorf("the record's caller is %q", got)
	}
	// A read and a miss, as a plan would make them, for the request log to show.
	if _, err := c.client.GetCallback(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.client.GetRecord(ctx, callkit.V1, "no-such-call"); err == nil {
		t.Fatal("a record that does not exist was found")
	}
	p.navigate(c.url + "/console/requests")
	if got := p.text(`tbody tr td[data-col="code"]`); got != "70011" {
		t.Errorf("the newest request's errorCode is shown as %q, want 70011", got)
	}
	var html string
	p.eval(`document.documentElement.outerHTML`, &html)
	for _, sig := range c.mock.SeenUserSigs() {
		if strings.Contains(html, sig) || strings.Contains(html, url.QueryEscape(sig)) {
			t.Fatal("the request log page shows a UserSig")
		}
	}
	if !strings.Contains(html, log[0].RequestID) || !strings.Contains(html, "usersig=[redacted]") {
		t.Error("the request log page lacks the set request or the redacted usersig")
	}
	shot(t, p, "requests")
}

// checkOutOfBandCommands checks the overview's curl commands: they name the
// mock's own address and, for v1, the current configuration (set to address).
func checkOutOfBandCommands(t *testing.T, p *page, mockURL, address string) {
	t.Helper()
	wantPut := fmt.Sprintf(`curl -X PUT %s/_mock/callback -d '{"address":%q,"actions":["caller_start_call","callee_accept_call","normal_end"]}'`, mockURL, address)
	if got := p.text(`#config-v1 [data-field="put-command"]`); got != wantPut {
		t.Errorf("the overview's PUT command is\n%s\nwant\n%s", got, wantPut)
	}
	if got, want := p.text(`#config-v4 [data-field="delete-command"]`), "curl -X DELETE "+mockURL+"/_mock/v4/callback"; got != want {
		t.Errorf("the overview's v4 DELETE command is %q, want %q", got, want)
	}
}

// shot takes a screenshot (which must be a PNG of some substance) and, with
// UPDATE_SCREENSHOTS=1, writes it into the mock-backend guide's images.
func shot(t *testing.T, p *page, name string) {
	t.Helper()
	// Fifty records, or a phone's overview with its deliveries: the first screenful says enough.
	png := p.screenshot(name != "records" && name != "phone-overview")
	if len(png) < 10<<10 {
		t.Errorf("the %s screenshot is only %d bytes", name, len(png))
	}
	if os.Getenv("UPDATE_SCREENSHOTS") != "1" {
		return
	}
	path := filepath.Join("..", "..", "docs", "images", "mock-console-"+name+".png")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
