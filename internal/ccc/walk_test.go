package ccc_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// TestWalkExactWhileRecordsMove: the 80 oldest of 600 records expire after the
// 2nd request and calls end in the middle of the order; the walk returns each
// SessionId once and every record that matched throughout (issue 26).
func TestWalkExactWhileRecordsMove(t *testing.T) {
	t.Parallel()
	for _, pageSize := range []int64{100, 10} {
		m, url := startMock(t, mockserver.Options{CCCRecords: 600, Seed: 8})
		before := m.TelCdrs()
		var joined []mockserver.TelCdr
		for i := range 12 {
			r := before[100+40*i]
			r.SessionID = fmt.Sprintf("joined-%d", i)
			joined = append(joined, r)
		}
		if _, err := m.ScheduleMidWalk(mockserver.MidWalk{AfterRequests: 2, ExpireOldestTelCdrs: 80, AddTelCdrs: joined}); err != nil {
			t.Fatal(err)
		}
		q := monthQuery()
		q.PageSize = pageSize
		recs, err := client(t, url).DescribeAllTelCdrs(context.Background(), q, 0)
		if err != nil {
			t.Fatal(err)
		}
		after := m.TelCdrs()
		if len(after) != 600-80+12 {
			t.Fatalf("the mock holds %d records: the change did not happen", len(after))
		}
		valid, kept := map[string]bool{}, map[string]bool{}
		for _, r := range before {
			valid[r.SessionID] = true
		}
		for _, r := range after {
			kept[r.SessionID] = valid[r.SessionID]
			valid[r.SessionID] = true
		}
		seen := map[string]bool{}
		for _, id := range sessionIDs(recs) {
			if seen[id] || !valid[id] {
				t.Fatalf("page size %d: %s returned twice or never matched", pageSize, id)
			}
			seen[id] = true
		}
		for id, throughout := range kept {
			if throughout && !seen[id] {
				t.Fatalf("page size %d: %s matched throughout the walk and is missing (%d returned)", pageSize, id, len(recs))
			}
		}
	}
}

// TestWalkWithoutTotalCount: an answer without TotalCount still pages to the end.
func TestWalkWithoutTotalCount(t *testing.T) {
	t.Parallel()
	m, url := startMock(t, mockserver.Options{CCCRecords: 250, Seed: 2})
	m.SetOmitPaging(mockserver.OmitPaging{Total: true})
	c := client(t, url)
	recs, err := c.DescribeAllTelCdrs(context.Background(), monthQuery(), 0)
	if err != nil || len(recs) != 250 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	p, err := c.DescribeTelCdrPage(context.Background(), monthQuery(), 1)
	if err != nil || p.TotalCount != -1 || len(p.Records) != 100 {
		t.Fatalf("one page: total %d, %d records, %v", p.TotalCount, len(p.Records), err)
	}
}
