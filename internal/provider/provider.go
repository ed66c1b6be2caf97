// Package provider implements the tencentcallkit Terraform provider on the
// terraform-plugin-framework.
package provider

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/endpoint"
)

// Environment variables read when the matching attribute is not set.
const (
	envSDKAppID       = "TENCENTCALLKIT_SDK_APP_ID"
	envSecretKey      = "TENCENTCALLKIT_SECRET_KEY"
	envIdentifier     = "TENCENTCALLKIT_IDENTIFIER"
	envRegion         = "TENCENTCALLKIT_REGION"
	envEndpoint       = "TENCENTCALLKIT_ENDPOINT"
	envRequestTimeout = "TENCENTCALLKIT_REQUEST_TIMEOUT"
	envMaxRetries     = "TENCENTCALLKIT_MAX_RETRIES"
	envCloudSecretID  = "TENCENTCLOUD_SECRET_ID"
	envCloudSecretKey = "TENCENTCLOUD_SECRET_KEY"
	envCCCEndpoint    = "TENCENTCALLKIT_CCC_ENDPOINT"
)

// troubleshootingLink ends the description of every page: the error codes
// and their fixes are in one guide. The path is relative to a page under docs/.
const troubleshootingLink = "\n\nErrors and their fixes: [Troubleshooting](../guides/troubleshooting)."

var (
	_ provider.Provider                       = (*tencentCallKitProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*tencentCallKitProvider)(nil)
	_ provider.ProviderWithListResources      = (*tencentCallKitProvider)(nil)
	_ provider.ProviderWithActions            = (*tencentCallKitProvider)(nil)
)

// tencentCallKitProvider holds its version and, once configured, the
// providerData that Configure hands to resources: everything built from the
// configuration lives there.
type tencentCallKitProvider struct {
	version string
	// configured is what the last successful Configure handed out. Only the
	// protocol-level read of server.go reads it; resources and data sources
	// get the same value through the framework's Configure requests.
	configured atomic.Pointer[providerData]
}

// New returns the provider factory: the provider as the framework sees it.
// NewProtocol6Server (server.go) serves it as main.go runs it; tests that
// need the framework's behaviour alone serve it with providerserver.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &tencentCallKitProvider{version: version}
	}
}

// providerData is what Configure hands to every resource, data source and
// ephemeral resource: one API client per provider instance, shared by all.
type providerData struct {
	Client *callkit.Client
	CCC    cccSettings
	// cccClient is built from CCC on first use by a CCC data source (ccc_client.go).
	cccClient *lazyCCCClient
	// callKitMissing holds the missing-credential errors when the provider has
	// only Tencent Cloud keys (Client is then nil); callKitMissingNote says
	// where those keys came from, for the errors' detail.
	callKitMissing     diag.Diagnostics
	callKitMissingNote string
}

// cccSettings are the Cloud Contact Center credentials, used only by
// tencentcallkit_tel_cdrs. SecretKey is a secret: never log or print it.
type cccSettings struct {
	SecretID  string
	SecretKey string
	// Endpoint replaces ccc.tencentcloudapi.com when set; already checked by
	// the same loopback-only-http rule as endpoint.
	Endpoint string
}

// callKitClientFrom is providerDataFrom for the resources and data sources
// that need the CallKit client: when the provider was configured for Cloud
// Contact Center only, it reports the missing sdk_app_id / secret_key.
func callKitClientFrom(raw any, diags *diag.Diagnostics) *callkit.Client {
	pd := providerDataFrom(raw, diags)
	if pd == nil {
		return nil
	}
	if pd.Client == nil {
		// The originals point at provider attributes; here they are the
		// configuration's problem, not this resource's.
		for _, d := range pd.callKitMissing {
			diags.AddError(d.Summary(), d.Detail()+" "+pd.callKitMissingNote)
		}
		return nil
	}
	return pd.Client
}

// providerDataFrom converts the ProviderData of a Configure request. It
// returns nil without a diagnostic when the provider is not configured yet
// (Terraform calls Configure on resources before the provider's own Configure
// during validation), and nil with an error for a wrong type.
func providerDataFrom(raw any, diags *diag.Diagnostics) *providerData {
	if raw == nil {
		return nil
	}
	pd, ok := raw.(*providerData)
	if !ok || pd == nil {
		diags.AddError(
			"Unexpected Provider Data Type",
			fmt.Sprintf("Expected *provider.providerData with a configured client, got %T. This is a bug in the provider; please report it.", raw),
		)
		return nil
	}
	return pd
}

func (p *tencentCallKitProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "tencentcallkit"
	resp.Version = p.version
}

// setting is one provider attribute, described once: the schema, the
// environment fallback, the unknown-value check and the error texts are all
// derived from settings.
type setting struct {
	name string
	env  string // used when the attribute is unset
	// number: an int64 attribute; otherwise a string.
	number    bool
	sensitive bool
	// intro and after surround the description's environment-variable
	// sentence; def, when set, ends it as "Defaults to `def`.".
	intro, after string
	def          string
	// invalid is the summary of the error for a bad value.
	invalid string
	// check refuses a bad environment value (the attribute has validators):
	// a sentence tail such as `must be ..., got "x".`, or "".
	check            func(raw string) string
	stringValidators []validator.String
	int64Validators  []validator.Int64
}

const cccOnlyNote = "Required from one of the two, unless the provider is used only for `tencentcallkit_tel_cdrs` (Cloud Contact Center)."

// settings are the provider's attributes, in the order of the docs.
var settings = []setting{
	{
		name: "sdk_app_id", env: envSDKAppID, number: true,
		intro: "The application's SDKAppID, e.g. `1400000000`.", after: cccOnlyNote,
		invalid: "Invalid SDKAppID",
		check: func(raw string) string {
			if id, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64); err != nil || id <= 0 {
				return fmt.Sprintf("must be a positive integer SDKAppID such as 1400000000, got %q.", raw)
			}
			return ""
		},
		int64Validators: []validator.Int64{int64validator.AtLeast(1)},
	},
	{
		name: "secret_key", env: envSecretKey, sensitive: true,
		intro:            "The application's secret key, used to sign the administrator's UserSig for every request. It is never logged nor stored in state.",
		after:            cccOnlyNote,
		stringValidators: []validator.String{stringvalidator.LengthAtLeast(1)},
	},
	{
		name: "identifier", env: envIdentifier, def: callkit.DefaultIdentifier,
		intro:            "The app administrator account the requests are made as.",
		stringValidators: []validator.String{stringvalidator.LengthAtLeast(1)},
	},
	{
		name: "region", env: envRegion, def: callkit.DefaultRegion,
		intro:            "Where the application lives; picks the API domains. One of " + markdownList(callkit.Regions()) + ".",
		invalid:          "Invalid Region",
		check:            func(raw string) string { return oneOfProblem(callkit.Regions(), raw) },
		stringValidators: []validator.String{oneOfValidator{summary: "Invalid Region", values: callkit.Regions()}},
	},
	{
		name: "endpoint", env: envEndpoint,
		intro: "A base URL that replaces the region's domains for every API family, e.g. a proxy or the mock backend (`http://127.0.0.1:8080`). " +
			"It must be `https://`; `http://` is accepted only for loopback hosts.",
		invalid:          "Invalid Endpoint",
		check:            checkEndpoint,
		stringValidators: []validator.String{endpointValidator{}},
	},
	{
		name: "request_timeout", env: envRequestTimeout, def: callkit.DefaultTimeout.String(),
		intro:   "How long one HTTP attempt may take, as a duration such as `10s` or `1m`. It must exceed the service's own 3 s timeout.",
		invalid: "Invalid Request Timeout",
		check: func(raw string) string {
			_, msg := parseRequestTimeout(raw)
			return msg
		},
		stringValidators: []validator.String{requestTimeoutValidator},
	},
	{
		name: "max_retries", env: envMaxRetries, number: true, def: strconv.Itoa(callkit.DefaultMaxRetries),
		intro: "How many times a retryable failure (rate limit, internal error, HTTP 5xx, network error) is retried, with exponential backoff. `0` disables retries. " +
			"A request of an all-pages read (`tencentcallkit_call_records`, `tencentcallkit_call_stats`, `tencentcallkit_tel_cdrs`, the export action) is retried past this " +
			"while the read keeps succeeding elsewhere, and fails with its last error once 60 seconds pass with no request of the read succeeding; a single request keeps this budget.",
		invalid: "Invalid Max Retries",
		check: func(raw string) string {
			if n, err := strconv.Atoi(strings.TrimSpace(raw)); err != nil || n < 0 {
				return fmt.Sprintf("must be a whole number of retries, 0 or more, got %q.", raw)
			}
			return ""
		},
		int64Validators: []validator.Int64{int64validator.AtLeast(0)},
	},
	{
		name: "tencentcloud_secret_id", env: envCloudSecretID,
		intro: "Tencent Cloud API 3.0 SecretId for Cloud Contact Center (only `tencentcallkit_tel_cdrs` needs it).",
		after: "It is the ID half of an API key of the Tencent Cloud account that owns the Cloud Contact Center application, " +
			"from the Tencent Cloud console under Access Management (CAM) > API Keys (or a CAM sub-user's key allowed to call `ccc:DescribeTelCdr`). " +
			"It is not the TUICallKit `sdk_app_id` or `secret_key`.",
	},
	{
		name: "tencentcloud_secret_key", env: envCloudSecretKey, sensitive: true,
		intro: "Tencent Cloud API 3.0 SecretKey for Cloud Contact Center (only `tencentcallkit_tel_cdrs` needs it): the other half of the " +
			"`tencentcloud_secret_id` key pair. Never logged nor stored in state.",
	},
	{
		name: "ccc_endpoint", env: envCCCEndpoint,
		intro:            "A base URL that replaces `ccc.tencentcloudapi.com` for Cloud Contact Center requests. Same rule as `endpoint`: `https://`, or `http://` on a loopback host.",
		invalid:          "Invalid Endpoint",
		check:            checkEndpoint,
		stringValidators: []validator.String{endpointValidator{}},
	},
}

func (s setting) description() string {
	d := s.intro + " May also be set with the `" + s.env + "` environment variable."
	if s.after != "" {
		d += " " + s.after
	}
	if s.def != "" {
		d += " Defaults to `" + s.def + "`."
	}
	return d
}

func (s setting) attribute() schema.Attribute {
	if s.number {
		return schema.Int64Attribute{MarkdownDescription: s.description(), Optional: true, Sensitive: s.sensitive, Validators: s.int64Validators}
	}
	return schema.StringAttribute{MarkdownDescription: s.description(), Optional: true, Sensitive: s.sensitive, Validators: s.stringValidators}
}

func (s setting) path() path.Path { return path.Root(s.name) }

// settingValue is one setting as Configure resolves it: the attribute's
// value if set, else the environment variable's.
type settingValue struct {
	raw     string // "" when neither is set
	fromEnv bool
	unknown bool
}

// resolveSettings reads every setting from the configuration, falling back
// to the environment, and checks the values that came from the environment.
// It reads each attribute by path, so any of them may be unknown.
func resolveSettings(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) map[string]settingValue {
	out := make(map[string]settingValue, len(settings))
	for _, s := range settings {
		var v attr.Value
		raw := ""
		if s.number {
			var n types.Int64
			diags.Append(config.GetAttribute(ctx, s.path(), &n)...)
			v, raw = n, strconv.FormatInt(n.ValueInt64(), 10)
		} else {
			var str types.String
			diags.Append(config.GetAttribute(ctx, s.path(), &str)...)
			v, raw = str, str.ValueString()
		}
		switch {
		case v.IsUnknown():
			out[s.name] = settingValue{unknown: true}
		case !v.IsNull():
			out[s.name] = settingValue{raw: raw}
		default:
			raw = os.Getenv(s.env)
			out[s.name] = settingValue{raw: raw, fromEnv: true}
			if raw != "" && s.check != nil {
				if msg := s.check(raw); msg != "" {
					diags.AddAttributeError(s.path(), s.invalid, source(s, true)+" "+msg)
				}
			}
		}
	}
	return out
}

func (p *tencentCallKitProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	attrs := make(map[string]schema.Attribute, len(settings))
	for _, s := range settings {
		attrs[s.name] = s.attribute()
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The TencentCallKit provider manages a [TUICallKit](https://trtc.io/document/50991) application's server-side settings " +
			"(the callback configuration) and reads its call records through the TUICallKit server APIs.",
		Attributes: attrs,
	}
}

func (p *tencentCallKitProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	vals := resolveSettings(ctx, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || deferOrRefuseUnknown(vals, req, resp) {
		return
	}

	// Every value below was checked: by the attribute's validators, or by
	// resolveSettings when it came from the environment.
	ckCfg := callKitConfig(vals)
	missing := missingCallKitCredentials(vals, ckCfg)
	ccc := cccSettings{
		SecretID:  vals["tencentcloud_secret_id"].raw,
		SecretKey: vals["tencentcloud_secret_key"].raw,
		Endpoint:  vals["ccc_endpoint"].raw,
	}
	// Either Tencent Cloud credential says the configuration is meant for
	// Cloud Contact Center: then a missing one is reported by the CCC data
	// source, naming it, rather than the CallKit credentials nobody set.
	if missing.HasError() && ccc.SecretID == "" && ccc.SecretKey == "" {
		resp.Diagnostics.Append(missing...)
		return
	}

	ckCfg.UserAgent = userAgent(p.version, req.TerraformVersion)
	ckCfg.Logger = newTFLogLogger(ckCfg.SecretKey, ccc.SecretKey)
	ctx = maskSecrets(ctx, ckCfg.SecretKey, ccc.SecretKey)
	tflog.Debug(ctx, "Creating TencentCallKit API client", map[string]any{
		"sdk_app_id":      ckCfg.SDKAppID,
		"identifier":      ckCfg.Identifier,
		"region":          ckCfg.Region,
		"endpoint":        ckCfg.Endpoint,
		"request_timeout": ckCfg.Timeout.String(),
		"max_retries":     ckCfg.MaxRetries,
	})

	pd := &providerData{CCC: ccc, cccClient: newLazyCCCClient(ccc, ckCfg.Logger, ckCfg.Timeout, ckCfg.MaxRetries),
		callKitMissing: missing, callKitMissingNote: tencentCloudKeysNote(vals)}
	if !missing.HasError() {
		client, err := callkit.New(ckCfg)
		if err != nil {
			resp.Diagnostics.AddError("Unable to Create TencentCallKit API Client",
				fmt.Sprintf("The provider configuration was not accepted: %s.", redact(err.Error(), ckCfg.SecretKey, ccc.SecretKey)))
			return
		}
		pd.Client = client
	}
	resp.DataSourceData = pd
	resp.ResourceData = pd
	resp.EphemeralResourceData = pd
	resp.ListResourceData = pd
	resp.ActionData = pd
	p.configured.Store(pd)
}

// deferOrRefuseUnknown handles settings only known after apply (e.g. read
// from another resource), which cannot build a client now: Terraform versions
// that support deferred actions plan around them; older ones get an error per
// attribute. It reports whether Configure must stop.
func deferOrRefuseUnknown(vals map[string]settingValue, req provider.ConfigureRequest, resp *provider.ConfigureResponse) bool {
	var unknown []setting
	for _, s := range settings {
		if vals[s.name].unknown {
			unknown = append(unknown, s)
		}
	}
	if len(unknown) > 0 && req.ClientCapabilities.DeferralAllowed {
		resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
		return true
	}
	for _, s := range unknown {
		resp.Diagnostics.AddAttributeError(s.path(), "Unknown Provider Configuration Value",
			fmt.Sprintf("The provider cannot create the TencentCallKit API client because %s is not known until apply. "+
				"Set %s to a value known at plan time, or leave it unset and use the %s environment variable.", s.name, s.name, s.env))
	}
	return resp.Diagnostics.HasError()
}

// walkProgressWindow is how long a walk's requests are retried past
// max_retries with no success of the walk; 0 → the clients' default, 60 s.
// Only the provider's tests shorten it, so that a service that answers
// nothing but failures fails their reads in seconds.
var walkProgressWindow time.Duration

// callKitConfig is the CallKit client's configuration from the resolved
// settings, defaults filled in.
func callKitConfig(vals map[string]settingValue) callkit.Config {
	cfg := callkit.Config{
		Identifier: cmp.Or(vals["identifier"].raw, callkit.DefaultIdentifier),
		Region:     cmp.Or(vals["region"].raw, callkit.DefaultRegion),
		Endpoint:   vals["endpoint"].raw,
		SecretKey:  vals["secret_key"].raw,
		Timeout:    callkit.DefaultTimeout,
		MaxRetries: callkit.DefaultMaxRetries,
		// A walk's requests are retried past max_retries while it progresses.
		ProgressWindow: walkProgressWindow,
	}
	if raw := vals["request_timeout"].raw; raw != "" {
		cfg.Timeout, _ = parseRequestTimeout(raw)
	}
	if raw := vals["max_retries"].raw; raw != "" {
		cfg.MaxRetries, _ = strconv.Atoi(strings.TrimSpace(raw))
	}
	if raw := vals["sdk_app_id"].raw; raw != "" {
		cfg.SDKAppID, _ = strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	}
	return cfg
}

// missingCallKitCredentials names a missing SDKAppID or secret key. It is
// fatal unless the configuration is for Cloud Contact Center only: then the
// error waits for the first CallKit resource or data source that needs the
// client.
func missingCallKitCredentials(vals map[string]settingValue, cfg callkit.Config) diag.Diagnostics {
	var missing diag.Diagnostics
	if vals["sdk_app_id"].raw == "" {
		missing.AddAttributeError(path.Root("sdk_app_id"), "Missing SDKAppID",
			fmt.Sprintf("The provider needs the application's SDKAppID. Set sdk_app_id in the provider configuration or the %s environment variable.", envSDKAppID))
	}
	if cfg.SecretKey == "" {
		missing.AddAttributeError(path.Root("secret_key"), "Missing Secret Key",
			fmt.Sprintf("The provider needs the application's secret key to sign UserSigs. Set secret_key in the provider configuration or the %s environment variable.", envSecretKey))
	}
	return missing
}

// tencentCloudKeysNote ends the missing-CallKit-credential errors of a
// provider that has only Tencent Cloud keys: it says where they came from
// (people who also use the tencentcloud provider often export them, so the
// provider block itself may set nothing) and what they are good for.
func tencentCloudKeysNote(vals map[string]settingValue) string {
	var fromEnv, fromConfig []string
	for _, k := range []struct{ name, env string }{
		{"tencentcloud_secret_id", envCloudSecretID}, {"tencentcloud_secret_key", envCloudSecretKey},
	} {
		switch v := vals[k.name]; {
		case v.raw == "":
		case v.fromEnv:
			fromEnv = append(fromEnv, k.env)
		default:
			fromConfig = append(fromConfig, k.name)
		}
	}
	var where []string
	if len(fromConfig) > 0 {
		where = append(where, "this provider block sets "+strings.Join(fromConfig, " and "))
	}
	if len(fromEnv) > 0 {
		where = append(where, "the "+strings.Join(fromEnv, " and ")+" environment "+plural(len(fromEnv), "variable", "variables")+" "+
			plural(len(fromEnv), "is", "are")+" set")
	}
	return fmt.Sprintf("The provider found only Tencent Cloud API keys (%s): those serve tencentcallkit_tel_cdrs (Cloud Contact Center) only, "+
		"while the CallKit resources and data sources need the application's sdk_app_id and secret_key.", strings.Join(where, ", and "))
}

// plural picks the singular or plural form for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// countOf is n with its noun: "1 action", "3 actions".
func countOf(n int, one, many string) string { return strconv.Itoa(n) + " " + plural(n, one, many) }

// userAgent follows the HashiCorp providers' convention.
func userAgent(providerVersion, terraformVersion string) string {
	ua := "terraform-provider-tencentcallkit/" + providerVersion
	if terraformVersion != "" {
		ua += " Terraform/" + terraformVersion
	}
	return ua
}

// source names where a value came from, as the subject of an error sentence.
func source(s setting, fromEnv bool) string {
	if fromEnv {
		return fmt.Sprintf("The %s environment variable (used because %s is not set)", s.env, s.name)
	}
	return "Attribute " + s.name
}

// checkEndpoint is endpoint.Validate as a sentence tail.
func checkEndpoint(raw string) string {
	if err := endpoint.Validate(raw); err != nil {
		return fmt.Sprintf("is refused: %s.", err)
	}
	return ""
}

func (p *tencentCallKitProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewCallbackResource,
	}
}

func (p *tencentCallKitProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewCallRecordDataSource,
		NewCallRecordsDataSource,
		NewCallStatsDataSource,
		NewTelCdrsDataSource,
	}
}

// ListResources are the types `terraform query` can list (Terraform 1.14+).
func (p *tencentCallKitProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewCallbackListResource,
	}
}

// Actions are what `terraform apply -invoke` and action_trigger run
// (Terraform 1.14+).
func (p *tencentCallKitProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{
		NewCallbackCheckAction,
		NewCallRecordsExportAction,
	}
}

func (p *tencentCallKitProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		NewUserSigEphemeralResource,
	}
}

// parseRequestTimeout returns the duration, or a message (a sentence tail
// starting with a verb) saying what is wrong with raw.
func parseRequestTimeout(raw string) (time.Duration, string) {
	d, err := time.ParseDuration(strings.TrimSpace(raw))
	if err != nil {
		return 0, fmt.Sprintf("must be a duration with a unit, such as \"10s\" or \"1m\", got %q.", raw)
	}
	if err := callkit.ValidateTimeout(d); err != nil {
		return 0, fmt.Sprintf("must be longer than the service's own 3s timeout (for example \"10s\"), got %q.", raw)
	}
	return d, ""
}

func quotedList(list []string) string {
	q := make([]string, len(list))
	for i, v := range list {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

func markdownList(list []string) string {
	q := make([]string, len(list))
	for i, v := range list {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}
