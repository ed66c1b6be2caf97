// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

var (
	_ datasource.DataSource              = (*callRecordDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*callRecordDataSource)(nil)
)

// NewCallRecordDataSource is the constructor of `tencentcallkit_call_record`.
func NewCallRecordDataSource() datasource.DataSource {
	return &callRecordDataSource{}
}

type callRecordDataSource struct {
	client *callkit.Client
}

// callRecordDataSourceModel is the record itself (call_id is the input) plus api_version.
type callRecordDataSourceModel struct {
	APIVersion types.String `tfsdk:"api_version"`
	recordModel
}

func (d *callRecordDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_call_record"
}

func (d *callRecordDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := recordAttributes()
	attrs["call_id"] = schema.StringAttribute{
		MarkdownDescription: "The ID of the call to read, as TUICallKit reports it (for example in a callback event).",
		Required:            true,
		Validators: []validator.String{
			stringvalidator.LengthAtLeast(1),
		},
	}
	attrs["api_version"] = apiVersionAttribute()

	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one call record by its call ID: who called whom, when the call started, " +
			"connected and ended, and how it ended.\n\n" + recordRetentionNote + " A call ID with no record " +
			"(unknown, older than 7 days, or recorded by the other `api_version`) is an error." + troubleshootingLink,
		Attributes: attrs,
	}
}

func (d *callRecordDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if client := callKitClientFrom(req.ProviderData, &resp.Diagnostics); client != nil {
		d.client = client
	}
}

func (d *callRecordDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config callRecordDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.client == nil {
		addUnconfiguredClientError(&resp.Diagnostics)
		return
	}

	version := apiVersionFrom(config.APIVersion)
	callID := config.CallID.ValueString()
	tflog.Debug(ctx, "Reading call record", map[string]any{"call_id": callID, "api_version": string(version)})

	rec, err := d.client.GetRecord(ctx, version, callID)
	if errors.Is(err, callkit.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("call_id"), "Call Record Not Found", callRecordNotFoundDetail(version, callID, err))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read Call Record", err)
		return
	}
	if rec == nil {
		// The client contract returns a record or an error; guard anyway rather than panic.
		resp.Diagnostics.AddError("Unable to Read Call Record",
			fmt.Sprintf("The %s records API returned no record and no error for call_id %q. Please report this issue "+
				"to the provider developers.", version, callID))
		return
	}

	state := callRecordDataSourceModel{
		APIVersion:  types.StringValue(string(version)),
		recordModel: recordModelFrom(*rec),
	}
	// The answer's ID is the service's; keep the configured one so Terraform sees the input unchanged.
	state.CallID = config.CallID
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// callRecordNotFoundDetail explains the likely causes of a missing record: the 7-day retention,
// the delay before a record appears, and the other API generation.
func callRecordNotFoundDetail(version callkit.APIVersion, callID string, err error) string {
	other := callkit.V4
	if version == callkit.V4 {
		other = callkit.V1
	}
	detail := fmt.Sprintf("The %s records API has no record of call_id %q. Call records are kept for 7 days and "+
		"appear about 5 seconds after the call ends. Check the call ID; a call placed with the %s client "+
		"is recorded by the other API generation: try api_version = %q.", version, callID, clientGeneration(other), other)
	var apiErr *callkit.APIError
	if errors.As(err, &apiErr) {
		detail += fmt.Sprintf("\n\nThe service answered errorCode %d", apiErr.Code)
		if apiErr.RequestID != "" {
			detail += ", requestId " + apiErr.RequestID
		}
		detail += "."
	}
	return detail
}

// clientGeneration names the TUICallKit client APIs whose calls an API generation records.
func clientGeneration(v callkit.APIVersion) string {
	if v == callkit.V4 {
		return "current TUICallKit"
	}
	return "older TUICallKit.call() / groupCall()"
}
