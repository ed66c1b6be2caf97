// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/ccc"
)

var (
	_ datasource.DataSource                   = (*telCdrsDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*telCdrsDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*telCdrsDataSource)(nil)
)

// telCdrsWindow is the time window of tencentcallkit_tel_cdrs: the API needs
// both ends, the end after the start, and a range under 90 days.
var telCdrsWindow = windowRules{
	what:            "list",
	reach:           "The API reaches back 180 days.",
	endRequired:     true,
	endAfterStart:   true,
	maxRange:        ccc.MaxRange,
	maxRangeSubject: "Cloud Contact Center",
}

// NewTelCdrsDataSource is the constructor of `tencentcallkit_tel_cdrs`.
func NewTelCdrsDataSource() datasource.DataSource {
	return &telCdrsDataSource{}
}

type telCdrsDataSource struct {
	pd *providerData
}

// telCdrsNarrowing names the arguments that make tel_cdrs match fewer records.
const telCdrsNarrowing = "a later `start_timestamp` (or a shorter `lookback`), an earlier `end_timestamp`, `phones` or `session_ids`"

// telCdrsDataSourceModel is the configuration and the state. It holds
// framework types only, so any input may be unknown at validate and plan time.
type telCdrsDataSourceModel struct {
	windowModel
	CCCSdkAppID types.Int64 `tfsdk:"ccc_sdk_app_id"`
	Phones      types.List  `tfsdk:"phones"`      // of strings
	SessionIDs  types.List  `tfsdk:"session_ids"` // of strings
	PageSize    types.Int64 `tfsdk:"page_size"`
	PageNumber  types.Int64 `tfsdk:"page_number"`
	MaxRecords  types.Int64 `tfsdk:"max_records"`
	TotalCount  types.Int64 `tfsdk:"total_count"`
	Records     types.List  `tfsdk:"records"`    // of telCdrModel
	Recordings  types.Map   `tfsdk:"recordings"` // of recordingModel
}

// recordingModel holds a call's recording URLs. They live in the top-level
// sensitive map `recordings`, not in `records`: Terraform tracks a sensitive
// attribute nested in a list with one mark per element, and its cost grows
// with the square of the list's length (300 records: 95 s against 8 s for
// the same test), while a sensitive top-level attribute is one mark.
type recordingModel struct {
	RecordURL          types.String   `tfsdk:"record_url"`
	CustomRecordURL    types.String   `tfsdk:"custom_record_url"`
	VoicemailRecordURL []types.String `tfsdk:"voicemail_record_url"`
}

// telCdrModel is one telephone call record.
type telCdrModel struct {
	SessionID            types.String            `tfsdk:"session_id"`
	Caller               types.String            `tfsdk:"caller"`
	Callee               types.String            `tfsdk:"callee"`
	Direction            types.Int64             `tfsdk:"direction"`
	StartTimestamp       types.Int64             `tfsdk:"start_timestamp"`
	QueuedTimestamp      types.Int64             `tfsdk:"queued_timestamp"`
	RingTimestamp        types.Int64             `tfsdk:"ring_timestamp"`
	AcceptTimestamp      types.Int64             `tfsdk:"accept_timestamp"`
	EndedTimestamp       types.Int64             `tfsdk:"ended_timestamp"`
	Duration             types.Int64             `tfsdk:"duration"`
	EndStatus            types.Int64             `tfsdk:"end_status"`
	EndStatusString      types.String            `tfsdk:"end_status_string"`
	HungUpSide           types.String            `tfsdk:"hung_up_side"`
	SkillGroup           types.String            `tfsdk:"skill_group"`
	SkillGroupID         types.Int64             `tfsdk:"skill_group_id"`
	QueuedSkillGroupID   types.Int64             `tfsdk:"queued_skill_group_id"`
	QueuedSkillGroupName types.String            `tfsdk:"queued_skill_group_name"`
	SeatUser             *seatUserModel          `tfsdk:"seat_user"`
	ServeParticipants    []serveParticipantModel `tfsdk:"serve_participants"`
	IVRDuration          types.Int64             `tfsdk:"ivr_duration"`
	IVRKeyPressed        []types.String          `tfsdk:"ivr_key_pressed"`
	RecordID             types.String            `tfsdk:"record_id"`
	CallerLocation       types.String            `tfsdk:"caller_location"`
	Remark               types.String            `tfsdk:"remark"`
	UUI                  types.String            `tfsdk:"uui"`
}

type seatUserModel struct {
	UserID      types.String `tfsdk:"user_id"`
	Name        types.String `tfsdk:"name"`
	Nick        types.String `tfsdk:"nick"`
	Phone       types.String `tfsdk:"phone"`
	Mail        types.String `tfsdk:"mail"`
	StaffNumber types.String `tfsdk:"staff_number"`
}

type serveParticipantModel struct {
	Sequence        types.Int64  `tfsdk:"sequence"`
	Type            types.String `tfsdk:"type"`
	Mail            types.String `tfsdk:"mail"`
	Phone           types.String `tfsdk:"phone"`
	SkillGroupID    types.Int64  `tfsdk:"skill_group_id"`
	SkillGroupName  types.String `tfsdk:"skill_group_name"`
	StartTimestamp  types.Int64  `tfsdk:"start_timestamp"`
	RingTimestamp   types.Int64  `tfsdk:"ring_timestamp"`
	AcceptTimestamp types.Int64  `tfsdk:"accept_timestamp"`
	EndedTimestamp  types.Int64  `tfsdk:"ended_timestamp"`
	EndStatusString types.String `tfsdk:"end_status_string"`
	RecordID        types.String `tfsdk:"record_id"`
	TransferFrom    types.String `tfsdk:"transfer_from"`
	TransferTo      types.String `tfsdk:"transfer_to"`
	TransferToType  types.String `tfsdk:"transfer_to_type"`
}

// telCdrModelFrom is the one mapping from the client's record to Terraform
// values. A field the service did not send (JSON null or absent) is null.
func telCdrModelFrom(r ccc.TelCdrInfo) telCdrModel {
	start := r.StartTimestamp
	if start == nil {
		start = r.Time
	}
	m := telCdrModel{
		SessionID:            types.StringPointerValue(r.SessionId),
		Caller:               types.StringPointerValue(r.Caller),
		Callee:               types.StringPointerValue(r.Callee),
		Direction:            types.Int64PointerValue(r.Direction),
		StartTimestamp:       types.Int64PointerValue(start),
		QueuedTimestamp:      types.Int64PointerValue(r.QueuedTimestamp),
		RingTimestamp:        types.Int64PointerValue(r.RingTimestamp),
		AcceptTimestamp:      types.Int64PointerValue(r.AcceptTimestamp),
		EndedTimestamp:       types.Int64PointerValue(r.EndedTimestamp),
		Duration:             types.Int64PointerValue(r.Duration),
		EndStatus:            types.Int64PointerValue(r.EndStatus),
		EndStatusString:      types.StringPointerValue(r.EndStatusString),
		HungUpSide:           types.StringPointerValue(r.HungUpSide),
		SkillGroup:           types.StringPointerValue(r.SkillGroup),
		SkillGroupID:         types.Int64PointerValue(r.SkillGroupId),
		QueuedSkillGroupID:   types.Int64PointerValue(r.QueuedSkillGroupId),
		QueuedSkillGroupName: types.StringPointerValue(r.QueuedSkillGroupName),
		ServeParticipants:    make([]serveParticipantModel, 0, len(r.ServeParticipants)),
		IVRDuration:          types.Int64PointerValue(r.IVRDuration),
		IVRKeyPressed:        stringValues(r.IVRKeyPressed),
		RecordID:             types.StringPointerValue(r.RecordId),
		CallerLocation:       types.StringPointerValue(r.CallerLocation),
		Remark:               types.StringPointerValue(r.Remark),
		UUI:                  types.StringPointerValue(r.Uui),
	}
	if u := r.SeatUser; u != nil {
		m.SeatUser = &seatUserModel{
			UserID:      types.StringPointerValue(u.UserId),
			Name:        types.StringPointerValue(u.Name),
			Nick:        types.StringPointerValue(u.Nick),
			Phone:       types.StringPointerValue(u.Phone),
			Mail:        types.StringPointerValue(u.Mail),
			StaffNumber: types.StringPointerValue(u.StaffNumber),
		}
	}
	for _, p := range r.ServeParticipants {
		if p == nil {
			continue
		}
		m.ServeParticipants = append(m.ServeParticipants, serveParticipantModel{
			Sequence:        types.Int64PointerValue(p.Sequence),
			Type:            types.StringPointerValue(p.Type),
			Mail:            types.StringPointerValue(p.Mail),
			Phone:           types.StringPointerValue(p.Phone),
			SkillGroupID:    types.Int64PointerValue(p.SkillGroupId),
			SkillGroupName:  types.StringPointerValue(p.SkillGroupName),
			StartTimestamp:  types.Int64PointerValue(p.StartTimestamp),
			RingTimestamp:   types.Int64PointerValue(p.RingTimestamp),
			AcceptTimestamp: types.Int64PointerValue(p.AcceptTimestamp),
			EndedTimestamp:  types.Int64PointerValue(p.EndedTimestamp),
			EndStatusString: types.StringPointerValue(p.EndStatusString),
			RecordID:        types.StringPointerValue(p.RecordId),
			TransferFrom:    types.StringPointerValue(p.TransferFrom),
			TransferTo:      types.StringPointerValue(p.TransferTo),
			TransferToType:  types.StringPointerValue(p.TransferToType),
		})
	}
	return m
}

// stringValues maps a list the service may send as null to a list that is
// never null (an absent list is empty), dropping null entries.
func stringValues(in []*string) []types.String {
	out := make([]types.String, 0, len(in))
	for _, s := range in {
		if s != nil {
			out = append(out, types.StringValue(*s))
		}
	}
	return out
}

func telCdrModelsFrom(recs []ccc.TelCdrInfo) []telCdrModel {
	out := make([]telCdrModel, 0, len(recs))
	for _, r := range recs {
		out = append(out, telCdrModelFrom(r))
	}
	return out
}

// recordingsFrom maps every record with a session ID to its recording URLs.
// A record without one has no key to be found by, so it has no entry (the
// schema says so); the service gives every record a session ID.
func recordingsFrom(recs []ccc.TelCdrInfo) map[string]recordingModel {
	out := make(map[string]recordingModel, len(recs))
	for _, r := range recs {
		if r.SessionId == nil || *r.SessionId == "" {
			continue
		}
		out[*r.SessionId] = recordingModel{
			RecordURL:          types.StringPointerValue(r.RecordURL),
			CustomRecordURL:    types.StringPointerValue(r.CustomRecordURL),
			VoicemailRecordURL: stringValues(r.VoicemailRecordURL),
		}
	}
	return out
}

func (d *telCdrsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_tel_cdrs"
}

func (d *telCdrsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	filterList := func(what string) schema.ListAttribute {
		return schema.ListAttribute{
			MarkdownDescription: "Only list calls " + what + ". Unset: no filter. At least one entry when set.",
			ElementType:         types.StringType,
			Optional:            true,
			Validators: []validator.List{
				listvalidator.SizeAtLeast(1),
				listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
			},
		}
	}
	computedInt := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
	}
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	attrs := windowAttributes(telCdrsWindow)
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the telephone call records (CDRs) of a Tencent [Cloud Contact Center](https://www.tencentcloud.com/products/ccc) " +
			"application through its `DescribeTelCdr` API, oldest call first. Without `page_number` every page is read; with `page_number` " +
			"only that page.\n\n" +
			"This data source uses the Tencent Cloud API credentials of the provider (`tencentcloud_secret_id` and `tencentcloud_secret_key`, " +
			"or the `" + envCloudSecretID + "` and `" + envCloudSecretKey + "` environment variables), not the CallKit `secret_key`. " +
			"No matching record is not an error: `total_count` is `0` and `records` is empty. The recording URLs are in the sensitive map `recordings`.\n\n" +
			bigReadNote("page_number", "page_size", "session_id") + troubleshootingLink,
		Attributes: attrs,
	}
	for name, a := range map[string]schema.Attribute{
		"ccc_sdk_app_id": schema.Int64Attribute{
			MarkdownDescription: "The Cloud Contact Center application ID (`SdkAppId`, shown in the Cloud Contact Center console). " +
				"It is not the TUICallKit `sdk_app_id`.",
			Required:   true,
			Validators: []validator.Int64{int64validator.AtLeast(1)},
		},
		"phones":      filterList("to or from one of these phone numbers (the caller or the callee), as Cloud Contact Center writes them"),
		"session_ids": filterList("with one of these session IDs"),
		"page_size": schema.Int64Attribute{
			MarkdownDescription: "Records per request, `1` to `100`. Default: `100`. With `page_number` unset this only changes how many " +
				"requests an all-pages read takes, not what it returns.",
			Optional:   true,
			Computed:   true,
			Validators: []validator.Int64{int64validator.Between(1, ccc.MaxPageSize)},
		},
		"page_number": schema.Int64Attribute{
			MarkdownDescription: "Read only this page of `page_size` records; pages are numbered from `0`. Unset: every page is read " +
				"(at most `max_records` records).",
			Optional:   true,
			Validators: []validator.Int64{int64validator.AtLeast(0)},
		},
		"max_records": maxRecordsAttribute("page_number"),
		"total_count": computedInt("With `page_number` unset: the number of records read. With `page_number` set: the service's " +
			"`TotalCount` of records matching the query (null when the answer has none)."),
		"recordings": schema.MapNestedAttribute{
			MarkdownDescription: "The recording URLs of the records, keyed by `session_id`: " +
				"`recordings[r.session_id].record_url`. Every record with a `session_id` has an entry; a record without one " +
				"(Cloud Contact Center gives every record a session ID, so this only happens on a malformed answer) has none, " +
				"since it has no key to be looked up by. Sensitive as a whole, since anyone with a URL can listen to the call; " +
				"kept apart from `records` so that the records themselves stay visible in plans, and because Terraform handles one " +
				"sensitive map much faster than a sensitive attribute in each of thousands of records.",
			Computed:  true,
			Sensitive: true,
			NestedObject: schema.NestedAttributeObject{
				Attributes: map[string]schema.Attribute{
					"record_url":        computedString("The URL of the call recording; empty or null when the call was not recorded."),
					"custom_record_url": computedString("The URL of the recording copied to your own COS bucket, when that is configured."),
					"voicemail_record_url": schema.ListAttribute{
						MarkdownDescription: "The URLs of voicemail left during the call.",
						ElementType:         types.StringType,
						Computed:            true,
					},
				},
			},
		},
		"records": schema.ListNestedAttribute{
			MarkdownDescription: "The matching call records, in ascending start time. A value the service did not report is null. " +
				"The recording URLs are in `recordings`.",
			Computed: true,
			NestedObject: schema.NestedAttributeObject{
				Attributes: map[string]schema.Attribute{
					"session_id":       computedString("The call's session ID."),
					"caller":           computedString("The calling number (empty when number protection hides it)."),
					"callee":           computedString("The called number (empty when number protection hides it)."),
					"direction":        computedInt("`0` for an inbound call, `1` for an outbound call."),
					"start_timestamp":  computedInt("When the session started, in Unix seconds."),
					"queued_timestamp": computedInt("When the call entered a skill group's queue, in Unix seconds; `0` or null if it never queued."),
					"ring_timestamp":   computedInt("When an agent's phone started ringing, in Unix seconds."),
					"accept_timestamp": computedInt("When the call was answered, in Unix seconds; `0` or null if it never was."),
					"ended_timestamp":  computedInt("When the call ended, in Unix seconds."),
					"duration":         computedInt("Talk time in seconds."),
					"end_status": computedInt("How the call ended, as a number: `1` ok, `0` error, `2` unconnected, `100` blocked caller, " +
						"`102`–`107` inbound give-ups and IVR ends, `201`–`210` outbound failures. `end_status_string` says the same in words."),
					"end_status_string": computedString("How the call ended, in words: `ok`, `error`, `unconnected`, `ivrGiveUp`, `waitingGiveUp`, " +
						"`ringingGiveUp`, `noSeatOnline`, `notWorkTime`, `ivrEnd`, `unknown`, `userReject`, `powerOff`, `numberNotExist`, `busy`, " +
						"`outOfCredit`, `operatorError`, `callerCancel`, `notInService`, ..."),
					"hung_up_side":            computedString("Who hung up: `seat` (the agent) or `user` (the customer)."),
					"skill_group":             computedString("The name of the skill group that served the call."),
					"skill_group_id":          computedInt("The ID of the skill group that served the call."),
					"queued_skill_group_id":   computedInt("The ID of the skill group the call queued for."),
					"queued_skill_group_name": computedString("The name of the skill group the call queued for."),
					"seat_user": schema.SingleNestedAttribute{
						MarkdownDescription: "The agent (seat) who served the call; null when no agent took part.",
						Computed:            true,
						Attributes: map[string]schema.Attribute{
							"user_id":      computedString("The agent's user ID."),
							"name":         computedString("The agent's name."),
							"nick":         computedString("The agent's nickname."),
							"phone":        computedString("The agent's phone number."),
							"mail":         computedString("The agent's email address."),
							"staff_number": computedString("The agent's staff number."),
						},
					},
					"serve_participants": schema.ListNestedAttribute{
						MarkdownDescription: "The agents who took part, in order (a transfer adds one). Empty when none did.",
						Computed:            true,
						NestedObject: schema.NestedAttributeObject{
							Attributes: map[string]schema.Attribute{
								"sequence":          computedInt("The participant's position, from `0`."),
								"type":              computedString("The kind of participant: `staffSeat`, `outboundSeat` or `staffPhoneSeat`."),
								"mail":              computedString("The agent's email address."),
								"phone":             computedString("The agent's phone number."),
								"skill_group_id":    computedInt("The skill group the agent served the call in."),
								"skill_group_name":  computedString("The name of that skill group."),
								"start_timestamp":   computedInt("When the agent's leg started, in Unix seconds."),
								"ring_timestamp":    computedInt("When the agent's phone rang, in Unix seconds."),
								"accept_timestamp":  computedInt("When the agent answered, in Unix seconds."),
								"ended_timestamp":   computedInt("When the agent's leg ended, in Unix seconds."),
								"end_status_string": computedString("How the agent's leg ended."),
								"record_id":         computedString("The ID of the agent-side recording."),
								"transfer_from":     computedString("The agent the call was transferred from."),
								"transfer_to":       computedString("The agent the call was transferred to."),
								"transfer_to_type":  computedString("The kind of participant the call was transferred to."),
							},
						},
					},
					"ivr_duration": computedInt("Time spent in the IVR, in seconds."),
					"ivr_key_pressed": schema.ListAttribute{
						MarkdownDescription: "The keys the caller pressed in the IVR, in order.",
						ElementType:         types.StringType,
						Computed:            true,
					},
					"record_id":       computedString("The recording's ID. Its URLs are in `recordings`."),
					"caller_location": computedString("Where the calling number is registered."),
					"remark":          computedString("The agent's remark on the call."),
					"uui":             computedString("Custom data attached to the call (User-to-User Information)."),
				},
			},
		},
	} {
		attrs[name] = a
	}
}

func (d *telCdrsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.pd = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks the time window at plan time, against the API's rules.
func (d *telCdrsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	validateWindow(ctx, req.Config, telCdrsWindow, &resp.Diagnostics)
}

func (d *telCdrsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var state telCdrsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.pd == nil {
		addUnconfiguredClientError(&resp.Diagnostics)
		return
	}
	client := d.pd.cccClient.get(&resp.Diagnostics)
	if client == nil {
		return
	}

	start, end, diags := state.resolve(time.Now(), telCdrsWindow)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	q := ccc.TelCdrQuery{
		SdkAppID:       state.CCCSdkAppID.ValueInt64(),
		StartTimestamp: start,
		EndTimestamp:   end,
		Phones:         stringsFrom(state.Phones),
		SessionIDs:     stringsFrom(state.SessionIDs),
		PageSize:       ccc.MaxPageSize,
	}
	if !state.PageSize.IsNull() && !state.PageSize.IsUnknown() {
		q.PageSize = state.PageSize.ValueInt64()
	}

	var recs []ccc.TelCdrInfo
	if state.PageNumber.IsNull() {
		all, err := client.DescribeAllTelCdrs(ctx, q, maxRecordsFrom(state.MaxRecords))
		if addTooManyRecordsError(&resp.Diagnostics, "Unable to Read Telephone Call Records", err, telCdrsNarrowing) {
			return
		}
		if err != nil {
			addCCCError(&resp.Diagnostics, "Unable to Read Telephone Call Records", err, d.pd.CCC.SecretKey)
			return
		}
		recs = all
		state.TotalCount = types.Int64Value(int64(len(all)))
	} else {
		page, err := client.DescribeTelCdrPage(ctx, q, state.PageNumber.ValueInt64())
		if err != nil {
			addCCCError(&resp.Diagnostics, "Unable to Read Telephone Call Records", err, d.pd.CCC.SecretKey)
			return
		}
		recs = page.Records
		state.TotalCount = types.Int64Value(page.TotalCount)
		if page.TotalCount < 0 { // the answer has no TotalCount
			state.TotalCount = types.Int64Null()
		}
	}
	tflog.Debug(ctx, "Read telephone call records", map[string]any{
		"ccc_sdk_app_id": q.SdkAppID,
		"records":        len(recs),
		"all_pages":      state.PageNumber.IsNull(),
	})

	state.PageSize = types.Int64Value(q.PageSize)
	// The null values read from the configuration carry the schema's types.
	records, diags := types.ListValueFrom(ctx, state.Records.ElementType(ctx), telCdrModelsFrom(recs))
	resp.Diagnostics.Append(diags...)
	recordings, diags := types.MapValueFrom(ctx, state.Recordings.ElementType(ctx), recordingsFrom(recs))
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.Records, state.Recordings = records, recordings
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// stringsFrom is a known list of strings as a Go slice; nil when null or empty.
func stringsFrom(list types.List) []string {
	if list.IsNull() || list.IsUnknown() || len(list.Elements()) == 0 {
		return nil
	}
	out := make([]string, 0, len(list.Elements()))
	for _, v := range list.Elements() {
		if s, ok := v.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			out = append(out, s.ValueString())
		}
	}
	return out
}
