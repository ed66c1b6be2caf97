package mockserver

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

// fixedNow is a round instant so expected windows are easy to compute.
var fixedNow = time.Unix(1_750_000_000, 0)

func TestGeneratedRecordsAreConsistentAndDeterministic(t *testing.T) {
	t.Parallel()
	a := New(Options{Clock: func() time.Time { return fixedNow }, Seed: 7, Records: 5000}).Records()
	b := New(Options{Clock: func() time.Time { return fixedNow }, Seed: 7, Records: 5000}).Records()
	c := New(Options{Clock: func() time.Time { return fixedNow }, Seed: 8, Records: 5000}).Records()
	if len(a) != 5000 || !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed gave different records (%d vs %d)", len(a), len(b))
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds gave the same records")
	}
	lo := fixedNow.Add(-retention).Unix()
	seen := map[string]bool{}
	results := map[string]int{}
	for i, r := range a {
		if i > 0 && r.StartCallTs < a[i-1].StartCallTs {
			t.Fatalf("records not in ascending start order at %d", i)
		}
		if seen[r.CallID] {
			t.Fatalf("duplicate call ID %s", r.CallID)
		}
		seen[r.CallID] = true
		results[r.CallType+"/"+r.CallResult]++
		switch {
		case r.StartCallTs < lo || r.EndTs > fixedNow.Unix():
			t.Fatalf("record %+v outside the last 7 days", r)
		case r.EndTs < r.StartCallTs:
			t.Fatalf("end before start: %+v", r)
		case connected(r.CallResult) && (r.AcceptTs < r.StartCallTs || r.EndTs < r.AcceptTs):
			t.Fatalf("connected call with inconsistent times: %+v", r)
		case !connected(r.CallResult) && r.AcceptTs != 0:
			t.Fatalf("unconnected call with acceptTs: %+v", r)
		case r.TotalUserNumber != 1+len(r.Callees):
			t.Fatalf("totalUserNumber %d with %d callees", r.TotalUserNumber, len(r.Callees))
		case r.CallType == "group" && r.CallResult != "normal_end":
			t.Fatalf("group call ended %s", r.CallResult)
		case r.CallType == "single" && len(r.Callees) != 1:
			t.Fatalf("single call with %d callees", len(r.Callees))
		case slices.Contains(r.Callees, r.Caller):
			t.Fatalf("caller among callees: %+v", r)
		case r.MediaType != "audio" && r.MediaType != "video":
			t.Fatalf("media type %q", r.MediaType)
		}
	}
	for _, k := range []string{"single/normal_end", "single/cancel", "single/reject", "single/not_answer", "single/call_busy", "single/interrupt", "group/normal_end"} {
		if results[k] == 0 {
			t.Errorf("no %s records among 5000", k)
		}
	}
}

// seqRecords makes n single-call records one minute apart, the first at start.
func seqRecords(n int, start int64, result string) []Record {
	out := make([]Record, n)
	for i := range out {
		s := start + int64(i)*60
		out[i] = Record{
			CallID: fmt.Sprintf("call-%s-%03d", result, i), MediaType: "audio", RoomID: fmt.Sprint(1000 + i), RoomIDType: 1,
			StartCallTs: s, EndTs: s + 10, Caller: "alice", Callees: []string{"bob"}, TotalUserNumber: 2,
			CallType: "single", CallResult: result,
		}
		if connected(result) {
			out[i].AcceptTs = s + 2
		}
	}
	return out
}

func TestV1FilterPaging(t *testing.T) {
	t.Parallel()
	s, ts := startMock(t, Options{Clock: func() time.Time { return fixedNow }})
	start := fixedNow.Unix() - 3600
	// Added out of order, to exercise the re-sorting path.
	recs := seqRecords(25, start, "normal_end")
	s.AddRecords(recs[10:]...)
	s.AddRecords(recs[:10]...)
	s.AddRecords(seqRecords(5, start, "reject")...)
	c := newClient(t, ts.URL)

	var got []string
	page := 0
	for n := 0; ; n++ {
		if n > 10 {
			t.Fatal("paging did not end")
		}
		body := fmt.Sprintf(`{"startTimestamp":%d,"callResult":"normal_end","numberPerPage":10`, start)
		if page > 0 {
			body += fmt.Sprintf(`,"page":%d`, page+1)
		}
		env := c.post("v1/records/get_records_by_filter", body+"}")
		wantCode(t, env, 0)
		data := obj(t, env["data"])
		if data["totalNum"] != 25.0 {
			t.Fatalf("totalNum = %v, want 25", data["totalNum"])
		}
		list := arr(t, data["callRecordList"])
		for _, r := range list {
			got = append(got, str(t, obj(t, r)["callId"]))
		}
		wantPage := float64(n + 1)
		if n == 2 {
			wantPage = 0 // the last page
		}
		if data["page"] != wantPage {
			t.Fatalf("request %d: page = %v, want %v", n+1, data["page"], wantPage)
		}
		page = int(num(t, data["page"]))
		if page == 0 {
			break
		}
	}
	var want []string
	for _, r := range recs {
		want = append(want, r.CallID)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("paged IDs = %v\nwant %v", got, want)
	}

	// A page past the end: empty list, page 0.
	env := c.post("v1/records/get_records_by_filter", fmt.Sprintf(`{"startTimestamp":%d,"callResult":"normal_end","numberPerPage":10,"page":4}`, start))
	wantCode(t, env, 0)
	data := obj(t, env["data"])
	if len(arr(t, data["callRecordList"])) != 0 || data["page"] != 0.0 {
		t.Fatalf("past the end: %v", data)
	}
	// Unfiltered, default page size: both results, one page.
	env = c.post("v1/records/get_records_by_filter", fmt.Sprintf(`{"startTimestamp":%d}`, start))
	data = obj(t, env["data"])
	if data["totalNum"] != 30.0 || len(arr(t, data["callRecordList"])) != 30 || data["page"] != 0.0 {
		t.Fatalf("unfiltered: totalNum %v, %d records, page %v", data["totalNum"], len(arr(t, data["callRecordList"])), data["page"])
	}
	// endTimestamp is inclusive.
	env = c.post("v1/records/get_records_by_filter", fmt.Sprintf(`{"startTimestamp":%d,"endTimestamp":%d,"callType":"single"}`, start, start+60))
	if n := obj(t, env["data"])["totalNum"]; n != 4.0 {
		t.Fatalf("two minutes of two results: totalNum %v, want 4", n)
	}
	first := obj(t, arr(t, obj(t, env["data"])["callRecordList"])[0])
	if first["sdkAppId"] != float64(DefaultSDKAppID) || first["totalUserNumber"] != 2.0 || !reflect.DeepEqual(first["callees"], []any{"bob"}) {
		t.Fatalf("record shape: %v", first)
	}
	// Nothing matches: 70011.
	wantCode(t, c.post("v1/records/get_records_by_filter", fmt.Sprintf(`{"startTimestamp":%d,"callType":"group"}`, start)), v1NoRecord)

	for body, want := range map[string]int{
		`{}`:                                   v1BadParam,
		`{"startTimestamp":"1"}`:               v1BadBody,
		`{"startTimestamp":1,"callResult":""}`: v1BadParam,
		`{"startTimestamp":1,"callResult":"ended"}`: v1BadParam,
		`{"startTimestamp":1,"callType":"multi"}`:   v1BadParam,
		`{"startTimestamp":1,"numberPerPage":0}`:    v1BadParam,
		`{"startTimestamp":1,"numberPerPage":101}`:  v1BadParam,
		`{"startTimestamp":1,"page":-1}`:            v1BadParam,
		`{"startTimestamp":10,"endTimestamp":5}`:    v1BadParam,
	} {
		if got := code(t, c.post("v1/records/get_records_by_filter", body)); got != want {
			t.Errorf("%s: code %d, want %d", body, got, want)
		}
	}
}

func TestV1RecordByCallID(t *testing.T) {
	t.Parallel()
	s, ts := startMock(t, Options{Clock: func() time.Time { return fixedNow }})
	s.AddRecords(seqRecords(3, fixedNow.Unix()-600, "cancel")...)
	c := newClient(t, ts.URL)
	env := c.post("v1/records/get_record_by_callId", `{"callId":"call-cancel-001"}`)
	wantCode(t, env, 0)
	d := obj(t, env["data"])
	if d["callId"] != "call-cancel-001" || d["callResult"] != "cancel" || d["acceptTs"] != 0.0 || d["roomId"] != "1001" {
		t.Fatalf("record = %v", d)
	}
	wantCode(t, c.post("v1/records/get_record_by_callId", `{"callId":"nope"}`), v1NoRecord)
	wantCode(t, c.post("v1/records/get_record_by_callId", `{}`), v1BadParam)
	wantCode(t, c.post("v1/records/get_record_by_callId", `{"callId":7}`), v1BadBody)
}

func TestV4Records(t *testing.T) {
	t.Parallel()
	s, ts := startMock(t, Options{Clock: func() time.Time { return fixedNow }})
	now := fixedNow.Unix()
	old := seqRecords(2, now-int64(retention/time.Second)-600, "interrupt") // older than 7 days
	for i := range old {
		old[i].CallID = fmt.Sprintf("old-%d", i)
	}
	s.AddRecords(old...)
	s.AddRecords(seqRecords(25, now-3600, "normal_end")...)
	s.AddRecords(Record{
		CallID: "grp", MediaType: "video", RoomID: "room-9", RoomIDType: 2, StartCallTs: now - 100, AcceptTs: now - 90,
		EndTs: now - 10, Caller: "user1", Callees: []string{"user5", "user2"}, TotalUserNumber: 3, CallType: "group", CallResult: "normal_end",
	})
	c := newClient(t, ts.URL)

	env := c.post("v4/call_record_http_srv/get_record_by_callid", `{"CallId":"grp"}`)
	wantCode(t, env, 0)
	rec := obj(t, obj(t, env["Response"])["CallRecord"])
	want := map[string]any{
		"CallId": "grp", "Caller_Account": "user1", "MediaType": "Video", "CallType": "MultiCall",
		"StartTime": float64(now - 100), "EndTime": float64(now - 10), "AcceptTime": float64(now - 90),
		"CallResult": "NormalEnd", "CalleeList_Account": []any{"user5", "user2"}, "RoomId": "room-9", "RoomIdType": 2.0,
	}
	if !reflect.DeepEqual(rec, want) {
		t.Fatalf("v4 record = %v\nwant %v", rec, want)
	}
	wantCode(t, c.post("v4/call_record_http_srv/get_record_by_callid", `{"CallId":"missing"}`), v4NoRecord)

	// Defaults: the last 7 days, 10 per page; the old records are out of reach.
	var ids []string
	page := 0
	for n := 0; ; n++ {
		if n > 10 {
			t.Fatal("paging did not end")
		}
		body := `{"CallType":"SingleCall"}`
		if page > 0 {
			body = fmt.Sprintf(`{"CallType":"SingleCall","Page":%d}`, page+1)
		}
		env := c.post("v4/call_record_http_srv/get_record_by_filter", body)
		wantCode(t, env, 0)
		resp := obj(t, env["Response"])
		if resp["TotalNum"] != 25.0 {
			t.Fatalf("TotalNum = %v", resp["TotalNum"])
		}
		for _, r := range arr(t, resp["CallRecordList"]) {
			ids = append(ids, str(t, obj(t, r)["CallId"]))
		}
		page = int(num(t, resp["Page"]))
		if wantPage := map[int]int{0: 1, 1: 2, 2: 0}[n]; page != wantPage {
			t.Fatalf("request %d: Page = %d, want %d", n+1, page, wantPage)
		}
		if page == 0 {
			break
		}
	}
	if len(ids) != 25 || ids[0] != "call-normal_end-000" || ids[24] != "call-normal_end-024" {
		t.Fatalf("paged %d IDs: %v", len(ids), ids)
	}
	// A StartTime before the window is clamped: still not the old records.
	env = c.post("v4/call_record_http_srv/get_record_by_filter", fmt.Sprintf(`{"StartTime":%d,"CallResult":"Interrupt"}`, now-30*86400))
	wantCode(t, env, v4NoRecord)
	env = c.post("v4/call_record_http_srv/get_record_by_filter", `{"CallType":"MultiCall","NumberPerPage":100}`)
	wantCode(t, env, 0)
	if r := obj(t, env["Response"]); r["TotalNum"] != 1.0 || r["Page"] != 0.0 {
		t.Fatalf("MultiCall answer %v", r)
	}
	for body, want := range map[string]int{
		`{"CallResult":"normal_end"}`:   v4ConfigBadParam,
		`{"CallType":"single"}`:         v4ConfigBadParam,
		`{"NumberPerPage":101}`:         v4ConfigBadParam,
		`{"StartTime":"yesterday"}`:     v4BadBody,
		`{"StartTime":20,"EndTime":10}`: v4ConfigBadParam,
		``:                              v4BadBody,
	} {
		if got := code(t, c.post("v4/call_record_http_srv/get_record_by_filter", body)); got != want {
			t.Errorf("%q: code %d, want %d", body, got, want)
		}
	}
}

// TestBatchRepeatingACallIDKeepsTheLater: a batch that holds one call ID
// twice stores it once, the later record winning, as a later AddRecords
// replaces an earlier one; the filter must not serve the earlier one too.
func TestBatchRepeatingACallIDKeepsTheLater(t *testing.T) {
	t.Parallel()
	s, ts := startMock(t, Options{Clock: func() time.Time { return fixedNow }})
	start := fixedNow.Unix() - 3600
	r := seqRecords(2, start, "reject")
	r[1].CallID, r[1].CallResult = r[0].CallID, "cancel"
	s.AddRecords(r...) // in start order: the append-only path
	c := newClient(t, ts.URL)
	env := c.post("v1/records/get_records_by_filter", fmt.Sprintf(`{"startTimestamp":%d}`, start))
	wantCode(t, env, 0)
	data := obj(t, env["data"])
	list := arr(t, data["callRecordList"])
	if data["totalNum"] != 1.0 || len(list) != 1 {
		t.Fatalf("totalNum %v, %d records: want the repeated call ID once", data["totalNum"], len(list))
	}
	if got := obj(t, list[0]); got["callId"] != r[1].CallID || got["callResult"] != "cancel" || got["startCallTs"] != float64(r[1].StartCallTs) {
		t.Fatalf("served %v, want the later record of the batch", got)
	}
	wantCode(t, c.post("v1/records/get_records_by_filter", fmt.Sprintf(`{"startTimestamp":%d,"callResult":"reject"}`, start)), v1NoRecord)
	if all := s.Records(); len(all) != 1 || all[0].CallResult != "cancel" {
		t.Fatalf("Records() = %+v", all)
	}
}

func TestAddRecordsReplacesByCallID(t *testing.T) {
	t.Parallel()
	s := New(Options{Clock: func() time.Time { return fixedNow }})
	r := seqRecords(3, 1000, "reject")
	s.AddRecords(r...)
	moved := r[0]
	moved.StartCallTs, moved.EndTs, moved.CallResult = 5000, 5010, "cancel"
	s.AddRecords(moved)
	all := s.Records()
	if len(all) != 3 || all[2].CallID != moved.CallID || all[2].CallResult != "cancel" {
		t.Fatalf("records after replace: %+v", all)
	}
	total, page := s.store.find(query{start: 0, end: 10000, result: "reject", limit: 10})
	if total != 2 || len(page) != 2 {
		t.Fatalf("reject index still holds the replaced record: total %d", total)
	}
}
