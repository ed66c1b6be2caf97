package ccc

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/walk"
)

const (
	// MaxPageSize is the largest PageSize the API takes.
	MaxPageSize = 100
	// MaxRange is the API's limit on EndTimeStamp - StartTimeStamp: the range
	// must be under 90 days.
	MaxRange = 90 * 24 * time.Hour
)

// TelCdrQuery selects telephone call records (callkit-api.md §8).
type TelCdrQuery struct {
	SdkAppID       int64
	StartTimestamp int64 // unix seconds
	EndTimestamp   int64 // unix seconds; after StartTimestamp, less than 90 days later
	Phones         []string
	SessionIDs     []string
	PageSize       int64 // 1..100; 0 → 100
}

// normalize checks q against the documented limits, so a bad query fails here
// with a clear message instead of as the service's InvalidParameterValue.
func (q TelCdrQuery) normalize() (TelCdrQuery, error) {
	if q.PageSize == 0 {
		q.PageSize = MaxPageSize
	}
	maxRange := int64(MaxRange / time.Second)
	switch {
	case q.SdkAppID <= 0:
		return q, fmt.Errorf("%w: SdkAppId must be a positive Cloud Contact Center application ID, got %d", ErrInvalidRequest, q.SdkAppID)
	case q.StartTimestamp < 0:
		return q, fmt.Errorf("%w: StartTimeStamp must be a unix time in seconds, got %d", ErrInvalidRequest, q.StartTimestamp)
	case q.EndTimestamp <= q.StartTimestamp:
		return q, fmt.Errorf("%w: EndTimeStamp (%d) must be after StartTimeStamp (%d)", ErrInvalidRequest, q.EndTimestamp, q.StartTimestamp)
	case q.EndTimestamp-q.StartTimestamp >= maxRange:
		return q, fmt.Errorf("%w: the range from StartTimeStamp to EndTimeStamp must be under 90 days (%d seconds), got %d seconds",
			ErrInvalidRequest, maxRange, q.EndTimestamp-q.StartTimestamp)
	case q.PageSize < 1 || q.PageSize > MaxPageSize:
		return q, fmt.Errorf("%w: PageSize must be between 1 and %d, got %d", ErrInvalidRequest, MaxPageSize, q.PageSize)
	}
	return q, nil
}

func (q TelCdrQuery) request(page int64) *DescribeTelCdrRequest {
	return &DescribeTelCdrRequest{
		SdkAppId:       q.SdkAppID,
		StartTimeStamp: q.StartTimestamp,
		EndTimeStamp:   q.EndTimestamp,
		PageSize:       q.PageSize,
		PageNumber:     page,
		Phones:         q.Phones,
		SessionIds:     q.SessionIDs,
	}
}

// TelCdrPage is one page of records.
type TelCdrPage struct {
	// TotalCount is the service's count of records matching the query (-1
	// when the answer has none). DescribeAllTelCdrs fails at once when the
	// first answer's is over maxRecords, and sizes its time slices and its
	// bound against an endless walk by it, but never ends a walk by it.
	TotalCount int64
	Records    []TelCdrInfo
	RequestID  string
}

// DescribeTelCdrPage reads one page; pages are numbered from 0.
func (c *Client) DescribeTelCdrPage(ctx context.Context, q TelCdrQuery, pageNumber int64) (*TelCdrPage, error) {
	q, err := q.normalize()
	if err != nil {
		return nil, err
	}
	if pageNumber < 0 {
		return nil, fmt.Errorf("%w: PageNumber must be 0 or more, got %d", ErrInvalidRequest, pageNumber)
	}
	res, err := c.describeTelCdr(ctx, q.request(pageNumber))
	if err != nil {
		return nil, err
	}
	return pageFrom(res), nil
}

func pageFrom(res *DescribeTelCdrResult) *TelCdrPage {
	recs := res.records()
	total := int64(-1)
	if res.TotalCount != nil {
		total = *res.TotalCount
	}
	p := &TelCdrPage{TotalCount: total, Records: make([]TelCdrInfo, 0, len(recs)), RequestID: deref(res.RequestId)}
	for _, r := range recs {
		p.Records = append(p.Records, *r)
	}
	return p
}

// The bounds of an all-pages read (internal/walk keeps them for every bulk read).
var (
	// ErrTooManyRecords: more records match than the read's maxRecords.
	ErrTooManyRecords = walk.ErrTooManyRecords
	// ErrEndlessWalk: the service kept answering records far past the total
	// it announced.
	ErrEndlessWalk = walk.ErrEndless
)

// DescribeAllTelCdrs returns every record of the query, each SessionId once,
// in ascending StartTimestamp (the walk of internal/walk, as for call
// records: records that arrive or expire while it pages neither repeat nor
// hide others). maxRecords > 0 bounds it: a *walk.TooManyRecordsError when
// the first answer's TotalCount is larger, or a record beyond it would be
// read; 0 leaves only the bound against a service that never ends a walk.
func (c *Client) DescribeAllTelCdrs(ctx context.Context, q TelCdrQuery, maxRecords int64) ([]TelCdrInfo, error) {
	q, err := q.normalize()
	if err != nil {
		return nil, err
	}
	w := walk.Walk[TelCdrInfo]{
		From: q.StartTimestamp, To: q.EndTimestamp, PageSize: int(q.PageSize),
		Fetch:      c.walkPage(q),
		ID:         sessionKey,
		Start:      func(r *TelCdrInfo) int64 { return deref(r.StartTimestamp) },
		MaxRecords: maxRecords,
		Workers:    pageWorkers,
	}
	out := []TelCdrInfo{}
	_, err = w.Run(c.retry.Walk(ctx), func(batch []TelCdrInfo, _ walk.Progress) error {
		out = append(out, batch...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// pageWorkers bounds the time slices walked at once; the 20 requests/s pacer
// decides when each request goes.
const pageWorkers = 8

// walkPage is the walk's page request: q narrowed to [from, to], PageNumber index.
func (c *Client) walkPage(q TelCdrQuery) walk.Fetch[TelCdrInfo] {
	return func(ctx context.Context, from, to, index int64) (walk.Page[TelCdrInfo], error) {
		q := q // each call its own copy: slices are fetched concurrently
		q.StartTimestamp, q.EndTimestamp = from, to
		res, err := c.describeTelCdr(ctx, q.request(index))
		if err != nil {
			return walk.Page[TelCdrInfo]{}, err
		}
		p := pageFrom(res)
		return walk.Page[TelCdrInfo]{Records: p.Records, Total: p.TotalCount}, nil
	}
}

// sessionKey identifies a record: its SessionId, or (a record without one,
// which the docs do not foresee) its whole content.
func sessionKey(r *TelCdrInfo) string {
	if id := deref(r.SessionId); id != "" {
		return id
	}
	b, _ := json.Marshal(r)
	return "\x00" + string(b)
}
