package callkit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/walk"
)

// pagingFake serves records "c1".."cN" under one reading of the paging docs.
type reading struct {
	echoLast      bool  // answer page = requested even on the last page
	notFoundPast  bool  // a page past the end answers 70011
	totalThis     bool  // totalNum counts only this page
	totalOverride int64 // when > 0, totalNum is this (wrong) value
	ignorePage    bool  // always serve page 1
	ignoreFilter  bool  // serve from the first record whatever the start filter says
	endless       bool  // every page is full and says more, of records never seen before
	omitPage      bool  // the answer has no page field
	omitTotal     bool  // the answer has no totalNum field
}

// window is the index range [lo, hi) of the records c(lo+1).. that the
// request's start filter selects (record i started at 1000+i).
func window(body map[string]any, v4 bool, n int) (lo, hi int) {
	startKey, endKey := "startTimestamp", "endTimestamp"
	if v4 {
		startKey, endKey = "StartTime", "EndTime"
	}
	lo, hi = 0, n
	if s, ok := body[startKey].(float64); ok {
		lo = min(max(int(s)-1000, 0), n)
	}
	if e, ok := body[endKey].(float64); ok {
		hi = max(min(int(e)-1000+1, n), lo)
	}
	return lo, hi
}

func pagingHandler(n, size int, rd reading, v4 bool) func(string, int, map[string]any, http.ResponseWriter) {
	return func(_ string, _ int, body map[string]any, w http.ResponseWriter) {
		pageKey, sizeKey := "page", "numberPerPage"
		if v4 {
			pageKey, sizeKey = "Page", "NumberPerPage"
		}
		if got, _ := body[sizeKey].(float64); int(got) != size {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		page := 1
		if p, ok := body[pageKey].(float64); ok && p > 0 {
			page = int(p)
		}
		if rd.ignorePage {
			page = 1
		}
		nWin := n
		if rd.endless {
			nWin = 1 << 30
		}
		lo, hi := window(body, v4, nWin)
		if rd.ignoreFilter {
			lo, hi = 0, n
		}
		from := lo + (page-1)*size
		to := min(from+size, hi)
		if rd.endless {
			to = from + size
		}
		if from >= to {
			if rd.notFoundPast {
				if v4 {
					v4Answer(w, 101050, nil)
				} else {
					v1Answer(w, 70011, nil)
				}
				return
			}
			to = from
		}
		recs := []map[string]any{}
		for i := from; i < to; i++ {
			if v4 {
				recs = append(recs, map[string]any{"CallId": fmt.Sprintf("c%d", i+1), "StartTime": 1000 + i, "MediaType": "Video", "CallType": "SingleCall", "CallResult": "NormalEnd", "Caller_Account": "u", "CalleeList_Account": []string{"v"}, "RoomIdType": 2})
			} else {
				recs = append(recs, map[string]any{"callId": fmt.Sprintf("c%d", i+1), "startCallTs": 1000 + i, "mediaType": "video", "callType": "single", "callResult": "normal_end", "caller": "u", "callees": []string{"v"}, "totalUserNumber": 2})
			}
		}
		answerPage := page
		if !rd.echoLast && !rd.endless && to >= n {
			answerPage = 0
		}
		total := int64(hi - lo)
		if rd.endless {
			total = int64(n)
		}
		if rd.totalThis {
			total = int64(len(recs))
		}
		if rd.totalOverride > 0 {
			total = rd.totalOverride
		}
		data := map[string]any{"totalNum": total, "page": answerPage, "callRecordList": recs}
		if rd.omitPage {
			delete(data, "page")
		}
		if rd.omitTotal {
			delete(data, "totalNum")
		}
		if v4 {
			v4Answer(w, 0, map[string]any{"TotalNum": data["totalNum"], "Page": data["page"], "CallRecordList": recs})
		} else {
			v1Answer(w, 0, data)
		}
	}
}

func TestListAllRecordsUnderEveryReading(t *testing.T) {
	t.Parallel()
	readings := map[string]reading{
		"mock":               {},
		"echo last":          {echoLast: true},
		"echo + 70011 past":  {echoLast: true, notFoundPast: true},
		"total is this page": {echoLast: true, totalThis: true},
		"total too high":     {echoLast: true, totalOverride: 5000},
		"total too low":      {totalOverride: 150},
		"no page field":      {omitPage: true},
		"no total field":     {omitTotal: true},
		"neither field":      {omitPage: true, omitTotal: true, notFoundPast: true},
	}
	for name, rd := range readings {
		for _, v := range []APIVersion{V1, V4} {
			for _, n := range []int{0, 1, 99, 100, 101, 250, 300, 1234} {
				path := "v1/records/get_records_by_filter"
				if v == V4 {
					path = "v4/call_record_http_srv/get_record_by_filter"
				}
				f, srv := newFake(t, pagingHandler(n, 100, rd, v == V4))
				c, _ := newTestClient(t, srv.URL)
				got, err := c.ListAllRecords(context.Background(), v, RecordFilter{StartTimestamp: 1}, 0)
				if err != nil {
					t.Errorf("%s %s n=%d: %v", name, v, n, err)
					continue
				}
				if len(got) != n {
					t.Errorf("%s %s n=%d: got %d records", name, v, n, len(got))
					continue
				}
				for i, r := range got {
					if r.CallID != fmt.Sprintf("c%d", i+1) {
						t.Errorf("%s %s n=%d: record %d is %s (order)", name, v, n, i, r.CallID)
						break
					}
				}
				if n > 0 && (got[0].MediaType != "video" || got[0].CallType != "single" || got[0].CallResult != "normal_end") {
					t.Errorf("%s %s: not normalised: %+v", name, v, got[0])
				}
				// No more requests than pages + one probe past the end
				// (each keyset page re-reads the last record of the one before).
				maxReq := n/99 + 2
				if rd.echoLast {
					// A short page that says more follow gets one
					// more request (a service may cap its pages).
					maxReq++
				}
				if rd.totalOverride > int64(n) {
					// Time slices planned for records that never come: a request each.
					maxReq += int(rd.totalOverride) / 2400
				}
				if got := f.count(path); got > maxReq {
					t.Errorf("%s %s n=%d: %d requests, at most %d expected", name, v, n, got, maxReq)
				}
			}
		}
	}
}

// TestListAllRecordsNeverLoopsForever: a service that never ends a walk, or
// that ignores the page and the start filter, ends in an error, never a loop
// or a list with repeats.
func TestListAllRecordsNeverLoopsForever(t *testing.T) {
	t.Parallel()
	f, srv := newFake(t, pagingHandler(0, 100, reading{endless: true, totalOverride: 300}, false))
	c, _ := newTestClient(t, srv.URL)
	_, err := c.ListAllRecords(context.Background(), V1, RecordFilter{StartTimestamp: 1}, 0)
	if !errors.Is(err, ErrEndlessWalk) || !strings.Contains(err.Error(), "more than twice the 300 first announced plus 1,000") {
		t.Fatalf("endless paging: %v", err)
	}
	if got := f.count("v1/records/get_records_by_filter"); got != 17 {
		t.Errorf("endless paging: %d requests, want 17 (1,700 records read)", got)
	}

	_, srv = newFake(t, pagingHandler(1000, 100, reading{ignorePage: true, ignoreFilter: true, echoLast: true, totalThis: true}, false))
	c, _ = newTestClient(t, srv.URL)
	_, err = c.ListAllRecords(context.Background(), V1, RecordFilter{StartTimestamp: 1}, 0)
	if !errors.Is(err, walk.ErrOutOfOrder) || !strings.Contains(err.Error(), "started at 1000 follows one that started at 1099") {
		t.Fatalf("same page forever: %v", err)
	}
}

func TestListRecordsOnePageAndEmpty(t *testing.T) {
	t.Parallel()
	f, srv := newFake(t, pagingHandler(250, 50, reading{notFoundPast: true}, false))
	c, _ := newTestClient(t, srv.URL)
	p, err := c.ListRecords(context.Background(), V1, RecordFilter{StartTimestamp: 1, NumberPerPage: 50}, 3)
	if err != nil || p.TotalNum != 250 || p.Page != 3 || len(p.Records) != 50 || p.Records[0].CallID != "c101" {
		t.Fatalf("page 3: %+v %v", p, err)
	}
	p, err = c.ListRecords(context.Background(), V1, RecordFilter{StartTimestamp: 1, NumberPerPage: 50}, 9)
	if err != nil || len(p.Records) != 0 || p.Records == nil {
		t.Fatalf("past the end: %+v %v", p, err)
	}
	if f.count("v1/records/get_records_by_filter") != 2 {
		t.Fatal("unexpected request count")
	}
	for _, bad := range []RecordFilter{{StartTimestamp: 1, NumberPerPage: 101}, {StartTimestamp: -1}, {StartTimestamp: 5, EndTimestamp: 4}, {StartTimestamp: 1, CallResult: "offline"}, {StartTimestamp: 1, CallType: "Single"}} {
		if _, err := c.ListRecords(context.Background(), V1, bad, 0); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%+v accepted: %v", bad, err)
		}
	}
	if f.count("v1/records/get_records_by_filter") != 2 {
		t.Fatal("invalid filters reached the server")
	}
}

func TestFilterTranslatedForV4(t *testing.T) {
	t.Parallel()
	var seen, last map[string]any
	_, srv := newFake(t, func(_ string, _ int, body map[string]any, w http.ResponseWriter) {
		if seen == nil {
			seen = body
		}
		last = body
		v4Answer(w, 101050, nil)
	})
	c, _ := newTestClient(t, srv.URL)
	recs, err := c.ListAllRecords(context.Background(), V4, RecordFilter{StartTimestamp: 10, EndTimestamp: 20, CallResult: "not_answer", CallType: "group"}, 0)
	if err != nil || recs == nil || len(recs) != 0 {
		t.Fatalf("%v %v", recs, err)
	}
	want := map[string]any{"StartTime": 10.0, "EndTime": 20.0, "CallResult": "NotAnswer", "CallType": "MultiCall", "NumberPerPage": 100.0}
	for k, v := range want {
		if seen[k] != v {
			t.Errorf("%s = %v, want %v (body %v)", k, seen[k], v, seen)
		}
	}
	if _, ok := seen["Page"]; ok {
		t.Error("first page must omit Page")
	}
	// Nothing found up to the end in the service's reading: the end's own
	// second is asked for next, one second past it (an exclusive reading).
	if last["StartTime"] != 20.0 || last["EndTime"] != 21.0 {
		t.Errorf("last request %v: want the window's last second, [20, 21)", last)
	}
}

// TestUnsetEndIsTheReadTime: with no end the client sends the read time, the
// same on every page, on v1 and v4, for one page and all pages (issue 17);
// a walk's pages after its first ask one second past it (issue 33: the
// service may read the end as exclusive).
func TestUnsetEndIsTheReadTime(t *testing.T) {
	t.Parallel()
	readAt := time.Now()
	for _, v := range []APIVersion{V1, V4} {
		f, srv := newFake(t, pagingHandler(250, 100, reading{}, v == V4))
		c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Clock = func() time.Time { return readAt } })
		path, key := "v1/records/get_records_by_filter", "endTimestamp"
		if v == V4 {
			path, key = "v4/call_record_http_srv/get_record_by_filter", "EndTime"
		}
		if recs, err := c.ListAllRecords(context.Background(), v, RecordFilter{StartTimestamp: 1}, 0); err != nil || len(recs) != 250 {
			t.Fatalf("%s: %d records, %v", v, len(recs), err)
		}
		if _, err := c.ListRecords(context.Background(), v, RecordFilter{StartTimestamp: 1}, 2); err != nil {
			t.Fatal(err)
		}
		// A start after the read time: the end is the start, never before it.
		future := readAt.Unix() + 3600
		if _, err := c.ListRecords(context.Background(), v, RecordFilter{StartTimestamp: future}, 0); err != nil {
			t.Fatal(err)
		}
		f.mu.Lock()
		bodies := append([]string(nil), f.bodies[path]...)
		f.mu.Unlock()
		if len(bodies) != 5 {
			t.Fatalf("%s: %d requests, want 3 pages + 2", v, len(bodies))
		}
		for i, b := range bodies {
			want := readAt.Unix()
			switch i {
			case 1, 2:
				want++
			case 4:
				want = future
			}
			if !strings.Contains(b, fmt.Sprintf(`"%s":%d`, key, want)) {
				t.Errorf("%s request %d: body %s, want %s %d", v, i+1, b, key, want)
			}
		}
	}
}

func TestRecordNormalisation(t *testing.T) {
	t.Parallel()
	_, srv := newFake(t, func(path string, _ int, _ map[string]any, w http.ResponseWriter) {
		if strings.HasPrefix(path, "v4/") {
			fmt.Fprint(w, `{"ErrorCode":0,"ErrorInfo":"","ActionStatus":"OK","RequestId":"Id-1","Response":{"CallRecord":{"CallId":"04c9","Caller_Account":"user1","MediaType":"Audio","CallType":"MultiCall","StartTime":1739868165,"EndTime":1740064224,"AcceptTime":1739872743,"CallResult":"NormalEnd","CalleeList_Account":["user1","user5","user2"],"RoomId":"roomid-1434","RoomIdType":2}}}`)
			return
		}
		fmt.Fprint(w, `{"errorCode":0,"errorMessage":"Success","requestId":"r","data":{"callId":"04c9","sdkAppId":1400000000,"mediaType":"audio","roomId":"roomid-1434","startCallTs":1739868165,"acceptTs":1739872743,"endTs":1740064224,"caller":"user1","totalUserNumber":3,"callType":"group","callResult":"normal_end","callees":["user1","user5","user2"]}}`)
	})
	c, _ := newTestClient(t, srv.URL)
	r1, err := c.GetRecord(context.Background(), V1, "04c9")
	if err != nil {
		t.Fatal(err)
	}
	r4, err := c.GetRecord(context.Background(), V4, "04c9")
	if err != nil {
		t.Fatal(err)
	}
	if r1.TotalUserNumber == nil || *r1.TotalUserNumber != 3 || r1.RoomIDType != nil {
		t.Errorf("v1 optional fields: %+v", r1)
	}
	if r4.TotalUserNumber != nil || r4.RoomIDType == nil || *r4.RoomIDType != 2 || r4.SDKAppID != testApp {
		t.Errorf("v4 optional fields: %+v", r4)
	}
	r1.TotalUserNumber, r1.RoomIDType, r4.TotalUserNumber, r4.RoomIDType = nil, nil, nil, nil
	if fmt.Sprintf("%+v", *r1) != fmt.Sprintf("%+v", *r4) {
		t.Errorf("v1 and v4 differ:\n%+v\n%+v", *r1, *r4)
	}
	// Unknown values pass through.
	rec := v4Record{MediaType: "Hologram", CallType: "Conference", CallResult: "Offline"}.normalise(1)
	if rec.MediaType != "Hologram" || rec.CallType != "Conference" || rec.CallResult != "offline" {
		t.Errorf("unknown values: %+v", rec)
	}
}
