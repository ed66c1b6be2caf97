package ccc

import (
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
)

// DescribeTelCdrRequest holds the DescribeTelCdr parameters this client sends
// (callkit-api.md §8). SdkAppId, PageSize and PageNumber are always sent: the
// docs' table marks them optional but their descriptions say "(required)".
// The deprecated Limit / Offset / InstanceId are never sent.
type DescribeTelCdrRequest struct {
	SdkAppId       int64
	StartTimeStamp int64
	EndTimeStamp   int64
	PageSize       int64
	PageNumber     int64
	Phones         []string // omitted when empty
	SessionIds     []string // omitted when empty
}

// actionParameters is the request body. It is built as a map with int64
// values (not round-tripped through JSON) so that SetActionParameters keeps
// the numbers exact instead of turning them into float64.
func (r *DescribeTelCdrRequest) actionParameters() map[string]any {
	p := map[string]any{
		"SdkAppId":       r.SdkAppId,
		"StartTimeStamp": r.StartTimeStamp,
		"EndTimeStamp":   r.EndTimeStamp,
		"PageSize":       r.PageSize,
		"PageNumber":     r.PageNumber,
	}
	if len(r.Phones) > 0 {
		p["Phones"] = append([]string(nil), r.Phones...)
	}
	if len(r.SessionIds) > 0 {
		p["SessionIds"] = append([]string(nil), r.SessionIds...)
	}
	return p
}

// DescribeTelCdrResponse is shaped like the SDK's generated models: the
// embedded *tchttp.BaseResponse gives it ParseErrorFromHTTPResponse, which
// the SDK calls before decoding, and Response is the "Response" object.
type DescribeTelCdrResponse struct {
	*tchttp.BaseResponse
	Response *DescribeTelCdrResult `json:"Response"`
}

func newDescribeTelCdrResponse() *DescribeTelCdrResponse {
	return &DescribeTelCdrResponse{BaseResponse: &tchttp.BaseResponse{}}
}

// DescribeTelCdrResult is the "Response" object of a successful answer.
type DescribeTelCdrResult struct {
	TotalCount *int64 `json:"TotalCount"`
	// TelCdrList is the list the current docs name.
	TelCdrList []*TelCdrInfo `json:"TelCdrList"`
	// TelCdrs is the same list under the name older SDK releases decode; it
	// is read only when TelCdrList is absent.
	TelCdrs   []*TelCdrInfo `json:"TelCdrs"`
	RequestId *string       `json:"RequestId"`
}

// records returns the answer's list, whichever name it came under, without
// nil entries.
func (r *DescribeTelCdrResult) records() []*TelCdrInfo {
	list := r.TelCdrList
	if list == nil {
		list = r.TelCdrs
	}
	out := make([]*TelCdrInfo, 0, len(list))
	for _, rec := range list {
		if rec != nil {
			out = append(out, rec)
		}
	}
	return out
}

// TelCdrInfo is one telephone call record: the fields of the API's TelCdrInfo
// that the provider exposes. Pointers are fields the API documents as
// possibly null ("此字段可能返回 null"); nil means the service did not say.
type TelCdrInfo struct {
	SessionId            *string             `json:"SessionId"`
	Caller               *string             `json:"Caller"`
	Callee               *string             `json:"Callee"`
	Direction            *int64              `json:"Direction"` // 0 inbound, 1 outbound
	Time                 *int64              `json:"Time"`
	StartTimestamp       *int64              `json:"StartTimestamp"`
	RingTimestamp        *int64              `json:"RingTimestamp"`
	AcceptTimestamp      *int64              `json:"AcceptTimestamp"`
	EndedTimestamp       *int64              `json:"EndedTimestamp"`
	QueuedTimestamp      *int64              `json:"QueuedTimestamp"`
	Duration             *int64              `json:"Duration"`
	EndStatus            *int64              `json:"EndStatus"`
	EndStatusString      *string             `json:"EndStatusString"`
	HungUpSide           *string             `json:"HungUpSide"`
	SkillGroup           *string             `json:"SkillGroup"`
	SkillGroupId         *int64              `json:"SkillGroupId"`
	QueuedSkillGroupId   *int64              `json:"QueuedSkillGroupId"`
	QueuedSkillGroupName *string             `json:"QueuedSkillGroupName"`
	SeatUser             *SeatUserInfo       `json:"SeatUser"`
	ServeParticipants    []*ServeParticipant `json:"ServeParticipants"`
	IVRDuration          *int64              `json:"IVRDuration"`
	IVRKeyPressed        []*string           `json:"IVRKeyPressed"`
	RecordURL            *string             `json:"RecordURL"`
	CustomRecordURL      *string             `json:"CustomRecordURL"`
	VoicemailRecordURL   []*string           `json:"VoicemailRecordURL"`
	RecordId             *string             `json:"RecordId"`
	CallerLocation       *string             `json:"CallerLocation"`
	Remark               *string             `json:"Remark"`
	Uui                  *string             `json:"Uui"`
}

// SeatUserInfo is the agent (seat) who served a call.
type SeatUserInfo struct {
	UserId      *string `json:"UserId"`
	Name        *string `json:"Name"`
	Nick        *string `json:"Nick"`
	Phone       *string `json:"Phone"`
	Mail        *string `json:"Mail"`
	StaffNumber *string `json:"StaffNumber"`
}

// ServeParticipant is one agent leg of a call (the first agent, transfers).
type ServeParticipant struct {
	Mail            *string `json:"Mail"`
	Phone           *string `json:"Phone"`
	Type            *string `json:"Type"` // staffSeat, outboundSeat, staffPhoneSeat
	Sequence        *int64  `json:"Sequence"`
	StartTimestamp  *int64  `json:"StartTimestamp"`
	RingTimestamp   *int64  `json:"RingTimestamp"`
	AcceptTimestamp *int64  `json:"AcceptTimestamp"`
	EndedTimestamp  *int64  `json:"EndedTimestamp"`
	RecordId        *string `json:"RecordId"`
	RecordURL       *string `json:"RecordURL"`
	SkillGroupId    *int64  `json:"SkillGroupId"`
	SkillGroupName  *string `json:"SkillGroupName"`
	EndStatusString *string `json:"EndStatusString"`
	TransferFrom    *string `json:"TransferFrom"`
	TransferTo      *string `json:"TransferTo"`
	TransferToType  *string `json:"TransferToType"`
}
