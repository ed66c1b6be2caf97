package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

var (
	_ provider.Provider                       = (*noopProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*noopProvider)(nil)
	_ resource.Resource                       = (*noopResource)(nil)
	_ datasource.DataSource                   = (*noopDataSource)(nil)
	_ ephemeral.EphemeralResource             = (*noopEphemeral)(nil)
)

// newNoop wraps a provider factory: names and schemas come from it, behaviour
// does not.
func newNoop(wrapped func() provider.Provider) func() provider.Provider {
	return func() provider.Provider { return &noopProvider{real: wrapped()} }
}

type noopProvider struct {
	real provider.Provider
}

func (p *noopProvider) Metadata(ctx context.Context, req provider.MetadataRequest, resp *provider.MetadataResponse) {
	p.real.Metadata(ctx, req, resp)
	resp.Version = "noop"
}

func (p *noopProvider) Schema(ctx context.Context, req provider.SchemaRequest, resp *provider.SchemaResponse) {
	p.real.Schema(ctx, req, resp)
}

// Configure builds no client and reads no environment: there is nothing to talk to.
func (p *noopProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *noopProvider) Resources(ctx context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for _, f := range p.real.Resources(ctx) {
		out = append(out, func() resource.Resource { return &noopResource{real: f()} })
	}
	return out
}

func (p *noopProvider) DataSources(ctx context.Context) []func() datasource.DataSource {
	var out []func() datasource.DataSource
	for _, f := range p.real.DataSources(ctx) {
		out = append(out, func() datasource.DataSource { return &noopDataSource{real: f()} })
	}
	return out
}

func (p *noopProvider) EphemeralResources(ctx context.Context) []func() ephemeral.EphemeralResource {
	rp, ok := p.real.(provider.ProviderWithEphemeralResources)
	if !ok {
		return nil
	}
	var out []func() ephemeral.EphemeralResource
	for _, f := range rp.EphemeralResources(ctx) {
		out = append(out, func() ephemeral.EphemeralResource { return &noopEphemeral{real: f()} })
	}
	return out
}

// noopResource plans with the real schema (defaults and plan modifiers
// included, as they run without I/O) and applies by storing the plan.
type noopResource struct {
	real resource.Resource
}

func (r *noopResource) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	r.real.Metadata(ctx, req, resp)
}

func (r *noopResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	r.real.Schema(ctx, req, resp)
}

func (r *noopResource) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = unknownsToNull(req.Plan.Raw)
}

// Read keeps the prior state: the framework has already put it in resp.State.
func (r *noopResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *noopResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = unknownsToNull(req.Plan.Raw)
}

// Delete has nothing to remove; the framework clears the state.
func (r *noopResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// noopDataSource answers with its configuration: the framework has already
// copied it into resp.State, computed attributes null.
type noopDataSource struct {
	real datasource.DataSource
}

func (d *noopDataSource) Metadata(ctx context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	d.real.Metadata(ctx, req, resp)
}

func (d *noopDataSource) Schema(ctx context.Context, req datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	d.real.Schema(ctx, req, resp)
}

func (d *noopDataSource) Read(context.Context, datasource.ReadRequest, *datasource.ReadResponse) {}

// noopEphemeral opens with its configuration as the result, like the data sources.
type noopEphemeral struct {
	real ephemeral.EphemeralResource
}

func (e *noopEphemeral) Metadata(ctx context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	e.real.Metadata(ctx, req, resp)
}

func (e *noopEphemeral) Schema(ctx context.Context, req ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	e.real.Schema(ctx, req, resp)
}

func (e *noopEphemeral) Open(context.Context, ephemeral.OpenRequest, *ephemeral.OpenResponse) {}

// unknownsToNull turns every unknown value of a plan into null: after apply
// Terraform accepts no unknowns, and there is no service to fill them from.
func unknownsToNull(v tftypes.Value) tftypes.Value {
	out, err := tftypes.Transform(v, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if !v.IsKnown() {
			return tftypes.NewValue(v.Type(), nil), nil
		}
		return v, nil
	})
	if err != nil {
		// Transform fails only when the callback does, and this one never does.
		return v
	}
	return out
}
