package callkit

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/retry"
)

// Sentinel errors, matched with errors.Is against the errors the client returns.
// They, APIError and Is speak this API's own codes, so each client keeps its own.
var (
	// ErrNotFound: no callback configuration (999, 100301) or no record (70011, 101050).
	ErrNotFound = errors.New("not found")
	// ErrRateLimited: the service throttled the request and retries did not get through.
	ErrRateLimited = errors.New("rate limited")
	// ErrAuth: the UserSig or account was refused (70002, 70003, 70004, 60004, 60005, 60010).
	ErrAuth = errors.New("authentication failed")
	// ErrNotAdmin: the identifier is not an app administrator (70004, 60010). Also matches ErrAuth.
	ErrNotAdmin = errors.New("identifier is not an app administrator")
	// ErrNotPurchased: the app has not bought the Group Call package (50001).
	ErrNotPurchased = errors.New("group call package not purchased")
	// ErrPackageExpired: the app's package expired or is disabled (60020).
	ErrPackageExpired = errors.New("package expired or disabled")
	// ErrInvalidRequest: the service refused the request's parameters or body.
	ErrInvalidRequest = errors.New("invalid request")
)

// APIError is an error answer from the service: a non-zero errorCode (v1) or
// ErrorCode (v4) in an otherwise well-formed envelope.
type APIError struct {
	Code      int
	Message   string
	RequestID string
	// Endpoint is the API path, e.g. "v1/callback/get". Never the full URL: the
	// query string carries the UserSig.
	Endpoint string
	// Attempts is how many requests were sent for this call, retries included.
	Attempts int
}

func (e *APIError) Error() string { return e.Report().Text() }

// Report is the failure in the words both clients share.
func (e *APIError) Report() retry.Report {
	return retry.Report{
		API: true, Op: e.Endpoint, Code: fmt.Sprintf("errorCode %d", e.Code), Message: e.Message, Attempts: e.Attempts,
		Service: "TencentCallKit", MessageName: "errorMessage ", RequestIDName: "requestId", RequestID: e.RequestID,
	}
}

// Is maps error codes onto the sentinel errors.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Code == 999 || e.Code == 70011 || e.Code == 101050 || e.Code == 100301
	case ErrRateLimited:
		return isRateLimitCode(e.Code)
	case ErrAuth:
		switch e.Code {
		case 70002, 70003, 70004, 60004, 60005, 60010:
			return true
		}
	case ErrNotAdmin:
		return e.Code == 70004 || e.Code == 60010
	case ErrNotPurchased:
		return e.Code == 50001
	case ErrPackageExpired:
		return e.Code == 60020
	case ErrInvalidRequest:
		switch e.Code {
		case 70001, 70009, 60002, 60003, 60006, 60012, 60016, 60021, 100002:
			return true
		}
	}
	return false
}

func isRateLimitCode(code int) bool {
	switch code {
	case 70005, 60007, 60011, 60018, 60019:
		return true
	}
	return false
}

// TransportError is a failure that is not an API answer: a network error, a
// timeout, an HTTP status other than 200, or a body that is not the documented
// envelope. It is returned after the retries are spent.
type TransportError struct {
	Endpoint   string
	Attempts   int
	HTTPStatus int // 0 when no HTTP answer arrived
	Err        error
}

func (e *TransportError) Error() string { return e.Report().Text() }

// Report is the failure in the words both clients share. A status of 200
// says nothing about a failure, so it is not told.
func (e *TransportError) Report() retry.Report {
	status := e.HTTPStatus
	if status == http.StatusOK {
		status = 0
	}
	return retry.Report{Op: e.Endpoint, HTTPStatus: status, Err: e.Err, Attempts: e.Attempts}
}

func (e *TransportError) Unwrap() error { return e.Err }

// redactURLError strips the request URL (which carries the UserSig in its
// query) from net/http errors, keeping only the operation and the cause.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("%s request timed out: %w", ue.Op, errTimeout)
		}
		return fmt.Errorf("%s request failed: %w", ue.Op, ue.Err)
	}
	return err
}

var errTimeout = errors.New("no answer within the request timeout")
