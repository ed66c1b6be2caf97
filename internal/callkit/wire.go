package callkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// flexInt decodes an integer given as a JSON number or a numeric string
// (one doc table types errorCode as String; callkit-api.md §1).
type flexInt struct {
	v   int64
	set bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		f.v, f.set = i, true
		return nil
	}
	// Integral floats such as 1.0 or 1e3 are integers in JSON's eyes.
	fl, err := strconv.ParseFloat(s, 64)
	if err != nil || fl != math.Trunc(fl) || math.Abs(fl) > 1<<53 {
		return fmt.Errorf("%s is not an integer", truncate(string(b), 40))
	}
	f.v, f.set = int64(fl), true
	return nil
}

// flexString decodes a string that may come as a JSON number (requestId is
// typed Integer in one doc table).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		return nil
	case len(b) >= 2 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b):
		// The decoder has checked the literal: without escapes its content
		// is the string (most fields of a record page).
		*f = flexString(b[1 : len(b)-1])
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("%s is not a string", truncate(string(b), 40))
		}
		*f = flexString(n.String())
		return nil
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

type v1Envelope struct {
	ErrorCode    *flexInt        `json:"errorCode"`
	ErrorMessage flexString      `json:"errorMessage"`
	RequestID    flexString      `json:"requestId"`
	Data         json.RawMessage `json:"data"`
}

type v4Envelope struct {
	ActionStatus string          `json:"ActionStatus"`
	ErrorInfo    flexString      `json:"ErrorInfo"`
	ErrorCode    *flexInt        `json:"ErrorCode"`
	RequestID    flexString      `json:"RequestId"`
	Response     json.RawMessage `json:"Response"`
}

var errNotEnvelope = errors.New("the answer is not a CallKit API envelope")

// decodeEnvelope parses an answer body of either family. A body that is not a
// JSON object or lacks the error code is reported with a short excerpt.
func decodeEnvelope(f family, raw []byte) (*result, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%w (not a JSON object)%s", errNotEnvelope, snippet(raw))
	}
	if f == familyV1 {
		var env v1Envelope
		if err := json.Unmarshal(trimmed, &env); err != nil {
			return nil, fmt.Errorf("%w: %v%s", errNotEnvelope, err, snippet(raw))
		}
		if env.ErrorCode == nil || !env.ErrorCode.set {
			return nil, fmt.Errorf("%w: errorCode is missing%s", errNotEnvelope, snippet(raw))
		}
		return &result{code: int(env.ErrorCode.v), message: string(env.ErrorMessage), requestID: string(env.RequestID), data: env.Data}, nil
	}
	var env v4Envelope
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return nil, fmt.Errorf("%w: %v%s", errNotEnvelope, err, snippet(raw))
	}
	if env.ErrorCode == nil || !env.ErrorCode.set {
		return nil, fmt.Errorf("%w: ErrorCode is missing%s", errNotEnvelope, snippet(raw))
	}
	code := int(env.ErrorCode.v)
	if code == 0 && env.ActionStatus == "FAIL" {
		// A failure without a code: an internal error by the v4 rules.
		code = 100001
	}
	return &result{code: code, message: string(env.ErrorInfo), requestID: string(env.RequestID), data: env.Response}, nil
}

// describeDecodeError words a JSON type mismatch in the API's field names
// instead of the client's Go types.
func describeDecodeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return fmt.Errorf("got a JSON %s where %s was expected", te.Value, jsonKind(te.Type.Kind().String()))
		}
		return fmt.Errorf("field %q is a JSON %s, expected %s", te.Field, te.Value, jsonKind(te.Type.Kind().String()))
	}
	return err
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	case "bool":
		return "a boolean"
	default:
		return "a number"
	}
}
