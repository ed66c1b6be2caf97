// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// twoServers is the provider served two ways on one mock: as main.go serves
// it (NewProtocol6Server, which reads tencentcallkit_call_records at the
// protocol level) and by the framework alone (providerserver.NewProtocol6),
// the reference.
type twoServers struct {
	served, framework tfprotov6.ProviderServer
	schemas           *tfprotov6.GetProviderSchemaResponse
}

func newTwoServers(t testing.TB) *twoServers {
	t.Helper()
	served, err := NewProtocol6Server("test")()
	if err != nil {
		t.Fatal(err)
	}
	framework := providerserver.NewProtocol6(New("test")())()
	schemas, err := served.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		t.Fatalf("GetProviderSchema: %v%s", err, describeDiags(schemas.Diagnostics))
	}
	return &twoServers{served: served, framework: framework, schemas: schemas}
}

// configure configures both providers with the same attributes.
func (s *twoServers) configure(t testing.TB, set map[string]any) {
	t.Helper()
	for _, srv := range []tfprotov6.ProviderServer{s.served, s.framework} {
		cfg, err := configValue(s.schemas.Provider, copyMap(set))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.ConfigureProvider(t.Context(), &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.11.4", Config: cfg})
		if err != nil || len(resp.Diagnostics) > 0 {
			t.Fatalf("ConfigureProvider: %v%s", err, describeDiags(resp.Diagnostics))
		}
	}
}

// read reads tencentcallkit_call_records from both servers.
func (s *twoServers) read(t *testing.T, cfg *tfprotov6.DynamicValue) (served, framework *tfprotov6.ReadDataSourceResponse) {
	t.Helper()
	ctx := t.Context()
	req := &tfprotov6.ReadDataSourceRequest{TypeName: callRecordsTypeName, Config: cfg}
	served, err := s.served.ReadDataSource(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	framework, err = s.framework.ReadDataSource(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	return served, framework
}

func (s *twoServers) callRecordsConfig(t testing.TB, set map[string]any) *tfprotov6.DynamicValue {
	t.Helper()
	cfg, err := configValue(s.schemas.DataSourceSchemas[callRecordsTypeName], set)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// sameDiagnostics compares diagnostics by severity, attribute, summary and
// detail, with the request IDs (which differ from request to request) blanked.
func sameDiagnostics(t *testing.T, served, framework []*tfprotov6.Diagnostic) {
	t.Helper()
	blank := func(diags []*tfprotov6.Diagnostic) string {
		var b strings.Builder
		for _, d := range diags {
			detail := d.Detail
			if i := strings.Index(detail, "requestId "); i >= 0 {
				end := strings.IndexAny(detail[i+len("requestId "):], ",. ")
				if end >= 0 {
					detail = detail[:i] + "requestId …" + detail[i+len("requestId ")+end:]
				}
			}
			b.WriteString(describeDiags([]*tfprotov6.Diagnostic{{Severity: d.Severity, Attribute: d.Attribute, Summary: d.Summary, Detail: detail}}))
		}
		return b.String()
	}
	if got, want := blank(served), blank(framework); got != want {
		t.Errorf("diagnostics differ\nserved:   %s\nframework:%s", got, want)
	}
}

// sameState: both answers hold no state or the same bytes.
func sameState(t *testing.T, served, framework *tfprotov6.ReadDataSourceResponse) {
	t.Helper()
	switch {
	case served.State == nil && framework.State == nil:
	case served.State == nil || framework.State == nil:
		t.Fatalf("state served: %v, from the framework: %v", served.State != nil, framework.State != nil)
	case !bytes.Equal(served.State.MsgPack, framework.State.MsgPack):
		t.Fatalf("states differ: %d bytes served, %d bytes from the framework", len(served.State.MsgPack), len(framework.State.MsgPack))
	}
}

// TestCallRecordsWire_sameAsFramework: for every kind of read the data
// source does (all pages, one page, filters, v1 and v4, nothing found),
// the state the protocol-level read sends is byte for byte the state the
// framework sends for the same configuration and the same records. The mock
// holds generated records plus hand-made ones for the encoding's edges:
// multi-byte and long strings (msgpack's str8/str16/str32), no callees,
// many callees, extreme integers.
func TestCallRecordsWire_sameAsFramework(t *testing.T) {
	t.Parallel()
	now := time.Now()
	mock, url := newTestMock(t, mockserver.Options{Records: 300, Seed: 7, Clock: func() time.Time { return now }})
	start := now.Add(-6 * 24 * time.Hour).Unix()
	edge := now.Add(-2 * time.Hour).Unix()
	manyCallees := make([]string, 40)
	for i := range manyCallees {
		manyCallees[i] = "callee-" + strings.Repeat("x", i)
	}
	mock.AddRecords(
		mockserver.Record{CallID: "edge-utf8", MediaType: "video", RoomID: "房间-ü-🎧", RoomIDType: 2, StartCallTs: edge, AcceptTs: edge + 1, EndTs: edge + 60,
			Caller: "用户-émile", TotalUserNumber: 2, CallType: "single", CallResult: "normal_end", Callees: []string{"ユーザー"}},
		mockserver.Record{CallID: "edge-long-" + strings.Repeat("a", 300), MediaType: "audio", RoomID: strings.Repeat("r", 70000), RoomIDType: 1, StartCallTs: edge + 1,
			EndTs: edge + 2, Caller: strings.Repeat("c", 31), TotalUserNumber: 41, CallType: "group", CallResult: "normal_end", Callees: manyCallees},
		mockserver.Record{CallID: "edge-nocallees", MediaType: "audio", RoomID: "0", RoomIDType: 1, StartCallTs: edge + 2, EndTs: edge + 2,
			Caller: "", TotalUserNumber: 1, CallType: "single", CallResult: "cancel", Callees: nil},
	)

	inWindow := 0
	for _, r := range mock.Records() {
		if r.StartCallTs >= start {
			inWindow++
		}
	}
	if inWindow < 200 {
		t.Fatalf("the mock holds %d records since %d, want more than two pages", inWindow, start)
	}
	s := newTwoServers(t)
	s.configure(t, map[string]any{"endpoint": url, "sdk_app_id": int64(mockserver.DefaultSDKAppID), "secret_key": mockserver.DefaultKey})

	cases := []struct {
		name string
		set  map[string]any
		min  int // records the state must hold at least, so a case cannot pass on two empty lists
	}{
		{name: "all pages v1", set: map[string]any{"start_timestamp": start}, min: inWindow},
		{name: "all pages v4", set: map[string]any{"start_timestamp": start, "api_version": "v4"}, min: inWindow},
		{name: "all pages v1 explicit, small pages", set: map[string]any{"start_timestamp": start, "end_timestamp": now.Unix(), "api_version": "v1", "number_per_page": int64(7)}, min: inWindow},
		{name: "one page", set: map[string]any{"start_timestamp": start, "page": int64(2), "number_per_page": int64(9)}, min: 9},
		{name: "page zero v4", set: map[string]any{"start_timestamp": start, "page": int64(0), "api_version": "v4"}, min: 100},
		{name: "page past the end", set: map[string]any{"start_timestamp": start, "page": int64(500)}},
		{name: "filters", set: map[string]any{"start_timestamp": start, "call_result": "normal_end", "call_type": "group"}, min: 1},
		{name: "edges only", set: map[string]any{"start_timestamp": edge, "end_timestamp": edge + 2}, min: 3},
		{name: "edges only v4", set: map[string]any{"start_timestamp": edge, "end_timestamp": edge + 2, "api_version": "v4"}, min: 3},
		{name: "nothing found", set: map[string]any{"start_timestamp": now.Add(time.Hour).Unix()}},
		{name: "lookback", set: map[string]any{"lookback": "6d"}, min: inWindow},
		{name: "lookback v4, small pages", set: map[string]any{"lookback": "1d12h", "api_version": "v4", "number_per_page": int64(50)}, min: 3},
	}
	recordsType := s.schemas.DataSourceSchemas[callRecordsTypeName].ValueType()
	for _, tc := range cases {
		// Each configuration in each form of the answer: unset (objects), and
		// both values named.
		for _, format := range []string{"", recordsFormatObjects, recordsFormatJSON} {
			set := copyMap(tc.set)
			if format != "" {
				set["records_format"] = format
			}
			t.Run(tc.name+" "+format, func(t *testing.T) {
				served, framework := s.read(t, s.callRecordsConfig(t, set))
				sameDiagnostics(t, served.Diagnostics, framework.Diagnostics)
				if len(framework.Diagnostics) > 0 || served.State == nil {
					t.Fatalf("want a state without diagnostics, got%s", describeDiags(served.Diagnostics))
				}
				sameState(t, served, framework)
				if n := stateRecordCount(t, served.State, recordsType, format == recordsFormatJSON); n < tc.min {
					t.Fatalf("the state holds %d records, want at least %d", n, tc.min)
				}
			})
		}
	}
}

// stateRecordCount is the number of records a call_records state holds, in
// the form asked for; the other form must be null.
func stateRecordCount(t *testing.T, state *tfprotov6.DynamicValue, typ tftypes.Type, jsonForm bool) int {
	t.Helper()
	v, err := state.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	if !jsonForm {
		var recs []tftypes.Value
		if err := attrs["records"].As(&recs); err != nil {
			t.Fatal(err)
		}
		if !attrs["records_json"].IsNull() {
			t.Fatal("records_json is set with records_format = objects")
		}
		return len(recs)
	}
	if !attrs["records"].IsNull() {
		t.Fatal("records is set with records_format = json")
	}
	var doc string
	if err := attrs["records_json"].As(&doc); err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	if err := json.Unmarshal([]byte(doc), &recs); err != nil {
		t.Fatalf("records_json is not a JSON array of objects: %v", err)
	}
	return len(recs)
}

// TestCallRecordsWire_errorsAndFallbacks: where the protocol-level read
// reports an error or leaves the read to the framework, Terraform sees what
// the framework alone answers.
func TestCallRecordsWire_errorsAndFallbacks(t *testing.T) {
	t.Parallel()
	_, url := newTestMock(t, mockserver.Options{Records: 10})
	start := time.Now().Add(-24 * time.Hour).Unix()

	cases := []struct {
		name     string
		provider map[string]any // nil: never configured
		want     func(d *tfprotov6.Diagnostic) bool
		wantWhat string
	}{
		{name: "provider not configured", wantWhat: "the framework's not-configured error",
			want: func(d *tfprotov6.Diagnostic) bool { return strings.Contains(d.Summary, "Not Configured") }},
		{name: "configured for Cloud Contact Center only", wantWhat: "the missing-settings error",
			provider: map[string]any{"tencentcloud_secret_id": "AKIDmock", "tencentcloud_secret_key": "mock-cloud-key"},
			want: func(d *tfprotov6.Diagnostic) bool {
				return strings.Contains(d.Detail, "serve tencentcallkit_tel_cdrs (Cloud Contact Center) only")
			}},
		{name: "wrong key", wantWhat: "an error naming secret_key",
			provider: map[string]any{"endpoint": url, "sdk_app_id": int64(mockserver.DefaultSDKAppID), "secret_key": "not-the-key", "max_retries": int64(0)},
			want:     func(d *tfprotov6.Diagnostic) bool { return strings.Contains(d.Detail, "secret_key") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newTwoServers(t)
			if tc.provider != nil {
				s.configure(t, tc.provider)
			}
			served, framework := s.read(t, s.callRecordsConfig(t, map[string]any{"start_timestamp": start}))
			sameDiagnostics(t, served.Diagnostics, framework.Diagnostics)
			sameState(t, served, framework)
			if len(served.Diagnostics) == 0 || !tc.want(served.Diagnostics[0]) {
				t.Fatalf("want %s, got%s", tc.wantWhat, describeDiags(served.Diagnostics))
			}
		})
	}
	// Errors the read itself finds carry an attribute path: the served read
	// must name the same attribute as the framework (Terraform points at the
	// configuration line with it). Validation runs before a read in
	// Terraform; these configurations reach the read directly.
	for name, set := range map[string]map[string]any{
		"window given twice":   {"start_timestamp": start, "lookback": "1h"},
		"no window":            {"call_type": "single"},
		"lookback not a span":  {"lookback": "yesterday", "records_format": recordsFormatJSON},
		"end before the start": {"start_timestamp": start, "end_timestamp": start - 10},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newTwoServers(t)
			s.configure(t, map[string]any{"endpoint": url, "sdk_app_id": int64(mockserver.DefaultSDKAppID), "secret_key": mockserver.DefaultKey})
			served, framework := s.read(t, s.callRecordsConfig(t, set))
			sameDiagnostics(t, served.Diagnostics, framework.Diagnostics)
			sameState(t, served, framework)
			if len(served.Diagnostics) == 0 || served.Diagnostics[0].Attribute == nil {
				t.Fatalf("want an error with an attribute path, got%s", describeDiags(served.Diagnostics))
			}
		})
	}
	t.Run("unknown configuration value", func(t *testing.T) {
		t.Parallel()
		s := newTwoServers(t)
		s.configure(t, map[string]any{"endpoint": url, "sdk_app_id": int64(mockserver.DefaultSDKAppID), "secret_key": mockserver.DefaultKey})
		cfg := s.callRecordsConfig(t, map[string]any{
			"start_timestamp": start,
			"call_type":       tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		})
		served, framework := s.read(t, cfg)
		sameDiagnostics(t, served.Diagnostics, framework.Diagnostics)
		sameState(t, served, framework)
	})
}

// TestEncodeCallRecordsState_unknownAttribute: a schema attribute the
// encoder does not know is an error, never a state without it.
func TestEncodeCallRecordsState_unknownAttribute(t *testing.T) {
	t.Parallel()
	schemas := newTwoServers(t).schemas
	typ, ok := schemas.DataSourceSchemas[callRecordsTypeName].ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("the schema type is %v", schemas.DataSourceSchemas[callRecordsTypeName].ValueType())
	}
	state := callRecordsDataSourceModel{}
	recs := []callkit.Record{{CallID: "c1"}}
	if _, err := encodeCallRecordsState(typ, &state, recs); err != nil {
		t.Fatalf("the schema's own type: %v", err)
	}

	extra := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"new_attribute": tftypes.String}}
	for k, v := range typ.AttributeTypes {
		extra.AttributeTypes[k] = v
	}
	if _, err := encodeCallRecordsState(extra, &state, recs); err == nil || !strings.Contains(err.Error(), `"new_attribute"`) {
		t.Fatalf("an unknown attribute: got %v", err)
	}

	recordsType, ok := typ.AttributeTypes["records"].(tftypes.List)
	if !ok {
		t.Fatalf("records is %v", typ.AttributeTypes["records"])
	}
	recordType, ok := recordsType.ElementType.(tftypes.Object)
	if !ok {
		t.Fatalf("a record is %v", recordsType.ElementType)
	}
	extraRecord := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"new_field": tftypes.Number}}
	for k, v := range recordType.AttributeTypes {
		extraRecord.AttributeTypes[k] = v
	}
	withRecord := tftypes.Object{AttributeTypes: map[string]tftypes.Type{}}
	for k, v := range typ.AttributeTypes {
		withRecord.AttributeTypes[k] = v
	}
	withRecord.AttributeTypes["records"] = tftypes.List{ElementType: extraRecord}
	if _, err := encodeCallRecordsState(withRecord, &state, recs); err == nil || !strings.Contains(err.Error(), `"new_field"`) {
		t.Fatalf("an unknown record attribute: got %v", err)
	}
}

// BenchmarkEncodeCallRecordsState20k is the state of an all-pages read of
// 20,000 records written for Terraform: the provider's whole cost beyond the
// paging itself (BenchmarkReadCallRecords20k in bench/internal/scenario).
func BenchmarkEncodeCallRecordsState20k(b *testing.B) {
	ctx := context.Background()
	var resp datasource.SchemaResponse
	NewCallRecordsDataSource().Schema(ctx, datasource.SchemaRequest{}, &resp)
	typ, ok := resp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		b.Fatalf("the schema type is %v", resp.Schema.Type().TerraformType(ctx))
	}
	recs := make([]callkit.Record, 20000)
	for i := range recs {
		n := int64(i)
		recs[i] = callkit.Record{
			CallID: fmt.Sprintf("call-%08d", i), SDKAppID: 1400000000, MediaType: "video", RoomID: fmt.Sprint(100000 + i),
			StartCallTs: 1_790_000_000 + n, AcceptTs: 1_790_000_003 + n, EndTs: 1_790_000_090 + n, Caller: fmt.Sprintf("user-%d", i%500),
			TotalUserNumber: &n, CallType: "single", CallResult: "normal_end", Callees: []string{fmt.Sprintf("user-%d", (i+1)%500)},
		}
	}
	state := callRecordsDataSourceModel{
		windowModel: windowModel{StartTimestamp: types.Int64Value(1_790_000_000)}, APIVersion: types.StringValue("v1"),
		NumberPerPage: types.Int64Value(100), TotalNum: types.Int64Value(int64(len(recs))),
	}
	b.ReportAllocs()
	var size int
	for b.Loop() {
		out, err := encodeCallRecordsState(typ, &state, recs)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.SetBytes(int64(size))
}

// TestProtocolServer_forwardsEveryFrameworkRPC: the server main.go serves
// answers every RPC the framework's server answers. tf6server discovers the
// optional ones (ListResource, the actions, the state stores, and whatever a
// later plugin-go adds) by type assertion, so a method missing here is an RPC
// Terraform gets "not implemented" for. The check walks the framework
// server's method set, so a newly added optional interface fails it too.
func TestProtocolServer_forwardsEveryFrameworkRPC(t *testing.T) {
	t.Parallel()
	served, err := NewProtocol6Server("test")()
	if err != nil {
		t.Fatal(err)
	}
	framework := providerserver.NewProtocol6(New("test")())()
	fwType, servedType := reflect.TypeOf(framework), reflect.TypeOf(served)
	if fwType.NumMethod() == 0 {
		t.Fatalf("%v has no methods", fwType)
	}
	for i := range fwType.NumMethod() {
		m := fwType.Method(i)
		got, ok := servedType.MethodByName(m.Name)
		switch {
		case !ok:
			t.Errorf("the served server (%v) has no %s: the framework's server (%v) answers it", servedType, m.Name, fwType)
		case got.Type.String() != strings.Replace(m.Type.String(), fwType.String(), servedType.String(), 1):
			t.Errorf("%s: served %v, framework %v", m.Name, got.Type, m.Type)
		}
	}
	// The optional interfaces of today's plugin-go, by name.
	if _, ok := served.(tfprotov6.ListResourceServer); !ok {
		t.Error("the served server is not a tfprotov6.ListResourceServer")
	}
	if _, ok := served.(tfprotov6.ActionServer); !ok {
		t.Error("the served server is not a tfprotov6.ActionServer")
	}
	if _, ok := served.(tfprotov6.StateStoreServer); !ok {
		t.Error("the served server is not a tfprotov6.StateStoreServer")
	}
}

// TestProtoDiagnostics_paths: attribute paths convert as the framework's own
// conversion does, including the two forms no read of today produces (an
// empty path, a set element's value), so a new diagnostic cannot drift.
func TestProtoDiagnostics_paths(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var diags diag.Diagnostics
	diags.AddAttributeError(path.Empty(), "Empty", "an empty path")
	diags.AddAttributeWarning(path.Root("records").AtListIndex(2).AtName("callees"), "Nested", "a list element")
	diags.AddAttributeError(path.Root("tags").AtMapKey("k").AtSetValue(types.StringValue("v")), "Set", "a set element")
	diags.AddError("No Path", "a diagnostic without a path")
	got := protoDiagnostics(ctx, diags)
	want := []*tftypes.AttributePath{
		tftypes.NewAttributePathWithSteps([]tftypes.AttributePathStep{}),
		tftypes.NewAttributePath().WithAttributeName("records").WithElementKeyInt(2).WithAttributeName("callees"),
		tftypes.NewAttributePath().WithAttributeName("tags").WithElementKeyString("k").WithElementKeyValue(tftypes.NewValue(tftypes.String, "v")),
		nil,
	}
	if len(got) != len(want) {
		t.Fatalf("%d diagnostics, want %d", len(got), len(want))
	}
	for i, d := range got {
		if (d.Attribute == nil) != (want[i] == nil) || (d.Attribute != nil && !d.Attribute.Equal(want[i])) {
			t.Errorf("%s: attribute %v, want %v", d.Summary, d.Attribute, want[i])
		}
	}
	if got[1].Severity != tfprotov6.DiagnosticSeverityWarning || got[0].Severity != tfprotov6.DiagnosticSeverityError {
		t.Errorf("severities %v, %v", got[0].Severity, got[1].Severity)
	}
}

// TestProtocolServer_servesActions: the action RPCs reach the framework
// through the served server, not only by method name: the action's schema
// is advertised and ValidateActionConfig runs its validators.
func TestProtocolServer_servesActions(t *testing.T) {
	t.Parallel()
	s := newTwoServers(t)
	as, ok := s.schemas.ActionSchemas["tencentcallkit_callback_check"]
	if !ok || as.Schema == nil {
		t.Fatalf("GetProviderSchema lists no tencentcallkit_callback_check action: %v", s.schemas.ActionSchemas)
	}
	srv, ok := s.served.(tfprotov6.ActionServer)
	if !ok {
		t.Fatal("the served server is not a tfprotov6.ActionServer")
	}
	for timeout, wantErr := range map[string]bool{"3s": false, "forever": true} {
		cfg, err := configValue(as.Schema, map[string]any{"timeout": timeout})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.ValidateActionConfig(t.Context(), &tfprotov6.ValidateActionConfigRequest{ActionType: "tencentcallkit_callback_check", Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(resp.Diagnostics) > 0; got != wantErr || (wantErr && resp.Diagnostics[0].Summary != "Invalid Timeout") {
			t.Errorf("timeout %q: diagnostics %s, want an Invalid Timeout error: %v", timeout, describeDiags(resp.Diagnostics), wantErr)
		}
	}
}

// BenchmarkReadCallRecords20k is what the fast path saves: an all-pages read
// of 20,000 records, in each form, served by NewProtocol6Server (fast path)
// and by the framework alone, against an in-process mock without rate limits
// (so the paging costs the same for both and the difference is the serving).
func BenchmarkReadCallRecords20k(b *testing.B) {
	now := time.Now()
	mock := mockserver.New(mockserver.Options{Records: 20000, Seed: 3, Clock: func() time.Time { return now }})
	srv := httptest.NewServer(mock)
	b.Cleanup(func() { srv.Close(); mock.Close() })
	s := newTwoServers(b)
	s.configure(b, map[string]any{"endpoint": srv.URL, "sdk_app_id": int64(mockserver.DefaultSDKAppID), "secret_key": mockserver.DefaultKey})
	for _, format := range []string{recordsFormatObjects, recordsFormatJSON} {
		cfg := s.callRecordsConfig(b, map[string]any{"start_timestamp": now.Add(-7 * 24 * time.Hour).Unix(), "records_format": format})
		for name, server := range map[string]tfprotov6.ProviderServer{"fast_path": s.served, "framework": s.framework} {
			b.Run(format+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					resp, err := server.ReadDataSource(b.Context(), &tfprotov6.ReadDataSourceRequest{TypeName: callRecordsTypeName, Config: cfg})
					if err != nil || len(resp.Diagnostics) > 0 {
						b.Fatalf("%v%s", err, describeDiags(resp.Diagnostics))
					}
				}
			})
		}
	}
}
