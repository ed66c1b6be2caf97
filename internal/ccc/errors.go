package ccc

import (
	"errors"
	"strings"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/retry"
)

// Sentinel errors, matched with errors.Is against the errors the client returns.
// They, APIError and Is speak this API's own codes, so each client keeps its own.
var (
	// ErrMissingCredentials: Config has no SecretId or no SecretKey.
	ErrMissingCredentials = errors.New("missing Tencent Cloud API credentials")
	// ErrAuth: the service refused the credentials or the signature (AuthFailure.*).
	ErrAuth = errors.New("authentication failed")
	// ErrRateLimited: the service throttled the request and retries did not get through.
	ErrRateLimited = errors.New("rate limited")
	// ErrInvalidRequest: the service refused the request's parameters.
	ErrInvalidRequest = errors.New("invalid request")
	// ErrInstanceNotFound: the SdkAppId names no Cloud Contact Center application
	// these credentials can see.
	ErrInstanceNotFound = errors.New("cloud contact center application not found")
)

// APIError is an error answer from the service:
// {"Response": {"Error": {"Code", "Message"}, "RequestId"}}.
type APIError struct {
	Code      string
	Message   string
	RequestID string
	// Action is the API action, e.g. "DescribeTelCdr".
	Action string
	// Attempts is how many requests were sent for this call, retries included.
	Attempts int
}

func (e *APIError) Error() string { return e.Report().Text() }

// Report is the failure in the words both clients share.
func (e *APIError) Report() retry.Report {
	return retry.Report{
		API: true, Op: e.Action, Code: e.Code, Message: e.Message, Attempts: e.Attempts,
		Service: "Cloud Contact Center", RequestIDName: "RequestId", RequestID: e.RequestID,
	}
}

// Is maps API 3.0 error codes onto the sentinel errors.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrAuth:
		return hasCodePrefix(e.Code, "AuthFailure")
	case ErrRateLimited:
		return hasCodePrefix(e.Code, "RequestLimitExceeded")
	case ErrInstanceNotFound:
		return e.Code == "InvalidParameter.InstanceNotExist" || e.Code == "InvalidParameterValue.InstanceNotExist"
	case ErrInvalidRequest:
		return hasCodePrefix(e.Code, "InvalidParameter") || hasCodePrefix(e.Code, "InvalidParameterValue") ||
			hasCodePrefix(e.Code, "MissingParameter") || hasCodePrefix(e.Code, "UnknownParameter")
	}
	return false
}

// verdictFor says whether an API error code is worth another attempt:
// throttling and internal errors (InternalError.DBError included).
func verdictFor(code string) retry.Verdict {
	switch {
	case hasCodePrefix(code, "RequestLimitExceeded"):
		return retry.Throttled
	case hasCodePrefix(code, "InternalError"):
		return retry.Again
	}
	return retry.Stop
}

// hasCodePrefix reports whether code is prefix or one of its sub-codes
// ("AuthFailure" matches "AuthFailure.SignatureFailure", not "AuthFailureX").
func hasCodePrefix(code, prefix string) bool {
	return code == prefix || strings.HasPrefix(code, prefix+".")
}

// TransportError is a failure that is not an API answer: a network error, a
// timeout, an HTTP status other than 200, or a body that is not the API 3.0
// envelope. It is returned after the retries are spent.
type TransportError struct {
	Action     string
	Attempts   int
	HTTPStatus int // 0 when no HTTP answer arrived
	Err        error
}

func (e *TransportError) Error() string { return e.Report().Text() }

// Report is the failure in the words both clients share.
func (e *TransportError) Report() retry.Report {
	return retry.Report{Op: e.Action, HTTPStatus: e.HTTPStatus, Err: e.Err, Attempts: e.Attempts}
}

func (e *TransportError) Unwrap() error { return e.Err }
