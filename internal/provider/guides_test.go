package provider

// The guides' shell steps run here exactly as a reader copies them: the
// provider is installed with `make install` (into a temporary HOME, so into
// that HOME's implied local plugin mirror), `terraform init` runs with no CLI
// configuration at all, and every step talks to a mock started for the run.
//
// A guide marks its blocks with HTML comments, which neither GitHub nor the
// Registry shows, on the line before the block:
//
//	<!-- test: file NAME -->    the block is a file the reader saves as NAME
//	<!-- test: run -->          a shell block run in the configuration's directory;
//	                            `run in=repository` runs it in the provider's clone,
//	                            `run exit=N` expects exit status N (default 0)
//	<!-- test: output -->       a text block the previous step's output must contain
//	<!-- test: skip WHY -->     a shell block the test does not run, and why
//	<!-- test: needs terraform>=1.14 tofu>=1.6 -->  (anywhere) the engines the guide needs
//
// Every ```sh block of a marked guide must be marked run or skip, so a new
// step is either tested or visibly not. Steps run in one bash session each,
// with `set -e -o pipefail`; what a step exports and where it cd's carry over
// to the next, as in the reader's shell. One thing differs from the page: the
// mock listens on a free port, so "127.0.0.1:8080" becomes its address. A
// page that says how to start from a clean mock gets one that is not
// (usedMock), as a reader who followed another guide first has.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// markedGuides are the pages whose steps this test runs; each must carry markers.
var markedGuides = []string{
	"docs/guides/mock-backend.md",
	"docs/guides/drift-detection.md",
	"docs/guides/adopt-existing-configuration.md",
	"docs/guides/testing-modules.md",
	"README.md",
}

type guideStep struct {
	line   int    // of the opening fence
	kind   string // file, run, output
	name   string // file: the path to save it as
	inRepo bool   // run: in the provider's clone instead of the configuration's directory
	exit   int    // run: the expected exit status
	code   string
}

type guidePage struct {
	file  string
	needs map[string][2]int // engine kind ("terraform", "tofu") -> minimum major.minor
	steps []guideStep
}

var (
	markerRE = regexp.MustCompile(`^<!-- test: (file|run|output|skip|needs)\b\s*(.*?)\s*-->\s*$`)
	needRE   = regexp.MustCompile(`^(terraform|tofu)>=(\d+)\.(\d+)$`)
)

// parseGuide reads a page's markers and the blocks they mark.
func parseGuide(file, markdown string) (guidePage, error) {
	g := guidePage{file: file, needs: map[string][2]int{}}
	lines := strings.Split(markdown, "\n")
	var pending []string // the marker waiting for its block
	for i := 0; i < len(lines); i++ {
		if m := markerRE.FindStringSubmatch(lines[i]); m != nil {
			if m[1] == "needs" {
				if err := g.parseNeeds(m[2]); err != nil {
					return g, fmt.Errorf("%s:%d: %w", file, i+1, err)
				}
				continue
			}
			pending = m[1:]
			continue
		}
		fence := fenceRE.FindStringSubmatch(lines[i])
		if fence == nil {
			if pending != nil && strings.TrimSpace(lines[i]) != "" {
				return g, fmt.Errorf("%s:%d: a test marker must be followed by a code block", file, i)
			}
			continue
		}
		start := i + 1
		body, end, err := blockBody(lines, i, fence[1])
		if err != nil {
			return g, fmt.Errorf("%s:%d: %w", file, start, err)
		}
		i = end
		step, err := markedStep(pending, strings.ToLower(fence[2]), start, body)
		if err != nil {
			return g, fmt.Errorf("%s:%d: %w", file, start, err)
		}
		if step != nil {
			g.steps = append(g.steps, *step)
		}
		pending = nil
	}
	return g, nil
}

func (g *guidePage) parseNeeds(spec string) error {
	for _, f := range strings.Fields(spec) {
		m := needRE.FindStringSubmatch(f)
		if m == nil {
			return fmt.Errorf("needs %q: write terraform>=X.Y or tofu>=X.Y", f)
		}
		major, _ := strconv.Atoi(m[2])
		minor, _ := strconv.Atoi(m[3])
		g.needs[m[1]] = [2]int{major, minor}
	}
	return nil
}

// blockBody returns the lines between the fence at lines[open] and its close.
func blockBody(lines []string, open int, fence string) (string, int, error) {
	var body strings.Builder
	for i := open + 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], fence) && strings.TrimSpace(strings.TrimLeft(lines[i], fence[:1])) == "" {
			return body.String(), i, nil
		}
		body.WriteString(lines[i] + "\n")
	}
	return "", 0, errors.New("code block is never closed")
}

// markedStep turns a marker and its block into a step; nil for a skipped or
// unmarked block. An unmarked shell block is an error.
func markedStep(marker []string, lang string, line int, body string) (*guideStep, error) {
	shell := lang == "sh" || lang == "bash" || lang == "shell"
	if marker == nil {
		if shell {
			return nil, errors.New("a ```sh block without a test marker: mark it <!-- test: run --> or <!-- test: skip WHY -->")
		}
		return nil, nil
	}
	kind, args := marker[0], marker[1]
	step := &guideStep{line: line, kind: kind, code: body}
	switch kind {
	case "skip":
		if args == "" {
			return nil, errors.New("<!-- test: skip --> must say why")
		}
		return nil, nil
	case "file":
		if args == "" || strings.Contains(args, "..") || filepath.IsAbs(args) {
			return nil, fmt.Errorf("<!-- test: file %s -->: name a relative path", args)
		}
		step.name = args
	case "output":
		if lang != "text" {
			return nil, errors.New("<!-- test: output --> marks a ```text block")
		}
	case "run":
		if !shell {
			return nil, errors.New("<!-- test: run --> marks a ```sh block")
		}
		return step, parseRunArgs(step, args)
	}
	return step, nil
}

func parseRunArgs(step *guideStep, args string) error {
	for _, f := range strings.Fields(args) {
		key, value, _ := strings.Cut(f, "=")
		switch {
		case key == "in" && value == "repository":
			step.inRepo = true
		case key == "exit":
			n, err := strconv.Atoi(value)
			if err != nil {
				return fmt.Errorf("run %s: exit=N takes a number", f)
			}
			step.exit = n
		default:
			return fmt.Errorf("run: unknown argument %q (in=repository, exit=N)", f)
		}
	}
	return nil
}

func loadGuide(t *testing.T, file string) guidePage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, file))
	if err != nil {
		t.Fatal(err)
	}
	g, err := parseGuide(file, string(b))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(g.steps, func(s guideStep) bool { return s.kind == "run" }) {
		t.Fatalf("%s has no <!-- test: run --> step", file)
	}
	return g
}

// skipReason says why engine e cannot run the guide, or "" when it can.
func (g guidePage) skipReason(e testEngine) string {
	if len(g.needs) == 0 {
		return ""
	}
	kind := map[bool]string{true: "tofu", false: "terraform"}[e.openTofu]
	need, ok := g.needs[kind]
	if !ok {
		return fmt.Sprintf("%s is for %s only; this is %s", g.file, strings.Join(slices.Sorted(maps.Keys(g.needs)), ", "), e)
	}
	v, err := parseVersion(e.version)
	if err == nil && slices.Compare(v[:2], need[:]) < 0 {
		return fmt.Sprintf("%s needs %s %d.%d or later; this is %s", g.file, kind, need[0], need[1], e)
	}
	return ""
}

// TestGuides_markers: every marked page parses, and each shell block is marked.
func TestGuides_markers(t *testing.T) {
	t.Parallel()
	for _, file := range markedGuides {
		loadGuide(t, file)
	}
	// An unmarked shell block is refused, a skip must say why.
	for _, bad := range []string{"```sh\nls\n```\n", "<!-- test: skip -->\n```sh\nls\n```\n", "<!-- test: run -->\ntext\n```sh\nls\n```\n", "<!-- test: run exit=x -->\n```sh\nls\n```\n"} {
		if _, err := parseGuide("bad.md", bad); err == nil {
			t.Errorf("parseGuide accepted %q", bad)
		}
	}
	g, err := parseGuide("ok.md", "<!-- test: needs terraform>=1.14 -->\n<!-- test: run in=repository exit=2 -->\n```sh\nmake install\n```\n")
	if err != nil || len(g.steps) != 1 || !g.steps[0].inRepo || g.steps[0].exit != 2 || g.needs["terraform"] != [2]int{1, 14} {
		t.Errorf("parseGuide: %+v, %v", g, err)
	}
}

// TestAccGuides_steps runs each marked page's steps on the acceptance engine
// and on the extra engines guideEngines finds.
func TestAccGuides_steps(t *testing.T) {
	t.Parallel()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does) to run the guides' steps")
	}
	goEnv := goEnvironment(t)
	primary, extra := guideEngines(t)
	for _, file := range markedGuides {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			g := loadGuide(t, file)
			for _, e := range g.enginesFor(primary, extra) {
				t.Run(e.String(), func(t *testing.T) {
					t.Parallel()
					if why := g.skipReason(e); why != "" {
						t.Skip(why)
					}
					newGuideRun(t, file, e, goEnv).runAll(t, g)
				})
			}
		})
	}
}

// enginesFor: the acceptance engine always (where it cannot run the guide, it
// skips saying why), and an extra engine for each kind, Terraform or OpenTofu,
// that the acceptance engine has not run the guide on, where one can.
func (g guidePage) enginesFor(primary testEngine, extra []testEngine) []testEngine {
	out := []testEngine{primary}
	for _, e := range extra {
		covered := slices.ContainsFunc(out, func(o testEngine) bool { return o.openTofu == e.openTofu && g.skipReason(o) == "" })
		if !covered && g.skipReason(e) == "" {
			out = append(out, e)
		}
	}
	return out
}

// guideEngines: the acceptance engine (TF_ACC_TERRAFORM_PATH, else PATH), and,
// when that is not one of the matrix's engines (scripts/testacc-matrix.sh runs
// each of those in turn), the newest OpenTofu and the newest Terraform in
// TF_MATRIX_ENGINES_DIR, so that `make test` runs the guides on both engines
// where they exist.
func guideEngines(t *testing.T) (testEngine, []testEngine) {
	t.Helper()
	primary := acceptanceEngine()
	if primary.err != nil {
		t.Fatal(primary.err)
	}
	dir := os.Getenv("TF_MATRIX_ENGINES_DIR")
	if dir == "" {
		dir = filepath.Join(repoRoot, ".cache", "engines")
	}
	// The guides run in temporary directories: a relative engine path would name
	// nothing there, and their steps would fall back to the terraform on PATH.
	dir = mustAbs(t, dir)
	if abs, err := filepath.Abs(primary.path); err == nil && filepath.Dir(abs) == mustAbs(t, dir) {
		return primary, nil
	}
	var extra []testEngine
	for _, kind := range []string{"tofu", "terraform"} {
		bin := newestEngine(dir, kind)
		if bin == "" {
			t.Logf("no %s-<version> in %s (TF_MATRIX_ENGINES_DIR): the guides run on no other %s engine", kind, dir, kind)
			continue
		}
		e := detectEngine(bin)
		if e.err != nil {
			t.Fatal(e.err)
		}
		if e.String() != primary.String() {
			extra = append(extra, e)
		}
	}
	return primary, extra
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// newestEngine returns the executable <kind>-X.Y.Z in dir with the highest version.
func newestEngine(dir, kind string) string {
	matches, _ := filepath.Glob(filepath.Join(dir, kind+"-*"))
	best, bestV := "", [3]int{}
	for _, m := range matches {
		v, err := parseVersion(strings.TrimPrefix(filepath.Base(m), kind+"-"))
		if info, statErr := os.Stat(m); err != nil || statErr != nil || info.Mode()&0o111 == 0 {
			continue
		}
		if best == "" || slices.Compare(v[:], bestV[:]) > 0 {
			best, bestV = m, v
		}
	}
	return best
}

// goEnvironment pins the Go caches: the runs get their own HOME, from which Go
// would otherwise derive a new, empty module cache (and download everything).
func goEnvironment(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOPATH", "GOMODCACHE", "GOCACHE").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	v := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(v) != 3 {
		t.Fatalf("go env: %q", out)
	}
	return []string{"GOPATH=" + v[0], "GOMODCACHE=" + v[1], "GOCACHE=" + v[2]}
}

// guideRun is one reader following one guide on one engine.
type guideRun struct {
	repo, work, state string
	env               []string
	replacer          *strings.Replacer
	lastOutput        string
	lastLine          int
}

// usedMock prepares the mock of a page that tells the reader how to clean
// up after earlier sessions, as those sessions leave it.
var usedMock = map[string]func(*mockserver.Server){
	// The drift and adoption guides leave the app's v1 configuration behind.
	"docs/guides/testing-modules.md": func(m *mockserver.Server) {
		m.SetCallback(mockserver.Callback{Address: "https://hooks.example.com/callkit", Actions: []string{"normal_end"}})
		m.SetCallbackV4(mockserver.Callback{Address: "https://hooks.example.com/callkit-v4", Actions: []string{"Call.CallbackAfterEndCall"}})
	},
}

func newGuideRun(t *testing.T, file string, e testEngine, goEnv []string) *guideRun {
	t.Helper()
	root := t.TempDir()
	home, work, bin := filepath.Join(root, "home"), filepath.Join(root, "work"), filepath.Join(root, "bin")
	for _, d := range []string{home, work, bin} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The guides say `terraform`; an OpenTofu user types `tofu` for it.
	if err := os.Symlink(e.path, filepath.Join(bin, "terraform")); err != nil {
		t.Fatal(err)
	}
	m := mockserver.New(mockserver.Options{RateLimit: true})
	if used, ok := usedMock[file]; ok {
		used(m)
	}
	mock := httptest.NewServer(m)
	t.Cleanup(mock.Close)
	hostPort := strings.TrimPrefix(mock.URL, "http://")
	gobin := filepath.Join(home, "go", "bin")

	r := &guideRun{repo: mustAbs(t, repoRoot), work: work, state: filepath.Join(root, "shell-state")}
	r.env = append(cleanEnv(), goEnv...)
	r.env = append(r.env,
		"HOME="+home, "GOBIN="+gobin, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CHECKPOINT_DISABLE=1",
		"TENCENTCALLKIT_ENDPOINT="+mock.URL,
		fmt.Sprintf("TENCENTCALLKIT_SDK_APP_ID=%d", mockserver.DefaultSDKAppID),
		"TENCENTCALLKIT_SECRET_KEY="+mockserver.DefaultKey,
	)
	r.replacer = strings.NewReplacer("127.0.0.1:8080", hostPort)
	if err := os.WriteFile(r.state, []byte("cd "+shellQuote(work)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}

// cleanEnv is this process's environment without what would make a run differ
// from a reader's fresh shell: no CLI configuration (the point of the implied
// mirror), no plugin cache, no test or provider settings.
func cleanEnv() []string {
	dropped := []string{"TF_CLI_CONFIG_FILE", "TERRAFORM_CONFIG", "TF_PLUGIN_CACHE_DIR", "HOME", "GOBIN", "PATH"}
	droppedPrefixes := []string{"TF_CLI_ARGS", "TF_ACC", "TF_LOG", "TENCENTCALLKIT_", "TENCENTCLOUD_"}
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if slices.Contains(dropped, name) || slices.ContainsFunc(droppedPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (r *guideRun) runAll(t *testing.T, g guidePage) {
	t.Helper()
	for _, s := range g.steps {
		where := fmt.Sprintf("%s:%d", g.file, s.line)
		code := r.replacer.Replace(s.code)
		switch s.kind {
		case "file":
			r.writeFile(t, where, s.name, code)
		case "run":
			r.run(t, where, s, code)
		case "output":
			r.checkOutput(t, where, s.code)
		}
	}
}

func (r *guideRun) writeFile(t *testing.T, where, name, code string) {
	t.Helper()
	// Saved as a reader saves it: a script is executable only after the page's chmod.
	path := filepath.Join(r.work, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(code), 0o644); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
}

// run runs one shell block in a bash that starts from the previous block's
// exported variables and directory, and saves its own for the next.
func (r *guideRun) run(t *testing.T, where string, s guideStep, code string) {
	t.Helper()
	var script strings.Builder
	fmt.Fprintf(&script, "set -e -o pipefail\n. %s\n", shellQuote(r.state))
	save := fmt.Sprintf(`{ export -p; printf 'cd %%q\n' "$PWD"; } >%s`, shellQuote(r.state))
	if s.inRepo {
		fmt.Fprintf(&script, "cd %s\n", shellQuote(r.repo))
		save = fmt.Sprintf(`{ export -p; grep '^cd ' %[1]s; } >%[1]s.new && mv %[1]s.new %[1]s`, shellQuote(r.state))
	}
	fmt.Fprintf(&script, "trap 'rc=$?; %s; exit $rc' EXIT\n", strings.ReplaceAll(save, "'", `'\''`))
	script.WriteString(code)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Env = r.env
	cmd.Dir = r.work
	// Where Terraform asks "Enter a value", the reader answers yes.
	cmd.Stdin = yesReader{}
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	rc := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		rc = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v\n%s", where, err, out.String())
	}
	if rc != s.exit {
		t.Fatalf("%s: exit status %d, want %d; the step:\n%s\noutput:\n%s", where, rc, s.exit, code, out.String())
	}
	r.lastOutput, r.lastLine = out.String(), s.line
}

// ansiRE matches the colour codes Terraform writes even when not to a terminal.
var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*m")

// checkOutput: the output a page shows must be what the step before it printed
// (whole lines, compared without colours and trailing blanks).
func (r *guideRun) checkOutput(t *testing.T, where, want string) {
	t.Helper()
	if r.lastLine == 0 {
		t.Fatalf("%s: an output block before any run step", where)
	}
	norm := func(s string) string {
		lines := strings.Split(strings.TrimSpace(ansiRE.ReplaceAllString(s, "")), "\n")
		for i, l := range lines {
			// The box Terraform draws around a diagnostic is not on the page.
			lines[i] = strings.TrimRight(strings.TrimPrefix(strings.TrimPrefix(l, "│"), " "), " \t")
		}
		return strings.Join(lines, "\n")
	}
	// Whole lines: a block's first line must start a line of the output, as
	// the page shows it (a command that prints no newline would glue it on).
	if !containsFromLineStart(norm(r.lastOutput), norm(want)) {
		t.Errorf("%s: the step at line %d printed\n%s\nwhich does not contain what the page shows:\n%s", where, r.lastLine, r.lastOutput, want)
	}
}

// containsFromLineStart: want occurs in out with only blanks before it on
// its first line.
func containsFromLineStart(out, want string) bool {
	for from := 0; ; {
		i := strings.Index(out[from:], want)
		if i < 0 {
			return false
		}
		i += from
		if strings.TrimLeft(out[strings.LastIndexByte(out[:i], '\n')+1:i], " \t") == "" {
			return true
		}
		from = i + 1
	}
}

// yesReader answers every prompt with "yes".
type yesReader struct{}

func (yesReader) Read(p []byte) (int, error) {
	n := 0
	for n+4 <= len(p) {
		n += copy(p[n:], "yes\n")
	}
	if n == 0 {
		return copy(p, "yes\n"[:min(len(p), 4)]), nil
	}
	return n, nil
}

// TestGuides_workflows: the GitHub Actions jobs the guides give pass
// actionlint, and the module-testing job downloads the mock by the asset
// names .goreleaser.yml gives a release.
func TestGuides_workflows(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs actionlint")
	}
	dir := t.TempDir()
	var paths []string
	workflows := map[string]string{}
	for _, file := range markedGuides {
		for _, s := range loadGuide(t, file).steps {
			if s.kind != "file" || !strings.HasPrefix(s.name, ".github/workflows/") {
				continue
			}
			p := filepath.Join(dir, filepath.Base(s.name))
			if err := os.WriteFile(p, []byte(s.code), 0o644); err != nil {
				t.Fatal(err)
			}
			paths, workflows[filepath.Base(s.name)] = append(paths, p), s.code
		}
	}
	if len(paths) < 2 {
		t.Fatalf("found %d workflows in the guides, want the drift check's and the module tests'", len(paths))
	}
	cmd := exec.Command("go", append([]string{"tool", "-modfile=tools/actionlint/go.mod", "actionlint", "-no-color"}, paths...)...)
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}

	job := workflows["module-tests.yml"]
	for _, asset := range mockReleaseAssets(t, "${CALLKIT_VERSION}") {
		if !strings.Contains(job, asset) {
			t.Errorf("module-tests.yml does not download %s, a release asset's name by .goreleaser.yml", asset)
		}
	}
}

// mockReleaseAssets renders .goreleaser.yml's names for the mock's linux/amd64
// archive and the checksum file of a release.
func mockReleaseAssets(t *testing.T, version string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, ".goreleaser.yml"))
	if err != nil {
		t.Fatal(err)
	}
	archive := regexp.MustCompile(`(?s)- id: callkit-mock\n\s+ids: \[callkit-mock\]\n\s+formats: \[([a-z.]+)\].*?name_template: "([^"]+)"`).FindSubmatch(b)
	sums := regexp.MustCompile(`(?s)\nchecksum:\n.*?\n  name_template: "([^"]+)"`).FindSubmatch(b)
	if archive == nil || sums == nil {
		t.Fatal(".goreleaser.yml: no callkit-mock archive or checksum name_template found")
	}
	data := map[string]string{"ProjectName": "terraform-provider-tencentcallkit", "Version": version, "Os": "linux", "Arch": "amd64"}
	render := func(tmpl string) string {
		var out strings.Builder
		if err := template.Must(template.New("").Parse(tmpl)).Execute(&out, data); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	return []string{render(string(archive[2])) + "." + string(archive[1]), render(string(sums[1]))}
}

// TestGuides_outputFromLineStart: a page's output block must start a line of
// what the step printed, so output glued onto a line without a newline fails.
func TestGuides_outputFromLineStart(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		out, want string
		ok        bool
	}{
		{"a\nDrift detected:\nupdate x", "Drift detected:\nupdate x", true},
		{"a\n  # x will be created\n", "# x will be created", true},
		{`{"address":"x"}Drift detected:` + "\nupdate x", "Drift detected:\nupdate x", false},
		{`{"address":"x"}Drift detected:` + "\nDrift detected:\nupdate x", "Drift detected:\nupdate x", true},
	} {
		if got := containsFromLineStart(c.out, c.want); got != c.ok {
			t.Errorf("containsFromLineStart(%q, %q) = %v, want %v", c.out, c.want, got, c.ok)
		}
	}
}
