package ccc

import (
	"context"
	"fmt"
	"time"
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
	// TotalCount is the service's count of records matching the query: a
	// hint, which DescribeAllTelCdrs does not rely on.
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
	p := &TelCdrPage{TotalCount: deref(res.TotalCount), Records: make([]TelCdrInfo, 0, len(recs)), RequestID: deref(res.RequestId)}
	for _, r := range recs {
		p.Records = append(p.Records, *r)
	}
	return p
}

// DescribeAllTelCdrs reads every page from PageNumber 0 and returns the
// records in the service's order. It stops at the first page shorter than
// PageSize, as the CallKit walk does: a missing or wrong TotalCount would
// silently truncate the list. A SessionId already read is dropped (pages
// shift while calls end); a full page of repeats means the service ignores
// PageNumber (an error, not a loop); more than Config.MaxPages is
// ErrTooManyPages.
func (c *Client) DescribeAllTelCdrs(ctx context.Context, q TelCdrQuery) ([]TelCdrInfo, error) {
	q, err := q.normalize()
	if err != nil {
		return nil, err
	}
	out := []TelCdrInfo{}
	seen := map[string]struct{}{}
	for page := int64(0); ; page++ {
		if page >= int64(c.maxPages) {
			return nil, fmt.Errorf("%w: more than %d pages of %d records match; narrow the time range or filter by phones or session IDs",
				ErrTooManyPages, c.maxPages, q.PageSize)
		}
		res, err := c.describeTelCdr(ctx, q.request(page))
		if err != nil {
			if page > 0 {
				return nil, fmt.Errorf("page %d: %w", page, err)
			}
			return nil, err
		}
		p := pageFrom(res)
		added := 0
		for _, r := range p.Records {
			if id := deref(r.SessionId); id != "" {
				if _, dup := seen[id]; dup {
					continue
				}
				seen[id] = struct{}{}
			}
			out = append(out, r)
			added++
		}
		full := int64(len(p.Records)) >= q.PageSize
		if full && added == 0 {
			return nil, fmt.Errorf("page %d repeats only records of earlier pages: the service does not seem to page (PageNumber ignored?); %d records were read before it", page, len(out))
		}
		if !full {
			return out, nil
		}
	}
}
