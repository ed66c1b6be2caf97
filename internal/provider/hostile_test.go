package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// hostileServer puts a switchable answer in front of a mock: while an
// override is set for a path, it answers requests to that path instead of
// the mock.
type hostileServer struct {
	mock *mockserver.Server
	URL  string

	mu        sync.Mutex
	overrides map[string]http.HandlerFunc
	hits      map[string]int
}

func newHostileServer(t *testing.T, opts mockserver.Options) *hostileServer {
	t.Helper()
	h := &hostileServer{mock: mockserver.New(opts), overrides: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, "/")
		h.mu.Lock()
		override := h.overrides[path]
		if override != nil {
			h.hits[path]++
		}
		h.mu.Unlock()
		if override != nil {
			override(w, r)
			return
		}
		h.mock.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		srv.Close()
		h.mock.Close()
	})
	h.URL = srv.URL
	return h
}

// answer makes path answer with f until the next call (nil restores the mock).
func (h *hostileServer) answer(path string, f http.HandlerFunc) func() {
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		clear(h.overrides)
		if f != nil {
			h.overrides[path] = f
		}
	}
}

func (h *hostileServer) hitsOf(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[path]
}

func fixedAnswer(status int, contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

const htmlErrorPage = `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response from an upstream server.</p></body></html>`

// endlessPages answers every records query with a full page of new records
// and a page number that says more are to come, forever.
// endlessStart is when endlessPages' calls started: a day before the tests,
// well inside the 7 days the records API reaches.
var endlessStart = time.Now().Add(-24 * time.Hour).Unix()

func endlessPages(w http.ResponseWriter, r *http.Request) {
	var body struct {
		NumberPerPage int   `json:"numberPerPage"`
		Page          int64 `json:"page"`
	}
	raw, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(raw, &body)
	page := max(body.Page, 1)
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"errorCode":0,"errorMessage":"Success","requestId":"endless-%d","data":{"totalNum":%d,"page":%d,"callRecordList":[`, page, 10*body.NumberPerPage, page)
	for i := range body.NumberPerPage {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"callId":"endless-%d-%d","sdkAppId":%d,"mediaType":"audio","roomId":"1","startCallTs":%d,"acceptTs":0,"endTs":%d,"caller":"a","totalUserNumber":2,"callType":"single","callResult":"cancel","callees":["b"]}`,
			page, i, mockserver.DefaultSDKAppID, endlessStart, endlessStart+1)
	}
	b.WriteString(`]}}`)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b.Bytes())
}

// TestAccHostile_answers: answers no well-behaved service gives come back
// through Terraform as a clear error naming the call, never as a crash or a
// silently wrong state; once the service behaves, everything is as before.
func TestAccHostile_answers(t *testing.T) {
	t.Parallel()
	h := newHostileServer(t, mockserver.Options{})
	const get = "v1/callback/get"
	provider := faultProviderConfig(h.URL, 1, "5s")
	cfg := provider + testCallbackBlock("test", "", testCallbackAddress, callbackV1.actionsA)
	huge := append(append([]byte(`{"errorCode":0,"errorMessage":"Success","requestId":"huge","data":"`), bytes.Repeat([]byte("a"), 9<<20)...), `"}`...)
	step := func(f http.HandlerFunc, want string) resource.TestStep {
		return resource.TestStep{PreConfig: h.answer(get, f), Config: cfg, ExpectError: errorPattern(want)}
	}
	const summary = `Unable to Create Callback Configuration.*`
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return mockHoldsNothing(h.mock, callbackV1).check()
		},
		Steps: []resource.TestStep{
			// An HTML error page with HTTP 200 (a captive proxy) or 500: retried, then reported with an excerpt.
			step(fixedAnswer(http.StatusOK, "text/html", []byte(htmlErrorPage)),
				summary+`The request to v1/callback/get failed after 2 attempt\(s\): the answer is not a CallKit API envelope \(not a JSON object\): <!DOCTYPE html> <html><head><title>502 Bad Gateway`),
			step(fixedAnswer(http.StatusInternalServerError, "text/html", []byte(htmlErrorPage)),
				summary+`v1/callback/get failed with HTTP status 500 after 2 attempt\(s\): not an API answer: <!DOCTYPE html>`),
			step(fixedAnswer(http.StatusOK, "application/json", []byte(`{"errorCode":0,"errorMessage":"Success","requestId":"r1","data":{"actions":`)),
				summary+`v1/callback/get failed after 2 attempt\(s\): the answer is not a CallKit API envelope: unexpected end of JSON input`),
			step(fixedAnswer(http.StatusOK, "application/json", []byte(`{"errorMessage":"Success","requestId":"r2","data":{}}`)),
				summary+`v1/callback/get.*the answer is not a CallKit API envelope: errorCode is missing`),
			step(fixedAnswer(http.StatusOK, "application/json", []byte(`{"errorCode":0,"errorMessage":"Success","requestId":"r3","data":{"address":12,"actions":"normal_end"}}`)),
				summary+`The request to v1/callback/get failed after 1 attempt\(s\): unexpected shape of the configuration: .*address`),
			// An errorCode given as a string is understood: this one is final.
			step(fixedAnswer(http.StatusOK, "application/json", []byte(`{"errorCode":"70004","errorMessage":"not admin","requestId":"r4"}`)),
				summary+`errorCode 70004 \(errorMessage "not admin"\) to v1/callback/get, requestId r4, after 1 attempt\(s\).*not an administrator`),
			// A body larger than the client reads is refused, not buffered.
			step(fixedAnswer(http.StatusOK, "application/json", huge),
				summary+`v1/callback/get failed after 1 attempt\(s\): answer larger than 8388608 bytes`),
			{
				// The service behaves again: the configuration is created as declared.
				PreConfig:         h.answer(get, nil),
				Config:            cfg,
				ConfigStateChecks: append(callbackStateIs("tencentcallkit_callback.test", callbackV1, testCallbackAddress, callbackV1.actionsA), mockHolds(h.mock, callbackV1, testCallbackAddress, callbackV1.actionsA)),
			},
		},
	})
	// Nothing was written while the answers were hostile: the one set is the final create.
	if n := h.mock.Stats().Applied["v1/callback/set"]; n != 1 {
		t.Errorf("v1/callback/set applied %d times, want 1", n)
	}
}

// TestAccHostile_endlessPaging: a records service that always says "more"
// ends in an error that says so once it has answered far more records than it
// announced, and one that ignores the page number is caught at the repeats;
// neither returns a truncated or duplicated list; the first is no temporary
// problem, so the hint says to check endpoint instead of to retry.
func TestAccHostile_endlessPaging(t *testing.T) {
	t.Parallel()
	h := newHostileServer(t, mockserver.Options{})
	const list = "v1/records/get_records_by_filter"
	repeating := func(w http.ResponseWriter, r *http.Request) {
		r.Body = io.NopCloser(strings.NewReader(`{"numberPerPage":5,"page":1}`))
		endlessPages(w, r)
	}
	cfg := faultProviderConfig(h.URL, 0, "5s") + fmt.Sprintf(`
data "tencentcallkit_call_records" "all" {
  start_timestamp = %d
  number_per_page = 5
}
`, endlessStart-10)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: h.answer(list, repeating),
				Config:    cfg,
				ExpectError: errorPattern(`Unable to Read Call Records.*the service does not page: page \d+ of the records that started at \d+ holds records, as do all pages asked for before it.*refusing to return duplicated records.*` +
					`The service ignored the page number.*Retrying will not help.*Check endpoint`),
			},
			{
				PreConfig:   h.answer(list, endlessPages),
				Config:      cfg,
				ExpectError: errorPattern(`Unable to Read Call Records.*the service does not end the walk: 1105 records read, more than twice the 50 first announced plus 1,000`),
			},
		},
	})
	if n := h.hitsOf(list); n > 3+3+211*2 {
		t.Errorf("the services were asked %d times; the walk did not stop at its bound", n)
	}
}
