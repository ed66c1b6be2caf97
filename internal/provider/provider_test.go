package provider

import (
	"fmt"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver/console"
)

// testAccProtoV6ProviderFactories runs the provider in-process, served as
// main.go serves it. Each call of the factory builds a fresh provider, so
// tests running in parallel share no provider state.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"tencentcallkit": NewProtocol6Server("test"),
}

// newTestMock starts an in-process mock backend on a loopback port for one
// test and returns it with its base URL. It is closed when the test ends.
func newTestMock(t *testing.T, opts mockserver.Options) (*mockserver.Server, string) {
	t.Helper()
	skipInLiveMode(t)
	mock := mockserver.New(opts)
	srv := httptest.NewServer(console.New(mock.ConsoleView(), mock)) // as the mock binary serves it
	t.Cleanup(func() {
		srv.Close()
		mock.Close()
	})
	return mock, srv.URL
}

// testProviderConfig is a provider block pointing at a mock started with the
// default SDKAppID and key. One retry and a short timeout keep failing tests fast.
func testProviderConfig(mockURL string) string {
	return testProviderConfigWith(mockURL, mockserver.DefaultSDKAppID, mockserver.DefaultKey)
}

// testProviderConfigWith is testProviderConfig for a mock with its own
// SDKAppID and key (or a deliberately wrong key).
func testProviderConfigWith(mockURL string, sdkAppID int64, key string) string {
	return fmt.Sprintf(`
provider "tencentcallkit" {
  endpoint        = %q
  sdk_app_id      = %d
  secret_key      = %q
  max_retries     = 1
  request_timeout = "5s"
}
`, mockURL, sdkAppID, key)
}

// testAccPreCheck is the PreCheck of every acceptance test. The mock needs no
// credentials, so there is nothing to check beyond what resource.Test does
// (it skips unless TF_ACC is set) but live mode (skipInLiveMode).
func testAccPreCheck(t *testing.T) {
	t.Helper()
	skipInLiveMode(t)
}

// assertNoAPICalls fails the test if the mock received any API request: used
// after plan-time validation errors, which must stop before the API.
func assertNoAPICalls(t *testing.T, mock *mockserver.Server) {
	t.Helper()
	if reqs := mock.Stats().Requests; len(reqs) > 0 {
		paths := make([]string, 0, len(reqs))
		for p, n := range reqs {
			paths = append(paths, fmt.Sprintf("%s ×%d", p, n))
		}
		sort.Strings(paths)
		t.Errorf("expected no API requests, the mock received %v", paths)
	}
}

// errorPattern compiles an ExpectError pattern in which every space matches
// any run of whitespace, because Terraform wraps diagnostic text at 80
// columns, and "." matches newlines too.
func errorPattern(pattern string) *regexp.Regexp {
	return regexp.MustCompile("(?s)" + strings.ReplaceAll(pattern, " ", `\s+`))
}

// testCallbackResource is a minimal resource so the provider is configured.
const testCallbackResource = `
resource "tencentcallkit_callback" "test" {
  address = "https://example.com/cb"
  actions = ["normal_end"]
}
`

// TestAccProvider_invalidConfiguration: each bad provider attribute is refused
// at plan time with a message naming it, the bad value and what is allowed,
// before any API request.
func TestAccProvider_invalidConfiguration(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	// step renders a provider block from attribute lines; the defaults below
	// fill in every attribute the lines do not set.
	step := func(lines, want string) resource.TestStep {
		defaults := map[string]string{
			"sdk_app_id": strconv.FormatInt(mockserver.DefaultSDKAppID, 10),
			"secret_key": strconv.Quote(mockserver.DefaultKey),
			"endpoint":   strconv.Quote(url),
		}
		for name := range defaults {
			if strings.HasPrefix(lines, name+" ") {
				delete(defaults, name)
			}
		}
		var body strings.Builder
		for _, name := range []string{"sdk_app_id", "secret_key", "endpoint"} {
			if v, ok := defaults[name]; ok {
				fmt.Fprintf(&body, "  %s = %s\n", name, v)
			}
		}
		body.WriteString("  " + lines + "\n")
		return resource.TestStep{
			Config:      "provider \"tencentcallkit\" {\n" + body.String() + "}\n" + testCallbackResource,
			PlanOnly:    true,
			ExpectError: errorPattern(want),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`region = "mars"`, `Invalid Region.*Attribute region must be one of "china", "singapore", "seoul", "frankfurt", "silicon-valley", "jakarta", got "mars"\.\s*$`), // no suggestion
			step(`region = "China"`, `region must be one of.*got "China"\. Did you mean "china"\?`),
			step(`region = "Singapore"`, `Invalid Region.*region must be one of "china", "singapore", .*"jakarta", got "Singapore"\. Did you mean "singapore"\?`),
			step(`region = "silicon_valley"`, `got "silicon_valley"\. Did you mean "silicon-valley"\?`),
			step(`region = "frankfrut"`, `got "frankfrut"\. Did you mean "frankfurt"\?`),
			step(`request_timeout = "ten seconds"`, `Invalid Request Timeout.*request_timeout must be a duration with a unit, such as "10s" or "1m", got "ten seconds"`),
			step(`request_timeout = "10"`, `request_timeout must be a duration.*got "10"`),
			step(`request_timeout = "3s"`, `request_timeout must be longer than the service's own 3s timeout.*got "3s"`),
			step(`request_timeout = "500ms"`, `got "500ms"`),
			step(`secret_key = ""`, `Attribute secret_key string length must be at least 1, got: 0`),
			step(`max_retries = -1`, `Attribute max_retries value must be at least 0, got: -1`),
			step(`sdk_app_id = 0`, `Attribute sdk_app_id value must be at least 1, got: 0`),
			step(`sdk_app_id = -7`, `sdk_app_id value must be at least 1, got: -7`),
			step(`endpoint = "http://callkit.example.com"`, `Invalid Endpoint.*"http://callkit.example.com" uses plain http on the non-loopback host "callkit.example.com": https is required`),
			step(`endpoint = "http://10.0.0.8:8080"`, `Invalid Endpoint.*https is required`),
			step(`endpoint = "ftp://127.0.0.1:21"`, `Invalid Endpoint.*scheme "ftp"`),
			step(`endpoint = "callkit.example.com"`, `Invalid Endpoint.*"callkit.example.com"`),
			step(`ccc_endpoint = "http://ccc.example.com"`, `Invalid Endpoint.*ccc_endpoint.*"http://ccc.example.com".*https is required`),
		},
	})
	assertNoAPICalls(t, mock)
}

// TestAccProvider_unknownConfiguration: a provider value only known after
// apply is refused by name, pointing at the environment variable (Terraform
// without deferred actions cannot plan around it).
func TestAccProvider_unknownConfiguration(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "app" {
  input = %d
}

provider "tencentcallkit" {
  sdk_app_id = terraform_data.app.output
  secret_key = %q
  endpoint   = %q
}
`, mockserver.DefaultSDKAppID, mockserver.DefaultKey, url) + testCallbackResource,
			ExpectError: errorPattern(`Unknown Provider Configuration Value.*sdk_app_id is not known until apply.*TENCENTCALLKIT_SDK_APP_ID environment variable`),
		}},
	})
	assertNoAPICalls(t, mock)
}

// setProviderEnv sets every TENCENTCALLKIT_* variable to a working value for
// mockURL, then applies overrides ("" unsets in effect).
func setProviderEnv(t *testing.T, mockURL string, overrides map[string]string) {
	env := map[string]string{
		envSDKAppID:       strconv.FormatInt(mockserver.DefaultSDKAppID, 10),
		envSecretKey:      mockserver.DefaultKey,
		envIdentifier:     mockserver.DefaultIdentifier,
		envRegion:         "singapore",
		envEndpoint:       mockURL,
		envRequestTimeout: "5s",
		envMaxRetries:     "0",
		envCloudSecretID:  "",
		envCloudSecretKey: "",
		envCCCEndpoint:    "",
	}
	for k, v := range overrides {
		env[k] = v
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}

// TestAccProvider_environmentConfiguration configures the provider from
// environment variables alone. Not parallel: t.Setenv changes the process
// environment, which the in-process provider reads.
func TestAccProvider_environmentConfiguration(t *testing.T) {
	mock, url := newTestMock(t, mockserver.Options{})
	setProviderEnv(t, url, map[string]string{envCCCEndpoint: "https://ccc.example.com"})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `provider "tencentcallkit" {}` + "\n" + testCallbackResource,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("tencentcallkit_callback.test", tfjsonpath.New("id"), knownvalue.StringExact(testAppID)),
				mockHolds(mock, callbackV1, "https://example.com/cb", []string{"normal_end"}),
			},
		}},
	})
}

// TestAccProvider_environmentInvalid: bad or missing environment values are
// refused at configure, naming the variable, the value and what is allowed.
// Not parallel (t.Setenv).
func TestAccProvider_environmentInvalid(t *testing.T) {
	mock, url := newTestMock(t, mockserver.Options{})
	setProviderEnv(t, url, nil)
	step := func(overrides map[string]string, want string) resource.TestStep {
		return resource.TestStep{
			PreConfig:   func() { setProviderEnv(t, url, overrides) },
			Config:      `provider "tencentcallkit" {}` + "\n" + testCallbackResource,
			PlanOnly:    true,
			ExpectError: errorPattern(want),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(map[string]string{envSDKAppID: ""}, `Missing SDKAppID.*Set sdk_app_id in the provider configuration or the TENCENTCALLKIT_SDK_APP_ID environment variable`),
			step(map[string]string{envSecretKey: ""}, `Missing Secret Key.*Set secret_key in the provider configuration or the TENCENTCALLKIT_SECRET_KEY environment variable`),
			step(map[string]string{envSDKAppID: "app-1"}, `Invalid SDKAppID.*TENCENTCALLKIT_SDK_APP_ID environment variable \(used because sdk_app_id is not set\) must be a positive integer.*got "app-1"`),
			step(map[string]string{envSDKAppID: "0"}, `Invalid SDKAppID.*got "0"`),
			step(map[string]string{envRegion: "mars"}, `Invalid Region.*TENCENTCALLKIT_REGION.*must be one of "china", "singapore", "seoul", "frankfurt", "silicon-valley", "jakarta", got "mars"`),
			step(map[string]string{envRegion: "Singapore"}, `Invalid Region.*TENCENTCALLKIT_REGION.*got "Singapore"\. Did you mean "singapore"\?`),
			step(map[string]string{envRequestTimeout: "2s"}, `Invalid Request Timeout.*TENCENTCALLKIT_REQUEST_TIMEOUT.*must be longer than the service's own 3s timeout.*got "2s"`),
			step(map[string]string{envRequestTimeout: "soon"}, `TENCENTCALLKIT_REQUEST_TIMEOUT.*must be a duration.*got "soon"`),
			step(map[string]string{envMaxRetries: "-2"}, `Invalid Max Retries.*TENCENTCALLKIT_MAX_RETRIES.*0 or more, got "-2"`),
			step(map[string]string{envMaxRetries: "many"}, `TENCENTCALLKIT_MAX_RETRIES.*got "many"`),
			step(map[string]string{envEndpoint: "http://callkit.example.com"}, `Invalid Endpoint.*TENCENTCALLKIT_ENDPOINT.*https is required`),
			step(map[string]string{envCCCEndpoint: "http://ccc.example.com"}, `Invalid Endpoint.*TENCENTCALLKIT_CCC_ENDPOINT.*https is required`),
		},
	})
	assertNoAPICalls(t, mock)
}
