package mockserver

import (
	"slices"
	"strings"
	"time"
)

// v4Commands are the documented v4 callback command words (callkit-api.md §7).
var v4Commands = []string{"Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall", "Call.CallbackAfterMemberChanged"}

// v1→v4 vocabularies (callkit-api.md §5).
var (
	v4Media  = map[string]string{"audio": "Audio", "video": "Video"}
	v4Type   = map[string]string{"single": "SingleCall", "group": "MultiCall"}
	v4Result = map[string]string{
		"cancel": "Cancel", "reject": "Reject", "not_answer": "NotAnswer",
		"normal_end": "NormalEnd", "call_busy": "CallBusy", "interrupt": "Interrupt",
	}
)

// toV4 translates a v1 word. Unknown words (e.g. "offline") pass through in
// the v4 style (CamelCase), as the real service passes unknown results through.
func toV4(m map[string]string, v string) string {
	if w, ok := m[v]; ok {
		return w
	}
	var b strings.Builder
	for part := range strings.SplitSeq(v, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// fromV4 translates a v4 word back; ok is false for words outside the map.
func fromV4(m map[string]string, w string) (string, bool) {
	for k, v := range m {
		if v == w {
			return k, true
		}
	}
	return "", false
}

type v4Config struct {
	URL                 string   `json:"Url"`
	CallbackCommandList []string `json:"CallbackCommandList"`
}

func (s *Server) v4SetCallback(r *apiRequest) answer {
	var cb Callback
	present, err := r.field("Url", &cb.Address)
	if err != nil {
		return fail(v4BadBody, "%v", err)
	}
	if !present || cb.Address == "" {
		return fail(v4ConfigBadParam, "Url is required")
	}
	if !validAddress(cb.Address) {
		return fail(v4ConfigBadParam, "Url must start with http or https")
	}
	present, err = r.field("CallbackCommandList", &cb.Actions)
	if err != nil {
		return fail(v4BadBody, "%v", err)
	}
	if !present || len(cb.Actions) == 0 {
		return fail(v4ConfigBadParam, "CallbackCommandList is required")
	}
	for _, c := range cb.Actions {
		if !slices.Contains(v4Commands, c) {
			return fail(v4ConfigBadParam, "CallbackCommandList holds an unknown command %q", c)
		}
	}
	s.SetCallbackV4(cb)
	return ok(nil)
}

func (s *Server) v4GetCallback(*apiRequest) answer {
	cb, found := s.CallbackV4()
	if !found {
		return fail(v4NoConfig, "callback configuration does not exist")
	}
	return ok(v4Config{URL: cb.Address, CallbackCommandList: cb.Actions})
}

func (s *Server) v4DeleteCallback(*apiRequest) answer {
	s.DeleteCallbackV4()
	return ok(nil)
}

// v4Record is the wire shape of a v4 call record (callkit-api.md §5).
type v4Record struct {
	CallID            string   `json:"CallId"`
	CallerAccount     string   `json:"Caller_Account"`
	MediaType         string   `json:"MediaType"`
	CallType          string   `json:"CallType"`
	StartTime         int64    `json:"StartTime"`
	EndTime           int64    `json:"EndTime"`
	AcceptTime        int64    `json:"AcceptTime"`
	CallResult        string   `json:"CallResult"`
	CalleeListAccount []string `json:"CalleeList_Account"`
	RoomID            string   `json:"RoomId"`
	RoomIDType        int      `json:"RoomIdType"`
}

func v4Wire(r Record) v4Record {
	callees := r.Callees
	if callees == nil {
		callees = []string{}
	}
	roomType := r.RoomIDType
	if roomType == 0 {
		roomType = 2
		if r.RoomID != "" && strings.Trim(r.RoomID, "0123456789") == "" {
			roomType = 1
		}
	}
	return v4Record{
		CallID: r.CallID, CallerAccount: r.Caller, MediaType: toV4(v4Media, r.MediaType),
		CallType: toV4(v4Type, r.CallType), StartTime: r.StartCallTs, EndTime: r.EndTs,
		AcceptTime: r.AcceptTs, CallResult: toV4(v4Result, r.CallResult),
		CalleeListAccount: callees, RoomID: r.RoomID, RoomIDType: roomType,
	}
}

type v4RecordResponse struct {
	CallRecord v4Record `json:"CallRecord"`
}

func (s *Server) v4RecordByCallID(r *apiRequest) answer {
	var id string
	present, err := r.field("CallId", &id)
	if err != nil {
		return fail(v4BadBody, "%v", err)
	}
	if !present || id == "" {
		return fail(v4ConfigBadParam, "CallId is required")
	}
	rec, found := s.store.get(id)
	if !found {
		return fail(v4NoRecord, "the call record does not exist")
	}
	return ok(v4RecordResponse{CallRecord: v4Wire(rec)})
}

type v4FilterResponse struct {
	TotalNum       *int       `json:"TotalNum,omitempty"`
	Page           *int       `json:"Page,omitempty"`
	CallRecordList []v4Record `json:"CallRecordList"`
}

const v4DefaultPageSize = 10

func (s *Server) v4RecordsByFilter(r *apiRequest) answer {
	q, perPage, page, bad, refused := v4FilterQuery(r, s.now().Unix())
	if refused {
		return bad
	}
	if err := s.applyReadings(&q, s.now().Unix()); err != nil {
		return fail(v4ConfigBadParam, "%v", err)
	}
	total, recs, nextPage := s.findPage(q, page, perPage)
	defer s.listServed()
	if total == 0 {
		return fail(v4NoRecord, "no call records found")
	}
	omit := s.omitPaging()
	resp := v4FilterResponse{TotalNum: unlessOmitted(total, omit.Total), Page: unlessOmitted(nextPage, omit.Page), CallRecordList: make([]v4Record, 0, len(recs))}
	for _, rec := range recs {
		resp.CallRecordList = append(resp.CallRecordList, v4Wire(rec))
	}
	return ok(&resp)
}

// v4FilterQuery reads and checks a v4 filter request's fields at now (Unix
// seconds); refused says bad answers it instead.
func v4FilterQuery(r *apiRequest, now int64) (q query, perPage, page int, bad answer, refused bool) {
	if bad, refused = v4FilterWindow(r, now, &q); refused {
		return q, 0, 0, bad, true
	}
	if q.result, bad, refused = v4FilterWord(r, "CallResult", v4Result, "CallResult %q is not a valid call result"); refused {
		return q, 0, 0, bad, true
	}
	if q.callType, bad, refused = v4FilterWord(r, "CallType", v4Type, "CallType %q must be SingleCall or MultiCall"); refused {
		return q, 0, 0, bad, true
	}
	if _, err := r.field("NumberPerPage", &perPage); err != nil {
		return q, 0, 0, fail(v4BadBody, "%v", err), true
	}
	if perPage == 0 {
		perPage = v4DefaultPageSize
	} else if perPage < 0 || perPage > maxPageSize {
		return q, 0, 0, fail(v4ConfigBadParam, "NumberPerPage must be between 1 and %d", maxPageSize), true
	}
	if _, err := r.field("Page", &page); err != nil {
		return q, 0, 0, fail(v4BadBody, "%v", err), true
	}
	if page < 0 {
		return q, 0, 0, fail(v4ConfigBadParam, "Page must not be negative"), true
	}
	return q, perPage, page, answer{}, false
}

// v4FilterWindow reads the start and end times into q: both optional,
// defaulting to the retention window ending now.
func v4FilterWindow(r *apiRequest, now int64, q *query) (bad answer, refused bool) {
	floor := now - int64(retention/time.Second)
	startSet, err := r.field("StartTime", &q.start)
	if err != nil {
		return fail(v4BadBody, "%v", err), true
	}
	endSet, err := r.field("EndTime", &q.end)
	if err != nil {
		return fail(v4BadBody, "%v", err), true
	}
	if q.start < 0 || q.end < 0 {
		return fail(v4ConfigBadParam, "StartTime and EndTime must not be negative"), true
	}
	if startSet && endSet && q.end < q.start {
		return fail(v4ConfigBadParam, "EndTime must not be before StartTime"), true
	}
	if !startSet {
		q.start = floor // records are kept 7 days (an older start: Readings.OldStart)
	}
	if !endSet {
		q.end = now
	}
	return answer{}, false
}

// v4FilterWord reads an optional enum field and turns its v4 word into the
// mock's own ("" when absent); an unknown word is refused with format.
func v4FilterWord(r *apiRequest, key string, words map[string]string, format string) (word string, bad answer, refused bool) {
	var v4 string
	present, err := r.field(key, &v4)
	if err != nil {
		return "", fail(v4BadBody, "%v", err), true
	}
	if !present {
		return "", answer{}, false
	}
	w, known := fromV4(words, v4)
	if !known {
		return "", fail(v4ConfigBadParam, format, v4), true
	}
	return w, answer{}, false
}
