// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"errors"
	"fmt"
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
// The server is the framework's (providerserver.NewProtocol6) with one RPC
// served differently: ReadDataSource of tencentcallkit_call_records, whose
// state can hold tens of thousands of records. Through the framework, every
// one of their values becomes a framework value, a tftypes value and then
// msgpack, and is walked again for semantic equality after Read: about 4 s of
// CPU for 20,000 records, four times the time the service's rate limit needs
// to page through them. The protocol-level read runs the same read
// (readCallRecords) and writes the state's msgpack directly, byte for byte
// what the framework would have sent (TestCallRecordsWire_sameAsFramework).
// Every other RPC, and this one whenever the fast path does not apply (the
// provider not configured for CallKit, a configuration with unknown values),
// goes to the framework unchanged.
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
// tencentcallkit_call_records served by readCallRecordsRPC.
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
		resp := &tfprotov6.ReadDataSourceResponse{Diagnostics: protoDiagnostics(diags)}
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
		diags.AddError("Unable to Encode Call Records",
			fmt.Sprintf("The records were read but could not be written as Terraform state: %s. This is a bug in the provider; please report it.", err))
		return failed()
	}
	tflog.Trace(ctx, "Served ReadDataSource at the protocol level", map[string]any{"records": len(recs), "state_bytes": len(b)})
	return &tfprotov6.ReadDataSourceResponse{
		State:       &tfprotov6.DynamicValue{MsgPack: b},
		Diagnostics: protoDiagnostics(diags),
	}
}

// protoDiagnostics converts framework diagnostics to the protocol's, as the
// framework does for the RPCs it serves.
func protoDiagnostics(diags diag.Diagnostics) []*tfprotov6.Diagnostic {
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
			pd.Attribute = attributePath(wp.Path())
		}
		out = append(out, pd)
	}
	return out
}

// attributePath is a framework path as the protocol's attribute path; nil for
// an empty path or one with a step the protocol cannot name.
func attributePath(p path.Path) *tftypes.AttributePath {
	steps := p.Steps()
	if len(steps) == 0 {
		return nil
	}
	ap := tftypes.NewAttributePath()
	for _, step := range steps {
		switch st := step.(type) {
		case path.PathStepAttributeName:
			ap = ap.WithAttributeName(string(st))
		case path.PathStepElementKeyInt:
			ap = ap.WithElementKeyInt(int(st))
		case path.PathStepElementKeyString:
			ap = ap.WithElementKeyString(string(st))
		default:
			return nil
		}
	}
	return ap
}
