package mockserver

import (
	"context"
	"slices"
	"strings"
	"time"
)

// ConsoleView is everything the web console (package console) reads of the
// mock, and the one write its forms perform, named as such. The console gets
// nothing else: its pages cannot reach into the mock's locks or indexes.
type ConsoleView struct {
	Now         func() time.Time
	SDKAppID    int64
	CCCSdkAppID int64
	// Facts of the contract the pages explain or check their queries by.
	CallTypes, CallResults []string
	Retention              time.Duration // how far back the records API reaches
	RequestLogSize         int           // API requests the log keeps

	Summary    func() Summary
	Stats      func(start, end int64, callType string, loc *time.Location) WindowStats
	Record     func(id string) (Record, bool)
	Records    func(start, end int64, callType, result string, offset, limit int) (total int, page []Record) // newest first
	Wire       func(r Record) (v1, v4 any)                                                                   // the record as each API answers it
	Deliveries func(limit int, keep func(*Delivery) bool) (newestFirst []Delivery, logged int)
	Requests   func(limit int) (newestFirst []RequestLogEntry, total int)
	Callback   func(api string) CallbackState // api is "v1" or "v4"

	// SimulateCall is the console's one write: the simulate form's.
	SimulateCall func(ctx context.Context, c SimulatedCall) (Record, error)
}

// Summary is the overview's count of what the mock holds.
type Summary struct {
	Identifier   string
	GroupPackage bool
	Records      int
	Deliveries   int
}

// CallbackState is one API's callback configuration with what last changed it.
type CallbackState struct {
	Callback   Callback
	Configured bool
	Change     *ConfigChange
	// Unattributed: the configuration differs from what its last recorded
	// change left, so a Go method call (not an HTTP request) changed it since.
	Unattributed bool
	ControlPath  string   // the control route that sets and deletes it
	Example      Callback // what a PUT to ControlPath takes: the configuration, or an example of one
}

// ConsoleView is the view of s the console reads.
func (s *Server) ConsoleView() ConsoleView {
	return ConsoleView{
		Now: s.now, SDKAppID: s.appID, CCCSdkAppID: s.ccc.appID,
		CallTypes: slices.Clone(callTypes), CallResults: slices.Clone(callResults),
		Retention: retention, RequestLogSize: maxRequestLog,
		Summary:      s.summary,
		Stats:        s.store.stats,
		Record:       s.store.get,
		Records:      s.store.newestFirst,
		Wire:         func(r Record) (any, any) { return s.v1Wire(r), v4Wire(r) },
		Deliveries:   s.recentDeliveries,
		Requests:     s.RequestLog,
		Callback:     s.callbackState,
		SimulateCall: s.SimulateCall,
	}
}

func (s *Server) summary() Summary {
	s.mu.Lock()
	d := Summary{Identifier: s.admin, GroupPackage: s.groupPkg, Deliveries: len(s.deliveries)}
	s.mu.Unlock()
	s.store.mu.RLock()
	d.Records = s.store.live
	s.store.mu.RUnlock()
	return d
}

func (s *Server) callbackState(api string) CallbackState {
	c := CallbackState{ControlPath: "/_mock/callback"}
	get := s.Callback
	c.Example = Callback{Address: "<your receiver URL>", Actions: []string{"normal_end"}}
	if api == "v4" {
		get, c.ControlPath = s.CallbackV4, "/_mock/v4/callback"
		c.Example.Actions = []string{v4Commands[1]}
	}
	c.Callback, c.Configured = get()
	if c.Configured {
		c.Example = c.Callback
	}
	ch, ok := s.LastChange(api)
	if !ok {
		c.Unattributed = c.Configured
		return c
	}
	c.Change = &ch
	switch {
	case ch.result == nil:
		c.Unattributed = c.Configured
	case !c.Configured:
		c.Unattributed = true
	default:
		c.Unattributed = ch.result.Address != c.Callback.Address || strings.Join(ch.result.Actions, "\x00") != strings.Join(c.Callback.Actions, "\x00")
	}
	return c
}
