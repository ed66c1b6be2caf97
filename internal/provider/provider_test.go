package provider

import (
	"fmt"
	"net/http/httptest"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// testAccProtoV6ProviderFactories runs the provider in-process. Each call of
// the factory builds a fresh provider, so tests running in parallel share no
// provider state.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"tencentcallkit": providerserver.NewProtocol6WithError(New("test")()),
}

// newTestMock starts an in-process mock backend on a loopback port for one
// test and returns it with its base URL. It is closed when the test ends.
func newTestMock(t *testing.T, opts mockserver.Options) (*mockserver.Server, string) {
	t.Helper()
	mock := mockserver.New(opts)
	srv := httptest.NewServer(mock)
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
// (it skips unless TF_ACC is set).
func testAccPreCheck(t *testing.T) {
	t.Helper()
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
