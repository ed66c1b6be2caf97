// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"errors"
	"runtime"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Address is the provider's source address in the Terraform Registry.
const Address = "registry.terraform.io/tencentcallkit/tencentcallkit"

// callRecordsTypeName is the data source the protocol-level read serves.
const callRecordsTypeName = "tencentcallkit_call_records"

// Serve runs the provider as a Terraform plugin until Terraform stops it.
// debug serves it for a debugger (prints TF_REATTACH_PROVIDERS).
func Serve(ctx context.Context, version string, debug bool) error {
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	// The factory fails only when the framework's server lacks an optional
	// interface served here: a build problem, reported before serving.
	srv, err := NewProtocol6Server(version)()
	if err != nil {
		return err
	}
	// tf6server asks for the server once, when the plugin's gRPC server starts.
	return tf6server.Serve(Address, func() tfprotov6.ProviderServer { return srv }, opts...)
}

// NewProtocol6Server returns the factory of the provider's protocol-6 server,
// as main.go serves it, the acceptance tests run it in-process and the
// benchmarks measure it. Each server it makes has a provider of its own.
//
// It is the framework's server with one fast path: ReadDataSource of
// tencentcallkit_call_records runs the same read (readCallRecords) and writes
// the state's msgpack directly, byte for byte what the framework would send
// (TestCallRecordsWire_sameAsFramework), without the framework's per-value
// work on tens of thousands of records. Everything else, and this read when it
// cannot apply, goes to the framework. What it saves: protocolServer.
func NewProtocol6Server(version string) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		p := &tencentCallKitProvider{version: version}
		fw, ok := providerserver.NewProtocol6(p)().(frameworkServer)
		if !ok {
			return nil, errors.New("the framework's protocol-6 server does not serve the list resource, action and state store RPCs this provider forwards")
		}
		return &protocolServer{frameworkServer: fw, provider: p}, nil
	}
}

// frameworkServer is every RPC the framework's server answers. tf6server
// finds the optional ones (list resources for `terraform query`, actions,
// state stores) by type assertion on the served value, so embedding only
// tfprotov6.ProviderServer would hide them and Terraform would get "not
// implemented". TestProtocolServer_forwardsEveryFrameworkRPC checks this
// list against the framework's server method by method.
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
	tfprotov6.StateStoreServer
}

// protocolServer is the framework's server with ReadDataSource of
// tencentcallkit_call_records served by readCallRecordsRPC. It pays its way
// (BenchmarkReadCallRecords20k, 20,000 records, in-process, 2026-12-06 on 2
// busy cores): as objects 2.1 s against the framework's 29.7 s, as
// records_json 1.38 s against 1.78 s. Drop it when that gap closes.
type protocolServer struct {
	frameworkServer

	provider *tencentCallKitProvider

	callRecordsOnce   sync.Once
	callRecordsSchema datasource.SchemaResponse
	callRecordsType   tftypes.Object
}

func (s *protocolServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	if req != nil && req.TypeName == callRecordsTypeName {
		if resp := s.readCallRecordsRPC(ctx, req); resp != nil {
			return resp, nil
		}
	}
	return s.frameworkServer.ReadDataSource(ctx, req)
}

// readCallRecordsRPC serves ReadDataSource of tencentcallkit_call_records, or
// returns nil to leave it to the framework: when the provider has no CallKit
// client (the framework's Read reports why) or the configuration is not
// wholly known (Terraform does not read data sources then; the framework
// handles it if it ever does).
func (s *protocolServer) readCallRecordsRPC(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) *tfprotov6.ReadDataSourceResponse {
	pd := s.provider.configured.Load()
	if pd == nil || pd.Client == nil || req.Config == nil {
		return nil
	}
	s.callRecordsOnce.Do(func() {
		NewCallRecordsDataSource().Schema(ctx, datasource.SchemaRequest{}, &s.callRecordsSchema)
		if typ, ok := s.callRecordsSchema.Schema.Type().TerraformType(ctx).(tftypes.Object); ok {
			s.callRecordsType = typ
		}
	})
	if s.callRecordsSchema.Diagnostics.HasError() || s.callRecordsType.AttributeTypes == nil {
		return nil
	}
	raw, err := req.Config.Unmarshal(s.callRecordsType)
	if err != nil || !raw.IsFullyKnown() {
		return nil
	}

	// On an error the framework answers the configuration as the state,
	// beside the diagnostics; so does this read.
	var diags diag.Diagnostics
	failed := func() *tfprotov6.ReadDataSourceResponse {
		resp := &tfprotov6.ReadDataSourceResponse{Diagnostics: protoDiagnostics(ctx, diags)}
		if dv, err := tfprotov6.NewDynamicValue(s.callRecordsType, raw); err == nil {
			resp.State = &dv
		}
		return resp
	}
	var state callRecordsDataSourceModel
	diags.Append(tfsdk.Config{Raw: raw, Schema: s.callRecordsSchema.Schema}.Get(ctx, &state)...)
	if diags.HasError() {
		return failed()
	}
	recs := readCallRecords(ctx, pd.Client, &state, &diags)
	if diags.HasError() {
		return failed()
	}
	b, err := encodeCallRecordsState(s.callRecordsType, &state, recs)
	if err != nil {
		addEncodeError(&diags, "Terraform state", err)
		return failed()
	}
	tflog.Trace(ctx, "Served ReadDataSource at the protocol level", map[string]any{"records": len(recs), "state_bytes": len(b)})
	if len(b) >= bigStateBytes {
		// The state's source (records, or records_json's text) is garbage
		// now, and the gRPC layer is about to copy b once more: collect it
		// first, so that the peak holds two copies of a big state, not three
		// (records_json of 100,000 records: 178 MB peak without, 146 MB with).
		runtime.GC()
	}
	return &tfprotov6.ReadDataSourceResponse{
		State:       &tfprotov6.DynamicValue{MsgPack: b},
		Diagnostics: protoDiagnostics(ctx, diags),
	}
}

// bigStateBytes is the state size from which a read collects its garbage
// before answering (100,000 records are about 31 MB).
const bigStateBytes = 8 << 20

// protoDiagnostics converts framework diagnostics to the protocol's, as the
// framework does for the RPCs it serves.
func protoDiagnostics(ctx context.Context, diags diag.Diagnostics) []*tfprotov6.Diagnostic {
	if len(diags) == 0 {
		return nil
	}
	out := make([]*tfprotov6.Diagnostic, 0, len(diags))
	for _, d := range diags {
		pd := &tfprotov6.Diagnostic{
			Severity: tfprotov6.DiagnosticSeverityWarning,
			Summary:  d.Summary(),
			Detail:   d.Detail(),
		}
		if d.Severity() == diag.SeverityError {
			pd.Severity = tfprotov6.DiagnosticSeverityError
		}
		if wp, ok := d.(diag.DiagnosticWithPath); ok {
			pd.Attribute = attributePath(ctx, wp.Path())
		}
		out = append(out, pd)
	}
	return out
}

// attributePath is a framework path as the protocol's attribute path, step by
// step as the framework converts it (an empty path is an empty, non-nil path);
// nil for a step it cannot convert.
func attributePath(ctx context.Context, p path.Path) *tftypes.AttributePath {
	steps := make([]tftypes.AttributePathStep, 0, len(p.Steps()))
	for _, step := range p.Steps() {
		switch st := step.(type) {
		case path.PathStepAttributeName:
			steps = append(steps, tftypes.AttributeName(string(st)))
		case path.PathStepElementKeyInt:
			steps = append(steps, tftypes.ElementKeyInt(int64(st)))
		case path.PathStepElementKeyString:
			steps = append(steps, tftypes.ElementKeyString(string(st)))
		case path.PathStepElementKeyValue:
			v, err := st.ToTerraformValue(ctx)
			if err != nil {
				return nil
			}
			steps = append(steps, tftypes.ElementKeyValue(v))
		default:
			return nil
		}
	}
	return tftypes.NewAttributePathWithSteps(steps)
}
