package provider

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/endpoint"
)

// maxCallbackAddressLength bounds the callback URL. The service documents no
// limit; 2048 is the de-facto URL limit of browsers and proxies, so a longer
// value is almost certainly a mistake (a pasted document, a doubled URL).
const maxCallbackAddressLength = 2048

var (
	_ validator.String = endpointValidator{}
	_ validator.String = durationValidator{}
	_ validator.String = callbackAddressValidator{}
	_ validator.String = userIDValidator{}
)

// endpointValidator applies endpoint.Validate at plan time, so the
// provider and the client agree on one rule.
type endpointValidator struct{}

func (endpointValidator) Description(context.Context) string {
	return "value must be an absolute https:// URL, or http:// on a loopback host"
}

func (v endpointValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (endpointValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := endpoint.Validate(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Endpoint",
			fmt.Sprintf("Attribute %s value is refused: %s.", req.Path, err))
	}
}

// durationValidator checks a duration attribute at plan time with parse,
// the rule applied again once an unknown value is known. parse returns the
// duration or what is wrong, as a sentence tail.
type durationValidator struct {
	summary, description string
	parse                func(raw string) (time.Duration, string)
}

// requestTimeoutValidator: a duration longer than the service's own 3 s timeout.
var requestTimeoutValidator = durationValidator{"Invalid Request Timeout", "value must be a duration such as \"10s\", longer than 3s", parseRequestTimeout}

func (v durationValidator) Description(context.Context) string { return v.description }

func (v durationValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, msg := v.parse(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf("Attribute %s %s", req.Path, msg))
	}
}

// callbackAddressValidator accepts what the service accepts (an address that
// starts with http:// or https://) and additionally refuses values that cannot
// be a working absolute URL, so mistakes surface at plan time instead of as
// callbacks that silently never arrive.
type callbackAddressValidator struct{}

func (callbackAddressValidator) Description(context.Context) string {
	return fmt.Sprintf("value must be an absolute http:// or https:// URL with a host, without spaces, at most %d characters", maxCallbackAddressLength)
}

func (v callbackAddressValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (callbackAddressValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	if problem := callbackAddressProblem(raw); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Callback Address",
			fmt.Sprintf("Attribute %s must be an absolute http:// or https:// URL such as \"https://example.com/callkit/callback\", got %s: %s.",
				req.Path, quoteForMessage(raw), problem))
	}
}

// callbackAddressProblem says what is wrong with raw, or "" if nothing is.
func callbackAddressProblem(raw string) string {
	if raw == "" {
		return "the value is empty"
	}
	if n := len(raw); n > maxCallbackAddressLength {
		return fmt.Sprintf("it is %d characters long, at most %d are allowed", n, maxCallbackAddressLength)
	}
	if i := strings.IndexFunc(raw, unicode.IsSpace); i >= 0 {
		return fmt.Sprintf("it contains whitespace at position %d; percent-encode spaces as %%20", i+1)
	}
	for _, r := range raw {
		if unicode.IsControl(r) {
			return "it contains a control character"
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "it does not parse as a URL"
	}
	// The service compares the prefix case-sensitively ("must start with
	// http or https"), so HTTPS:// is refused here rather than by the API.
	if !strings.HasPrefix(raw, "http://") && !strings.HasPrefix(raw, "https://") {
		return "the scheme must be http or https, written in lowercase (https is recommended)"
	}
	if u.Host == "" || u.Hostname() == "" {
		return "the URL has no host"
	}
	if u.User != nil {
		return "the URL must not carry user:password credentials"
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return "the URL must not have a #fragment (it is never sent to the server)"
	}
	return ""
}

// quoteForMessage quotes a user value for an error message, shortening very
// long values so the message stays readable.
func quoteForMessage(s string) string {
	const keep = 80
	if len(s) <= keep {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q... (%d characters)", s[:keep], len(s))
}

// userIDValidator checks the characters the vendor allows in a user ID:
// letters, digits, underscore and hyphen. The length is checked by a
// separate validator so each mistake gets its own message.
type userIDValidator struct{}

func (userIDValidator) Description(context.Context) string {
	return "value must contain only letters (a-z, A-Z), digits (0-9), underscores (_) and hyphens (-)"
}

func (v userIDValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (userIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	pos := 0
	for _, r := range raw {
		pos++
		if r < 0x80 && (r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			continue
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid User ID",
			fmt.Sprintf("Attribute %s value %s contains %q at position %d: a user ID may contain only letters (a-z, A-Z), digits (0-9), underscores (_) and hyphens (-).",
				req.Path, quoteForMessage(raw), r, pos))
		return
	}
}
