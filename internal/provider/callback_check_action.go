package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

var (
	_ action.Action                   = (*callbackCheckAction)(nil)
	_ action.ActionWithConfigure      = (*callbackCheckAction)(nil)
	_ action.ActionWithValidateConfig = (*callbackCheckAction)(nil)
)

// The service's own delivery timeouts (callkit-api.md §1, §7): a receiver
// slower than these loses real deliveries, so they are the defaults.
const (
	v1DeliveryTimeout = 3 * time.Second
	v4DeliveryTimeout = 2 * time.Second
	maxSampleTimeout  = time.Minute
)

// NewCallbackCheckAction returns the tencentcallkit_callback_check action.
func NewCallbackCheckAction() action.Action {
	return &callbackCheckAction{}
}

// callbackCheckAction sends sample deliveries to a callback receiver and
// fails unless it acknowledges them. It changes nothing on the service.
type callbackCheckAction struct {
	client *callkit.Client
	http   *http.Client
}

type callbackCheckModel struct {
	APIVersion    types.String `tfsdk:"api_version"`
	Address       types.String `tfsdk:"address"`
	Actions       types.Set    `tfsdk:"actions"`
	Timeout       types.String `tfsdk:"timeout"`
	CheckSDKAppID types.Bool   `tfsdk:"check_sdk_app_id"`
}

func (m callbackCheckModel) apiVersion() callkit.APIVersion {
	if m.APIVersion.ValueString() == string(callkit.V4) {
		return callkit.V4
	}
	return callkit.V1
}

func (a *callbackCheckAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_callback_check"
}

func (a *callbackCheckAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Proves that a callback receiver works: sends it sample deliveries exactly as TUICallKit would " +
			"(the `v1` or `v4` query parameters and body), one per command word, one at a time, and fails unless the receiver acknowledges each " +
			"(HTTP 2xx and `ErrorCode` 0; `v4` also `ActionStatus` `\"OK\"`). One attempt per sample, no retry. " +
			"It changes nothing on the service and stores nothing in the state. Needs Terraform 1.14 or later." + troubleshootingLink,
		Attributes: map[string]schema.Attribute{
			"api_version": schema.StringAttribute{
				MarkdownDescription: "The delivery generation to imitate: `v1` (lowercase query parameters, times in seconds) or `v4` " +
					"(`SdkAppid`, `CallbackCommand`, `EventTime` in milliseconds). Defaults to `v1`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(string(callkit.V1), string(callkit.V4))},
			},
			"address": schema.StringAttribute{
				MarkdownDescription: "Where to send the samples: an absolute `http://` or `https://` URL (TLS certificates are verified). " +
					"Its own query string is kept and the delivery's parameters follow it. Unset: the address of the app's configuration of " +
					"`api_version`, read from the service (an app without one is an error).",
				Optional:   true,
				Validators: []validator.String{callbackAddressValidator{}},
			},
			"actions": schema.SetAttribute{
				MarkdownDescription: "The command words to send, one sample each, from the `api_version`'s list (the `actions` of `tencentcallkit_callback`). " +
					"Unset: every word of the configuration read from the service, or `normal_end` (`v1`) / `Call.CallbackAfterEndCall` (`v4`) when `address` is set.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  []validator.Set{setvalidator.SizeAtLeast(1)},
			},
			"timeout": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("How long each sample may take, connection to complete answer, as a Go duration such as `\"3s\"`, at most %s. "+
					"Defaults to the service's own: `3s` for `v1`, `2s` for `v4`.", maxSampleTimeout),
				Optional:   true,
				Validators: []validator.String{sampleTimeoutValidator},
			},
			"check_sdk_app_id": schema.BoolAttribute{
				MarkdownDescription: "Also send one sample whose `sdkappid` (`v4`: `SdkAppid`) is the app's SDKAppID plus one, and fail unless the receiver " +
					"refuses it, as the service's docs require receivers to. A refusal is a non-zero `ErrorCode` or an HTTP 4xx; a timeout, a network " +
					"error or an HTTP 5xx proves nothing and fails the check. Defaults to `false`.",
				Optional: true,
			},
		},
	}
}

func (a *callbackCheckAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	if client := callKitClientFrom(req.ProviderData, &resp.Diagnostics); client != nil {
		a.client = client
	}
	a.http = newCheckHTTPClient()
}

// ValidateConfig checks the words against api_version's vocabulary, as
// tencentcallkit_callback does; unknown values wait for Invoke.
func (a *callbackCheckAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var cfg callbackCheckModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || cfg.APIVersion.IsUnknown() || cfg.Actions.IsNull() || cfg.Actions.IsUnknown() {
		return
	}
	if v := cfg.APIVersion.ValueString(); !cfg.APIVersion.IsNull() && v != string(callkit.V1) && v != string(callkit.V4) {
		return // the attribute's own validator reports it
	}
	validateActions(cfg.apiVersion(), cfg.Actions, &resp.Diagnostics)
}

// checkPlan is what Invoke sends: resolved from the configuration and,
// when address is unset, from the service.
type checkPlan struct {
	version  callkit.APIVersion
	address  string
	words    []string
	timeout  time.Duration
	foreign  bool
	sdkAppID int64
}

func (a *callbackCheckAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	if a.client == nil {
		resp.Diagnostics.AddError("Provider Not Configured",
			"The callback check needs the provider's sdk_app_id and secret_key: the samples carry the app's SDKAppID, and without address it reads the app's configuration.")
		return
	}
	var cfg callbackCheckModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan, diags := a.plan(ctx, cfg)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	forwarder := forwardProgress(ctx, resp.SendProgress)
	defer forwarder.close()
	progress := forwarder.send
	n := len(plan.words)
	if plan.foreign {
		n++
	}
	noun := "sample deliveries"
	if n == 1 {
		noun = "sample delivery"
	}
	progress(fmt.Sprintf("Sending %d %s (%s) to %s, one at a time, %s each at most", n, noun, plan.version, shownAddress(plan.address), plan.timeout))
	answered := 0
	for _, s := range plan.samples(time.Now()) {
		if ctx.Err() != nil {
			break
		}
		a.check(ctx, plan, s, progress, &resp.Diagnostics)
		if ctx.Err() == nil {
			answered++
		}
	}
	if ctx.Err() != nil {
		resp.Diagnostics.AddError("Callback Check Cancelled",
			fmt.Sprintf("The check was cancelled with %d of %d sample deliveries done; the receiver is not proven.", answered, n))
	}
}

// plan resolves the address, the words and the timeout.
func (a *callbackCheckAction) plan(ctx context.Context, cfg callbackCheckModel) (checkPlan, diag.Diagnostics) {
	var diags diag.Diagnostics
	p := checkPlan{version: cfg.apiVersion(), foreign: cfg.CheckSDKAppID.ValueBool(), sdkAppID: a.client.SDKAppID()}
	p.timeout = v1DeliveryTimeout
	if p.version == callkit.V4 {
		p.timeout = v4DeliveryTimeout
	}
	if !cfg.Timeout.IsNull() {
		d, msg := parseSampleTimeout(cfg.Timeout.ValueString())
		if msg != "" {
			diags.AddAttributeError(pathTimeout, "Invalid Timeout", "Attribute timeout "+msg)
			return p, diags
		}
		p.timeout = d
	}
	if !cfg.Actions.IsNull() {
		validateActions(p.version, cfg.Actions, &diags)
		diags.Append(cfg.Actions.ElementsAs(ctx, &p.words, false)...)
	}
	if diags.HasError() {
		return p, diags
	}
	if !cfg.Address.IsNull() {
		p.address = cfg.Address.ValueString()
		if len(p.words) == 0 {
			p.words = []string{defaultCheckWord(p.version)}
		}
	} else if !a.readConfiguration(ctx, &p, &diags) {
		return p, diags
	}
	p.words = inVocabularyOrder(p.version, p.words)
	return p, diags
}

func defaultCheckWord(v callkit.APIVersion) string {
	if v == callkit.V4 {
		return "Call.CallbackAfterEndCall"
	}
	return "normal_end"
}

// readConfiguration fills the address (and, unless given, the words) from
// the app's configuration of p.version.
func (a *callbackCheckAction) readConfiguration(ctx context.Context, p *checkPlan, diags *diag.Diagnostics) bool {
	get, endpoint := a.client.GetCallback, "v1/callback/get"
	if p.version == callkit.V4 {
		get, endpoint = a.client.GetCallbackV4, "v4/call_config/get_callback"
	}
	cb, err := get(ctx)
	switch {
	case errors.Is(err, callkit.ErrNotFound):
		diags.AddError("No Callback Configuration",
			fmt.Sprintf("address is not set, so the check sends to the address of the app's %s callback configuration, but SDKAppID %d has none (%s). "+
				"Set address, or create the configuration first (tencentcallkit_callback with api_version = %q).", p.version, p.sdkAppID, endpoint, p.version))
		return false
	case err != nil:
		diags.AddError("Unable to Read Callback Configuration", fmt.Sprintf("address is not set and the %s configuration could not be read: %s", p.version, err))
		return false
	}
	// The service's own check of an address is looser than the resource's:
	// credentials in it would reach every message, and a #fragment would
	// swallow the delivery's query string.
	if problem := callbackAddressProblem(cb.Address); problem != "" {
		diags.AddError("Invalid Callback Address",
			fmt.Sprintf("address is not set, so the check sends to the address of the app's %s callback configuration, %s, but it cannot be used: %s. "+
				"Correct it with tencentcallkit_callback (api_version = %q), or set address.", p.version, quoteForMessage(shownAddress(cb.Address)), problem, p.version))
		return false
	}
	p.address = cb.Address
	if len(p.words) == 0 {
		p.words = knownWords(p.version, cb.Actions, diags)
	}
	if len(p.words) == 0 {
		p.words = []string{defaultCheckWord(p.version)}
	}
	return true
}

// knownWords are the words of a configuration read from the service that
// this provider knows the delivery shape of; the others get a warning, since
// a sample of a guessed shape would prove nothing.
func knownWords(v callkit.APIVersion, words []string, diags *diag.Diagnostics) []string {
	vocab := vocabulary(v)
	var known, unknown []string
	for _, w := range words {
		if slices.Contains(vocab, w) {
			known = append(known, w)
		} else {
			unknown = append(unknown, w)
		}
	}
	if len(unknown) > 0 {
		diags.AddWarning("Callback Words Not Checked",
			fmt.Sprintf("The app's %s configuration subscribes to %s, which this provider does not know the delivery shape of: no sample was sent for them.", v, quotedList(unknown)))
	}
	return known
}

func vocabulary(v callkit.APIVersion) []string {
	if v == callkit.V4 {
		return callkit.V4Commands
	}
	return callkit.V1Actions
}

// inVocabularyOrder sorts words as the documentation lists them, so samples
// go out in the same order on every run.
func inVocabularyOrder(v callkit.APIVersion, words []string) []string {
	vocab := vocabulary(v)
	out := slices.Clone(words)
	slices.SortStableFunc(out, func(x, y string) int { return slices.Index(vocab, x) - slices.Index(vocab, y) })
	return slices.Compact(out)
}

// samples are one per word, then the foreign app's (the first word's sample
// addressed to SDKAppID + 1).
func (p checkPlan) samples(now time.Time) []sample {
	out := make([]sample, 0, len(p.words)+1)
	for _, w := range p.words {
		out = append(out, buildSample(p.version, w, p.sdkAppID, now))
	}
	if p.foreign {
		s := buildSample(p.version, p.words[0], p.sdkAppID+1, now)
		s.foreign = true
		out = append(out, s)
	}
	return out
}

// check sends one sample and reports it: a progress message always, an
// error when it failed.
func (a *callbackCheckAction) check(ctx context.Context, p checkPlan, s sample, progress func(string), diags *diag.Diagnostics) {
	o := send(ctx, a.http, p.address, s, p.timeout)
	address := shownAddress(p.address)
	ms := o.elapsed.Milliseconds()
	v4 := p.version == callkit.V4
	tflog.Debug(ctx, "Callback check sample", map[string]any{
		"command": s.word, "address": address, "foreign_app": s.foreign, "http_status": o.status, "elapsed_ms": ms, "outcome": o.summary(),
	})
	label := s.word
	if s.foreign {
		label = fmt.Sprintf("%s for SDKAppID %d (another app's)", s.word, p.sdkAppID+1)
	}
	switch {
	case o.status == 0 && ctx.Err() != nil:
		// Cancelled, whatever the sample: Invoke reports it once.
		progress(fmt.Sprintf("%s: cancelled after %d ms", label, ms))
	case !s.foreign && o.acknowledged(v4):
		progress(fmt.Sprintf("%s: acknowledged (ErrorCode 0) in %d ms", label, ms))
	case s.foreign && o.refused():
		progress(fmt.Sprintf("%s: refused as it should be (%s) in %d ms", label, o.summary(), ms))
	case s.foreign:
		progress(fmt.Sprintf("%s: FAILED, not refused (%s) in %d ms", label, o.summary(), ms))
		diags.AddError("Callback Receiver Accepts Another App's Deliveries", foreignFailure(p, address, o))
	case o.unreached:
		progress(fmt.Sprintf("%s: FAILED (%s) in %d ms", label, o.summary(), ms))
		diags.AddError("Callback Receiver Did Not Answer",
			fmt.Sprintf("The %s sample delivery of command %q to %s got no answer: %s. Is the receiver running, and reachable from where Terraform runs "+
				"(this machine, or the CI runner that applies)? The check dialled %s.", p.version, s.word, address, o.summary(), dialled(p.address)))
	default:
		progress(fmt.Sprintf("%s: FAILED (%s) in %d ms", label, o.summary(), ms))
		diags.AddError("Callback Receiver Did Not Acknowledge",
			fmt.Sprintf("The %s sample delivery of command %q to %s was not acknowledged: %s. A receiver acknowledges with HTTP 2xx and %s.",
				p.version, s.word, address, o.summary(), ackShape(v4)))
	}
}

func foreignFailure(p checkPlan, address string, o outcome) string {
	param := "sdkappid"
	if p.version == callkit.V4 {
		param = "SdkAppid"
	}
	verdict := "accepted it"
	if !o.acknowledged(p.version == callkit.V4) {
		verdict = "gave no definite answer, which proves nothing"
	}
	return fmt.Sprintf("The %s sample delivery of command %q to %s carried %s=%d, not this app's %d, and the receiver %s: %s. "+
		"Receivers must check %s and refuse another app's deliveries with a non-zero ErrorCode or an HTTP 4xx.",
		p.version, p.words[0], address, param, p.sdkAppID+1, p.sdkAppID, verdict, o.summary(), param)
}

func ackShape(v4 bool) string {
	if v4 {
		return `{"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0}`
	}
	return `{"ErrorCode": 0, "ErrorMessage": "Success"}`
}

var pathTimeout = path.Root("timeout")

// sampleTimeoutValidator: a positive duration of at most maxSampleTimeout.
var sampleTimeoutValidator = durationValidator{"Invalid Timeout",
	fmt.Sprintf("value must be a duration such as \"3s\", more than 0 and at most %s", maxSampleTimeout), parseSampleTimeout}

// parseSampleTimeout returns the duration, or what is wrong with raw as a
// sentence tail.
func parseSampleTimeout(raw string) (time.Duration, string) {
	d, err := time.ParseDuration(strings.TrimSpace(raw))
	switch {
	case err != nil:
		return 0, fmt.Sprintf("must be a Go duration such as \"3s\" or \"500ms\", got %s.", quoteForMessage(raw))
	case d <= 0 || d > maxSampleTimeout:
		return 0, fmt.Sprintf("must be more than 0 and at most %s, got %s.", maxSampleTimeout, quoteForMessage(raw))
	}
	return d, ""
}
