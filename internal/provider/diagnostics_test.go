package provider

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/walk"
)

func TestAddAPIError(t *testing.T) {
	t.Parallel()
	const leakedSig = "eJwtzEELgjAYgOG-sleakedSignature"
	cases := []struct {
		name    string
		err     error
		want    []string
		notWant []string
	}{
		{
			name: "bad usersig",
			err:  &callkit.APIError{Code: 70002, Message: "UserSig invalid", RequestID: "req-1", Endpoint: "v1/callback/get", Attempts: 1},
			want: []string{"errorCode 70002", `errorMessage "UserSig invalid"`, "v1/callback/get", "requestId req-1", "rejected the UserSig", "secret_key"},
		},
		{
			name: "not admin",
			err:  &callkit.APIError{Code: 70004, RequestID: "req-2", Endpoint: "v1/callback/set", Attempts: 1},
			want: []string{"errorCode 70004", "not an administrator", `"administrator"`},
		},
		{
			name: "not purchased",
			err:  &callkit.APIError{Code: 50001, RequestID: "req-3", Endpoint: "v1/callback/set", Attempts: 1},
			want: []string{"errorCode 50001", "Group Call package"},
		},
		{
			name: "rate limited after retries",
			err:  &callkit.APIError{Code: 70005, RequestID: "req-4", Endpoint: "v1/callback/get", Attempts: 6},
			want: []string{"errorCode 70005", "after 6 attempt(s)", "rate limited", "max_retries"},
		},
		{
			name: "v4 package expired",
			err:  &callkit.APIError{Code: 60020, RequestID: "Id-5", Endpoint: "v4/call_config/get_callback", Attempts: 1},
			want: []string{"errorCode 60020", "expired or is disabled"},
		},
		{
			name: "transport error quoting the request URL",
			err: &callkit.TransportError{Endpoint: "v1/callback/get", Attempts: 3, Err: fmt.Errorf(
				`Post "http://127.0.0.1:1/v1/callback/get?sdkappid=1400000000&identifier=administrator&usersig=%s&random=7&contenttype=json": dial tcp 127.0.0.1:1: connect: connection refused`, leakedSig)},
			want:    []string{"v1/callback/get", "after 3 attempt(s)", "usersig=REDACTED", "connection refused", "reachable"},
			notWant: []string{leakedSig},
		},
		{
			name: "http status",
			err:  &callkit.TransportError{Endpoint: "v4/call_config/set_callback", Attempts: 6, HTTPStatus: 502, Err: errors.New("bad gateway")},
			want: []string{"HTTP status 502", "after 6 attempt(s)"},
		},
		{
			name: "wrapped",
			err:  fmt.Errorf("reading: %w", &callkit.APIError{Code: 70009, RequestID: "req-6", Endpoint: "v1/callback/set", Attempts: 1}),
			want: []string{"errorCode 70009", "requestId req-6"},
		},
		{
			name: "plain error",
			err:  errors.New("something odd"),
			want: []string{"something odd"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var diags diag.Diagnostics
			addAPIError(&diags, "Unable to Read Callback Configuration", tc.err)
			if len(diags) != 1 || diags[0].Severity() != diag.SeverityError {
				t.Fatalf("expected one error diagnostic, got %v", diags)
			}
			if got := diags[0].Summary(); got != "Unable to Read Callback Configuration" {
				t.Errorf("summary = %q", got)
			}
			detail := diags[0].Detail()
			for _, w := range tc.want {
				if !strings.Contains(detail, w) {
					t.Errorf("detail does not contain %q:\n%s", w, detail)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(detail, w) {
					t.Errorf("detail contains %q:\n%s", w, detail)
				}
			}
		})
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	got := redact(`GET /x?a=1&usersig=abc.def-ghi&b=2 and UserSig=zzz" key s3cr3t-key`, "s3cr3t-key", "")
	want := `GET /x?a=1&usersig=REDACTED&b=2 and UserSig=REDACTED" key REDACTED`
	if got != want {
		t.Errorf("redact:\n got %s\nwant %s", got, want)
	}
}

// TestErrorHints_brokenWalks: a service that does not page, answers out of
// start-time order or never ends a walk gets a hint on what that means and
// what to check, not "a temporary problem: retry, or raise max_retries" (a
// retry meets the same service). Both API families, the errors wrapped as
// the walk and the clients wrap them.
func TestErrorHints_brokenWalks(t *testing.T) {
	t.Parallel()
	notPaging := fmt.Errorf("page 4: %w: page 4 of the records that started at 1700000000 repeats records already read", walk.ErrNotPaging)
	outOfOrder := fmt.Errorf("%w: a record that started at 1699999000 follows one that started at 1700000000", walk.ErrOutOfOrder)
	endless := fmt.Errorf("%w: 3100 records read, more than twice the 1000 first announced plus 1,000", walk.ErrEndless)
	cases := []struct {
		name   string
		detail func(error) string
		err    error
		want   []string
	}{
		{"callkit not paging", apiErrorDetail, notPaging, []string{"ignored the page number", "not a CallKit API", "proxy", "Check endpoint (or region", "Retrying will not help"}},
		{"callkit out of order", apiErrorDetail, outOfOrder, []string{"out of start-time order", "not a CallKit API", "proxy", "Check endpoint (or region", "Retrying will not help"}},
		{"callkit endless", apiErrorDetail, endless, []string{"far past the count it announced", "requestId"}},
		{"ccc not paging", cccErrorDetail, notPaging, []string{"ignored the page number", "not a Cloud Contact Center API", "proxy", "Check ccc_endpoint", "Retrying will not help"}},
		{"ccc out of order", cccErrorDetail, outOfOrder, []string{"out of start-time order", "not a Cloud Contact Center API", "proxy", "Check ccc_endpoint", "Retrying will not help"}},
		{"ccc endless", cccErrorDetail, endless, []string{"far past the count it announced", "RequestId"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			detail := tc.detail(tc.err)
			for _, w := range append(tc.want, tc.err.Error()) {
				if !strings.Contains(detail, w) {
					t.Errorf("detail does not contain %q:\n%s", w, detail)
				}
			}
			if strings.Contains(detail, "raise max_retries") || strings.Contains(detail, "temporary problem") {
				t.Errorf("detail calls it a temporary problem:\n%s", detail)
			}
		})
	}
}
