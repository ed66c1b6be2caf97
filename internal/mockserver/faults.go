package mockserver

import (
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
type Faults struct {
	Rate     float64       // fraction of API requests to fault, 0..1
	Kinds    []FaultKind   // chosen uniformly; empty → ratelimit, internal, http502
	StallFor time.Duration // for FaultStall; 0 → DefaultStall
	Paths    []string      // API paths such as "v1/callback/set"; empty → every API path
}

// SetFaults replaces the fault configuration; the zero Faults turns injection off.
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
}

func validFaultKind(k FaultKind) bool {
	switch k {
	case FaultRateLimit, FaultInternal, FaultHTTP502, FaultStall:
		return true
	}
	return false
}

// pickFaultLocked decides whether the next request to path faults.
func (s *Server) pickFaultLocked(path string) FaultKind {
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
