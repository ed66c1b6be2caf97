// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

// recordRetentionNote is repeated in every records data source's description: the API only
// reaches the last 7 days, which surprises users who know the console's 90 days.
const recordRetentionNote = "The records API answers only for calls of the past **7 days**, and a record appears " +
	"about 5 seconds after its call ends (the console shows 90 days of records and a year of statistics; " +
	"the API does not reach them)."

// apiVersionNote tells users how to choose between the two API generations (callkit-api.md §5).
const apiVersionNote = "Which API generation to ask: `v1` (default; `v1/records/*` on the CallKit domains, which " +
	"holds calls placed with the older `TUICallKit.call()` / `groupCall()` client APIs) or `v4` " +
	"(`v4/call_record_http_srv/*` on the IM domains, which holds calls placed with the current client). " +
	"Whichever API answers, values are in the v1 vocabulary (`audio`, `single`, `normal_end`, ...)."

// recordModel is one call record. It is the object type of `tencentcallkit_call_records.records`
// and, embedded, the body of `tencentcallkit_call_record`.
type recordModel struct {
	CallID          types.String `tfsdk:"call_id"`
	SDKAppID        types.Int64  `tfsdk:"sdk_app_id"`
	MediaType       types.String `tfsdk:"media_type"`
	RoomID          types.String `tfsdk:"room_id"`
	RoomIDType      types.Int64  `tfsdk:"room_id_type"`
	StartCallTs     types.Int64  `tfsdk:"start_call_ts"`
	AcceptTs        types.Int64  `tfsdk:"accept_ts"`
	EndTs           types.Int64  `tfsdk:"end_ts"`
	Caller          types.String `tfsdk:"caller"`
	TotalUserNumber types.Int64  `tfsdk:"total_user_number"`
	CallType        types.String `tfsdk:"call_type"`
	CallResult      types.String `tfsdk:"call_result"`
	Callees         types.List   `tfsdk:"callees"` // of strings
}

// recordModelFrom is the one mapping from the API client's record to Terraform values, used by
// every records data source.
func recordModelFrom(r callkit.Record) recordModel {
	// A record without callees is an empty list, never null.
	callees := make([]attr.Value, len(r.Callees))
	for i, c := range r.Callees {
		callees[i] = types.StringValue(c)
	}

	return recordModel{
		CallID:          types.StringValue(r.CallID),
		SDKAppID:        types.Int64Value(r.SDKAppID),
		MediaType:       types.StringValue(r.MediaType),
		RoomID:          types.StringValue(r.RoomID),
		RoomIDType:      types.Int64PointerValue(r.RoomIDType),
		StartCallTs:     types.Int64Value(r.StartCallTs),
		AcceptTs:        types.Int64Value(r.AcceptTs),
		EndTs:           types.Int64Value(r.EndTs),
		Caller:          types.StringValue(r.Caller),
		TotalUserNumber: types.Int64PointerValue(r.TotalUserNumber),
		CallType:        types.StringValue(r.CallType),
		CallResult:      types.StringValue(r.CallResult),
		Callees:         types.ListValueMust(types.StringType, callees),
	}
}

// recordAttrTypes is the object type of one record in `tencentcallkit_call_records.records`.
var recordAttrTypes = map[string]attr.Type{
	"call_id":           types.StringType,
	"sdk_app_id":        types.Int64Type,
	"media_type":        types.StringType,
	"room_id":           types.StringType,
	"room_id_type":      types.Int64Type,
	"start_call_ts":     types.Int64Type,
	"accept_ts":         types.Int64Type,
	"end_ts":            types.Int64Type,
	"caller":            types.StringType,
	"total_user_number": types.Int64Type,
	"call_type":         types.StringType,
	"call_result":       types.StringType,
	"callees":           types.ListType{ElemType: types.StringType},
}

// object is the record as a Terraform object value. Lists of records are
// built from these rather than through State.Set's reflection over
// []recordModel, which costs seconds for the tens of thousands of records an
// all-pages read can return.
func (m recordModel) object() types.Object {
	return types.ObjectValueMust(recordAttrTypes, map[string]attr.Value{
		"call_id":           m.CallID,
		"sdk_app_id":        m.SDKAppID,
		"media_type":        m.MediaType,
		"room_id":           m.RoomID,
		"room_id_type":      m.RoomIDType,
		"start_call_ts":     m.StartCallTs,
		"accept_ts":         m.AcceptTs,
		"end_ts":            m.EndTs,
		"caller":            m.Caller,
		"total_user_number": m.TotalUserNumber,
		"call_type":         m.CallType,
		"call_result":       m.CallResult,
		"callees":           m.Callees,
	})
}

// recordListFrom maps a list of records; the result is never null, so an empty answer is `[]`.
func recordListFrom(recs []callkit.Record) types.List {
	objs := make([]attr.Value, len(recs))
	for i, r := range recs {
		objs[i] = recordModelFrom(r).object()
	}
	return types.ListValueMust(types.ObjectType{AttrTypes: recordAttrTypes}, objs)
}

// recordJSON is one record as JSON: the attribute names of recordAttributes, in the order the
// contract lists them, a null where the API did not report a value, callees always a list.
// records_json and the export's JSON Lines use it, so a record reads the same in both.
type recordJSON struct {
	CallID          string   `json:"call_id"`
	SDKAppID        int64    `json:"sdk_app_id"`
	MediaType       string   `json:"media_type"`
	RoomID          string   `json:"room_id"`
	RoomIDType      *int64   `json:"room_id_type"`
	StartCallTs     int64    `json:"start_call_ts"`
	AcceptTs        int64    `json:"accept_ts"`
	EndTs           int64    `json:"end_ts"`
	Caller          string   `json:"caller"`
	TotalUserNumber *int64   `json:"total_user_number"`
	CallType        string   `json:"call_type"`
	CallResult      string   `json:"call_result"`
	Callees         []string `json:"callees"`
}

// recordEncoder writes records as JSON, each followed by a newline (JSON Lines).
type recordEncoder struct {
	enc *json.Encoder
}

func newRecordEncoder(w io.Writer) recordEncoder {
	enc := json.NewEncoder(w)
	// Nothing here is HTML: keep <, > and & readable.
	enc.SetEscapeHTML(false)
	return recordEncoder{enc: enc}
}

func (e recordEncoder) write(r *callkit.Record) error {
	callees := r.Callees
	if callees == nil {
		callees = []string{}
	}
	return e.enc.Encode(recordJSON{
		CallID: r.CallID, SDKAppID: r.SDKAppID, MediaType: r.MediaType, RoomID: r.RoomID, RoomIDType: r.RoomIDType,
		StartCallTs: r.StartCallTs, AcceptTs: r.AcceptTs, EndTs: r.EndTs, Caller: r.Caller,
		TotalUserNumber: r.TotalUserNumber, CallType: r.CallType, CallResult: r.CallResult, Callees: callees,
	})
}

// recordsJSONArray builds records_json: one JSON array, appended to batch by
// batch so that a walk need not keep its records. The text is built where
// the string will live (strings.Builder hands it over without a copy), sized
// once from the walk's announced count: a 100,000-record array is 31 MB, and
// each copy or doubling of it counts against the provider's memory.
type recordsJSONArray struct {
	out     strings.Builder
	scratch bytes.Buffer // one record, as the encoder writes it
	enc     recordEncoder
	n       int
}

// jsonBytesPerRecord is a little more than one record takes in records_json
// (about 320 bytes), so that the text is not copied to grow at its end.
const jsonBytesPerRecord = 400

func newRecordsJSONArray() *recordsJSONArray {
	a := &recordsJSONArray{}
	a.enc = newRecordEncoder(&a.scratch)
	a.out.WriteByte('[')
	return a
}

// expect sizes the text for n records in all.
func (a *recordsJSONArray) expect(n int64) {
	if n > 0 && a.n == 0 {
		a.out.Grow(int(min(n, maxMaxRecords)) * jsonBytesPerRecord)
	}
}

func (a *recordsJSONArray) add(recs []callkit.Record) error {
	for i := range recs {
		a.scratch.Reset()
		if err := a.enc.write(&recs[i]); err != nil {
			return err
		}
		if a.n > 0 {
			a.out.WriteByte(',')
		}
		// Without the newline the encoder ends each record with.
		a.out.Write(a.scratch.Bytes()[:a.scratch.Len()-1])
		a.n++
	}
	return nil
}

// finish ends the array and returns it; call it once, after the last add.
func (a *recordsJSONArray) finish() string {
	a.out.WriteByte(']')
	return a.out.String()
}

// recordAttributes is the schema of one record, every attribute computed. The single-record data
// source replaces call_id with its required input.
func recordAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"call_id": schema.StringAttribute{
			MarkdownDescription: "The call's unique ID.",
			Computed:            true,
		},
		"sdk_app_id": schema.Int64Attribute{
			MarkdownDescription: "The application (SDKAppID) the call belongs to. The v4 API does not return it; " +
				"records are per application, so for `api_version = \"v4\"` it is the provider's `sdk_app_id`.",
			Computed: true,
		},
		"media_type": schema.StringAttribute{
			MarkdownDescription: "`audio` or `video` (v4's `Audio` / `Video` are normalised to these). " +
				"A value the service adds later is passed through as it comes.",
			Computed: true,
		},
		"room_id": schema.StringAttribute{
			MarkdownDescription: "The TRTC room ID of the call.",
			Computed:            true,
		},
		"room_id_type": schema.Int64Attribute{
			MarkdownDescription: "`1` for a numeric room ID, `2` for a string room ID. Only the v4 API reports it: " +
				"null for `api_version = \"v1\"`.",
			Computed: true,
		},
		"start_call_ts": schema.Int64Attribute{
			MarkdownDescription: "When the call was initiated, in Unix seconds.",
			Computed:            true,
		},
		"accept_ts": schema.Int64Attribute{
			MarkdownDescription: "When the call was connected, in Unix seconds; `0` for a call that never connected.",
			Computed:            true,
		},
		"end_ts": schema.Int64Attribute{
			MarkdownDescription: "When the call ended, in Unix seconds.",
			Computed:            true,
		},
		"caller": schema.StringAttribute{
			MarkdownDescription: "The caller's user ID.",
			Computed:            true,
		},
		"total_user_number": schema.Int64Attribute{
			MarkdownDescription: "The number of participants, as the v1 API reports it. The v4 API does not report it " +
				"and it is never guessed: null for `api_version = \"v4\"`.",
			Computed: true,
		},
		"call_type": schema.StringAttribute{
			MarkdownDescription: "`single` (a 1:1 call) or `group` (v4's `SingleCall` / `MultiCall` are normalised to these).",
			Computed:            true,
		},
		"call_result": schema.StringAttribute{
			MarkdownDescription: "How the call ended: " + markdownList(callkit.CallResults) + " " +
				"(v4's `Cancel`, `Reject`, `NotAnswer`, `NormalEnd`, `CallBusy`, `Interrupt` are normalised to these). " +
				"Group calls only report `normal_end`. A value the service adds later (such as `offline`) is passed " +
				"through as it comes.",
			Computed: true,
		},
		"callees": schema.ListAttribute{
			MarkdownDescription: "The callee user IDs that took part in the call. For `api_version = \"v4\"` this is " +
				"the service's call member list as given, which may include the caller.",
			ElementType: types.StringType,
			Computed:    true,
		},
	}
}

// apiVersionAttribute is the api_version input every records data source shares. It is computed
// as well so that an unset value reads back as the `v1` it defaults to.
func apiVersionAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: apiVersionNote + " Default: `v1`.",
		Optional:            true,
		Computed:            true,
		Validators: []validator.String{
			stringvalidator.OneOf(string(callkit.V1), string(callkit.V4)),
		},
	}
}

// apiVersionFrom reads the api_version input; unset means v1.
func apiVersionFrom(v types.String) callkit.APIVersion {
	if v.IsNull() || v.IsUnknown() || v.ValueString() == "" {
		return callkit.V1
	}
	return callkit.APIVersion(v.ValueString())
}

func callTypeFilterAttribute(what string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "Only " + what + " calls of this type: " + markdownList(callkit.CallTypes) +
			". Unset: both types.",
		Optional: true,
		Validators: []validator.String{
			stringvalidator.OneOf(callkit.CallTypes...),
		},
	}
}

// recordsWindowReach is what the records API's retention means for a window.
const recordsWindowReach = "The API reaches back 7 days: a window that starts earlier gets a warning at plan time " +
	"and is read from one minute inside the 7-day edge (the service clamps or refuses an older start), so `lookback = \"7d\"` always reads."

// recordsRetention is how far back the records API answers (callkit-api.md §4, §7).
const recordsRetention = 7 * 24 * time.Hour

// The windows of call_records and call_stats differ only in their wording.
var (
	callRecordsWindow = windowRules{what: "list", reach: recordsWindowReach, retention: recordsRetention}
	callStatsWindow   = windowRules{what: "count", reach: recordsWindowReach, retention: recordsRetention}
)

// recordsDataSource is what tencentcallkit_call_records and
// tencentcallkit_call_stats share: the CallKit client and the time window's
// plan-time check.
type recordsDataSource struct {
	client *callkit.Client
	window windowRules
}

func (d *recordsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if client := callKitClientFrom(req.ProviderData, &resp.Diagnostics); client != nil {
		d.client = client
	}
}

func (d *recordsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	validateWindow(ctx, req.Config, d.window, &resp.Diagnostics)
}

// readConfig decodes a Read's configuration into model, and reports whether
// the read can go on (a decoded configuration and a client).
func (d *recordsDataSource) readConfig(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse, model any) bool {
	resp.Diagnostics.Append(req.Config.Get(ctx, model)...)
	if resp.Diagnostics.HasError() {
		return false
	}
	if d.client == nil {
		addUnconfiguredClientError(&resp.Diagnostics)
		return false
	}
	return true
}

// recordFilterFrom builds the client's filter from the data sources' inputs, for a read at now.
// Null filters stay unset (the client omits them from the request); the window's end is always set.
func recordFilterFrom(w windowModel, rules windowRules, callResult, callType types.String, numberPerPage int64, now time.Time) (callkit.RecordFilter, diag.Diagnostics) {
	start, end, diags := w.resolve(now, rules)
	return callkit.RecordFilter{
		StartTimestamp: start,
		EndTimestamp:   end,
		CallResult:     callResult.ValueString(),
		CallType:       callType.ValueString(),
		NumberPerPage:  int(numberPerPage),
	}, diags
}

// addUnconfiguredClientError guards a Read that runs without a client, which the framework only
// allows when the provider's own Configure handed nothing over.
func addUnconfiguredClientError(diags *diag.Diagnostics) {
	diags.AddError(
		"Provider Not Configured",
		"The tencentcallkit provider has no API client, so no records can be read. Check the provider "+
			"configuration (sdk_app_id, secret_key) for values that are unknown until apply.",
	)
}
