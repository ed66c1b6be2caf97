// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

var (
	_ list.ListResource              = (*callbackListResource)(nil)
	_ list.ListResourceWithConfigure = (*callbackListResource)(nil)
)

// NewCallbackListResource returns the tencentcallkit_callback list resource
// (`list` blocks in .tfquery.hcl files, `terraform query`, Terraform 1.14+).
func NewCallbackListResource() list.ListResource {
	return &callbackListResource{}
}

// callbackListResource finds the provider's application's callback
// configurations: at most one per API generation. It reads through the
// managed resource's client calls and model mapping, so a listed
// configuration is exactly what an import of it would hold.
type callbackListResource struct {
	res callbackResource
}

type callbackListConfigModel struct {
	APIVersion types.String `tfsdk:"api_version"`
}

func (l *callbackListResource) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	l.res.Metadata(ctx, req, resp)
}

func (l *callbackListResource) Configure(ctx context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.res.Configure(ctx, req, resp)
}

func (l *callbackListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the callback configurations of the provider's application: its `v1` configuration, its `v4` configuration, or both. " +
			"Each result carries the resource identity, so `terraform query -generate-config-out=FILE` writes an import block and a resource block for it.\n\n" +
			"**One list per configuration you generate.** Two `list` blocks that match the same configuration (one without `api_version` and one " +
			"with `api_version = \"v4\"`, say) make `-generate-config-out` write two resources for it, and the next plan imports it twice, " +
			"without a warning. List both generations with one block, or each generation with its own `api_version`, never both.",
		Attributes: map[string]listschema.Attribute{
			"api_version": listschema.StringAttribute{
				MarkdownDescription: "Only the configuration of this API generation: `v1` or `v4`. Unset lists both.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(string(callkit.V1), string(callkit.V4))},
			},
		},
	}
}

// callbackDisplayName is how `terraform query` shows a configuration.
func callbackDisplayName(sdkAppID int64, v callkit.APIVersion, address string) string {
	return fmt.Sprintf("%d (%s): %s", sdkAppID, v, address)
}

func (l *callbackListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	var cfg callbackListConfigModel
	diags.Append(req.Config.Get(ctx, &cfg)...)
	if l.res.client == nil && !diags.HasError() {
		diags.AddError("Provider Not Configured",
			"The tencentcallkit provider must be configured before callback configurations can be listed. This is a bug in the provider; please report it.")
	}
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	versions := []callkit.APIVersion{callkit.V1, callkit.V4}
	switch cfg.APIVersion.ValueString() {
	case string(callkit.V1):
		versions = versions[:1]
	case string(callkit.V4):
		versions = versions[1:]
	}
	r := &l.res
	stream.Results = func(push func(list.ListResult) bool) {
		var sent int64
		for _, v := range versions {
			if req.Limit > 0 && sent >= req.Limit {
				return
			}
			result := req.NewListResult(ctx)
			cb, err := r.get(ctx, v)
			if errors.Is(err, callkit.ErrNotFound) {
				continue
			}
			if err != nil {
				addAPIError(&result.Diagnostics, "Unable to List Callback Configurations", err)
				push(result)
				return
			}
			result.DisplayName = callbackDisplayName(r.client.SDKAppID(), v, cb.Address)
			r.setIdentity(ctx, v, result.Identity, &result.Diagnostics)
			if req.IncludeResource {
				r.setState(ctx, v, *cb, result.Resource, &result.Diagnostics)
			}
			sent++
			if !push(result) || result.Diagnostics.HasError() {
				return
			}
		}
	}
}
