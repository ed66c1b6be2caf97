package mockserver

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"
)

type received struct {
	at    time.Time
	query url.Values
	body  map[string]any
}

// receiver is a callback endpoint whose answer to the n-th request (from 1) is scripted.
type receiver struct {
	mu     sync.Mutex
	got    []received
	answer func(n int) (status int, body string)
	url    string
}

func newReceiver(t *testing.T, answer func(n int) (int, string)) *receiver {
	t.Helper()
	rc := &receiver{answer: answer}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(b, &body); err != nil {
			t.Errorf("delivery body is not a JSON object: %s", b)
		}
		if r.Method != http.MethodPost {
			t.Errorf("delivery method %s", r.Method)
		}
		rc.mu.Lock()
		rc.got = append(rc.got, received{time.Now(), r.URL.Query(), body})
		n := len(rc.got)
		rc.mu.Unlock()
		status, out := http.StatusOK, `{"ErrorCode":0,"ErrorMessage":"Success"}`
		if rc.answer != nil {
			status, out = rc.answer(n)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, out)
	}))
	t.Cleanup(ts.Close)
	rc.url = ts.URL + "/cb?token=abc"
	return rc
}

func (rc *receiver) all() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

func commands(got []received, param string) []string {
	var out []string
	for _, g := range got {
		out = append(out, g.query.Get(param))
	}
	return out
}

func waitDeliveries(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.WaitDeliveries(ctx); err != nil {
		t.Fatal(err)
	}
}

func allV1Actions() []string { return append(slices.Clone(v1StatusActions), v1EventActions...) }

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestV1DeliveriesOnlySubscribed(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(fixedNow)
	s, _ := startMock(t, Options{Clock: clock.Now})
	rc := newReceiver(t, nil)
	s.SetCallback(Callback{Address: rc.url, Actions: []string{"normal_end", "caller_start_call", "callee_accept_call", "reject"}})
	rec, err := s.SimulateCall(context.Background(), SimulatedCall{Caller: "alice", Callees: []string{"bob"}, CallType: "single", MediaType: "video", Result: "normal_end"})
	if err != nil {
		t.Fatal(err)
	}
	waitDeliveries(t, s)
	got := rc.all()
	if want := []string{"caller_start_call", "callee_accept_call", "normal_end"}; !reflect.DeepEqual(commands(got, "command"), want) {
		t.Fatalf("commands = %v, want %v", commands(got, "command"), want)
	}
	if rec.EndTs != fixedNow.Unix() || rec.AcceptTs <= rec.StartCallTs || rec.TotalUserNumber != 2 {
		t.Fatalf("simulated record %+v", rec)
	}
	for _, g := range got {
		q := g.query
		if q.Get("sdkappid") != strconv.Itoa(DefaultSDKAppID) || q.Get("contenttype") != "json" || q.Get("clientip") == "" ||
			!slices.Contains(platforms, q.Get("optplatform")) || q.Get("token") != "abc" {
			t.Errorf("delivery query %v", q)
		}
	}
	start := got[0].body
	wantStart := map[string]any{
		"UserId": "alice", "RoomId": rec.RoomID, "TotalNum": 2.0, "MediaType": "video", "CallId": rec.CallID,
		"Role": "caller", "CallResult": "", "EventTime": float64(rec.StartCallTs), "CallType": "single",
		"Event": "start_call", "StartCallTs": 0.0, "AcceptTs": 0.0, "EndTs": 0.0,
	}
	if !reflect.DeepEqual(start, wantStart) {
		t.Fatalf("start_call body %v\nwant %v", start, wantStart)
	}
	if b := got[1].body; b["UserId"] != "bob" || b["Role"] != "callee" || b["Event"] != "accept_call" || b["EventTime"] != float64(rec.AcceptTs) {
		t.Fatalf("accept_call body %v", b)
	}
	status := got[2].body
	wantStatus := map[string]any{
		"UserId": "alice", "RoomId": rec.RoomID, "TotalNum": 2.0, "MediaType": "video", "CallId": rec.CallID,
		"Role": "caller", "CallResult": "normal_end", "EventTime": float64(rec.EndTs),
	}
	if !reflect.DeepEqual(status, wantStatus) {
		t.Fatalf("status body %v\nwant %v", status, wantStatus)
	}
	if log := s.Deliveries(); len(log) != 3 || !log[0].OK || log[0].Attempt != 1 || log[0].API != "v1" {
		t.Fatalf("delivery log %+v", log)
	}

	// Unsubscribed: a reject call now delivers only the subscribed status callback.
	if _, err := s.SimulateCall(context.Background(), SimulatedCall{Caller: "carol", Callees: []string{"dave"}, Result: "reject"}); err != nil {
		t.Fatal(err)
	}
	waitDeliveries(t, s)
	if got := commands(rc.all()[3:], "command"); !reflect.DeepEqual(got, []string{"caller_start_call", "reject"}) {
		t.Fatalf("reject call commands = %v", got)
	}
	// No configuration: a record, no delivery.
	s.DeleteCallback()
	if _, err := s.SimulateCall(context.Background(), SimulatedCall{Result: "cancel", CallType: "single"}); err != nil {
		t.Fatal(err)
	}
	waitDeliveries(t, s)
	if n := len(rc.all()); n != 5 {
		t.Fatalf("%d deliveries with no configuration", n)
	}
	if n := len(s.Records()); n != 3 {
		t.Fatalf("%d records after three simulated calls", n)
	}
}

func TestV1EventsPerResult(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"normal_end": {"caller_start_call", "callee_receive_call", "callee_accept_call", "caller_call_accepted", "caller_call_end", "callee_call_end", "normal_end"},
		"interrupt":  {"caller_start_call", "callee_receive_call", "callee_accept_call", "caller_call_accepted", "caller_call_interrupted", "callee_call_interrupted", "interrupt"},
		"reject":     {"caller_start_call", "callee_receive_call", "callee_reject_call", "caller_call_rejected", "reject"},
		"cancel":     {"caller_start_call", "callee_receive_call", "caller_cancel_call", "callee_call_canceled", "cancel"},
		"not_answer": {"caller_start_call", "callee_receive_call", "callee_not_answer_call", "caller_call_missed", "not_answer"},
		"call_busy":  {"caller_start_call", "caller_call_busy", "call_busy"},
	}
	for result, want := range cases {
		t.Run(result, func(t *testing.T) {
			t.Parallel()
			s, _ := startMock(t, Options{Clock: newFakeClock(fixedNow).Now})
			rc := newReceiver(t, nil)
			s.SetCallback(Callback{Address: rc.url, Actions: allV1Actions()})
			rec, err := s.SimulateCall(context.Background(), SimulatedCall{Caller: "a", Callees: []string{"b"}, Result: result})
			if err != nil {
				t.Fatal(err)
			}
			waitDeliveries(t, s)
			got := rc.all()
			if cmds := commands(got, "command"); !reflect.DeepEqual(cmds, want) {
				t.Fatalf("commands %v, want %v", cmds, want)
			}
			if connected(result) != (rec.AcceptTs != 0) {
				t.Fatalf("record %+v", rec)
			}
			for _, g := range got[:len(got)-1] {
				ending := g.query.Get("command") != "caller_start_call" && g.query.Get("command") != "callee_receive_call" &&
					g.query.Get("command") != "callee_accept_call" && g.query.Get("command") != "caller_call_accepted"
				if wantRes := map[bool]string{true: result, false: ""}[ending]; g.body["CallResult"] != wantRes {
					t.Errorf("%s: CallResult %v, want %q", g.query.Get("command"), g.body["CallResult"], wantRes)
				}
				if hasTs := g.body["EndTs"] != 0.0; hasTs != (ending && result == "normal_end") {
					t.Errorf("%s: EndTs %v", g.query.Get("command"), g.body["EndTs"])
				}
			}
		})
	}
}

func TestV1GroupCallDelivery(t *testing.T) {
	t.Parallel()
	s, _ := startMock(t, Options{Clock: newFakeClock(fixedNow).Now})
	rc := newReceiver(t, nil)
	s.SetCallback(Callback{Address: rc.url, Actions: allV1Actions()})
	if _, err := s.SimulateCall(context.Background(), SimulatedCall{Caller: "a", Callees: []string{"b", "c"}, Result: "reject"}); err == nil {
		t.Fatal("a group call ending reject was accepted")
	}
	rec, err := s.SimulateCall(context.Background(), SimulatedCall{Caller: "a", Callees: []string{"b", "c"}, MediaType: "audio"})
	if err != nil {
		t.Fatal(err)
	}
	if rec.CallType != "group" || rec.CallResult != "normal_end" || rec.TotalUserNumber != 3 {
		t.Fatalf("group record %+v", rec)
	}
	waitDeliveries(t, s)
	got := rc.all()
	count := map[string]int{}
	for _, g := range got {
		count[g.query.Get("command")]++
		b := g.body
		if g.query.Get("command") == "normal_end" {
			if _, has := b["CallType"]; has {
				t.Errorf("status body carries event fields: %v", b)
			}
			continue
		}
		if b["CallType"] != "group" || b["TotalNum"] != 3.0 || b["MediaType"] != "audio" {
			t.Errorf("group event body %v", b)
		}
		if g.query.Get("command") == "callee_call_end" {
			want := []float64{float64(rec.StartCallTs), float64(rec.AcceptTs), float64(rec.EndTs)}
			if gotTs := []float64{num(t, b["StartCallTs"]), num(t, b["AcceptTs"]), num(t, b["EndTs"])}; !reflect.DeepEqual(gotTs, want) {
				t.Errorf("callee_call_end timestamps %v, want %v", gotTs, want)
			}
			if b["Role"] != "callee" || b["CallResult"] != "normal_end" {
				t.Errorf("callee_call_end body %v", b)
			}
		}
	}
	want := map[string]int{
		"caller_start_call": 1, "callee_receive_call": 2, "callee_accept_call": 2, "caller_call_accepted": 2,
		"caller_call_end": 1, "callee_call_end": 2, "normal_end": 1,
	}
	if !reflect.DeepEqual(count, want) {
		t.Fatalf("group deliveries %v, want %v", count, want)
	}
}

// gaps returns the time between consecutive deliveries.
func gaps(got []received) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(got); i++ {
		out = append(out, got[i].at.Sub(got[i-1].at))
	}
	return out
}

const scale = 0.2

// checkGaps compares gaps with the documented waits (scaled), allowing for scheduling delay.
func checkGaps(t *testing.T, got []time.Duration, waits []time.Duration) {
	t.Helper()
	if len(got) != len(waits) {
		t.Fatalf("%d gaps, want %d", len(got), len(waits))
	}
	for i, g := range got {
		want := time.Duration(float64(waits[i]) * scale)
		if g < want-5*time.Millisecond || g > want+90*time.Millisecond {
			t.Errorf("gap %d = %v, want %v (scaled waits %v)", i+1, g, want, waits)
		}
	}
}

func TestV1RetrySchedule(t *testing.T) {
	t.Parallel()
	t.Run("fails twice then succeeds", func(t *testing.T) {
		t.Parallel()
		s, _ := startMock(t, Options{DeliveryTimeScale: scale})
		rc := newReceiver(t, func(n int) (int, string) {
			switch n {
			case 1:
				return http.StatusOK, `{"ErrorCode":1,"ErrorMessage":"busy"}`
			case 2:
				return http.StatusInternalServerError, `oops`
			}
			return http.StatusOK, `{"ErrorCode":0,"ErrorMessage":"Success"}`
		})
		s.SetCallback(Callback{Address: rc.url, Actions: []string{"reject"}})
		if _, err := s.SimulateCall(context.Background(), SimulatedCall{Result: "reject", CallType: "single"}); err != nil {
			t.Fatal(err)
		}
		waitDeliveries(t, s)
		got := rc.all()
		if len(got) != 3 {
			t.Fatalf("%d deliveries, want 3", len(got))
		}
		checkGaps(t, gaps(got), v1RetryWaits[:2])
		log := s.Deliveries()
		if len(log) != 3 || log[0].OK || log[1].Status != 500 || !log[2].OK || log[2].Attempt != 3 {
			t.Fatalf("delivery log %+v", log)
		}
	})
	t.Run("always fails", func(t *testing.T) {
		t.Parallel()
		s, _ := startMock(t, Options{DeliveryTimeScale: scale})
		rc := newReceiver(t, func(int) (int, string) { return http.StatusBadGateway, "" })
		s.SetCallback(Callback{Address: rc.url, Actions: []string{"cancel"}})
		if _, err := s.SimulateCall(context.Background(), SimulatedCall{Result: "cancel", CallType: "single"}); err != nil {
			t.Fatal(err)
		}
		waitDeliveries(t, s)
		time.Sleep(300 * time.Millisecond)
		got := rc.all()
		if len(got) != 7 {
			t.Fatalf("%d attempts, want 7", len(got))
		}
		checkGaps(t, gaps(got), v1RetryWaits)
		// Offsets from the first attempt: 0, 0, 1, 2, 4, 7, 12 (scaled).
		want := time.Duration(float64(12*time.Second) * scale)
		if off := got[6].at.Sub(got[0].at); off < want-5*time.Millisecond || off > want+300*time.Millisecond {
			t.Fatalf("7th attempt at +%v, want +%v", off, want)
		}
	})
	t.Run("retries go to the address configured now", func(t *testing.T) {
		t.Parallel()
		s, _ := startMock(t, Options{DeliveryTimeScale: scale})
		second := newReceiver(t, nil)
		first := newReceiver(t, func(n int) (int, string) {
			if n == 2 {
				s.SetCallback(Callback{Address: second.url, Actions: []string{"not_answer"}})
			}
			return http.StatusOK, `{"ErrorCode":5}`
		})
		s.SetCallback(Callback{Address: first.url, Actions: []string{"not_answer"}})
		if _, err := s.SimulateCall(context.Background(), SimulatedCall{Result: "not_answer", CallType: "single"}); err != nil {
			t.Fatal(err)
		}
		waitDeliveries(t, s)
		if len(first.all()) != 2 || len(second.all()) != 1 {
			t.Fatalf("first got %d, second got %d", len(first.all()), len(second.all()))
		}
	})
}

func TestV4Deliveries(t *testing.T) {
	t.Parallel()
	s, _ := startMock(t, Options{Clock: newFakeClock(fixedNow).Now})
	rc := newReceiver(t, func(int) (int, string) { return http.StatusOK, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}` })
	s.SetCallbackV4(Callback{Address: rc.url, Actions: []string{"Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall"}})
	rec, err := s.SimulateCall(context.Background(), SimulatedCall{Caller: "alice", Callees: []string{"bob"}, MediaType: "audio", Result: "normal_end"})
	if err != nil {
		t.Fatal(err)
	}
	waitDeliveries(t, s)
	got := rc.all()
	if cmds := commands(got, "CallbackCommand"); !reflect.DeepEqual(cmds, []string{"Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall"}) {
		t.Fatalf("v4 commands %v", cmds)
	}
	for _, g := range got {
		q := g.query
		if q.Get("SdkAppid") != strconv.Itoa(DefaultSDKAppID) || q.Get("contenttype") != "json" || q.Get("ClientIP") == "" ||
			!slices.Contains(platforms, q.Get("OptPlatform")) || q.Has("sdkappid") || q.Has("command") {
			t.Errorf("v4 delivery query %v", q)
		}
		if g.body["CallbackCommand"] != q.Get("CallbackCommand") {
			t.Errorf("body CallbackCommand %v", g.body["CallbackCommand"])
		}
	}
	start := got[0].body
	if start["EventTime"] != float64(rec.StartCallTs*1000) || !reflect.DeepEqual(keys(start), []string{"CallInfo", "CallbackCommand", "EventTime", "UserList"}) {
		t.Fatalf("StartCall body %v", start)
	}
	info := obj(t, start["CallInfo"])
	if info["CallId"] != rec.CallID || info["MediaType"] != "Audio" || info["RoomId"] != rec.RoomID || info["RoomIdType"] != float64(rec.RoomIDType) {
		t.Fatalf("CallInfo %v", info)
	}
	wantUsers := []any{map[string]any{"User_Account": "alice", "Status": "Calling"}, map[string]any{"User_Account": "bob", "Status": "Waiting"}}
	if !reflect.DeepEqual(start["UserList"], wantUsers) {
		t.Fatalf("UserList %v", start["UserList"])
	}
	end := got[1].body
	cr := obj(t, end["CallRecord"])
	if end["EventTime"] != float64(rec.EndTs*1000) || cr["CallResult"] != "NormalEnd" || cr["CallType"] != "SingleCall" || cr["Caller_Account"] != "alice" || cr["AcceptTime"] != float64(rec.AcceptTs) {
		t.Fatalf("EndCall body %v", end)
	}
	if _, err := s.SimulateCall(context.Background(), SimulatedCall{Caller: "x", Callees: []string{"y"}, Result: "reject"}); err != nil {
		t.Fatal(err)
	}
	waitDeliveries(t, s)

	// MemberChanged, and no retry after a failure.
	s2, _ := startMock(t, Options{Clock: newFakeClock(fixedNow).Now, DeliveryTimeScale: 0.01})
	failing := newReceiver(t, func(int) (int, string) {
		return http.StatusOK, `{"ActionStatus":"FAIL","ErrorInfo":"no","ErrorCode":1}`
	})
	s2.SetCallbackV4(Callback{Address: failing.url, Actions: []string{"Call.CallbackAfterMemberChanged"}})
	if _, err := s2.SimulateCall(context.Background(), SimulatedCall{Caller: "alice", Callees: []string{"bob"}, Result: "reject"}); err != nil {
		t.Fatal(err)
	}
	waitDeliveries(t, s2)
	time.Sleep(50 * time.Millisecond)
	fg := failing.all()
	if len(fg) != 1 {
		t.Fatalf("%d MemberChanged deliveries to a failing receiver, want exactly 1 (no retry)", len(fg))
	}
	mc := fg[0].body
	if !reflect.DeepEqual(mc["ChangedUserList"], []any{map[string]any{"User_Account": "bob", "ActionType": "Reject"}}) ||
		!reflect.DeepEqual(mc["UserList"], []any{map[string]any{"User_Account": "alice", "Status": "Calling"}}) || mc["CallId"] == "" {
		t.Fatalf("MemberChanged body %v", mc)
	}
	if log := s2.Deliveries(); len(log) != 1 || log[0].OK || log[0].API != "v4" {
		t.Fatalf("v4 delivery log %+v", log)
	}
}

func TestCloseStopsPendingDeliveries(t *testing.T) {
	t.Parallel()
	s := New(Options{}) // real-time retry waits
	rc := newReceiver(t, func(int) (int, string) { return http.StatusServiceUnavailable, "" })
	s.SetCallback(Callback{Address: rc.url, Actions: []string{"interrupt"}})
	if _, err := s.SimulateCall(context.Background(), SimulatedCall{Result: "interrupt", CallType: "single"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(rc.all()) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	begin := time.Now()
	s.Close()
	if d := time.Since(begin); d > time.Second {
		t.Fatalf("Close took %v", d)
	}
	n := len(rc.all())
	time.Sleep(1200 * time.Millisecond) // past the next retry's wait
	if len(rc.all()) != n || n != 2 {
		t.Fatalf("deliveries went on after Close: %d then %d", n, len(rc.all()))
	}
	if _, err := s.SimulateCall(context.Background(), SimulatedCall{}); err == nil {
		t.Fatal("SimulateCall after Close succeeded")
	}
}

func TestAttemptLabel(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		d    Delivery
		want string
	}{
		{Delivery{API: "v1", Attempt: 1, OK: true}, "1 of 7"},
		{Delivery{API: "v1", Attempt: 1}, "1 of 7; next retry at once"},
		{Delivery{API: "v1", Attempt: 2}, "2 of 7, right after the first; next retry 1 s later"},
		{Delivery{API: "v1", Attempt: 4, OK: true}, "4 of 7, 2 s after the first"},
		{Delivery{API: "v1", Attempt: 6}, "6 of 7, 7 s after the first; next retry 5 s later"},
		{Delivery{API: "v1", Attempt: 7}, "7 of 7, 12 s after the first; no retry left"},
		{Delivery{API: "v4", Attempt: 1}, "1 of 1 (v4 does not retry)"},
	} {
		if got := c.d.AttemptLabel(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.d, got, c.want)
		}
	}
}
