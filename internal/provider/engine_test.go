package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// testEngine is the CLI the acceptance tests drive: Terraform or OpenTofu.
// `tofu version -json` reports OpenTofu's own number as terraform_version,
// so tfversion checks alone cannot tell OpenTofu 1.12 from Terraform 1.12;
// the first line of `version` ("OpenTofu v1.12.6") can.
type testEngine struct {
	path     string
	openTofu bool
	version  string // as `version` prints it, without the "v"
	err      error
}

func (e testEngine) String() string {
	if e.openTofu {
		return "OpenTofu " + e.version
	}
	return "Terraform " + e.version
}

var (
	engineOnce sync.Once
	engine     testEngine
)

// acceptanceEngine finds the CLI as terraform-plugin-testing does
// (TF_ACC_TERRAFORM_PATH, else terraform on PATH) and asks it what it is,
// once per test binary.
func acceptanceEngine() testEngine {
	engineOnce.Do(func() {
		bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
		if bin == "" {
			var err error
			if bin, err = exec.LookPath("terraform"); err != nil {
				engine.err = fmt.Errorf("no Terraform CLI: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")
				return
			}
		}
		engine = detectEngine(bin)
	})
	return engine
}

func detectEngine(bin string) testEngine {
	e := testEngine{path: bin}
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		e.err = fmt.Errorf("%s version: %w", bin, err)
		return e
	}
	first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	name, v, ok := strings.Cut(strings.TrimSpace(first), " v")
	switch {
	case ok && name == "OpenTofu":
		e.openTofu = true
	case ok && name == "Terraform":
	default:
		e.err = fmt.Errorf("%s version: cannot tell the engine from %q", bin, first)
		return e
	}
	e.version = v
	return e
}

// engineCheck is a tfversion check that skips (or fails) by engine.
type engineCheck func(testEngine) (skip string, err error)

func (c engineCheck) CheckTerraformVersion(_ context.Context, _ tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	e := acceptanceEngine()
	if e.err != nil {
		resp.Error = e.err
		return
	}
	resp.Skip, resp.Error = c(e)
}

// skipOnOpenTofu skips a test on OpenTofu, saying why.
func skipOnOpenTofu(why string) tfversion.TerraformVersionCheck {
	return engineCheck(func(e testEngine) (string, error) {
		if e.openTofu {
			return fmt.Sprintf("%s: %s", e, why), nil
		}
		return "", nil
	})
}

// skipOpenTofuBelow skips a test on OpenTofu older than major.minor, saying
// why: OpenTofu's numbers are its own, so a Terraform version check alone
// can let an OpenTofu without the feature through.
func skipOpenTofuBelow(major, minor int, feature string) tfversion.TerraformVersionCheck {
	return engineCheck(func(e testEngine) (string, error) {
		v, err := parseVersion(e.version)
		if err != nil {
			return "", err
		}
		if e.openTofu && slices.Compare(v[:2], []int{major, minor}) < 0 {
			return fmt.Sprintf("%s: %s need OpenTofu %d.%d or later", e, feature, major, minor), nil
		}
		return "", nil
	})
}

// identityVersionChecks: resource identity (import by identity, identity in
// state) came with Terraform 1.12 and OpenTofu 1.12, the same number.
var identityVersionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

// queryVersionChecks: list resources and `terraform query` came with
// Terraform 1.14; OpenTofu has neither yet (whatever its number).
var queryVersionChecks = []tfversion.TerraformVersionCheck{
	skipOnOpenTofu("OpenTofu has no list resources or query command yet"),
	tfversion.SkipBelow(tfversion.Version1_14_0),
}

// openTofuBelow reports whether the acceptance tests run OpenTofu older
// than major.minor.
func openTofuBelow(major, minor int) bool {
	e := acceptanceEngine()
	if e.err != nil || !e.openTofu {
		return false
	}
	got, err := parseVersion(e.version)
	return err == nil && slices.Compare(got[:2], []int{major, minor}) < 0
}

// defaultOpenTofuProviderHost makes `TF_ACC_TERRAFORM_PATH=tofu go test` work
// on its own: OpenTofu resolves a provider without a host to
// registry.opentofu.org, so the reattached provider must be named there.
// scripts/testacc-matrix.sh sets the same; an explicit setting wins.
func defaultOpenTofuProviderHost() {
	if os.Getenv("TF_ACC") == "" || os.Getenv("TF_ACC_PROVIDER_HOST") != "" {
		return
	}
	if e := acceptanceEngine(); e.err == nil && e.openTofu {
		_ = os.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
		if os.Getenv("TF_ACC_PROVIDER_NAMESPACE") == "" {
			_ = os.Setenv("TF_ACC_PROVIDER_NAMESPACE", "hashicorp")
		}
	}
}

// openTofuPlansEphemeralOpens: OpenTofu 1.11 lists every ephemeral resource
// in its plans as an "open" change (opentofu#3781), even when nothing else
// changes, so a plan that is empty for Terraform is not empty for it.
func openTofuPlansEphemeralOpens() bool {
	return os.Getenv("TF_ACC") != "" && openTofuBelow(1, 12)
}

// expectOnlyEphemeralOpens is the empty-plan check for configurations with
// ephemeral resources that also holds on OpenTofu 1.11: every change is a
// no-op, except an "open" of an ephemeral resource where the engine plans
// those.
func expectOnlyEphemeralOpens() plancheck.PlanCheck { return onlyEphemeralOpens{} }

type onlyEphemeralOpens struct{}

func (onlyEphemeralOpens) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	opens := openTofuPlansEphemeralOpens()
	var problems []string
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Change == nil || rc.Change.Actions.NoOp() {
			continue
		}
		if opens && strings.HasPrefix(rc.Address, "ephemeral.") && len(rc.Change.Actions) == 1 && rc.Change.Actions[0] == "open" {
			continue
		}
		problems = append(problems, fmt.Sprintf("%s: %v", rc.Address, rc.Change.Actions))
	}
	if len(problems) > 0 {
		resp.Error = fmt.Errorf("expected no changes%s, got %s", map[bool]string{true: " but the ephemeral resources' open", false: ""}[opens], strings.Join(problems, "; "))
	}
}

// TestDetectEngine tells the engines apart by `version`'s first line, the
// only place OpenTofu names itself (its -json says terraform_version).
func TestDetectEngine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fake := func(name, firstLine string) string {
		p := filepath.Join(dir, name)
		script := "#!/bin/sh\nprintf '%s\\non linux_amd64\\n' '" + firstLine + "'\n"
		if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		line     string
		openTofu bool
		version  string
		fails    bool
	}{
		{line: "OpenTofu v1.12.6", openTofu: true, version: "1.12.6"},
		{line: "OpenTofu v1.11.14", openTofu: true, version: "1.11.14"},
		{line: "Terraform v1.15.9", version: "1.15.9"},
		{line: "Terraform v1.12.0-rc1", version: "1.12.0-rc1"},
		{line: "Something v1.0.0", fails: true},
	} {
		e := detectEngine(fake(strings.ReplaceAll(tc.line, " ", "_"), tc.line))
		switch {
		case tc.fails && e.err == nil:
			t.Errorf("%q: detected %s, want an error", tc.line, e)
		case !tc.fails && (e.err != nil || e.openTofu != tc.openTofu || e.version != tc.version):
			t.Errorf("%q: detected %s (OpenTofu %v, %v), want OpenTofu %v %s", tc.line, e, e.openTofu, e.err, tc.openTofu, tc.version)
		}
	}
}
