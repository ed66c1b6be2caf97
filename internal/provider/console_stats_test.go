// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// consoleFigures reads the figures the mock console's statistics page shows
// for a window in Unix seconds and a call type ("" for all).
func consoleFigures(t *testing.T, mockURL string, start, end int64, callType string) map[string]int64 {
	t.Helper()
	q := url.Values{"start": {strconv.FormatInt(start, 10)}, "end": {strconv.FormatInt(end, 10)}}
	if callType != "" {
		q.Set("type", callType)
	}
	resp, err := http.Get(mockURL + "/console/stats?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the console's statistics page: HTTP %d, %v\n%s", resp.StatusCode, err, page)
	}
	out := map[string]int64{}
	for _, m := range regexp.MustCompile(`data-figure="([a-z-]+)">(\d+)<`).FindAllStringSubmatch(string(page), -1) {
		n, _ := strconv.ParseInt(m[2], 10, 64)
		out[m[1]] = n
	}
	for _, k := range []string{"calls", "participants", "max-concurrent", "max-single", "max-group"} {
		if _, ok := out[k]; !ok {
			t.Fatalf("the console's statistics page shows no %q figure", k)
		}
	}
	return out
}

// The console computes its statistics on the mock's side, independently of
// the provider (which uses its client's callkit.Client.CallStats): for the same
// window and call type, tencentcallkit_call_stats reads exactly the figures
// the console shows, through either API version.
func TestAccCallStats_matchesConsole(t *testing.T) {
	t.Parallel()
	_, mockURL := newTestMock(t, mockserver.Options{Records: 2500, Seed: 21})
	now := time.Now().Unix()
	start, end := now-5*86400+777, now-3600
	type window struct {
		name, callType, apiVersion string
	}
	windows := []window{{"all", "", "v1"}, {"single", "single", "v1"}, {"group", "group", "v1"}, {"v4_all", "", "v4"}}
	config := testProviderConfig(mockURL)
	var checks []statecheck.StateCheck
	for _, w := range windows {
		config += fmt.Sprintf(`
data "tencentcallkit_call_stats" %q {
  start_timestamp = %d
  end_timestamp   = %d
  api_version     = %q
`, w.name, start, end, w.apiVersion)
		if w.callType != "" {
			config += fmt.Sprintf("  call_type       = %q\n", w.callType)
		}
		config += "}\n"
		fig := consoleFigures(t, mockURL, start, end, w.callType)
		if fig["calls"] == 0 {
			t.Fatalf("%s: the console shows no calls in the window: the test would prove nothing", w.name)
		}
		addr := "data.tencentcallkit_call_stats." + w.name
		for attr, key := range map[string]string{
			"call_count": "calls", "participant_count": "participants", "max_concurrent_calls": "max-concurrent",
			"max_concurrent_single_calls": "max-single", "max_concurrent_group_calls": "max-group",
		} {
			checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), knownvalue.Int64Exact(fig[key])))
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: config, ConfigStateChecks: checks}},
	})
}

// consoleShows is a state check that reads the mock console's overview and
// requires the v1 configuration's address and the source of its last change,
// and that the requestId shown is the one the mock logged for that request.
type consoleShows struct {
	mock            *mockserver.Server
	url             string
	address, source string
}

func (c consoleShows) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	r, err := http.Get(c.url + "/")
	if err != nil {
		resp.Error = err
		return
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	page := string(b)
	v1 := page[strings.Index(page, `id="config-v1"`):strings.Index(page, `id="config-v4"`)]
	field := func(name string) string {
		m := regexp.MustCompile(`data-field="` + name + `">([^<]*)<`).FindStringSubmatch(v1)
		if m == nil {
			return ""
		}
		return strings.TrimSpace(m[1])
	}
	ch, _ := c.mock.LastChange("v1")
	switch {
	case field("address") != c.address:
		resp.Error = fmt.Errorf("the console shows the address %q, want %q", field("address"), c.address)
	case !strings.HasPrefix(field("source"), c.source):
		resp.Error = fmt.Errorf("the console shows the last change by %q, want %q", field("source"), c.source)
	case strings.HasPrefix(c.source, "v1/") && (ch.RequestID == "" || !strings.Contains(v1, ch.RequestID)):
		resp.Error = fmt.Errorf("the console does not show the last change's requestId %s", ch.RequestID)
	}
}

// A person can follow terraform apply and a drift on the console: the apply's
// request with its requestId, then the out-of-band change, then the repair.
func TestAccCallback_consoleFollowsApplyAndDrift(t *testing.T) {
	t.Parallel()
	mock, mockURL := newTestMock(t, mockserver.Options{})
	config := func(address string) string {
		return testProviderConfig(mockURL) + fmt.Sprintf(`
resource "tencentcallkit_callback" "test" {
  address = %q
  actions = ["normal_end"]
}
`, address)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            config("https://hooks.example.com/a"),
				ConfigStateChecks: []statecheck.StateCheck{consoleShows{mock, mockURL, "https://hooks.example.com/a", "v1/callback/set"}},
			},
			{
				PreConfig: func() {
					req, _ := http.NewRequest(http.MethodPut, mockURL+"/_mock/callback", strings.NewReader(`{"address": "https://drifted.example.com/b", "actions": ["normal_end"]}`))
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
				},
				Config: config("https://hooks.example.com/a"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("tencentcallkit_callback.test", plancheck.ResourceActionUpdate)},
				},
				// After the repair the console names the update that undid the drift.
				ConfigStateChecks: []statecheck.StateCheck{consoleShows{mock, mockURL, "https://hooks.example.com/a", "v1/callback/"}},
			},
		},
	})
	if ch, _ := mock.LastChange("v1"); ch.RequestID == "" || ch.Source == "PUT /_mock/callback" {
		t.Errorf("the repair is not the last change: %+v", ch)
	}
}
