package callkit_test

// The walk against the mock under each reading the docs leave open (issue
// 33): tie order, end reading, a page cap, a start older than 7 days clamped
// or refused, with a busy second that loses its oldest calls one at a time
// while it is paged.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

func TestWalkUnderEveryMockReading(t *testing.T) {
	t.Parallel()
	var readings []mockserver.Readings
	for _, tie := range mockserver.TieOrders {
		for _, end := range mockserver.EndReadings {
			for _, old := range mockserver.OldStartAnswer {
				readings = append(readings, mockserver.Readings{TieOrder: tie, End: end, OldStart: old})
			}
		}
	}
	readings = append(readings, mockserver.Readings{PageCap: 30}, mockserver.Readings{PageCap: 7, TieOrder: "call_id", End: "exclusive"})
	for _, rd := range readings {
		for _, v := range []callkit.APIVersion{callkit.V1, callkit.V4} {
			t.Run(fmt.Sprintf("%s/%+v", v, rd), func(t *testing.T) {
				t.Parallel()
				now := time.Now()
				m, url := startMock(t, mockserver.Options{Records: 600, Seed: 33, Readings: rd, Clock: func() time.Time { return now }})
				// The oldest second the API reaches, busy.
				busy := m.Records()[0].StartCallTs - 1
				if _, err := m.BusySecond(250, busy); err != nil {
					t.Fatal(err)
				}
				before := m.Records()
				if n := len(before); n != 850 || before[249].StartCallTs != busy {
					t.Fatalf("%d records, the busy second not first", n)
				}
				// The busy second's oldest calls pass the retention one at
				// a time while it is paged (from the walk's second request).
				served, err := m.ScheduleMidWalk(mockserver.MidWalk{ExpireOneEach: 5})
				if err != nil {
					t.Fatal(err)
				}
				if served != 0 {
					t.Fatalf("%d list requests before the walk", served)
				}
				// The call at the window's end: the last record's start.
				end := before[len(before)-1].StartCallTs
				got, err := client(t, url).ListAllRecords(context.Background(), v,
					callkit.RecordFilter{StartTimestamp: busy, EndTimestamp: end, NumberPerPage: 100}, 0)
				if err != nil {
					t.Fatal(err)
				}
				after := m.Records()
				if len(after) != 850-5 {
					t.Fatalf("%d records after the walk: the expiries did not happen", len(after))
				}
				checkExact(t, got, before, after)
				if got[len(got)-1].StartCallTs != end {
					t.Fatalf("the call at end_timestamp %d is missing", end)
				}
			})
		}
	}
}
