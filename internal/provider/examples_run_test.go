package provider

// Every example under examples/ is run here as a reader would run it: with the
// real Terraform CLI, against the mock, with nothing changed but the
// environment variables that point the provider at the mock (every example
// leaves endpoint, secret_key and the Tencent Cloud keys to them). The mock
// is seeded with records inside the windows the examples read, so an example
// that promises records must find some: every output must be non-empty.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// exampleMockOptions seeds the examples' mock: a week of call records (the
// records API's reach, every example's lookback) and a month of Cloud Contact
// Center records, enough that each filter the examples use matches.
var exampleMockOptions = mockserver.Options{Records: 3000, CCCRecords: 3000, Seed: 28}

// exampleEnv points a provider configured by environment variables at the
// mock. The variables are those a reader sets; TF_VAR_callkit_api is the
// usersig example's variable for the API's base URL.
func exampleEnv(mockURL string) []string {
	return []string{
		envEndpoint + "=" + mockURL,
		envSDKAppID + "=" + strconv.FormatInt(mockserver.DefaultSDKAppID, 10),
		envSecretKey + "=" + mockserver.DefaultKey,
		envCCCEndpoint + "=" + mockURL,
		envCloudSecretID + "=" + mockserver.DefaultCCCSecretID,
		envCloudSecretKey + "=" + mockserver.DefaultCCCSecretKey,
		"TF_VAR_sdk_app_id=" + strconv.FormatInt(mockserver.DefaultSDKAppID, 10),
		"TF_VAR_callkit_api=" + mockURL,
	}
}

// TestAccExamples_run applies every example directory against its own mock.
// The callback resource's import files and import.sh are run as imports of
// what resource.tf created, into an empty state; the list resource's query
// file is run with `terraform query` after resource.tf created the
// configurations it lists.
func TestAccExamples_run(t *testing.T) {
	t.Parallel()
	tf := newTerraformCLI(t)
	examples := filepath.Join(repoRoot, "examples")
	dirs := exampleModules(t)
	if len(dirs) < 8 {
		t.Fatalf("found only %d example directories under examples/: %v", len(dirs), dirs)
	}
	for _, dir := range dirs {
		files := exampleFiles(t, filepath.Join(examples, dir))
		t.Run(filepath.ToSlash(dir), func(t *testing.T) {
			t.Parallel()
			switch {
			case hasQueryFile(files):
				tf.runQueryExample(t, files)
			case hasImportFile(files):
				tf.runImportExamples(t, filepath.Join(examples, dir), files)
			default:
				tf.runExample(t, files)
			}
		})
	}
}

func hasImportFile(files map[string]string) bool {
	for name := range files {
		if strings.HasPrefix(name, "import-by-") {
			return true
		}
	}
	return false
}

// exampleFiles reads an example directory's Terraform files by name.
func exampleFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, m := range exampleFilesIn(t, dir) {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(m)] = string(b)
	}
	return files
}

// runExample applies files against a fresh mock and checks every output.
func (tf *terraformCLI) runExample(t *testing.T, files map[string]string) {
	t.Helper()
	tf.skipUnlessReads(t, files)
	_, url := newTestMock(t, exampleMockOptions)
	dir := writeModule(t, files)
	// An example that checks a receiver (var.receiver_url) gets a correct one,
	// and must have sent it sample deliveries.
	rc := newTestReceiver(t, nil)
	env := append(exampleEnv(url), "TF_VAR_receiver_url="+rc.url("/tuicallkit"))
	tf.mustApply(t, dir, env)
	if usesVar(files, "receiver_url") && len(rc.requests()) == 0 {
		t.Error("the example uses var.receiver_url, but the receiver got no sample deliveries from the apply")
	}
	out, _, err := tf.runWith(t, tf.rc, dir, env, nil, "output", "-json")
	if err != nil {
		t.Fatal(err)
	}
	var outputs map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(out, &outputs); err != nil {
		t.Fatalf("terraform output -json: %v\n%s", err, out)
	}
	for name, o := range outputs {
		if emptyJSON(o.Value) {
			t.Errorf("output %q is empty (%s): the example promises a value, and the mock holds records in its window", name, o.Value)
		}
	}
	declared := regexp.MustCompile(`(?m)^output\s+"([^"]+)"`)
	for _, code := range files {
		for _, m := range declared.FindAllStringSubmatch(code, -1) {
			if _, ok := outputs[m[1]]; !ok {
				t.Errorf("output %q is declared but terraform output does not show it", m[1])
			}
		}
	}
}

// usesVar reports whether any of files refers to var.name.
func usesVar(files map[string]string, name string) bool {
	re := regexp.MustCompile(`\bvar\.` + regexp.QuoteMeta(name) + `\b`)
	for _, code := range files {
		if re.MatchString(code) {
			return true
		}
	}
	return false
}

// emptyJSON: null, 0, "", [] and {} are empty answers.
func emptyJSON(raw json.RawMessage) bool {
	switch s := string(bytes.TrimSpace(raw)); s {
	case "", "null", "0", `""`, "[]", "{}":
		return true
	}
	return false
}

// runImportExamples applies resource.tf, then imports what it created into an
// empty state with each import-by-*.tf file and with import.sh; each import
// must leave nothing to change.
func (tf *terraformCLI) runImportExamples(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	base := map[string]string{}
	var imports []string
	for name, code := range files {
		if strings.HasPrefix(name, "import-by-") {
			imports = append(imports, name)
		} else {
			base[name] = code
		}
	}
	slices.Sort(imports)
	for _, imp := range imports {
		t.Run(imp, func(t *testing.T) {
			t.Parallel()
			withImport := map[string]string{imp: files[imp]}
			for name, code := range base {
				withImport[name] = code
			}
			tf.skipUnlessReads(t, withImport)
			_, url := newTestMock(t, exampleMockOptions)
			env := exampleEnv(url)
			tf.mustApply(t, writeModule(t, base), env)
			again := writeModule(t, withImport)
			tf.mustApply(t, again, env)
			tf.mustHaveNoChanges(t, again, env)
		})
	}
	t.Run("import.sh", func(t *testing.T) {
		t.Parallel()
		script, err := os.ReadFile(filepath.Join(dir, "import.sh"))
		if err != nil {
			t.Fatal(err)
		}
		_, url := newTestMock(t, exampleMockOptions)
		env := exampleEnv(url)
		tf.mustApply(t, writeModule(t, base), env)
		again := writeModule(t, base)
		// The script runs `terraform`: this engine, by that name, first on PATH.
		bin := t.TempDir()
		if err := os.Symlink(tf.bin, filepath.Join(bin, "terraform")); err != nil {
			t.Fatal(err)
		}
		env = append(env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		if out, _, err := tf.runCommand(t, tf.rc, again, env, script, "bash", "-eu"); err != nil {
			t.Fatalf("import.sh: %v\n%s", err, out)
		}
		tf.mustHaveNoChanges(t, again, env)
	})
}

// runQueryExample lists, with `terraform query`, the configurations the
// callback resource's example created: it must find some.
func (tf *terraformCLI) runQueryExample(t *testing.T, files map[string]string) {
	t.Helper()
	withModule := map[string]string{"main.tf": requiredProvidersStub}
	for name, code := range files {
		withModule[name] = code
	}
	tf.skipUnlessReads(t, withModule)
	if tf.openTofu {
		t.Skipf("OpenTofu %s has no list resources or query command yet", tf.versionString())
	}
	_, url := newTestMock(t, exampleMockOptions)
	env := exampleEnv(url)
	resources := exampleFiles(t, filepath.Join(repoRoot, "examples", "resources", "tencentcallkit_callback"))
	tf.mustApply(t, writeModule(t, map[string]string{"resource.tf": resources["resource.tf"]}), env)
	out, _, err := tf.runWith(t, tf.rc, writeModule(t, withModule), env, nil, "query", "-no-color")
	if err != nil {
		t.Fatal(err)
	}
	// Each list block must find its results (display name "<app> (<version>): <address>").
	for _, want := range []string{"list.tencentcallkit_callback.all", "(v1): https://hooks.example.com/callkit/v1", "(v4): https://hooks.example.com/callkit/v4"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("terraform query does not show %q:\n%s", want, out)
		}
	}
	// -generate-config-out writes each configuration once: two lists that
	// match one would write it twice, and the plan would import it twice.
	dir := writeModule(t, withModule)
	if out, _, err := tf.runWith(t, tf.rc, dir, env, nil, "query", "-no-color", "-generate-config-out=generated.tf"); err != nil {
		t.Fatalf("terraform query -generate-config-out: %v\n%s", err, out)
	}
	generated, err := os.ReadFile(filepath.Join(dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{`api_version = "v1"`, `api_version = "v4"`} {
		if n := strings.Count(string(generated), id); n != 2 { // the import block's identity and the resource
			t.Errorf("generated.tf names %s %d times, want twice (one import, one resource):\n%s", id, n, generated)
		}
	}
	if n := strings.Count(string(generated), "import {"); n != 2 {
		t.Errorf("generated.tf has %d import blocks, want 2 (one per configuration):\n%s", n, generated)
	}
}

// skipUnlessReads skips a configuration this engine cannot read, as
// validate does: the version gates of the features it uses.
func (tf *terraformCLI) skipUnlessReads(t *testing.T, files map[string]string) {
	t.Helper()
	if need, feature := minimumVersion(files); slices.Compare(tf.version[:], need[:]) < 0 {
		t.Skipf("uses %s, which need Terraform %d.%d or later; this is %s %s", feature, need[0], need[1], tf.engineName(), tf.versionString())
	}
}

// writeModule writes files into a new directory and returns it.
func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, code := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// jsonDiagnostic is a diagnostic of Terraform's machine-readable output.
type jsonDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address"`
}

// apply runs terraform apply -json in dir and returns its diagnostics (the
// dev_overrides notice left out) and its error.
func (tf *terraformCLI) apply(t *testing.T, dir string, env []string) ([]jsonDiagnostic, error) {
	t.Helper()
	out, _, err := tf.runWith(t, tf.rc, dir, env, nil, "apply", "-auto-approve", "-input=false", "-json", "-no-color")
	var diags []jsonDiagnostic
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var line struct {
			Type       string         `json:"type"`
			Diagnostic jsonDiagnostic `json:"diagnostic"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil || line.Type != "diagnostic" ||
			line.Diagnostic.Summary == "Provider development overrides are in effect" {
			continue
		}
		diags = append(diags, line.Diagnostic)
	}
	if err == nil {
		err = sc.Err()
	}
	if err != nil && len(diags) == 0 {
		err = fmt.Errorf("%w\n%s", err, out)
	}
	return diags, err
}

// mustApply applies dir and fails the test on an error or any diagnostic.
func (tf *terraformCLI) mustApply(t *testing.T, dir string, env []string) {
	t.Helper()
	diags, err := tf.apply(t, dir, env)
	if err != nil || len(diags) > 0 {
		t.Fatalf("terraform apply (%s %s): %v\n%s", tf.engineName(), tf.versionString(), err, describeJSONDiags(diags))
	}
}

func describeJSONDiags(diags []jsonDiagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "  [%s] %s: %s: %s\n", d.Severity, d.Address, d.Summary, d.Detail)
	}
	return b.String()
}

// mustHaveNoChanges: a plan of dir proposes nothing (exit code 0 of
// -detailed-exitcode; 2 means changes).
func (tf *terraformCLI) mustHaveNoChanges(t *testing.T, dir string, env []string) {
	t.Helper()
	out, _, err := tf.runWith(t, tf.rc, dir, env, nil, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("terraform plan after the import wants changes or failed: %v\n%s", err, out)
	}
}

var (
	// An ISO date (also an RFC 3339 time's), a US-style date, or a month
	// named with its year.
	absoluteDateRE = regexp.MustCompile(`(?i)\b(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b|` +
		`\b\d{1,2}/\d{1,2}/(19|20)\d\d\b|` +
		`\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2}(st|nd|rd|th)?,?\s+)?(19|20)\d\d\b|` +
		`\b\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(19|20)\d\d\b`)
	// A 10-digit (seconds) or 13-digit (milliseconds) number.
	unixTimeRE = regexp.MustCompile(`\b(\d{10}|\d{13})\b`)
)

// absoluteTimes lists the absolute dates and Unix times in text: those of the
// years 2000 to 2099, in seconds or milliseconds. The placeholder SDKAppIDs
// (the mock's, so that the examples run against it) look like Unix times
// of 2014 and are not ones.
func absoluteTimes(text string) []string {
	found := absoluteDateRE.FindAllString(text, -1)
	const from, to = 946684800, 4102444800 // 2000-01-01, 2100-01-01
	for _, s := range unixTimeRE.FindAllString(text, -1) {
		n, err := strconv.ParseInt(s, 10, 64)
		// The mock's SDKAppIDs, and the callback check's foreign-app sample
		// (the SDKAppID plus one), are IDs, not times.
		if err != nil || n == mockserver.DefaultSDKAppID || n == mockserver.DefaultSDKAppID+1 || n == mockserver.DefaultCCCSdkAppID {
			continue
		}
		if n >= from && n < to || n >= from*1000 && n < to*1000 {
			found = append(found, s)
		}
	}
	return found
}

// TestExamples_noAbsoluteTimes: an example or a docs snippet with a fixed
// date or Unix time stops working once that time leaves the APIs' reach (7
// days for call records, 180 for Cloud Contact Center). Every file under
// examples/ and every code block of docs/ and templates/ must count back
// from the read (lookback) or compute its times on the day.
func TestExamples_noAbsoluteTimes(t *testing.T) {
	t.Parallel()
	checked := 0
	check := func(where, text string) {
		checked++
		for _, s := range absoluteTimes(text) {
			t.Errorf("%s: %q is an absolute date or Unix time: use lookback, or a time computed on the day", where, s)
		}
	}
	walk := func(dir string, each func(rel, text string)) {
		err := filepath.WalkDir(filepath.Join(repoRoot, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(p, ".png") {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(repoRoot, p)
			each(filepath.ToSlash(rel), string(b))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	walk("examples", check)
	for _, dir := range []string{"docs", "templates"} {
		walk(dir, func(rel, text string) {
			for i, block := range fenceBlockRE.FindAllString(text, -1) {
				check(fmt.Sprintf("%s (code block %d)", rel, i+1), block)
			}
		})
	}
	if checked < 40 {
		t.Fatalf("checked only %d files and code blocks: the walk is broken", checked)
	}
}

// TestAbsoluteTimes: what the check above finds, and what it lets pass.
func TestAbsoluteTimes(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]int{
		"start_timestamp = 1764547200":            1,
		"end_ms = 1764547200000":                  1,
		"# 2025-12-01 00:00 to 12:00 UTC":         1,
		"# milliseconds): December 2025, UTC.":    1,
		"on 1 Dec 2025":                           1,
		"since 12/01/2025":                        1,
		"sdk_app_id = 1400000000":                 0,
		"for SDKAppID 1400000001 (another app's)": 0,
		"ccc_sdk_app_id = 1400000100":             0,
		`phones = ["13800010001"]`:                0,
		`lookback = "7d"`:                         0,
		"room_id = 123456":                        0,
	} {
		if got := absoluteTimes(text); len(got) != want {
			t.Errorf("absoluteTimes(%q) = %q, want %d", text, got, want)
		}
	}
}
