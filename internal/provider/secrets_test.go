package provider

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/usersig"
)

// secretScan looks for secrets in text: literal secrets (raw and as they
// would appear URL-encoded), and anything shaped like a UserSig that
// verifies for one of the users under the mock's key, so a UserSig nobody
// recorded (the ephemeral resource's) is found too.
type secretScan struct {
	literals map[string]string // value → name, for messages
	users    []string
}

// userSigTokens returns the distinct runs of at least 64 characters of the
// TLS sig v2 alphabet (base64 with '*', '-' and '_' for '+', '/' and '=')
// that start with 'e', as every base64-encoded zlib stream does: the
// candidates for a UserSig. Real UserSigs are well over 100 characters.
func userSigTokens(text []byte) map[string]bool {
	in := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '*' || c == '-' || c == '_'
	}
	tokens := map[string]bool{}
	for i := 0; i < len(text); {
		if !in(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && in(text[j]) {
			j++
		}
		if j-i >= 64 && text[i] == 'e' {
			tokens[string(text[i:j])] = true
		}
		i = j
	}
	return tokens
}

func newSecretScan(users ...string) *secretScan {
	return &secretScan{literals: map[string]string{}, users: users}
}

func (s *secretScan) add(name string, values ...string) {
	for _, v := range values {
		if v != "" {
			s.literals[v] = name
		}
	}
}

// find returns a description of every secret in text, or nil.
func (s *secretScan) find(where string, text []byte) []string {
	var found []string
	// UserSigs in URLs are query-escaped: '*' becomes %2A.
	decoded := bytes.ReplaceAll(bytes.ReplaceAll(text, []byte("%2A"), []byte("*")), []byte("%2a"), []byte("*"))
	for v, name := range s.literals {
		for _, form := range []string{v, url.QueryEscape(v)} {
			if containsLong(text, form) || containsLong(decoded, form) {
				found = append(found, fmt.Sprintf("%s holds %s", where, name))
				break
			}
		}
	}
	for tok := range userSigTokens(decoded) {
		for _, user := range s.users {
			// A UserSig that is merely expired is a leak all the same.
			if err := usersig.Verify(mockserver.DefaultSDKAppID, mockserver.DefaultKey, user, tok, time.Now()); err == nil || !isInvalid(err) {
				found = append(found, fmt.Sprintf("%s holds a UserSig for %q (%.12s…)", where, user, tok))
			}
		}
	}
	return found
}

// containsLong is bytes.Contains for long needles such as UserSigs: it looks for
// a prefix short enough for the assembly search and compares the rest at
// each hit, which keeps a multi-megabyte TRACE log quick to scan under -race.
func containsLong(text []byte, needle string) bool {
	prefix := []byte(needle[:min(len(needle), 32)])
	for off := 0; ; {
		i := bytes.Index(text[off:], prefix)
		if i < 0 {
			return false
		}
		if bytes.HasPrefix(text[off+i:], []byte(needle)) {
			return true
		}
		off += i + 1
	}
}

func isInvalid(err error) bool { return errors.Is(err, usersig.ErrInvalid) }

// findJSON scans the JSON encoding of v.
func (s *secretScan) findJSON(where string, v any) []string {
	raw, err := json.Marshal(v)
	if err != nil {
		return []string{fmt.Sprintf("%s: cannot encode: %v", where, err)}
	}
	return s.find(where, raw)
}

// findFiles scans every file under dir, and every entry of the zip archives
// among them (saved plan files are zip archives).
func (s *secretScan) findFiles(dir string) (found []string, files int, err error) {
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		rel, _ := filepath.Rel(dir, path)
		found = append(found, s.find(rel, raw)...)
		if zr, zerr := zip.NewReader(bytes.NewReader(raw), int64(len(raw))); zerr == nil {
			for _, f := range zr.File {
				rc, err := f.Open()
				if err != nil {
					return err
				}
				entry, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					return err
				}
				found = append(found, s.find(rel+"!"+f.Name, entry)...)
			}
		}
		return nil
	})
	return found, files, err
}

type secretPlanCheck struct{ scan *secretScan }

func (c secretPlanCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if found := c.scan.findJSON("the plan JSON", req.Plan); len(found) > 0 {
		resp.Error = fmt.Errorf("secrets in the plan: %s", strings.Join(found, "; "))
	}
}

type secretStateCheck struct{ scan *secretScan }

func (c secretStateCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if found := c.scan.findJSON("the state JSON", req.State); len(found) > 0 {
		resp.Error = fmt.Errorf("secrets in the state: %s", strings.Join(found, "; "))
	}
}

// TestSecretScan_findsWhatItLooksFor: the scanner used below does find a
// secret key, a recorded UserSig (raw and URL-encoded) and an unrecorded one.
func TestSecretScan_findsWhatItLooksFor(t *testing.T) {
	t.Parallel()
	s, err := usersig.NewSigner(mockserver.DefaultSDKAppID, mockserver.DefaultKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	admin, _ := s.Mint("administrator", time.Hour)
	alice, _ := s.Mint("alice", time.Second)
	scan := newSecretScan("administrator", "alice")
	scan.add("the secret key", mockserver.DefaultKey)
	for _, tc := range []struct {
		text string
		want int
	}{
		{"nothing to see", 0},
		{"key=" + mockserver.DefaultKey, 1},
		{`GET /v1/callback/get?usersig=` + url.QueryEscape(admin.Value) + `&x=1`, 1},
		{`"usersig": "` + alice.Value + `"`, 1}, // expired by the time it is checked, still found
		{`usersig=REDACTED`, 0},
	} {
		if got := scan.find("text", []byte(tc.text)); len(got) != tc.want {
			t.Errorf("find(%.60q) = %v, want %d finding(s)", tc.text, got, tc.want)
		}
	}
}

// TestAccSecrets_notInLogsStatePlanOrDiagnostics runs apply, plan, refresh
// and a step that fails authentication (70002) with TRACE logging to a file,
// and looks for the app's secret key, the Tencent Cloud secret key, every
// UserSig the mock received and the ephemeral resource's UserSig in the log,
// the state, the plan JSON, every file of Terraform's working directory
// (state files, saved plans) and the error diagnostics.
//
// Not parallel: t.Setenv. The keys come from the environment, as SECURITY.md
// recommends, so the configuration itself holds none.
func TestAccSecrets_notInLogsStatePlanOrDiagnostics(t *testing.T) {
	mock, mockURL, now := frozenRecordsMock(t, mockserver.Options{Records: 30, Seed: 71})
	recs := mock.Records()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "terraform-trace.log")
	workDir := filepath.Join(dir, "work")
	if err := os.Mkdir(workDir, 0o700); err != nil {
		t.Fatal(err)
	}
	const (
		wrongKey = "not-the-apps-key-7f3e9a1c5b"
		cloudKey = "tencentcloud-secret-key-4d2b8e6f0a"
	)
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("TF_ACC_PERSIST_WORKING_DIR", "1") // keep the working directory for the scan below; t.TempDir removes it
	t.Setenv(envSecretKey, mockserver.DefaultKey)
	t.Setenv(envCloudSecretID, "AKIDtestsecretid")
	t.Setenv(envCloudSecretKey, cloudKey)

	scan := newSecretScan("administrator", "alice")
	scan.add("the secret key", mockserver.DefaultKey)
	scan.add("the wrong secret key", wrongKey)
	scan.add("the Tencent Cloud secret key", cloudKey)

	config := fmt.Sprintf(`
provider "tencentcallkit" {
  endpoint    = %q
  sdk_app_id  = %d
  max_retries = 0
}

resource "tencentcallkit_callback" "test" {
  address = %q
  actions = ["normal_end", "call_busy"]
}

data "tencentcallkit_call_records" "all" {
  start_timestamp = %d
}

data "tencentcallkit_call_record" "one" {
  call_id = %q
}

data "tencentcallkit_call_stats" "all" {
  start_timestamp = %[4]d
}
`, mockURL, mockserver.DefaultSDKAppID, testCallbackAddress, weekAgo(now), recs[3].CallID)
	// Terraform 1.10 and later also open the ephemeral resource and hand its
	// UserSig to another provider's configuration.
	ephemeral := `
ephemeral "tencentcallkit_usersig" "alice" {
  user_id = "alice"
}

provider "echo" {
  data = {
    sig_length = length(ephemeral.tencentcallkit_usersig.alice.usersig)
  }
}

resource "echo" "test" {}
`
	factories := testAccProtoV6ProviderFactories
	// opens: OpenTofu 1.11 plans an "open" of the ephemeral resource in every
	// plan, so its plans are never empty (expectOnlyEphemeralOpens).
	opens := false
	if major, minor := terraformVersion(); major > 1 || (major == 1 && minor >= 10) {
		config += ephemeral
		factories = testAccProtoV6ProviderFactoriesWithEcho()
		opens = openTofuPlansEphemeralOpens()
	}
	noSecretsInPlan := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{secretPlanCheck{scan}},
		PostApplyPostRefresh: []plancheck.PlanCheck{secretPlanCheck{scan}},
	}
	noSecretsInState := []statecheck.StateCheck{secretStateCheck{scan}}

	var diagnostics []string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: factories,
		WorkingDir:               workDir,
		// The failing step's error is collected here so its text can be
		// scanned; any other error still fails the test.
		ErrorCheck: func(err error) error {
			if err != nil && strings.Contains(err.Error(), "errorCode 70002") {
				diagnostics = append(diagnostics, err.Error())
				return nil
			}
			return err
		},
		Steps: []resource.TestStep{
			{Config: config, ConfigPlanChecks: noSecretsInPlan, ConfigStateChecks: noSecretsInState, ExpectNonEmptyPlan: opens},
			{Config: config, PlanOnly: true, ExpectNonEmptyPlan: opens},
			{RefreshState: true, ExpectNonEmptyPlan: opens},
			{
				// A wrong key: the service answers 70002 to the refresh.
				PreConfig: func() { t.Setenv(envSecretKey, wrongKey) },
				Config:    config,
			},
			{
				PreConfig:          func() { t.Setenv(envSecretKey, mockserver.DefaultKey) },
				Config:             config,
				ConfigPlanChecks:   resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{expectOnlyEphemeralOpens(), secretPlanCheck{scan}}},
				ConfigStateChecks:  noSecretsInState,
				ExpectNonEmptyPlan: opens,
			},
		},
	})

	if len(diagnostics) != 1 || !strings.Contains(diagnostics[0], "Unable to Read Callback Configuration") || !strings.Contains(diagnostics[0], "rejected the UserSig") {
		t.Fatalf("expected one 70002 diagnostic from the wrong-key step, got %q", diagnostics)
	}
	sigs := mock.SeenUserSigs()
	if len(sigs) < 2 {
		t.Fatalf("the mock saw %d UserSigs; expected the right key's and the wrong key's", len(sigs))
	}
	scan.add("a UserSig the mock received", sigs...)

	logBytes, files := scan.scanRun(t, logPath, workDir,
		[]string{"CallKit API request", "v1/callback/get", "[TRACE]", "errorCode 70002"},
		scan.find("the 70002 diagnostic", []byte(diagnostics[0])))
	t.Logf("scanned %d bytes of log, %d files, %d UserSigs", logBytes, files, len(sigs))
}

// scanRun is the end of every secret-scanning test: it fails the test for
// each finding already made (found), then scans the TRACE log at logPath —
// which must contain every line of mustLog, or it is no evidence of what the
// test needs — and every file Terraform left in workDir.
func (s *secretScan) scanRun(t *testing.T, logPath, workDir string, mustLog []string, found []string) (logBytes, files int) {
	t.Helper()
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range mustLog {
		if !bytes.Contains(log, []byte(want)) {
			t.Errorf("the TRACE log (%d bytes) does not contain %q: it does not show what the test needs", len(log), want)
		}
	}
	found = append(found, s.find("the TRACE log", log)...)
	inFiles, n, err := s.findFiles(workDir)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Error("the working directory holds no files: nothing was scanned")
	}
	for _, f := range append(found, inFiles...) {
		t.Error(f)
	}
	return len(log), n
}

// terraformVersion returns the major and minor version of the Terraform CLI
// the acceptance tests run (0, 0 if it cannot tell).
func terraformVersion() (major, minor int) {
	out, err := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "version", "-json").Output()
	if err != nil {
		return 0, 0
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if json.Unmarshal(out, &v) != nil {
		return 0, 0
	}
	if _, err := fmt.Sscanf(v.Version, "%d.%d", &major, &minor); err != nil {
		return 0, 0
	}
	return major, minor
}
