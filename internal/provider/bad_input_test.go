package provider

// The bad-input matrix of issue 6 and where each case is proven at plan time
// through Terraform, with no request reaching the mock (assertNoAPICalls):
//
//	address empty / other scheme / with spaces / too long   TestAccCallback_planTimeValidation
//	address relative                                         TestAccCallback_planTimeValidation ("example.com/cb"), TestAccBadInput_planTime
//	action unknown / duplicate-by-case / empty / empty set   TestAccCallback_planTimeValidation
//	sdk_app_id zero or negative, region unknown              TestAccProvider_invalidConfiguration
//	endpoint not a URL / http on a non-loopback host         TestAccProvider_invalidConfiguration, TestAccBadInput_planTime
//	request_timeout <= 3 s or unparseable, max_retries < 0   TestAccProvider_invalidConfiguration, TestAccBadInput_planTime
//	(the same from environment variables)                    TestAccProvider_environmentInvalid
//	call_id empty                                            TestAccCallRecordDataSource_validation
//	start_timestamp negative, end before start               TestAccCallRecordsDataSource_validation, TestAccCallStatsDataSource_validation
//	number_per_page 0 or 101, page negative                  TestAccCallRecordsDataSource_validation
//	unknown call_result / call_type                          TestAccCallRecordsDataSource_validation, TestAccCallStatsDataSource_validation
//	unknown records_format                                   TestAccCallRecordsDataSource_validation
//	usersig expire_seconds <= 0                              TestAccUserSigEphemeral_validation
//
// TestBadInput_diagnostics below runs every case of the matrix through the
// provider's validation RPCs in-process and checks what the Terraform tests
// can only match loosely in rendered text: the diagnostic is an error on the
// offending attribute's path, and its detail quotes the bad value and says
// what is allowed.

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// badInputCase is one bad value: where it is configured, and what the error
// must name.
type badInputCase struct {
	name string
	kind string // "provider", "resource", "data", "ephemeral"
	typ  string // resource, data source or ephemeral resource type
	set  map[string]any
	attr string   // the attribute the diagnostic must point at
	want []string // the bad value as the detail shows it, and what is allowed
}

func badInputCases() []badInputCase {
	long := "https://example.com/" + strings.Repeat("a", maxCallbackAddressLength)
	okProvider := map[string]any{"sdk_app_id": int64(mockserver.DefaultSDKAppID), "secret_key": "k"}
	provider := func(name string, attr string, v any, want ...string) badInputCase {
		set := map[string]any{}
		for k, v := range okProvider {
			set[k] = v
		}
		set[attr] = v
		return badInputCase{name: name, kind: "provider", set: set, attr: attr, want: want}
	}
	callback := func(name string, address string, actions []string, attr string, want ...string) badInputCase {
		return badInputCase{name: name, kind: "resource", typ: "tencentcallkit_callback",
			set: map[string]any{"address": address, "actions": actions}, attr: attr, want: want}
	}
	ok := []string{"normal_end"}
	data := func(name, typ string, set map[string]any, attr string, want ...string) badInputCase {
		return badInputCase{name: name, kind: "data", typ: typ, set: set, attr: attr, want: want}
	}
	const start = int64(1700000000)
	records, stats := "tencentcallkit_call_records", "tencentcallkit_call_stats"
	return []badInputCase{
		callback("address empty", "", ok, "address", `got "": the value is empty`, "absolute http:// or https:// URL"),
		callback("address relative", "/callkit/callback", ok, "address", `"/callkit/callback"`, "absolute http:// or https:// URL"),
		callback("address without scheme", "example.com/cb", ok, "address", `"example.com/cb"`, "scheme must be http or https"),
		callback("address other scheme", "ftp://example.com/cb", ok, "address", `"ftp://example.com/cb"`, "scheme must be http or https"),
		callback("address with spaces", "https://example.com/call back", ok, "address", `"https://example.com/call back"`, "whitespace at position 25", "%20"),
		callback("address too long", long, ok, "address", fmt.Sprintf("%q", long[:80]), "2068 characters long, at most 2048"),
		callback("action unknown", testCallbackAddress, []string{"call_start"}, "actions", `"call_start" is not a v1 action word`, `"normal_end"`),
		callback("action duplicate by case", testCallbackAddress, []string{"normal_end", "Normal_End"}, "actions", `"Normal_End" is not a v1 action word`, `Did you mean "normal_end"?`),
		callback("action empty string", testCallbackAddress, []string{""}, "actions", `"" is not a v1 action word`, "must not be empty"),
		callback("action set empty", testCallbackAddress, []string{}, "actions", "got: 0", "at least 1"),
		provider("sdk_app_id zero", "sdk_app_id", int64(0), "got: 0", "at least 1"),
		provider("sdk_app_id negative", "sdk_app_id", int64(-7), "got: -7", "at least 1"),
		provider("region unknown", "region", "mars", `got "mars"`, `"singapore"`),
		provider("endpoint not a URL", "endpoint", "not a url", `"not a url"`, "https://"),
		provider("endpoint without host", "endpoint", "https://", `"https://"`, "absolute URL"),
		provider("endpoint http on a non-loopback host", "endpoint", "http://callkit.example.com", `"http://callkit.example.com"`, "https is required"),
		provider("request_timeout 3s", "request_timeout", "3s", `got "3s"`, "longer than the service's own 3s"),
		provider("request_timeout below 3s", "request_timeout", "2999ms", `got "2999ms"`, "longer than"),
		provider("request_timeout unparseable", "request_timeout", "ten seconds", `got "ten seconds"`, `such as "10s"`),
		provider("request_timeout without unit", "request_timeout", "10", `got "10"`, `such as "10s"`),
		provider("max_retries negative", "max_retries", int64(-1), "got: -1", "at least 0"),
		data("call_id empty", "tencentcallkit_call_record", map[string]any{"call_id": ""}, "call_id", "got: 0", "at least 1"),
		data("start_timestamp negative", records, map[string]any{"start_timestamp": int64(-1)}, "start_timestamp", "got: -1", "at least 0"),
		data("end before start", records, map[string]any{"start_timestamp": start, "end_timestamp": start - 1}, "end_timestamp", "end_timestamp (1699999999) is before start_timestamp (1700000000)", "at or after"),
		data("number_per_page zero", records, map[string]any{"start_timestamp": start, "number_per_page": int64(0)}, "number_per_page", "got: 0", "between 1 and 100"),
		data("number_per_page 101", records, map[string]any{"start_timestamp": start, "number_per_page": int64(101)}, "number_per_page", "got: 101", "between 1 and 100"),
		data("page negative", records, map[string]any{"start_timestamp": start, "page": int64(-1)}, "page", "got: -1", "at least 0"),
		data("call_result unknown", records, map[string]any{"start_timestamp": start, "call_result": "missed"}, "call_result", `got: "missed"`, `"not_answer"`),
		data("call_type unknown", records, map[string]any{"start_timestamp": start, "call_type": "conference"}, "call_type", `got: "conference"`, `"single"`),
		data("records_format unknown", records, map[string]any{"start_timestamp": start, "records_format": "csv"}, "records_format", `got: "csv"`, `"objects"`, `"json"`),
		data("stats start_timestamp negative", stats, map[string]any{"start_timestamp": int64(-5)}, "start_timestamp", "got: -5", "at least 0"),
		data("stats end before start", stats, map[string]any{"start_timestamp": start, "end_timestamp": start - 100}, "end_timestamp", "(1699999900) is before start_timestamp (1700000000)"),
		data("stats call_type unknown", stats, map[string]any{"start_timestamp": start, "call_type": "1v1"}, "call_type", `got: "1v1"`, `"group"`),
		{name: "expire_seconds zero", kind: "ephemeral", typ: "tencentcallkit_usersig", set: map[string]any{"user_id": "alice", "expire_seconds": int64(0)}, attr: "expire_seconds", want: []string{"got: 0", "at least 1"}},
		{name: "expire_seconds negative", kind: "ephemeral", typ: "tencentcallkit_usersig", set: map[string]any{"user_id": "alice", "expire_seconds": int64(-60)}, attr: "expire_seconds", want: []string{"got: -60", "at least 1"}},
	}
}

// TestBadInput_diagnostics: every bad value of the matrix is refused by the
// validation Terraform runs while planning, with exactly one error, on the
// offending attribute, quoting the value and saying what is allowed.
func TestBadInput_diagnostics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	server, err := NewProtocol6Server("test")()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		t.Fatalf("GetProviderSchema: %v %v", err, schemas.Diagnostics)
	}
	for _, tc := range badInputCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var schema *tfprotov6.Schema
			switch tc.kind {
			case "provider":
				schema = schemas.Provider
			case "resource":
				schema = schemas.ResourceSchemas[tc.typ]
			case "data":
				schema = schemas.DataSourceSchemas[tc.typ]
			case "ephemeral":
				schema = schemas.EphemeralResourceSchemas[tc.typ]
			}
			if schema == nil {
				t.Fatalf("no %s schema for %q", tc.kind, tc.typ)
			}
			config, err := configValue(schema, tc.set)
			if err != nil {
				t.Fatal(err)
			}
			var diags []*tfprotov6.Diagnostic
			switch tc.kind {
			case "provider":
				resp, err := server.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: config})
				if err != nil {
					t.Fatal(err)
				}
				diags = resp.Diagnostics
			case "resource":
				resp, err := server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: tc.typ, Config: config})
				if err != nil {
					t.Fatal(err)
				}
				diags = resp.Diagnostics
			case "data":
				resp, err := server.ValidateDataResourceConfig(ctx, &tfprotov6.ValidateDataResourceConfigRequest{TypeName: tc.typ, Config: config})
				if err != nil {
					t.Fatal(err)
				}
				diags = resp.Diagnostics
			case "ephemeral":
				resp, err := server.ValidateEphemeralResourceConfig(ctx, &tfprotov6.ValidateEphemeralResourceConfigRequest{TypeName: tc.typ, Config: config})
				if err != nil {
					t.Fatal(err)
				}
				diags = resp.Diagnostics
			}
			// A warning may come with the error (a start older than the
			// records API reaches, issue 33); the errors are what count.
			all := diags
			diags = slices.DeleteFunc(slices.Clone(diags), func(d *tfprotov6.Diagnostic) bool { return d.Severity == tfprotov6.DiagnosticSeverityWarning })
			if len(diags) != 1 || diags[0].Severity != tfprotov6.DiagnosticSeverityError {
				t.Fatalf("want exactly one error diagnostic, got %d: %s", len(diags), describeDiags(all))
			}
			d := diags[0]
			if d.Attribute == nil || len(d.Attribute.Steps()) == 0 || d.Attribute.Steps()[0] != tftypes.AttributeName(tc.attr) {
				t.Errorf("the error is on %v, want attribute %s", d.Attribute, tc.attr)
			}
			text := d.Summary + "\n" + d.Detail
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("the error does not contain %q:\n%s", w, text)
				}
			}
		})
	}
}

func describeDiags(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "\n  [%v] %v: %s: %s", d.Severity, d.Attribute, d.Summary, d.Detail)
	}
	return b.String()
}

// configValue builds a configuration of schema's type in which the given
// attributes are set and every other one is null.
func configValue(schema *tfprotov6.Schema, set map[string]any) (*tfprotov6.DynamicValue, error) {
	typ, ok := schema.ValueType().(tftypes.Object)
	if !ok {
		return nil, fmt.Errorf("schema type %T is not an object", schema.ValueType())
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		v, ok := set[name]
		if !ok {
			vals[name] = tftypes.NewValue(at, nil)
			continue
		}
		switch v := v.(type) {
		case tftypes.Value:
			vals[name] = v
		case string:
			vals[name] = tftypes.NewValue(tftypes.String, v)
		case int64:
			vals[name] = tftypes.NewValue(tftypes.Number, new(big.Float).SetInt64(v))
		case []string:
			elems := make([]tftypes.Value, len(v))
			for i, s := range v {
				elems[i] = tftypes.NewValue(tftypes.String, s)
			}
			vals[name] = tftypes.NewValue(at, elems)
		default:
			return nil, fmt.Errorf("attribute %s: unsupported test value %T", name, v)
		}
		delete(set, name)
	}
	if len(set) > 0 {
		return nil, fmt.Errorf("attributes not in the schema: %v", set)
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	return &dv, err
}

// TestAccBadInput_planTime covers through Terraform the variants of the
// matrix that the resource and provider tests above do not already run:
// each fails while planning, names the attribute and the value, and no
// request reaches the mock.
func TestAccBadInput_planTime(t *testing.T) {
	t.Parallel()
	mock, url := newTestMock(t, mockserver.Options{})
	providerWith := func(line string) string {
		return fmt.Sprintf(`
provider "tencentcallkit" {
  sdk_app_id = %d
  secret_key = %q
  %s
}
`, mockserver.DefaultSDKAppID, mockserver.DefaultKey, line)
	}
	step := func(config, want string) resource.TestStep {
		return resource.TestStep{Config: config, PlanOnly: true, ExpectError: errorPattern(want)}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(testCallbackConfig(url, "", "/callkit/callback", []string{"normal_end"}),
				`Invalid Callback Address.*Attribute address must be an absolute http:// or https:// URL.*got "/callkit/callback"`),
			step(testCallbackConfig(url, "", "https://example.com/call back", []string{"normal_end"}),
				`Invalid Callback Address.*Attribute address.*got "https://example.com/call back": it contains whitespace at position 25`),
			step(providerWith(`endpoint = "not a url"`)+testCallbackResource,
				`Invalid Endpoint.*Attribute endpoint value is refused: endpoint "not a url" is not an absolute URL`),
			step(providerWith(`endpoint = "https://"`)+testCallbackResource,
				`Invalid Endpoint.*Attribute endpoint value is refused: endpoint "https://" is not an absolute URL`),
			step(providerWith(fmt.Sprintf("endpoint = %q\n  request_timeout = \"2999ms\"", url))+testCallbackResource,
				`Invalid Request Timeout.*Attribute request_timeout must be longer than the service's own 3s timeout.*got "2999ms"`),
			step(providerWith(fmt.Sprintf("endpoint = %q\n  request_timeout = \"\"", url))+testCallbackResource,
				`Invalid Request Timeout.*Attribute request_timeout must be a duration with a unit.*got ""`),
		},
	})
	assertNoAPICalls(t, mock)
}
