package provider

// The Registry renders docs/ away from the repository: each page is served at
// registryDocsURL/<kind>/<name> (the index at registryDocsURL itself), with no
// .md, and nothing outside docs/ is served at all. A link that works on
// GitHub (../guides/troubleshooting.md, ../images/x.png) is broken there.
// These tests read every page as the Registry does and follow every link.

import (
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const (
	registryDocsURL = "https://registry.terraform.io/providers/tencentcallkit/tencentcallkit/latest/docs"
	// repoBlobURL and repoRawURL are the repository's files (provider-contract.md);
	// images are served from repoRawURL, which the Registry embeds as is.
	repoURL     = "https://github.com/tencentcallkit/terraform-provider-tencentcallkit"
	repoBlobURL = repoURL + "/blob/main/"
	repoTreeURL = repoURL + "/tree/main/"
	repoRawURL  = "https://raw.githubusercontent.com/tencentcallkit/terraform-provider-tencentcallkit/main/"
)

// docsPage is one page of docs/ as the Registry serves it.
type docsPage struct {
	file    string // relative to the repository, e.g. docs/guides/mock-backend.md
	url     string // where the Registry serves it
	front   map[string]string
	body    string // without the front matter, code blocks and code spans
	anchors map[string]bool
}

// registryPageURL is the Registry's URL of a docs/ page.
func registryPageURL(file string) string {
	rel := strings.TrimSuffix(strings.TrimPrefix(file, "docs/"), ".md")
	if rel == "index" {
		return registryDocsURL
	}
	return registryDocsURL + "/" + rel
}

// readDocsPages reads every page under docs/, keyed by its Registry URL.
func readDocsPages(t *testing.T) map[string]*docsPage {
	t.Helper()
	pages := map[string]*docsPage{}
	err := filepath.WalkDir(filepath.Join(repoRoot, "docs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(repoRoot, p)
		if err != nil {
			return err
		}
		page := parseDocsPage(filepath.ToSlash(rel), string(b))
		pages[page.url] = page
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < 10 {
		t.Fatalf("found only %d pages under docs/: has `make generate` run?", len(pages))
	}
	return pages
}

var (
	fenceBlockRE = regexp.MustCompile("(?ms)^ {0,3}(```+|~~~+)[^\n]*\n.*?^ {0,3}```+[ \t]*$")
	codeSpanRE   = regexp.MustCompile("`[^`\n]*`")
	headingRE    = regexp.MustCompile(`(?m)^#{1,6}[ \t]+(.+?)[ \t#]*$`)
	htmlAnchorRE = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)
)

func parseDocsPage(file, text string) *docsPage {
	p := &docsPage{file: file, url: registryPageURL(file), front: map[string]string{}, anchors: map[string]bool{}}
	if rest, ok := strings.CutPrefix(text, "---\n"); ok {
		if front, body, ok := strings.Cut(rest, "\n---\n"); ok {
			for _, line := range strings.Split(front, "\n") {
				if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "#") {
					p.front[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
				}
			}
			text = body
		}
	}
	text = fenceBlockRE.ReplaceAllString(text, "")
	p.body = codeSpanRE.ReplaceAllString(text, "``")
	seen := map[string]int{}
	for _, m := range headingRE.FindAllStringSubmatch(text, -1) {
		slug := headingSlug(m[1])
		if n := seen[slug]; n > 0 {
			p.anchors[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			p.anchors[slug] = true
		}
		seen[slug]++
	}
	for _, m := range htmlAnchorRE.FindAllStringSubmatch(text, -1) {
		p.anchors[m[1]] = true
	}
	return p
}

// headingSlug is a heading's anchor as GitHub and the Registry make it:
// lowercase, punctuation dropped, spaces to hyphens.
func headingSlug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// docsLink is one link or image of a page.
type docsLink struct {
	image  bool
	target string
}

var (
	// [text](target "title") and ![alt](target); the text may span lines.
	inlineLinkRE = regexp.MustCompile(`(!?)\[([^\[\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)`)
	refLinkRE    = regexp.MustCompile(`(?m)^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)`)
	htmlLinkRE   = regexp.MustCompile(`<(img|a)\s[^>]*?(?:src|href)="([^"]*)"`)
)

func (p *docsPage) links() []docsLink {
	var out []docsLink
	for _, m := range inlineLinkRE.FindAllStringSubmatch(p.body, -1) {
		out = append(out, docsLink{image: m[1] == "!", target: m[3]})
	}
	for _, m := range refLinkRE.FindAllStringSubmatch(p.body, -1) {
		out = append(out, docsLink{target: m[1]})
	}
	for _, m := range htmlLinkRE.FindAllStringSubmatch(p.body, -1) {
		out = append(out, docsLink{image: m[1] == "img", target: m[2]})
	}
	return out
}

// TestDocs_linksRenderOnRegistry follows every link and image of docs/ from
// the page's Registry URL: links between pages must land on a page (and on
// an anchor of it), without .md; images and everything outside docs/ must
// be absolute URLs into the repository that name a file it has.
func TestDocs_linksRenderOnRegistry(t *testing.T) {
	t.Parallel()
	pages := readDocsPages(t)
	total := 0
	for _, page := range pages {
		for _, l := range page.links() {
			total++
			if problem := checkDocsLink(pages, page, l); problem != "" {
				kind := "link"
				if l.image {
					kind = "image"
				}
				t.Errorf("%s: %s %q %s", page.file, kind, l.target, problem)
			}
		}
	}
	if total < 20 {
		t.Fatalf("found only %d links in docs/: the link reader is broken", total)
	}
}

// checkDocsLink says what is wrong with a link of page, or "".
func checkDocsLink(pages map[string]*docsPage, page *docsPage, l docsLink) string {
	base, err := url.Parse(page.url)
	if err != nil {
		return err.Error()
	}
	ref, err := url.Parse(l.target)
	if err != nil || l.target == "" {
		return "does not parse as a URL"
	}
	if ref.IsAbs() {
		return checkAbsoluteLink(ref, l.image)
	}
	if l.image {
		return "is relative: the Registry does not serve images from docs/; use " + repoRawURL + "docs/images/<file>"
	}
	if strings.HasSuffix(ref.Path, ".md") {
		return "ends in .md: the Registry serves pages without it (" + strings.TrimSuffix(ref.Path, ".md") + ")"
	}
	target := base.ResolveReference(ref)
	fragment := target.Fragment
	target.Fragment = ""
	to, ok := pages[target.String()]
	if !ok {
		return fmt.Sprintf("resolves to %s from this page's %s, which is no page of docs/ (a file outside docs/ needs an absolute %s URL)",
			target, page.url, repoBlobURL)
	}
	if fragment != "" && !to.anchors[fragment] {
		return fmt.Sprintf("names the anchor #%s, which %s does not have", fragment, to.file)
	}
	return ""
}

// checkAbsoluteLink: a URL into the repository must name one of its files
// on main, in the form that renders: raw for images, blob (or tree) for the rest.
func checkAbsoluteLink(u *url.URL, image bool) string {
	s := u.String()
	switch {
	case u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "mailto":
		return "has a scheme the Registry does not link"
	case strings.HasPrefix(s, repoRawURL):
		return repoFileMissing(strings.TrimPrefix(u.Path, "/tencentcallkit/terraform-provider-tencentcallkit/main/"), false)
	case image:
		return "is an image outside the repository, or not its raw URL: use " + repoRawURL + "<path>"
	case strings.HasPrefix(s, repoBlobURL):
		return repoFileMissing(strings.TrimPrefix(u.Path, "/tencentcallkit/terraform-provider-tencentcallkit/blob/main/"), false)
	case strings.HasPrefix(s, repoTreeURL):
		return repoFileMissing(strings.TrimPrefix(u.Path, "/tencentcallkit/terraform-provider-tencentcallkit/tree/main/"), true)
	case strings.HasPrefix(s, repoURL+"/") && !strings.HasPrefix(s, repoURL+"/issues") && !strings.HasPrefix(s, repoURL+"/releases"):
		return "points into the repository but not at a file on main: use " + repoBlobURL + "<path>"
	}
	return ""
}

func repoFileMissing(rel string, dir bool) string {
	if rel == "" || path.Clean(rel) != rel {
		return "names no clean path in the repository"
	}
	st, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(rel)))
	switch {
	case err != nil:
		return "names " + rel + ", which the repository does not have"
	case st.IsDir() != dir:
		return "uses the wrong form for " + rel + " (blob/raw for files, tree for directories)"
	}
	return ""
}

// TestDocs_frontMatter: every page has a title, and a subcategory (where one
// is set) is a Registry navigation group, not a file path.
func TestDocs_frontMatter(t *testing.T) {
	t.Parallel()
	for _, page := range readDocsPages(t) {
		if page.front["page_title"] == "" {
			t.Errorf("%s: no page_title in the front matter", page.file)
		}
		if sub := page.front["subcategory"]; strings.ContainsAny(sub, "/.\\") || strings.Contains(sub, "md") {
			t.Errorf("%s: subcategory %q looks like a file path; it names the Registry's navigation group", page.file, sub)
		}
	}
}

// TestDocs_linkChecker: the rules above, on links that break and links that
// work on the Registry.
func TestDocs_linkChecker(t *testing.T) {
	t.Parallel()
	pages := map[string]*docsPage{}
	for file, text := range map[string]string{
		"docs/index.md":                  "# Provider\n\n## What the action words mean\n",
		"docs/resources/callback.md":     "# callback\n\n## Import\n",
		"docs/guides/troubleshooting.md": "# Troubleshooting\n\n## Error 70001\n",
	} {
		p := parseDocsPage(file, text)
		pages[p.url] = p
	}
	from := pages[registryDocsURL+"/resources/callback"]
	index := pages[registryDocsURL]
	for _, tc := range []struct {
		page   *docsPage
		link   docsLink
		broken bool
	}{
		{from, docsLink{target: "../guides/troubleshooting"}, false},
		{from, docsLink{target: "../guides/troubleshooting#error-70001"}, false},
		{from, docsLink{target: "../../docs#what-the-action-words-mean"}, false},
		{from, docsLink{target: "#import"}, false},
		{index, docsLink{target: "docs/guides/troubleshooting"}, false},
		{from, docsLink{target: "https://developer.hashicorp.com/terraform/cli"}, false},
		{from, docsLink{target: repoBlobURL + "README.md"}, false},
		{from, docsLink{target: repoTreeURL + "examples"}, false},
		{from, docsLink{image: true, target: repoRawURL + "docs/images/mock-console-overview.png"}, false},
		{from, docsLink{target: "../guides/troubleshooting.md"}, true},
		{from, docsLink{target: "../guides/troubleshooting#no-such-heading"}, true},
		{from, docsLink{target: "#no-such-heading"}, true},
		{index, docsLink{target: "guides/troubleshooting"}, true}, // resolves to …/latest/guides/troubleshooting
		{from, docsLink{target: "../index.md#what-the-action-words-mean"}, true},
		{from, docsLink{target: "../../README.md"}, true},
		{from, docsLink{image: true, target: "../images/mock-console-overview.png"}, true},
		{from, docsLink{image: true, target: repoBlobURL + "docs/images/mock-console-overview.png"}, true},
		{from, docsLink{target: repoBlobURL + "NO-SUCH-FILE.md"}, true},
		{from, docsLink{target: repoURL + "/raw/main/README.md"}, true},
	} {
		if got := checkDocsLink(pages, tc.page, tc.link); (got != "") != tc.broken {
			t.Errorf("from %s, %+v: broken = %v (%q), want %v", tc.page.file, tc.link, got != "", got, tc.broken)
		}
	}
	if got := headingSlug("API generations: v1 and v4"); got != "api-generations-v1-and-v4" {
		t.Errorf("headingSlug = %q", got)
	}
}
