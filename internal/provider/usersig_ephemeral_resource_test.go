package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/usersig"
)

// testAccProtoV6ProviderFactoriesWithEcho adds the echo provider, which copies
// its configuration (here: ephemeral values) into a managed resource's state
// so a test can look at them.
func testAccProtoV6ProviderFactoriesWithEcho() map[string]func() (tfprotov6.ProviderServer, error) {
	f := map[string]func() (tfprotov6.ProviderServer, error){"echo": echoprovider.NewProviderServer()}
	for k, v := range testAccProtoV6ProviderFactories {
		f[k] = v
	}
	return f
}

// ephemeralVersionCheck: ephemeral resources came with Terraform 1.10 and
// OpenTofu 1.11.
var ephemeralVersionCheck = []tfversion.TerraformVersionCheck{
	tfversion.SkipBelow(tfversion.Version1_10_0),
	skipOpenTofuBelow(1, 11, "ephemeral resources"),
}

// verifiesFor returns a check that a string is a UserSig for userID signed
// with the mock's key, valid now and expired once its lifetime is over.
func verifiesFor(userID string, lifetime time.Duration) knownvalue.Check {
	return knownvalue.StringFunc(func(sig string) error {
		now := time.Now()
		if err := usersig.Verify(mockserver.DefaultSDKAppID, mockserver.DefaultKey, userID, sig, now); err != nil {
			return fmt.Errorf("usersig does not verify for %q now: %w", userID, err)
		}
		if err := usersig.Verify(mockserver.DefaultSDKAppID, mockserver.DefaultKey, userID, sig, now.Add(lifetime+time.Minute)); !errors.Is(err, usersig.ErrExpired) {
			return fmt.Errorf("usersig should have expired after %s, Verify says %v", lifetime, err)
		}
		if err := usersig.Verify(mockserver.DefaultSDKAppID, mockserver.DefaultKey, userID+"x", sig, now); err == nil {
			return fmt.Errorf("usersig also verifies for another user")
		}
		return nil
	})
}

// expiresAround checks a unix time against [from+lifetime, now+lifetime].
func expiresAround(from time.Time, lifetime time.Duration) knownvalue.Check {
	return knownvalue.Int64Func(func(v int64) error {
		lo, hi := from.Add(lifetime).Unix()-1, time.Now().Add(lifetime).Unix()+1
		if v < lo || v > hi {
			return fmt.Errorf("expires_at %d is outside [%d, %d]", v, lo, hi)
		}
		return nil
	})
}

func TestAccUserSigEphemeral_echo(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	start := time.Now()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   ephemeralVersionCheck,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactoriesWithEcho(),
		Steps: []resource.TestStep{{
			Config: testProviderConfig(url) + `
ephemeral "tencentcallkit_usersig" "alice" {
  user_id        = "alice"
  expire_seconds = 3600
}

ephemeral "tencentcallkit_usersig" "bob" {
  user_id = "bob_2-B"
}

provider "echo" {
  data = {
    alice = ephemeral.tencentcallkit_usersig.alice
    bob   = ephemeral.tencentcallkit_usersig.bob
  }
}

resource "echo" "test" {}
`,
			ExpectNonEmptyPlan: openTofuPlansEphemeralOpens(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{expectOnlyEphemeralOpens()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("alice"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"user_id":        knownvalue.StringExact("alice"),
					"expire_seconds": knownvalue.Int64Exact(3600),
					"usersig":        verifiesFor("alice", time.Hour),
					"expires_at":     expiresAround(start, time.Hour),
				})),
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("bob"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"user_id":        knownvalue.StringExact("bob_2-B"),
					"expire_seconds": knownvalue.Int64Exact(defaultUserSigExpireSeconds),
					"usersig":        verifiesFor("bob_2-B", defaultUserSigExpireSeconds*time.Second),
					"expires_at":     expiresAround(start, defaultUserSigExpireSeconds*time.Second),
				})),
				// The scanner used by the next test does find a UserSig where one is.
				userSigsInState("alice", true),
			},
		}},
	})
	// Minting is local: it signs with the key and calls no API.
	assertNoAPICalls(t, mock)
}

// TestAccUserSigEphemeral_notStored: the UserSig is used (its expires_at
// reaches the echo resource) but appears nowhere in the plan or the state.
func TestAccUserSigEphemeral_notStored(t *testing.T) {
	t.Parallel()
	_, url := newTestMock(t, mockserver.Options{})
	start := time.Now()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   ephemeralVersionCheck,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactoriesWithEcho(),
		Steps: []resource.TestStep{{
			Config: testProviderConfig(url) + `
ephemeral "tencentcallkit_usersig" "carol" {
  user_id = "carol"
}

provider "echo" {
  data = {
    expires_at = ephemeral.tencentcallkit_usersig.carol.expires_at
    sig_length = length(ephemeral.tencentcallkit_usersig.carol.usersig)
  }
}

resource "echo" "test" {}

resource "tencentcallkit_callback" "test" {
  address = "https://example.com/cb"
  actions = ["normal_end"]
}
`,
			ExpectNonEmptyPlan: openTofuPlansEphemeralOpens(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{noUserSigInPlan("carol")},
				PostApplyPostRefresh: []plancheck.PlanCheck{noUserSigInPlan("carol"), expectOnlyEphemeralOpens()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("expires_at"), expiresAround(start, defaultUserSigExpireSeconds*time.Second)),
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("sig_length"), knownvalue.NumberFunc(func(v *big.Float) error {
					if v.Sign() <= 0 {
						return fmt.Errorf("usersig length %s: the UserSig was empty", v)
					}
					return nil
				})),
				userSigsInState("carol", false),
			},
		}},
	})
}

func TestAccUserSigEphemeral_validation(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	step := func(body, want string) resource.TestStep {
		return resource.TestStep{
			Config:      testProviderConfig(url) + "\nephemeral \"tencentcallkit_usersig\" \"x\" {\n" + body + "\n}\n",
			PlanOnly:    true,
			ExpectError: errorPattern(want),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   ephemeralVersionCheck,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`user_id = "alice"
expire_seconds = 0`, `expire_seconds value must be at least 1, got: 0`),
			step(`user_id = "alice"
expire_seconds = -60`, `expire_seconds value must be at least 1, got: -60`),
			step(`user_id = "alice"
expire_seconds = 4294967296`, `expire_seconds value must be at most 2147483647, got: 4294967296`),
			step(`user_id = ""`, `user_id string length must be between 1 and 32, got: 0`),
			step(`user_id = "`+strings.Repeat("u", 33)+`"`, `user_id string length must be between 1 and 32, got: 33`),
			step(`user_id = "al ice"`, `Invalid User ID.*user_id value "al ice" contains ' ' at position 3: a user ID may contain only letters \(a-z, A-Z\), digits \(0-9\), underscores \(_\) and hyphens \(-\)`),
			step(`user_id = "bob@example.com"`, `"bob@example.com" contains '@' at position 4`),
			step(`user_id = "zoë"`, `"zoë" contains 'ë' at position 3`),
		},
	})
	assertNoAPICalls(t, mock)
}

// findUserSigs returns every string inside v (decoded JSON) that is a valid
// UserSig for userID under the mock's key.
func findUserSigs(v any, userID string) []string {
	var found []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			if usersig.Verify(mockserver.DefaultSDKAppID, mockserver.DefaultKey, userID, v, time.Now()) == nil {
				found = append(found, v)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for k, e := range v {
				walk(k)
				walk(e)
			}
		}
	}
	walk(v)
	return found
}

func userSigsIn(doc any, userID string) ([]string, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return nil, err
	}
	return findUserSigs(generic, userID), nil
}

type userSigStateCheck struct {
	userID string
	want   bool
}

// userSigsInState checks whether the state holds a UserSig for userID.
func userSigsInState(userID string, want bool) statecheck.StateCheck {
	return userSigStateCheck{userID: userID, want: want}
}

func (c userSigStateCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	found, err := userSigsIn(req.State, c.userID)
	switch {
	case err != nil:
		resp.Error = err
	case c.want && len(found) == 0:
		resp.Error = fmt.Errorf("expected a UserSig for %q in the state, found none", c.userID)
	case !c.want && len(found) > 0:
		resp.Error = fmt.Errorf("the state holds %d UserSig(s) for %q; ephemeral values must never be stored", len(found), c.userID)
	}
}

type noUserSigPlanCheck struct{ userID string }

// noUserSigInPlan checks that no part of the plan holds a UserSig for userID.
func noUserSigInPlan(userID string) plancheck.PlanCheck { return noUserSigPlanCheck{userID: userID} }

func (c noUserSigPlanCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	found, err := userSigsIn(req.Plan, c.userID)
	switch {
	case err != nil:
		resp.Error = err
	case len(found) > 0:
		resp.Error = fmt.Errorf("the plan holds %d UserSig(s) for %q; ephemeral values must never be stored", len(found), c.userID)
	}
}

// TestAccUserSigEphemeral_exampleWorksAsWritten applies the documented
// example as it stands, against the mock: its curl check reads the callback
// configuration back with the minted UserSig and passes. With an SDKAppID the
// UserSig does not belong to, the same check fails the apply, so the pass is
// the service's answer, not a check that cannot fail.
func TestAccUserSigEphemeral_exampleWorksAsWritten(t *testing.T) {
	t.Parallel()
	example, err := os.ReadFile(filepath.Join(repoRoot, "examples", "ephemeral-resources", "tencentcallkit_usersig", "ephemeral-resource.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		sdkAppID int64
		wantErr  *regexp.Regexp
	}{
		{name: "the provider's app", sdkAppID: mockserver.DefaultSDKAppID},
		{name: "another app", sdkAppID: mockserver.DefaultSDKAppID + 1, wantErr: errorPattern(`local-exec provisioner error`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mock, url := newTestMock(t, mockserver.Options{})
			var checks []statecheck.StateCheck
			if tc.wantErr == nil {
				checks = append(checks, statecheck.ExpectKnownValue("tencentcallkit_callback.main", tfjsonpath.New("address"), knownvalue.StringExact("https://hooks.example.com/callkit")))
			}
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				TerraformVersionChecks:   ephemeralVersionCheck,
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: testProviderConfig(url) + string(example),
					ConfigVariables: config.Variables{
						"sdk_app_id":  config.IntegerVariable(tc.sdkAppID),
						"callkit_api": config.StringVariable(url),
					},
					ConfigStateChecks:  checks,
					ExpectError:        tc.wantErr,
					ExpectNonEmptyPlan: tc.wantErr == nil && openTofuPlansEphemeralOpens(),
				}},
			})
			if n := mock.Stats().Requests["v1/callback/set"]; n != 1 {
				t.Errorf("the example's callback configuration was set %d times, want 1", n)
			}
		})
	}
}
