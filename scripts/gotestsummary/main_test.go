package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
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

// TestMatrixScript_missingEngines: scripts/testacc-matrix.sh refuses to run
// when an engine it claims cannot be found, naming each one and where it
// looked, before running any test: a matrix that dropped an engine silently
// would claim what it did not test.
func TestMatrixScript_missingEngines(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	empty := t.TempDir()
	cmd := exec.Command("bash", "../testacc-matrix.sh")
	cmd.Env = append(os.Environ(),
		"TF_MATRIX_ENGINES_DIR="+empty,
		"TF_MATRIX_OUT="+filepath.Join(empty, "out"),
		"TF_MATRIX_SHARED_BIN="+filepath.Join(empty, "no-shared-bin"),
		"TF_MATRIX_ENGINES=tofu-1.12.6 terraform-1.15.9 terraform-0.0.1",
		"PATH="+filepath.Join(empty, "no-bin")+":/usr/bin:/bin", // no terraform, no go
	)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the script succeeded without its engines:\n%s", out)
	}
	for _, want := range []string{
		"the matrix claims engines it cannot run",
		"OpenTofu 1.12.6: no " + filepath.Join(empty, "tofu-1.12.6"),
		"Terraform 1.15.9: no " + filepath.Join(empty, "terraform-1.15.9"),
		"Terraform 0.0.1: no " + filepath.Join(empty, "terraform-0.0.1"),
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "==> OpenTofu") || strings.Contains(string(out), "==> Terraform") {
		t.Errorf("the script ran tests before failing:\n%s", out)
	}
}
