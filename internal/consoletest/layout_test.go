package consoletest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// layoutProblems is run in the page: it lists what a reader cannot see whole.
//   - the document wider than the viewport (the page scrolls sideways);
//   - an element reaching past the viewport's left or right edge, even inside
//     a box that scrolls (a table a phone shows a third of is clipped too);
//   - an element sticking out of the padding box of its nearest ancestor that
//     clips (overflow other than visible, or an <svg>): cut-off text, a
//     chart's bar or label outside the chart, text-overflow ellipses;
//   - an element that clips and holds more than it shows (scrollWidth or
//     scrollHeight beyond its client box);
//   - a chart's text running into the text drawn before it.
//
// Only the outermost offender under each clipping box is named, so one wide
// table is one line, not one per cell.
const layoutProblems = `(() => {
  const out = [];
  const root = document.documentElement;
  const vw = root.clientWidth;
  if (root.scrollWidth > vw) out.push("the page is " + root.scrollWidth + " px wide in a " + vw + " px viewport: it scrolls sideways");
  const name = el => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (typeof el.className === "string" && el.className) s += "." + el.className.trim().split(/\s+/).join(".");
    const text = (el.textContent || "").trim().replace(/\s+/g, " ");
    return text ? s + " \"" + (text.length > 50 ? text.slice(0, 50) + "…" : text) + "\"" : s;
  };
  // An <svg> clips unless told otherwise: the user agent's style says so.
  const clips = el => {
    const cs = getComputedStyle(el);
    return cs.overflowX !== "visible" || cs.overflowY !== "visible";
  };
  const box = el => {
    const r = el.getBoundingClientRect();
    if (el instanceof SVGSVGElement || !el.clientWidth) return r;
    const left = r.left + el.clientLeft, top = r.top + el.clientTop;
    return {left: left, top: top, right: left + el.clientWidth, bottom: top + el.clientHeight};
  };
  const reported = new Set();
  const seen = el => { for (let a = el; a; a = a.parentElement) if (reported.has(a)) return true; return false; };
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
    if (seen(el)) continue;
    if (r.right > vw + 0.5 || r.left < -0.5) {
      out.push(name(el) + " spans " + Math.round(r.left) + " to " + Math.round(r.right) + " px, past the " + vw + " px viewport");
      reported.add(el);
      continue;
    }
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (!clips(a)) continue;
      const b = box(a);
      if (r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5) {
        out.push(name(el) + " sticks out of " + name(a) + ", which clips it");
        reported.add(el);
      }
      break;
    }
    if (!reported.has(el) && !(el instanceof SVGElement) && clips(el) && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)) {
      out.push(name(el) + " clips its content: " + el.scrollWidth + "×" + el.scrollHeight + " px in " + el.clientWidth + "×" + el.clientHeight + " px");
      reported.add(el);
    }
  }
  // Text drawn in a chart must not run into other text of the same chart.
  for (const svg of document.querySelectorAll("svg")) {
    const texts = Array.from(svg.querySelectorAll("text")).filter(t => getComputedStyle(t).display !== "none").map(t => [t, t.getBoundingClientRect()]);
    for (let i = 1; i < texts.length; i++) {
      const [a, ra] = texts[i - 1], [b, rb] = texts[i];
      if (ra.width > 0 && rb.width > 0 && ra.left < rb.right && rb.left < ra.right && ra.top < rb.bottom && rb.top < ra.bottom) {
        out.push("the chart's labels " + name(a) + " and " + name(b) + " overlap");
      }
    }
  }
  return out;
})()`

// checkLayout fails t for every layoutProblems finding on the page p shows.
func checkLayout(t *testing.T, p *page, what string) {
	t.Helper()
	var problems []string
	p.eval(layoutProblems, &problems)
	for _, msg := range problems {
		t.Errorf("%s: %s", what, msg)
	}
}

// visitConsole loads the console's pages as a reader reaches them and calls
// visit on each, loaded: every same-origin page the links lead to from the
// overview (one of each kind: a record's detail once, a page of results
// once), then extra, the states that only a form or a bad address leads to.
// It returns the paths visited.
func visitConsole(t *testing.T, p *page, base string, extra []string, visit func(path string)) []string {
	t.Helper()
	kind := func(u *url.URL) string {
		parts := strings.Split(u.Path, "/")
		if len(parts) > 3 {
			parts = append(parts[:3], "*")
		}
		keys := make([]string, 0, len(u.Query()))
		for k := range u.Query() {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return strings.Join(parts, "/") + "?" + strings.Join(keys, "&")
	}
	seen := map[string]bool{}
	queue := []string{"/"}
	var out []string
	for len(queue) > 0 && len(out) < 40 {
		path := queue[0]
		queue = queue[1:]
		out = append(out, path)
		p.navigate(base + path)
		visit(path)
		var links []string
		p.eval(`Array.from(document.querySelectorAll("a[href]")).map(a => a.href)`, &links)
		for _, l := range links {
			u, err := url.Parse(l)
			if err != nil || !strings.HasPrefix(l, base+"/") || strings.HasPrefix(u.Path, "/console/static/") {
				continue
			}
			if k := kind(u); !seen[k] {
				seen[k] = true
				queue = append(queue, u.RequestURI())
			}
		}
	}
	if len(queue) > 0 {
		t.Fatalf("more than %d kinds of console page: raise the bound", len(out))
	}
	for _, path := range extra {
		p.navigate(base + path)
		visit(path)
	}
	return append(out, extra...)
}

// refusedAddress is a loopback URL nothing listens on: deliveries to it fail
// with the long "connection refused" error text the deliveries page shows.
func refusedAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/callbacks/tencent-callkit/v1/events"
}

// busyConsole is a mock whose pages hold the long things a console shows:
// a group call with many long user IDs, deliveries that failed all seven
// attempts with their error text, a receiver's error codes, and logged API
// requests with their (redacted) queries.
func busyConsole(t *testing.T) (*console, string) {
	t.Helper()
	c := newConsole(t, mockserver.Options{Records: 2000, Seed: 8, DeliveryTimeScale: 0.01})
	rejecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"ErrorCode": 70001, "ErrorMessage": "the receiver is not ready"}`)
	}))
	t.Cleanup(rejecting.Close)
	// Configured out of band, as the overview's own commands do it.
	for route, cb := range map[string]mockserver.Callback{
		"/_mock/callback":    {Address: refusedAddress(t), Actions: []string{"caller_start_call", "callee_accept_call", "normal_end"}},
		"/_mock/v4/callback": {Address: rejecting.URL + "/callbacks/tencent-callkit/v4/status-changes", Actions: []string{"Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall"}},
	} {
		body, _ := json.Marshal(cb)
		req, _ := http.NewRequest(http.MethodPut, c.url+route, bytes.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT %s: HTTP %d", route, resp.StatusCode)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	callees := make([]string, 9)
	for i := range callees {
		callees[i] = fmt.Sprintf("participant-with-a-long-user-id-%02d", i+1)
	}
	rec, err := c.mock.SimulateCall(ctx, mockserver.SimulatedCall{Caller: "organiser-with-a-long-user-id", Callees: callees, CallType: "group", MediaType: "video", Result: "normal_end"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.mock.WaitDeliveries(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.client.GetCallback(ctx); err != nil {
		t.Fatal(err)
	}
	return c, rec.CallID
}

// screenshots names the pages the mock-backend guide shows, by viewport and path.
var screenshots = map[string]string{
	"phone /": "phone-overview", "phone /console/stats": "phone-stats",
	"desktop /console/stats": "stats", "desktop /console/records": "records",
}

// Every page of the console shows everything it holds on a 390 px phone and
// at 1280 px: nothing scrolls sideways, nothing is cut off.
func TestBrowser_everyPageFitsPhoneAndDesktop(t *testing.T) {
	requireAcc(t)
	t.Parallel()
	b := sharedBrowser(t) // first: without Chromium, fail at once
	c, groupCall := busyConsole(t)
	day := c.now.Add(-2 * 24 * time.Hour).Format("2006-01-02")
	extra := []string{
		"/console/stats?range=30d&chart=peak", "/console/stats?range=today&type=group&chart=participants",
		"/console/stats?range=custom&from=" + day + "&to=" + day, "/console/stats?range=fortnight",
		"/console/records?id=no-such-call-id-at-all-not-even-close", "/console/records?type=group&result=normal_end",
		"/console/records?from=not-a-time", "/console/records/" + groupCall, "/console/deliveries?api=v1",
		"/console/requests?failed=1",
	}
	for _, vp := range []struct {
		name          string
		width, height int
		mobile        bool
	}{{"phone", 390, 844, true}, {"desktop", 1280, 900, false}} {
		p := b.newPage(t, vp.width, vp.height, vp.mobile)
		paths := visitConsole(t, p, c.url, extra, func(path string) {
			checkLayout(t, p, fmt.Sprintf("%s at %d px", path, vp.width))
			if name, ok := screenshots[vp.name+" "+path]; ok {
				shot(t, p, name)
			}
		})
		// The overview, statistics, records, a record, deliveries, requests, simulate.
		if len(paths) < 7+len(extra) {
			t.Fatalf("the links reach only %v", paths)
		}
	}
}
