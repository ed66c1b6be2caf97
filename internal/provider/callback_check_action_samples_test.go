package provider

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// TestCheckSamples_shapedAsMockDeliveries holds the check's samples against
// the mock's deliveries, a second reading of callkit-api.md §3 and §7
// written apart on purpose: for every command word both send, the same
// query parameters, the same body fields at every level, and the same
// values where they do not depend on the call (Event, Role, CallType,
// CallResult; timestamps filled or not).
func TestCheckSamples_shapedAsMockDeliveries(t *testing.T) {
	t.Parallel()
	mock, _ := newTestMock(t, mockserver.Options{})
	rc := newTestReceiver(t, nil)
	mock.SetCallback(mockserver.Callback{Address: rc.url("/v1"), Actions: callkit.V1Actions})
	mock.SetCallbackV4(mockserver.Callback{Address: rc.url("/v4"), Actions: callkit.V4Commands})
	for _, result := range []string{"normal_end", "reject", "call_busy", "cancel", "not_answer", "interrupt"} {
		if _, err := mock.SimulateCall(t.Context(), mockserver.SimulatedCall{CallType: "single", Callees: []string{"bob"}, Result: result}); err != nil {
			t.Fatal(err)
		}
	}
	// The 1v1 calls' deliveries all arrive before the group call's, so the
	// first delivery of a word both kinds send is a 1v1 one, as the sample is.
	if err := mock.WaitDeliveries(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := mock.SimulateCall(t.Context(), mockserver.SimulatedCall{CallType: "group", Callees: []string{"bob", "carol"}}); err != nil {
		t.Fatal(err)
	}
	if err := mock.WaitDeliveries(t.Context()); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rc.requests() {
		v := callkit.V1
		word := r.query.Get("command")
		if r.path == "/v4" {
			v, word = callkit.V4, r.query.Get("CallbackCommand")
		}
		if !seen[word] {
			seen[word] = true
			compareWithDelivery(t, v, word, r)
		}
	}
	// The mock's calls deliver every v4 command and most v1 words; the
	// rest (caller_call_failed, callee_ignore_call, invite_user,
	// join_in_group_call) it never sends.
	if len(seen) < 3+len(callkit.V1Actions)-4 {
		t.Errorf("compared only %d command words: %v", len(seen), seen)
	}
}

// compareWithDelivery holds the check's sample of word against the mock's
// delivery r of the same word.
func compareWithDelivery(t *testing.T, v callkit.APIVersion, word string, r received) {
	t.Helper()
	s := buildSample(v, word, mockserver.DefaultSDKAppID, time.Now())
	u, err := url.Parse(s.url("http://receiver/"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sortedKeys(u.Query()), sortedKeys(r.query); !slices.Equal(got, want) {
		t.Errorf("%s: query parameters %v, the mock sends %v", word, got, want)
	}
	var body map[string]any
	if err := json.Unmarshal(s.body, &body); err != nil {
		t.Fatal(err)
	}
	if got, want := shape(body, ""), shape(r.body, ""); !slices.Equal(got, want) {
		t.Errorf("%s: body fields %v, the mock sends %v", word, got, want)
	}
	for _, f := range []string{"Event", "Role", "CallType", "CallResult"} {
		if body[f] != r.body[f] {
			t.Errorf("%s: %s = %#v, the mock sends %#v", word, f, body[f], r.body[f])
		}
	}
	for _, f := range []string{"StartCallTs", "AcceptTs", "EndTs"} {
		if (body[f] == 0.0) != (r.body[f] == 0.0) {
			t.Errorf("%s: %s = %v, the mock sends %v (filled only for normal_end)", word, f, body[f], r.body[f])
		}
	}
}

func sortedKeys(q url.Values) []string {
	var out []string
	for k := range q {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// shape lists the field paths of a JSON value, with the type of each leaf.
func shape(v any, at string) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			out = append(out, shape(e, at+"."+k)...)
		}
	case []any:
		if len(v) > 0 {
			out = append(out, shape(v[0], at+"[]")...)
		}
	default:
		out = append(out, at+":"+typeName(v))
	}
	slices.Sort(out)
	return out
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	default:
		return "null"
	}
}
