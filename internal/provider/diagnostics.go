package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/retry"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/walk"
)

// addAPIError adds an error diagnostic for a failed client call. summary is
// the caller's Title Case operation ("Unable to Read Callback Configuration");
// the detail says what the service answered and what to do about it. Nothing
// here can carry a secret: the client's errors never contain one, and redact
// strips any UserSig a wrapped transport error might quote.
func addAPIError(diags *diag.Diagnostics, summary string, err error) {
	diags.AddError(summary, apiErrorDetail(err))
}

func apiErrorDetail(err error) string {
	return redact(errorDetail(err, apiErrorHint))
}

// errorDetail words a failed call of either client: the Report's sentence,
// then what the user can do about it (hint; transport says the failure had
// no API answer).
func errorDetail(err error, hint func(err error, transport bool) string) string {
	if err == nil {
		return "The operation failed without an error from the API client. This is a bug in the provider; please report it."
	}
	var b strings.Builder
	var r retry.Reporter
	if errors.As(err, &r) {
		b.WriteString(r.Report().Detail(callContext(err, r)))
	} else {
		fmt.Fprintf(&b, "The API client reported: %s.", err)
	}
	if h := hint(err, r != nil && !r.Report().API); h != "" {
		b.WriteString("\n\n")
		b.WriteString(h)
	}
	return b.String()
}

// callContext returns what the client added around the failed call, such
// as " (page 3)" for a records walk that failed part-way: err reads
// "page 3: <inner>".
func callContext(err, inner error) string {
	outer, found := strings.CutSuffix(err.Error(), ": "+inner.Error())
	if !found || outer == "" {
		return ""
	}
	return " (" + outer + ")"
}

// apiFamily is what the hints need to know of an API family.
type apiFamily struct {
	name      string // as in "not a CallKit API"
	endpoint  string // the provider arguments that choose its address
	requestID string // the answer field support asks for
}

var (
	callKitAPI = apiFamily{name: "CallKit", endpoint: "endpoint (or region, when endpoint is unset)", requestID: "requestId"}
	cccAPI     = apiFamily{name: "Cloud Contact Center", endpoint: "ccc_endpoint (unset: https://ccc.tencentcloudapi.com)", requestID: "RequestId"}
)

// walkErrorHint says what the user can do about an all-pages read that the
// service's answers broke; "" when err is not that. A retry would meet the
// same service, so the hint never suggests one for a service that does not
// page or ignores the start filter.
func walkErrorHint(err error, api apiFamily) string {
	notAPI := fmt.Sprintf("Retrying will not help: the address the provider sends to is probably not a %s API, or a proxy on the way "+
		"rewrites the requests. Check %s.", api.name, api.endpoint)
	switch {
	case errors.Is(err, walk.ErrNotPaging):
		return "The service ignored the page number: it answered the same records whatever page the read asked for, which the " +
			api.name + " API does not do. " + notAPI
	case errors.Is(err, walk.ErrOutOfOrder):
		return "The service answered records out of start-time order, or from before the start time asked for: it ignored the order " +
			"or the start filter the read relies on, which the " + api.name + " API does not do. " + notAPI
	case errors.Is(err, walk.ErrEndless):
		return "The service kept answering records far past the count it announced, so the read stopped rather than loop. Retry later; " +
			"if it persists, contact Tencent Cloud support with the " + api.requestID + " of a records request."
	}
	return ""
}

// apiErrorHint says what the user can do about err.
func apiErrorHint(err error, transport bool) string {
	if h := walkErrorHint(err, callKitAPI); h != "" {
		return h
	}
	switch {
	case errors.Is(err, callkit.ErrNotPurchased):
		return "The application has not bought the Group Call package that the TUICallKit server APIs need (errorCode 50001). " +
			"Buy or enable it for this SDKAppID in the Tencent RTC console, then retry."
	case errors.Is(err, callkit.ErrPackageExpired):
		return "The application's package has expired or is disabled. Renew it in the Tencent RTC console, then retry."
	case errors.Is(err, callkit.ErrNotAdmin): // also matches ErrAuth: check it first
		return "The identifier the provider uses is not an administrator of this application. Set identifier to an app administrator account " +
			"(the default administrator account is \"" + callkit.DefaultIdentifier + "\")."
	case errors.Is(err, callkit.ErrAuth):
		return "The service rejected the UserSig the provider signed for the administrator account. " +
			"Check that secret_key is this application's secret key (Tencent RTC console > Application > Basic information), " +
			"that sdk_app_id is the right application, and that identifier names an existing account."
	case errors.Is(err, callkit.ErrRateLimited):
		return "The service kept answering \"rate limited\" after the provider's retries. Retry later, reduce parallelism (terraform -parallelism), or raise max_retries."
	case errors.Is(err, callkit.ErrInvalidRequest):
		return "The service rejected the request as invalid. Check the values in the configuration; if they look right, this may be a bug in the provider, please report it."
	case errors.Is(err, callkit.ErrNotFound):
		return "The object does not exist on the service."
	case transport:
		return "Check that the region or endpoint is right and reachable from this machine. If the service is slow or temporarily failing, retry, or raise request_timeout or max_retries."
	default:
		return "This may be a temporary problem on the service: retry, or raise max_retries. If it persists, contact Tencent Cloud support with the requestId."
	}
}
