package provider

// Every example under examples/ and every HCL snippet in docs/ is checked here
// with the real Terraform CLI against this provider's real schemas:
//
//   - each examples/ directory is one module: `terraform fmt -check` must pass,
//     and `terraform validate` must find it valid (attribute names and types,
//     references such as data.x.y.attr, the provider's validators and
//     ValidateConfig, ephemeral-value rules);
//   - each ```terraform block in docs/ must be `terraform fmt`-clean and valid
//     on its own, exactly as a reader would paste it;
//   - each ```hcl block in docs/ is a Terraform CLI configuration file (such as
//     the dev_overrides one in the mock guide). Those are HCL 1, which
//     `terraform fmt` cannot read (quoted argument names), so instead Terraform
//     must read the file without complaint, and a dev_overrides block must
//     really make Terraform use a local build of this provider.
//
// Terraform loads the provider through dev_overrides pointing at this test
// binary: TestMain serves the provider when Terraform starts the binary as a
// plugin, so what is validated is exactly the code under test, with no build
// step. Validation needs no provider configuration and no network.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// serveProviderEnv makes the test binary serve the provider instead of running
// tests. It is set only in the environment of the Terraform commands below,
// which hand their environment down to the plugins they start.
const serveProviderEnv = "TENCENTCALLKIT_TEST_SERVE_PROVIDER"

func TestMain(m *testing.M) {
	// A read of a service that answers nothing but failures fails after
	// seconds, not the minute it gets outside tests (retry.Progress).
	walkProgressWindow = testProgressWindow
	if os.Getenv(serveProviderEnv) == "1" {
		if err := Serve(context.Background(), "test", false); err != nil {
			fmt.Fprintln(os.Stderr, "serving the provider:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	defaultOpenTofuProviderHost()
	os.Exit(liveMain(m)) // -sweep, live mode (live_test.go) or the tests as usual
}

// testProgressWindow is walkProgressWindow in the provider's tests.
// It outlasts the longest backoff (5 s) with room to spare under load.
const testProgressWindow = 15 * time.Second

// repoRoot is the repository root, from this package's directory.
const repoRoot = "../.."

// TestExamples_everyTypeHasExampleAndPage: tfplugindocs renders a page per
// resource, data source and ephemeral resource, with the example file of the
// conventional name; a type without one gets a page without an example, and an
// example directory for a type that does not exist is silently ignored.
func TestExamples_everyTypeHasExampleAndPage(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	// The concrete provider: provider.go asserts the optional interfaces it implements.
	p := &tencentCallKitProvider{version: "test"}

	type kind struct {
		examplesDir, file, docsDir string
		names                      []string
	}
	var resources, dataSources, ephemerals, lists, actions []string
	importable, withIdentity := map[string]bool{}, map[string]bool{}
	for _, f := range p.Resources(ctx) {
		r := f()
		var resp resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "tencentcallkit"}, &resp)
		resources = append(resources, resp.TypeName)
		if _, ok := r.(resource.ResourceWithImportState); ok {
			importable[resp.TypeName] = true
		}
		if _, ok := r.(resource.ResourceWithIdentity); ok {
			withIdentity[resp.TypeName] = true
		}
	}
	const providerType = "tencentcallkit"
	lists = typeNames(p.ListResources(ctx), func(l list.ListResource) string {
		var resp resource.MetadataResponse
		l.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: providerType}, &resp)
		return resp.TypeName
	})
	actions = typeNames(p.Actions(ctx), func(a action.Action) string {
		var resp action.MetadataResponse
		a.Metadata(ctx, action.MetadataRequest{ProviderTypeName: providerType}, &resp)
		return resp.TypeName
	})
	dataSources = typeNames(p.DataSources(ctx), func(d datasource.DataSource) string {
		var resp datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: providerType}, &resp)
		return resp.TypeName
	})
	ephemerals = typeNames(p.EphemeralResources(ctx), func(e ephemeral.EphemeralResource) string {
		var resp ephemeral.MetadataResponse
		e.Metadata(ctx, ephemeral.MetadataRequest{ProviderTypeName: providerType}, &resp)
		return resp.TypeName
	})
	if len(resources) == 0 || len(dataSources) == 0 || len(ephemerals) == 0 || len(actions) == 0 {
		t.Fatalf("expected resources, data sources, ephemeral resources and actions, got %v, %v, %v, %v", resources, dataSources, ephemerals, actions)
	}

	mustExist := func(rel string) {
		if _, err := os.Stat(filepath.Join(repoRoot, rel)); err != nil {
			t.Errorf("missing %s: %v", rel, err)
		}
	}
	mustExist("examples/provider/provider.tf")
	mustExist("docs/index.md")
	for _, k := range []kind{
		{"resources", "resource.tf", "resources", resources},
		{"data-sources", "data-source.tf", "data-sources", dataSources},
		{"ephemeral-resources", "ephemeral-resource.tf", "ephemeral-resources", ephemerals},
		{"list-resources", "list-resource.tfquery.hcl", "list-resources", lists},
		{"actions", "action.tf", "actions", actions},
	} {
		for _, name := range k.names {
			mustExist(filepath.Join("examples", k.examplesDir, name, k.file))
			mustExist(filepath.Join("docs", k.docsDir, strings.TrimPrefix(name, "tencentcallkit_")+".md"))
			if k.examplesDir != "resources" {
				continue // a list resource shares its managed resource's name
			}
			if importable[name] {
				mustExist(filepath.Join("examples", k.examplesDir, name, "import.sh"))
			}
			if withIdentity[name] {
				mustExist(filepath.Join("examples", k.examplesDir, name, "import-by-identity.tf"))
			}
		}
		entries, err := os.ReadDir(filepath.Join(repoRoot, "examples", k.examplesDir))
		if err != nil {
			t.Errorf("reading examples/%s: %v", k.examplesDir, err)
			continue
		}
		for _, e := range entries {
			if !slices.Contains(k.names, e.Name()) {
				t.Errorf("examples/%s/%s is not a %s of the provider (which has %v): tfplugindocs ignores it", k.examplesDir, e.Name(), k.examplesDir, k.names)
			}
		}
	}
}

// typeNames are the type names of what the factories make.
func typeNames[T any](factories []func() T, name func(T) string) []string {
	out := make([]string, 0, len(factories))
	for _, f := range factories {
		out = append(out, name(f()))
	}
	return out
}

// TestAccExamples_validate runs `terraform fmt -check` over examples/ and
// `terraform validate` on every example directory.
func TestAccExamples_validate(t *testing.T) {
	t.Parallel()
	tf := newTerraformCLI(t)

	examples := filepath.Join(repoRoot, "examples")
	out, _, err := tf.run(t, tf.rc, examples, nil, "fmt", "-check", "-recursive", "-list=true", "-diff", "-no-color")
	if err != nil {
		t.Errorf("examples/ is not terraform fmt-clean (run `terraform fmt -recursive examples`): %v\n%s", err, out)
	}

	dirs := exampleModules(t)
	if len(dirs) < 6 {
		t.Fatalf("found only %d example directories under examples/: %v", len(dirs), dirs)
	}
	for _, dir := range dirs {
		files := make(map[string]string)
		var imports []string
		for _, m := range exampleFilesIn(t, filepath.Join(examples, dir)) {
			b, err := os.ReadFile(m)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Base(m)
			if strings.HasPrefix(name, "import-by-") {
				imports = append(imports, name)
			}
			files[name] = string(b)
		}
		// import-by-string-id.tf and import-by-identity.tf are two ways to
		// import the same resources: each is valid with the rest of the
		// directory, not with the other (Terraform refuses two imports of one
		// address).
		modules := map[string]map[string]string{filepath.ToSlash(dir): files}
		if len(imports) > 1 {
			modules = map[string]map[string]string{}
			for _, imp := range imports {
				m := map[string]string{}
				for name, code := range files {
					if name == imp || !slices.Contains(imports, name) {
						m[name] = code
					}
				}
				modules[filepath.ToSlash(dir)+"/"+imp] = m
			}
		}
		for name, files := range modules {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				if !hasQueryFile(files) {
					tf.validate(t, tf.rc, "examples/"+name, files)
					return
				}
				// A directory of .tfquery.hcl files (list resources) needs a
				// module to belong to; the provider needs no configuration.
				withModule := map[string]string{"main.tf": requiredProvidersStub}
				for n, code := range files {
					withModule[n] = code
				}
				tf.validate(t, tf.rc, "examples/"+name, withModule)
			})
		}
	}
}

// requiredProvidersStub makes a directory a module using this provider.
const requiredProvidersStub = `terraform {
  required_providers {
    tencentcallkit = {
      source = "tencentcallkit/tencentcallkit"
    }
  }
}
`

// actionBlockRE finds an action block or an action_trigger.
var actionBlockRE = regexp.MustCompile(`(?m)^action\s+"|^\s*action_trigger\s*\{`)

func usesActions(files map[string]string) bool {
	for _, code := range files {
		if actionBlockRE.MatchString(code) {
			return true
		}
	}
	return false
}

// exampleFilesIn lists the Terraform files of an example directory: .tf and
// .tfquery.hcl (list resources' examples, `terraform query`).
func exampleFilesIn(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, pattern := range []string{"*.tf", "*.tfquery.hcl"} {
		matches, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, matches...)
	}
	return out
}

func hasQueryFile(files map[string]string) bool {
	for name := range files {
		if strings.HasSuffix(name, ".tfquery.hcl") {
			return true
		}
	}
	return false
}

// listBlockRE finds a list block: the code is a .tfquery.hcl file's.
var listBlockRE = regexp.MustCompile(`(?m)^list\s+"`)

// runBlockRE finds a run block: the code is a .tftest.hcl file's, which only
// means something beside its module (TestAccGuides_steps runs it with one).
var runBlockRE = regexp.MustCompile(`(?m)^run\s+"`)

// TestAccDocs_snippets checks every ```terraform and ```hcl block of docs/.
func TestAccDocs_snippets(t *testing.T) {
	t.Parallel()
	tf := newTerraformCLI(t)

	// The pages embed the example files; those are validated as modules by
	// TestAccExamples_validate, so a block identical to one is only fmt-checked.
	exampleFiles := map[string]bool{}
	for _, dir := range exampleModules(t) {
		for _, m := range exampleFilesIn(t, filepath.Join(repoRoot, "examples", dir)) {
			b, err := os.ReadFile(m)
			if err != nil {
				t.Fatal(err)
			}
			exampleFiles[strings.TrimSpace(string(b))] = true
		}
	}

	var snippets []docSnippet
	err := filepath.WalkDir(filepath.Join(repoRoot, "docs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(repoRoot, path)
		if err != nil {
			return err
		}
		found, err := extractSnippets(filepath.ToSlash(rel), string(b))
		snippets = append(snippets, found...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every page shows at least its example, and the guides their own configurations.
	if len(snippets) < 10 {
		t.Fatalf("found only %d terraform/hcl blocks in docs/: has `make generate` run?", len(snippets))
	}

	for _, s := range snippets {
		t.Run(s.where(), func(t *testing.T) {
			t.Parallel()
			switch s.lang {
			case "hcl":
				tf.checkCLIConfig(t, s)
			case "terraform":
				if formatted := tf.format(t, s.code); formatted != s.code {
					t.Errorf("%s: the ```terraform block is not terraform fmt-clean; formatted it reads:\n%s", s.where(), formatted)
				}
				switch {
				case exampleFiles[strings.TrimSpace(s.code)], runBlockRE.MatchString(s.code):
				case listBlockRE.MatchString(s.code):
					// A guide's query file: valid beside a module using the provider.
					tf.validate(t, tf.rc, s.where(), map[string]string{"main.tf": requiredProvidersStub, "snippet.tfquery.hcl": s.code})
				default:
					tf.validate(t, tf.rc, s.where(), map[string]string{"main.tf": s.code})
				}
			}
		})
	}
}

// exampleModules lists the directories under examples/ that hold .tf files,
// relative to examples/, sorted.
func exampleModules(t *testing.T) []string {
	t.Helper()
	set := map[string]bool{}
	root := filepath.Join(repoRoot, "examples")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir // .terraform and the like, if someone ran terraform there
		}
		if !d.IsDir() && (strings.HasSuffix(d.Name(), ".tf") || strings.HasSuffix(d.Name(), ".tfquery.hcl")) {
			rel, err := filepath.Rel(root, filepath.Dir(path))
			if err != nil {
				return err
			}
			set[rel] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dirs := make([]string, 0, len(set))
	for d := range set {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	return dirs
}

// docSnippet is one fenced code block of a docs page.
type docSnippet struct {
	file string // e.g. docs/index.md
	line int    // of the opening fence
	lang string // terraform or hcl
	code string // ends with a newline
}

func (s docSnippet) where() string { return fmt.Sprintf("%s:%d", s.file, s.line) }

var fenceRE = regexp.MustCompile("^(```+|~~~+)\\s*([A-Za-z0-9_+-]*)")

// extractSnippets returns the terraform and hcl blocks of a markdown page. A
// block tagged tf is an error: tfplugindocs and the registry expect terraform.
func extractSnippets(file, markdown string) ([]docSnippet, error) {
	var out []docSnippet
	lines := strings.Split(markdown, "\n")
	for i := 0; i < len(lines); i++ {
		m := fenceRE.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		lang, start := strings.ToLower(m[2]), i+1
		body, end, err := blockBody(lines, i, m[1])
		if err != nil {
			return out, fmt.Errorf("%s:%d: %w", file, start, err)
		}
		i = end
		switch lang {
		case "terraform", "hcl":
			out = append(out, docSnippet{file: file, line: start, lang: lang, code: body})
		case "tf":
			return out, fmt.Errorf("%s:%d: tag the block ```terraform, not ```tf", file, start)
		}
	}
	return out, nil
}

// terraformCLI runs one Terraform binary with a private CLI configuration
// whose dev_overrides point at this test binary.
type terraformCLI struct {
	bin       string
	openTofu  bool
	version   [3]int
	pluginDir string   // holds this test binary as terraform-provider-tencentcallkit
	rc        string   // the CLI configuration file with the dev_overrides
	env       []string // added to every command's environment (and so the provider's)
}

// newTerraformCLI finds Terraform as terraform-plugin-testing does
// (TF_ACC_TERRAFORM_PATH, else PATH). Like every acceptance test it needs
// TF_ACC=1; without a Terraform binary it fails rather than skips.
func newTerraformCLI(t *testing.T) *terraformCLI {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does) to run Terraform on the examples and docs")
	}
	skipInLiveMode(t)
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("terraform"); err != nil {
			t.Fatal("no Terraform CLI: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")
		}
	}
	dir := t.TempDir()
	pluginDir := filepath.Join(dir, "plugins")
	if err := os.Mkdir(pluginDir, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	name := "terraform-provider-tencentcallkit"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if err := linkOrCopy(self, filepath.Join(pluginDir, name)); err != nil {
		t.Fatal(err)
	}
	// Examples without required_providers name the provider by its local name
	// alone, which Terraform reads as hashicorp/tencentcallkit: override both,
	// under both registries, since OpenTofu resolves the same source
	// addresses to registry.opentofu.org.
	rc := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/tencentcallkit/tencentcallkit" = %[1]q
    "registry.terraform.io/hashicorp/tencentcallkit"      = %[1]q
    "registry.opentofu.org/tencentcallkit/tencentcallkit" = %[1]q
    "registry.opentofu.org/hashicorp/tencentcallkit"      = %[1]q
  }
  direct {}
}
`, filepath.ToSlash(pluginDir))
	tf := &terraformCLI{bin: bin, pluginDir: pluginDir, rc: filepath.Join(dir, "terraformrc")}
	if err := os.WriteFile(tf.rc, []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}

	out, _, err := tf.run(t, tf.rc, dir, nil, "version", "-json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("terraform version -json: %v\n%s", err, out)
	}
	if tf.version, err = parseVersion(v.Version); err != nil {
		t.Fatal(err)
	}
	// OpenTofu's terraform_version is OpenTofu's own number.
	e := detectEngine(bin)
	if e.err != nil {
		t.Fatal(e.err)
	}
	tf.openTofu = e.openTofu
	return tf
}

func parseVersion(s string) ([3]int, error) {
	var v [3]int
	core, _, _ := strings.Cut(s, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return v, fmt.Errorf("cannot read Terraform version %q", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return v, fmt.Errorf("cannot read Terraform version %q", s)
		}
		v[i] = n
	}
	return v, nil
}

func (tf *terraformCLI) engineName() string {
	if tf.openTofu {
		return "OpenTofu"
	}
	return "Terraform"
}

func (tf *terraformCLI) versionString() string {
	return fmt.Sprintf("%d.%d.%d", tf.version[0], tf.version[1], tf.version[2])
}

func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// run runs terraform in dir with the CLI configuration file rc and returns its
// stdout and stderr; a non-zero exit status is an error that carries stderr.
func (tf *terraformCLI) run(t *testing.T, rc, dir string, stdin []byte, args ...string) (stdout, stderr []byte, err error) {
	t.Helper()
	return tf.runWith(t, rc, dir, nil, stdin, args...)
}

// runWith is run with extra environment variables (NAME=value).
func (tf *terraformCLI) runWith(t *testing.T, rc, dir string, env []string, stdin []byte, args ...string) (stdout, stderr []byte, err error) {
	t.Helper()
	return tf.runCommand(t, rc, dir, env, stdin, tf.bin, args...)
}

// runCommand runs name (terraform, or a script that runs it) with the
// environment run gives terraform, plus env.
func (tf *terraformCLI) runCommand(t *testing.T, rc, dir string, env []string, stdin []byte, name string, args ...string) (stdout, stderr []byte, err error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Dir = dir
	// A hermetic environment: none of the caller's TF_* settings (CLI args,
	// data dir, workspace, reattach, a CLI config naming a missing file).
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "CHECKPOINT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_CLI_CONFIG_FILE="+rc,
		"TF_DATA_DIR="+filepath.Join(t.TempDir(), ".terraform"),
		serveProviderEnv+"=1",
	)
	cmd.Env = append(cmd.Env, tf.env...)
	cmd.Env = append(cmd.Env, env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var outBuf, errBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outBuf, &errBuf
	if err := cmd.Run(); err != nil {
		return outBuf.Bytes(), errBuf.Bytes(), fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, errBuf.Bytes())
	}
	return outBuf.Bytes(), errBuf.Bytes(), nil
}

// format returns code as `terraform fmt` formats it.
func (tf *terraformCLI) format(t *testing.T, code string) string {
	t.Helper()
	out, _, err := tf.run(t, tf.rc, t.TempDir(), []byte(code), "fmt", "-no-color", "-")
	if err != nil {
		t.Fatalf("terraform fmt cannot read the block: %v\n%s", err, code)
	}
	return string(out)
}

// minimumVersion is the oldest Terraform that can read a configuration, from
// the language features it uses, and the feature that needs it.
func minimumVersion(files map[string]string) ([3]int, string) {
	features := []struct {
		re      *regexp.Regexp
		version [3]int
		what    string
	}{
		{listBlockRE, [3]int{1, 14, 0}, "list blocks (terraform query)"},
		{actionBlockRE, actionsSince, "actions"},
		{regexp.MustCompile(`(?m)^\s*identity\s*=`), [3]int{1, 12, 0}, "import by identity"},
		{regexp.MustCompile(`(?m)^\s*[a-z0-9_]+_wo(_version)?\s*=`), [3]int{1, 11, 0}, "write-only arguments"},
		{regexp.MustCompile(`(?m)^ephemeral\s+"|^\s*ephemeral\s*=\s*true`), [3]int{1, 10, 0}, "ephemeral resources and values"},
		{regexp.MustCompile(`(?m)^import\s*\{`), [3]int{1, 5, 0}, "import blocks"},
	}
	for _, f := range features {
		for _, code := range files {
			if f.re.MatchString(code) {
				return f.version, f.what
			}
		}
	}
	return [3]int{}, ""
}

// openTofuLacks names the language feature files use that OpenTofu does
// not have, or is "" (on Terraform too).
func (tf *terraformCLI) openTofuLacks(files map[string]string) string {
	switch {
	case !tf.openTofu:
		return ""
	case usesActions(files):
		return "action blocks (actions)"
	case hasQueryFile(files):
		return "list blocks (list resources, the query command)"
	}
	return ""
}

// validate writes files into an empty directory and runs terraform validate
// there with the CLI configuration file rc. Every diagnostic fails the test,
// warnings included, except the notice that dev_overrides are in effect.
func (tf *terraformCLI) validate(t *testing.T, rc, what string, files map[string]string) {
	t.Helper()
	if need, feature := minimumVersion(files); slices.Compare(tf.version[:], need[:]) < 0 {
		t.Skipf("%s uses %s, which need Terraform %d.%d or later; this is %s %s", what, feature, need[0], need[1], tf.engineName(), tf.versionString())
	}
	if missing := tf.openTofuLacks(files); missing != "" {
		t.Skipf("%s holds %s: OpenTofu %s has none yet", what, missing, tf.versionString())
	}
	query := hasQueryFile(files)
	dir := t.TempDir()
	for name, code := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"validate", "-json", "-no-color"}
	if query {
		args = append(args, "-query") // validate also checks the .tfquery.hcl files
	}
	out, _, runErr := tf.run(t, rc, dir, nil, args...)
	var res struct {
		Valid       bool `json:"valid"`
		Diagnostics []struct {
			Severity string `json:"severity"`
			Summary  string `json:"summary"`
			Detail   string `json:"detail"`
			Range    *struct {
				Filename string `json:"filename"`
				Start    struct {
					Line int `json:"line"`
				} `json:"start"`
			} `json:"range"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%s: terraform validate did not answer JSON: %v\n%s", what, errors.Join(err, runErr), out)
	}
	var problems []string
	for _, d := range res.Diagnostics {
		if d.Severity == "warning" && d.Summary == "Provider development overrides are in effect" {
			continue
		}
		at := ""
		if d.Range != nil {
			at = fmt.Sprintf(" (%s line %d)", d.Range.Filename, d.Range.Start.Line)
		}
		problems = append(problems, fmt.Sprintf("%s%s: %s: %s", d.Severity, at, d.Summary, d.Detail))
	}
	if !res.Valid || len(problems) > 0 || runErr != nil {
		t.Errorf("%s: terraform validate (Terraform %s):\n  %s\n%v", what, tf.versionString(), strings.Join(problems, "\n  "), runErr)
	}
}

// cliConfigBlocks are the top-level settings of a Terraform CLI configuration file.
var cliConfigBlocks = []string{"provider_installation", "plugin_cache_dir", "plugin_cache_may_break_dependency_lock_file",
	"disable_checkpoint", "disable_checkpoint_signature", "credentials", "credentials_helper", "host"}

var topLevelRE = regexp.MustCompile(`(?m)^([A-Za-z_][A-Za-z0-9_-]*)\b`)

// overrideRE matches the `"namespace/type" = "path"` lines of a dev_overrides block.
var overrideRE = regexp.MustCompile(`(?m)^(\s*"[^"]+"\s*=\s*)"[^"]*"`)

// checkCLIConfig: an hcl block is a CLI configuration file. Terraform ignores
// unknown top-level names in one, so those are checked here; what is inside a
// known block Terraform checks itself, and reports on stderr. A dev_overrides
// block, with its path replaced by this test's plugin directory, must make
// Terraform load the provider without terraform init.
func (tf *terraformCLI) checkCLIConfig(t *testing.T, s docSnippet) {
	t.Helper()
	for _, m := range topLevelRE.FindAllStringSubmatch(s.code, -1) {
		if !slices.Contains(cliConfigBlocks, m[1]) {
			t.Errorf("%s: ```hcl blocks in docs/ are CLI configuration files, but %q is not a CLI configuration setting (%v); tag a Terraform configuration ```terraform",
				s.where(), m[1], cliConfigBlocks)
		}
	}
	dir := t.TempDir()
	rc := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(rc, []byte(s.code), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := tf.run(t, rc, dir, nil, "version")
	if err != nil || bytes.Contains(stderr, []byte("problems with the CLI configuration")) {
		t.Errorf("%s: Terraform does not accept the block as a CLI configuration file: %v\n%s", s.where(), err, stderr)
	}
	if !strings.Contains(s.code, "dev_overrides") {
		return
	}
	local := overrideRE.ReplaceAllString(s.code, "${1}"+strconv.Quote(filepath.ToSlash(tf.pluginDir)))
	if local == s.code {
		t.Fatalf("%s: found no \"namespace/type\" = \"path\" line in the dev_overrides block", s.where())
	}
	localRC := filepath.Join(dir, "local.terraformrc")
	if err := os.WriteFile(localRC, []byte(local), 0o644); err != nil {
		t.Fatal(err)
	}
	tf.validate(t, localRC, s.where()+" as the CLI configuration", map[string]string{"main.tf": `terraform {
  required_providers {
    tencentcallkit = {
      source = "tencentcallkit/tencentcallkit"
    }
  }
}

resource "tencentcallkit_callback" "main" {
  address = "https://hooks.example.com/callkit"
  actions = ["normal_end"]
}
`})
}
