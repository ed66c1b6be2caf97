package mockserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Callback returns the v1 callback configuration, if any.
func (s *Server) Callback() (Callback, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cbV1 == nil {
		return Callback{}, false
	}
	return s.cbV1.clone(), true
}

// SetCallback sets the v1 configuration out of band (drift simulation).
func (s *Server) SetCallback(cb Callback) {
	c := cb.clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cbV1 = &c
}

// DeleteCallback removes the v1 configuration out of band.
func (s *Server) DeleteCallback() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cbV1 = nil
}

// CallbackV4 returns the v4 callback configuration, if any (independent of v1).
func (s *Server) CallbackV4() (Callback, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cbV4 == nil {
		return Callback{}, false
	}
	return s.cbV4.clone(), true
}

// SetCallbackV4 sets the v4 configuration out of band.
func (s *Server) SetCallbackV4(cb Callback) {
	c := cb.clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cbV4 = &c
}

// DeleteCallbackV4 removes the v4 configuration out of band.
func (s *Server) DeleteCallbackV4() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cbV4 = nil
}

// AddRecords stores records (a record with an existing call ID replaces it).
func (s *Server) AddRecords(recs ...Record) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.add(recs)
}

// Records returns every record in ascending start time.
func (s *Server) Records() []Record { return s.store.all() }

// SetGroupCallPackage sets whether the app has bought the Group Call package.
func (s *Server) SetGroupCallPackage(bought bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groupPkg = bought
}

// Stats returns a snapshot of the request counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Requests = maps.Clone(s.stats.Requests)
	st.Applied = maps.Clone(s.stats.Applied)
	return st
}

// SeenUserSigs returns every distinct usersig query value received (the first
// 10,000), in order of first arrival: tests use it to look for leaks.
func (s *Server) SeenUserSigs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seenOrder)
}

// faultsJSON is the /_mock/faults body.
type faultsJSON struct {
	Rate       float64         `json:"rate"`
	Kinds      []FaultKind     `json:"kinds"`
	StallMS    int64           `json:"stall_ms"`
	Paths      []string        `json:"paths"`
	LoseAnswer *lostAnswerJSON `json:"lose_answer"`
}

// lostAnswerJSON is the optional lose_answer object of the /_mock/faults body.
type lostAnswerJSON struct {
	Path     string    `json:"path"`
	Kind     FaultKind `json:"kind"`
	FailNext int       `json:"fail_next"`
	StallMS  int64     `json:"stall_ms"`
}

// simulateJSON is the /_mock/simulate body; every field is optional.
type simulateJSON struct {
	Calls     int      `json:"calls"`
	Caller    string   `json:"caller"`
	Callees   []string `json:"callees"`
	CallType  string   `json:"call_type"`
	MediaType string   `json:"media_type"`
	Result    string   `json:"result"`
}

const maxSimulateCalls = 10000

func (s *Server) controlMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_mock/health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok")
	})
	configRoutes := func(api, prefix string, get func() (Callback, bool), set func(Callback), del func()) {
		mux.HandleFunc("GET "+prefix, func(w http.ResponseWriter, _ *http.Request) {
			cb, found := get()
			if !found {
				WriteJSON(w, http.StatusNotFound, map[string]string{"error": "no callback configuration"})
				return
			}
			WriteJSON(w, http.StatusOK, cb)
		})
		mux.HandleFunc("PUT "+prefix, func(w http.ResponseWriter, r *http.Request) {
			var cb Callback
			if !decodeControl(w, r, &cb) {
				return
			}
			if cb.Address == "" || cb.Actions == nil {
				WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "address and actions are required"})
				return
			}
			set(cb)
			s.noteChange(api, "set", "PUT "+prefix, "")
			WriteJSON(w, http.StatusOK, cb)
		})
		mux.HandleFunc("DELETE "+prefix, func(w http.ResponseWriter, _ *http.Request) {
			del()
			s.noteChange(api, "delete", "DELETE "+prefix, "")
			w.WriteHeader(http.StatusNoContent)
		})
	}
	configRoutes("v1", "/_mock/callback", s.Callback, s.SetCallback, s.DeleteCallback)
	configRoutes("v4", "/_mock/v4/callback", s.CallbackV4, s.SetCallbackV4, s.DeleteCallbackV4)
	mux.HandleFunc("GET /_mock/records", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, s.Records())
	})
	mux.HandleFunc("POST /_mock/records", s.controlAddRecords)
	mux.HandleFunc("POST /_mock/faults", s.controlSetFaults)
	mux.HandleFunc("DELETE /_mock/faults", func(w http.ResponseWriter, _ *http.Request) {
		s.SetFaults(Faults{})
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_mock/simulate", s.controlSimulate)
	mux.HandleFunc("POST /_mock/group-call-package", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Bought *bool `json:"bought"`
		}
		if !decodeControl(w, r, &req) {
			return
		}
		if req.Bought == nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "bought is required"})
			return
		}
		s.SetGroupCallPackage(*req.Bought)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_mock/rate-limit", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"mode": s.RateMode().String()})
	})
	mux.HandleFunc("POST /_mock/rate-limit", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Mode string `json:"mode"`
		}
		if !decodeControl(w, r, &req) {
			return
		}
		i := slices.Index(rateModeNames, req.Mode)
		if i < 0 {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("mode must be one of %q, got %q", rateModeNames, req.Mode)})
			return
		}
		s.SetRateMode(RateMode(i))
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_mock/others", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]float64{"share": s.OthersShare()})
	})
	mux.HandleFunc("POST /_mock/others", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Share *float64 `json:"share"`
		}
		if !decodeControl(w, r, &req) {
			return
		}
		if req.Share == nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "share is required"})
			return
		}
		if err := s.SetOthersShare(*req.Share); err != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_mock/stats", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, s.Stats())
	})
	mux.HandleFunc("GET /_mock/deliveries", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, s.Deliveries())
	})
	s.walkRoutes(mux)
	s.readingRoutes(mux)
	return mux
}

// controlSimulate simulates the posted calls and answers their records.
func (s *Server) controlSimulate(w http.ResponseWriter, r *http.Request) {
	var req simulateJSON
	if !decodeControl(w, r, &req) {
		return
	}
	if req.Calls == 0 {
		req.Calls = 1
	}
	if req.Calls < 0 || req.Calls > maxSimulateCalls {
		WriteJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("calls must be between 1 and %d", maxSimulateCalls)})
		return
	}
	out := make([]Record, 0, req.Calls)
	for range req.Calls {
		rec, err := s.SimulateCall(r.Context(), SimulatedCall{
			Caller: req.Caller, Callees: req.Callees, CallType: req.CallType,
			MediaType: req.MediaType, Result: req.Result,
		})
		if err != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		out = append(out, rec)
	}
	WriteJSON(w, http.StatusOK, out)
}

// controlSetFaults replaces the fault configuration with the posted one.
func (s *Server) controlSetFaults(w http.ResponseWriter, r *http.Request) {
	var f faultsJSON
	if !decodeControl(w, r, &f) {
		return
	}
	if f.Rate < 0 || f.Rate > 1 {
		WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "rate must be between 0 and 1"})
		return
	}
	for _, k := range f.Kinds {
		if !validFaultKind(k) {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("unknown fault kind %q", k)})
			return
		}
	}
	var lost lostAnswerState
	if la := f.LoseAnswer; la != nil {
		var err error
		lost, err = LostAnswer{Path: la.Path, Kind: la.Kind, FailNext: la.FailNext, StallFor: time.Duration(la.StallMS) * time.Millisecond}.state()
		if err != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "lose_answer: " + err.Error()})
			return
		}
	}
	// Like the Go API: the body replaces the whole fault configuration,
	// a lost answer armed before included.
	s.SetFaults(Faults{Rate: f.Rate, Kinds: f.Kinds, StallFor: time.Duration(f.StallMS) * time.Millisecond, Paths: f.Paths})
	if lost.armed {
		s.armLostAnswer(lost)
	}
	w.WriteHeader(http.StatusNoContent)
}

// controlAddRecords adds the posted records; one without a callId refuses them all.
func (s *Server) controlAddRecords(w http.ResponseWriter, r *http.Request) {
	var recs []Record
	if !decodeControl(w, r, &recs) {
		return
	}
	for i, rec := range recs {
		if rec.CallID == "" {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("record %d has no callId", i)})
			return
		}
	}
	s.AddRecords(recs...)
	WriteJSON(w, http.StatusOK, map[string]int{"added": len(recs)})
}

func decodeControl(w http.ResponseWriter, r *http.Request, dst any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<20))
	if err := dec.Decode(dst); err != nil {
		WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON body: " + err.Error()})
		return false
	}
	return true
}

// walkControls make a paged walk's hard cases testable: answers that take
// time, paging fields the answer leaves out, and records that arrive or
// expire while a walk pages.
type walkControls struct {
	mu       sync.Mutex
	latency  time.Duration
	omit     OmitPaging
	lists    int       // record-list requests served (v1, v4 filter; DescribeTelCdr)
	readings Readings  // where the docs allow several answers (readings.go)
	midWalks []MidWalk // pending, in the order they were scheduled
}

// OmitPaging leaves paging fields out of record-list answers, as a service
// may: Page drops v1 `page` and v4 `Page`; Total drops v1 `totalNum`, v4
// `TotalNum` and DescribeTelCdr's `TotalCount`.
type OmitPaging struct {
	Page  bool `json:"page"`
	Total bool `json:"total"`
}

// MidWalk is a change to the stored records that happens while a walk pages:
// it is applied right after the AfterRequests-th record-list request (v1 or v4
// get_records_by_filter, or DescribeTelCdr; counted from when the server
// started) has been answered, before any later one is served.
type MidWalk struct {
	AfterRequests int `json:"after_requests"`
	// Add stores call records, as AddRecords (a call that ended joins the
	// records at its start time, in the middle of the order).
	Add []Record `json:"add"`
	// ExpireOldest removes the oldest call records, as the 7-day retention does.
	ExpireOldest int `json:"expire_oldest"`
	// ExpireOneEach > 0 removes the oldest call record after each of that
	// many record-list requests, one at a time, from AfterRequests on: calls
	// passing the retention while a walk pages one busy second.
	ExpireOneEach int `json:"expire_one_each"`
	// AddTelCdrs and ExpireOldestTelCdrs do the same for Cloud Contact Center records.
	AddTelCdrs          []TelCdr `json:"add_tel_cdrs"`
	ExpireOldestTelCdrs int      `json:"expire_oldest_tel_cdrs"`
}

// SetLatency delays every API answer (CallKit and Cloud Contact Center) by d,
// as a distant service would; 0 turns it off (also POST /_mock/latency).
func (s *Server) SetLatency(d time.Duration) {
	s.walk.mu.Lock()
	defer s.walk.mu.Unlock()
	s.walk.latency = min(max(d, 0), maxStall)
}

// SetOmitPaging sets which paging fields record-list answers leave out (also
// POST /_mock/paging).
func (s *Server) SetOmitPaging(o OmitPaging) {
	s.walk.mu.Lock()
	defer s.walk.mu.Unlock()
	s.walk.omit = o
}

func (s *Server) omitPaging() OmitPaging {
	s.walk.mu.Lock()
	defer s.walk.mu.Unlock()
	return s.walk.omit
}

// ScheduleMidWalk arranges a change to the records during a walk (see
// MidWalk; also POST /_mock/mid-walk). It returns the number of record-list
// requests served so far, so a caller can schedule relative to now.
func (s *Server) ScheduleMidWalk(m MidWalk) (int, error) {
	if m.AfterRequests < 0 || m.ExpireOldest < 0 || m.ExpireOldestTelCdrs < 0 || m.ExpireOneEach < 0 {
		return 0, errors.New("after_requests, expire_oldest, expire_one_each and expire_oldest_tel_cdrs must not be negative")
	}
	for i, r := range m.Add {
		if r.CallID == "" {
			return 0, fmt.Errorf("record %d has no callId", i)
		}
	}
	for i, r := range m.AddTelCdrs {
		if r.SessionID == "" {
			return 0, fmt.Errorf("telephone record %d has no SessionId", i)
		}
	}
	s.walk.mu.Lock()
	defer s.walk.mu.Unlock()
	s.walk.midWalks = append(s.walk.midWalks, m)
	return s.walk.lists, nil
}

// listServed counts a record-list request whose answer is ready and applies
// the changes due after it.
func (s *Server) listServed() {
	s.walk.mu.Lock()
	s.walk.lists++
	var due []MidWalk
	kept := s.walk.midWalks[:0]
	for _, m := range s.walk.midWalks {
		if m.AfterRequests <= s.walk.lists {
			due = append(due, m)
		} else {
			kept = append(kept, m)
		}
	}
	s.walk.midWalks = kept
	s.walk.mu.Unlock()
	for _, m := range due {
		s.applyMidWalk(m)
	}
}

func (s *Server) applyMidWalk(m MidWalk) {
	expire := m.ExpireOldest
	if m.ExpireOneEach > 0 {
		expire++
		if m.ExpireOneEach > 1 {
			s.walk.mu.Lock()
			s.walk.midWalks = append(s.walk.midWalks, MidWalk{AfterRequests: s.walk.lists + 1, ExpireOneEach: m.ExpireOneEach - 1})
			s.walk.mu.Unlock()
		}
	}
	if expire > 0 || len(m.Add) > 0 {
		s.store.mu.Lock()
		s.store.expireOldest(expire, s.CurrentReadings().TieOrder == "call_id")
		s.store.add(m.Add)
		s.store.mu.Unlock()
	}
	if m.ExpireOldestTelCdrs > 0 {
		s.ccc.store.expireOldest(m.ExpireOldestTelCdrs)
	}
	if len(m.AddTelCdrs) > 0 {
		s.ccc.store.add(m.AddTelCdrs)
	}
}

// delayAnswer holds an API answer for the configured latency; a client that
// hangs up or a server that shuts down ends the wait.
func (s *Server) delayAnswer(r *http.Request) {
	s.walk.mu.Lock()
	d := s.walk.latency
	s.walk.mu.Unlock()
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	case <-s.ctx.Done():
	}
}

// walkRoutes are the control surface of walkControls.
func (s *Server) walkRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /_mock/latency", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			MS *int64 `json:"ms"`
		}
		if !decodeControl(w, r, &req) {
			return
		}
		if req.MS == nil || *req.MS < 0 || *req.MS > maxStall.Milliseconds() {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("ms is required, 0 to %d", maxStall.Milliseconds())})
			return
		}
		s.SetLatency(time.Duration(*req.MS) * time.Millisecond)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_mock/paging", func(w http.ResponseWriter, r *http.Request) {
		var o OmitPaging
		if !decodeControl(w, r, &o) {
			return
		}
		s.SetOmitPaging(o)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_mock/mid-walk", func(w http.ResponseWriter, r *http.Request) {
		var m MidWalk
		if !decodeControl(w, r, &m) {
			return
		}
		served, err := s.ScheduleMidWalk(m)
		if err != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		WriteJSON(w, http.StatusOK, map[string]int{"served": served})
	})
}
