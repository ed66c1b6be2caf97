package mockserver

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// FaultKind is one kind of injected failure.
type FaultKind string

const (
	FaultRateLimit FaultKind = "ratelimit" // v1 70005, v4 60011
	FaultInternal  FaultKind = "internal"  // v1 70500, v4 101001 (records) / 100001 (call_config)
	FaultHTTP502   FaultKind = "http502"   // HTTP 502, no envelope
	FaultStall     FaultKind = "stall"     // no answer for StallFor, then HTTP 502
)

// DefaultStall outlasts the provider's default 10 s request timeout.
const DefaultStall = 12 * time.Second

// maxStall bounds how long a stalled request can hold a connection.
const maxStall = 5 * time.Minute

// Faults configures fault injection. A faulted request has no side effect:
// it is answered before authentication, rate limiting or any state change.
// (A lost answer, armed with LoseAnswer, is the one fault that follows a
// served request.)
type Faults struct {
	Rate     float64       // fraction of API requests to fault, 0..1
	Kinds    []FaultKind   // chosen uniformly; empty → ratelimit, internal, http502
	StallFor time.Duration // for FaultStall; 0 → DefaultStall
	Paths    []string      // API paths such as "v1/callback/set"; empty → every API path
}

// LostAnswer is "commit the change, then answer it with a failure, and fail
// the next FailNext requests": the next request to Path is served as usual
// (a write takes effect, and counts as applied), but the client gets Kind's
// failure instead of the answer; then the FailNext API requests after it, to
// any path, fail the same way without effect, as when the network or a proxy
// in front of the service goes down right after the service committed. A
// client that retries at most FailNext times gives up on a write that took
// effect. It fires once, ahead of the random faults of SetFaults.
type LostAnswer struct {
	Path     string        // API path such as "v1/callback/set"; required
	Kind     FaultKind     // how the answer is lost; "" → http502
	FailNext int           // requests after the lost answer that fail too, 0 or more
	StallFor time.Duration // for FaultStall; 0 → DefaultStall
}

// lostAnswerState is an armed LostAnswer and what is left of it.
type lostAnswerState struct {
	armed    bool // the lost answer has not fired yet
	path     string
	kind     FaultKind
	failLeft int // requests still to fail after it fired
	stall    time.Duration
}

// SetFaults replaces the fault configuration, and disarms a LoseAnswer that
// has not run its course; the zero Faults turns injection off.
// Which requests fault is a deterministic sequence for the server's seed.
func (s *Server) SetFaults(f Faults) {
	f.Kinds = slices.Clone(f.Kinds)
	if len(f.Kinds) == 0 {
		f.Kinds = []FaultKind{FaultRateLimit, FaultInternal, FaultHTTP502}
	}
	if f.StallFor <= 0 {
		f.StallFor = DefaultStall
	}
	f.StallFor = min(f.StallFor, maxStall)
	f.Paths = slices.Clone(f.Paths)
	for i, p := range f.Paths {
		f.Paths[i] = strings.TrimPrefix(p, "/")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	s.lost = lostAnswerState{}
}

// LoseAnswer arms a one-shot lost answer (see LostAnswer), replacing one
// armed before. A Path that is not a CallKit API path of the mock, an unknown
// Kind or a negative FailNext is an error, and nothing is armed.
func (s *Server) LoseAnswer(l LostAnswer) error {
	st, err := l.state()
	if err != nil {
		return err
	}
	s.armLostAnswer(st)
	return nil
}

func (s *Server) armLostAnswer(st lostAnswerState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lost = st
}

func (l LostAnswer) state() (lostAnswerState, error) {
	kind := l.Kind
	if kind == "" {
		kind = FaultHTTP502
	}
	path := strings.TrimPrefix(l.Path, "/")
	switch _, known := endpoints[path]; {
	case !known:
		return lostAnswerState{}, fmt.Errorf("%q is not an API path of the mock", l.Path)
	case !validFaultKind(kind):
		return lostAnswerState{}, fmt.Errorf("unknown fault kind %q", l.Kind)
	case l.FailNext < 0:
		return lostAnswerState{}, fmt.Errorf("fail_next must not be negative, got %d", l.FailNext)
	}
	stall := l.StallFor
	if stall <= 0 {
		stall = DefaultStall
	}
	return lostAnswerState{armed: true, path: path, kind: kind, failLeft: l.FailNext, stall: min(stall, maxStall)}, nil
}

func validFaultKind(k FaultKind) bool {
	switch k {
	case FaultRateLimit, FaultInternal, FaultHTTP502, FaultStall:
		return true
	}
	return false
}

// pickFaultLocked decides whether the next request to path faults, whether
// it is the lost answer (served first, then answered with the fault), and
// how long a stall lasts.
func (s *Server) pickFaultLocked(path string) (kind FaultKind, lost bool, stall time.Duration) {
	switch l := &s.lost; {
	case l.armed && l.path == path:
		l.armed = false
		return l.kind, true, l.stall
	case !l.armed && l.failLeft > 0:
		l.failLeft--
		return l.kind, false, l.stall
	}
	return s.pickRandomFaultLocked(path), false, s.faults.StallFor
}

func (s *Server) pickRandomFaultLocked(path string) FaultKind {
	f := s.faults
	if f.Rate <= 0 || (len(f.Paths) > 0 && !slices.Contains(f.Paths, path)) {
		return ""
	}
	if s.faultRng.Float64() >= f.Rate {
		return ""
	}
	return f.Kinds[s.faultRng.IntN(len(f.Kinds))]
}

// serveStall is a stalled answer, for the v1, v4 and CCC endpoints alike: it
// holds the request for stall, then answers 502 as a gateway that gave up
// would. A client that hangs up first gets nothing; a server shutting down
// ends the wait early.
func (s *Server) serveStall(w http.ResponseWriter, r *http.Request, stall time.Duration) {
	t := time.NewTimer(stall)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return
	case <-s.ctx.Done():
	}
	http.Error(w, "bad gateway", http.StatusBadGateway)
}

func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, ep endpoint, kind FaultKind, stall time.Duration) {
	switch kind {
	case FaultRateLimit:
		code := v1RateLimited
		if ep.v4 {
			code = v4RateLimited
		}
		s.writeAnswer(w, ep.v4, fail(code, "rate limit exceeded"))
	case FaultInternal:
		s.writeAnswer(w, ep.v4, fail(ep.internal, "internal server error"))
	case FaultStall:
		s.serveStall(w, r, stall)
	default:
		http.Error(w, "bad gateway", http.StatusBadGateway)
	}
}
