package provider

import "testing"

func TestUserAgent(t *testing.T) {
	t.Parallel()
	if got, want := userAgent("1.2.3", "1.11.4"), "terraform-provider-tencentcallkit/1.2.3 Terraform/1.11.4"; got != want {
		t.Errorf("userAgent = %q, want %q", got, want)
	}
	if got, want := userAgent("dev", ""), "terraform-provider-tencentcallkit/dev"; got != want {
		t.Errorf("userAgent = %q, want %q", got, want)
	}
}
