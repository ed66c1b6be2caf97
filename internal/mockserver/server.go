package mockserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/usersig"
)

const (
	DefaultSDKAppID   = 1400000000
	DefaultKey        = "mock-secret-key-0123456789abcdef"
	DefaultIdentifier = "administrator"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	SDKAppID           int64            // 0 → DefaultSDKAppID
	Key                string           // "" → DefaultKey
	Identifier         string           // "" → DefaultIdentifier
	Clock              func() time.Time // nil → time.Now
	Seed               int64            // seeds the record generator, simulated calls and fault injection
	Records            int              // deterministic records generated within the 7 days before Clock()
	RateLimit          bool             // enforce the documented per-endpoint limits
	RateLimitStrict    bool             // enforce them with burst 1: anything closer than 1/N is refused (implies RateLimit)
	NoGroupCallPackage bool             // every v1 endpoint answers 50001, every v4 one 60020
	DeliveryTimeScale  float64          // multiplies delivery retry waits; 0 → 1 (real time)
	DeliveryClient     *http.Client     // nil → a client with a per-attempt timeout
	CCCRecords         int              // deterministic Cloud Contact Center records within the 30 days before Clock()
	CCCSdkAppID        int64            // 0 → DefaultCCCSdkAppID
	CCCSecretID        string           // "" → DefaultCCCSecretID
	CCCSecretKey       string           // "" → DefaultCCCSecretKey
	Readings           Readings         // where the docs allow several answers; an invalid one panics in New
	BusySecond         int              // calls that all start in one second, an hour inside the 7-day edge
}

// Callback is one callback configuration: the address and the subscribed
// action words (v1) or command words (v4).
type Callback struct {
	Address string   `json:"address"`
	Actions []string `json:"actions"`
}

func (c Callback) clone() Callback {
	return Callback{Address: c.Address, Actions: append([]string(nil), c.Actions...)}
}

// Stats counts API requests (control-surface requests are not counted).
// Map keys are API paths as the docs write them, e.g. "v1/callback/set".
type Stats struct {
	Requests    map[string]int `json:"requests"`     // every request received, faulted ones included
	Applied     map[string]int `json:"applied"`      // requests answered with error code 0
	RateLimited int            `json:"rate_limited"` // answered 70005/60011 by the limiter (not injected)
	Faulted     int            `json:"faulted"`      // answered by fault injection, lost answers included
	LostAnswers int            `json:"lost_answers"` // served, then answered by a LoseAnswer fault instead
	// FirstRequest and LastRequest are when the first and the latest API
	// request arrived (the API span of what the mock has served); zero
	// before any.
	FirstRequest time.Time `json:"first_request,omitzero"`
	LastRequest  time.Time `json:"last_request,omitzero"`
}

const (
	maxBody         = 1 << 20
	maxSeenUserSigs = 10000
	maxDeliveryLog  = 100000
)

// Server is the mock backend. It is safe for concurrent use.
type Server struct {
	appID    int64
	key      string
	admin    string
	now      func() time.Time
	seed     int64
	limit    atomic.Int32 // a RateMode
	others   atomic.Int32 // per mille of every limit other clients of the app take (SetOthersShare)
	scale    float64
	client   *http.Client
	store    *store
	ctx      context.Context
	cancel   context.CancelFunc
	control  *http.ServeMux
	limiters map[string]*bucket // per endpoint path; fixed after New
	ccc      *cccState          // Cloud Contact Center (ccc.go)
	con      *consoleState      // the request log and change history the console shows (requestlog.go)
	walk     walkControls       // latency, omitted paging fields, mid-walk changes (control.go)

	mu         sync.Mutex
	cbV1, cbV4 *Callback
	groupPkg   bool
	faults     Faults
	lost       lostAnswerState
	faultRng   *rand.Rand
	simRng     *rand.Rand
	stats      Stats
	seen       map[string]struct{}
	seenOrder  []string
	reqIDs     uint64
	deliveries []Delivery
	pending    int
	idle       chan struct{} // closed while pending == 0
	closed     bool
}

// New returns a Server for one application. Requests for any other SDKAppID
// fail authentication as they would on the real service.
func New(opts Options) *Server {
	if opts.SDKAppID == 0 {
		opts.SDKAppID = DefaultSDKAppID
	}
	if opts.Key == "" {
		opts.Key = DefaultKey
	}
	if opts.Identifier == "" {
		opts.Identifier = DefaultIdentifier
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if !(opts.DeliveryTimeScale > 0) {
		opts.DeliveryTimeScale = 1
	}
	if opts.DeliveryClient == nil {
		opts.DeliveryClient = &http.Client{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	idle := make(chan struct{})
	close(idle)
	s := &Server{
		appID:    opts.SDKAppID,
		key:      opts.Key,
		admin:    opts.Identifier,
		now:      opts.Clock,
		seed:     opts.Seed,
		scale:    opts.DeliveryTimeScale,
		client:   opts.DeliveryClient,
		store:    newStore(),
		ctx:      ctx,
		cancel:   cancel,
		limiters: map[string]*bucket{},
		groupPkg: !opts.NoGroupCallPackage,
		faultRng: rand.New(rand.NewPCG(uint64(opts.Seed), 0xfa017)),
		simRng:   rand.New(rand.NewPCG(uint64(opts.Seed), 0x5170)),
		stats:    Stats{Requests: map[string]int{}, Applied: map[string]int{}},
		seen:     map[string]struct{}{},
		idle:     idle,
		con:      newConsoleState(),
	}
	switch {
	case opts.RateLimitStrict:
		s.SetRateMode(RateModeStrict)
	case opts.RateLimit:
		s.SetRateMode(RateModeDefault)
	}
	for path, ep := range endpoints {
		s.limiters[path] = &bucket{rate: ep.rate}
	}
	if err := s.SetReadings(opts.Readings); err != nil {
		panic("mockserver: " + err.Error())
	}
	s.control = s.controlMux()
	s.ccc = newCCCState(opts, s.now())
	s.store.reserve(max(opts.Records, 0))
	generate(opts.Seed, opts.SDKAppID, opts.Records, s.now(), func(batch []Record) {
		s.store.mu.Lock()
		defer s.store.mu.Unlock()
		s.store.add(batch)
	})
	if opts.BusySecond > 0 {
		if _, err := s.BusySecond(opts.BusySecond, 0); err != nil {
			panic("mockserver: " + err.Error())
		}
	}
	return s
}

// endpoint describes one API path.
type endpoint struct {
	v4       bool
	rate     float64 // documented requests per second
	internal int     // the code an internal error answers with
	handle   func(*Server, *apiRequest) answer
}

var endpoints = map[string]endpoint{
	"v1/callback/set":                              {rate: 10, internal: v1Internal, handle: (*Server).v1CallbackSet},
	"v1/callback/get":                              {rate: 10, internal: v1Internal, handle: (*Server).v1CallbackGet},
	"v1/callback/update":                           {rate: 10, internal: v1Internal, handle: (*Server).v1CallbackUpdate},
	"v1/callback/delete":                           {rate: 10, internal: v1Internal, handle: (*Server).v1CallbackDelete},
	"v1/records/get_record_by_callId":              {rate: 20, internal: v1Internal, handle: (*Server).v1RecordByCallID},
	"v1/records/get_records_by_filter":             {rate: 200, internal: v1Internal, handle: (*Server).v1RecordsByFilter},
	"v4/call_record_http_srv/get_record_by_callid": {v4: true, rate: 200, internal: 101001, handle: (*Server).v4RecordByCallID},
	"v4/call_record_http_srv/get_record_by_filter": {v4: true, rate: 200, internal: 101001, handle: (*Server).v4RecordsByFilter},
	"v4/call_config/set_callback":                  {v4: true, rate: 200, internal: 100001, handle: (*Server).v4SetCallback},
	"v4/call_config/get_callback":                  {v4: true, rate: 200, internal: 100001, handle: (*Server).v4GetCallback},
	"v4/call_config/delete_callback":               {v4: true, rate: 200, internal: 100001, handle: (*Server).v4DeleteCallback},
}

// Error codes (callkit-api.md §1, §2, §4, §5, §7).
const (
	v1OK             = 0
	v1NoConfig       = 999
	v1NoPackage      = 50001
	v1BadParam       = 70001
	v1SigInvalid     = 70002
	v1SigExpired     = 70003
	v1NotAdmin       = 70004
	v1RateLimited    = 70005
	v1BadBody        = 70009
	v1NoRecord       = 70011
	v1Internal       = 70500 // "other: internal error"; the docs name no specific code
	v4BadRequest     = 60002
	v4BadBody        = 60003
	v4SigError       = 60004
	v4BadAppID       = 60006
	v4NotAdmin       = 60010
	v4RateLimited    = 60011
	v4MissingAppID   = 60012
	v4PackageExpired = 60020
	v4ConfigBadParam = 100002
	v4NoConfig       = 100301
	v4NoRecord       = 101050
)

// answer is an endpoint's result before it is put in the v1 or v4 envelope.
type answer struct {
	code int
	msg  string
	data any // v1 "data" / v4 "Response"; nil → absent
}

func fail(code int, format string, args ...any) answer {
	return answer{code: code, msg: fmt.Sprintf(format, args...)}
}

func ok(data any) answer { return answer{data: data} }

// apiRequest is an authenticated request with a parsed JSON object body.
type apiRequest struct {
	path   string
	fields map[string]json.RawMessage
}

// field decodes the body field named exactly key (the JSON decoder's own
// matching is case-insensitive; the service's is not) into dst.
func (r *apiRequest) field(key string, dst any) (present bool, err error) {
	raw, ok := r.fields[key]
	if !ok || string(raw) == "null" {
		return false, nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return true, fmt.Errorf("field %s has the wrong type", key)
	}
	return true, nil
}

// ServeHTTP serves the API paths and the /_mock/ control surface (package
// console serves the web console in front of it).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_mock/") {
		s.control.ServeHTTP(w, r)
		return
	}
	lw := s.trackRequest(w, r)
	defer s.finishRequest(lw)
	w = lw
	s.delayAnswer(r)
	if r.Header.Get("X-TC-Action") != "" { // Tencent Cloud API 3.0 (ccc.go)
		s.serveCCC(w, r)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	ep, found := endpoints[path]
	if !found {
		http.NotFound(w, r)
		return
	}
	sig := r.URL.Query().Get("usersig")
	kind, lost, stall := s.arrive(path, sig)
	if kind != "" && !lost {
		s.serveFault(w, r, ep, kind, stall)
		return
	}
	a := s.serveAPI(r, path, ep)
	if a.code == 0 {
		s.mu.Lock()
		s.stats.Applied[path]++
		s.mu.Unlock()
	}
	if lost { // the request took effect; its answer does not arrive
		s.serveFault(w, r, ep, kind, stall)
		return
	}
	s.writeAnswer(w, ep.v4, a)
}

// arrive counts a request, remembers its UserSig and decides whether a fault
// answers it, and whether that fault is a lost answer to a served request.
func (s *Server) arrive(path, sig string) (FaultKind, bool, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests[path]++
	if now := s.now(); s.stats.FirstRequest.IsZero() {
		s.stats.FirstRequest, s.stats.LastRequest = now, now
	} else {
		s.stats.LastRequest = now
	}
	if _, dup := s.seen[sig]; sig != "" && !dup && len(s.seenOrder) < maxSeenUserSigs {
		s.seen[sig] = struct{}{}
		s.seenOrder = append(s.seenOrder, sig)
	}
	kind, lost, stall := s.pickFaultLocked(path)
	if kind != "" {
		s.stats.Faulted++
	}
	if lost {
		s.stats.LostAnswers++
	}
	return kind, lost, stall
}

func (s *Server) serveAPI(r *http.Request, path string, ep endpoint) answer {
	if r.Method != http.MethodPost {
		return *ep.refuse(v1BadParam, v4BadRequest, "method %s is not supported: use POST", r.Method)
	}
	if refused := s.authenticate(r.URL.Query(), ep); refused != nil {
		return *refused
	}
	if refused := s.admit(path, ep); refused != nil {
		return *refused
	}
	fields, refused := readFields(r, ep)
	if refused != nil {
		return *refused
	}
	return ep.handle(s, &apiRequest{path: path, fields: fields})
}

// refuse is an error answer in the endpoint's family: v1 or v4 code.
func (ep endpoint) refuse(v1, v4 int, format string, args ...any) *answer {
	code := v1
	if ep.v4 {
		code = v4
	}
	a := fail(code, format, args...)
	return &a
}

// authQuery is what a request's query says about who sends it.
type authQuery struct {
	appID      int64
	identifier string
	sig        string
}

// parseAuthQuery checks the query parameters every API request carries.
func parseAuthQuery(q url.Values, ep endpoint) (authQuery, *answer) {
	appParam, ok := q["sdkappid"]
	if !ok || appParam[0] == "" {
		return authQuery{}, ep.refuse(v1BadParam, v4MissingAppID, "query parameter sdkappid is missing")
	}
	appID, err := strconv.ParseInt(appParam[0], 10, 64)
	if err != nil || appID <= 0 {
		return authQuery{}, ep.refuse(v1BadParam, v4BadAppID, "query parameter sdkappid is not a valid SDKAppID")
	}
	a := authQuery{appID: appID, identifier: q.Get("identifier"), sig: q.Get("usersig")}
	if a.identifier == "" {
		return a, ep.refuse(v1BadParam, v4BadRequest, "query parameter identifier is missing")
	}
	if a.sig == "" {
		return a, ep.refuse(v1BadParam, v4SigError, "query parameter usersig is missing")
	}
	if _, err := strconv.ParseUint(q.Get("random"), 10, 32); err != nil {
		return a, ep.refuse(v1BadParam, v4BadRequest, "query parameter random must be an unsigned 32-bit integer")
	}
	if q.Get("contenttype") != "json" {
		return a, ep.refuse(v1BadParam, v4BadRequest, "query parameter contenttype must be json")
	}
	return a, nil
}

// authenticate accepts only the app's administrator with a valid UserSig.
func (s *Server) authenticate(q url.Values, ep endpoint) *answer {
	a, refused := parseAuthQuery(q, ep)
	if refused != nil {
		return refused
	}
	if a.appID != s.appID {
		// Only one app exists here; the real service has no key to check a
		// UserSig for an app it does not know.
		return ep.refuse(v1SigInvalid, v4BadAppID, "SDKAppID %d is not valid", a.appID)
	}
	switch err := usersig.Verify(s.appID, s.key, a.identifier, a.sig, s.now()); {
	case errors.Is(err, usersig.ErrExpired):
		return ep.refuse(v1SigExpired, v4SigError, "UserSig expired")
	case err != nil:
		return ep.refuse(v1SigInvalid, v4SigError, "UserSig invalid")
	}
	if a.identifier != s.admin {
		return ep.refuse(v1NotAdmin, v4NotAdmin, "identifier is not an app administrator")
	}
	return nil
}

// admit refuses an app without the Group Call package, and a request over
// the path's rate limit.
func (s *Server) admit(path string, ep endpoint) *answer {
	s.mu.Lock()
	bought := s.groupPkg
	s.mu.Unlock()
	if !bought {
		return ep.refuse(v1NoPackage, v4PackageExpired, "the app has not bought the Group Call package")
	}
	if !s.allow(s.limiters[path]) {
		s.mu.Lock()
		s.stats.RateLimited++
		s.mu.Unlock()
		return ep.refuse(v1RateLimited, v4RateLimited, "rate limit exceeded")
	}
	return nil
}

// readFields reads the request body, a JSON object.
func readFields(r *http.Request, ep endpoint) (map[string]json.RawMessage, *answer) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		return nil, ep.refuse(v1BadBody, v4BadBody, "request body could not be read")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, ep.refuse(v1BadBody, v4BadBody, "request body is not a JSON object")
	}
	return fields, nil
}

type v1Envelope struct {
	ErrorCode    int    `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
	RequestID    string `json:"requestId"`
	Data         any    `json:"data,omitempty"`
}

type v4Envelope struct {
	ActionStatus string `json:"ActionStatus"`
	ErrorInfo    string `json:"ErrorInfo"`
	ErrorCode    int    `json:"ErrorCode"`
	RequestID    string `json:"RequestId"`
	Response     any    `json:"Response,omitempty"`
}

func (s *Server) requestID() string {
	s.mu.Lock()
	s.reqIDs++
	n := s.reqIDs
	s.mu.Unlock()
	return fmt.Sprintf("%016x%016x", splitmix(uint64(s.seed)^n), splitmix(n))
}

// splitmix is SplitMix64's finaliser: a cheap, well-mixed hash of a counter.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func (s *Server) writeAnswer(w http.ResponseWriter, v4 bool, a answer) {
	var env any
	dataKey := `"data":`
	id := s.requestID()
	if v4 {
		id = "Id-" + id
		e := v4Envelope{ActionStatus: "OK", ErrorCode: a.code, ErrorInfo: a.msg, RequestID: id, Response: a.data}
		if a.code != 0 {
			e.ActionStatus = "FAIL"
		}
		env, dataKey = &e, `"Response":`
	} else {
		msg := a.msg
		if a.code == 0 {
			msg = "Success"
		}
		env = &v1Envelope{ErrorCode: a.code, ErrorMessage: msg, RequestID: id, Data: a.data}
	}
	noteAnswer(w, strconv.Itoa(a.code), id)
	app, fast := a.data.(jsonAppender)
	if !fast {
		WriteJSON(w, http.StatusOK, env)
		return
	}
	// Encode the envelope without its data, then append the data (always the
	// last field) with its own encoder.
	switch e := env.(type) {
	case *v4Envelope:
		e.Response = nil
	case *v1Envelope:
		e.Data = nil
	}
	head, err := json.Marshal(env)
	if err != nil {
		http.Error(w, "encoding the answer failed", http.StatusInternalServerError)
		return
	}
	b := make([]byte, 0, 32<<10)
	b = append(b, head[:len(head)-1]...)
	b = append(b, ',')
	b = append(b, dataKey...)
	b = app.appendJSON(b)
	b = append(b, '}')
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// WriteJSON answers v as JSON with status: the control surface's answers and
// the console's (internal/mockserver/console) are written by it.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding the answer failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// RateMode says how the mock enforces the documented limits.
type RateMode int32

const (
	RateModeOff     RateMode = iota // nothing is limited
	RateModeDefault                 // a bucket of one second's allowance: N at once, refilled at N/s
	RateModeStrict                  // burst 1: a request closer than 1/N to the previous one is refused
)

var rateModeNames = []string{"off", "default", "strict"}

func (m RateMode) String() string {
	if m < 0 || int(m) >= len(rateModeNames) {
		return fmt.Sprintf("RateMode(%d)", int32(m))
	}
	return rateModeNames[m]
}

// SetRateMode changes the enforcement mode at run time (also POST /_mock/rate-limit).
func (s *Server) SetRateMode(m RateMode) { s.limit.Store(int32(m)) }

// RateMode returns the current enforcement mode.
func (s *Server) RateMode() RateMode { return RateMode(s.limit.Load()) }

// SetOthersShare makes other clients of the app take share (0 to 0.9) of
// every rate limit, as the app's own backend and other Terraform runs do
// (the limits are per app, callkit-api.md §2): the mock then allows only the
// rest, (1-share)·N requests/s with a burst of as many, on every path. 0
// gives the whole limit back. Also POST /_mock/others {"share": 0.5}.
func (s *Server) SetOthersShare(share float64) error {
	if share < 0 || share > maxOthersShare || share != share {
		return fmt.Errorf("share must be between 0 and %g, got %g", maxOthersShare, share)
	}
	s.others.Store(int32(share*1000 + 0.5))
	return nil
}

// OthersShare is the share of every limit other clients take.
func (s *Server) OthersShare() float64 { return float64(s.others.Load()) / 1000 }

// maxOthersShare leaves every path at least a tenth of its limit.
const maxOthersShare = 0.9

// allow takes a token from b under the current mode.
func (s *Server) allow(b *bucket) bool {
	m := s.RateMode()
	if m == RateModeOff {
		return true
	}
	return b.allow(s.now(), m == RateModeStrict, 1-s.OthersShare())
}

// bucket is a token bucket on the injected clock: tests that freeze the clock
// get a limiter that never refills, which makes rate limiting deterministic.
// It is kept as the time the bucket would next be full (GCRA), so a request
// exactly 1/N after the previous one is allowed without float rounding.
type bucket struct {
	mu   sync.Mutex
	rate float64   // documented requests per second
	full time.Time // when the bucket is full again; zero before the first request
}

// allow holds one second's allowance, or a single token when strict (the
// stricter reading of "N requests per second" a real service may enforce),
// of the part of the rate left to this client (1 when no other client takes
// a share).
func (b *bucket) allow(now time.Time, strict bool, left float64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	rate := b.rate * left
	interval := time.Duration(float64(time.Second) / rate)
	capacity := max(1, int64(rate))
	if strict {
		capacity = 1
	}
	if b.full.Before(now) {
		b.full = now
	}
	// Taking a token moves "full" one interval on; the bucket holds
	// capacity tokens, so "full" may run at most capacity intervals ahead.
	if b.full.Add(interval).Sub(now) > time.Duration(capacity)*interval {
		return false
	}
	b.full = b.full.Add(interval)
	return true
}
