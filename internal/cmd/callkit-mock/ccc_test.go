package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

func TestParseFlagsCCCRecords(t *testing.T) {
	t.Parallel()
	c, err := parseFlags([]string{"-ccc-records", "250"}, io.Discard)
	if err != nil || c.opts.CCCRecords != 250 {
		t.Fatalf("-ccc-records 250: %+v, %v", c.opts, err)
	}
	for _, bad := range []string{"-1", "1000001"} {
		if _, err := parseFlags([]string{"-ccc-records", bad}, io.Discard); err == nil || !strings.Contains(err.Error(), "-ccc-records must be between 0 and 1000000") {
			t.Errorf("-ccc-records %s: %v", bad, err)
		}
	}
}

func TestParseFlagsRateLimitStrict(t *testing.T) {
	t.Parallel()
	c, err := parseFlags(nil, io.Discard)
	if err != nil || !c.opts.RateLimit || c.opts.RateLimitStrict {
		t.Fatalf("defaults: %+v, %v", c.opts, err)
	}
	c, err = parseFlags([]string{"-ratelimit-strict"}, io.Discard)
	if err != nil || !c.opts.RateLimitStrict {
		t.Fatalf("-ratelimit-strict: %+v, %v", c.opts, err)
	}
	if m := mockserver.New(c.opts).RateMode(); m != mockserver.RateModeStrict {
		t.Fatalf("mock mode %v, want strict", m)
	}
}

// TestRunPrintsCCCCredentials runs the command in-process on a free port and
// reads what it prints for Cloud Contact Center.
func TestRunPrintsCCCCredentials(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-ccc-records", "5"}, pw, io.Discard)
		_ = pw.Close()
	}()
	want := map[string]string{
		"tencentcloud_secret_id":  fmt.Sprintf("%q", mockserver.DefaultCCCSecretID),
		"tencentcloud_secret_key": fmt.Sprintf("%q", mockserver.DefaultCCCSecretKey),
		"ccc_sdk_app_id":          fmt.Sprint(mockserver.DefaultCCCSdkAppID),
	}
	sc := bufio.NewScanner(pr)
	for len(want) > 0 && sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " = ")
		if w, found := want[k]; ok && found {
			if v != w {
				t.Errorf("%s = %s, want %s", k, v, w)
			}
			delete(want, k)
		}
	}
	if len(want) > 0 {
		t.Errorf("not printed: %v", want)
	}
	cancel()
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not stop after its context ended")
	}
}
