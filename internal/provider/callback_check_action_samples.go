package provider

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

// The marks every check sample carries (provider-contract.md), so a receiver
// can tell a check from a real call and drop it: a CallId no real call has,
// a user and room named after the check, and a client IP from the
// documentation range (RFC 5737).
const (
	checkCallIDPrefix = "terraform-check-"
	checkUser         = "terraform-check"
	checkRoom         = "terraform-check"
	checkClientIP     = "192.0.2.1"
	checkPlatform     = "Web"
)

// sample is one delivery to send: the query parameters in the order the
// service sends them (callkit-api.md §3, §7) and the JSON body.
type sample struct {
	word  string
	query [][2]string
	body  []byte
	// foreign marks the check_sdk_app_id sample, which must be refused.
	foreign bool
}

// url is the address with the delivery's parameters after its own query.
func (s sample) url(address string) string {
	var b strings.Builder
	b.WriteString(address)
	sep := "?"
	if strings.Contains(address, "?") {
		sep = "&"
		if strings.HasSuffix(address, "?") || strings.HasSuffix(address, "&") {
			sep = ""
		}
	}
	for _, kv := range s.query {
		b.WriteString(sep)
		b.WriteString(url.QueryEscape(kv[0]) + "=" + url.QueryEscape(kv[1]))
		sep = "&"
	}
	return b.String()
}

// newCheckCallID is a CallId marked as a check's, with 16 random hex digits
// so that two checks never share one.
func newCheckCallID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return checkCallIDPrefix + hex.EncodeToString(b[:])
}

// buildSample is the delivery of word to the app sdkAppID as the service of
// generation v would send it, at now.
func buildSample(v callkit.APIVersion, word string, sdkAppID int64, now time.Time) sample {
	if v == callkit.V4 {
		return v4Sample(word, sdkAppID, now)
	}
	return v1Sample(word, sdkAppID, now)
}

// v1 delivery (callkit-api.md §3): lowercase query parameters, times in
// unix seconds.

type v1CheckStatusBody struct {
	UserID     string `json:"UserId"`
	RoomID     string `json:"RoomId"`
	TotalNum   int    `json:"TotalNum"`
	MediaType  string `json:"MediaType"`
	CallID     string `json:"CallId"`
	Role       string `json:"Role"`
	CallResult string `json:"CallResult"`
	EventTime  int64  `json:"EventTime"`
}

type v1CheckEventBody struct {
	v1CheckStatusBody
	CallType    string `json:"CallType"`
	Event       string `json:"Event"`
	StartCallTs int64  `json:"StartCallTs"`
	AcceptTs    int64  `json:"AcceptTs"`
	EndTs       int64  `json:"EndTs"`
}

// v1EventResults are the call results the events that end a call report
// (callkit-api.md §3: CallResult is filled only on end events).
var v1EventResults = map[string]string{
	"call_missed": "not_answer", "not_answer_call": "not_answer",
	"call_rejected": "reject", "reject_call": "reject",
	"call_busy":   "call_busy",
	"cancel_call": "cancel", "call_canceled": "cancel",
	"call_end":         "normal_end",
	"call_interrupted": "interrupt",
}

// v1StatusWords are the six call status callbacks; the rest are events.
var v1StatusWords = callkit.V1Actions[:6]

// A sample call: rang 5 s, talked 60 s, ended now.
const (
	sampleRingSeconds = 5
	sampleTalkSeconds = 60
)

func v1Sample(word string, sdkAppID int64, now time.Time) sample {
	s := sample{word: word, query: [][2]string{
		{"sdkappid", strconv.FormatInt(sdkAppID, 10)}, {"command", word}, {"contenttype", "json"},
		{"clientip", checkClientIP}, {"optplatform", checkPlatform},
	}}
	end := now.Unix()
	status := v1CheckStatusBody{
		UserID: checkUser, RoomID: checkRoom, TotalNum: 2, MediaType: "audio",
		CallID: newCheckCallID(), Role: "caller", EventTime: end,
	}
	// The six status words are call results: the status callback's body.
	if slices.Contains(v1StatusWords, word) {
		status.CallResult = word
		s.body = mustMarshal(status)
		return s
	}
	body := v1CheckEventBody{v1CheckStatusBody: status, CallType: "single", Event: word}
	switch {
	case strings.HasPrefix(word, "caller_"):
		body.Event = strings.TrimPrefix(word, "caller_")
	case strings.HasPrefix(word, "callee_"):
		body.Event, body.Role = strings.TrimPrefix(word, "callee_"), "callee"
	case word == "join_in_group_call":
		body.Role, body.CallType = "callee", "group"
	default: // invite_user: the caller invites into a group call
		body.CallType = "group"
	}
	body.CallResult = v1EventResults[body.Event]
	if body.CallResult == "normal_end" {
		body.StartCallTs, body.AcceptTs, body.EndTs = end-sampleRingSeconds-sampleTalkSeconds, end-sampleTalkSeconds, end
	}
	s.body = mustMarshal(body)
	return s
}

// v4 delivery (callkit-api.md §7): capitalised query parameters, EventTime
// in milliseconds, record times in seconds.

type v4CheckUser struct {
	Account string `json:"User_Account"`
	Status  string `json:"Status"`
}

type v4CheckStartBody struct {
	CallbackCommand string `json:"CallbackCommand"`
	CallInfo        struct {
		CallID      string `json:"CallId"`
		MediaType   string `json:"MediaType"`
		ChatGroupID string `json:"ChatGroupId"`
		RoomID      string `json:"RoomId"`
		RoomIDType  int    `json:"RoomIdType"`
	} `json:"CallInfo"`
	UserList  []v4CheckUser `json:"UserList"`
	EventTime int64         `json:"EventTime"`
}

type v4CheckEndBody struct {
	CallbackCommand string `json:"CallbackCommand"`
	CallRecord      struct {
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
	} `json:"CallRecord"`
	EventTime int64 `json:"EventTime"`
}

type v4CheckMemberBody struct {
	CallbackCommand string        `json:"CallbackCommand"`
	CallID          string        `json:"CallId"`
	UserList        []v4CheckUser `json:"UserList"`
	ChangedUserList []struct {
		Account    string `json:"User_Account"`
		ActionType string `json:"ActionType"`
	} `json:"ChangedUserList"`
	EventTime int64 `json:"EventTime"`
}

// roomIDTypeString: RoomIdType 2 is a string room ID such as the check's.
const roomIDTypeString = 2

func v4Sample(word string, sdkAppID int64, now time.Time) sample {
	s := sample{word: word, query: [][2]string{
		{"SdkAppid", strconv.FormatInt(sdkAppID, 10)}, {"CallbackCommand", word}, {"contenttype", "json"},
		{"ClientIP", checkClientIP}, {"OptPlatform", checkPlatform},
	}}
	callID, ms, end := newCheckCallID(), now.UnixMilli(), now.Unix()
	users := []v4CheckUser{{Account: checkUser, Status: "Calling"}}
	switch word {
	case "Call.CallbackAfterStartCall":
		b := v4CheckStartBody{CallbackCommand: word, UserList: users, EventTime: ms}
		b.CallInfo.CallID, b.CallInfo.MediaType, b.CallInfo.RoomID, b.CallInfo.RoomIDType = callID, "Audio", checkRoom, roomIDTypeString
		s.body = mustMarshal(b)
	case "Call.CallbackAfterMemberChanged":
		b := v4CheckMemberBody{CallbackCommand: word, CallID: callID, UserList: users, EventTime: ms}
		b.ChangedUserList = append(b.ChangedUserList, struct {
			Account    string `json:"User_Account"`
			ActionType string `json:"ActionType"`
		}{checkUser, "Join"})
		s.body = mustMarshal(b)
	default: // Call.CallbackAfterEndCall
		b := v4CheckEndBody{CallbackCommand: word, EventTime: ms}
		r := &b.CallRecord
		r.CallID, r.CallerAccount, r.MediaType, r.CallType = callID, checkUser, "Audio", "SingleCall"
		r.StartTime, r.AcceptTime, r.EndTime = end-sampleRingSeconds-sampleTalkSeconds, end-sampleTalkSeconds, end
		r.CallResult, r.CalleeListAccount, r.RoomID, r.RoomIDType = "NormalEnd", []string{checkUser}, checkRoom, roomIDTypeString
		s.body = mustMarshal(b)
	}
	return s
}

// mustMarshal encodes the sample bodies above: structs of strings, numbers
// and string slices, which encoding/json cannot fail on.
func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("{}")
	}
	return b
}
