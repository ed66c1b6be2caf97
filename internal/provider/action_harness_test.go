package provider

// The harness for action tests. terraform-plugin-testing v1.16 has no action
// step (no -invoke, and no way to see an action's progress messages), so
// these tests drive the real Terraform binary themselves: terraformCLI
// (examples_test.go) with its dev_overrides to this test binary, which
// TestMain serves as the provider. The provider under test is therefore the
// code under test, built with the test's flags (-race included).
//
// Actions came with Terraform 1.14. OpenTofu has none yet (1.12 runs a
// provider that advertises one, but an `action` block fails validate with
// "Unsupported block type"), so the harness skips there and below 1.14,
// saying so, and nowhere else.

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// actionVersionChecks gate terraform-plugin-testing steps whose
// configuration holds an action block or an action_trigger.
var actionVersionChecks = []tfversion.TerraformVersionCheck{
	skipOnOpenTofu("OpenTofu has no actions yet"),
	tfversion.SkipBelow(tfversion.Version1_14_0),
}

// actionsSince is the first Terraform with actions.
var actionsSince = [3]int{1, 14, 0}

// actionCLI runs terraform apply in one working directory, so the state of
// one apply is there for the next (after_create, then after_update).
type actionCLI struct {
	*terraformCLI
	dir string
}

// newActionCLI returns the harness, or skips the test on an engine without
// actions. Like every acceptance test it needs TF_ACC=1.
func newActionCLI(t *testing.T) *actionCLI {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does) to run Terraform with actions")
	}
	// The engine is asked once per test binary: on engines without actions
	// the tests skip before starting any command.
	e := acceptanceEngine()
	if e.err != nil {
		t.Fatal(e.err)
	}
	v, err := parseVersion(e.version)
	switch {
	case err != nil:
		t.Fatal(err)
	case e.openTofu:
		t.Skipf("%s has no actions yet (an action block fails validate)", e)
	case slices.Compare(v[:], actionsSince[:]) < 0:
		t.Skipf("%s: actions need Terraform %d.%d or later", e, actionsSince[0], actionsSince[1])
	}
	return &actionCLI{terraformCLI: newTerraformCLI(t), dir: t.TempDir()}
}

// actionResult is what one terraform command printed.
type actionResult struct {
	stdout, stderr string
	err            error // non-nil when terraform exited non-zero
	progress       []actionProgress
}

// actionProgress is one line Terraform prints for an action's progress
// message: `Action action.TYPE.NAME (triggered by TRIGGER): MESSAGE`.
type actionProgress struct {
	action, trigger, message string
}

var progressRE = regexp.MustCompile(`^Action (action\.[^ ]+) \(triggered by ([^)]+)\): (.*)$`)

// apply writes config as the directory's main.tf and runs `terraform apply
// -auto-approve` with extra arguments (such as -invoke=action.X.Y).
func (a *actionCLI) apply(t *testing.T, config string, args ...string) actionResult {
	t.Helper()
	if err := os.WriteFile(filepath.Join(a.dir, "main.tf"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	args = append([]string{"apply", "-auto-approve", "-no-color", "-input=false"}, args...)
	stdout, stderr, err := a.run(t, a.rc, a.dir, nil, args...)
	res := actionResult{stdout: string(stdout), stderr: string(stderr), err: err}
	sc := bufio.NewScanner(strings.NewReader(res.stdout))
	for sc.Scan() {
		if m := progressRE.FindStringSubmatch(sc.Text()); m != nil {
			res.progress = append(res.progress, actionProgress{action: m[1], trigger: m[2], message: m[3]})
		}
	}
	return res
}

// invoke is `terraform apply -invoke=ADDRESS` on config.
func (a *actionCLI) invoke(t *testing.T, config, address string) actionResult {
	t.Helper()
	return a.apply(t, config, "-invoke="+address)
}

// messages are the progress messages of one action, in order.
func (r actionResult) messages(action string) []string {
	var out []string
	for _, p := range r.progress {
		if p.action == action {
			out = append(out, p.message)
		}
	}
	return out
}

// requireTriggers fails the test unless there are n progress messages,
// every one triggered by trigger (a resource address, or CLI for -invoke).
func (r actionResult) requireTriggers(t *testing.T, n int, trigger string) {
	t.Helper()
	if len(r.progress) != n || slices.ContainsFunc(r.progress, func(p actionProgress) bool { return p.trigger != trigger }) {
		t.Errorf("progress %+v, want %d messages triggered by %s", r.progress, n, trigger)
	}
}

// requireSuccess fails the test unless terraform succeeded.
func (r actionResult) requireSuccess(t *testing.T) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("terraform failed: %v\nstdout:\n%s", r.err, r.stdout)
	}
}

// requireErrors fails the test unless terraform failed with every pattern
// matched in its error output (errorPattern: spaces match line wraps).
func (r actionResult) requireErrors(t *testing.T, patterns ...string) {
	t.Helper()
	if r.err == nil {
		t.Fatalf("terraform succeeded, expected errors matching %q\nstdout:\n%s", patterns, r.stdout)
	}
	var errs []error
	for _, p := range patterns {
		if !errorPattern(p).MatchString(r.stderr) {
			errs = append(errs, errors.New(p))
		}
	}
	if len(errs) > 0 {
		t.Fatalf("terraform's errors do not match %v:\n%s", errors.Join(errs...), r.stderr)
	}
}
