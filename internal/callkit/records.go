package callkit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// APIVersion selects the API generation of a records or callback call.
type APIVersion string

const (
	// V1 is the legacy callkit-domain API (v1/callback, v1/records).
	V1 APIVersion = "v1"
	// V4 is the current IM-domain API (v4/call_config, v4/call_record_http_srv).
	V4 APIVersion = "v4"
)

// Vocabularies of records, in the v1 spelling every Record uses.
var (
	CallTypes   = []string{"single", "group"}
	CallResults = []string{"cancel", "reject", "not_answer", "normal_end", "call_busy", "interrupt"}
)

// Record is one call, in the v1 vocabulary whichever API answered.
type Record struct {
	CallID          string
	SDKAppID        int64
	MediaType       string
	RoomID          string
	RoomIDType      *int64 // v4 only: 1 numeric room, 2 string room
	StartCallTs     int64
	AcceptTs        int64
	EndTs           int64
	Caller          string
	TotalUserNumber *int64 // v1 only: v4 does not carry it, and it is never guessed
	CallType        string
	CallResult      string
	Callees         []string
}

// RecordFilter selects records; strings are in the v1 vocabulary.
type RecordFilter struct {
	StartTimestamp int64
	EndTimestamp   int64 // 0 → the read time; always sent
	CallResult     string
	CallType       string
	NumberPerPage  int // 0 → 100
}

// RecordPage is one page of a filter query, as the service answered it.
type RecordPage struct {
	// TotalNum is the answer's totalNum; -1 when the answer has none.
	TotalNum int64
	// Page is the answer's page field; -1 when the answer has none (an
	// absent page says nothing about more pages: it is not 0, "the last").
	Page    int64
	Records []Record
}

const defaultPageSize = 100

func (f RecordFilter) validate() (RecordFilter, error) {
	if f.NumberPerPage == 0 {
		f.NumberPerPage = defaultPageSize
	}
	if f.NumberPerPage < 1 || f.NumberPerPage > 100 {
		return f, fmt.Errorf("%w: numberPerPage %d is out of range: it must be 1..100", ErrInvalidRequest, f.NumberPerPage)
	}
	if f.StartTimestamp < 0 {
		return f, fmt.Errorf("%w: start timestamp %d is negative", ErrInvalidRequest, f.StartTimestamp)
	}
	if f.EndTimestamp != 0 && f.EndTimestamp < f.StartTimestamp {
		return f, fmt.Errorf("%w: end timestamp %d is before start timestamp %d", ErrInvalidRequest, f.EndTimestamp, f.StartTimestamp)
	}
	if f.CallResult != "" && !slices.Contains(CallResults, f.CallResult) {
		return f, fmt.Errorf("%w: call result %q: valid results are %s", ErrInvalidRequest, f.CallResult, strings.Join(CallResults, ", "))
	}
	if f.CallType != "" && !slices.Contains(CallTypes, f.CallType) {
		return f, fmt.Errorf("%w: call type %q: valid types are %s", ErrInvalidRequest, f.CallType, strings.Join(CallTypes, ", "))
	}
	return f, nil
}

// withEnd fills an unset end with the read time, once per read so every page
// asks the same window: the docs' "default 7 days" may count from the start,
// which would drop the latest calls of an older start.
func (c *Client) withEnd(f RecordFilter) RecordFilter {
	if f.EndTimestamp == 0 {
		f.EndTimestamp = max(c.now().Unix(), f.StartTimestamp)
	}
	return f
}

func checkVersion(v APIVersion) error {
	if v != V1 && v != V4 {
		return fmt.Errorf("%w: API version %q: valid versions are v1 and v4", ErrInvalidRequest, v)
	}
	return nil
}

// GetRecord reads one call by ID; ErrNotFound (70011, 101050) when there is no
// record of it in the 7-day window.
func (c *Client) GetRecord(ctx context.Context, v APIVersion, callID string) (*Record, error) {
	if err := checkVersion(v); err != nil {
		return nil, err
	}
	if callID == "" {
		return nil, fmt.Errorf("%w: call ID is empty", ErrInvalidRequest)
	}
	if v == V4 {
		var data v4RecordByID
		if err := c.call(ctx, epGetRecordV4, map[string]string{"CallId": callID}, &data); err != nil {
			return nil, err
		}
		if data.CallRecord == nil {
			return nil, fmt.Errorf("%s: %w: the answer has no CallRecord for call %q", epGetRecordV4.path, ErrNotFound, callID)
		}
		r := data.CallRecord.normalise(c.sdkAppID)
		return &r, nil
	}
	var data *v1Record
	if err := c.call(ctx, epGetRecord, map[string]string{"callId": callID}, &data); err != nil {
		return nil, err
	}
	if data == nil {
		return nil, fmt.Errorf("%s: %w: the answer has no record for call %q", epGetRecord.path, ErrNotFound, callID)
	}
	r := data.normalise()
	return &r, nil
}

// ListRecords fetches one page (page 0 = the first; the request omits it).
// Nothing matching is an empty page, not an error.
func (c *Client) ListRecords(ctx context.Context, v APIVersion, f RecordFilter, page int64) (*RecordPage, error) {
	if err := checkVersion(v); err != nil {
		return nil, err
	}
	f, err := f.validate()
	if err != nil {
		return nil, err
	}
	if page < 0 {
		return nil, fmt.Errorf("%w: page %d is negative", ErrInvalidRequest, page)
	}
	p, err := c.fetchPage(ctx, v, c.withEnd(f), page)
	if errors.Is(err, ErrNotFound) {
		return &RecordPage{TotalNum: 0, Page: 0, Records: []Record{}}, nil
	}
	return p, err
}

// orAbsent is a decoded integer field, or -1 when the answer left it out.
func orAbsent(f flexInt) int64 {
	if !f.set {
		return -1
	}
	return f.v
}

func (c *Client) fetchPage(ctx context.Context, v APIVersion, f RecordFilter, page int64) (*RecordPage, error) {
	if v == V4 {
		body := v4FilterBody{StartTime: f.StartTimestamp, EndTime: f.EndTimestamp, NumberPerPage: f.NumberPerPage}
		if f.CallResult != "" {
			body.CallResult = v4Result(f.CallResult)
		}
		if f.CallType != "" {
			body.CallType = v4CallType(f.CallType)
		}
		if page > 0 {
			body.Page = page
		}
		var data v4FilterAnswer
		if err := c.call(ctx, epListRecordsV4, body, &data); err != nil {
			return nil, err
		}
		out := &RecordPage{TotalNum: orAbsent(data.TotalNum), Page: orAbsent(data.Page), Records: make([]Record, 0, len(data.CallRecordList))}
		for _, r := range data.CallRecordList {
			out.Records = append(out.Records, r.normalise(c.sdkAppID))
		}
		return out, nil
	}
	body := v1FilterBody{StartTimestamp: f.StartTimestamp, EndTimestamp: f.EndTimestamp, CallResult: f.CallResult, CallType: f.CallType, NumberPerPage: f.NumberPerPage}
	if page > 0 {
		body.Page = page
	}
	var data v1FilterAnswer
	if err := c.call(ctx, epListRecords, body, &data); err != nil {
		return nil, err
	}
	out := &RecordPage{TotalNum: orAbsent(data.TotalNum), Page: orAbsent(data.Page), Records: make([]Record, 0, len(data.CallRecordList))}
	for _, r := range data.CallRecordList {
		out.Records = append(out.Records, r.normalise())
	}
	return out, nil
}
