// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

var (
	_ action.Action                   = (*callRecordsExportAction)(nil)
	_ action.ActionWithConfigure      = (*callRecordsExportAction)(nil)
	_ action.ActionWithValidateConfig = (*callRecordsExportAction)(nil)
	_ action.ActionWithModifyPlan     = (*callRecordsExportAction)(nil)
)

// exportProgressEvery spaces the progress messages of a long export; the
// first batch and the end are always reported.
const exportProgressEvery = 5 * time.Second

// NewCallRecordsExportAction returns the tencentcallkit_call_records_export action.
func NewCallRecordsExportAction() action.Action {
	return &callRecordsExportAction{progressEvery: exportProgressEvery}
}

// callRecordsExportAction streams the call_records walk into a file, so
// that big lists never pass through Terraform. It changes nothing on the
// service or in state.
type callRecordsExportAction struct {
	client        *callkit.Client
	progressEvery time.Duration
}

type callRecordsExportModel struct {
	windowModel
	Path          types.String `tfsdk:"path"`
	S3            types.Object `tfsdk:"s3"`
	Format        types.String `tfsdk:"format"`
	Compression   types.String `tfsdk:"compression"`
	Partition     types.String `tfsdk:"partition"`
	Overwrite     types.Bool   `tfsdk:"overwrite"`
	CallResult    types.String `tfsdk:"call_result"`
	CallType      types.String `tfsdk:"call_type"`
	APIVersion    types.String `tfsdk:"api_version"`
	NumberPerPage types.Int64  `tfsdk:"number_per_page"`
	MaxRecords    types.Int64  `tfsdk:"max_records"`
}

func (a *callRecordsExportAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_call_records_export"
}

// exportFilterAttributes are the data source's arguments the export takes as
// they are: the same window and filters, validated the same way.
var exportFilterAttributes = []string{"start_timestamp", "end_timestamp", "lookback", "call_result", "call_type", "api_version"}

func (a *callRecordsExportAction) Schema(ctx context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"path": schema.StringAttribute{
			MarkdownDescription: "The file to write. A relative path is resolved against Terraform's working directory " +
				"(where `terraform` runs, or its `-chdir`). The directory must exist. The file is written whole or not at all " +
				"(a temporary file beside it, renamed into place when complete), readable by its owner only. Its name ends as " +
				"`format` and `compression` say (`.jsonl`, `.csv`, `.jsonl.gz`, `.csv.gz`). With `partition = \"day\"` an existing " +
				"directory, in which the export creates the `date=YYYY-MM-DD` folders. Exactly one of `path` and `s3`.",
			Optional: true,
			Validators: []validator.String{stringvalidator.LengthAtLeast(1),
				stringvalidator.ExactlyOneOf(path.MatchRoot("s3"))},
		},
		"s3": exportS3Attribute(),
		"compression": schema.StringAttribute{
			MarkdownDescription: "`none` (default) or `gzip`: the file or object is gzip-compressed, and its name ends in `.gz`.",
			Optional:            true,
			Validators:          []validator.String{stringvalidator.OneOf(exportCompressionNone, exportCompressionGzip)},
		},
		"partition": schema.StringAttribute{
			MarkdownDescription: "`none` (default) or `day`: one file or object per UTC day of call start, Hive-style " +
				"(`date=YYYY-MM-DD/calls.<jsonl|csv>[.gz]` under `path`, then an existing directory, or under `s3.key`, then a " +
				"prefix). The window is narrowed to whole UTC days (its start rounded up, its end rounded down to 00:00 UTC; " +
				"none left is an error), and a day without calls is written too (empty; CSV: the header), so every file or object " +
				"is a whole day. Nothing is completed until every day is written.",
			Optional:   true,
			Validators: []validator.String{stringvalidator.OneOf(exportPartitionNone, exportPartitionDay)},
		},
		"format": schema.StringAttribute{
			MarkdownDescription: "`jsonl` (default): one JSON object a line, with the attribute names of " +
				"`tencentcallkit_call_record` (a value the API does not report is `null`). `csv`: RFC 4180, a header " +
				"row of the same names, CRLF line ends, `callees` joined with `;`, a value the API does not report an empty field, and a text cell " +
				"that begins with `=`, `+`, `-`, `@`, a tab or a carriage return written with one leading `'` so that a spreadsheet never runs it as a formula.",
			Optional:   true,
			Validators: []validator.String{stringvalidator.OneOf(exportFormatJSONL, exportFormatCSV)},
		},
		"overwrite": schema.BoolAttribute{
			MarkdownDescription: "Replace an existing file at `path` or object at `s3.key`; a file only when it is a regular file or a " +
				"symbolic link (the link, never its target): a named pipe, socket or device node is refused either way. Default: `false`: " +
				"an existing file or object is an error that names it, every target is checked before the walk, and an object completes " +
				"with `If-None-Match: *`, so one created while the export runs is refused too.",
			Optional: true,
		},
		"number_per_page": schema.Int64Attribute{
			MarkdownDescription: "Records per request, `1` to `100`. Default: `100`. It changes how many requests the export " +
				"takes, never what it writes.",
			Optional:   true,
			Validators: []validator.Int64{int64validator.Between(1, 100)},
		},
		"max_records": schema.Int64Attribute{
			MarkdownDescription: fmt.Sprintf("The most records the export may write, `1` to `%d` (the default). Exactly "+
				"`max_records` records succeed; when more match, the export fails (at once when the service's first answer "+
				"already counts more) with an error that says how many match, and writes no file.", maxMaxRecords),
			Optional:   true,
			Validators: []validator.Int64{int64validator.Between(1, maxMaxRecords)},
		},
	}
	var ds datasource.SchemaResponse
	NewCallRecordsDataSource().Schema(ctx, datasource.SchemaRequest{}, &ds)
	for _, name := range exportFilterAttributes {
		attr, ok := actionAttribute(ds.Schema.Attributes[name])
		if !ok {
			resp.Diagnostics.AddError("Invalid Action Schema", fmt.Sprintf("The call_records attribute %s has no action form. This is a bug in the provider.", name))
			return
		}
		attrs[name] = attr
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Writes call records to a local file or to object storage (S3, Tencent COS or any S3-compatible " +
			"store), JSON Lines or CSV, optionally gzip-compressed and partitioned by day, without passing them through Terraform: " +
			"the same walk as `tencentcallkit_call_records` (every matching record once, in ascending start time), streamed page " +
			"by page, so memory does not grow with the number of records. It changes nothing on the service and stores nothing " +
			"in the state. Needs Terraform 1.14 or later.\n\n" + recordRetentionNote + troubleshootingLink,
		Attributes: attrs,
	}
}

// actionAttribute is a data source input as an action attribute: the same
// description and validators, optional.
func actionAttribute(a dsschema.Attribute) (schema.Attribute, bool) {
	switch a := a.(type) {
	case dsschema.StringAttribute:
		return schema.StringAttribute{MarkdownDescription: a.MarkdownDescription, Optional: true, Validators: a.Validators}, true
	case dsschema.Int64Attribute:
		return schema.Int64Attribute{MarkdownDescription: a.MarkdownDescription, Optional: true, Validators: a.Validators}, true
	}
	return nil, false
}

func (a *callRecordsExportAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	if client := callKitClientFrom(req.ProviderData, &resp.Diagnostics); client != nil {
		a.client = client
	}
}

// ValidateConfig checks the window as the data source does.
func (a *callRecordsExportAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	validateWindow(ctx, req.Config, callRecordsWindow, &resp.Diagnostics)
	var cfg callRecordsExportModel
	if resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...); !resp.Diagnostics.HasError() {
		validateExportDestination(ctx, &cfg, &resp.Diagnostics)
	}
}

// ModifyPlan checks the file system at plan time: the directory exists and
// an existing file is allowed. Invoke checks again.
func (a *callRecordsExportAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	var cfg callRecordsExportModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || cfg.Partition.IsUnknown() {
		return
	}
	if cfg.Partition.ValueString() == exportPartitionDay {
		planExportDays(&cfg, &resp.Diagnostics)
		return
	}
	if cfg.Path.IsUnknown() || cfg.Path.IsNull() || cfg.Overwrite.IsUnknown() {
		return
	}
	if _, err := exportTarget(cfg.Path.ValueString(), cfg.Overwrite.ValueBool()); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("path"), "Invalid Export Path", sentence(err))
	}
}

func (a *callRecordsExportAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg callRecordsExportModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if a.client == nil {
		addUnconfiguredClientError(&resp.Diagnostics)
		return
	}
	perPage := int64(defaultNumberPerPage)
	if !cfg.NumberPerPage.IsNull() {
		perPage = cfg.NumberPerPage.ValueInt64()
	}
	filter, diags := recordFilterFrom(cfg.windowModel, callRecordsWindow, cfg.CallResult, cfg.CallType, perPage, time.Now())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	dest := exportDestinationAttribute(&cfg)
	targets, err := openExportTargets(ctx, &cfg, &filter)
	if err != nil {
		resp.Diagnostics.AddAttributeError(dest, "Unable to Export Call Records", sentence(err))
		return
	}
	progress := forwardProgress(ctx, resp.SendProgress)
	defer progress.close()
	n, ok := a.walk(ctx, &cfg, filter, targets, progress.send, resp)
	if !ok {
		targets.abort()
		return
	}
	written, err := targets.commit()
	if err != nil {
		resp.Diagnostics.AddAttributeError(dest, "Unable to Export Call Records",
			fmt.Sprintf("The %d records were read but the export could not be put in place, and nothing of it was kept: %s.", n, err))
		return
	}
	for _, w := range written {
		if w.warning != nil {
			resp.Diagnostics.AddAttributeWarning(dest, "Temporary Export File Left Behind", sentence(w.warning))
		}
	}
	progress.send(summarizeExport(n, written))
	tflog.Debug(ctx, "Exported call records", map[string]any{"records": n, "targets": len(written)})
}

// walk streams the records into file, reporting progress, and reports
// whether it read them all; when not, resp holds the error.
func (a *callRecordsExportAction) walk(ctx context.Context, cfg *callRecordsExportModel, filter callkit.RecordFilter, targets *exportTargets,
	send func(string), resp *action.InvokeResponse,
) (int64, bool) {
	const summary = "Unable to Export Call Records"
	limit := int64(maxMaxRecords)
	if !cfg.MaxRecords.IsNull() {
		limit = cfg.MaxRecords.ValueInt64()
	}
	progress := exportProgress{send: send, every: a.progressEvery}
	var writeErr error
	var written int64
	_, err := a.client.WalkRecords(ctx, apiVersionFrom(cfg.APIVersion), filter, callkit.WalkOptions{MaxRecords: limit},
		func(batch []callkit.Record, p callkit.WalkProgress) error {
			k, werr := targets.add(batch)
			written += k
			if writeErr = werr; writeErr != nil {
				return writeErr
			}
			progress.report(p)
			return nil
		})
	n := written
	switch {
	case err == nil:
		return n, true
	case writeErr != nil:
		resp.Diagnostics.AddAttributeError(exportDestinationAttribute(cfg), summary, fmt.Sprintf("%s; nothing of the export was kept.", strings.TrimSuffix(sentence(writeErr), ".")))
	case !addTooManyRecordsError(&resp.Diagnostics, summary, err, callRecordsNarrowing):
		addAPIError(&resp.Diagnostics, summary, err)
	}
	return n, false
}

// exportProgress sends a progress message for the first batch and then at
// most one per interval.
type exportProgress struct {
	send  func(string)
	every time.Duration
	last  time.Time
}

func (e *exportProgress) report(p callkit.WalkProgress) {
	if !e.last.IsZero() && time.Since(e.last) < e.every {
		return
	}
	e.last = time.Now()
	msg := fmt.Sprintf("%d records written", p.Read)
	if p.Announced >= 0 {
		msg = fmt.Sprintf("%d of %d records written", p.Read, p.Announced)
	}
	e.send(msg)
}
