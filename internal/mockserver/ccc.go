package mockserver

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"
)

// Cloud Contact Center (callkit-api.md §8): Tencent Cloud API 3.0 requests,
// POST with the action in X-TC-Action, served on the same address as the
// CallKit APIs. The choices where the contract is silent (check order,
// required fields, matching, paging) are listed in the mock backend guide.

const (
	// DefaultCCCSecretID and DefaultCCCSecretKey are the mock's throwaway
	// Tencent Cloud API key pair.
	DefaultCCCSecretID  = "AKIDmockCCC0000000000000000000000000"
	DefaultCCCSecretKey = "mock-ccc-secret-key-0123456789abcdef"
	// DefaultCCCSdkAppID is the mock's one Cloud Contact Center application.
	DefaultCCCSdkAppID = 1400000100

	cccService    = "ccc"
	cccVersion    = "2020-02-10"
	cccActionCdr  = "DescribeTelCdr"
	cccRate       = 20                   // DescribeTelCdr requests per second
	cccMaxPage    = 100                  // largest PageSize
	cccMaxRange   = 90 * 24 * 3600       // EndTimeStamp - StartTimeStamp must be under this
	cccMaxHistory = 180 * 24 * 3600      // StartTimeStamp at most this far back
	cccStatsKey   = "ccc/DescribeTelCdr" // Stats key of DescribeTelCdr requests
	cccStatsOther = "ccc/unknown-action" // Stats key of any other X-TC-Action
)

// cccState is the Cloud Contact Center side of the mock.
type cccState struct {
	appID     int64
	secretID  string
	secretKey string
	limiter   *bucket
	store     telCdrStore
}

// newCCCState applies the CCC defaults of opts and generates opts.CCCRecords
// records within the 30 days before now.
func newCCCState(opts Options, now time.Time) *cccState {
	c := &cccState{
		appID:     opts.CCCSdkAppID,
		secretID:  opts.CCCSecretID,
		secretKey: opts.CCCSecretKey,
		limiter:   &bucket{rate: cccRate},
	}
	if c.appID == 0 {
		c.appID = DefaultCCCSdkAppID
	}
	if c.secretID == "" {
		c.secretID = DefaultCCCSecretID
	}
	if c.secretKey == "" {
		c.secretKey = DefaultCCCSecretKey
	}
	c.store.recs = generateTelCdrs(opts.Seed, c.appID, opts.CCCRecords, now)
	return c
}

// CCCSdkAppID returns the mock's Cloud Contact Center application ID.
func (s *Server) CCCSdkAppID() int64 { return s.ccc.appID }

// cccError is an API 3.0 error answer.
type cccError struct {
	code, msg string
}

func cccFail(code, format string, args ...any) *cccError {
	return &cccError{code: code, msg: fmt.Sprintf(format, args...)}
}

// serveCCC answers a request that carries X-TC-Action.
func (s *Server) serveCCC(w http.ResponseWriter, r *http.Request) {
	action := r.Header.Get("X-TC-Action")
	key := cccStatsOther
	if action == cccActionCdr {
		key = cccStatsKey
	}
	// The lost answer itself is armed on CallKit paths only; the failures
	// after it reach Cloud Contact Center requests too.
	if kind, _, stall := s.arrive(key, ""); kind != "" {
		s.serveCCCFault(w, r, kind, stall)
		return
	}
	data, e := s.serveCCCAPI(r, action)
	if e != nil {
		s.writeCCC(w, map[string]any{"Error": map[string]string{"Code": e.code, "Message": e.msg}})
		return
	}
	s.mu.Lock()
	s.stats.Applied[key]++
	s.mu.Unlock()
	s.writeCCC(w, data)
}

func (s *Server) serveCCCAPI(r *http.Request, action string) (map[string]any, *cccError) {
	c := s.ccc
	if cerr := cccRequestShape(r, action); cerr != nil {
		return nil, cerr
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, cccFail("InvalidParameter", "The request body could not be read.")
	}
	if len(body) > maxBody {
		return nil, cccFail("RequestSizeLimitExceeded", "The request body is larger than %d bytes.", maxBody)
	}
	if f := c.verifyTC3(r, body, s.now()); f != nil {
		return nil, cccFail(f.code, "%s", f.msg)
	}
	if tok := r.Header.Get("X-TC-Token"); tok != "" {
		return nil, cccFail("AuthFailure.TokenFailure", "The mock does not issue temporary credentials: remove X-TC-Token.")
	}
	if !s.allow(c.limiter) {
		s.mu.Lock()
		s.stats.RateLimited++
		s.mu.Unlock()
		return nil, cccFail("RequestLimitExceeded", "Your current request times equals to `%d` in a second, which exceeds the frequency limit `%d` for a second. Please reduce the frequency of calls.", cccRate+1, cccRate)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, cccFail("InvalidParameter", "The request body is not a JSON object.")
	}
	data, cerr := c.describeTelCdr(fields, s.now())
	if cerr == nil {
		if s.omitPaging().Total {
			delete(data, "TotalCount")
		}
		s.listServed()
	}
	return data, cerr
}

// cccRequestShape checks what an API 3.0 request is before it is read: a
// JSON POST of the one action, at the one version.
func cccRequestShape(r *http.Request, action string) *cccError {
	if r.Method != http.MethodPost {
		return cccFail("UnsupportedOperation", "The mock serves API 3.0 requests as POST with a JSON body, not %s.", r.Method)
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return cccFail("UnsupportedOperation", "Content-Type must be application/json.")
	}
	if action != cccActionCdr {
		return cccFail("InvalidAction", "The action %q is not supported by the %s service.", truncate(action, 64), cccService)
	}
	switch v := r.Header.Get("X-TC-Version"); v {
	case cccVersion:
	case "":
		return cccFail("MissingParameter", "The request is missing the required X-TC-Version header.")
	default:
		return cccFail("NoSuchVersion", "The API version %q does not exist for %s; use %s.", truncate(v, 32), cccService, cccVersion)
	}
	return nil
}

// describeTelCdr validates the parameters and answers a page.
func (c *cccState) describeTelCdr(fields map[string]json.RawMessage, now time.Time) (map[string]any, *cccError) {
	p, cerr := decodeTelCdrParams(fields)
	if cerr != nil {
		return nil, cerr
	}
	if p.app == nil {
		p.app = p.inst
	}
	switch {
	case p.start == nil:
		return nil, cccFail("MissingParameter", "The request is missing the required parameter `StartTimeStamp`.")
	case p.end == nil:
		return nil, cccFail("MissingParameter", "The request is missing the required parameter `EndTimeStamp`.")
	case p.app == nil:
		return nil, cccFail("MissingParameter", "The request is missing the required parameter `SdkAppId`.")
	case *p.app != c.appID:
		return nil, cccFail("InvalidParameterValue.InstanceNotExist", "The Cloud Contact Center application %d does not exist.", *p.app)
	}
	q := telCdrQuery{start: *p.start, end: *p.end, phones: p.phones, sessionIDs: p.sessions}
	switch {
	case q.start < now.Unix()-cccMaxHistory:
		return nil, cccFail("InvalidParameterValue", "StartTimeStamp %d is more than 180 days ago.", q.start)
	case q.end <= q.start:
		return nil, cccFail("InvalidParameterValue", "EndTimeStamp %d must be after StartTimeStamp %d.", q.end, q.start)
	case q.end-q.start >= cccMaxRange:
		return nil, cccFail("InvalidParameterValue", "The range from StartTimeStamp to EndTimeStamp must be under 90 days.")
	}
	if cerr := p.paging(&q); cerr != nil {
		return nil, cerr
	}
	total, page := c.store.find(q)
	list := make([]telCdrWire, len(page))
	for i, r := range page {
		list[i] = telCdrWire{TelCdr: r, Time: r.StartTimestamp}
	}
	return map[string]any{"TotalCount": total, "TelCdrList": list}, nil
}

// telCdrParams are DescribeTelCdr's parameters as sent (nil: absent).
type telCdrParams struct {
	start, end, app, inst, size, page, limit, offset *int64
	phones, sessions                                 []string
}

// decodeTelCdrParams decodes the request's parameters, refusing an unknown
// one or one of the wrong type.
func decodeTelCdrParams(fields map[string]json.RawMessage) (telCdrParams, *cccError) {
	known := map[string]bool{
		"StartTimeStamp": true, "EndTimeStamp": true, "SdkAppId": true, "InstanceId": true, "PageSize": true,
		"PageNumber": true, "Phones": true, "SessionIds": true, "Limit": true, "Offset": true,
	}
	for k := range fields {
		if !known[k] {
			return telCdrParams{}, cccFail("UnknownParameter", "The parameter `%s` is not recognized.", truncate(k, 64))
		}
	}
	var p telCdrParams
	for name, dst := range map[string]any{
		"StartTimeStamp": &p.start, "EndTimeStamp": &p.end, "SdkAppId": &p.app, "InstanceId": &p.inst,
		"PageSize": &p.size, "PageNumber": &p.page, "Limit": &p.limit, "Offset": &p.offset,
		"Phones": &p.phones, "SessionIds": &p.sessions,
	} {
		raw, ok := fields[name]
		if !ok || string(raw) == "null" {
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return telCdrParams{}, cccFail("InvalidParameter", "The parameter `%s` has the wrong type.", name)
		}
	}
	return p, nil
}

// paging sets q's page from PageSize and PageNumber, or from the deprecated
// Limit and Offset.
func (p *telCdrParams) paging(q *telCdrQuery) *cccError {
	switch {
	case p.size != nil || p.page != nil:
		if p.size == nil {
			return cccFail("MissingParameter", "The request is missing the required parameter `PageSize`.")
		}
		if p.page == nil {
			return cccFail("MissingParameter", "The request is missing the required parameter `PageNumber`.")
		}
		if *p.size < 1 || *p.size > cccMaxPage {
			return cccFail("InvalidParameterValue", "PageSize must be between 1 and %d, got %d.", cccMaxPage, *p.size)
		}
		if *p.page < 0 || *p.page > (1<<31)/cccMaxPage {
			return cccFail("InvalidParameterValue", "PageNumber must be 0 or more, got %d.", *p.page)
		}
		q.limit, q.offset = int(*p.size), int(*p.page**p.size)
	case p.limit != nil: // the deprecated paging
		if *p.limit < 1 || *p.limit > cccMaxPage {
			return cccFail("InvalidParameterValue", "Limit must be between 1 and %d, got %d.", cccMaxPage, *p.limit)
		}
		q.limit = int(*p.limit)
		if p.offset != nil {
			if *p.offset < 0 || *p.offset > 1<<31 {
				return cccFail("InvalidParameterValue", "Offset must be 0 or more, got %d.", *p.offset)
			}
			q.offset = int(*p.offset)
		}
	default:
		return cccFail("MissingParameter", "The request is missing the required parameter `PageSize`.")
	}
	return nil
}

// telCdrWire is a record as DescribeTelCdr answers it: the record plus Time.
type telCdrWire struct {
	TelCdr
	Time int64 `json:"Time"`
}

// writeCCC writes {"Response": {...data, "RequestId": ...}} with HTTP 200.
func (s *Server) writeCCC(w http.ResponseWriter, data map[string]any) {
	id := s.cccRequestID()
	data["RequestId"] = id
	code := "0"
	if e, isErr := data["Error"].(map[string]string); isErr {
		code = e["Code"]
	}
	noteAnswer(w, code, id)
	WriteJSON(w, http.StatusOK, map[string]any{"Response": data})
}

// cccRequestID is a request ID in API 3.0's UUID form.
func (s *Server) cccRequestID() string {
	id := s.requestID()
	return id[0:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:32]
}

func (s *Server) serveCCCFault(w http.ResponseWriter, r *http.Request, kind FaultKind, stall time.Duration) {
	switch kind {
	case FaultRateLimit:
		s.writeCCC(w, map[string]any{"Error": map[string]string{"Code": "RequestLimitExceeded", "Message": "The request frequency exceeds the limit."}})
	case FaultInternal:
		s.writeCCC(w, map[string]any{"Error": map[string]string{"Code": "InternalError", "Message": "An internal error occurred."}})
	case FaultStall:
		s.serveStall(w, r, stall)
	default:
		http.Error(w, "bad gateway", http.StatusBadGateway)
	}
}

// truncate shortens a client-supplied value quoted in a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
