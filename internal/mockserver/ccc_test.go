package mockserver

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// tc3Request is one API 3.0 request signed by the test's own TC3 signer
// (written from the signing spec, separately from the mock's verifier), with
// knobs for every way a client can get it wrong.
type tc3Request struct {
	secretID, secretKey string
	hostHeader          string // Host sent; "" → the test server's host:port
	signHost            string // host in the signature; "" → hostHeader
	service             string // credential scope's service; "" → "ccc"
	scopeDate           string // "" → the UTC date of ts
	ts                  int64
	action, version     string // "" → DescribeTelCdr, 2020-02-10
	contentType         string // "" → application/json
	method              string // "" → POST
	body                string
	sendBody            string // "" → body (a different value tampers after signing)
	authorization       string // replaces the computed header when set
	extra               http.Header
}

func (q tc3Request) send(t *testing.T, srv *httptest.Server) (int, map[string]any) {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	host := cmpOr(q.hostHeader, u.Host)
	signHost := cmpOr(q.signHost, host)
	service := cmpOr(q.service, "ccc")
	date := cmpOr(q.scopeDate, time.Unix(q.ts, 0).UTC().Format("2006-01-02"))
	ctype := cmpOr(q.contentType, "application/json")
	method := cmpOr(q.method, http.MethodPost)

	payload := sha256.Sum256([]byte(q.body))
	canonical := strings.Join([]string{
		method, "/", "",
		"content-type:" + ctype + "\nhost:" + signHost + "\n",
		"content-type;host",
		hex.EncodeToString(payload[:]),
	}, "\n")
	hashed := sha256.Sum256([]byte(canonical))
	scope := date + "/" + service + "/tc3_request"
	toSign := fmt.Sprintf("TC3-HMAC-SHA256\n%d\n%s\n%s", q.ts, scope, hex.EncodeToString(hashed[:]))
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	sig := hex.EncodeToString(mac(mac(mac(mac([]byte("TC3"+q.secretKey), date), service), "tc3_request"), toSign))
	auth := fmt.Sprintf("TC3-HMAC-SHA256 Credential=%s/%s, SignedHeaders=content-type;host, Signature=%s", q.secretID, scope, sig)
	if q.authorization != "" {
		auth = q.authorization
	}

	body := q.body
	if q.sendBody != "" {
		body = q.sendBody
	}
	req, err := http.NewRequest(method, srv.URL+"/", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", auth)
	req.Header.Set("X-TC-Action", cmpOr(q.action, "DescribeTelCdr"))
	req.Header.Set("X-TC-Version", cmpOr(q.version, "2020-02-10"))
	req.Header.Set("X-TC-Timestamp", fmt.Sprint(q.ts))
	for k, v := range q.extra {
		req.Header[k] = v
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	var env map[string]any
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("answer is not JSON: %s", raw)
	}
	return resp.StatusCode, env
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// cccMock starts a mock with a frozen clock and returns a request template
// signed with the mock's default credentials at that time.
func cccMock(t *testing.T, opts Options) (*Server, *httptest.Server, tc3Request, time.Time) {
	t.Helper()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	if opts.Clock == nil {
		opts.Clock = func() time.Time { return now }
	}
	s, srv := startMock(t, opts)
	return s, srv, tc3Request{secretID: DefaultCCCSecretID, secretKey: DefaultCCCSecretKey, ts: now.Unix()}, now
}

// cdrBody is a DescribeTelCdr body over the last 30 days of now.
func cdrBody(now time.Time, size, page int, extra string) string {
	return fmt.Sprintf(`{"SdkAppId":%d,"StartTimeStamp":%d,"EndTimeStamp":%d,"PageSize":%d,"PageNumber":%d%s}`,
		DefaultCCCSdkAppID, now.Add(-cccRetention).Unix(), now.Unix(), size, page, extra)
}

// cccResponse returns the envelope's Response object and fails unless it
// has exactly the documented keys for success or error.
func cccResponse(t *testing.T, env map[string]any) map[string]any {
	t.Helper()
	if len(env) != 1 {
		t.Fatalf("envelope %v: want exactly one key, Response", env)
	}
	r := obj(t, env["Response"])
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(str(t, r["RequestId"])) {
		t.Fatalf("RequestId %v is not a UUID", r["RequestId"])
	}
	return r
}

func cccErrorCode(t *testing.T, env map[string]any) string {
	t.Helper()
	r := cccResponse(t, env)
	e, ok := r["Error"]
	if !ok {
		return ""
	}
	if len(r) != 2 {
		t.Fatalf("error answer %v: want only Error and RequestId", r)
	}
	eo := obj(t, e)
	if str(t, eo["Message"]) == "" {
		t.Fatalf("error %v has no Message", eo)
	}
	return str(t, eo["Code"])
}

func wantCCCCode(t *testing.T, env map[string]any, want string) {
	t.Helper()
	if got := cccErrorCode(t, env); got != want {
		t.Fatalf("Error.Code = %q, want %q (answer %v)", got, want, env)
	}
}

func TestCCCSignatureVerifies(t *testing.T) {
	t.Parallel()
	s, srv, base, now := cccMock(t, Options{CCCRecords: 30, Seed: 3})
	_, p, _ := strings.Cut(srv.Listener.Addr().String(), ":")
	cases := map[string]func(*tc3Request){
		"host with port (Go SDK)":      func(*tc3Request) {},
		"host without port (Node SDK)": func(q *tc3Request) { q.signHost = "127.0.0.1" },
		"service from first DNS label": func(q *tc3Request) {
			q.hostHeader = "api.mock.test:" + p
			q.signHost = "api.mock.test"
			q.service = "api"
		},
		"ccc host, label ccc":            func(q *tc3Request) { q.hostHeader = "ccc.mock.test:" + p; q.signHost = "ccc.mock.test" },
		"ccc service on any host":        func(q *tc3Request) { q.hostHeader = "api.mock.test:" + p },
		"timestamp 4m59s old":            func(q *tc3Request) { q.ts -= 299 },
		"timestamp 4m59s ahead":          func(q *tc3Request) { q.ts += 299 },
		"content type with parameters":   func(q *tc3Request) { q.contentType = "application/json; charset=utf-8" },
		"uppercase host, signed as sent": func(q *tc3Request) { q.hostHeader = "CCC.Mock.Test:" + p; q.signHost = "CCC.Mock.Test" },
	}
	for name, mod := range cases {
		q := base
		q.body = cdrBody(now, 10, 0, "")
		mod(&q)
		status, env := q.send(t, srv)
		if status != http.StatusOK {
			t.Fatalf("%s: HTTP %d", name, status)
		}
		r := cccResponse(t, env)
		if code := cccErrorCode(t, env); code != "" {
			t.Fatalf("%s: refused with %s: %v", name, code, r["Error"])
		}
		if got := num(t, r["TotalCount"]); got != 30 {
			t.Fatalf("%s: TotalCount = %v, want 30", name, got)
		}
		if got := len(arr(t, r["TelCdrList"])); got != 10 {
			t.Fatalf("%s: %d records, want 10", name, got)
		}
	}
	if st := s.Stats(); st.Requests[cccStatsKey] != len(cases) || st.Applied[cccStatsKey] != len(cases) {
		t.Fatalf("stats %+v: want %d requests, all applied", st, len(cases))
	}
}

func TestCCCSignatureRefused(t *testing.T) {
	t.Parallel()
	s, srv, base, now := cccMock(t, Options{CCCRecords: 5})
	cases := []struct {
		name string
		mod  func(*tc3Request)
		want string
	}{
		{"wrong key", func(q *tc3Request) { q.secretKey = "not-the-key" }, "AuthFailure.SignatureFailure"},
		{"unknown SecretId", func(q *tc3Request) { q.secretID = "AKIDnobody" }, "AuthFailure.SecretIdNotFound"},
		{"stale timestamp", func(q *tc3Request) { q.ts -= 301 }, "AuthFailure.SignatureExpire"},
		{"future timestamp", func(q *tc3Request) { q.ts += 301 }, "AuthFailure.SignatureExpire"},
		{"wrong scope service", func(q *tc3Request) { q.service = "cvm" }, "AuthFailure.SignatureFailure"},
		{"service from another label", func(q *tc3Request) { q.hostHeader = "api.mock.test"; q.service = "mock" }, "AuthFailure.SignatureFailure"},
		{"wrong scope date", func(q *tc3Request) { q.scopeDate = "2026-03-09" }, "AuthFailure.SignatureFailure"},
		{"signed another host", func(q *tc3Request) { q.signHost = "ccc.tencentcloudapi.com" }, "AuthFailure.SignatureFailure"},
		{"body changed after signing", func(q *tc3Request) { q.sendBody = strings.Replace(q.body, `"PageSize":10`, `"PageSize":11`, 1) }, "AuthFailure.SignatureFailure"},
		{"no Authorization", func(q *tc3Request) { q.authorization = "none" }, "AuthFailure.InvalidAuthorization"},
		{"HMAC-SHA1 style", func(q *tc3Request) { q.authorization = "HmacSHA256 Signature=abc" }, "AuthFailure.InvalidAuthorization"},
		{"content-type not signed", func(q *tc3Request) {
			q.authorization = "TC3-HMAC-SHA256 Credential=" + DefaultCCCSecretID + "/2026-03-10/ccc/tc3_request, SignedHeaders=host, Signature=00"
		}, "AuthFailure.SignatureFailure"},
		{"temporary credentials", func(q *tc3Request) { q.extra = http.Header{"X-Tc-Token": {"tok"}} }, "AuthFailure.TokenFailure"},
	}
	for _, c := range cases {
		q := base
		q.body = cdrBody(now, 10, 0, "")
		c.mod(&q)
		_, env := q.send(t, srv)
		if got := cccErrorCode(t, env); got != c.want {
			t.Errorf("%s: Error.Code = %q, want %q (%v)", c.name, got, c.want, env)
		}
	}
	if st := s.Stats(); st.Applied[cccStatsKey] != 0 || st.Requests[cccStatsKey] != len(cases) {
		t.Fatalf("stats %+v: want %d requests, none applied", st, len(cases))
	}
}

func TestCCCRequestErrors(t *testing.T) {
	t.Parallel()
	_, srv, base, now := cccMock(t, Options{CCCRecords: 5})
	start, end := now.Add(-24*time.Hour).Unix(), now.Unix()
	body := func(fields string) string { return "{" + fields + "}" }
	ok := fmt.Sprintf(`"SdkAppId":%d,"StartTimeStamp":%d,"EndTimeStamp":%d`, DefaultCCCSdkAppID, start, end)
	cases := []struct {
		name string
		mod  func(*tc3Request)
		want string
	}{
		{"missing StartTimeStamp", func(q *tc3Request) {
			q.body = body(fmt.Sprintf(`"SdkAppId":%d,"EndTimeStamp":%d,"PageSize":10,"PageNumber":0`, DefaultCCCSdkAppID, end))
		}, "MissingParameter"},
		{"missing SdkAppId", func(q *tc3Request) {
			q.body = body(fmt.Sprintf(`"StartTimeStamp":%d,"EndTimeStamp":%d,"PageSize":10,"PageNumber":0`, start, end))
		}, "MissingParameter"},
		{"missing PageNumber", func(q *tc3Request) { q.body = body(ok + `,"PageSize":10`) }, "MissingParameter"},
		{"missing paging", func(q *tc3Request) { q.body = body(ok) }, "MissingParameter"},
		{"PageSize 0", func(q *tc3Request) { q.body = body(ok + `,"PageSize":0,"PageNumber":0`) }, "InvalidParameterValue"},
		{"PageSize 101", func(q *tc3Request) { q.body = body(ok + `,"PageSize":101,"PageNumber":0`) }, "InvalidParameterValue"},
		{"PageNumber -1", func(q *tc3Request) { q.body = body(ok + `,"PageSize":10,"PageNumber":-1`) }, "InvalidParameterValue"},
		{"end before start", func(q *tc3Request) {
			q.body = body(fmt.Sprintf(`"SdkAppId":%d,"StartTimeStamp":%d,"EndTimeStamp":%d,"PageSize":10,"PageNumber":0`, DefaultCCCSdkAppID, end, start))
		}, "InvalidParameterValue"},
		{"range of 90 days", func(q *tc3Request) {
			q.body = body(fmt.Sprintf(`"SdkAppId":%d,"StartTimeStamp":%d,"EndTimeStamp":%d,"PageSize":10,"PageNumber":0`, DefaultCCCSdkAppID, end-90*86400, end))
		}, "InvalidParameterValue"},
		{"start 181 days back", func(q *tc3Request) {
			q.body = body(fmt.Sprintf(`"SdkAppId":%d,"StartTimeStamp":%d,"EndTimeStamp":%d,"PageSize":10,"PageNumber":0`, DefaultCCCSdkAppID, end-181*86400, end-180*86400))
		}, "InvalidParameterValue"},
		{"another application", func(q *tc3Request) {
			q.body = body(fmt.Sprintf(`"SdkAppId":7,"StartTimeStamp":%d,"EndTimeStamp":%d,"PageSize":10,"PageNumber":0`, start, end))
		}, "InvalidParameterValue.InstanceNotExist"},
		{"unknown field", func(q *tc3Request) { q.body = body(ok + `,"PageSize":10,"PageNumber":0,"SessionIDs":["x"]`) }, "UnknownParameter"},
		{"wrong type", func(q *tc3Request) { q.body = body(ok + `,"PageSize":"10","PageNumber":0`) }, "InvalidParameter"},
		{"Phones not a list", func(q *tc3Request) { q.body = body(ok + `,"PageSize":10,"PageNumber":0,"Phones":"138"`) }, "InvalidParameter"},
		{"not an object", func(q *tc3Request) { q.body = `[]` }, "InvalidParameter"},
		{"unknown action", func(q *tc3Request) { q.action = "DescribeTelCdrs"; q.body = body(ok) }, "InvalidAction"},
		{"unknown version", func(q *tc3Request) { q.version = "2017-03-12"; q.body = body(ok) }, "NoSuchVersion"},
		{"GET", func(q *tc3Request) { q.method = http.MethodGet }, "UnsupportedOperation"},
		{"form body", func(q *tc3Request) { q.contentType = "application/x-www-form-urlencoded"; q.body = "a=b" }, "UnsupportedOperation"},
	}
	for _, c := range cases {
		q := base
		c.mod(&q)
		_, env := q.send(t, srv)
		if got := cccErrorCode(t, env); got != c.want {
			t.Errorf("%s: Error.Code = %q, want %q (%v)", c.name, got, c.want, env)
		}
	}
}

// pageOf asks one page and returns TotalCount and the SessionIds in order.
func pageOf(t *testing.T, srv *httptest.Server, q tc3Request) (int, []string) {
	t.Helper()
	_, env := q.send(t, srv)
	if code := cccErrorCode(t, env); code != "" {
		t.Fatalf("refused with %s: %v", code, env)
	}
	r := cccResponse(t, env)
	if len(r) != 3 {
		t.Fatalf("answer %v: want exactly TotalCount, TelCdrList and RequestId", r)
	}
	var ids []string
	for _, rec := range arr(t, r["TelCdrList"]) {
		ro := obj(t, rec)
		if num(t, ro["Time"]) != num(t, ro["StartTimestamp"]) {
			t.Fatalf("record %v: Time differs from StartTimestamp", ro)
		}
		ids = append(ids, str(t, ro["SessionId"]))
	}
	return int(num(t, r["TotalCount"])), ids
}

func TestCCCPagingFromZero(t *testing.T) {
	t.Parallel()
	s, srv, base, now := cccMock(t, Options{CCCRecords: 250, Seed: 9})
	all := s.TelCdrs()
	if len(all) != 250 {
		t.Fatalf("%d records, want 250", len(all))
	}
	want := make([]string, len(all))
	for i, r := range all {
		want[i] = r.SessionID
	}
	var got []string
	for page, size := range []int{100, 100, 50, 0} {
		q := base
		q.body = cdrBody(now, 100, page, "")
		total, ids := pageOf(t, srv, q)
		if total != 250 || len(ids) != size {
			t.Fatalf("page %d: TotalCount %d and %d records, want 250 and %d", page, total, len(ids), size)
		}
		got = append(got, ids...)
	}
	if !slices.Equal(got, want) {
		t.Fatal("pages 0..2 do not list the records in the order TelCdrs() returns them")
	}

	// The deprecated Limit/Offset paging reaches the same records.
	q := base
	q.body = fmt.Sprintf(`{"SdkAppId":%d,"StartTimeStamp":%d,"EndTimeStamp":%d,"Limit":7,"Offset":93}`,
		DefaultCCCSdkAppID, now.Add(-cccRetention).Unix(), now.Unix())
	if total, ids := pageOf(t, srv, q); total != 250 || !slices.Equal(ids, want[93:100]) {
		t.Fatalf("Limit/Offset: %d %v", total, ids)
	}
}

func TestCCCFilters(t *testing.T) {
	t.Parallel()
	s, srv, base, now := cccMock(t, Options{CCCRecords: 400, Seed: 11})
	all := s.TelCdrs()
	phone := all[17].Caller
	if all[17].Direction == 1 {
		phone = all[17].Callee
	}
	var byPhone []string
	for _, r := range all {
		if r.Caller == phone || r.Callee == phone {
			byPhone = append(byPhone, r.SessionID)
		}
	}
	if len(byPhone) < 2 || len(byPhone) == len(all) {
		t.Fatalf("phone %s is in %d of %d records: pick a seed that exercises the filter", phone, len(byPhone), len(all))
	}
	q := base
	q.body = cdrBody(now, 100, 0, fmt.Sprintf(`,"Phones":[%q]`, phone))
	if total, ids := pageOf(t, srv, q); total != len(byPhone) || !slices.Equal(ids, byPhone) {
		t.Fatalf("Phones: TotalCount %d, %v; want %d, %v", total, ids, len(byPhone), byPhone)
	}

	sessions := []string{all[3].SessionID, all[200].SessionID, "no-such-session"}
	q.body = cdrBody(now, 100, 0, fmt.Sprintf(`,"SessionIds":[%q,%q,%q]`, sessions[0], sessions[1], sessions[2]))
	if total, ids := pageOf(t, srv, q); total != 2 || !slices.Equal(ids, sessions[:2]) {
		t.Fatalf("SessionIds: TotalCount %d, %v", total, ids)
	}

	// Both filters: a session that does not involve the phone is dropped.
	other := ""
	for _, r := range all {
		if r.Caller != phone && r.Callee != phone {
			other = r.SessionID
			break
		}
	}
	q.body = cdrBody(now, 100, 0, fmt.Sprintf(`,"Phones":[%q],"SessionIds":[%q,%q]`, phone, byPhone[0], other))
	if total, ids := pageOf(t, srv, q); total != 1 || !slices.Equal(ids, byPhone[:1]) {
		t.Fatalf("Phones and SessionIds: TotalCount %d, %v", total, ids)
	}

	// The time window is inclusive at both ends.
	t0 := all[50].StartTimestamp
	var inWindow []string
	for _, r := range all {
		if r.StartTimestamp >= t0 && r.StartTimestamp <= t0+3600 {
			inWindow = append(inWindow, r.SessionID)
		}
	}
	q.body = fmt.Sprintf(`{"SdkAppId":%d,"StartTimeStamp":%d,"EndTimeStamp":%d,"PageSize":100,"PageNumber":0}`, DefaultCCCSdkAppID, t0, t0+3600)
	if total, ids := pageOf(t, srv, q); total != len(inWindow) || !slices.Equal(ids, inWindow) {
		t.Fatalf("window: TotalCount %d, %v; want %v", total, ids, inWindow)
	}
}

func TestCCCRateLimit(t *testing.T) {
	t.Parallel()
	s, srv, base, now := cccMock(t, Options{RateLimit: true})
	base.body = cdrBody(now, 10, 0, "")
	for i := range cccRate {
		if _, env := base.send(t, srv); cccErrorCode(t, env) != "" {
			t.Fatalf("request %d refused: %v", i+1, env)
		}
	}
	_, env := base.send(t, srv)
	wantCCCCode(t, env, "RequestLimitExceeded")
	if st := s.Stats(); st.RateLimited != 1 {
		t.Fatalf("RateLimited = %d, want 1", st.RateLimited)
	}
}

func TestCCCRateLimitStrict(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)) // cccMock's signing time
	s, srv, base, _ := cccMock(t, Options{RateLimitStrict: true, Clock: clock.Now})
	base.body = cdrBody(clock.Now(), 10, 0, "")
	if _, env := base.send(t, srv); cccErrorCode(t, env) != "" {
		t.Fatalf("first request refused: %v", env)
	}
	_, env := base.send(t, srv)
	wantCCCCode(t, env, "RequestLimitExceeded")
	clock.Advance(time.Second / cccRate)
	if _, env := base.send(t, srv); cccErrorCode(t, env) != "" {
		t.Fatalf("a request 1/N later refused: %v", env)
	}
	if st := s.Stats(); st.RateLimited != 1 {
		t.Fatalf("RateLimited = %d, want 1", st.RateLimited)
	}
}

func TestCCCFaults(t *testing.T) {
	t.Parallel()
	s, srv, base, now := cccMock(t, Options{})
	base.body = cdrBody(now, 10, 0, "")
	for kind, want := range map[FaultKind]string{FaultInternal: "InternalError", FaultRateLimit: "RequestLimitExceeded"} {
		s.SetFaults(Faults{Rate: 1, Kinds: []FaultKind{kind}, Paths: []string{cccStatsKey}})
		_, env := base.send(t, srv)
		wantCCCCode(t, env, want)
	}
	s.SetFaults(Faults{Rate: 1, Kinds: []FaultKind{FaultHTTP502}})
	if status, _ := base.send(t, srv); status != http.StatusBadGateway {
		t.Fatalf("http502 fault: HTTP %d", status)
	}
	s.SetFaults(Faults{})
	if _, env := base.send(t, srv); cccErrorCode(t, env) != "" {
		t.Fatalf("after faults off: %v", env)
	}
}

func TestCCCRecordsDeterministicAndConsistent(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a := New(Options{CCCRecords: 500, Seed: 5, Clock: clock})
	b := New(Options{CCCRecords: 500, Seed: 5, Clock: clock})
	c := New(Options{CCCRecords: 500, Seed: 6, Clock: clock})
	t.Cleanup(func() { a.Close(); b.Close(); c.Close() })
	ra, rb, rc := a.TelCdrs(), b.TelCdrs(), c.TelCdrs()
	ja, _ := json.Marshal(ra)
	jb, _ := json.Marshal(rb)
	jc, _ := json.Marshal(rc)
	if !bytes.Equal(ja, jb) {
		t.Fatal("the same seed generated different records")
	}
	if bytes.Equal(ja, jc) {
		t.Fatal("different seeds generated the same records")
	}
	lo := now.Add(-cccRetention).Unix()
	statuses := map[string]bool{}
	for _, r := range ra {
		statuses[r.EndStatusString] = true
		switch {
		case r.StartTimestamp < lo || r.EndedTimestamp > now.Unix() || r.EndedTimestamp < r.StartTimestamp:
			t.Fatalf("record %+v is outside the window or ends before it starts", r)
		case r.AcceptTimestamp != 0 && (r.AcceptTimestamp < r.RingTimestamp || r.Duration != r.EndedTimestamp-r.AcceptTimestamp):
			t.Fatalf("record %+v: accept before ring or wrong duration", r)
		case r.AcceptTimestamp == 0 && (r.Duration != 0 || r.RecordURL != ""):
			t.Fatalf("record %+v: unanswered call with talk time or a recording", r)
		case (r.EndStatus == 1) != (r.EndStatusString == "ok"):
			t.Fatalf("record %+v: EndStatus and EndStatusString disagree", r)
		case r.Direction == 1 && r.IVRDuration != 0:
			t.Fatalf("record %+v: outbound call with IVR time", r)
		}
	}
	if len(statuses) < 8 {
		t.Fatalf("only end statuses %v: the generator should exercise most of them", statuses)
	}
}

func TestCCCAddTelCdrs(t *testing.T) {
	t.Parallel()
	s, srv, base, now := cccMock(t, Options{})
	rec := TelCdr{SessionID: "s-1", Caller: "13800000001", Callee: "02066660001", StartTimestamp: now.Add(-time.Hour).Unix(),
		SeatUser: &TelCdrSeatUser{UserID: "a@example.com"}, IVRKeyPressed: []string{"1"}}
	if err := s.AddTelCdrs(rec, TelCdr{SessionID: "s-0", StartTimestamp: now.Add(-2 * time.Hour).Unix()}); err != nil {
		t.Fatal(err)
	}
	rec.Remark = "replaced"
	if err := s.AddTelCdrs(rec); err != nil {
		t.Fatal(err)
	}
	if err := s.AddTelCdrs(TelCdr{Caller: "x"}); err == nil {
		t.Fatal("a record without SessionID was accepted")
	}
	got := s.TelCdrs()
	if len(got) != 2 || got[0].SessionID != "s-0" || got[1].Remark != "replaced" {
		t.Fatalf("records %+v", got)
	}
	got[1].SeatUser.UserID = "changed" // a copy: the store must not change
	if s.TelCdrs()[1].SeatUser.UserID != "a@example.com" {
		t.Fatal("TelCdrs returned the stored record, not a copy")
	}
	base.body = cdrBody(now, 10, 0, "")
	_, env := base.send(t, srv)
	r := obj(t, arr(t, cccResponse(t, env)["TelCdrList"])[1])
	if str(t, r["Remark"]) != "replaced" || str(t, obj(t, r["SeatUser"])["UserId"]) != "a@example.com" || r["Uui"] != "" {
		t.Fatalf("record on the wire: %v", r)
	}
}

// TestCCCConcurrent runs reads and writes together for -race.
func TestCCCConcurrent(t *testing.T) {
	t.Parallel()
	s, srv, base, now := cccMock(t, Options{CCCRecords: 100})
	base.body = cdrBody(now, 50, 0, "")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if i%2 == 0 {
				_ = s.AddTelCdrs(TelCdr{SessionID: fmt.Sprint("c-", i), StartTimestamp: now.Add(-time.Minute).Unix()})
				return
			}
			if _, env := base.send(t, srv); cccErrorCode(t, env) != "" {
				t.Errorf("refused: %v", env)
			}
		})
	}
	wg.Wait()
	if n := len(s.TelCdrs()); n != 104 {
		t.Fatalf("%d records, want 104", n)
	}
}
