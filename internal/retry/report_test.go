package retry

import (
	"errors"
	"testing"
)

// TestReport: both clients' final failures, as error text and as a diagnostic's sentence.
func TestReport(t *testing.T) {
	t.Parallel()
	callkitAPI := Report{API: true, Op: "v1/callback/set", Code: "errorCode 70001", Message: "bad", Attempts: 1,
		Service: "TencentCallKit", MessageName: "errorMessage ", RequestIDName: "requestId", RequestID: "r1"}
	cccAPI := Report{API: true, Op: "DescribeTelCdr", Code: "AuthFailure", Message: "no", Attempts: 3,
		Service: "Cloud Contact Center", RequestIDName: "RequestId"}
	transport := Report{Op: "v1/callback/get", HTTPStatus: 502, Err: errors.New("bad gateway"), Attempts: 2}
	cases := []struct {
		r            Report
		where        string
		text, detail string
	}{
		{callkitAPI, "", "v1/callback/set: errorCode 70001 (bad), requestId r1, after 1 attempt(s)",
			`The TencentCallKit API answered errorCode 70001 (errorMessage "bad") to v1/callback/set, requestId r1, after 1 attempt(s).`},
		{cccAPI, " (page 2)", "DescribeTelCdr: AuthFailure (no), RequestId (none), after 3 attempt(s)",
			`The Cloud Contact Center API answered AuthFailure ("no") to DescribeTelCdr (page 2), after 3 attempt(s).`},
		{transport, "", "v1/callback/get: HTTP 502: bad gateway, after 2 attempt(s)",
			"The request to v1/callback/get failed with HTTP status 502 after 2 attempt(s): bad gateway."},
		{Report{Err: errors.New("refused")}, "", ": refused, after 0 attempt(s)", "The request failed: refused."},
	}
	for _, c := range cases {
		if got := c.r.Text(); got != c.text {
			t.Errorf("Text() = %q, want %q", got, c.text)
		}
		if got := c.r.Detail(c.where); got != c.detail {
			t.Errorf("Detail(%q) = %q, want %q", c.where, got, c.detail)
		}
	}
}

func TestSnippet(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"  <html>\n<body>  ", 20, "<html> <body>"},
		{"", 5, ""},
		{"abcdefgh", 5, "abcde…"},
		{"héllo wörld", 5, "héllo…"},
	}
	for _, c := range cases {
		if got := Snippet(c.in, c.n); got != c.want {
			t.Errorf("Snippet(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
