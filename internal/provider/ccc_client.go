// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/ccc"
)

// lazyCCCClient builds the Cloud Contact Center client the first time a CCC
// data source needs it, once per provider instance, so every CCC data source
// of a run shares one client and so one 20 requests/s limiter. Configurations
// that use no CCC data source never need (or check) the credentials.
type lazyCCCClient struct {
	settings   cccSettings
	logger     ccc.Logger
	timeout    time.Duration
	maxRetries int

	once   sync.Once
	client *ccc.Client
	err    error
}

func newLazyCCCClient(settings cccSettings, logger ccc.Logger, timeout time.Duration, maxRetries int) *lazyCCCClient {
	return &lazyCCCClient{settings: settings, logger: logger, timeout: timeout, maxRetries: maxRetries}
}

// get returns the shared client, adding an error diagnostic (and returning
// nil) when the credentials are missing or the client cannot be built. It
// sends nothing: a missing credential is reported before any network use.
func (l *lazyCCCClient) get(diags *diag.Diagnostics) *ccc.Client {
	if l == nil {
		addUnconfiguredClientError(diags)
		return nil
	}
	if missing := l.settings.missing(); len(missing) > 0 {
		diags.AddError("Missing Tencent Cloud API Credentials",
			fmt.Sprintf("Cloud Contact Center data sources (tencentcallkit_tel_cdrs) call the Tencent Cloud API 3.0, which needs a SecretId and a SecretKey; "+
				"the provider has no %s. Set tencentcloud_secret_id and tencentcloud_secret_key in the provider configuration, "+
				"or the %s and %s environment variables. The CallKit credentials (sdk_app_id, secret_key) are not used for Cloud Contact Center.",
				strings.Join(missing, " and no "), envCloudSecretID, envCloudSecretKey))
		return nil
	}
	l.once.Do(func() {
		l.client, l.err = ccc.New(ccc.Config{
			SecretID:       l.settings.SecretID,
			SecretKey:      l.settings.SecretKey,
			Endpoint:       l.settings.Endpoint,
			Timeout:        l.timeout,
			MaxRetries:     l.maxRetries,
			ProgressWindow: walkProgressWindow,
			Logger:         l.logger,
		})
	})
	if l.err != nil {
		diags.AddError("Unable to Create Cloud Contact Center API Client",
			fmt.Sprintf("The provider configuration was not accepted: %s.", redact(l.err.Error(), l.settings.SecretKey)))
		return nil
	}
	return l.client
}

// missing names the credential settings that are empty, in attribute terms.
func (s cccSettings) missing() []string {
	var out []string
	if s.SecretID == "" {
		out = append(out, "tencentcloud_secret_id")
	}
	if s.SecretKey == "" {
		out = append(out, "tencentcloud_secret_key")
	}
	return out
}

// addCCCError adds an error diagnostic for a failed Cloud Contact Center
// call: what the service answered, and what to do about it.
func addCCCError(diags *diag.Diagnostics, summary string, err error, secretKey string) {
	diags.AddError(summary, redact(cccErrorDetail(err), secretKey))
}

func cccErrorDetail(err error) string {
	return errorDetail(err, cccErrorHint)
}

func cccErrorHint(err error, transport bool) string {
	if h := walkErrorHint(err, cccAPI); h != "" {
		return h
	}
	switch {
	case errors.Is(err, ccc.ErrAuth):
		return "Tencent Cloud refused the API credentials. Check tencentcloud_secret_id and tencentcloud_secret_key in the provider " +
			"configuration (or the " + envCloudSecretID + " and " + envCloudSecretKey + " environment variables): they must be an active " +
			"API key pair (Tencent Cloud console > Access Management > API Keys) allowed to call ccc:DescribeTelCdr, and this machine's " +
			"clock must be within 5 minutes of the real time."
	case errors.Is(err, ccc.ErrInstanceNotFound):
		return "No Cloud Contact Center application with this ccc_sdk_app_id is visible to these credentials. Check ccc_sdk_app_id " +
			"(Cloud Contact Center console > application list) and that the API key belongs to the same Tencent Cloud account."
	case errors.Is(err, ccc.ErrRateLimited):
		return "The service kept answering RequestLimitExceeded after the provider's retries (the limit is 20 requests per second). " +
			"Retry later, reduce parallelism (terraform -parallelism), or raise max_retries."
	case errors.Is(err, ccc.ErrInvalidRequest):
		return "The service refused the request's parameters. Check the data source's arguments (StartTimeStamp may be at most 180 days back); " +
			"if they look right, this may be a bug in the provider, please report it."
	case transport:
		return "Check that ccc_endpoint (or the default https://ccc.tencentcloudapi.com) is right and reachable from this machine. " +
			"If the service is slow or temporarily failing, retry, or raise request_timeout or max_retries."
	default:
		return "This may be a temporary problem on the service: retry, or raise max_retries. If it persists, contact Tencent Cloud support with the RequestId."
	}
}
