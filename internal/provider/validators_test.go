package provider

import (
	"strings"
	"testing"
)

func TestCallbackAddressProblem(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"https://example.com/cb":               "",
		"http://example.com:8080/cb?token=abc": "",
		"https://[::1]:8443/cb":                "",
		"https://example.com":                  "",
		"":                                     "empty",
		"ftp://example.com/cb":                 "scheme",
		"HTTPS://example.com/cb":               "lowercase",
		"//example.com/cb":                     "scheme",
		"example.com":                          "scheme",
		"https://":                             "no host",
		"https:///path":                        "no host",
		"https://exa mple.com":                 "whitespace",
		"https://example.com/a\tb":             "whitespace",
		"https://example.com/\x00":             "control",
		"https://user:pw@example.com/cb":       "credentials",
		"https://example.com/cb#frag":          "fragment",
		"https://example.com/%zz":              "does not parse",
		"https://example.com/" + strings.Repeat("a", maxCallbackAddressLength-20): "",
		"https://example.com/" + strings.Repeat("a", maxCallbackAddressLength-19): "2049 characters long",
	}
	for in, want := range cases {
		got := callbackAddressProblem(in)
		switch {
		case want == "" && got != "":
			t.Errorf("callbackAddressProblem(%q) = %q, want no problem", in, got)
		case want != "" && !strings.Contains(got, want):
			t.Errorf("callbackAddressProblem(%q) = %q, want it to mention %q", in, got, want)
		}
	}
}

func TestQuoteForMessage(t *testing.T) {
	t.Parallel()
	if got := quoteForMessage("abc"); got != `"abc"` {
		t.Errorf("short value: %s", got)
	}
	long := strings.Repeat("x", 200)
	if got := quoteForMessage(long); !strings.HasSuffix(got, "... (200 characters)") || len(got) > 120 {
		t.Errorf("long value: %s", got)
	}
}

func TestParseRequestTimeout(t *testing.T) {
	t.Parallel()
	if d, msg := parseRequestTimeout("10s"); msg != "" || d.String() != "10s" {
		t.Errorf("10s: %v %q", d, msg)
	}
	if d, msg := parseRequestTimeout("3001ms"); msg != "" || d.Milliseconds() != 3001 {
		t.Errorf("3001ms: %v %q", d, msg)
	}
	for _, bad := range []string{"3s", "0", "-5s", "10", "ten", ""} {
		if _, msg := parseRequestTimeout(bad); !strings.Contains(msg, `"`+bad+`"`) {
			t.Errorf("parseRequestTimeout(%q) message %q does not name the value", bad, msg)
		}
	}
}

// TestNearest: near misses get the values they were most likely meant as;
// values far from every candidate get none.
func TestNearest(t *testing.T) {
	t.Parallel()
	regions := []string{"china", "singapore", "seoul", "frankfurt", "silicon-valley", "jakarta"}
	actions := []string{"normal_end", "caller_call_end", "callee_call_end", "caller_start_call"}
	cases := []struct {
		candidates []string
		got        string
		want       []string
	}{
		{regions, "Singapore", []string{"singapore"}},
		{regions, "SILICON VALLEY", []string{"silicon-valley"}},
		{regions, "silicon_valley", []string{"silicon-valley"}},
		{regions, "singapur", []string{"singapore"}},
		{regions, "seol", []string{"seoul"}},
		{regions, "mars", nil},
		{regions, "", nil},
		{regions, "us", nil},
		{actions, "call_end", []string{"caller_call_end", "callee_call_end"}},
		{actions, "Normal_End", []string{"normal_end"}},
		{actions, "normal_ends", []string{"normal_end"}},
		{actions, "hangup", nil},
	}
	for _, tc := range cases {
		if got := nearest(tc.candidates, tc.got); strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("nearest(%q) = %q, want %q", tc.got, got, tc.want)
		}
	}
	if got := didYouMean(actions, "call_end"); got != ` Did you mean "caller_call_end" or "callee_call_end"?` {
		t.Errorf("didYouMean = %q", got)
	}
	if got := editDistance("kitten", "sitting"); got != 3 {
		t.Errorf("editDistance(kitten, sitting) = %d, want 3", got)
	}
}
