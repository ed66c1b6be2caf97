package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

var (
	_ resource.Resource                   = (*callbackResource)(nil)
	_ resource.ResourceWithConfigure      = (*callbackResource)(nil)
	_ resource.ResourceWithImportState    = (*callbackResource)(nil)
	_ resource.ResourceWithValidateConfig = (*callbackResource)(nil)
	_ resource.ResourceWithIdentity       = (*callbackResource)(nil)
)

// v4IDPrefix marks the ID (and import ID) of a v4 configuration.
const v4IDPrefix = "v4:"

// NewCallbackResource returns the tencentcallkit_callback resource.
func NewCallbackResource() resource.Resource {
	return &callbackResource{}
}

// callbackResource manages an application's one callback configuration: a
// singleton per SDKAppID and API generation, so the ID is derived from the
// provider's SDKAppID rather than returned by the service.
type callbackResource struct {
	client *callkit.Client
}

type callbackResourceModel struct {
	ID         types.String `tfsdk:"id"`
	APIVersion types.String `tfsdk:"api_version"`
	Address    types.String `tfsdk:"address"`
	Actions    types.Set    `tfsdk:"actions"`
}

// callbackModelFrom maps what the service holds onto the resource model. It
// is the only mapping, used by Create, Read, Update and import; values are
// kept exactly as the service returned them so out-of-band changes show as
// drift.
func callbackModelFrom(sdkAppID int64, v callkit.APIVersion, cb callkit.Callback) (callbackResourceModel, diag.Diagnostics) {
	// A set cannot hold duplicates; the service would treat a repeated action
	// as one subscription anyway.
	seen := make(map[string]bool, len(cb.Actions))
	actions := make([]string, 0, len(cb.Actions))
	for _, a := range cb.Actions {
		if !seen[a] {
			seen[a] = true
			actions = append(actions, a)
		}
	}
	set, diags := types.SetValueFrom(context.Background(), types.StringType, actions)
	return callbackResourceModel{
		ID:         types.StringValue(callbackID(sdkAppID, v)),
		APIVersion: types.StringValue(string(v)),
		Address:    types.StringValue(cb.Address),
		Actions:    set,
	}, diags
}

func callbackID(sdkAppID int64, v callkit.APIVersion) string {
	id := strconv.FormatInt(sdkAppID, 10)
	if v == callkit.V4 {
		return v4IDPrefix + id
	}
	return id
}

// apiVersion returns the model's API generation; null means the default, v1.
func (m callbackResourceModel) apiVersion() callkit.APIVersion {
	if m.APIVersion.ValueString() == string(callkit.V4) {
		return callkit.V4
	}
	return callkit.V1
}

func (m callbackResourceModel) callback(ctx context.Context) (callkit.Callback, diag.Diagnostics) {
	var actions []string
	diags := m.Actions.ElementsAs(ctx, &actions, false)
	sort.Strings(actions) // a set has no order; a stable request body makes the API log readable
	return callkit.Callback{Address: m.Address.ValueString(), Actions: actions}, diags
}

func (r *callbackResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_callback"
}

func (r *callbackResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		// The page's longer text (singleton, Create, Destroy) is in
		// templates/resources/callback.md.tmpl.
		MarkdownDescription: "Manages the application's callback configuration: the URL TUICallKit posts call events to, and which events.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The configuration's ID, which is also its import ID: the SDKAppID (e.g. `1400000000`) for `v1`, `v4:<SDKAppID>` (e.g. `v4:1400000000`) for `v4`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"api_version": schema.StringAttribute{
				MarkdownDescription: "The API generation holding the configuration: `v1` (the legacy `v1/callback/*` API, with lowercase action words such as `normal_end`) or " +
					"`v4` (the current `v4/call_config/*` API on the IM domains, with `Call.*` command words). The two generations store separate configurations. " +
					"Defaults to `v1`. Changing it replaces the resource.",
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString(string(callkit.V1)),
				Validators:    []validator.String{stringvalidator.OneOf(string(callkit.V1), string(callkit.V4))},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"address": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The URL that receives the callbacks: an absolute `http://` or `https://` URL (https is recommended), at most %d characters. "+
					"The receiver should check that the `sdkappid` query parameter is its own.", maxCallbackAddressLength),
				Required:   true,
				Validators: []validator.String{callbackAddressValidator{}},
			},
			"actions": schema.SetAttribute{
				MarkdownDescription: "The events to deliver, at least one. For `v1`, action words: the call status callbacks " + markdownList(callkit.V1Actions[:6]) +
					" and the call event callbacks " + markdownList(callkit.V1Actions[6:]) + ". For `v4`, command words: " + markdownList(callkit.V4Commands) +
					". Words are case-sensitive.",
				ElementType: types.StringType,
				Required:    true,
				Validators:  []validator.Set{setvalidator.SizeAtLeast(1)},
			},
		},
	}
}

func (r *callbackResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if client := callKitClientFrom(req.ProviderData, &resp.Diagnostics); client != nil {
		r.client = client
	}
}

// ValidateConfig checks the action words against the vocabulary of the
// chosen API generation; an attribute validator cannot see api_version.
// Any attribute may be unknown here (a variable at validate, another
// resource's output at plan): what cannot be checked yet is checked by
// Create and Update.
func (r *callbackResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg callbackResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || cfg.APIVersion.IsUnknown() || cfg.Actions.IsNull() || cfg.Actions.IsUnknown() {
		return
	}
	// An api_version that is neither v1 nor v4 has its own error from the
	// attribute's validator; judging the actions against a generation the
	// user did not choose would only add a second, misleading one.
	if v := cfg.APIVersion.ValueString(); !cfg.APIVersion.IsNull() && v != string(callkit.V1) && v != string(callkit.V4) {
		return
	}
	validateActions(cfg.apiVersion(), cfg.Actions, &resp.Diagnostics)
}

// validateActions adds an error for every known element of actions that is
// not a word of API generation v.
func validateActions(v callkit.APIVersion, actions types.Set, diags *diag.Diagnostics) {
	valid, other := callkit.V1Actions, callkit.V4Commands
	kind, otherKind := "v1 action word", "v4 command word"
	if v == callkit.V4 {
		valid, other = other, valid
		kind, otherKind = otherKind, kind
	}
	for _, el := range actions.Elements() {
		s, ok := el.(types.String)
		if !ok || s.IsUnknown() || s.IsNull() {
			continue
		}
		word := s.ValueString()
		if slices.Contains(valid, word) {
			continue
		}
		var hint string
		switch {
		case word == "":
			hint = "An action must not be empty. "
		case slices.Contains(other, word):
			hint = fmt.Sprintf("%q is a %s: set api_version = %q to use it, or use this generation's words. ", word, otherKind, otherVersion(v))
		default:
			if m := didYouMean(valid, word); m != "" {
				hint = strings.TrimSpace(m) + " "
			}
		}
		diags.AddAttributeError(path.Root("actions").AtSetValue(s), "Invalid Callback Action",
			fmt.Sprintf("%q is not a %s. %sValid values for api_version = %q: %s.", word, kind, hint, string(v), quotedList(valid)))
	}
}

func otherVersion(v callkit.APIVersion) string {
	if v == callkit.V4 {
		return string(callkit.V1)
	}
	return string(callkit.V4)
}

// checkSameApp refuses to act on state written for another application. The
// ID is derived from the provider's SDKAppID, so when sdk_app_id changes the
// state no longer describes what the provider can reach; reading, updating
// or deleting the new application's configuration in its place would
// silently adopt, overwrite or delete it.
func (r *callbackResource) checkSameApp(state callbackResourceModel, diags *diag.Diagnostics) bool {
	if state.ID.IsNull() || state.ID.IsUnknown() {
		return true
	}
	want := callbackID(r.client.SDKAppID(), state.apiVersion())
	if got := state.ID.ValueString(); got != want {
		diags.AddError("Callback Configuration Belongs to Another Application",
			fmt.Sprintf("This resource manages the callback configuration with ID %q, but the provider is now configured for SDKAppID %d (which would be ID %q). "+
				"Nothing was read or changed. Restore the provider's sdk_app_id, or, to manage the other application's configuration instead, "+
				"remove this one from the state (terraform state rm) and import or create the configuration of SDKAppID %d.",
				got, r.client.SDKAppID(), want, r.client.SDKAppID()))
		return false
	}
	return true
}

func (r *callbackResource) get(ctx context.Context, v callkit.APIVersion) (*callkit.Callback, error) {
	if v == callkit.V4 {
		return r.client.GetCallbackV4(ctx)
	}
	return r.client.GetCallback(ctx)
}

func (r *callbackResource) set(ctx context.Context, v callkit.APIVersion, cb callkit.Callback) error {
	if v == callkit.V4 {
		return r.client.SetCallbackV4(ctx, cb)
	}
	return r.client.SetCallback(ctx, cb)
}

func (r *callbackResource) delete(ctx context.Context, v callkit.APIVersion) error {
	if v == callkit.V4 {
		return r.client.DeleteCallbackV4(ctx)
	}
	return r.client.DeleteCallback(ctx)
}

// setState sets cb, which the service now holds, as the state (of Read,
// Create, Update, or a list result's resource). After a write that is what
// was sent: set and update store the address and actions as given
// (callkit-api.md §2, §7), so reading it back would only add a request that
// can fail after the write took effect.
func (r *callbackResource) setState(ctx context.Context, v callkit.APIVersion, cb callkit.Callback, state setter, diags *diag.Diagnostics) {
	m, d := callbackModelFrom(r.client.SDKAppID(), v, cb)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, &m)...)
}

// setter is the one method of tfsdk.State and tfsdk.Resource that setState needs.
type setter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}

// sameCallback reports whether the service holds exactly the planned
// configuration: the same address and the same set of actions (a set has
// neither order nor duplicates).
func sameCallback(held, planned callkit.Callback) bool {
	if held.Address != planned.Address {
		return false
	}
	a, b := slices.Clone(held.Actions), slices.Clone(planned.Actions)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// writeMayHaveApplied reports whether a write that returned err may have
// taken effect even so: no answer came back, an attempt before the last may
// have been applied with its answer lost, or the service answered a failure
// that does not say nothing was done (an internal error). Only a refusal on
// the first and only attempt says for certain that nothing was written.
func writeMayHaveApplied(err error) bool {
	var apiErr *callkit.APIError
	if !errors.As(err, &apiErr) || apiErr.Attempts > 1 {
		return true
	}
	for _, refused := range []error{callkit.ErrNotFound, callkit.ErrRateLimited, callkit.ErrAuth, callkit.ErrNotPurchased, callkit.ErrPackageExpired, callkit.ErrInvalidRequest} {
		if errors.Is(err, refused) {
			return false
		}
	}
	return true
}

// addWriteError reports a failed write, and when it may have been applied
// all the same, what the next run does about it.
func addWriteError(diags *diag.Diagnostics, summary string, err error, ifApplied string) {
	detail := apiErrorDetail(err)
	if writeMayHaveApplied(err) {
		detail += "\n\nThe service may have applied the request even so (its answer did not arrive). " + ifApplied
	}
	diags.AddError(summary, detail)
}

func (r *callbackResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan callbackResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	v := plan.apiVersion()
	defer r.setIdentityWithState(ctx, v, &resp.State, resp.Identity, &resp.Diagnostics)
	// api_version may have been unknown at plan time, so check the words again
	// now that it is known, before anything is written.
	validateActions(v, plan.Actions, &resp.Diagnostics)
	cb, d := plan.callback(ctx)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}

	// set overwrites silently, so look first: an existing configuration is
	// adopted by import, never replaced by create; unless it is exactly the
	// planned one, which is this resource's own (an earlier apply wrote it
	// and lost the answer), and is taken over without writing it again.
	existing, err := r.get(ctx, v)
	switch {
	case err == nil && existing != nil && sameCallback(*existing, cb):
		r.setState(ctx, v, *existing, &resp.State, &resp.Diagnostics)
		// Terraform shows the warning with this resource's address.
		resp.Diagnostics.AddWarning("Existing Callback Configuration Adopted",
			fmt.Sprintf("SDKAppID %d already had a %s callback configuration exactly like this resource's (address %q, %s). "+
				"Nothing was written: this resource now manages that configuration (ID %q), and destroying it deletes the configuration. "+
				"This is expected after an apply whose answer was lost; otherwise check that no other configuration or tool manages it.",
				r.client.SDKAppID(), v, existing.Address, countOf(len(existing.Actions), "action", "actions"), callbackID(r.client.SDKAppID(), v)))
		return
	case err == nil && existing != nil:
		id := callbackID(r.client.SDKAppID(), v)
		resp.Diagnostics.AddError("Callback Configuration Already Exists",
			fmt.Sprintf("SDKAppID %d already has a %s callback configuration (address %q, %s), and it differs from this resource's. "+
				"Creating this resource would silently overwrite it, so nothing was changed. "+
				"Import the existing configuration into Terraform instead, then manage it with this resource:\n\n"+
				"  terraform import tencentcallkit_callback.<NAME> %s\n\n"+
				"or, with Terraform 1.5 or later, add an import block and run terraform apply:\n\n"+
				"  import {\n    to = tencentcallkit_callback.<NAME>\n    id = %q\n  }\n\n"+
				"where <NAME> is this resource's name in your configuration. "+
				"(A configuration exactly like this resource's is taken over without an import.)",
				r.client.SDKAppID(), v, existing.Address, countOf(len(existing.Actions), "action", "actions"), id, id))
		return
	case err != nil && !errors.Is(err, callkit.ErrNotFound):
		addAPIError(&resp.Diagnostics, "Unable to Create Callback Configuration", err)
		return
	}

	// No state is written when the set fails: state with an error would be
	// tainted, and a tainted configuration is deleted and created again, which
	// drops the app's callbacks in between. If the set was applied, the next
	// apply finds exactly this configuration and takes it over (above).
	if err := r.set(ctx, v, cb); err != nil {
		addWriteError(&resp.Diagnostics, "Unable to Create Callback Configuration", err,
			"Run terraform apply again: it finds the configuration exactly as planned and takes it over without writing it again, or creates it if it is not there.")
		return
	}
	r.setState(ctx, v, cb, &resp.State, &resp.Diagnostics)
}

func (r *callbackResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state callbackResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.checkSameApp(state, &resp.Diagnostics) {
		return
	}
	v := state.apiVersion()
	// Also when the resource is removed below: the framework refuses a read
	// that answers no identity, and engines without identity send none.
	r.setIdentity(ctx, v, resp.Identity, &resp.Diagnostics)
	cb, err := r.get(ctx, v)
	if errors.Is(err, callkit.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read Callback Configuration", err)
		return
	}
	r.setState(ctx, v, *cb, &resp.State, &resp.Diagnostics)
}

func (r *callbackResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state callbackResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.checkSameApp(state, &resp.Diagnostics) {
		return
	}
	v := plan.apiVersion()
	defer r.setIdentityWithState(ctx, v, &resp.State, resp.Identity, &resp.Diagnostics)
	validateActions(v, plan.Actions, &resp.Diagnostics)
	cb, d := plan.callback(ctx)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}

	var err error
	if v == callkit.V4 {
		// v4 has no update: set overwrites. Check first that the configuration
		// still exists so both generations behave alike when it was deleted
		// since the plan, instead of v4 silently recreating it.
		_, err = r.client.GetCallbackV4(ctx)
		if err != nil && !errors.Is(err, callkit.ErrNotFound) {
			addAPIError(&resp.Diagnostics, "Unable to Update Callback Configuration", err) // nothing was written
			return
		}
		if err == nil {
			err = r.client.SetCallbackV4(ctx, cb)
		}
	} else {
		err = r.client.UpdateCallback(ctx, cb)
	}
	if errors.Is(err, callkit.ErrNotFound) {
		resp.Diagnostics.AddError("Unable to Update Callback Configuration",
			fmt.Sprintf("The %s callback configuration of SDKAppID %d no longer exists: it was deleted outside Terraform after the plan was made. "+
				"Run terraform apply again; the new plan will create it.", v, r.client.SDKAppID()))
		return
	}
	if err != nil {
		// The prior state stays; the next plan reads what the service holds,
		// so an update that was applied shows as done and one that was not
		// is planned again.
		addWriteError(&resp.Diagnostics, "Unable to Update Callback Configuration", err,
			"Run terraform apply again: its plan reads what the service holds and shows what is left to do, nothing if the change was applied.")
		return
	}
	r.setState(ctx, v, cb, &resp.State, &resp.Diagnostics)
}

func (r *callbackResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state callbackResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.checkSameApp(state, &resp.Diagnostics) {
		return
	}
	// The client reports an already deleted configuration as success; the
	// ErrNotFound check keeps that true whichever code the service used.
	// On failure the resource stays in state; if the delete was applied even
	// so, the next plan's refresh finds no configuration and drops it.
	if err := r.delete(ctx, state.apiVersion()); err != nil && !errors.Is(err, callkit.ErrNotFound) {
		addWriteError(&resp.Diagnostics, "Unable to Delete Callback Configuration", err,
			"Run the destroy (or apply) again: its refresh finds whether the configuration is still there, and deletes it only if it is.")
	}
}

// ImportState accepts "<SDKAppID>" (v1) or "v4:<SDKAppID>" (v4). The SDKAppID
// must be the provider's: the provider can only reach its own application.
func (r *callbackResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.client == nil {
		resp.Diagnostics.AddError("Provider Not Configured",
			"The tencentcallkit provider must be configured before a callback configuration can be imported. This is a bug in the provider; please report it.")
		return
	}
	own := r.client.SDKAppID()
	if req.ID == "" && req.Identity != nil && !req.Identity.Raw.IsNull() {
		r.importByIdentity(ctx, req, resp)
		return
	}
	expected := fmt.Sprintf("%q (v1) or %q (v4)", callbackID(own, callkit.V1), callbackID(own, callkit.V4))

	v, raw := callkit.V1, req.ID
	if rest, ok := strings.CutPrefix(req.ID, v4IDPrefix); ok {
		v, raw = callkit.V4, rest
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 || raw != strconv.FormatInt(id, 10) {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import ID must be the SDKAppID, optionally prefixed with \"v4:\" for the v4 configuration: expected %s, got %q.", expected, req.ID))
		return
	}
	if id != own {
		resp.Diagnostics.AddError("Import ID Names Another Application",
			fmt.Sprintf("The import ID %q names SDKAppID %d, but the provider is configured for SDKAppID %d and can only import that application's configuration: expected %s. "+
				"To import another application's configuration, use a provider configured with its sdk_app_id and secret_key.", req.ID, id, own, expected))
		return
	}
	r.importAs(ctx, v, resp)
}

// importAs writes the imported configuration's ID, API generation and
// identity; Read fills in the rest.
func (r *callbackResource) importAs(ctx context.Context, v callkit.APIVersion, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), callbackID(r.client.SDKAppID(), v))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("api_version"), string(v))...)
	r.setIdentity(ctx, v, resp.Identity, &resp.Diagnostics)
}

// callbackIdentityModel is the resource identity: which application, and
// which API generation's configuration (an application has one of each).
type callbackIdentityModel struct {
	SDKAppID   types.Int64  `tfsdk:"sdk_app_id"`
	APIVersion types.String `tfsdk:"api_version"`
}

func callbackIdentityFor(sdkAppID int64, v callkit.APIVersion) callbackIdentityModel {
	return callbackIdentityModel{SDKAppID: types.Int64Value(sdkAppID), APIVersion: types.StringValue(string(v))}
}

func (r *callbackResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"sdk_app_id": identityschema.Int64Attribute{
				Description:       "The SDKAppID of the application whose callback configuration this is: the provider's sdk_app_id (the default when unset on import).",
				OptionalForImport: true,
			},
			"api_version": identityschema.StringAttribute{
				Description:       `The API generation of the configuration: "v1" (the default when unset) or "v4".`,
				OptionalForImport: true,
			},
		},
	}
}

// setIdentity sets the identity of the provider's application's
// configuration of generation v. identity is nil only for a resource
// without an identity schema; engines without identity support still get a
// value, which they ignore.
func (r *callbackResource) setIdentity(ctx context.Context, v callkit.APIVersion, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	if identity == nil || r.client == nil {
		return
	}
	diags.Append(identity.Set(ctx, callbackIdentityFor(r.client.SDKAppID(), v))...)
}

// setIdentityWithState is setIdentity for Create and Update, deferred so
// that every way out that leaves an object in state also leaves its
// identity; a response without state carries none.
func (r *callbackResource) setIdentityWithState(ctx context.Context, v callkit.APIVersion, state *tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	if state.Raw.IsNull() {
		return
	}
	r.setIdentity(ctx, v, identity, diags)
}

// importByIdentity serves an import {} block with an identity (Terraform and
// OpenTofu 1.12 and later): sdk_app_id the provider's (also when unset, as
// the AWS provider treats region), api_version "v1" (also when unset) or "v4".
func (r *callbackResource) importByIdentity(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var id callbackIdentityModel
	resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	own := r.client.SDKAppID()
	v := callkit.V1
	switch s := id.APIVersion.ValueString(); {
	case id.APIVersion.IsNull() || s == string(callkit.V1):
	case s == string(callkit.V4):
		v = callkit.V4
	default:
		resp.Diagnostics.AddError("Invalid Import Identity",
			fmt.Sprintf("The identity's api_version must be %q or %q (unset means %q), got %q.", callkit.V1, callkit.V4, callkit.V1, s))
		return
	}
	if !id.SDKAppID.IsNull() && id.SDKAppID.ValueInt64() != own {
		resp.Diagnostics.AddError("Import Identity Names Another Application",
			fmt.Sprintf("The import identity has sdk_app_id = %d, but the provider is configured for SDKAppID %d and can only import that application's configuration: "+
				"expected identity = { sdk_app_id = %d } (v1) or { sdk_app_id = %d, api_version = \"v4\" } (v4), or leave sdk_app_id out for the provider's. "+
				"To import another application's configuration, use a provider configured with its sdk_app_id and secret_key.", id.SDKAppID.ValueInt64(), own, own, own))
		return
	}
	r.importAs(ctx, v, resp)
}
