// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

var (
	_ datasource.DataSource                   = (*callRecordsDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*callRecordsDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*callRecordsDataSource)(nil)
)

// callRecordsNarrowing names the arguments that make call_records match fewer records.
const callRecordsNarrowing = "a later `start_timestamp` (or a shorter `lookback`), an earlier `end_timestamp`, `call_type` or `call_result`"

// defaultNumberPerPage is the page size used when number_per_page is unset: the API's maximum,
// so that an all-pages read takes the fewest requests.
const defaultNumberPerPage = 100

// NewCallRecordsDataSource is the constructor of `tencentcallkit_call_records`.
func NewCallRecordsDataSource() datasource.DataSource {
	return &callRecordsDataSource{recordsDataSource{window: callRecordsWindow}}
}

type callRecordsDataSource struct {
	recordsDataSource
}

type callRecordsDataSourceModel struct {
	windowModel
	CallResult    types.String `tfsdk:"call_result"`
	CallType      types.String `tfsdk:"call_type"`
	NumberPerPage types.Int64  `tfsdk:"number_per_page"`
	Page          types.Int64  `tfsdk:"page"`
	MaxRecords    types.Int64  `tfsdk:"max_records"`
	APIVersion    types.String `tfsdk:"api_version"`
	TotalNum      types.Int64  `tfsdk:"total_num"`
	Records       types.List   `tfsdk:"records"` // of recordAttrTypes objects
	RecordsFormat types.String `tfsdk:"records_format"`
	RecordsJSON   types.String `tfsdk:"records_json"`
}

// The two forms of the data source's answer (records_format).
const (
	recordsFormatObjects = "objects"
	recordsFormatJSON    = "json"
)

// jsonFormat reports whether the configuration asks for records_json.
func (m *callRecordsDataSourceModel) jsonFormat() bool {
	return m.RecordsFormat.ValueString() == recordsFormatJSON
}

func (d *callRecordsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_call_records"
}

func (d *callRecordsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := windowAttributes(callRecordsWindow)
	for name, a := range map[string]schema.Attribute{
		"call_result": schema.StringAttribute{
			MarkdownDescription: "Only list calls that ended this way: " + markdownList(callkit.CallResults) +
				". Group calls only report `normal_end`. Unset: every result. Always written in this (v1) " +
				"vocabulary; it is translated for `api_version = \"v4\"`.",
			Optional: true,
			Validators: []validator.String{
				stringvalidator.OneOf(callkit.CallResults...),
			},
		},
		"call_type": callTypeFilterAttribute("list"),
		"number_per_page": schema.Int64Attribute{
			MarkdownDescription: "Records per request, `1` to `100`. Default: `100`. With `page` unset this " +
				"only changes how many requests an all-pages read takes, not what it returns.",
			Optional: true,
			Computed: true,
			Validators: []validator.Int64{
				int64validator.Between(1, 100),
			},
		},
		"page": schema.Int64Attribute{
			MarkdownDescription: "Read only this page of `number_per_page` records, passed to the service as is " +
				"(pages are numbered from `1`; `0` also reads the first page). Unset: every page is read, in " +
				"the service's order.",
			Optional: true,
			Validators: []validator.Int64{
				int64validator.AtLeast(0),
			},
		},
		"max_records": maxRecordsAttribute("page"),
		"api_version": apiVersionAttribute(),
		"total_num": schema.Int64Attribute{
			MarkdownDescription: "With `page` unset: the number of records read, which is the number of " +
				"matching calls. With `page` set: the service's `totalNum` for the query (null when the answer has none).",
			Computed: true,
		},
		"records_format": schema.StringAttribute{
			MarkdownDescription: "How the records are returned: `objects` (default) in `records`, or `json` in " +
				"`records_json`, one string that Terraform handles far faster than a list of objects. " +
				"See the page's \"Which form to use\" section.",
			Optional: true,
			Computed: true,
			Validators: []validator.String{
				stringvalidator.OneOf(recordsFormatObjects, recordsFormatJSON),
			},
		},
		"records_json": schema.StringAttribute{
			MarkdownDescription: "With `records_format = \"json\"`: the matching call records as one JSON array of " +
				"objects with the attribute names of `records`, in ascending start time (a value the API does not " +
				"report is `null`). Null with `records_format = \"objects\"`.",
			Computed: true,
		},
		"records": schema.ListNestedAttribute{
			MarkdownDescription: "The matching call records, in ascending start time. Null with `records_format = \"json\"`.",
			Computed:            true,
			NestedObject: schema.NestedAttributeObject{
				Attributes: recordAttributes(),
			},
		},
	} {
		attrs[name] = a
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists call records that match a filter, oldest call first. Without `page` every page " +
			"is read; with `page` only that page.\n\n" + recordRetentionNote + " No matching record is not an " +
			"error: `total_num` is `0` and `records` is empty.\n\n" + bigReadNote("page", "number_per_page", "call_id") + troubleshootingLink,
		Attributes: attrs,
	}
}

func (d *callRecordsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var state callRecordsDataSourceModel
	if !d.readConfig(ctx, req, resp, &state) {
		return
	}
	recs := readCallRecords(ctx, d.client, &state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !state.jsonFormat() {
		state.Records = recordListFrom(recs)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// readCallRecords is one read of tencentcallkit_call_records for the
// configuration in state: it asks the service, sets the computed attributes
// other than records (total_num, api_version, number_per_page, records_format,
// records_json) and returns the records, in the service's order; with
// records_format = "json" it returns none, records_json holds them and
// records is null. Both ways of serving the data source use it:
// Read above, through the framework, and the protocol-level read of server.go,
// which encodes the same state without the framework's per-value work.
func readCallRecords(ctx context.Context, client *callkit.Client, state *callRecordsDataSourceModel, diags *diag.Diagnostics) []callkit.Record {
	version := apiVersionFrom(state.APIVersion)
	perPage := int64(defaultNumberPerPage)
	if !state.NumberPerPage.IsNull() && !state.NumberPerPage.IsUnknown() {
		perPage = state.NumberPerPage.ValueInt64()
	}
	filter, windowDiags := recordFilterFrom(state.windowModel, callRecordsWindow, state.CallResult, state.CallType, perPage, time.Now())
	diags.Append(windowDiags...)
	if diags.HasError() {
		return nil
	}

	out := newRecordsOut(state.jsonFormat())
	var ok bool
	if state.Page.IsNull() {
		ok = readAllRecords(ctx, client, version, filter, state, out, diags)
	} else {
		ok = readOnePage(ctx, client, version, filter, state, out, diags)
	}
	if !ok {
		return nil
	}
	tflog.Debug(ctx, "Read call records", map[string]any{
		"api_version": string(version),
		"records":     out.n,
		"all_pages":   state.Page.IsNull(),
	})

	state.APIVersion = types.StringValue(string(version))
	state.NumberPerPage = types.Int64Value(perPage)
	return out.finish(state)
}

// readAllRecords walks every page into out; the JSON form never holds the
// list, only its text.
func readAllRecords(ctx context.Context, client *callkit.Client, version callkit.APIVersion, filter callkit.RecordFilter,
	state *callRecordsDataSourceModel, out *recordsOut, diags *diag.Diagnostics,
) bool {
	n, err := client.WalkRecords(ctx, version, filter, callkit.WalkOptions{MaxRecords: maxRecordsFrom(state.MaxRecords)},
		func(batch []callkit.Record, p callkit.WalkProgress) error {
			if out.json != nil {
				out.json.expect(p.Announced)
			}
			return out.add(batch)
		})
	if err != nil {
		if !addTooManyRecordsError(diags, "Unable to Read Call Records", err, callRecordsNarrowing) {
			addAPIError(diags, "Unable to Read Call Records", err)
		}
		return false
	}
	state.TotalNum = types.Int64Value(n)
	return true
}

// readOnePage reads the page of state.Page into out.
func readOnePage(ctx context.Context, client *callkit.Client, version callkit.APIVersion, filter callkit.RecordFilter,
	state *callRecordsDataSourceModel, out *recordsOut, diags *diag.Diagnostics,
) bool {
	page, err := client.ListRecords(ctx, version, filter, state.Page.ValueInt64())
	if err != nil {
		addAPIError(diags, "Unable to Read Call Records", err)
		return false
	}
	switch {
	case page == nil:
		state.TotalNum = types.Int64Value(0)
		return true
	case page.TotalNum < 0: // the answer has no totalNum
		state.TotalNum = types.Int64Null()
	default:
		state.TotalNum = types.Int64Value(page.TotalNum)
	}
	if err := out.add(page.Records); err != nil {
		addEncodeError(diags, "JSON", err)
		return false
	}
	return true
}

// recordsOut receives the records of a read in the form asked for: kept
// as a list for records, or appended to records_json's text.
type recordsOut struct {
	recs []callkit.Record
	json *recordsJSONArray // nil: the objects form
	n    int
}

func newRecordsOut(jsonForm bool) *recordsOut {
	if jsonForm {
		return &recordsOut{json: newRecordsJSONArray()}
	}
	return &recordsOut{}
}

func (o *recordsOut) add(batch []callkit.Record) error {
	o.n += len(batch)
	if o.json != nil {
		return o.json.add(batch)
	}
	o.recs = append(o.recs, batch...)
	return nil
}

// finish sets records_format, records_json and, in the JSON form, a null
// records; it returns the records still to be set as objects.
func (o *recordsOut) finish(state *callRecordsDataSourceModel) []callkit.Record {
	if o.json == nil {
		state.RecordsFormat = types.StringValue(recordsFormatObjects)
		state.RecordsJSON = types.StringNull()
		return o.recs
	}
	state.RecordsFormat = types.StringValue(recordsFormatJSON)
	state.Records = types.ListNull(types.ObjectType{AttrTypes: recordAttrTypes})
	state.RecordsJSON = types.StringValue(o.json.finish())
	return nil
}

// addEncodeError reports records that were read but could not be encoded as
// the answer's form: never the user's doing.
func addEncodeError(diags *diag.Diagnostics, as string, err error) {
	diags.AddError("Unable to Encode Call Records",
		fmt.Sprintf("The records were read but could not be written as %s: %s. This is a bug in the provider; please report it.", as, err))
}
