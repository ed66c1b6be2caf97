package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzServeAPI sends arbitrary query strings and bodies, signed or not, to
// every API path. Whatever arrives, the mock answers HTTP 200 with a
// well-formed envelope of the path's family (callkit-api.md §1, §7), and a
// success never stores a callback configuration the service would refuse.
func FuzzServeAPI(f *testing.F) {
	paths := make([]string, 0, len(endpoints))
	for p := range endpoints {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	now := time.Now()
	sig, err := signSig(DefaultSDKAppID, testKey, DefaultIdentifier, 86400)
	if err != nil {
		f.Fatal(err)
	}
	index := func(path string) uint8 { return uint8(slices.Index(paths, path)) }
	for _, seed := range []struct {
		path   string
		query  string
		body   string
		signed bool
	}{
		{"v1/callback/set", "", `{"address":"https://example.com/cb","actions":["normal_end"]}`, true},
		{"v1/callback/set", "", `{"address":"ftp://example.com","actions":["normal_end"]}`, true},
		{"v1/callback/update", "", `{"address":"https://example.com/cb","actions":["Normal_End"]}`, true},
		{"v1/callback/get", "", `{}`, true},
		{"v1/callback/delete", "", ``, true},
		{"v1/records/get_records_by_filter", "", `{"startTimestamp":0,"numberPerPage":2,"page":2}`, true},
		{"v1/records/get_records_by_filter", "", `{"startTimestamp":"0","numberPerPage":1e9}`, true},
		{"v1/records/get_record_by_callId", "", `{"callId":""}`, true},
		{"v4/call_config/set_callback", "", `{"Url":"https://example.com/cb","CallbackCommandList":["Call.CallbackAfterEndCall"]}`, true},
		{"v4/call_config/set_callback", "", `{"Url":"https://example.com/cb","CallbackCommandList":[]}`, true},
		{"v4/call_record_http_srv/get_record_by_filter", "", `{"StartTime":-1,"NumberPerPage":-5,"Page":-1,"CallType":"MultiCall"}`, true},
		{"v4/call_record_http_srv/get_record_by_callid", "", `{"CallId":null}`, true},
		{"v1/callback/get", "sdkappid=abc&random=-1", `{}`, false},
		{"v4/call_config/get_callback", "sdkappid=1400000000&identifier=administrator&usersig=****&random=1&contenttype=json", `{}`, false},
		{"v4/call_config/get_callback", "random=99999999999&contenttype=xml", `[]`, true},
	} {
		f.Add(index(seed.path), seed.query, []byte(seed.body), seed.signed)
	}
	f.Fuzz(func(t *testing.T, pathIndex uint8, query string, body []byte, signed bool) {
		path := paths[int(pathIndex)%len(paths)]
		v4 := endpoints[path].v4
		s := New(Options{Key: testKey, Records: 3, Seed: 1, Clock: func() time.Time { return now }})
		defer s.Close()
		q, err := url.ParseQuery(query)
		if err != nil {
			q = url.Values{}
		}
		if signed {
			for k, v := range map[string]string{
				"sdkappid": "1400000000", "identifier": DefaultIdentifier, "usersig": sig, "random": "7", "contenttype": "json",
			} {
				if q.Get(k) == "" {
					q.Set(k, v)
				}
			}
		}
		req := httptest.NewRequest(http.MethodPost, "/"+path+"?"+q.Encode(), bytes.NewReader(body))
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s answered HTTP %d: %s", path, rec.Code, rec.Body)
		}
		var env map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatalf("%s answered a body that is not a JSON object: %v: %.200s", path, err, rec.Body)
		}
		code := checkEnvelope(t, path, v4, env)
		if code != 0 {
			return
		}
		switch path {
		case "v1/callback/set", "v1/callback/update":
			cb, ok := s.Callback()
			if !ok || !validAddress(cb.Address) || len(cb.Actions) == 0 || slices.ContainsFunc(cb.Actions, func(a string) bool { return !isV1Action(a) }) {
				t.Fatalf("%s succeeded and stored %+v (found %v)", path, cb, ok)
			}
		case "v4/call_config/set_callback":
			cb, ok := s.CallbackV4()
			if !ok || !validAddress(cb.Address) || len(cb.Actions) == 0 || slices.ContainsFunc(cb.Actions, func(a string) bool { return !strings.HasPrefix(a, "Call.") }) {
				t.Fatalf("%s succeeded and stored %+v (found %v)", path, cb, ok)
			}
		}
	})
}

// checkEnvelope checks the fields every answer of the family carries and
// returns its error code.
func checkEnvelope(t *testing.T, path string, v4 bool, env map[string]json.RawMessage) int {
	t.Helper()
	codeKey, idKey, msgKey := "errorCode", "requestId", "errorMessage"
	if v4 {
		codeKey, idKey, msgKey = "ErrorCode", "RequestId", "ErrorInfo"
	}
	var code int
	if err := json.Unmarshal(env[codeKey], &code); err != nil {
		t.Fatalf("%s: %s is not an integer: %s", path, codeKey, env[codeKey])
	}
	var id, msg string
	if json.Unmarshal(env[idKey], &id) != nil || id == "" {
		t.Fatalf("%s: %s is not a non-empty string: %s", path, idKey, env[idKey])
	}
	if json.Unmarshal(env[msgKey], &msg) != nil {
		t.Fatalf("%s: %s is not a string: %s", path, msgKey, env[msgKey])
	}
	if v4 {
		var status string
		_ = json.Unmarshal(env["ActionStatus"], &status)
		if want := map[bool]string{true: "OK", false: "FAIL"}[code == 0]; status != want {
			t.Fatalf("%s: ActionStatus %q with ErrorCode %d", path, status, code)
		}
	}
	return code
}
