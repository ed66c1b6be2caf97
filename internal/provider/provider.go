// Package provider implements the tencentcallkit Terraform provider on the
// terraform-plugin-framework.
package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
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

var (
	_ provider.Provider                       = (*tencentCallKitProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*tencentCallKitProvider)(nil)
	_ provider.ProviderWithListResources      = (*tencentCallKitProvider)(nil)
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

type providerModel struct {
	SDKAppID              types.Int64  `tfsdk:"sdk_app_id"`
	SecretKey             types.String `tfsdk:"secret_key"`
	Identifier            types.String `tfsdk:"identifier"`
	Region                types.String `tfsdk:"region"`
	Endpoint              types.String `tfsdk:"endpoint"`
	RequestTimeout        types.String `tfsdk:"request_timeout"`
	MaxRetries            types.Int64  `tfsdk:"max_retries"`
	TencentCloudSecretID  types.String `tfsdk:"tencentcloud_secret_id"`
	TencentCloudSecretKey types.String `tfsdk:"tencentcloud_secret_key"`
	CCCEndpoint           types.String `tfsdk:"ccc_endpoint"`
}

// providerData is what Configure hands to every resource, data source and
// ephemeral resource: one API client per provider instance, shared by all.
type providerData struct {
	Client *callkit.Client
	CCC    cccSettings
	// cccClient is built from CCC on first use by a CCC data source (ccc_client.go).
	cccClient *lazyCCCClient
	// callKitMissing holds the missing-credential errors when the provider is
	// configured for Cloud Contact Center only (Client is then nil).
	callKitMissing diag.Diagnostics
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
			diags.AddError(d.Summary(), d.Detail()+" (This provider block is configured for Cloud Contact Center only, which is enough for tencentcallkit_tel_cdrs but not for the CallKit resources and data sources.)")
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

func (p *tencentCallKitProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	regions := callkit.Regions()
	resp.Schema = schema.Schema{
		MarkdownDescription: "The TencentCallKit provider manages a [TUICallKit](https://trtc.io/document/50991) application's server-side settings " +
			"(the callback configuration) and reads its call records through the TUICallKit server APIs.",
		Attributes: map[string]schema.Attribute{
			"sdk_app_id": schema.Int64Attribute{
				MarkdownDescription: "The application's SDKAppID, e.g. `1400000000`. May also be set with the `" + envSDKAppID + "` environment variable. Required from one of the two, unless the provider is used only for `tencentcallkit_tel_cdrs` (Cloud Contact Center).",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"secret_key": schema.StringAttribute{
				MarkdownDescription: "The application's secret key, used to sign the administrator's UserSig for every request. It is never logged nor stored in state. " +
					"May also be set with the `" + envSecretKey + "` environment variable. Required from one of the two, unless the provider is used only for `tencentcallkit_tel_cdrs` (Cloud Contact Center).",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"identifier": schema.StringAttribute{
				MarkdownDescription: "The app administrator account the requests are made as. May also be set with the `" + envIdentifier + "` environment variable. Defaults to `" + callkit.DefaultIdentifier + "`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"region": schema.StringAttribute{
				MarkdownDescription: "Where the application lives; picks the API domains. One of " + markdownList(regions) +
					". May also be set with the `" + envRegion + "` environment variable. Defaults to `" + callkit.DefaultRegion + "`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(regions...)},
			},
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "A base URL that replaces the region's domains for every API family, e.g. a proxy or the mock backend (`http://127.0.0.1:8080`). " +
					"It must be `https://`; `http://` is accepted only for loopback hosts. May also be set with the `" + envEndpoint + "` environment variable.",
				Optional:   true,
				Validators: []validator.String{endpointValidator{}},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "How long one HTTP attempt may take, as a duration such as `10s` or `1m`. It must exceed the service's own 3 s timeout. " +
					"May also be set with the `" + envRequestTimeout + "` environment variable. Defaults to `" + callkit.DefaultTimeout.String() + "`.",
				Optional:   true,
				Validators: []validator.String{requestTimeoutValidator{}},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How many times a retryable failure (rate limit, internal error, HTTP 5xx, network error) is retried, with exponential backoff. `0` disables retries. " +
					"May also be set with the `" + envMaxRetries + "` environment variable. Defaults to `" + strconv.Itoa(callkit.DefaultMaxRetries) + "`.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"tencentcloud_secret_id": schema.StringAttribute{
				MarkdownDescription: "Tencent Cloud API 3.0 SecretId for Cloud Contact Center (only `tencentcallkit_tel_cdrs` needs it). May also be set with the `" + envCloudSecretID + "` environment variable.",
				Optional:            true,
			},
			"tencentcloud_secret_key": schema.StringAttribute{
				MarkdownDescription: "Tencent Cloud API 3.0 SecretKey for Cloud Contact Center (only `tencentcallkit_tel_cdrs` needs it). Never logged nor stored in state. May also be set with the `" + envCloudSecretKey + "` environment variable.",
				Optional:            true,
				Sensitive:           true,
			},
			"ccc_endpoint": schema.StringAttribute{
				MarkdownDescription: "A base URL that replaces `ccc.tencentcloudapi.com` for Cloud Contact Center requests. Same rule as `endpoint`: `https://`, or `http://` on a loopback host. " +
					"May also be set with the `" + envCCCEndpoint + "` environment variable.",
				Optional:   true,
				Validators: []validator.String{endpointValidator{}},
			},
		},
	}
}

// configAttr is one string-valued setting: its attribute path and the
// environment variable that stands in for it.
type configAttr struct {
	name string
	env  string
}

func (a configAttr) path() path.Path { return path.Root(a.name) }

// from returns the attribute's value if set, else the environment variable's,
// and reports whether the value came from the environment.
func (a configAttr) from(v types.String) (string, bool) {
	if !v.IsNull() {
		return v.ValueString(), false
	}
	return os.Getenv(a.env), true
}

var (
	attrSDKAppID       = configAttr{"sdk_app_id", envSDKAppID}
	attrSecretKey      = configAttr{"secret_key", envSecretKey}
	attrIdentifier     = configAttr{"identifier", envIdentifier}
	attrRegion         = configAttr{"region", envRegion}
	attrEndpoint       = configAttr{"endpoint", envEndpoint}
	attrRequestTimeout = configAttr{"request_timeout", envRequestTimeout}
	attrMaxRetries     = configAttr{"max_retries", envMaxRetries}
	attrCloudSecretID  = configAttr{"tencentcloud_secret_id", envCloudSecretID}
	attrCloudSecretKey = configAttr{"tencentcloud_secret_key", envCloudSecretKey}
	attrCCCEndpoint    = configAttr{"ccc_endpoint", envCCCEndpoint}
)

func (p *tencentCallKitProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// A value that is only known after apply (e.g. read from another
	// resource) cannot build a client now. Terraform versions that support
	// deferred actions plan around it; older ones get an error per attribute.
	unknown := map[configAttr]bool{
		attrSDKAppID:       cfg.SDKAppID.IsUnknown(),
		attrSecretKey:      cfg.SecretKey.IsUnknown(),
		attrIdentifier:     cfg.Identifier.IsUnknown(),
		attrRegion:         cfg.Region.IsUnknown(),
		attrEndpoint:       cfg.Endpoint.IsUnknown(),
		attrRequestTimeout: cfg.RequestTimeout.IsUnknown(),
		attrMaxRetries:     cfg.MaxRetries.IsUnknown(),
		attrCloudSecretID:  cfg.TencentCloudSecretID.IsUnknown(),
		attrCloudSecretKey: cfg.TencentCloudSecretKey.IsUnknown(),
		attrCCCEndpoint:    cfg.CCCEndpoint.IsUnknown(),
	}
	anyUnknown := false
	for _, u := range unknown {
		anyUnknown = anyUnknown || u
	}
	if anyUnknown && req.ClientCapabilities.DeferralAllowed {
		resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
		return
	}
	for _, a := range []configAttr{attrSDKAppID, attrSecretKey, attrIdentifier, attrRegion, attrEndpoint, attrRequestTimeout, attrMaxRetries, attrCloudSecretID, attrCloudSecretKey, attrCCCEndpoint} {
		if unknown[a] {
			resp.Diagnostics.AddAttributeError(a.path(), "Unknown Provider Configuration Value",
				fmt.Sprintf("The provider cannot create the TencentCallKit API client because %s is not known until apply. "+
					"Set %s to a value known at plan time, or leave it unset and use the %s environment variable.", a.name, a.name, a.env))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	ckCfg := callkit.Config{}
	// A missing SDKAppID or secret key is fatal unless the configuration is
	// for Cloud Contact Center only: then the error waits for the first
	// CallKit resource or data source that needs the client.
	var missing diag.Diagnostics

	switch {
	case !cfg.SDKAppID.IsNull():
		ckCfg.SDKAppID = cfg.SDKAppID.ValueInt64()
	case os.Getenv(envSDKAppID) != "":
		raw := os.Getenv(envSDKAppID)
		id, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil || id <= 0 {
			resp.Diagnostics.AddAttributeError(attrSDKAppID.path(), "Invalid SDKAppID",
				fmt.Sprintf("The %s environment variable (used because sdk_app_id is not set) must be a positive integer SDKAppID such as 1400000000, got %q.", envSDKAppID, raw))
		}
		ckCfg.SDKAppID = id
	default:
		missing.AddAttributeError(attrSDKAppID.path(), "Missing SDKAppID",
			fmt.Sprintf("The provider needs the application's SDKAppID. Set sdk_app_id in the provider configuration or the %s environment variable.", envSDKAppID))
	}

	ckCfg.SecretKey, _ = attrSecretKey.from(cfg.SecretKey)
	if ckCfg.SecretKey == "" {
		missing.AddAttributeError(attrSecretKey.path(), "Missing Secret Key",
			fmt.Sprintf("The provider needs the application's secret key to sign UserSigs. Set secret_key in the provider configuration or the %s environment variable.", envSecretKey))
	}

	ckCfg.Identifier, _ = attrIdentifier.from(cfg.Identifier)
	if ckCfg.Identifier == "" {
		ckCfg.Identifier = callkit.DefaultIdentifier
	}

	region, fromEnv := attrRegion.from(cfg.Region)
	if region == "" {
		region = callkit.DefaultRegion
	} else if fromEnv && !contains(callkit.Regions(), region) {
		// The attribute has a plan-time validator; the variable is only seen here.
		resp.Diagnostics.AddAttributeError(attrRegion.path(), "Invalid Region",
			fmt.Sprintf("The %s environment variable (used because region is not set) must be one of %s, got %q.", envRegion, quotedList(callkit.Regions()), region))
	}
	ckCfg.Region = region

	if endpoint, fromEnv := attrEndpoint.from(cfg.Endpoint); endpoint != "" {
		if fromEnv {
			checkEndpointFromEnv(&resp.Diagnostics, attrEndpoint, endpoint)
		}
		ckCfg.Endpoint = endpoint
	}

	ckCfg.Timeout = callkit.DefaultTimeout
	if raw, fromEnv := attrRequestTimeout.from(cfg.RequestTimeout); raw != "" {
		d, msg := parseRequestTimeout(raw)
		if msg != "" {
			resp.Diagnostics.AddAttributeError(attrRequestTimeout.path(), "Invalid Request Timeout", source(attrRequestTimeout, fromEnv)+" "+msg)
		}
		ckCfg.Timeout = d
	}

	ckCfg.MaxRetries = callkit.DefaultMaxRetries
	switch {
	case !cfg.MaxRetries.IsNull():
		ckCfg.MaxRetries = int(cfg.MaxRetries.ValueInt64())
	case os.Getenv(envMaxRetries) != "":
		raw := os.Getenv(envMaxRetries)
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil || n < 0 {
			resp.Diagnostics.AddAttributeError(attrMaxRetries.path(), "Invalid Max Retries",
				fmt.Sprintf("The %s environment variable (used because max_retries is not set) must be a whole number of retries, 0 or more, got %q.", envMaxRetries, raw))
		}
		ckCfg.MaxRetries = n
	}

	var ccc cccSettings
	ccc.SecretID, _ = attrCloudSecretID.from(cfg.TencentCloudSecretID)
	ccc.SecretKey, _ = attrCloudSecretKey.from(cfg.TencentCloudSecretKey)
	if endpoint, fromEnv := attrCCCEndpoint.from(cfg.CCCEndpoint); endpoint != "" {
		if fromEnv {
			checkEndpointFromEnv(&resp.Diagnostics, attrCCCEndpoint, endpoint)
		}
		ccc.Endpoint = endpoint
	}

	if missing.HasError() && (ccc.SecretID == "" || ccc.SecretKey == "") {
		resp.Diagnostics.Append(missing...)
	}
	if resp.Diagnostics.HasError() {
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

	pd := &providerData{CCC: ccc, cccClient: newLazyCCCClient(ccc, ckCfg.Logger, ckCfg.Timeout, ckCfg.MaxRetries), callKitMissing: missing}
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
	p.configured.Store(pd)
}

// userAgent follows the HashiCorp providers' convention.
func userAgent(providerVersion, terraformVersion string) string {
	ua := "terraform-provider-tencentcallkit/" + providerVersion
	if terraformVersion != "" {
		ua += " Terraform/" + terraformVersion
	}
	return ua
}

// source names where a value came from, as the subject of an error sentence.
func source(a configAttr, fromEnv bool) string {
	if fromEnv {
		return fmt.Sprintf("The %s environment variable (used because %s is not set)", a.env, a.name)
	}
	return "Attribute " + a.name
}

func checkEndpointFromEnv(diags *diag.Diagnostics, a configAttr, raw string) {
	if err := callkit.ValidateEndpoint(raw); err != nil {
		diags.AddAttributeError(a.path(), "Invalid Endpoint",
			fmt.Sprintf("%s is refused: %s.", source(a, true), err))
	}
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

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
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
