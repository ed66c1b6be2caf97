package provider

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

func TestTFLogLoggerMasksSecrets(t *testing.T) {
	t.Parallel()
	const key = "app-secret-key-0123456789"
	const sig = "eJyrVspOLSjISVWyUkpMzs3MUdJRyswtLU4tiswvyM1RsjI0MDQ2sTQwqAUAmLQOOA__"
	var out bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &out)

	newTFLogLogger(key).Log(ctx, "POST v1/callback/get?usersig="+sig, map[string]any{
		"endpoint":    "v1/callback/get",
		"attempt":     2,
		"error":       errors.New(`Post "https://callkit.trtc.tencent-cloud.com/v1/callback/get?usersig=` + sig + `": timeout`),
		"usersig":     sig,
		"note":        "signed with " + key,
		"duration_ms": int64(12),
	})

	logged := out.String()
	if logged == "" {
		t.Fatal("nothing was logged")
	}
	for _, secret := range []string{key, sig} {
		if strings.Contains(logged, secret) {
			t.Errorf("log output contains a secret %q:\n%s", secret, logged)
		}
	}
	entries, err := tflogtest.MultilineJSONDecode(&out)
	if err != nil || len(entries) != 1 {
		t.Fatalf("expected one JSON log entry, got %d (%v)", len(entries), err)
	}
	e := entries[0]
	if e["endpoint"] != "v1/callback/get" || e["attempt"] != float64(2) || e["@level"] != "debug" {
		t.Errorf("structured fields lost: %v", e)
	}
}
