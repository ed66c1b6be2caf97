package mockserver

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
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
	Rate    float64     `json:"rate"`
	Kinds   []FaultKind `json:"kinds"`
	StallMS int64       `json:"stall_ms"`
	Paths   []string    `json:"paths"`
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
	configRoutes := func(prefix string, get func() (Callback, bool), set func(Callback), del func()) {
		mux.HandleFunc("GET "+prefix, func(w http.ResponseWriter, _ *http.Request) {
			cb, found := get()
			if !found {
				writeJSON(w, http.StatusNotFound, map[string]string{"error": "no callback configuration"})
				return
			}
			writeJSON(w, http.StatusOK, cb)
		})
		mux.HandleFunc("PUT "+prefix, func(w http.ResponseWriter, r *http.Request) {
			var cb Callback
			if !decodeControl(w, r, &cb) {
				return
			}
			if cb.Address == "" || cb.Actions == nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "address and actions are required"})
				return
			}
			set(cb)
			writeJSON(w, http.StatusOK, cb)
		})
		mux.HandleFunc("DELETE "+prefix, func(w http.ResponseWriter, _ *http.Request) {
			del()
			w.WriteHeader(http.StatusNoContent)
		})
	}
	configRoutes("/_mock/callback", s.Callback, s.SetCallback, s.DeleteCallback)
	configRoutes("/_mock/v4/callback", s.CallbackV4, s.SetCallbackV4, s.DeleteCallbackV4)
	mux.HandleFunc("GET /_mock/records", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Records())
	})
	mux.HandleFunc("POST /_mock/records", func(w http.ResponseWriter, r *http.Request) {
		var recs []Record
		if !decodeControl(w, r, &recs) {
			return
		}
		for i, rec := range recs {
			if rec.CallID == "" {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("record %d has no callId", i)})
				return
			}
		}
		s.AddRecords(recs...)
		writeJSON(w, http.StatusOK, map[string]int{"added": len(recs)})
	})
	mux.HandleFunc("POST /_mock/faults", func(w http.ResponseWriter, r *http.Request) {
		var f faultsJSON
		if !decodeControl(w, r, &f) {
			return
		}
		if f.Rate < 0 || f.Rate > 1 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "rate must be between 0 and 1"})
			return
		}
		for _, k := range f.Kinds {
			if !validFaultKind(k) {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("unknown fault kind %q", k)})
				return
			}
		}
		s.SetFaults(Faults{Rate: f.Rate, Kinds: f.Kinds, StallFor: time.Duration(f.StallMS) * time.Millisecond, Paths: f.Paths})
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /_mock/faults", func(w http.ResponseWriter, _ *http.Request) {
		s.SetFaults(Faults{})
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_mock/simulate", func(w http.ResponseWriter, r *http.Request) {
		var req simulateJSON
		if !decodeControl(w, r, &req) {
			return
		}
		if req.Calls == 0 {
			req.Calls = 1
		}
		if req.Calls < 0 || req.Calls > maxSimulateCalls {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("calls must be between 1 and %d", maxSimulateCalls)})
			return
		}
		out := make([]Record, 0, req.Calls)
		for range req.Calls {
			rec, err := s.SimulateCall(r.Context(), SimulatedCall{
				Caller: req.Caller, Callees: req.Callees, CallType: req.CallType,
				MediaType: req.MediaType, Result: req.Result,
			})
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
			out = append(out, rec)
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST /_mock/group-call-package", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Bought *bool `json:"bought"`
		}
		if !decodeControl(w, r, &req) {
			return
		}
		if req.Bought == nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bought is required"})
			return
		}
		s.SetGroupCallPackage(*req.Bought)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_mock/rate-limit", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"mode": s.RateMode().String()})
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
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("mode must be one of %q, got %q", rateModeNames, req.Mode)})
			return
		}
		s.SetRateMode(RateMode(i))
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_mock/stats", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Stats())
	})
	mux.HandleFunc("GET /_mock/deliveries", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Deliveries())
	})
	return mux
}

func decodeControl(w http.ResponseWriter, r *http.Request, dst any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<20))
	if err := dec.Decode(dst); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON body: " + err.Error()})
		return false
	}
	return true
}
