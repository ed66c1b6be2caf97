package main

import (
	"io"
	"strings"
	"testing"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// TestParseFlagsReadings (issue 33): the readings the docs leave open are
// flags, checked before the mock starts.
func TestParseFlagsReadings(t *testing.T) {
	t.Parallel()
	c, err := parseFlags([]string{"-tie-order", "call_id", "-end-reading", "exclusive", "-page-cap", "50", "-old-start", "refuse", "-busy-second", "250"}, io.Discard)
	want := mockserver.Readings{TieOrder: "call_id", End: "exclusive", PageCap: 50, OldStart: "refuse"}
	if err != nil || c.opts.Readings != want || c.opts.BusySecond != 250 {
		t.Fatalf("%+v %d, %v", c.opts.Readings, c.opts.BusySecond, err)
	}
	m := mockserver.New(c.opts)
	defer m.Close()
	if got := m.CurrentReadings(); got != want || len(m.Records()) != 250 {
		t.Fatalf("the mock runs with %+v and %d records", got, len(m.Records()))
	}
	for _, bad := range [][]string{{"-tie-order", "random"}, {"-end-reading", "both"}, {"-page-cap", "101"}, {"-old-start", "ignore"}, {"-busy-second", "-1"}} {
		if _, err := parseFlags(bad, io.Discard); err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}
