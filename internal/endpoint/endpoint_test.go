package endpoint

import (
	"strings"
	"testing"
)

func TestLoopbackRule(t *testing.T) {
	t.Parallel()
	ok := []string{"https://example.com", "https://10.0.0.1:8443/x", "http://127.0.0.1:8080", "http://127.5.6.7", "http://[::1]:9000", "http://localhost:1234", "http://LOCALHOST"}
	bad := map[string]string{
		"http://example.com":        "https is required",
		"http://10.0.0.1:8080":      "https is required",
		"http://127.0.0.1.nip.io":   "https is required",
		"ftp://127.0.0.1":           "scheme",
		"127.0.0.1:8080":            "",
		"":                          "not a URL",
		"https://":                  "absolute",
		"https://x.com?a=1":         "query",
		" https://x.com":            "not a URL",
		"https://user:pw@x.com":     "user information",
		"http://[::ffff:10.0.0.1]/": "https is required",
	}
	for _, u := range ok {
		if err := Validate(u); err != nil {
			t.Errorf("%q refused: %v", u, err)
		}
	}
	for u, want := range bad {
		err := Validate(u)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want mention of %q", u, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("%q: error leaks the password: %v", u, err)
		}
	}
}

func TestParseTrimsTrailingSlash(t *testing.T) {
	t.Parallel()
	u, err := Parse("https://proxy.example.com/base/")
	if err != nil || u.String() != "https://proxy.example.com/base" {
		t.Fatalf("Parse = %v, %v", u, err)
	}
}
