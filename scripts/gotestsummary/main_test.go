package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

const stream = `{"Action":"start","Package":"p/a"}
{"Action":"run","Package":"p/a","Test":"TestOK"}
{"Action":"pass","Package":"p/a","Test":"TestOK","Elapsed":0.1}
{"Action":"skip","Package":"p/a","Test":"TestSkipped","Elapsed":0}
{"Action":"fail","Package":"p/a","Test":"TestBad/sub","Elapsed":0}
{"Action":"fail","Package":"p/a","Test":"TestBad","Elapsed":0}
{"Action":"fail","Package":"p/a","Elapsed":0.2}
{"Action":"fail","Package":"p/b","Elapsed":0}
{"ImportPath":"p/c","Action":"build-fail"}
{"Action":"fail","Package":"p/c","Elapsed":0,"FailedBuild":"p/c"}
# p/c plain build output that is not JSON
{"Action":"pass","Package":"p/d","Elapsed":0}
`

func TestCount(t *testing.T) {
	var r run
	if err := count(strings.NewReader(stream), &r); err != nil {
		t.Fatal(err)
	}
	if r.passed != 1 || r.skipped != 1 || r.failed != 4 {
		t.Errorf("passed/skipped/failed = %d/%d/%d, want 1/1/4", r.passed, r.skipped, r.failed)
	}
	want := []string{"p/a TestBad/sub", "p/a TestBad", "p/b (package)", "p/c (build failed: p/c)"}
	if strings.Join(r.failures, "|") != strings.Join(want, "|") {
		t.Errorf("failures = %q, want %q", r.failures, want)
	}
}

func TestReport(t *testing.T) {
	tests := []struct {
		name   string
		runs   []run
		wantOK bool
		want   string
	}{
		{"all pass", []run{{label: "1.5.7", passed: 3, skipped: 1}}, true, "matrix: 3 passed, 0 failed, 1 skipped"},
		{"nonzero exit without failed tests", []run{{label: "1.8.5", passed: 3, exitCode: 1}}, false, "FAIL (exit 1)"},
		{"no test ran", []run{{label: "1.11.4"}}, false, "FAIL (no test ran)"},
		{"one of two fails", []run{{label: "a", passed: 1}, {label: "OpenTofu 1.12.6", passed: 1, failed: 1, failures: []string{"p TestX"}}}, false, "failed on OpenTofu 1.12.6:\n  p TestX"},
		// The table's columns, in the order the matrix promises: engine, passed, failed, skipped, wall time.
		{"columns", []run{{label: "Terraform 1.15.9", passed: 7, failed: 2, skipped: 3, wall: 75 * time.Second, exitCode: 1}}, false,
			"engine            passed  failed  skipped  wall time  result  \nTerraform 1.15.9  7       2       3        1m15s      FAIL    \n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if ok := report(&out, tt.runs); ok != tt.wantOK {
				t.Errorf("report() = %v, want %v", ok, tt.wantOK)
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("output does not contain %q:\n%s", tt.want, out.String())
			}
		})
	}
}
