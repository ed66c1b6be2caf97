package mockserver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The mock's own reading of Tencent Cloud API 3.0 signing (TC3-HMAC-SHA256).
// It never imports the SDK, so a signing mistake in one is caught by the other.
//
//	CanonicalRequest = Method \n CanonicalURI ("/") \n CanonicalQueryString \n
//	                   CanonicalHeaders (one "name:value\n" per signed header) \n
//	                   SignedHeaders \n hex(sha256(body))
//	StringToSign     = "TC3-HMAC-SHA256" \n X-TC-Timestamp \n
//	                   Date/Service/tc3_request \n hex(sha256(CanonicalRequest))
//	Signature        = hex(HMAC(HMAC(HMAC(HMAC("TC3"+SecretKey, Date), Service), "tc3_request"), StringToSign))

const (
	tc3Algorithm  = "TC3-HMAC-SHA256"
	tc3Terminator = "tc3_request"
	// tc3MaxSkew is how far X-TC-Timestamp may be from the server's clock.
	tc3MaxSkew = 5 * time.Minute
)

// tc3Authorization is a parsed Authorization header:
// "TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b, Signature=HEX".
type tc3Authorization struct {
	secretID      string
	date          string
	service       string
	terminator    string
	signedHeaders []string
	signature     string
}

func parseTC3Authorization(h string) (tc3Authorization, bool) {
	var a tc3Authorization
	rest, ok := strings.CutPrefix(h, tc3Algorithm+" ")
	if !ok {
		return a, false
	}
	var cred, signed string
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, false
		}
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			a.signature = v
		default:
			return a, false
		}
	}
	scope := strings.Split(cred, "/")
	if len(scope) != 4 || signed == "" || a.signature == "" {
		return a, false
	}
	a.secretID, a.date, a.service, a.terminator = scope[0], scope[1], scope[2], scope[3]
	a.signedHeaders = strings.Split(signed, ";")
	return a, true
}

// authFailure is an API 3.0 authentication error: a code and a message.
type authFailure struct {
	code, msg string
}

// verifyTC3 checks a request's signature. body is the request body, already
// read. It returns nil when the signature verifies.
//
// Clients sign the Host they were pointed at. The Go SDK signs it with the
// port ("127.0.0.1:8080"); the Node SDK signs it without ("127.0.0.1"), since
// real endpoints have no port, and names the scope's service after the
// endpoint's first DNS label. So the host is accepted with or without its
// port, and the service may be "ccc" or the host's first label.
func (c *cccState) verifyTC3(r *http.Request, body []byte, now time.Time) *authFailure {
	a, ok := parseTC3Authorization(r.Header.Get("Authorization"))
	if !ok {
		return &authFailure{"AuthFailure.InvalidAuthorization", "The Authorization header is not a TC3-HMAC-SHA256 authorization: " +
			"expected \"TC3-HMAC-SHA256 Credential=SecretId/Date/Service/tc3_request, SignedHeaders=content-type;host, Signature=...\"."}
	}
	rawTS := r.Header.Get("X-TC-Timestamp")
	ts, err := strconv.ParseInt(rawTS, 10, 64)
	if err != nil {
		return &authFailure{"AuthFailure.InvalidAuthorization", "The X-TC-Timestamp header must be a unix time in seconds."}
	}
	if skew := now.Sub(time.Unix(ts, 0)); skew > tc3MaxSkew || skew < -tc3MaxSkew {
		return &authFailure{"AuthFailure.SignatureExpire", "Signature expired. Timestamp and server time cannot differ by more than 5 minutes " +
			"(server time " + strconv.FormatInt(now.Unix(), 10) + ", X-TC-Timestamp " + rawTS + ")."}
	}
	if a.secretID != c.secretID {
		return &authFailure{"AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct."}
	}
	hosts := hostVariants(r.Host)
	if f := a.scopeFailure(r.Host, ts); f != nil {
		return f
	}
	payload := sha256.Sum256(body)
	scope := a.date + "/" + a.service + "/" + tc3Terminator
	key := tc3Hmac(tc3Hmac(tc3Hmac([]byte("TC3"+c.secretKey), a.date), a.service), tc3Terminator)
	got, err := hex.DecodeString(a.signature)
	if err != nil {
		return &authFailure{"AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct."}
	}
	// The spec lowercases header values; SDKs sign them as sent. Both
	// readings are tried, for each reading of the host.
	for _, host := range hosts {
		for _, lower := range []bool{false, true} {
			canonical, ok := canonicalRequest(r, a.signedHeaders, host, hex.EncodeToString(payload[:]), lower)
			if !ok {
				return &authFailure{"AuthFailure.SignatureFailure", "A header named in SignedHeaders is missing from the request."}
			}
			sum := sha256.Sum256([]byte(canonical))
			toSign := tc3Algorithm + "\n" + rawTS + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
			if hmac.Equal(got, tc3Hmac(key, toSign)) {
				return nil
			}
		}
	}
	return &authFailure{"AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct."}
}

// scopeFailure checks the authorization's credential scope and signed
// headers against the request's host and timestamp; nil when they hold.
func (a tc3Authorization) scopeFailure(host string, ts int64) *authFailure {
	if want := time.Unix(ts, 0).UTC().Format("2006-01-02"); a.date != want {
		return &authFailure{"AuthFailure.SignatureFailure", "The credential scope's date " + strconv.Quote(a.date) +
			" is not the UTC date of X-TC-Timestamp (" + want + ")."}
	}
	if first := firstLabel(host); a.service != "ccc" && (first == "" || a.service != first) {
		return &authFailure{"AuthFailure.SignatureFailure", "The credential scope's service " + strconv.Quote(a.service) +
			" is neither \"ccc\" nor the host's first DNS label " + strconv.Quote(first) + "."}
	}
	if a.terminator != tc3Terminator {
		return &authFailure{"AuthFailure.SignatureFailure", "The credential scope must end with \"tc3_request\"."}
	}
	if !slices.Contains(a.signedHeaders, "content-type") || !slices.Contains(a.signedHeaders, "host") {
		return &authFailure{"AuthFailure.SignatureFailure", "SignedHeaders must include content-type and host."}
	}
	return nil
}

func tc3Hmac(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// canonicalRequest builds the canonical request for one reading of the host.
// Header values are trimmed, and lowercased when lower is set.
func canonicalRequest(r *http.Request, signed []string, host, payloadHash string, lower bool) (string, bool) {
	var b strings.Builder
	b.WriteString(r.Method + "\n/\n" + r.URL.RawQuery + "\n")
	for _, name := range signed {
		var v string
		if name == "host" {
			v = host
		} else {
			vals, ok := r.Header[http.CanonicalHeaderKey(name)]
			if !ok || len(vals) == 0 {
				return "", false
			}
			v = vals[0]
		}
		v = strings.TrimSpace(v)
		if lower {
			v = strings.ToLower(v)
		}
		b.WriteString(name + ":" + v + "\n")
	}
	b.WriteString("\n" + strings.Join(signed, ";") + "\n" + payloadHash)
	return b.String(), true
}

// hostVariants is the Host header as sent and, if it has a port, without it
// (an IPv6 literal both with and without brackets).
func hostVariants(h string) []string {
	out := []string{h}
	if name, _, err := net.SplitHostPort(h); err == nil {
		out = append(out, name)
		if strings.Contains(name, ":") {
			out = append(out, "["+name+"]")
		}
	}
	return out
}

// firstLabel is the first DNS label of a Host header's name: "ccc" for
// "ccc.mock.test:8080". For an IP address it is the first dotted part; an
// IPv6 literal has none.
func firstLabel(h string) string {
	if name, _, err := net.SplitHostPort(h); err == nil {
		h = name
	}
	if strings.Contains(h, ":") {
		return ""
	}
	label, _, _ := strings.Cut(h, ".")
	return strings.ToLower(label)
}
