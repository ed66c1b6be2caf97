package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"testing"
)

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	tricky := []string{
		"", "plain", `quote " backslash \ slash /`, "<html>&amp;", "ctl \x00\x01\b\f\n\r\t\x1f", "ünïcødé 通话 🎉",
		"bad utf8 \xff\xfe end", "line\u2028para\u2029", "\x7f del",
	}
	var v1 v1FilterData
	var v4 v4FilterResponse
	for i, s := range tricky {
		v1.CallRecordList = append(v1.CallRecordList, v1Record{
			CallID: s, SDKAppID: 1400000000, MediaType: s, RoomID: s, StartCallTs: int64(i) - 3, AcceptTs: 1 << 40, EndTs: -1,
			Caller: s, TotalUserNumber: i, CallType: s, CallResult: s, Callees: []string{s, "x"},
		})
		v4.CallRecordList = append(v4.CallRecordList, v4Record{
			CallID: s, CallerAccount: s, MediaType: s, CallType: s, StartTime: int64(i), EndTime: -5, AcceptTime: 0,
			CallResult: s, CalleeListAccount: []string{}, RoomID: s, RoomIDType: i,
		})
	}
	v1.CallRecordList = append(v1.CallRecordList, v1Record{}) // nil callees
	v1.TotalNum, v1.Page, v4.TotalNum, v4.Page = unlessOmitted(123, false), unlessOmitted(2, false), unlessOmitted(77, false), unlessOmitted(0, false)
	for name, c := range map[string]struct {
		v   any
		app jsonAppender
	}{
		"v1": {&v1, &v1}, "v4": {&v4, &v4},
		"v1 empty":   {&v1FilterData{CallRecordList: []v1Record{}}, &v1FilterData{CallRecordList: []v1Record{}}},
		"v4 nil":     {&v4FilterResponse{}, &v4FilterResponse{}},
		"v1 no page": {&v1FilterData{TotalNum: unlessOmitted(5, false), CallRecordList: []v1Record{}}, &v1FilterData{TotalNum: unlessOmitted(5, false), CallRecordList: []v1Record{}}},
	} {
		want, err := json.Marshal(c.v)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.app.appendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}

	// The whole envelope, fast path against encoding/json (a value does not
	// implement jsonAppender, its pointer does).
	s := New(Options{})
	reqID := regexp.MustCompile(`"(requestId|RequestId)":"[^"]*"`)
	for _, v4env := range []bool{false, true} {
		slow, fast := httptest.NewRecorder(), httptest.NewRecorder()
		if v4env {
			s.writeAnswer(slow, true, ok(v4))
			s.writeAnswer(fast, true, ok(&v4))
		} else {
			s.writeAnswer(slow, false, ok(v1))
			s.writeAnswer(fast, false, ok(&v1))
		}
		a, b := reqID.ReplaceAll(slow.Body.Bytes(), nil), reqID.ReplaceAll(fast.Body.Bytes(), nil)
		if !bytes.Equal(a, b) || !json.Valid(fast.Body.Bytes()) {
			t.Errorf("v4=%v envelope differs:\nslow %s\nfast %s", v4env, a, b)
		}
	}
}
