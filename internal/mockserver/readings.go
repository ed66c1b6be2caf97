package mockserver

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Readings are the mock's answers where the docs allow several
// (callkit-api.md §4 and §7), so that a client can be tried under each; the
// zero value is the mock's own reading. They apply to the v1 and v4 record
// lists (Options.Readings, SetReadings, POST /_mock/readings; GET reads them).
type Readings struct {
	// TieOrder orders calls that started in the same second: "insertion"
	// (the default: the order they were stored in) or "call_id". Expiry
	// (MidWalk) takes them from the front in the same order.
	TieOrder string `json:"tie_order,omitempty"`
	// End reads a request's end time: "inclusive" (the default: calls that
	// started at or before it) or "exclusive" (only calls before it).
	End string `json:"end,omitempty"`
	// PageCap > 0 serves at most this many records a page whatever
	// numberPerPage asks (the answer's page field still says when more
	// follow); 0 serves numberPerPage.
	PageCap int `json:"page_cap,omitempty"`
	// OldStart is the answer to a start older than the 7 days the API
	// reaches: "clamp" (the default: the window starts 7 days ago, as the
	// v4 docs say) or "refuse" (an invalid-parameter error).
	OldStart string `json:"old_start,omitempty"`
}

// The values Readings takes.
var (
	TieOrders      = []string{"insertion", "call_id"}
	EndReadings    = []string{"inclusive", "exclusive"}
	OldStartAnswer = []string{"clamp", "refuse"}
)

// Validate says what is wrong with r, if anything.
func (r Readings) Validate() error {
	switch {
	case r.TieOrder != "" && !slices.Contains(TieOrders, r.TieOrder):
		return fmt.Errorf("tie_order must be one of %q, got %q", TieOrders, r.TieOrder)
	case r.End != "" && !slices.Contains(EndReadings, r.End):
		return fmt.Errorf("end must be one of %q, got %q", EndReadings, r.End)
	case r.OldStart != "" && !slices.Contains(OldStartAnswer, r.OldStart):
		return fmt.Errorf("old_start must be one of %q, got %q", OldStartAnswer, r.OldStart)
	case r.PageCap < 0 || r.PageCap > maxPageSize:
		return fmt.Errorf("page_cap must be between 0 (none) and %d, got %d", maxPageSize, r.PageCap)
	}
	return nil
}

// SetReadings sets how record lists answer where the docs allow several
// readings; an unknown value is refused.
func (s *Server) SetReadings(r Readings) error {
	if err := r.Validate(); err != nil {
		return err
	}
	s.walk.mu.Lock()
	defer s.walk.mu.Unlock()
	s.walk.readings = r
	return nil
}

// CurrentReadings returns the readings in force.
func (s *Server) CurrentReadings() Readings {
	s.walk.mu.Lock()
	defer s.walk.mu.Unlock()
	return s.walk.readings
}

// errOldStart is the refusal of a start older than the API reaches.
var errOldStart = errors.New("the records API answers only calls of the past 7 days")

// applyReadings narrows a filter query as the readings say, at now (Unix
// seconds): the end's reading, the 7-day reach (clamp, or errOldStart), and
// the tie order.
func (s *Server) applyReadings(q *query, now int64) error {
	r := s.CurrentReadings()
	if floor := now - int64(retention/time.Second); q.start < floor {
		if r.OldStart == "refuse" {
			return fmt.Errorf("%w: the start %d is before %d", errOldStart, q.start, floor)
		}
		q.start = floor
	}
	if r.End == "exclusive" {
		q.end--
	}
	q.byID = r.TieOrder == "call_id"
	return nil
}

// pageCap is the largest page served.
func (s *Server) pageCap(perPage int) int {
	if c := s.CurrentReadings().PageCap; c > 0 && c < perPage {
		return c
	}
	return perPage
}

// BusySecond stores n calls that all started in the second start, as a busy
// app's oldest second does (also POST /_mock/busy-second); the calls are
// deterministic for the server's seed and start. start 0 is an hour inside
// the 7-day edge.
func (s *Server) BusySecond(n int, start int64) ([]Record, error) {
	if n < 1 || n > maxSimulateCalls {
		return nil, fmt.Errorf("calls must be between 1 and %d", maxSimulateCalls)
	}
	now := s.now().Unix()
	if start == 0 {
		start = now - int64(retention/time.Second) + 3600
	}
	if start < 0 || start > now {
		return nil, fmt.Errorf("start must be a Unix time in seconds, not after now (%d), got %d", now, start)
	}
	recs := busyRecords(s.seed, start, n)
	s.AddRecords(recs...)
	return recs, nil
}

// busyRecords makes n records that start at start, with call IDs in another
// order than they are made (so the two tie orders differ).
func busyRecords(seed, start int64, n int) []Record {
	out := make([]Record, 0, n)
	var one []Record
	generate(seed, start, n, time.Unix(start, 0).Add(retention), func(b []Record) { one = append(one, b...) })
	for _, r := range one {
		r.StartCallTs, r.AcceptTs, r.EndTs = start, 0, start+30
		if connected(r.CallResult) {
			r.AcceptTs = start + 5
		}
		r.CallID = fmt.Sprintf("busy-%d-%s", start, r.CallID)
		out = append(out, r)
	}
	return out
}

// readingRoutes are the control surface of Readings and BusySecond.
func (s *Server) readingRoutes(mux interface {
	HandleFunc(string, func(http.ResponseWriter, *http.Request))
}) {
	mux.HandleFunc("GET /_mock/readings", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, s.CurrentReadings())
	})
	mux.HandleFunc("POST /_mock/readings", func(w http.ResponseWriter, r *http.Request) {
		var rd Readings
		if !decodeControl(w, r, &rd) {
			return
		}
		if err := s.SetReadings(rd); err != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_mock/busy-second", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Calls int   `json:"calls"`
			Start int64 `json:"start"`
		}
		if !decodeControl(w, r, &req) {
			return
		}
		recs, err := s.BusySecond(req.Calls, req.Start)
		if err != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		WriteJSON(w, http.StatusOK, map[string]int64{"added": int64(len(recs)), "start": recs[0].StartCallTs})
	})
}
