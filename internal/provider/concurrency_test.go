package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// inFlight counts the requests a handler is serving at once and the most
// it ever served together. Each request is held for a fixed latency so that
// requests sent concurrently do overlap.
type inFlight struct {
	next    http.Handler
	latency time.Duration

	mu       sync.Mutex
	now, max int
	paths    map[string]bool // paths seen while another request was in flight
}

func (f *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.now++
	f.max = max(f.max, f.now)
	if f.now > 1 {
		f.paths[strings.TrimPrefix(r.URL.Path, "/")] = true
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.now--
		f.mu.Unlock()
	}()
	t := time.NewTimer(f.latency)
	select {
	case <-t.C:
	case <-r.Context().Done():
		t.Stop()
		return
	}
	f.next.ServeHTTP(w, r)
}

func (f *inFlight) snapshot() (int, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var paths []string
	for p := range f.paths {
		paths = append(paths, p)
	}
	return f.max, paths
}

// TestAccConcurrency_dataSourcesInParallel: twenty call_record, three
// call_records and two call_stats data sources and the callback resource in
// one configuration, which Terraform reads and applies ten at a time through
// one provider instance and its one API client. Under `go test -race` (as
// `make test` runs it) this checks the client, its limiters, UserSig cache and
// concurrent paging for data races; the answers must all be right.
func TestAccConcurrency_dataSourcesInParallel(t *testing.T) {
	t.Parallel()
	now := time.Now().Truncate(time.Second)
	mock := mockserver.New(mockserver.Options{Records: 260, Seed: 81, Clock: func() time.Time { return now }})
	counter := &inFlight{next: mock, latency: 60 * time.Millisecond, paths: map[string]bool{}}
	srv := httptest.NewServer(counter)
	t.Cleanup(func() {
		srv.Close()
		mock.Close()
	})
	recs := mock.Records()
	start := weekAgo(now)
	const n = 20
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%q", recs[i*13].CallID)
	}
	groups := filterRecords(recs, start, "", "group")

	config := faultProviderConfig(srv.URL, 2, "10s") + testCallbackBlock("test", "", testCallbackAddress, callbackV1.actionsA) + fmt.Sprintf(`
locals {
  call_ids = [%[2]s]
}

data "tencentcallkit_call_record" "r" {
  count   = %[3]d
  call_id = local.call_ids[count.index]
}

data "tencentcallkit_call_records" "v1" {
  start_timestamp = %[1]d
  number_per_page = 50
}

data "tencentcallkit_call_records" "v4" {
  start_timestamp = %[1]d
  api_version     = "v4"
}

data "tencentcallkit_call_records" "groups" {
  start_timestamp = %[1]d
  call_type       = "group"
  number_per_page = 20
}

data "tencentcallkit_call_stats" "v1" {
  start_timestamp = %[1]d
}

data "tencentcallkit_call_stats" "v4" {
  start_timestamp = %[1]d
  api_version     = "v4"
}
`, start, strings.Join(ids, ", "), n) +
		recordRowsOutput("v1_rows", "data.tencentcallkit_call_records.v1.records") +
		recordRowsOutput("v4_rows", "data.tencentcallkit_call_records.v4.records") +
		recordRowsOutput("group_rows", "data.tencentcallkit_call_records.groups.records")

	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("v1_rows", expectedRows(recs, "v1")),
		statecheck.ExpectKnownOutputValue("v4_rows", expectedRows(recs, "v4")),
		statecheck.ExpectKnownOutputValue("group_rows", expectedRows(groups, "v1")),
		mockHolds(mock, callbackV1, testCallbackAddress, callbackV1.actionsA),
	}
	checks = append(checks, callbackStateIs("tencentcallkit_callback.test", callbackV1, testCallbackAddress, callbackV1.actionsA)...)
	want := computeWantStats(recs)
	checks = append(checks, want.checks("data.tencentcallkit_call_stats.v1")...)
	checks = append(checks, want.checks("data.tencentcallkit_call_stats.v4")...)
	for i := range n {
		r := recs[i*13]
		addr := fmt.Sprintf("data.tencentcallkit_call_record.r[%d]", i)
		checks = append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("call_id"), knownvalue.StringExact(r.CallID)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("caller"), knownvalue.StringExact(r.Caller)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("start_call_ts"), knownvalue.Int64Exact(r.StartCallTs)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("end_ts"), knownvalue.Int64Exact(r.EndTs)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("call_result"), knownvalue.StringExact(r.CallResult)),
		)
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return mockHoldsNothing(mock, callbackV1).check()
		},
		Steps: []resource.TestStep{{Config: config, ConfigStateChecks: checks}},
	})

	peak, overlapped := counter.snapshot()
	if peak < 4 {
		t.Errorf("at most %d requests were in flight at once: the data sources did not run concurrently", peak)
	}
	for _, p := range []string{"v1/records/get_record_by_callId", "v1/records/get_records_by_filter", "v4/call_record_http_srv/get_record_by_filter"} {
		if !strings.Contains(strings.Join(overlapped, " "), p) {
			t.Errorf("no request to %s overlapped another (overlapping paths: %v)", p, overlapped)
		}
	}
	t.Logf("peak of %d concurrent requests; %d requests in all", peak, sum(mock.Stats().Requests))
}
