// Package endpoint holds the one rule for an API endpoint override, shared by
// the CallKit and the Cloud Contact Center clients and the provider's
// plan-time validation: an absolute https URL, or plain http on a loopback
// host only, because every request carries credentials (an admin UserSig, a
// TC3 signature) that must not cross a network in clear; and the pooled HTTP
// transport both clients send through.
package endpoint

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Validate checks an endpoint override; its error never repeats a password.
func Validate(raw string) error {
	_, err := Parse(raw)
	return err
}

// Parse validates raw and returns it as a URL without a trailing slash.
func Parse(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) != raw || raw == "" {
		return nil, fmt.Errorf("endpoint %q is not a URL: it must be an absolute URL such as https://proxy.example.com", raw)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("endpoint %q is not an absolute URL: expected e.g. https://proxy.example.com or http://127.0.0.1:8080", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("endpoint %q must not contain user information", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("endpoint %q must not have a query or fragment", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("endpoint %q uses plain http on the non-loopback host %q: https is required (http is accepted only for 127.0.0.0/8, ::1 and localhost, e.g. a local mock)", raw, u.Hostname())
		}
	default:
		return nil, fmt.Errorf("endpoint %q has scheme %q: only https (or http on a loopback host) is allowed", raw, u.Scheme)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// IsLoopbackHost reports whether host (without port) is localhost or a loopback IP.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
