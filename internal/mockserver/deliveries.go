package mockserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// SimulatedCall describes a call to simulate. Empty fields are filled from
// the server's seeded generator; CallType "" means group when more than one
// callee is given.
type SimulatedCall struct {
	Caller    string
	Callees   []string
	CallType  string // single | group
	MediaType string // audio | video
	Result    string // one of the six call results; group calls only normal_end
}

// Delivery is one delivery attempt.
type Delivery struct {
	Time    time.Time       `json:"time"` // wall clock at the start of the attempt
	API     string          `json:"api"`  // "v1" or "v4"
	URL     string          `json:"url"`
	Command string          `json:"command"`
	CallID  string          `json:"call_id"`
	Attempt int             `json:"attempt"` // 1-based
	Status  int             `json:"status"`  // HTTP status; 0 when no answer arrived
	OK      bool            `json:"ok"`      // the receiver acknowledged with ErrorCode 0
	Err     string          `json:"err,omitempty"`
	Body    json.RawMessage `json:"body"`

	// Code is the receiver's ErrorCode as it sent it ("" when it sent none).
	Code string `json:"error_code,omitempty"`
}

// Delivery timing (callkit-api.md §3, §7).
var v1RetryWaits = []time.Duration{0, time.Second, time.Second, 2 * time.Second, 3 * time.Second, 5 * time.Second}

const (
	v1AttemptTimeout = 3 * time.Second
	v4AttemptTimeout = 2 * time.Second
	maxReceiverBody  = 64 << 10
	closeWait        = 10 * time.Second
)

var platforms = []string{"iOS", "Android", "Web", "miniProgram"}

// clientOf gives a user a stable client IP (from the documentation range) and platform.
func clientOf(user string) (ip, platform string) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(user))
	n := h.Sum32()
	return "203.0.113." + strconv.Itoa(int(n%254)+1), platforms[(n>>8)%uint32(len(platforms))]
}

// SimulateCall records a call that has just ended (at the server clock's now)
// and delivers every subscribed callback for it: v1 status and event
// callbacks when a v1 configuration exists, v4 callbacks when a v4 one does.
// Deliveries run in the background; WaitDeliveries waits for them.
func (s *Server) SimulateCall(ctx context.Context, c SimulatedCall) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return Record{}, errors.New("mockserver: server is closed")
	}
	rec, err := s.planCallLocked(c)
	s.mu.Unlock()
	if err != nil {
		return Record{}, err
	}
	s.AddRecords(rec)

	var v1, v4 []outgoing
	if cb, found := s.Callback(); found {
		v1 = s.v1Deliveries(rec, cb.Actions)
	}
	if cb, found := s.CallbackV4(); found {
		v4 = s.v4Deliveries(rec, cb.Actions)
	}
	if len(v1)+len(v4) > 0 && s.begin() {
		go func() {
			defer s.end()
			// First attempts go out in event order; a failed v1 event retries
			// on its own schedule without holding up the next event.
			for _, o := range v1 {
				if ok, stop := s.attempt(o, 1); !ok && !stop && s.begin() {
					go func() {
						defer s.end()
						s.retry(o)
					}()
				}
			}
			for _, o := range v4 {
				s.attempt(o, 1)
			}
		}()
	}
	return rec, nil
}

// planCallLocked completes c with seeded choices and returns its record. The
// random draws keep one order (caller, type, callees, media, result, call ID,
// room), so a seed replays the same calls.
func (s *Server) planCallLocked(c SimulatedCall) (Record, error) {
	rng := s.simRng
	if c.Caller == "" {
		c.Caller = userNames[rng.IntN(numUsers)]
	}
	if c.CallType == "" {
		c.CallType = pickCallType(rng, len(c.Callees))
	}
	if !isCallType(c.CallType) {
		return Record{}, fmt.Errorf("mockserver: call type %q must be single or group", c.CallType)
	}
	c.fillParticipants(rng)
	if err := c.validate(); err != nil {
		return Record{}, err
	}
	return c.record(rng, s.now().Unix()), nil
}

// pickCallType: a call with several callees is a group call, with one a
// single call; without callees mostly single.
func pickCallType(rng *rand.Rand, callees int) string {
	switch {
	case callees > 1:
		return "group"
	case callees == 1 || rng.IntN(5) > 0:
		return "single"
	}
	return "group"
}

// fillParticipants draws what c leaves unset: callees, media type, result.
func (c *SimulatedCall) fillParticipants(rng *rand.Rand) {
	if c.Callees == nil {
		n := 1
		if c.CallType == "group" {
			n = 2 + rng.IntN(3)
		}
		c.Callees = pickUsers(rng, c.Caller, n)
	}
	if c.MediaType == "" {
		c.MediaType = []string{"audio", "video"}[rng.IntN(2)]
	}
	if c.Result == "" {
		c.Result = "normal_end"
		if c.CallType == "single" {
			c.Result = pickResult(rng)
		}
	}
}

// validate refuses a call the service could not have recorded.
func (c *SimulatedCall) validate() error {
	switch {
	case c.MediaType != "audio" && c.MediaType != "video":
		return fmt.Errorf("mockserver: media type %q must be audio or video", c.MediaType)
	case !isCallResult(c.Result):
		return fmt.Errorf("mockserver: result %q is not one of %v", c.Result, callResults)
	case c.CallType == "group" && c.Result != "normal_end":
		return errors.New("mockserver: group calls only ever end normal_end")
	case c.CallType == "single" && len(c.Callees) != 1:
		return fmt.Errorf("mockserver: a single call has exactly one callee, got %d", len(c.Callees))
	case len(c.Callees) == 0:
		return errors.New("mockserver: a call needs at least one callee")
	}
	for i, u := range c.Callees {
		if u == "" || u == c.Caller || slices.Contains(c.Callees[:i], u) {
			return fmt.Errorf("mockserver: callee %q is empty, the caller or repeated", u)
		}
	}
	return nil
}

// record is the call's record: it has just ended, at end, after ringing and
// maybe being talked through.
func (c *SimulatedCall) record(rng *rand.Rand, end int64) Record {
	ring, talk := callDurations(c.Result, c.CallType)
	r := Record{
		CallID:      newUUID(rng),
		MediaType:   c.MediaType,
		StartCallTs: end - ring - talk,
		EndTs:       end,
		Caller:      c.Caller,
		CallType:    c.CallType,
		CallResult:  c.Result,
		Callees:     slices.Clone(c.Callees),
	}
	r.TotalUserNumber = 1 + len(r.Callees)
	if connected(c.Result) {
		r.AcceptTs = r.StartCallTs + ring
	}
	if rng.IntN(2) == 0 {
		r.RoomIDType, r.RoomID = 1, strconv.Itoa(100000+rng.IntN(900000))
	} else {
		r.RoomIDType, r.RoomID = 2, "room-"+strconv.Itoa(rng.IntN(1000000))
	}
	return r
}

// callDurations: how long a call with this result rang and was talked through, in seconds.
func callDurations(result, callType string) (ring, talk int64) {
	ring = 5
	switch result {
	case "not_answer":
		ring = 30
	case "call_busy":
		ring = 1
	case "normal_end", "interrupt":
		talk = 60
		if callType == "group" {
			talk = 120
		}
	}
	return ring, talk
}

// outgoing is one callback to deliver.
type outgoing struct {
	api     string
	command string
	callID  string
	query   url.Values
	body    []byte
}

// v1Event is one user action of a simulated call.
type v1Event struct {
	action string // the subscribed action word, also sent as command
	event  string // the Event body field
	user   string
	role   string
	at     int64
	result string // filled on the events that end the call
}

// v1Events works out what each participant's client reports for a call.
func v1Events(r Record) []v1Event {
	var evs []v1Event
	add := func(action, event, user, role string, at int64, result string) {
		evs = append(evs, v1Event{action, event, user, role, at, result})
	}
	caller, start, end, res := r.Caller, r.StartCallTs, r.EndTs, r.CallResult
	add("caller_start_call", "start_call", caller, "caller", start, "")
	if res != "call_busy" {
		// A busy callee's client declines the invitation without ringing.
		for _, u := range r.Callees {
			add("callee_receive_call", "receive_call", u, "callee", start, "")
		}
	}
	if connected(res) {
		for _, u := range r.Callees {
			add("callee_accept_call", "accept_call", u, "callee", r.AcceptTs, "")
			add("caller_call_accepted", "call_accepted", caller, "caller", r.AcceptTs, "")
		}
	}
	switch res {
	case "normal_end":
		add("caller_call_end", "call_end", caller, "caller", end, res)
		for _, u := range r.Callees {
			add("callee_call_end", "call_end", u, "callee", end, res)
		}
	case "interrupt":
		add("caller_call_interrupted", "call_interrupted", caller, "caller", end, res)
		for _, u := range r.Callees {
			add("callee_call_interrupted", "call_interrupted", u, "callee", end, res)
		}
	case "reject":
		add("callee_reject_call", "reject_call", r.Callees[0], "callee", end, res)
		add("caller_call_rejected", "call_rejected", caller, "caller", end, res)
	case "cancel":
		add("caller_cancel_call", "cancel_call", caller, "caller", end, res)
		add("callee_call_canceled", "call_canceled", r.Callees[0], "callee", end, res)
	case "not_answer":
		add("callee_not_answer_call", "not_answer_call", r.Callees[0], "callee", end, res)
		add("caller_call_missed", "call_missed", caller, "caller", end, res)
	case "call_busy":
		add("caller_call_busy", "call_busy", caller, "caller", end, res)
	}
	return evs
}

type v1StatusBody struct {
	UserID     string `json:"UserId"`
	RoomID     string `json:"RoomId"`
	TotalNum   int    `json:"TotalNum"`
	MediaType  string `json:"MediaType"`
	CallID     string `json:"CallId"`
	Role       string `json:"Role"`
	CallResult string `json:"CallResult"`
	EventTime  int64  `json:"EventTime"`
}

type v1EventBody struct {
	v1StatusBody
	CallType    string `json:"CallType"`
	Event       string `json:"Event"`
	StartCallTs int64  `json:"StartCallTs"`
	AcceptTs    int64  `json:"AcceptTs"`
	EndTs       int64  `json:"EndTs"`
}

func (s *Server) v1Query(command, user string) url.Values {
	ip, platform := clientOf(user)
	return url.Values{
		"sdkappid": {strconv.FormatInt(s.appID, 10)}, "command": {command}, "contenttype": {"json"},
		"clientip": {ip}, "optplatform": {platform},
	}
}

// v1Deliveries lists the subscribed v1 callbacks of a call in the order they happen.
func (s *Server) v1Deliveries(r Record, actions []string) []outgoing {
	var out []outgoing
	status := func(user, role string, at int64, result string) v1StatusBody {
		return v1StatusBody{
			UserID: user, RoomID: r.RoomID, TotalNum: r.TotalUserNumber, MediaType: r.MediaType,
			CallID: r.CallID, Role: role, CallResult: result, EventTime: at,
		}
	}
	for _, ev := range v1Events(r) {
		if !slices.Contains(actions, ev.action) {
			continue
		}
		b := v1EventBody{v1StatusBody: status(ev.user, ev.role, ev.at, ev.result), CallType: r.CallType, Event: ev.event}
		if ev.result == "normal_end" {
			b.StartCallTs, b.AcceptTs, b.EndTs = r.StartCallTs, r.AcceptTs, r.EndTs
		}
		out = append(out, outgoing{api: "v1", command: ev.action, callID: r.CallID, query: s.v1Query(ev.action, ev.user), body: mustJSON(b)})
	}
	// The status callback: once per call, as the caller (callkit-api.md §2 Provider choice).
	if slices.Contains(actions, r.CallResult) {
		b := status(r.Caller, "caller", r.EndTs, r.CallResult)
		out = append(out, outgoing{api: "v1", command: r.CallResult, callID: r.CallID, query: s.v1Query(r.CallResult, r.Caller), body: mustJSON(b)})
	}
	return out
}

type v4User struct {
	Account string `json:"User_Account"`
	Status  string `json:"Status"`
}

type v4Change struct {
	Account    string `json:"User_Account"`
	ActionType string `json:"ActionType"`
}

type v4CallInfo struct {
	CallID      string `json:"CallId"`
	MediaType   string `json:"MediaType"`
	ChatGroupID string `json:"ChatGroupId"`
	RoomID      string `json:"RoomId"`
	RoomIDType  int    `json:"RoomIdType"`
}

type v4StartBody struct {
	CallbackCommand string     `json:"CallbackCommand"`
	CallInfo        v4CallInfo `json:"CallInfo"`
	UserList        []v4User   `json:"UserList"`
	EventTime       int64      `json:"EventTime"`
}

type v4MemberBody struct {
	CallbackCommand string     `json:"CallbackCommand"`
	CallID          string     `json:"CallId"`
	UserList        []v4User   `json:"UserList"`
	ChangedUserList []v4Change `json:"ChangedUserList"`
	EventTime       int64      `json:"EventTime"`
}

type v4EndBody struct {
	CallbackCommand string   `json:"CallbackCommand"`
	CallRecord      v4Record `json:"CallRecord"`
	EventTime       int64    `json:"EventTime"`
}

func (s *Server) v4Query(command, user string) url.Values {
	ip, platform := clientOf(user)
	return url.Values{
		"SdkAppid": {strconv.FormatInt(s.appID, 10)}, "CallbackCommand": {command}, "contenttype": {"json"},
		"ClientIP": {ip}, "OptPlatform": {platform},
	}
}

// v4Deliveries lists the subscribed v4 callbacks of a call in order: the
// start, each membership change (ActionType spelled as the docs' sample), the end.
func (s *Server) v4Deliveries(r Record, commands []string) []outgoing {
	const (
		cmdStart  = "Call.CallbackAfterStartCall"
		cmdMember = "Call.CallbackAfterMemberChanged"
		cmdEnd    = "Call.CallbackAfterEndCall"
	)
	wire := v4Wire(r)
	var out []outgoing
	emit := func(cmd, user string, body any) {
		if slices.Contains(commands, cmd) {
			out = append(out, outgoing{api: "v4", command: cmd, callID: r.CallID, query: s.v4Query(cmd, user), body: mustJSON(body)})
		}
	}
	// members tracks who is in the call (Calling) or still invited (Waiting).
	members := []v4User{{r.Caller, "Calling"}}
	for _, u := range r.Callees {
		members = append(members, v4User{u, "Waiting"})
	}
	snapshot := func() []v4User { return slices.Clone(members) }
	setStatus := func(user, status string) {
		for i := range members {
			if members[i].Account == user {
				members[i].Status = status
			}
		}
	}
	remove := func(users ...string) {
		members = slices.DeleteFunc(members, func(m v4User) bool { return slices.Contains(users, m.Account) })
	}
	changed := func(user string, at int64, changes ...v4Change) {
		emit(cmdMember, user, v4MemberBody{CallbackCommand: cmdMember, CallID: r.CallID, UserList: snapshot(), ChangedUserList: changes, EventTime: at * 1000})
	}
	info := v4CallInfo{CallID: r.CallID, MediaType: wire.MediaType, RoomID: wire.RoomID, RoomIDType: wire.RoomIDType}
	if r.CallType == "group" {
		info.ChatGroupID = "@TGS#" + r.RoomID
	}
	emit(cmdStart, r.Caller, v4StartBody{CallbackCommand: cmdStart, CallInfo: info, UserList: snapshot(), EventTime: r.StartCallTs * 1000})
	if connected(r.CallResult) {
		for _, u := range r.Callees {
			setStatus(u, "Calling")
			changed(u, r.AcceptTs, v4Change{u, "Answer"})
		}
	}
	callee := r.Callees[0]
	switch r.CallResult {
	case "normal_end":
		all := append([]string{r.Caller}, r.Callees...)
		var hangups []v4Change
		for _, u := range all {
			hangups = append(hangups, v4Change{u, "Hangup"})
		}
		remove(all...)
		changed(r.Caller, r.EndTs, hangups...)
	case "interrupt":
		remove(r.Caller)
		changed(r.Caller, r.EndTs, v4Change{r.Caller, "Offline"})
	case "reject", "call_busy":
		// A busy callee's client declines the invitation: the sample's
		// ActionType list has no "busy".
		remove(callee)
		changed(callee, r.EndTs, v4Change{callee, "Reject"})
	case "not_answer":
		remove(callee)
		changed(callee, r.EndTs, v4Change{callee, "NotAnswer"})
	case "cancel":
		remove(callee)
		changed(r.Caller, r.EndTs, v4Change{callee, "Cancel_Invite"})
	}
	emit(cmdEnd, r.Caller, v4EndBody{CallbackCommand: cmdEnd, CallRecord: wire, EventTime: r.EndTs * 1000})
	return out
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only fixed struct types are marshalled here; failure is a programming error.
		panic(fmt.Sprintf("mockserver: marshalling a delivery body: %v", err))
	}
	return b
}

// retry re-delivers a v1 callback after a failed first attempt: up to six
// retries, each after the next documented interval (scaled).
func (s *Server) retry(o outgoing) {
	for i, wait := range v1RetryWaits {
		t := time.NewTimer(time.Duration(float64(wait) * s.scale))
		select {
		case <-s.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if ok, stop := s.attempt(o, i+2); ok || stop {
			return
		}
	}
}

// attempt makes one delivery to the address configured now (so an address
// changed since the call is honoured). stop reports that there is nothing to
// deliver to any more: the configuration is gone or the server is closing.
func (s *Server) attempt(o outgoing, n int) (ok, stop bool) {
	if s.ctx.Err() != nil {
		return false, true
	}
	var cb Callback
	var found bool
	timeout := v1AttemptTimeout
	if o.api == "v4" {
		cb, found = s.CallbackV4()
		timeout = v4AttemptTimeout
	} else {
		cb, found = s.Callback()
	}
	if !found {
		return false, true
	}
	d := Delivery{Time: time.Now(), API: o.api, Command: o.command, CallID: o.callID, Attempt: n, Body: o.body}
	defer func() { s.logDelivery(d) }()
	u, err := url.Parse(cb.Address)
	if err != nil {
		d.URL, d.Err = cb.Address, "invalid address"
		return false, false
	}
	q := u.Query()
	for k, v := range o.query {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	d.URL = u.String()
	ctx, cancel := context.WithTimeout(s.ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(o.body))
	if err != nil {
		d.Err = err.Error()
		return false, false
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		d.Err = err.Error()
		return false, false
	}
	defer resp.Body.Close()
	d.Status = resp.StatusCode
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReceiverBody))
	if err != nil {
		d.Err = "reading the answer: " + err.Error()
		return false, false
	}
	if resp.StatusCode != http.StatusOK {
		d.Err = "HTTP " + resp.Status
		return false, false
	}
	var ack struct {
		ErrorCode json.RawMessage `json:"ErrorCode"`
	}
	if err := json.Unmarshal(body, &ack); err != nil {
		d.Err = "the answer is not a JSON object"
		return false, false
	}
	d.Code = string(bytes.Trim(ack.ErrorCode, `"`))
	if d.Code != "0" {
		d.Err = "receiver answered ErrorCode " + string(ack.ErrorCode)
		if len(ack.ErrorCode) == 0 {
			d.Err = "receiver answered without ErrorCode"
		}
		return false, false
	}
	d.OK = true
	return true, false
}

func (s *Server) logDelivery(d Delivery) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.deliveries) >= maxDeliveryLog {
		s.deliveries = slices.Delete(s.deliveries, 0, maxDeliveryLog/2)
	}
	s.deliveries = append(s.deliveries, d)
}

// Deliveries returns the log of delivery attempts, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

// begin registers background delivery work; false once the server is closed.
func (s *Server) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.pending == 0 {
		s.idle = make(chan struct{})
	}
	s.pending++
	return true
}

func (s *Server) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending--
	if s.pending == 0 {
		close(s.idle)
	}
}

// WaitDeliveries blocks until every pending delivery (retries included) has
// finished, or ctx ends.
func (s *Server) WaitDeliveries(ctx context.Context) error {
	s.mu.Lock()
	idle := s.idle
	s.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops pending deliveries and stalled requests and waits (briefly) for
// them to return. The handler keeps answering API requests after Close.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), closeWait)
	defer cancel()
	_ = s.WaitDeliveries(ctx)
}

// retryOffsets are the v1 attempts' offsets from the first attempt, in seconds
// (callkit-api.md §3 Provider choice).
var retryOffsets = func() []time.Duration {
	out := []time.Duration{0}
	var at time.Duration
	for _, w := range v1RetryWaits {
		at += w
		out = append(out, at)
	}
	return out
}()

// AttemptLabel says which attempt of the retry schedule a delivery was, when
// it was made in the schedule, and, for a failed one, what comes next.
func (d Delivery) AttemptLabel() string {
	if d.API == "v4" {
		return "1 of 1 (v4 does not retry)"
	}
	n := len(retryOffsets)
	if d.Attempt < 1 || d.Attempt > n {
		return strconv.Itoa(d.Attempt)
	}
	label := fmt.Sprintf("%d of %d", d.Attempt, n)
	switch at := retryOffsets[d.Attempt-1]; {
	case d.Attempt == 1:
	case at == 0:
		label += ", right after the first"
	default:
		label += fmt.Sprintf(", %d s after the first", int(at/time.Second))
	}
	switch {
	case d.OK:
		return label
	case d.Attempt == n:
		return label + "; no retry left"
	case v1RetryWaits[d.Attempt-1] == 0:
		return label + "; next retry at once"
	}
	return label + fmt.Sprintf("; next retry %d s later", int(v1RetryWaits[d.Attempt-1]/time.Second))
}
