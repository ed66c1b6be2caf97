package callkit

// Wire shapes of the records APIs (callkit-api.md §4, §5, §7) and their
// normalisation to the v1 vocabulary.

type v1Record struct {
	CallID          flexString `json:"callId"`
	SDKAppID        flexInt    `json:"sdkAppId"`
	MediaType       flexString `json:"mediaType"`
	RoomID          flexString `json:"roomId"`
	StartCallTs     flexInt    `json:"startCallTs"`
	AcceptTs        flexInt    `json:"acceptTs"`
	EndTs           flexInt    `json:"endTs"`
	Caller          flexString `json:"caller"`
	TotalUserNumber flexInt    `json:"totalUserNumber"`
	CallType        flexString `json:"callType"`
	CallResult      flexString `json:"callResult"`
	Callees         []string   `json:"callees"`
}

func (r v1Record) normalise() Record {
	out := Record{
		CallID:      string(r.CallID),
		SDKAppID:    r.SDKAppID.v,
		MediaType:   string(r.MediaType),
		RoomID:      string(r.RoomID),
		StartCallTs: r.StartCallTs.v,
		AcceptTs:    r.AcceptTs.v,
		EndTs:       r.EndTs.v,
		Caller:      string(r.Caller),
		CallType:    string(r.CallType),
		CallResult:  string(r.CallResult),
		Callees:     nonNil(r.Callees),
	}
	if r.TotalUserNumber.set {
		n := r.TotalUserNumber.v
		out.TotalUserNumber = &n
	}
	return out
}

type v1FilterBody struct {
	StartTimestamp int64  `json:"startTimestamp"`
	EndTimestamp   int64  `json:"endTimestamp,omitempty"`
	CallResult     string `json:"callResult,omitempty"`
	CallType       string `json:"callType,omitempty"`
	NumberPerPage  int    `json:"numberPerPage"`
	Page           int64  `json:"page,omitempty"`
}

type v1FilterAnswer struct {
	TotalNum       flexInt    `json:"totalNum"`
	Page           flexInt    `json:"page"`
	CallRecordList []v1Record `json:"callRecordList"`
}

type v4Record struct {
	CallID     flexString `json:"CallId"`
	Caller     flexString `json:"Caller_Account"`
	MediaType  flexString `json:"MediaType"`
	CallType   flexString `json:"CallType"`
	StartTime  flexInt    `json:"StartTime"`
	EndTime    flexInt    `json:"EndTime"`
	AcceptTime flexInt    `json:"AcceptTime"`
	CallResult flexString `json:"CallResult"`
	CalleeList []string   `json:"CalleeList_Account"`
	RoomID     flexString `json:"RoomId"`
	RoomIDType flexInt    `json:"RoomIdType"`
}

type v4RecordByID struct {
	CallRecord *v4Record `json:"CallRecord"`
}

type v4FilterBody struct {
	StartTime     int64  `json:"StartTime"`
	EndTime       int64  `json:"EndTime,omitempty"`
	CallResult    string `json:"CallResult,omitempty"`
	CallType      string `json:"CallType,omitempty"`
	NumberPerPage int    `json:"NumberPerPage"`
	Page          int64  `json:"Page,omitempty"`
}

type v4FilterAnswer struct {
	TotalNum       flexInt    `json:"TotalNum"`
	Page           flexInt    `json:"Page"`
	CallRecordList []v4Record `json:"CallRecordList"`
}

// v1 ↔ v4 vocabularies (callkit-api.md §5). Unknown values pass through.
var (
	v4MediaToV1  = map[string]string{"Audio": "audio", "Video": "video"}
	v4TypeToV1   = map[string]string{"SingleCall": "single", "MultiCall": "group"}
	v4ResultToV1 = map[string]string{
		"Cancel": "cancel", "Reject": "reject", "NotAnswer": "not_answer",
		"NormalEnd": "normal_end", "CallBusy": "call_busy", "Interrupt": "interrupt",
		// Not in the six, but the v1 docs' example spells it so.
		"Offline": "offline",
	}
	v1TypeToV4   = invert(v4TypeToV1)
	v1ResultToV4 = invert(v4ResultToV1)
)

func invert(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

func translate(m map[string]string, s string) string {
	if v, ok := m[s]; ok {
		return v
	}
	return s
}

func v4CallType(v1 string) string { return translate(v1TypeToV4, v1) }
func v4Result(v1 string) string   { return translate(v1ResultToV4, v1) }

func (r v4Record) normalise(sdkAppID int64) Record {
	out := Record{
		CallID:      string(r.CallID),
		SDKAppID:    sdkAppID,
		MediaType:   translate(v4MediaToV1, string(r.MediaType)),
		RoomID:      string(r.RoomID),
		StartCallTs: r.StartTime.v,
		AcceptTs:    r.AcceptTime.v,
		EndTs:       r.EndTime.v,
		Caller:      string(r.Caller),
		CallType:    translate(v4TypeToV1, string(r.CallType)),
		CallResult:  translate(v4ResultToV1, string(r.CallResult)),
		Callees:     nonNil(r.CalleeList),
	}
	if r.RoomIDType.set {
		n := r.RoomIDType.v
		out.RoomIDType = &n
	}
	return out
}
