package mockserver

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestConsole_requestLogKeepsTheLatest(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	for i := range maxRequestLog + 10 {
		req := httptest.NewRequest(http.MethodPost, "/v1/records/get_records_by_filter?n="+strconv.Itoa(i), strings.NewReader("{}"))
		s.ServeHTTP(httptest.NewRecorder(), req)
	}
	entries, total := s.RequestLog(maxRequestLog + 100)
	if total != maxRequestLog+10 || len(entries) != maxRequestLog {
		t.Fatalf("total %d, kept %d", total, len(entries))
	}
	if entries[0].Query != "n="+strconv.Itoa(maxRequestLog+9) || entries[len(entries)-1].Query != "n=10" {
		t.Fatalf("newest %q, oldest %q", entries[0].Query, entries[len(entries)-1].Query)
	}
}

func TestRedactQuery(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"sdkappid=1&usersig=eJyrVkrNSy3KTMsPzs8tSFWyUrK0tLQwMDAwUKoFAKxwCRs%3D&random=5": "random=5&sdkappid=1&usersig=[redacted]",
		"UserSig=abc&Key=k":  "Key=[redacted]&UserSig=[redacted]",
		"a=%zz&usersig=leak": "[redacted]",
		"":                   "",
	} {
		if got := redactQuery(in); got != want {
			t.Errorf("redactQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

// Cloud Contact Center requests are logged too, with API 3.0's string codes
// and request IDs, and the signature never appears.
func TestConsole_requestLogCCC(t *testing.T) {
	t.Parallel()
	s, srv, base, now := cccMock(t, Options{CCCRecords: 5, Seed: 3})
	q := base
	q.body = cdrBody(now, 10, 0, "")
	_, env := q.send(t, srv)
	okID := str(t, cccResponse(t, env)["RequestId"])
	bad := base
	bad.body = cdrBody(now, 10, 0, "")
	bad.secretKey = "wrong"
	_, env = bad.send(t, srv)
	badID := str(t, cccResponse(t, env)["RequestId"])
	entries, _ := s.RequestLog(10)
	if len(entries) != 2 || entries[0].Path != "ccc/DescribeTelCdr" || entries[0].ErrorCode != "AuthFailure.SignatureFailure" ||
		entries[0].RequestID != badID || entries[1].ErrorCode != "0" || entries[1].RequestID != okID {
		t.Fatalf("request log: %+v", entries)
	}
	if logged := fmt.Sprint(entries); strings.Contains(logged, "Signature=") {
		t.Errorf("the request log, which the console shows, holds a signature: %s", logged)
	}
}
