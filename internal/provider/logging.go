package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

// secretFieldKeys are log field names whose values are always masked,
// whatever they hold.
var secretFieldKeys = []string{"secret_key", "secretkey", "usersig", "user_sig", "sig", "tencentcloud_secret_key", "authorization"}

// userSigQuery matches a usersig query parameter and its value, as it appears
// in a request URL (and so in net/http's error text).
var userSigQuery = regexp.MustCompile(`(?i)(usersig=)[^&\s"']*`)

var _ callkit.Logger = tflogLogger{}

// tflogLogger adapts callkit.Logger to tflog. The masks are applied on every
// call because the context carrying tflog's settings is a new one per
// Terraform RPC: masks added in Configure would not reach Read or Create.
type tflogLogger struct {
	secrets []string
}

func newTFLogLogger(secrets ...string) tflogLogger {
	return tflogLogger{secrets: nonEmpty(secrets)}
}

func (l tflogLogger) Log(ctx context.Context, msg string, fields map[string]any) {
	ctx = maskSecrets(ctx, l.secrets...)
	// tflog masks only string values, so errors and Stringers are turned
	// into (redacted) strings first; the caller's map is left untouched.
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		switch v := v.(type) {
		case string:
			out[k] = redact(v, l.secrets...)
		case error:
			out[k] = redact(v.Error(), l.secrets...)
		case fmt.Stringer:
			out[k] = redact(v.String(), l.secrets...)
		default:
			out[k] = v
		}
	}
	tflog.Debug(ctx, redact(msg, l.secrets...), out)
}

// maskSecrets returns ctx with tflog masks for the given secrets and for
// every UserSig, in messages and in field values.
func maskSecrets(ctx context.Context, secrets ...string) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, secretFieldKeys...)
	ctx = tflog.MaskLogRegexes(ctx, userSigQuery)
	if s := nonEmpty(secrets); len(s) > 0 {
		ctx = tflog.MaskLogStrings(ctx, s...)
	}
	return ctx
}

// redact removes UserSig query values and the given secrets from s. It is the
// last line of defence for text that leaves the provider (diagnostics, logs):
// the client promises not to put secrets into errors, and this makes sure a
// wrapped net/http error (which quotes the request URL) cannot either.
func redact(s string, secrets ...string) string {
	s = userSigQuery.ReplaceAllString(s, "${1}REDACTED")
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "REDACTED")
		}
	}
	return s
}

func nonEmpty(list []string) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
