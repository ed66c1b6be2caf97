// Command gotestsummary reads the `go test -json` logs of several runs of the same suite
// (one per engine, Terraform or OpenTofu, in scripts/testacc-matrix.sh) and prints one
// table: passed, failed and skipped tests and the wall time of each run, then the names of
// failed tests.
//
// Usage:
//
//	go run ./scripts/gotestsummary LABEL:SECONDS:EXITCODE:FILE...
//
// SECONDS and EXITCODE are measured by the caller around `go test` (so compile time and
// crashes that leave no JSON event are included). It exits 1 when any run failed.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// event is the subset of cmd/test2json's TestEvent that the summary needs.
type event struct {
	Action      string
	Package     string
	Test        string
	FailedBuild string // on a package's fail event: the package that did not compile
}

type run struct {
	label    string
	wall     time.Duration
	exitCode int
	passed   int
	skipped  int
	failed   int
	failures []string // "pkg TestName", or "pkg (package)" when a package failed outside any test
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gotestsummary LABEL:SECONDS:EXITCODE:FILE...")
		os.Exit(2)
	}
	runs := make([]run, 0, len(os.Args)-1)
	for _, arg := range os.Args[1:] {
		r, err := summarize(arg)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gotestsummary: %s: %v\n", arg, err)
			os.Exit(2)
		}
		runs = append(runs, r)
	}
	if !report(os.Stdout, runs) {
		os.Exit(1)
	}
}

func summarize(arg string) (run, error) {
	parts := strings.SplitN(arg, ":", 4)
	if len(parts) != 4 {
		return run{}, errors.New("want LABEL:SECONDS:EXITCODE:FILE")
	}
	secs, err := strconv.ParseFloat(parts[1], 64)
	if err != nil {
		return run{}, fmt.Errorf("seconds: %w", err)
	}
	code, err := strconv.Atoi(parts[2])
	if err != nil {
		return run{}, fmt.Errorf("exit code: %w", err)
	}
	f, err := os.Open(parts[3])
	if err != nil {
		return run{}, err
	}
	defer f.Close()
	r := run{label: parts[0], wall: time.Duration(secs * float64(time.Second)), exitCode: code}
	if err := count(f, &r); err != nil {
		return run{}, err
	}
	return r, nil
}

func count(in io.Reader, r *run) error {
	failedTests := map[string]bool{} // packages with at least one failed test
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue // go test writes build errors as plain text when a package fails to compile
		}
		var ev event
		if err := json.Unmarshal(line, &ev); err != nil {
			continue
		}
		r.add(ev, failedTests)
	}
	return sc.Err()
}

// add counts one test2json event; failedTests marks the packages with a
// failed test, so that their own fail event is not counted again.
func (r *run) add(ev event, failedTests map[string]bool) {
	switch {
	case ev.Test != "" && ev.Action == "pass":
		r.passed++
	case ev.Test != "" && ev.Action == "skip":
		r.skipped++
	case ev.Test != "" && ev.Action == "fail":
		r.failed++
		failedTests[ev.Package] = true
		r.failures = append(r.failures, ev.Package+" "+ev.Test)
	case ev.Test == "" && ev.Action == "fail" && ev.FailedBuild != "":
		r.failed++
		r.failures = append(r.failures, ev.Package+" (build failed: "+ev.FailedBuild+")")
	case ev.Test == "" && ev.Action == "fail" && !failedTests[ev.Package]:
		// A package that failed without a failing test: a panic, a timeout or TestMain.
		r.failed++
		r.failures = append(r.failures, ev.Package+" (package)")
	}
}

func (r run) ok() bool {
	return r.exitCode == 0 && r.failed == 0 && r.passed > 0
}

func report(w io.Writer, runs []run) bool {
	allOK := true
	var passed, skipped, failed int
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "engine\tpassed\tfailed\tskipped\twall time\tresult\t")
	for _, r := range runs {
		result := "ok"
		if !r.ok() {
			allOK = false
			switch {
			case r.failed > 0:
				result = "FAIL"
			case r.exitCode != 0:
				result = fmt.Sprintf("FAIL (exit %d)", r.exitCode)
			default:
				result = "FAIL (no test ran)"
			}
		}
		passed += r.passed
		skipped += r.skipped
		failed += r.failed
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t\n", r.label, r.passed, r.failed, r.skipped,
			r.wall.Round(time.Second), result)
	}
	_ = tw.Flush()
	for _, r := range runs {
		if len(r.failures) == 0 {
			continue
		}
		sort.Strings(r.failures)
		fmt.Fprintf(w, "\nfailed on %s:\n", r.label)
		for _, name := range r.failures {
			fmt.Fprintf(w, "  %s\n", name)
		}
	}
	fmt.Fprintf(w, "\nmatrix: %d passed, %d failed, %d skipped\n", passed, failed, skipped)
	return allOK
}
