package mockserver

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentUse drives every kind of state change at once; run with -race.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	s, ts := startMock(t, Options{Records: 2000, Clock: newFakeClock(fixedNow).Now, DeliveryTimeScale: 0.01})
	rc := newReceiver(t, nil)
	c := newClient(t, ts.URL)
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for i := range 20 {
				switch (w + i) % 6 {
				case 0:
					c.post("v1/callback/set", fmt.Sprintf(`{"address":%q,"actions":["normal_end","caller_start_call"]}`, rc.url))
				case 1:
					c.post("v1/records/get_records_by_filter", fmt.Sprintf(`{"startTimestamp":%d,"numberPerPage":50}`, fixedNow.Unix()-86400))
				case 2:
					if _, err := s.SimulateCall(context.Background(), SimulatedCall{}); err != nil {
						t.Error(err)
					}
				case 3:
					s.AddRecords(seqRecords(3, fixedNow.Unix()-int64(1000*i), fmt.Sprintf("r%d-%d", w, i))...)
				case 4:
					c.post("v4/call_config/set_callback", fmt.Sprintf(`{"Url":%q,"CallbackCommandList":["Call.CallbackAfterEndCall"]}`, rc.url))
					s.SetFaults(Faults{Rate: 0.1, Kinds: []FaultKind{FaultInternal}})
				default:
					_ = s.Stats()
					_ = s.Deliveries()
					_ = s.SeenUserSigs()
					c.post("v4/call_record_http_srv/get_record_by_filter", `{"NumberPerPage":100}`)
				}
			}
		})
	}
	wg.Wait()
	waitDeliveries(t, s)
	if n := len(s.Records()); n < 2000+20 {
		t.Fatalf("%d records after concurrent adds", n)
	}
	if st := s.Stats(); st.Requests["v1/callback/set"] == 0 || st.Requests["v4/call_record_http_srv/get_record_by_filter"] == 0 {
		t.Fatalf("stats %+v", st)
	}
}
