package provider

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/usersig"
)

var (
	_ ephemeral.EphemeralResource              = (*userSigEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*userSigEphemeralResource)(nil)
)

// defaultUserSigExpireSeconds is the vendor's example lifetime (one day).
const defaultUserSigExpireSeconds = 86400

// NewUserSigEphemeralResource returns the tencentcallkit_usersig ephemeral resource.
func NewUserSigEphemeralResource() ephemeral.EphemeralResource {
	return &userSigEphemeralResource{}
}

// userSigEphemeralResource mints a UserSig for a client login. It is
// ephemeral so the signature never reaches the plan or the state.
type userSigEphemeralResource struct {
	client *callkit.Client
}

type userSigModel struct {
	UserID        types.String `tfsdk:"user_id"`
	ExpireSeconds types.Int64  `tfsdk:"expire_seconds"`
	UserSig       types.String `tfsdk:"usersig"`
	ExpiresAt     types.Int64  `tfsdk:"expires_at"`
}

func (e *userSigEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_usersig"
}

func (e *userSigEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Mints a UserSig (the login ticket a TUICallKit client passes to `login`) for one user, signed with the provider's `secret_key`. " +
			"As an ephemeral resource it is never stored in the plan or the state: pass `usersig` to a write-only attribute, a provider configuration " +
			"or another ephemeral context. Requires Terraform 1.10 or later." + troubleshootingLink,
		Attributes: map[string]schema.Attribute{
			"user_id": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The user to sign for: 1 to %d characters, each a letter, digit, underscore (`_`) or hyphen (`-`).", usersig.MaxUserIDLength),
				Required:            true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, usersig.MaxUserIDLength),
					userIDValidator{},
				},
			},
			"expire_seconds": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How long the UserSig is valid, in seconds: `1` to `%d` (2^31 - 1, about 68 years; "+
					"keep it as short as the use allows). Defaults to `%d` (one day).", math.MaxInt32, defaultUserSigExpireSeconds),
				Optional:   true,
				Computed:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1), int64validator.AtMost(math.MaxInt32)},
			},
			"usersig": schema.StringAttribute{
				MarkdownDescription: "The UserSig.",
				Computed:            true,
				Sensitive:           true,
			},
			"expires_at": schema.Int64Attribute{
				MarkdownDescription: "When the UserSig stops being valid, in unix seconds.",
				Computed:            true,
			},
		},
	}
}

func (e *userSigEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	if client := callKitClientFrom(req.ProviderData, &resp.Diagnostics); client != nil {
		e.client = client
	}
}

func (e *userSigEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	if e.client == nil {
		resp.Diagnostics.AddError("Provider Not Configured",
			"The tencentcallkit provider must be configured before a UserSig can be minted. This is a bug in the provider; please report it.")
		return
	}
	var m userSigModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.ExpireSeconds.IsNull() {
		m.ExpireSeconds = types.Int64Value(defaultUserSigExpireSeconds)
	}
	sig, err := e.client.MintUserSig(m.UserID.ValueString(), time.Duration(m.ExpireSeconds.ValueInt64())*time.Second)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Mint UserSig",
			fmt.Sprintf("Signing a UserSig for user %q failed: %s.", m.UserID.ValueString(), redact(err.Error())))
		return
	}
	m.UserSig = types.StringValue(sig.Value)
	m.ExpiresAt = types.Int64Value(sig.ExpiresAt.Unix())
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}
