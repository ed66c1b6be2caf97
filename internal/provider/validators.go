package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
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

// oneOfValidator accepts one of a fixed list of values, like
// stringvalidator.OneOf, but its error lists the accepted values and
// suggests the one a near miss ("Singapore", "silicon_valley") meant.
type oneOfValidator struct {
	summary string // e.g. "Invalid Region"
	values  []string
}

var _ validator.String = oneOfValidator{}

func (v oneOfValidator) Description(context.Context) string {
	return "value must be one of: " + quotedList(v.values)
}

func (v oneOfValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v oneOfValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := oneOfProblem(v.values, req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf("Attribute %s %s", req.Path, msg))
	}
}

// oneOfProblem is "" when raw is one of values, else a sentence tail that
// names raw, suggests the nearest value and lists them all.
func oneOfProblem(values []string, raw string) string {
	if slices.Contains(values, raw) {
		return ""
	}
	return fmt.Sprintf("must be one of %s, got %s.%s", quotedList(values), quoteForMessage(raw), didYouMean(values, raw))
}

// didYouMean is " Did you mean "x"?" (or "x" or "y") for the candidates
// nearest to got, or "" when none is near.
func didYouMean(candidates []string, got string) string {
	near := nearest(candidates, got)
	if len(near) == 0 {
		return ""
	}
	q := make([]string, len(near))
	for i, c := range near {
		q[i] = strconv.Quote(c)
	}
	return " Did you mean " + strings.Join(q, " or ") + "?"
}

// maxSuggestions keeps a suggestion a hint rather than a second list.
const maxSuggestions = 3

// nearest returns the candidates got was most likely meant as, in their
// order: those equal to it when case and the separators - _ . and space are
// ignored; else those that contain it or that it contains (a word missing
// its prefix, such as "call_end" for "caller_call_end"); else those at the
// smallest edit distance, if that is small for got's length.
func nearest(candidates []string, got string) []string {
	g := foldWord(got)
	if g == "" {
		return nil
	}
	pick := func(keep func(c string) bool) []string {
		var out []string
		for _, c := range candidates {
			if keep(foldWord(c)) && len(out) < maxSuggestions {
				out = append(out, c)
			}
		}
		return out
	}
	if out := pick(func(c string) bool { return c == g }); len(out) > 0 {
		return out
	}
	if len(g) >= 3 {
		if out := pick(func(c string) bool { return strings.Contains(c, g) || strings.Contains(g, c) }); len(out) > 0 {
			return out
		}
	}
	limit := max(1, len(g)/3)
	best := limit + 1
	for _, c := range candidates {
		best = min(best, editDistance(foldWord(c), g))
	}
	if best > limit {
		return nil
	}
	return pick(func(c string) bool { return editDistance(c, g) == best })
}

// foldWord lowercases s and drops the separators people swap for each other.
func foldWord(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune("-_. ", r) {
			return -1
		}
		return unicode.ToLower(r)
	}, strings.TrimSpace(s))
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// durationUnits maps the unit words people write in a duration to the units
// lookback reads; weeks become days.
var durationUnits = map[string]string{
	"w": "w", "wk": "w", "wks": "w", "week": "w", "weeks": "w",
	"d": "d", "day": "d", "days": "d",
	"h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
	"m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
	"s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
}

var durationPartRE = regexp.MustCompile(`(\d{1,6})\s*([a-z]+)`)

// lookbackSuggestion rewrites a duration written in words ("3 days",
// "1 week", "24 Hours", "1 day and 12 hours") the way lookback reads it
// ("3d", "7d", "24h", "1d12h"), or returns "" when raw is not one.
func lookbackSuggestion(raw string) string {
	s := strings.ToLower(strings.TrimSpace(raw))
	var b strings.Builder
	prev := 0
	for _, m := range durationPartRE.FindAllStringSubmatchIndex(s, -1) {
		if strings.Trim(strings.ReplaceAll(s[prev:m[0]], "and", ""), " ,") != "" {
			return ""
		}
		n, unit := s[m[2]:m[3]], durationUnits[s[m[4]:m[5]]]
		switch unit {
		case "":
			return ""
		case "w":
			weeks, _ := strconv.Atoi(n) // at most 6 digits: no overflow
			n, unit = strconv.Itoa(weeks*7), "d"
		}
		b.WriteString(n + unit)
		prev = m[1]
	}
	out := b.String()
	if strings.TrimSpace(s[prev:]) != "" || out == raw {
		return ""
	}
	if _, err := parseLookback(out); err != nil {
		return ""
	}
	return out
}
