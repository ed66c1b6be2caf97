package mockserver

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// What the console remembers beyond the mock's own state: the API request
// log and, per callback configuration, the request that last changed it.

const (
	maxRequestLog = 2000 // API requests kept for the console, newest first
	maxLoggedPath = 200  // a logged path is cut to this many bytes
	redacted      = "[redacted]"
)

// RequestLogEntry is one API request as the console shows it. Secrets never
// leave the log: RequestLog replaces the usersig query value (and any other
// key or signature) by "[redacted]".
type RequestLogEntry struct {
	Time      time.Time     `json:"time"` // the mock's clock at arrival
	Method    string        `json:"method"`
	Path      string        `json:"path"`  // e.g. "v1/callback/set" or "ccc/DescribeTelCdr"
	Query     string        `json:"query"` // with usersig redacted
	Status    int           `json:"status"`
	ErrorCode string        `json:"error_code"` // the envelope's code ("0" on success); "" without an envelope
	RequestID string        `json:"request_id"`
	Duration  time.Duration `json:"duration_ns"`
}

// ConfigChange is the request that last changed a callback configuration.
type ConfigChange struct {
	Op        string    `json:"op"`     // set, update or delete
	Source    string    `json:"source"` // the API path, or the control route for out-of-band changes
	Time      time.Time `json:"time"`
	RequestID string    `json:"request_id"` // "" for control-surface changes, which have none
	// result is the configuration right after the change (nil: none), so the
	// console can tell when it has since been changed by a Go method call.
	result *Callback
}

// consoleState is guarded by its own mutex so that logging never waits on
// the server's.
type consoleState struct {
	mu       sync.Mutex
	requests []RequestLogEntry // ring buffer of maxRequestLog
	next     int               // ring position of the next entry
	total    int               // entries ever logged
	changes  map[string]*ConfigChange
}

func newConsoleState() *consoleState {
	return &consoleState{changes: map[string]*ConfigChange{}}
}

// loggedWriter remembers what an API answer said, for the request log.
type loggedWriter struct {
	http.ResponseWriter
	entry RequestLogEntry
	begin time.Time
}

func (w *loggedWriter) WriteHeader(status int) {
	if w.entry.Status == 0 {
		w.entry.Status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *loggedWriter) Write(b []byte) (int, error) {
	if w.entry.Status == 0 {
		w.entry.Status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// noteAnswer is called by the envelope writers: it records the answer's code
// and request ID when the request is being logged.
func noteAnswer(w http.ResponseWriter, code, requestID string) {
	if lw, ok := w.(*loggedWriter); ok {
		lw.entry.ErrorCode, lw.entry.RequestID = code, requestID
	}
}

// trackRequest starts the log entry of an API request.
func (s *Server) trackRequest(w http.ResponseWriter, r *http.Request) *loggedWriter {
	path := strings.TrimPrefix(r.URL.Path, "/")
	if action := r.Header.Get("X-TC-Action"); action != "" {
		path = "ccc/" + action
	}
	if len(path) > maxLoggedPath {
		path = path[:maxLoggedPath]
	}
	return &loggedWriter{
		ResponseWriter: w,
		begin:          time.Now(),
		// The query is redacted when the log is read, off the request's path.
		entry: RequestLogEntry{Time: s.now(), Method: r.Method, Path: path, Query: r.URL.RawQuery},
	}
}

// finishRequest logs the request and, for a successful request that changes
// a callback configuration, remembers it as that configuration's last change.
func (s *Server) finishRequest(w *loggedWriter) {
	e := w.entry
	e.Duration = time.Since(w.begin)
	if e.ErrorCode == "0" {
		if api, op, ok := configOp(e.Path); ok {
			s.noteChange(api, op, e.Path, e.RequestID)
		}
	}
	c := s.con
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.requests) < maxRequestLog {
		c.requests = append(c.requests, e)
	} else {
		c.requests[c.next] = e
	}
	c.next = (c.next + 1) % maxRequestLog
	c.total++
}

// configOp names the configuration and operation of a changing API path.
func configOp(path string) (api, op string, ok bool) {
	switch path {
	case "v1/callback/set":
		return "v1", "set", true
	case "v1/callback/update":
		return "v1", "update", true
	case "v1/callback/delete":
		return "v1", "delete", true
	case "v4/call_config/set_callback":
		return "v4", "set", true
	case "v4/call_config/delete_callback":
		return "v4", "delete", true
	}
	return "", "", false
}

// noteChange records the last change of the v1 or v4 configuration.
func (s *Server) noteChange(api, op, source, requestID string) {
	get := s.Callback
	if api == "v4" {
		get = s.CallbackV4
	}
	ch := &ConfigChange{Op: op, Source: source, Time: s.now(), RequestID: requestID}
	if cb, found := get(); found {
		ch.result = &cb
	}
	s.con.mu.Lock()
	defer s.con.mu.Unlock()
	s.con.changes[api] = ch
}

// LastChange returns the request that last changed the "v1" or "v4"
// configuration through the API or the control surface.
func (s *Server) LastChange(api string) (ConfigChange, bool) {
	s.con.mu.Lock()
	defer s.con.mu.Unlock()
	ch, ok := s.con.changes[api]
	if !ok {
		return ConfigChange{}, false
	}
	return *ch, true
}

// RequestLog returns up to limit logged API requests, newest first, and how
// many were ever logged.
func (s *Server) RequestLog(limit int) (entries []RequestLogEntry, total int) {
	c := s.con
	c.mu.Lock()
	defer c.mu.Unlock()
	n := min(limit, len(c.requests))
	out := make([]RequestLogEntry, 0, n)
	for i := 1; i <= n; i++ {
		e := c.requests[(c.next-i+len(c.requests))%len(c.requests)]
		e.Query = redactQuery(e.Query)
		out = append(out, e)
	}
	return out, c.total
}

// redactQuery re-encodes a query string with every secret-bearing value
// replaced. An unparsable query is dropped whole rather than shown raw.
func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return redacted
	}
	for k := range q {
		switch strings.ToLower(k) {
		case "usersig", "key", "secret_key", "secretkey", "signature", "token":
			q[k] = []string{redacted}
		}
	}
	// Keep the order stable for reading: url.Values.Encode sorts by key.
	s := q.Encode()
	return strings.ReplaceAll(s, url.QueryEscape(redacted), redacted)
}

// recentDeliveries returns up to limit delivery attempts, newest first,
// keeping those for which keep is true (nil keeps all), and how many are logged.
func (s *Server) recentDeliveries(limit int, keep func(*Delivery) bool) ([]Delivery, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, 0, min(limit, len(s.deliveries)))
	for i := len(s.deliveries) - 1; i >= 0 && len(out) < limit; i-- {
		if keep == nil || keep(&s.deliveries[i]) {
			out = append(out, s.deliveries[i])
		}
	}
	return slices.Clip(out), len(s.deliveries)
}
