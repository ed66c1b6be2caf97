package endpoint

import (
	"net"
	"net/http"
	"time"
)

// PooledTransport is the HTTP transport both clients reach their endpoint
// through when the caller brings none: a fresh one with the standard
// library's defaults (proxy from the environment, dial and TLS timeouts,
// HTTP/2), never the program's shared http.DefaultTransport, keeping up to
// perHost idle connections to one busy host.
func PooledTransport(maxIdle, perHost int) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          maxIdle,
		MaxIdleConnsPerHost:   perHost,
		IdleConnTimeout:       90 * time.Second,
	}
}
