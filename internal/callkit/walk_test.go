package callkit_test

// Walks against the mock while its records move (issue 26): calls end and
// join the middle of the start-time order, the oldest records expire, answers
// leave paging fields out, and many calls share one start second.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// joining makes n records of calls that ended just now, whose starts fall
// in the middle of recs' start times.
func joining(recs []mockserver.Record, n int) []mockserver.Record {
	out := make([]mockserver.Record, n)
	for i := range out {
		at := recs[len(recs)/4+i*len(recs)/(2*n)]
		out[i] = mockserver.Record{
			CallID: fmt.Sprintf("joined-%d", i), MediaType: "audio", RoomID: "1", RoomIDType: 1,
			StartCallTs: at.StartCallTs, EndTs: at.StartCallTs + 5, Caller: "user1", TotalUserNumber: 2,
			CallType: "single", CallResult: "cancel", Callees: []string{"user2"},
		}
	}
	return out
}

// checkExact asserts a walk's result while the records moved from before to
// after: no ID twice, ascending start, every record present throughout
// included, nothing that never matched.
func checkExact(t *testing.T, got []callkit.Record, before, after []mockserver.Record) {
	t.Helper()
	inBefore, inAfter := map[string]bool{}, map[string]bool{}
	for _, r := range before {
		inBefore[r.CallID] = true
	}
	for _, r := range after {
		inAfter[r.CallID] = true
	}
	seen := map[string]bool{}
	for i, r := range got {
		if seen[r.CallID] {
			t.Fatalf("call %s returned twice", r.CallID)
		}
		seen[r.CallID] = true
		if !inBefore[r.CallID] && !inAfter[r.CallID] {
			t.Fatalf("call %s never matched", r.CallID)
		}
		if i > 0 && r.StartCallTs < got[i-1].StartCallTs {
			t.Fatalf("record %d starts before the one before it", i)
		}
	}
	missing := 0
	for id := range inBefore {
		if inAfter[id] && !seen[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d records that matched throughout the walk are missing (%d returned)", missing, len(got))
	}
}

func TestWalkExactWhileRecordsMove(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		v       callkit.APIVersion
		perPage int
		after   int // record-list requests before the change
		expire  int
		join    int
	}{
		{"v1 oldest expire", callkit.V1, 100, 3, 150, 0},
		{"v1 calls end", callkit.V1, 100, 2, 0, 40},
		{"v4 calls end", callkit.V4, 100, 2, 0, 7},
		{"v4 both", callkit.V4, 100, 4, 150, 20},
		// Small pages: the window is cut into slices walked concurrently.
		{"v1 slices, both", callkit.V1, 10, 20, 150, 40},
		{"v4 slices, both", callkit.V4, 10, 7, 150, 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, url := startMock(t, mockserver.Options{Records: 1234, Seed: 11})
			before := m.Records()
			if _, err := m.ScheduleMidWalk(mockserver.MidWalk{AfterRequests: tc.after, ExpireOldest: tc.expire, Add: joining(before, tc.join)}); err != nil {
				t.Fatal(err)
			}
			got, err := client(t, url).ListAllRecords(context.Background(), tc.v, callkit.RecordFilter{StartTimestamp: before[0].StartCallTs, NumberPerPage: tc.perPage}, 0)
			if err != nil {
				t.Fatal(err)
			}
			after := m.Records()
			if len(after) != 1234-tc.expire+tc.join {
				t.Fatalf("the mock holds %d records after the walk: the change did not happen", len(after))
			}
			checkExact(t, got, before, after)
		})
	}
}

// TestWalkWithoutPagingFields: an answer without page (or totalNum) is not the
// last page; the short-page rule ends the walk.
func TestWalkWithoutPagingFields(t *testing.T) {
	t.Parallel()
	for _, o := range []mockserver.OmitPaging{{Page: true}, {Total: true}, {Page: true, Total: true}} {
		for _, v := range []callkit.APIVersion{callkit.V1, callkit.V4} {
			m, url := startMock(t, mockserver.Options{Records: 1234, Seed: 3})
			m.SetOmitPaging(o)
			c := client(t, url)
			f := callkit.RecordFilter{StartTimestamp: m.Records()[0].StartCallTs}
			got, err := c.ListAllRecords(context.Background(), v, f, 0)
			if err != nil || len(got) != 1234 {
				t.Fatalf("%+v %s: %d records, %v", o, v, len(got), err)
			}
			p, err := c.ListRecords(context.Background(), v, f, 2)
			if err != nil || len(p.Records) != 100 || (o.Page && p.Page != -1) || (o.Total && p.TotalNum != -1) || (!o.Total && p.TotalNum != 1234) {
				t.Fatalf("%+v %s: one page: total %d page %d, %d records, %v", o, v, p.TotalNum, p.Page, len(p.Records), err)
			}
		}
	}
}

// TestWalkManyCallsInOneSecond: more calls than a page started in the same
// second, some of them joining while the walk pages through that second.
func TestWalkManyCallsInOneSecond(t *testing.T) {
	t.Parallel()
	for _, v := range []callkit.APIVersion{callkit.V1, callkit.V4} {
		m, url := startMock(t, mockserver.Options{})
		now := time.Now().Unix()
		var recs []mockserver.Record
		for i := range 250 {
			recs = append(recs, mockserver.Record{CallID: fmt.Sprintf("busy-%03d", i), StartCallTs: now - 3600, EndTs: now - 3000,
				MediaType: "video", RoomID: "r", RoomIDType: 2, Caller: "a", CallType: "single", CallResult: "cancel", Callees: []string{"b"}})
		}
		recs = append(recs, mockserver.Record{CallID: "later", StartCallTs: now - 60, EndTs: now - 50, MediaType: "audio", RoomID: "r", RoomIDType: 2, Caller: "a", CallType: "single", CallResult: "cancel", Callees: []string{"b"}})
		m.AddRecords(recs...)
		before := m.Records()
		joined := []mockserver.Record{recs[0], recs[1]}
		joined[0].CallID, joined[1].CallID = "busy-joined-0", "busy-joined-1"
		if _, err := m.ScheduleMidWalk(mockserver.MidWalk{AfterRequests: 3, Add: joined}); err != nil {
			t.Fatal(err)
		}
		got, err := client(t, url).ListAllRecords(context.Background(), v, callkit.RecordFilter{StartTimestamp: now - 7200, NumberPerPage: 100}, 0)
		if err != nil {
			t.Fatal(err)
		}
		checkExact(t, got, before, m.Records())
		if got[len(got)-1].CallID != "later" {
			t.Fatalf("%s: the last record is %s", v, got[len(got)-1].CallID)
		}
	}
}

// TestWalkMaxRecords: exactly max_records succeed; one more match fails at
// once on the first answer's count, or while reading when it has none.
func TestWalkMaxRecords(t *testing.T) {
	t.Parallel()
	m, url := startMock(t, mockserver.Options{Records: 1234, Seed: 5})
	c := client(t, url)
	f := callkit.RecordFilter{StartTimestamp: m.Records()[0].StartCallTs}
	if got, err := c.ListAllRecords(context.Background(), callkit.V1, f, 1234); err != nil || len(got) != 1234 {
		t.Fatalf("exactly max: %d, %v", len(got), err)
	}
	const path = "v1/records/get_records_by_filter"
	before := m.Stats().Requests[path]
	_, err := c.ListAllRecords(context.Background(), callkit.V1, f, 1233)
	var tm *callkit.TooManyRecordsError
	if !errors.As(err, &tm) || !errors.Is(err, callkit.ErrTooManyRecords) || tm.Announced != 1234 || tm.Limit != 1233 {
		t.Fatalf("one over: %v", err)
	}
	if n := m.Stats().Requests[path] - before; n != 1 {
		t.Fatalf("one over: %d requests, want the first alone", n)
	}
	m.SetOmitPaging(mockserver.OmitPaging{Total: true})
	if _, err := c.ListAllRecords(context.Background(), callkit.V4, f, 1233); !errors.As(err, &tm) || tm.Announced != -1 {
		t.Fatalf("one over without totalNum: %v", err)
	}
}

// TestWalkStreamsAndStopsAtItsFailure: with answers 20 ms late and later slices
// in flight, a failing request ends the walk with its own error (not a
// cancellation), after every record before it was delivered in order; the
// callback's own error stops the walk too.
func TestWalkStreamsAndStopsAtItsFailure(t *testing.T) {
	t.Parallel()
	m, url := startMock(t, mockserver.Options{Records: 3000, Seed: 9})
	m.SetLatency(20 * time.Millisecond)
	c := client(t, url, func(cfg *callkit.Config) { cfg.MaxRetries = 0 })
	all := m.Records()
	f := callkit.RecordFilter{StartTimestamp: all[0].StartCallTs, NumberPerPage: 10}
	var got []string
	batches := 0
	n, err := c.WalkRecords(context.Background(), callkit.V1, f, callkit.WalkOptions{}, func(b []callkit.Record, p callkit.WalkProgress) error {
		batches++
		for _, r := range b {
			got = append(got, r.CallID)
		}
		if p.Read != int64(len(got)) || p.Announced != 3000 {
			return fmt.Errorf("progress %+v after %d records", p, len(got))
		}
		if batches == 40 {
			m.SetFaults(mockserver.Faults{Rate: 1, Kinds: []mockserver.FaultKind{mockserver.FaultInternal}})
		}
		return nil
	})
	var apiErr *callkit.APIError
	if !errors.As(err, &apiErr) || errors.Is(err, context.Canceled) || n != int64(len(got)) {
		t.Fatalf("err %v after %d records (n %d)", err, len(got), n)
	}
	want := make([]string, len(got))
	for i := range got {
		want[i] = all[i].CallID
	}
	if len(got) < 40*9 || !slices.Equal(got, want) {
		t.Fatalf("the %d records delivered are not the first ones in order", len(got))
	}

	m.SetFaults(mockserver.Faults{})
	stop := errors.New("enough")
	n, err = c.WalkRecords(context.Background(), callkit.V4, f, callkit.WalkOptions{}, func(b []callkit.Record, p callkit.WalkProgress) error {
		if p.Read >= 100 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n < 100 {
		t.Fatalf("callback error: %v after %d", err, n)
	}
}

// TestWalkMoreThan2000Pages: a walk is bounded by records, not pages. 2,100
// one-record pages are read to the end, each record once (57be3aa stopped
// with "too many pages" after 2,000); a bound of the records' count holds
// them all, one fewer fails before the walk.
func TestWalkMoreThan2000Pages(t *testing.T) {
	t.Parallel()
	m, url := startMock(t, mockserver.Options{Records: 2100, Seed: 19})
	recs := m.Records()
	c := client(t, url)
	f := callkit.RecordFilter{StartTimestamp: recs[0].StartCallTs, NumberPerPage: 1}
	got, err := c.ListAllRecords(context.Background(), callkit.V1, f, int64(len(recs)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(recs) {
		t.Fatalf("%d one-record pages read %d records, want %d", len(recs), len(got), len(recs))
	}
	checkExact(t, got, recs, recs)
	if _, err := c.ListAllRecords(context.Background(), callkit.V1, f, int64(len(recs)-1)); err == nil {
		t.Fatalf("a bound of %d records over %d matches read without an error", len(recs)-1, len(recs))
	}
}
