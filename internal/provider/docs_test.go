// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADME_everyMockFlag: README's table of the mock's flags lists every
// flag the mock command defines.
func TestREADME_everyMockFlag(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join(repoRoot, "internal", "cmd", "callkit-mock", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	flags := regexp.MustCompile(`fs\.\w+Var\([^,]+, "([a-z0-9-]+)"`).FindAllSubmatch(src, -1)
	if len(flags) < 5 {
		t.Fatalf("found %d flags in the mock's main.go: the pattern no longer matches", len(flags))
	}
	for _, f := range flags {
		if !regexp.MustCompile("\\| `-" + regexp.QuoteMeta(string(f[1])) + "[ `]").Match(readme) {
			t.Errorf("README.md does not list the mock's flag -%s in its table", f[1])
		}
	}
}

// TestREADME_installBeforeRelease: the Install section must not read as if
// the provider were on the Registry before a release exists.
func TestREADME_installBeforeRelease(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i := strings.Index(s, "## Install\n")
	if i < 0 {
		t.Fatal("README.md has no Install section")
	}
	section := s[i:]
	if j := strings.Index(section[3:], "\n## "); j >= 0 {
		section = section[:j+3]
	}
	if !strings.Contains(section, "No release of this provider has been published") || !strings.Contains(section, "dev_overrides") {
		t.Errorf("the Install section does not say that no release exists yet and how to install from source:\n%s", section)
	}
}

// TestDocs_troubleshootingLinked: the troubleshooting guide exists and every
// page of this area's types, and the index, link to it.
func TestDocs_troubleshootingLinked(t *testing.T) {
	t.Parallel()
	guide := filepath.Join(repoRoot, "docs", "guides", "troubleshooting.md")
	body, err := os.ReadFile(guide)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"50001", "70002", "70004", "70005", "AuthFailure", "looks like a timestamp in milliseconds"} {
		if !strings.Contains(string(body), code) {
			t.Errorf("the troubleshooting guide does not cover %s", code)
		}
	}
	pages := map[string]string{filepath.Join(repoRoot, "docs", "index.md"): "(docs/guides/troubleshooting)"}
	for _, dir := range []string{"resources", "data-sources", "ephemeral-resources", "actions"} {
		files, err := filepath.Glob(filepath.Join(repoRoot, "docs", dir, "*.md"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no pages in docs/%s: %v", dir, err)
		}
		for _, f := range files {
			pages[f] = "(../guides/troubleshooting)"
		}
	}
	for page, link := range pages {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), link) {
			t.Errorf("%s does not link the troubleshooting guide %s", page, link)
		}
	}
}
