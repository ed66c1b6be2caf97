package retry

import (
	"fmt"
	"strings"
)

// Report is a call's final failure as both clients word it: their error
// types differ in the service's vocabulary (an errorCode number or an API 3.0
// code, an endpoint path or an action), not in how a failure is told. Each
// client's APIError and TransportError fill one, and both their Error texts
// and the provider's diagnostics are written from it, here only.
type Report struct {
	API        bool   // an error answer from the service; else a failure without one
	Op         string // what was called: "v1/callback/get", "DescribeTelCdr"
	Code       string // with its label where the API has one: "errorCode 70001", "AuthFailure"
	Message    string // the service's error message
	HTTPStatus int    // 0 when no HTTP status is worth telling
	Err        error  // a transport failure's cause
	Attempts   int    // requests sent for the call, retries included; 0 when unknown

	Service       string // in details: "TencentCallKit", "Cloud Contact Center"
	MessageName   string // how a detail names Message, "" for none: `(errorMessage "…")`
	RequestIDName string // the API's spelling: "requestId", "RequestId"
	RequestID     string
}

// Reporter is an error that can say what its Report is.
type Reporter interface {
	error
	Report() Report
}

// AfterAttempts ends both clients' final errors: "after 3 attempt(s)".
func AfterAttempts(n int) string {
	return fmt.Sprintf("after %d attempt(s)", n)
}

// Text is the error text of the failure:
// "v1/callback/get: errorCode 70001 (bad), requestId r1, after 1 attempt(s)" or
// "DescribeTelCdr: HTTP 502: bad gateway, after 3 attempt(s)".
func (r Report) Text() string {
	if r.API {
		rid := r.RequestID
		if rid == "" {
			rid = "(none)"
		}
		return fmt.Sprintf("%s: %s (%s), %s %s, %s", r.Op, r.Code, r.Message, r.RequestIDName, rid, AfterAttempts(r.Attempts))
	}
	s := r.Op + ": "
	if r.HTTPStatus != 0 {
		s += fmt.Sprintf("HTTP %d: ", r.HTTPStatus)
	}
	return s + fmt.Sprintf("%v, %s", r.Err, AfterAttempts(r.Attempts))
}

// Detail is the first sentence of a diagnostic's detail. where is what the
// caller added around the failed call (" (page 3)"), or "".
func (r Report) Detail(where string) string {
	var b strings.Builder
	if r.API {
		fmt.Fprintf(&b, "The %s API answered %s", r.Service, r.Code)
		if r.Message != "" {
			fmt.Fprintf(&b, " (%s%q)", r.MessageName, r.Message)
		}
		b.WriteString(r.to(where))
		if r.RequestID != "" {
			fmt.Fprintf(&b, ", %s %s", r.RequestIDName, r.RequestID)
		}
		b.WriteString(r.after(", "))
		b.WriteString(".")
		return b.String()
	}
	b.WriteString("The request" + r.to(where) + " failed")
	if r.HTTPStatus != 0 {
		fmt.Fprintf(&b, " with HTTP status %d", r.HTTPStatus)
	}
	b.WriteString(r.after(" "))
	if r.Err != nil {
		fmt.Fprintf(&b, ": %s", r.Err)
	}
	b.WriteString(".")
	return b.String()
}

func (r Report) to(where string) string {
	if r.Op == "" {
		return where
	}
	return " to " + r.Op + where
}

// after says how many requests were sent, so a user can tell a refused
// request from one the retries could not get through.
func (r Report) after(sep string) string {
	if r.Attempts <= 0 {
		return ""
	}
	return sep + AfterAttempts(r.Attempts)
}

// Snippet is a short, printable prefix of an answer body or of a message that
// may quote one: at most n runes, control characters as spaces, "" for none.
func Snippet(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) > n {
		r = append(r[:n], '…')
	}
	for i, ch := range r {
		if ch < 0x20 {
			r[i] = ' '
		}
	}
	return string(r)
}
