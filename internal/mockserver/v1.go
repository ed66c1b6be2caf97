package mockserver

import (
	"math"
	"net/url"
	"slices"
	"strings"
)

// v1Actions are the 25 action words of callkit-api.md §2.
var (
	v1StatusActions = []string{"cancel", "reject", "not_answer", "normal_end", "call_busy", "interrupt"}
	v1EventActions  = []string{
		"caller_start_call", "caller_call_accepted", "caller_call_missed", "caller_call_rejected",
		"caller_call_busy", "caller_cancel_call", "caller_call_failed", "caller_call_end",
		"caller_call_interrupted", "callee_receive_call", "callee_accept_call", "callee_not_answer_call",
		"callee_reject_call", "callee_ignore_call", "callee_call_canceled", "callee_call_end",
		"callee_call_interrupted", "invite_user", "join_in_group_call",
	}
)

func isV1Action(a string) bool {
	return slices.Contains(v1StatusActions, a) || slices.Contains(v1EventActions, a)
}

// validAddress reports whether addr is an absolute http(s) URL with a host.
func validAddress(addr string) bool {
	if !strings.HasPrefix(addr, "http://") && !strings.HasPrefix(addr, "https://") {
		return false
	}
	u, err := url.Parse(addr)
	return err == nil && u.Host != ""
}

// v1Config decodes and validates a set/update body.
func (r *apiRequest) v1Config() (Callback, answer, bool) {
	var cb Callback
	present, err := r.field("address", &cb.Address)
	if err != nil {
		return cb, fail(v1BadBody, "%v", err), false
	}
	if !present || cb.Address == "" {
		return cb, fail(v1BadParam, "address is required"), false
	}
	if !validAddress(cb.Address) {
		return cb, fail(v1BadParam, "address must start with http or https"), false
	}
	present, err = r.field("actions", &cb.Actions)
	if err != nil {
		return cb, fail(v1BadBody, "%v", err), false
	}
	if !present || len(cb.Actions) == 0 {
		return cb, fail(v1BadParam, "actions is required"), false
	}
	for _, a := range cb.Actions {
		if !isV1Action(a) {
			return cb, fail(v1BadParam, "actions holds an unknown action %q", a), false
		}
	}
	return cb, answer{}, true
}

func (s *Server) v1CallbackSet(r *apiRequest) answer {
	cb, a, valid := r.v1Config()
	if !valid {
		return a
	}
	s.SetCallback(cb)
	return ok(cb.Address)
}

func (s *Server) v1CallbackUpdate(r *apiRequest) answer {
	cb, a, valid := r.v1Config()
	if !valid {
		return a
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cbV1 == nil {
		return fail(v1NoConfig, "callback configuration does not exist")
	}
	c := cb.clone()
	s.cbV1 = &c
	return ok(cb.Address)
}

type v1CallbackData struct {
	Actions []string `json:"actions"`
	Address string   `json:"address"`
}

func (s *Server) v1CallbackGet(*apiRequest) answer {
	cb, found := s.Callback()
	if !found {
		return fail(v1NoConfig, "callback configuration does not exist")
	}
	return ok(v1CallbackData{Actions: cb.Actions, Address: cb.Address})
}

func (s *Server) v1CallbackDelete(*apiRequest) answer {
	s.DeleteCallback()
	return ok("")
}

// v1Record is the wire shape of a v1 call record (callkit-api.md §4).
type v1Record struct {
	CallID          string   `json:"callId"`
	SDKAppID        int64    `json:"sdkAppId"`
	MediaType       string   `json:"mediaType"`
	RoomID          string   `json:"roomId"`
	StartCallTs     int64    `json:"startCallTs"`
	AcceptTs        int64    `json:"acceptTs"`
	EndTs           int64    `json:"endTs"`
	Caller          string   `json:"caller"`
	TotalUserNumber int      `json:"totalUserNumber"`
	CallType        string   `json:"callType"`
	CallResult      string   `json:"callResult"`
	Callees         []string `json:"callees"`
}

func (s *Server) v1Wire(r Record) v1Record {
	callees := r.Callees
	if callees == nil {
		callees = []string{}
	}
	return v1Record{
		CallID: r.CallID, SDKAppID: s.appID, MediaType: r.MediaType, RoomID: r.RoomID,
		StartCallTs: r.StartCallTs, AcceptTs: r.AcceptTs, EndTs: r.EndTs, Caller: r.Caller,
		TotalUserNumber: r.TotalUserNumber, CallType: r.CallType, CallResult: r.CallResult, Callees: callees,
	}
}

func (s *Server) v1RecordByCallID(r *apiRequest) answer {
	var id string
	present, err := r.field("callId", &id)
	if err != nil {
		return fail(v1BadBody, "%v", err)
	}
	if !present || id == "" {
		return fail(v1BadParam, "callId is required")
	}
	rec, found := s.store.get(id)
	if !found {
		return fail(v1NoRecord, "no record found")
	}
	return ok(s.v1Wire(rec))
}

// v1FilterData is the answer of a filter query; a nil TotalNum or Page is left
// out (OmitPaging).
type v1FilterData struct {
	TotalNum       *int       `json:"totalNum,omitempty"`
	Page           *int       `json:"page,omitempty"`
	CallRecordList []v1Record `json:"callRecordList"`
}

const (
	v1DefaultPageSize = 100
	maxPageSize       = 100
	v1DefaultSpan     = 7 * 24 * 60 * 60
)

func (s *Server) v1RecordsByFilter(r *apiRequest) answer {
	q, perPage, page, bad, refused := v1FilterQuery(r)
	if refused {
		return bad
	}
	if err := s.applyReadings(&q, s.now().Unix()); err != nil {
		return fail(v1BadParam, "%v", err)
	}
	total, recs, nextPage := s.findPage(q, page, perPage)
	defer s.listServed()
	if total == 0 {
		return fail(v1NoRecord, "no records found")
	}
	omit := s.omitPaging()
	data := v1FilterData{TotalNum: unlessOmitted(total, omit.Total), Page: unlessOmitted(nextPage, omit.Page), CallRecordList: make([]v1Record, 0, len(recs))}
	for _, rec := range recs {
		data.CallRecordList = append(data.CallRecordList, s.v1Wire(rec))
	}
	return ok(&data)
}

// v1FilterQuery reads and checks a v1 filter request's fields; refused says
// bad answers it instead.
func v1FilterQuery(r *apiRequest) (q query, perPage, page int, bad answer, refused bool) {
	if bad, refused = v1FilterWindow(r, &q); refused {
		return q, 0, 0, bad, true
	}
	present, err := r.field("callResult", &q.result)
	if err != nil {
		return q, 0, 0, fail(v1BadBody, "%v", err), true
	}
	if present && !isCallResult(q.result) {
		return q, 0, 0, fail(v1BadParam, "callResult %q is not a valid call result", q.result), true
	}
	present, err = r.field("callType", &q.callType)
	if err != nil {
		return q, 0, 0, fail(v1BadBody, "%v", err), true
	}
	if present && !isCallType(q.callType) {
		return q, 0, 0, fail(v1BadParam, "callType %q must be single or group", q.callType), true
	}
	present, err = r.field("numberPerPage", &perPage)
	if err != nil {
		return q, 0, 0, fail(v1BadBody, "%v", err), true
	}
	if !present {
		perPage = v1DefaultPageSize
	} else if perPage < 1 || perPage > maxPageSize {
		return q, 0, 0, fail(v1BadParam, "numberPerPage must be between 1 and %d", maxPageSize), true
	}
	if _, err = r.field("page", &page); err != nil {
		return q, 0, 0, fail(v1BadBody, "%v", err), true
	}
	if page < 0 {
		return q, 0, 0, fail(v1BadParam, "page must not be negative"), true
	}
	return q, perPage, page, answer{}, false
}

// v1FilterWindow reads the start and end times into q: start is required,
// end defaults to a span after it.
func v1FilterWindow(r *apiRequest, q *query) (bad answer, refused bool) {
	present, err := r.field("startTimestamp", &q.start)
	if err != nil {
		return fail(v1BadBody, "%v", err), true
	}
	if !present {
		return fail(v1BadParam, "startTimestamp is required"), true
	}
	if q.start < 0 {
		return fail(v1BadParam, "startTimestamp must not be negative"), true
	}
	present, err = r.field("endTimestamp", &q.end)
	if err != nil {
		return fail(v1BadBody, "%v", err), true
	}
	if !present {
		q.end = q.start + v1DefaultSpan
	} else if q.end < q.start {
		return fail(v1BadParam, "endTimestamp must not be before startTimestamp"), true
	}
	return answer{}, false
}

// unlessOmitted is v for an answer field, or nil when the field is left out.
func unlessOmitted(v int, omitted bool) *int {
	if omitted {
		return nil
	}
	return &v
}

// findPage runs a filter query for one page of perPage records (page 0 is
// page 1, as both API generations read it). Its third answer is what the
// answer's page field carries: the page itself while more records follow
// it, 0 on the last page (callkit-api.md §4).
func (s *Server) findPage(q query, page, perPage int) (total int, recs []Record, pageField int) {
	if page == 0 {
		page = 1
	}
	perPage = s.pageCap(perPage)
	q.offset, q.limit = pageOffset(page, perPage), perPage
	total, recs = s.store.find(q)
	if q.offset+perPage < total {
		pageField = page
	}
	return total, recs, pageField
}

// pageOffset is the index of page's first record (pages count from 1),
// saturating instead of overflowing for absurd page numbers.
func pageOffset(page, perPage int) int {
	if page-1 > (math.MaxInt-maxPageSize)/perPage {
		return math.MaxInt - maxPageSize
	}
	return (page - 1) * perPage
}
