// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

var (
	_ datasource.DataSource                   = (*callStatsDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*callStatsDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*callStatsDataSource)(nil)
)

// NewCallStatsDataSource is the constructor of `tencentcallkit_call_stats`.
func NewCallStatsDataSource() datasource.DataSource {
	return &callStatsDataSource{recordsDataSource{window: callStatsWindow}}
}

type callStatsDataSource struct {
	recordsDataSource
}

type callStatsDataSourceModel struct {
	windowModel
	CallType                 types.String  `tfsdk:"call_type"`
	APIVersion               types.String  `tfsdk:"api_version"`
	CallCount                types.Int64   `tfsdk:"call_count"`
	ConnectedCount           types.Int64   `tfsdk:"connected_count"`
	ParticipantCount         types.Int64   `tfsdk:"participant_count"`
	MaxConcurrentCalls       types.Int64   `tfsdk:"max_concurrent_calls"`
	MaxConcurrentSingleCalls types.Int64   `tfsdk:"max_concurrent_single_calls"`
	MaxConcurrentGroupCalls  types.Int64   `tfsdk:"max_concurrent_group_calls"`
	Results                  types.Map     `tfsdk:"results"` // of numbers
	TotalDurationSeconds     types.Int64   `tfsdk:"total_duration_seconds"`
	AverageDurationSeconds   types.Float64 `tfsdk:"average_duration_seconds"`
}

func (d *callStatsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_call_stats"
}

func (d *callStatsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	const overviewNote = "The console's \"today\" and \"this month\" overviews show the larger of " +
		"`max_concurrent_single_calls` and `max_concurrent_group_calls`, not `max_concurrent_calls`."

	attrs := windowAttributes(callStatsWindow)
	for name, a := range map[string]schema.Attribute{
		"call_type":   callTypeFilterAttribute("count"),
		"api_version": apiVersionAttribute(),
		"call_count": schema.Int64Attribute{
			MarkdownDescription: "Calls initiated, connected or not: the number of matching records.",
			Computed:            true,
		},
		"connected_count": schema.Int64Attribute{
			MarkdownDescription: "Calls that connected: records with a non-zero `accept_ts`.",
			Computed:            true,
		},
		"participant_count": schema.Int64Attribute{
			MarkdownDescription: "Distinct users who actually joined a call: the caller and the callees of every " +
				"connected call, each user counted once. Users of calls that never connected do not count.",
			Computed: true,
		},
		"max_concurrent_calls": schema.Int64Attribute{
			MarkdownDescription: "The most calls in progress at one instant, both types together. A call is in " +
				"progress from its `start_call_ts` to its `end_ts` (both included, whether or not it connected), " +
				"so a call that ends in the same second another starts overlaps it. " + overviewNote,
			Computed: true,
		},
		"max_concurrent_single_calls": schema.Int64Attribute{
			MarkdownDescription: "The most `single` (1:1) calls in progress at one instant, counted as for " +
				"`max_concurrent_calls`. The console's overviews show the larger of this and `max_concurrent_group_calls`.",
			Computed: true,
		},
		"max_concurrent_group_calls": schema.Int64Attribute{
			MarkdownDescription: "The most `group` calls in progress at one instant, counted as for " +
				"`max_concurrent_calls`. The console's overviews show the larger of this and `max_concurrent_single_calls`.",
			Computed: true,
		},
		"results": schema.MapAttribute{
			MarkdownDescription: "The number of calls per result: every one of " + markdownList(callkit.CallResults) +
				" is present (`0` when no call ended that way), plus any other result the service reported.",
			ElementType: types.Int64Type,
			Computed:    true,
		},
		"total_duration_seconds": schema.Int64Attribute{
			MarkdownDescription: "The connected time of all connected calls, in seconds: the sum of " +
				"`end_ts - accept_ts`. For group calls the console counts only the time more than one person " +
				"was in the call, which records cannot show.",
			Computed: true,
		},
		"average_duration_seconds": schema.Float64Attribute{
			MarkdownDescription: "`total_duration_seconds / connected_count`; `0` when no call connected.",
			Computed:            true,
		},
	} {
		attrs[name] = a
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The figures of the TUICallKit console's dashboard, computed by the provider from every " +
			"call record that matches the filter (the service has no statistics API).\n\n" + recordRetentionNote +
			" The figures therefore cover at most the past 7 days, not the console's month or year.\n\n" +
			"**Big reads.** The records are read as `tencentcallkit_call_records` reads them (by start time, 100 a request, in parallel " +
			"time slices; each call counted once while calls end and old records expire during the read) and aggregated page by page: " +
			"no list is kept, so memory grows with the distinct users and the peak number of concurrent calls, not with the records, and " +
			"there is no record limit. The read fails only if the service keeps answering far past the count it first announced (more " +
			"than twice that count plus 1,000 records), so a service that never ends a read cannot loop." + troubleshootingLink,
		Attributes: attrs,
	}
}

func (d *callStatsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var state callStatsDataSourceModel
	if !d.readConfig(ctx, req, resp, &state) {
		return
	}

	version := apiVersionFrom(state.APIVersion)
	filter, diags := recordFilterFrom(state.windowModel, callStatsWindow, types.StringNull(), state.CallType, defaultNumberPerPage, time.Now())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	stats, err := d.client.CallStats(ctx, version, filter)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read Call Statistics", err)
		return
	}
	tflog.Debug(ctx, "Computed call statistics", map[string]any{"api_version": string(version), "records": stats.CallCount})

	// Every known result is present so that `results["reject"]` never fails on a quiet week.
	results := make(map[string]attr.Value, len(callkit.CallResults)+len(stats.Results))
	for _, r := range callkit.CallResults {
		results[r] = types.Int64Value(0)
	}
	for r, n := range stats.Results {
		results[r] = types.Int64Value(n)
	}

	state.APIVersion = types.StringValue(string(version))
	state.CallCount = types.Int64Value(stats.CallCount)
	state.ConnectedCount = types.Int64Value(stats.ConnectedCount)
	state.ParticipantCount = types.Int64Value(stats.ParticipantCount)
	state.MaxConcurrentCalls = types.Int64Value(stats.MaxConcurrentCalls)
	state.MaxConcurrentSingleCalls = types.Int64Value(stats.MaxConcurrentSingle)
	state.MaxConcurrentGroupCalls = types.Int64Value(stats.MaxConcurrentGroup)
	state.Results = types.MapValueMust(types.Int64Type, results)
	state.TotalDurationSeconds = types.Int64Value(stats.TotalDurationSeconds)
	state.AverageDurationSeconds = types.Float64Value(stats.AverageDurationSeconds)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
