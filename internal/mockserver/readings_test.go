package mockserver

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// listIDs asks one v1 (or v4) filter page and returns its call IDs, the
// answer's page field (-1 when absent) and its error code.
func listIDs(t *testing.T, c *client, v4 bool, start, end int64, perPage, page int) (ids []string, pageField, errCode int) {
	t.Helper()
	path, body := "v1/records/get_records_by_filter", fmt.Sprintf(`{"startTimestamp":%d,"endTimestamp":%d,"numberPerPage":%d,"page":%d}`, start, end, perPage, page)
	listKey, idKey, pageKey, data := "callRecordList", "callId", "page", "data"
	if v4 {
		path, body = "v4/call_record_http_srv/get_record_by_filter", fmt.Sprintf(`{"StartTime":%d,"EndTime":%d,"NumberPerPage":%d,"Page":%d}`, start, end, perPage, page)
		listKey, idKey, pageKey, data = "CallRecordList", "CallId", "Page", "Response"
	}
	env := c.post(path, body)
	if errCode = code(t, env); errCode != 0 {
		return nil, -1, errCode
	}
	d := obj(t, env[data])
	for _, r := range arr(t, d[listKey]) {
		ids = append(ids, str(t, obj(t, r)[idKey]))
	}
	pageField = -1
	if p, ok := d[pageKey].(float64); ok {
		pageField = int(p)
	}
	return ids, pageField, 0
}

// TestReadingsAnswerEachWay (issue 33): each reading the docs leave open
// changes the answer as documented, on both generations.
func TestReadingsAnswerEachWay(t *testing.T) {
	t.Parallel()
	now := time.Now()
	clock := newFakeClock(now)
	s, ts := startMock(t, Options{Clock: clock.Now})
	c := newClient(t, ts.URL)
	at := now.Add(-24 * time.Hour).Unix()
	rec := func(id string, start int64) Record {
		return Record{CallID: id, MediaType: "audio", StartCallTs: start, EndTs: start + 10,
			Caller: "u1", Callees: []string{"u2"}, CallType: "single", CallResult: "cancel"}
	}
	s.AddRecords(rec("c", at), rec("a", at), rec("b", at), rec("d", at+1))
	for _, v4 := range []bool{false, true} {
		set := func(r Readings) {
			if err := s.SetReadings(r); err != nil {
				t.Fatal(err)
			}
		}
		check := func(name string, start, end int64, perPage, page int, want []string, wantPage int) {
			t.Helper()
			ids, p, errCode := listIDs(t, c, v4, start, end, perPage, page)
			if errCode != 0 || !slices.Equal(ids, want) || p != wantPage {
				t.Errorf("v4=%v %s: %v page %d (error %d), want %v page %d", v4, name, ids, p, errCode, want, wantPage)
			}
		}
		set(Readings{})
		check("default", at, at+1, 100, 0, []string{"c", "a", "b", "d"}, 0)
		set(Readings{TieOrder: "call_id"})
		check("call_id ties", at, at+1, 100, 0, []string{"a", "b", "c", "d"}, 0)
		check("call_id ties, page 2 of 2", at, at+1, 2, 2, []string{"c", "d"}, 0)
		set(Readings{End: "exclusive"})
		check("exclusive end", at, at+1, 100, 0, []string{"c", "a", "b"}, 0)
		set(Readings{End: "inclusive"})
		check("inclusive end", at, at+1, 100, 0, []string{"c", "a", "b", "d"}, 0)
		set(Readings{PageCap: 3})
		check("page cap, page 1", at, at+1, 100, 1, []string{"c", "a", "b"}, 1)
		check("page cap, page 2", at, at+1, 100, 2, []string{"d"}, 0)
		old := now.Add(-8 * 24 * time.Hour).Unix()
		set(Readings{OldStart: "clamp"})
		check("old start clamped", old, at+1, 100, 0, []string{"c", "a", "b", "d"}, 0)
		set(Readings{OldStart: "refuse"})
		bad := v1BadParam
		if v4 {
			bad = v4ConfigBadParam
		}
		if _, _, errCode := listIDs(t, c, v4, old, at+1, 100, 0); errCode != bad {
			t.Errorf("v4=%v: an old start refused with %d, want %d", v4, errCode, bad)
		}
		edge := now.Add(-7*24*time.Hour).Unix() + 1
		check("a start inside the edge, refuse reading", edge, at+1, 100, 0, []string{"c", "a", "b", "d"}, 0)
	}
	set := func(body string) int {
		resp, err := http.Post(ts.URL+"/_mock/readings", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, bad := range []string{`{"tie_order":"random"}`, `{"end":"both"}`, `{"old_start":"ignore"}`, `{"page_cap":101}`, `{"page_cap":-1}`} {
		if got := set(bad); got != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d, want 400", bad, got)
		}
	}
	if got := set(`{"tie_order":"call_id","end":"exclusive","page_cap":7,"old_start":"refuse"}`); got != http.StatusNoContent {
		t.Fatalf("valid readings: HTTP %d", got)
	}
	if r := s.CurrentReadings(); r != (Readings{TieOrder: "call_id", End: "exclusive", PageCap: 7, OldStart: "refuse"}) {
		t.Fatalf("readings %+v", r)
	}
}

// TestBusySecondAndExpiryOneAtATime (issue 33): a seeded busy second holds
// its calls in one second, ordered differently by the two tie orders, and
// expire_one_each removes the oldest call after each list request.
func TestBusySecondAndExpiryOneAtATime(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s, ts := startMock(t, Options{Clock: newFakeClock(now).Now, BusySecond: 250})
	c := newClient(t, ts.URL)
	at := now.Add(-7*24*time.Hour).Unix() + 3600
	ids, _, _ := listIDs(t, c, false, at, at, 100, 1)
	if len(ids) != 100 {
		t.Fatalf("%d calls on page 1 of the busy second", len(ids))
	}
	if err := s.SetReadings(Readings{TieOrder: "call_id"}); err != nil {
		t.Fatal(err)
	}
	byID, _, _ := listIDs(t, c, false, at, at, 100, 1)
	if slices.Equal(ids, byID) || !slices.IsSorted(byID) {
		t.Fatalf("the tie orders do not differ, or call_id is not sorted: %v", byID[:3])
	}
	if _, err := s.ScheduleMidWalk(MidWalk{ExpireOneEach: 3}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{249, 248, 247, 247} {
		listIDs(t, c, false, at, at, 1, 1)
		if n := len(s.Records()); n != want {
			t.Fatalf("after list request %d: %d records, want %d", i+1, n, want)
		}
	}
	if _, err := s.ScheduleMidWalk(MidWalk{ExpireOneEach: -1}); err == nil {
		t.Fatal("a negative expire_one_each accepted")
	}
	resp, err := http.Post(ts.URL+"/_mock/busy-second", "application/json", strings.NewReader(`{"calls":5}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(s.Records()) != 252 {
		t.Fatalf("POST /_mock/busy-second: HTTP %d, %d records", resp.StatusCode, len(s.Records()))
	}
}
