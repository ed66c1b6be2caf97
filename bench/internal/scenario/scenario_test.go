package scenario

import (
	"context"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/usersig"
)

// The scenarios' plumbing, checked for what it returns (never for how long it
// takes), against a mock without rate limits so the test is quick.

func TestReadCallRecords(t *testing.T) {
	m := startTestMock(t, 250, noLimits)
	p := configured(t, m.backend)
	start, end := m.window()
	_, n, err := p.ReadCallRecords(context.Background(), start, end)
	if err != nil {
		t.Fatal(err)
	}
	if n != 250 {
		t.Fatalf("read %d records, want 250", n)
	}
}

func TestReadCallRecordsParallel(t *testing.T) {
	m := startTestMock(t, 20, noLimits)
	p := configured(t, m.backend)
	if err := p.ReadCallRecordsParallel(context.Background(), m.callIDs(t, 12), 5); err != nil {
		t.Fatal(err)
	}
	err := p.ReadCallRecordsParallel(context.Background(), []string{"no-such-call"}, 5)
	if err == nil {
		t.Fatal("reading an unknown call succeeded")
	}
}

func TestConfigureRejectsWrongKey(t *testing.T) {
	m := startTestMock(t, 1, noLimits)
	be := m.backend
	be.Key = "not-the-mock-key"
	p := configured(t, be)
	if err := p.ReadCallRecordsParallel(context.Background(), m.callIDs(t, 1), 1); err == nil {
		t.Fatal("a read signed with the wrong key succeeded")
	}
}

func TestMockStatsSub(t *testing.T) {
	before := MockStats{Requests: map[string]int{"v1/callback/get": 3}, Applied: map[string]int{"v1/callback/get": 2}, RateLimited: 1}
	after := MockStats{Requests: map[string]int{"v1/callback/get": 5, "v1/callback/set": 1}, Applied: map[string]int{"v1/callback/get": 3, "v1/callback/set": 1}, RateLimited: 2}
	d := after.Sub(before)
	want := MockStats{Requests: map[string]int{"v1/callback/get": 2, "v1/callback/set": 1}, Applied: map[string]int{"v1/callback/get": 1, "v1/callback/set": 1}, RateLimited: 1}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("%+v, want %+v", d, want)
	}
	if d.Failed() != 1 {
		t.Fatalf("%d failed, want 1", d.Failed())
	}
}

// The peer's query string must be what the mock accepts: an administrator's
// UserSig for the app, escaped.
func TestAdminQuery(t *testing.T) {
	m := &MockProcess{Backend: Backend{SDKAppID: DefaultSDKAppID, Key: "bench-key"}}
	q, err := m.AdminQuery(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	if v.Get("sdkappid") != "1400000000" || v.Get("identifier") != AdminIdentifier || v.Get("random") != "1" || v.Get("contenttype") != "json" {
		t.Fatalf("query %q", q)
	}
	if err := usersig.Verify(DefaultSDKAppID, "bench-key", AdminIdentifier, v.Get("usersig"), time.Now()); err != nil {
		t.Fatalf("usersig does not verify: %v", err)
	}
}
