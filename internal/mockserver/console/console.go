package console

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// Package console is the mock's web console: server-rendered pages at / of the
// mock's address that show what the mock service holds and sees, read through
// the mock's ConsoleView. Everything it needs is embedded, so it works with no
// network. Only the mock serves it; the provider never links it.

//go:embed *.tmpl static
var consoleFiles embed.FS

const (
	consoleRecordsPerPage  = 50
	consoleDeliveryRows    = 200
	consoleRequestRows     = 200
	consoleMaxSimulate     = 100
	consoleTimeLayout      = "2006-01-02 15:04:05 MST"
	consoleDateLayout      = "2006-01-02"
	consoleDateTimeLayout  = "2006-01-02T15:04" // <input type="datetime-local">
	consoleMaxRequestBytes = 64 << 10
)

var consolePages = parseConsolePages()

func parseConsolePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"unix":     func(ts int64) time.Time { return time.Unix(ts, 0) },
		"join":     strings.Join,
		"add":      func(a, b int) int { return a + b },
		"sub64":    func(a, b int64) int64 { return a - b },
		"duration": formatDuration,
		"attempt":  mockserver.Delivery.AttemptLabel,
		"dayPart":  dayPart,
		"ms": func(d time.Duration) string {
			return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64)
		},
	}
	base := template.Must(template.New("layout.tmpl").Funcs(funcs).ParseFS(consoleFiles, "layout.tmpl", "rows.tmpl"))
	pages := map[string]*template.Template{}
	names, err := fs.Glob(consoleFiles, "page_*.tmpl")
	if err != nil || len(names) == 0 {
		panic("console: the console's page templates are missing from the binary")
	}
	for _, name := range names {
		key := strings.TrimSuffix(strings.TrimPrefix(name, "page_"), ".tmpl")
		pages[key] = template.Must(template.Must(base.Clone()).ParseFS(consoleFiles, name))
	}
	return pages
}

// server serves the console from a view of the mock, and the rest to its API.
type server struct {
	v   mockserver.ConsoleView
	api http.Handler
	mux *http.ServeMux
}

// New serves the console's routes from view and every other request, the
// API's and the /_mock/ control surface's, by api (the mock itself).
func New(view mockserver.ConsoleView, api http.Handler) http.Handler {
	s := &server{v: view, api: api}
	mux := http.NewServeMux()
	static, _ := fs.Sub(consoleFiles, "static")
	mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.consoleOverview)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/static/icon.svg", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /console/stats", s.consoleStats)
	mux.HandleFunc("GET /console/records", s.consoleRecords)
	mux.HandleFunc("GET /console/records/{id}", s.consoleRecord)
	mux.HandleFunc("GET /console/deliveries", s.consoleDeliveries)
	mux.HandleFunc("GET /console/deliveries.json", s.consoleDeliveriesJSON)
	mux.HandleFunc("GET /console/requests", s.consoleRequests)
	mux.HandleFunc("GET /console/simulate", s.consoleSimulateForm)
	mux.HandleFunc("POST /console/simulate", s.consoleSimulate)
	s.mux = mux
	return s
}

// ServeHTTP serves the console's routes and leaves the rest to the API.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isConsole(r) {
		s.mux.ServeHTTP(w, r)
		return
	}
	s.api.ServeHTTP(w, r)
}

// isConsole tells the console's requests from the API's.
func isConsole(r *http.Request) bool {
	if r.Header.Get("X-TC-Action") != "" {
		return false
	}
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	// A browser asks for /favicon.ico on its own: answer it here so that it
	// does not land in the API request log as an unknown path.
	return get && (r.URL.Path == "/" || r.URL.Path == "/favicon.ico") || strings.HasPrefix(r.URL.Path, "/console/")
}

// consolePage is what every page template gets.
type consolePage struct {
	Title    string
	Nav      string
	Now      time.Time
	Loc      *time.Location
	Zone     string // Loc's name for labels: "UTC", or "CET, UTC+01:00"
	SDKAppID int64
	Data     any
}

// zoneLabel names the zone times are shown and read in at t, so that a
// reader knows what a date-time field means.
func zoneLabel(t time.Time) string {
	name, offset := t.Zone()
	if offset == 0 && (name == "UTC" || name == "GMT" || name == "") {
		return "UTC"
	}
	sign := "+"
	if offset < 0 {
		sign, offset = "-", -offset
	}
	utc := fmt.Sprintf("UTC%s%02d:%02d", sign, offset/3600, offset/60%60)
	if name == "" || strings.ContainsAny(name, "+-0123456789") {
		return utc
	}
	return name + ", " + utc
}

func (s *server) render(w http.ResponseWriter, status int, name, title string, data any) {
	var buf bytes.Buffer
	now := s.v.Now()
	p := consolePage{Title: title, Nav: name, Now: now, Loc: time.Local, Zone: zoneLabel(now.In(time.Local)), SDKAppID: s.v.SDKAppID, Data: data}
	if err := consolePages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		http.Error(w, "rendering the page failed: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// Everything is local: no script, style or image from anywhere else.
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// --- overview --------------------------------------------------------------

type consoleConfig struct {
	API        string
	Configured bool
	Callback   mockserver.Callback
	Change     *mockserver.ConfigChange
	// Unattributed: the configuration differs from what its last recorded
	// change left, so a Go method call (not an HTTP request) changed it since.
	Unattributed bool
	ControlPath  string
	// PutCommand and DeleteCommand are curl commands for the control route
	// at the address the reader reached the console by.
	PutCommand, DeleteCommand string
}

type overviewData struct {
	Identifier     string
	GroupPackage   bool
	Records        int
	CCCSdkAppID    int64
	Configs        []consoleConfig
	Today          mockserver.WindowStats
	TodayLink      string
	Deliveries     int
	Requests       int
	LastDeliveries []mockserver.Delivery
}

// consoleConfigs are the v1 and the v4 configuration as the pages show them
// to the reader of r.
func (s *server) consoleConfigs(r *http.Request) []consoleConfig {
	base := baseURL(r)
	return []consoleConfig{s.consoleConfig("v1", base), s.consoleConfig("v4", base)}
}

// baseURL is the mock's address as the request reached it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *server) consoleConfig(api, base string) consoleConfig {
	st := s.v.Callback(api)
	c := consoleConfig{API: api, ControlPath: st.ControlPath, Callback: st.Callback, Configured: st.Configured, Change: st.Change, Unattributed: st.Unattributed}
	// Plain JSON, as a person would type it: no \u0026 for & in a URL.
	var body strings.Builder
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(st.Example)
	c.PutCommand = "curl -X PUT " + shellQuote(base+c.ControlPath) + " -d " + shellQuote(strings.TrimSpace(body.String()))
	c.DeleteCommand = "curl -X DELETE " + shellQuote(base+c.ControlPath)
	return c
}

// shellQuote quotes a word for a POSIX shell, leaving plain ones bare.
func shellQuote(v string) string {
	if v != "" && strings.Trim(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@%+=,") == "" {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

func (s *server) consoleOverview(w http.ResponseWriter, r *http.Request) {
	now := s.v.Now()
	sum := s.v.Summary()
	d := overviewData{Identifier: sum.Identifier, GroupPackage: sum.GroupPackage, Deliveries: sum.Deliveries, Records: sum.Records}
	d.CCCSdkAppID = s.v.CCCSdkAppID
	d.Configs = s.consoleConfigs(r)
	start, end := rangeWindow("today", now, time.Local)
	d.Today = s.v.Stats(start, end, "", time.Local)
	d.TodayLink = "/console/stats?range=today"
	_, d.Requests = s.v.Requests(0)
	d.LastDeliveries, _ = s.v.Deliveries(5, nil)
	s.render(w, http.StatusOK, "overview", "Overview", d)
}

// --- statistics ------------------------------------------------------------

type statsData struct {
	Range, Type, Chart string
	From, To           string // custom range dates
	Stats              mockserver.WindowStats
	Overview           int64 // the larger of the two types' peaks
	Plot               chart
	Error              string
	HCL                string
	PastRetention      bool
}

func (s *server) consoleStats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := s.v.Now()
	d := s.statsQuery(q)
	start, end := d.window(q, now)
	d.Stats = s.v.Stats(start, end, d.Type, time.Local)
	d.Overview = max(d.Stats.MaxSingle, d.Stats.MaxGroup)
	d.Plot = dayChart(d.Stats.Days, d.Chart)
	d.PastRetention = start < now.Unix()-int64(s.v.Retention/time.Second)
	d.HCL = fmt.Sprintf("data \"tencentcallkit_call_stats\" \"console\" {\n  start_timestamp = %d\n  end_timestamp   = %d\n", start, end)
	if d.Type != "" {
		d.HCL += fmt.Sprintf("  call_type       = %q\n", d.Type)
	}
	d.HCL += "}"
	status := http.StatusOK
	if d.Error != "" {
		status = http.StatusBadRequest
	}
	s.render(w, status, "stats", "Statistics", d)
}

// statsQuery reads the page's choices, falling back on a bad type or chart.
func (s *server) statsQuery(q url.Values) statsData {
	d := statsData{Range: q.Get("range"), Type: q.Get("type"), Chart: q.Get("chart"), From: q.Get("from"), To: q.Get("to")}
	if d.Range == "" {
		d.Range = "7d"
	}
	if d.Type == "all" {
		d.Type = ""
	}
	if d.Type != "" && !slices.Contains(s.v.CallTypes, d.Type) {
		d.Error = fmt.Sprintf("type %q must be all, single or group", d.Type)
		d.Type = ""
	}
	if d.Chart != "participants" && d.Chart != "peak" {
		d.Chart = "calls"
	}
	return d
}

// window is the statistics window the query names: exact Unix bounds, a
// custom date range or a named range; a bad one falls back on the last 7 days.
func (d *statsData) window(q url.Values, now time.Time) (start, end int64) {
	var err error
	switch {
	case q.Get("start") != "" || q.Get("end") != "":
		// Exact Unix-second bounds, as tencentcallkit_call_stats takes them.
		d.Range = "custom"
		start, end, err = unixWindow(q.Get("start"), q.Get("end"), now)
		d.From, d.To = time.Unix(start, 0).In(time.Local).Format(consoleDateLayout), time.Unix(end, 0).In(time.Local).Format(consoleDateLayout)
	case d.Range == "custom":
		start, end, err = dateWindow(d.From, d.To, time.Local)
	case d.Range == "today" || d.Range == "7d" || d.Range == "30d":
		start, end = rangeWindow(d.Range, now, time.Local)
	default:
		err = fmt.Errorf("range %q must be today, 7d, 30d or custom", d.Range)
	}
	if err != nil {
		d.Error = err.Error()
		d.Range = "7d"
		start, end = rangeWindow(d.Range, now, time.Local)
	}
	if d.From == "" {
		d.From = time.Unix(start, 0).In(time.Local).Format(consoleDateLayout)
		d.To = time.Unix(end, 0).In(time.Local).Format(consoleDateLayout)
	}
	return start, end
}

// rangeWindow is a named window ending now: today from local midnight, or
// the last 7 or 30 days of 24 hours, the window of lookback = "7d" or "30d"
// (calendar days would leave out most of the first day's calls).
func rangeWindow(name string, now time.Time, loc *time.Location) (start, end int64) {
	switch name {
	case "30d":
		return now.Add(-30 * 24 * time.Hour).Unix(), now.Unix()
	case "7d":
		return now.Add(-7 * 24 * time.Hour).Unix(), now.Unix()
	}
	t := now.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc).Unix(), now.Unix()
}

// dateWindow is from's local midnight through the last second of to.
func dateWindow(from, to string, loc *time.Location) (start, end int64, err error) {
	f, err := time.ParseInLocation(consoleDateLayout, from, loc)
	if err != nil {
		return 0, 0, fmt.Errorf("from %q is not a date (YYYY-MM-DD)", from)
	}
	t, err := time.ParseInLocation(consoleDateLayout, to, loc)
	if err != nil {
		return 0, 0, fmt.Errorf("to %q is not a date (YYYY-MM-DD)", to)
	}
	if t.Before(f) {
		return 0, 0, fmt.Errorf("to %s is before from %s", to, from)
	}
	if t.Sub(f) > 366*24*time.Hour {
		return 0, 0, fmt.Errorf("the range %s to %s is longer than a year, the console's reach", from, to)
	}
	return f.Unix(), t.AddDate(0, 0, 1).Unix() - 1, nil
}

// unixWindow reads start and end in Unix seconds; end defaults to now.
func unixWindow(startS, endS string, now time.Time) (start, end int64, err error) {
	start, err = strconv.ParseInt(startS, 10, 64)
	if err != nil || start < 0 {
		return 0, 0, fmt.Errorf("start %q must be a Unix time in seconds", startS)
	}
	end = now.Unix()
	if endS != "" {
		end, err = strconv.ParseInt(endS, 10, 64)
		if err != nil || end < 0 {
			return 0, 0, fmt.Errorf("end %q must be a Unix time in seconds", endS)
		}
	}
	if end < start {
		return 0, 0, fmt.Errorf("end %d is before start %d", end, start)
	}
	if end-start > 400*24*3600 {
		return 0, 0, fmt.Errorf("the window %d to %d is longer than 400 days", start, end)
	}
	return start, end, nil
}

// chart is a per-day bar chart, laid out here so the template only draws.
// Heights are in pixels; positions across are percentages of the plot's
// width, so the chart fits any screen with every bar shown and its text at
// its own size.
type chart struct {
	Metric string
	Height int
	BaseY  int
	Bars   []chartBar
	Ticks  []chartTick
	Max    int64
}

type chartBar struct {
	X, W, LabelX string // percentages
	Y, H         int
	Label        string
	Value        int64
	Title        string
	ShowLabel    bool
	Minor        bool // a label a phone leaves out, for room
}

type chartTick struct {
	Y     int
	Value int64
}

// The most day labels a 390 px phone has room for under its bars.
const phoneDayLabels = 7

func dayChart(days []mockserver.DayStats, metric string) chart {
	const top, bottom, height = 12, 28, 260
	c := chart{Metric: metric, Height: height, BaseY: height - bottom}
	value := func(d mockserver.DayStats) int64 {
		switch metric {
		case "participants":
			return d.Participants
		case "peak":
			return d.MaxConcurrent
		}
		return d.Calls
	}
	for _, d := range days {
		c.Max = max(c.Max, value(d))
	}
	scale := max(c.Max, 1)
	for i := range 5 {
		v := int64(math.Round(float64(scale) * float64(i) / 4))
		c.Ticks = append(c.Ticks, chartTick{Y: c.BaseY - int(float64(v)/float64(scale)*float64(c.BaseY-top)), Value: v})
	}
	if len(days) == 0 {
		return c
	}
	pct := func(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) + "%" }
	slot := 100 / float64(len(days))
	every := max(1, len(days)/10)
	// The phone's labels are a subset of the desktop's, every phoneEvery-th.
	need := (len(days) + phoneDayLabels - 1) / phoneDayLabels
	phoneEvery := (need + every - 1) / every * every
	for i, d := range days {
		v := value(d)
		h := int(float64(v) / float64(scale) * float64(c.BaseY-top))
		c.Bars = append(c.Bars, chartBar{
			X: pct(float64(i)*slot + slot*0.15), W: pct(slot * 0.7), LabelX: pct(float64(i)*slot + slot/2),
			Y: c.BaseY - h, H: h, Label: d.Day.Format("01-02"), Value: v,
			ShowLabel: i%every == 0, Minor: i%phoneEvery != 0,
			Title: fmt.Sprintf("%s%s: %d calls, %d participants, %d max concurrent", d.Day.Format(consoleDateLayout), dayPart(d), d.Calls, d.Participants, d.MaxConcurrent),
		})
	}
	return c
}

// dayPart says which part of its day a window's first or last day covers
// ("" for the whole day), so that a partial day does not read as a slow one.
func dayPart(d mockserver.DayStats) string {
	from, until := time.Unix(d.Start, 0).In(d.Day.Location()), time.Unix(d.End, 0).In(d.Day.Location())
	whole := d.Start <= d.Day.Unix()
	toEnd := d.End >= d.Day.AddDate(0, 0, 1).Unix()-1
	switch {
	case !whole && !toEnd:
		return " (" + from.Format("15:04") + " to " + until.Format("15:04") + ")"
	case !whole:
		return " (from " + from.Format("15:04") + ")"
	case !toEnd:
		return " (until " + until.Format("15:04") + ")"
	}
	return ""
}

// --- records ---------------------------------------------------------------

type recordsData struct {
	From, To, Result, Type, ID string
	Results                    []string
	Records                    []mockserver.Record
	Total                      int
	Page, Pages                int
	Error                      string
	NotFound                   bool
	Link                       func(page int) string
}

func (s *server) consoleRecords(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := recordsData{From: q.Get("from"), To: q.Get("to"), Result: q.Get("result"), Type: q.Get("type"), ID: strings.TrimSpace(q.Get("id")), Results: s.v.CallResults}
	status := http.StatusOK
	if d.ID != "" {
		if rec, found := s.v.Record(d.ID); found {
			http.Redirect(w, r, "/console/records/"+url.PathEscape(rec.CallID), http.StatusSeeOther)
			return
		}
		d.NotFound = true
		status = http.StatusNotFound
	}
	start, end := s.recordsFilter(&d)
	if d.Error != "" {
		s.render(w, http.StatusBadRequest, "records", "Call records", d)
		return
	}
	d.Page, _ = strconv.Atoi(q.Get("page")) // out of int's range: its bound, clamped below
	s.recordsPage(&d, start, end)
	base := url.Values{}
	for k, v := range map[string]string{"from": d.From, "to": d.To, "result": d.Result, "type": d.Type} {
		if v != "" {
			base.Set(k, v)
		}
	}
	d.Link = func(page int) string {
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(page))
		return "/console/records?" + v.Encode()
	}
	s.render(w, status, "records", "Call records", d)
}

// recordsPage reads page d.Page of the filtered records, clamped to the pages
// there are: a page past the end (an old link, or an edited URL whose offset
// would overflow) shows the last one, a page before the first the first.
func (s *server) recordsPage(d *recordsData, start, end int64) {
	total, _ := s.v.Records(start, end, d.Type, d.Result, 0, 0)
	d.Page = min(max(d.Page, 1), pagesOf(total))
	d.Total, d.Records = s.v.Records(start, end, d.Type, d.Result, (d.Page-1)*consoleRecordsPerPage, consoleRecordsPerPage)
	d.Pages = pagesOf(d.Total)
}

// pagesOf is how many console pages total records fill (at least one).
func pagesOf(total int) int { return max(1, (total+consoleRecordsPerPage-1)/consoleRecordsPerPage) }

// recordsFilter checks the page's filter and returns its start-time bounds;
// d.Error says what is wrong with a bad one.
func (s *server) recordsFilter(d *recordsData) (start, end int64) {
	start, end = int64(math.MinInt64), int64(math.MaxInt64)
	var err error
	if d.From != "" {
		if start, err = parseLocalDateTime(d.From); err != nil {
			d.Error = "from: " + err.Error()
		}
	}
	if d.To != "" && d.Error == "" {
		if end, err = parseLocalDateTime(d.To); err != nil {
			d.Error = "to: " + err.Error()
		} else if len(d.To) == len(consoleDateTimeLayout) {
			end += 59 // the whole minute
		}
	}
	if d.Result != "" && !slices.Contains(s.v.CallResults, d.Result) {
		d.Error = fmt.Sprintf("result %q is not one of %s", d.Result, strings.Join(s.v.CallResults, ", "))
	}
	if d.Type != "" && !slices.Contains(s.v.CallTypes, d.Type) {
		d.Error = fmt.Sprintf("type %q must be single or group", d.Type)
	}
	return start, end
}

func parseLocalDateTime(v string) (int64, error) {
	for _, layout := range []string{consoleDateTimeLayout, consoleDateTimeLayout + ":05", consoleDateLayout} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t.Unix(), nil
		}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, nil
	}
	return 0, fmt.Errorf("%q is not a date and time (YYYY-MM-DDTHH:MM) or Unix seconds", v)
}

type recordData struct {
	Record   mockserver.Record
	V1, V4   string
	Rows     []mockserver.Delivery
	Poll     string
	Sig      string
	Duration int64
}

func (s *server) consoleRecord(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	rec, found := s.v.Record(id)
	if !found {
		s.render(w, http.StatusNotFound, "records", "Call records", recordsData{ID: id, NotFound: true, Results: s.v.CallResults, Page: 1, Pages: 1, Link: func(int) string { return "/console/records" }})
		return
	}
	d := recordData{Record: rec}
	if rec.AcceptTs > 0 && rec.EndTs > rec.AcceptTs {
		d.Duration = rec.EndTs - rec.AcceptTs
	}
	w1, w4 := s.v.Wire(rec)
	v1, _ := json.MarshalIndent(w1, "", "  ")
	v4, _ := json.MarshalIndent(w4, "", "  ")
	d.V1, d.V4 = string(v1), string(v4)
	var logged int
	d.Rows, logged = s.v.Deliveries(consoleDeliveryRows, func(x *mockserver.Delivery) bool { return x.CallID == rec.CallID })
	d.Sig = deliveriesSig(d.Rows, logged)
	d.Poll = "/console/deliveries.json?" + url.Values{"call": {rec.CallID}}.Encode()
	s.render(w, http.StatusOK, "record", "Call "+rec.CallID, d)
}

// --- deliveries ------------------------------------------------------------

type deliveriesData struct {
	Call, API, Simulated string
	Rows                 []mockserver.Delivery
	Logged               int
	Poll, Sig            string
	Configs              []consoleConfig
}

func deliveryFilter(call, api string) func(*mockserver.Delivery) bool {
	if call == "" && api == "" {
		return nil
	}
	return func(d *mockserver.Delivery) bool {
		return (call == "" || d.CallID == call) && (api == "" || d.API == api)
	}
}

func (s *server) consoleDeliveries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := deliveriesData{Call: q.Get("call"), API: q.Get("api"), Simulated: q.Get("simulated")}
	if d.API != "" && d.API != "v1" && d.API != "v4" {
		d.API = ""
	}
	d.Rows, d.Logged = s.v.Deliveries(consoleDeliveryRows, deliveryFilter(d.Call, d.API))
	d.Sig = deliveriesSig(d.Rows, d.Logged)
	v := url.Values{}
	if d.Call != "" {
		v.Set("call", d.Call)
	}
	if d.API != "" {
		v.Set("api", d.API)
	}
	d.Poll = "/console/deliveries.json?" + v.Encode()
	d.Configs = s.consoleConfigs(r)
	s.render(w, http.StatusOK, "deliveries", "Deliveries", d)
}

// consoleDeliveriesJSON is what the deliveries tables poll: the rows rendered
// by the same template as the page, and a signature that changes with them.
func (s *server) consoleDeliveriesJSON(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rows, logged := s.v.Deliveries(consoleDeliveryRows, deliveryFilter(q.Get("call"), q.Get("api")))
	var buf bytes.Buffer
	if err := consolePages["deliveries"].ExecuteTemplate(&buf, "delivery_rows", rows); err != nil {
		mockserver.WriteJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	sig := deliveriesSig(rows, logged)
	w.Header().Set("Cache-Control", "no-store")
	mockserver.WriteJSON(w, http.StatusOK, map[string]any{"sig": sig, "shown": len(rows), "logged": logged, "rows": buf.String()})
}

// deliveriesSig changes whenever the rows shown change.
func deliveriesSig(rows []mockserver.Delivery, logged int) string {
	sig := strconv.Itoa(len(rows)) + "-" + strconv.Itoa(logged)
	if len(rows) > 0 {
		sig += "-" + strconv.FormatInt(rows[0].Time.UnixNano(), 10)
	}
	return sig
}

// --- request log -----------------------------------------------------------

type requestsData struct {
	Path     string
	Failed   bool
	Rows     []mockserver.RequestLogEntry
	Total    int
	Kept     int
	Paths    []string
	RowLimit int
}

func (s *server) consoleRequests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := requestsData{Path: q.Get("path"), Failed: q.Get("failed") == "1", RowLimit: consoleRequestRows}
	all, total := s.v.Requests(s.v.RequestLogSize)
	d.Total, d.Kept = total, len(all)
	seen := map[string]bool{}
	for _, e := range all {
		if !seen[e.Path] && len(d.Paths) < 50 {
			seen[e.Path] = true
			d.Paths = append(d.Paths, e.Path)
		}
		if (d.Path == "" || e.Path == d.Path) && (!d.Failed || e.ErrorCode != "0") && len(d.Rows) < consoleRequestRows {
			d.Rows = append(d.Rows, e)
		}
	}
	s.render(w, http.StatusOK, "requests", "API requests", d)
}

// --- simulate --------------------------------------------------------------

type simulateData struct {
	Caller, Callees, CallType, MediaType, Result string
	Calls                                        int
	Results                                      []string
	Error                                        string
	Configs                                      []consoleConfig
}

func (s *server) consoleSimulateForm(w http.ResponseWriter, r *http.Request) {
	d := simulateData{Calls: 1, Results: s.v.CallResults, Configs: s.consoleConfigs(r)}
	s.render(w, http.StatusOK, "simulate", "Simulate a call", d)
}

// sameOrigin refuses a form posted from another site: the mock has no
// authentication, so a page elsewhere must not be able to drive it.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		return err == nil && u.Host == r.Host
	}
	return true
}

func (s *server) consoleSimulate(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, "the simulate form only accepts posts from the console itself", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, consoleMaxRequestBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the form could not be read", http.StatusBadRequest)
		return
	}
	d := simulateData{
		Caller: strings.TrimSpace(r.PostForm.Get("caller")), Callees: strings.TrimSpace(r.PostForm.Get("callees")),
		CallType: r.PostForm.Get("call_type"), MediaType: r.PostForm.Get("media_type"), Result: r.PostForm.Get("result"),
		Results: s.v.CallResults, Calls: 1,
	}
	if v := r.PostForm.Get("calls"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > consoleMaxSimulate {
			d.Error = fmt.Sprintf("calls must be a number from 1 to %d", consoleMaxSimulate)
		}
		d.Calls = n
	}
	var recs []mockserver.Record
	if d.Error == "" {
		recs = s.simulate(r, &d)
	}
	if d.Error != "" && len(recs) == 0 {
		d.Configs = s.consoleConfigs(r)
		s.render(w, http.StatusBadRequest, "simulate", "Simulate a call", d)
		return
	}
	v := url.Values{"simulated": {strconv.Itoa(len(recs))}}
	if len(recs) == 1 {
		v.Set("call", recs[0].CallID)
	}
	http.Redirect(w, r, "/console/deliveries?"+v.Encode(), http.StatusSeeOther)
}

// simulate makes the form's calls, stopping at the first the mock refuses
// (d.Error says why), and returns those it made.
func (s *server) simulate(r *http.Request, d *simulateData) []mockserver.Record {
	c := mockserver.SimulatedCall{Caller: d.Caller, CallType: d.CallType, MediaType: d.MediaType, Result: d.Result}
	if d.Callees != "" {
		c.Callees = strings.FieldsFunc(d.Callees, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r' })
	}
	var recs []mockserver.Record
	// The calls are the mock's, not this request's: deliveries go on after it returns.
	for range d.Calls {
		rec, err := s.v.SimulateCall(context.WithoutCancel(r.Context()), c)
		if err != nil {
			d.Error = strings.TrimPrefix(err.Error(), "mockserver: ")
			break
		}
		recs = append(recs, rec)
	}
	return recs
}

// formatDuration prints seconds as the console does: 1h02m03s, 4m05s, 6s.
func formatDuration(sec int64) string {
	if sec <= 0 {
		return "0s"
	}
	h, m, s := sec/3600, sec/60%60, sec%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}
