package console

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

const testKey = "test-key-for-the-mock"

var fixedNow = time.Unix(1_750_000_000, 0)

// startConsole serves a mock with its console in front, as the mock binary does.
func startConsole(t *testing.T, opts mockserver.Options) (*mockserver.Server, *httptest.Server) {
	t.Helper()
	if opts.Key == "" {
		opts.Key = testKey
	}
	s := mockserver.New(opts)
	ts := httptest.NewServer(New(s.ConsoleView(), s))
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	return s, ts
}

// apiPost calls the API as the mock's admin, with a UserSig minted by the
// vendor library, and returns the decoded envelope.
func apiPost(t *testing.T, base, path, body string) map[string]any {
	t.Helper()
	sig, err := tencentyun.GenUserSig(mockserver.DefaultSDKAppID, testKey, mockserver.DefaultIdentifier, 3600)
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{
		"sdkappid": {strconv.Itoa(mockserver.DefaultSDKAppID)}, "identifier": {mockserver.DefaultIdentifier}, "usersig": {sig},
		"random": {"12345"}, "contenttype": {"json"},
	}
	resp, err := http.Post(base+"/"+path+"?"+q.Encode(), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &out) != nil {
		t.Fatalf("%s: HTTP %d: %s", path, resp.StatusCode, b)
	}
	return out
}

// str is the string an envelope holds at v.
func str(t *testing.T, v any) string {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%v (%T) is not a string", v, v)
	}
	return s
}
