package main

import (
	"context"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/bench/internal/scenario"
)

// The phases are the side-by-side measurement: one workspace (one
// tencentcallkit_callback, one tencentcallkit_call_record) planned with no
// changes, applied from an empty state, and asked for `terraform providers
// schema -json`, by the real provider, the no-I/O provider and, when one is
// given, a peer provider with the equivalent workspace, in turns.

const (
	phasePlan   = "plan"
	phaseApply  = "apply"
	phaseSchema = "schema"
)

// phaseNames is the order of the phases in the table (the issue's).
var phaseNames = []string{phasePlan, phaseApply, phaseSchema}

// Targets of the real provider against the no-I/O provider, per phase
// (median of the round-by-round ratios).
var phaseTargets = map[string]float64{phasePlan: 1.05, phaseApply: 1.12, phaseSchema: 1.05}

// phaseTitles name each phase as the table does.
var phaseTitles = map[string]string{
	phasePlan:   "`terraform plan` (no changes, state in place)",
	phaseApply:  "`terraform apply` (create from empty state)",
	phaseSchema: "`terraform providers schema -json`",
}

// Contender keys.
const (
	keyNoop = "noop"
	keyReal = "real"
	keyPeer = "peer"
)

// contender is one provider of the phases' runs.
type contender struct {
	key   string // keyNoop, keyReal, keyPeer
	label string // as the table names it
	rc    string // its CLI configuration (dev_overrides)
	hcl   string // its workspace
}

// phaseResult is one phase's runs of every contender.
type phaseResult struct {
	samples  map[string]sample             // measured runs, by contender key, in round order
	requests map[string]scenario.MockStats // the mock's counts over every run (warm-ups included), by contender key
	runs     int                           // runs of each contender, warm-ups included
}

// peerInfo describes the peer binary the figures are of: by version and
// checksum, which anyone can check a binary against, never by its path on
// the machine that ran the bench.
type peerInfo struct {
	source, version, sha256 string
	bytes                   int64
}

// peerFileVersionRE is the version in a provider binary's conventional
// name, terraform-provider-<type>_v<version>.
var peerFileVersionRE = regexp.MustCompile(`_(v\d+\.\d+\.\d+[0-9A-Za-z.+-]*)$`)

// peerVersion reads the peer's version from its Go build information (a
// binary from `go install module@version` carries it), else from its file
// name, else says it is unknown.
func peerVersion(file string) string {
	if bi, err := buildinfo.ReadFile(file); err == nil && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	if m := peerFileVersionRE.FindStringSubmatch(filepath.Base(file)); m != nil {
		return m[1]
	}
	return "version unknown"
}

// peerSource is the provider the bench has a workspace for.
const peerSource = "mastercard/restapi"

// setupPeer copies the -peer binary where a dev_overrides entry finds it and
// fingerprints it. The bench writes the workspace, so it must be restapi.
func (b *bench) setupPeer() error {
	base := filepath.Base(b.opts.peer)
	if !strings.HasPrefix(base, "terraform-provider-restapi") {
		return fmt.Errorf("-peer %s: the bench has a peer workspace for %s only: give a terraform-provider-restapi binary", b.opts.peer, peerSource)
	}
	src, err := os.Open(b.opts.peer)
	if err != nil {
		return fmt.Errorf("-peer: %w", err)
	}
	defer src.Close()
	b.peerDir = filepath.Join(b.work, "peer")
	if err := os.MkdirAll(b.peerDir, 0o755); err != nil {
		return err
	}
	dst, err := os.OpenFile(filepath.Join(b.peerDir, "terraform-provider-restapi"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(dst, h), src)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("-peer: copying %s: %w", b.opts.peer, err)
	}
	b.res.peer = &peerInfo{source: peerSource, version: peerVersion(b.opts.peer), sha256: hex.EncodeToString(h.Sum(nil)), bytes: n}
	return nil
}

// peerHCL is the workspace written for mastercard/restapi against
// the mock: the callback configuration as a restapi_object (set, then get
// to read it back; its envelope is not the object, so server-side changes
// are ignored), and the record as a restapi_object data source searching a
// filter page for the call ID. restapi cannot sign requests, so the query
// string carries a UserSig minted for the run.
func peerHCL(mockURL, query string, start, end int64, callID string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    restapi = {
      source = %[1]q
    }
  }
}

provider "restapi" {
  uri            = %[2]q
  create_method  = "POST"
  read_method    = "POST"
  update_method  = "POST"
  destroy_method = "POST"
  headers = {
    "Content-Type" = "application/json"
  }
}

resource "restapi_object" "main" {
  path                      = "/v1/callback"
  object_id                 = "callback"
  create_path               = "/v1/callback/set"
  read_path                 = "/v1/callback/get"
  update_path               = "/v1/callback/update"
  destroy_path              = "/v1/callback/delete"
  query_string              = %[3]q
  data                      = jsonencode({ address = "https://hooks.example.com/callkit", actions = ["normal_end", "call_busy"] })
  read_data                 = "{}"
  destroy_data              = "{}"
  ignore_all_server_changes = true
}

data "restapi_object" "one" {
  path                    = "/v1/records/get_records_by_filter"
  query_string            = %[3]q
  search_data             = jsonencode({ startTimestamp = %[4]d, endTimestamp = %[5]d, numberPerPage = 10 })
  results_key             = "data/callRecordList"
  search_key              = "callId"
  search_value            = %[6]q
  id_attribute            = "callId"
  results_contains_object = true
}
`, peerSource, mockURL, query, start, end, callID)
}

// contenders are the providers of the phases, each with its CLI
// configuration and workspace.
func (b *bench) contenders(m *scenario.MockProcess, callID string) ([]*contender, error) {
	const source = "tencentcallkit/tencentcallkit"
	cs := []*contender{
		{key: keyNoop, label: "no-I/O provider", rc: filepath.Join(b.work, "noop.tfrc"), hcl: workspaceHCL(callID)},
		{key: keyReal, label: "tencentcallkit", rc: filepath.Join(b.work, "real.tfrc"), hcl: workspaceHCL(callID)},
	}
	if err := cliConfig(cs[0].rc, source, b.noopDir); err != nil {
		return nil, err
	}
	if err := cliConfig(cs[1].rc, source, b.realDir); err != nil {
		return nil, err
	}
	if b.res.peer != nil {
		query, err := m.AdminQuery(6 * time.Hour)
		if err != nil {
			return nil, err
		}
		start, end := m.Window()
		p := &contender{key: keyPeer, label: "restapi (peer)", rc: filepath.Join(b.work, "peer.tfrc"), hcl: peerHCL(m.URL, query, start, end, callID)}
		if err := cliConfig(p.rc, peerSource, b.peerDir); err != nil {
			return nil, err
		}
		cs = append(cs, p)
	}
	return cs, nil
}

// interleave runs every contender once per round, the order rotated each
// round (with two: alternating pairs), warm-up rounds first, so that all
// see the same machine. prepare runs untimed before each run; the mock's
// counters are read around each run.
func (b *bench) interleave(ctx context.Context, m *scenario.MockProcess, name string, cs []*contender,
	prepare func(c *contender, dir string) error, runOne func(c *contender, dir string) (tfRun, error)) (*phaseResult, error) {
	res := &phaseResult{samples: map[string]sample{}, requests: map[string]scenario.MockStats{}}
	dirs := map[string]string{}
	for _, c := range cs {
		dirs[c.key] = filepath.Join(b.work, name+"-"+c.key)
		if err := writeDir(dirs[c.key], c.hcl); err != nil {
			return nil, err
		}
		res.requests[c.key] = scenario.MockStats{Requests: map[string]int{}, Applied: map[string]int{}}
	}
	k := len(cs)
	for i := -b.opts.warmups; i < b.opts.phaseRuns; i++ {
		rot := ((i % k) + k) % k
		for j := range k {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			c := cs[(j+rot)%k]
			dir := dirs[c.key]
			if prepare != nil {
				if err := prepare(c, dir); err != nil {
					return nil, err
				}
			}
			before, err := m.Stats(ctx)
			if err != nil {
				return nil, err
			}
			run, err := runOne(c, dir)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.label, err)
			}
			after, err := m.Stats(ctx)
			if err != nil {
				return nil, err
			}
			res.requests[c.key] = addStats(res.requests[c.key], after.Sub(before))
			if c.key == keyReal {
				b.res.phaseSurfaced += rateLimitCodes(run.output)
			}
			if i >= 0 {
				res.samples[c.key] = append(res.samples[c.key], run.wall)
			}
		}
	}
	res.runs = b.opts.warmups + b.opts.phaseRuns
	// restapi reports no error for an answer with HTTP 200, and every answer
	// of this API has HTTP 200: a failed request would make its runs cheaper
	// without anyone noticing, so the mock's own count decides.
	if p, ok := res.requests[keyPeer]; ok && p.Failed() > 0 {
		return nil, fmt.Errorf("the peer's requests were answered with errors %d time(s) (requests %v, succeeded %v): its figures would not be of the same work", p.Failed(), p.Requests, p.Applied)
	}
	return res, nil
}

func addStats(a, d scenario.MockStats) scenario.MockStats {
	for path, n := range d.Requests {
		a.Requests[path] += n
	}
	for path, n := range d.Applied {
		a.Applied[path] += n
	}
	a.RateLimited += d.RateLimited
	return a
}

// rateLimitCodes counts the rate-limit error codes a terraform output shows
// (a diagnostic names the code the client gave up on).
func rateLimitCodes(out string) int {
	return strings.Count(out, "errorCode 70005") + strings.Count(out, "errorCode 60011") +
		strings.Count(out, "ErrorCode 60011")
}

// phases runs the plan, apply and schema phases (those -only selects)
// against m.
func (b *bench) phases(ctx context.Context, m *scenario.MockProcess, ids []string, selected func(string) bool) error {
	cs, err := b.contenders(m, ids[0])
	if err != nil {
		return err
	}
	r := tfRunner{terraform: b.opts.terraform, backend: m.Backend, timeout: b.opts.tfTimeout}
	common := []string{"-input=false", "-no-color", "-compact-warnings"}
	apply := func(ctx context.Context, c *contender, dir string) (tfRun, error) {
		return applyOnce(ctx, r, c, dir, common)
	}
	// From empty state: no state file, and no callback configuration on the
	// mock (the real provider refuses to overwrite one it does not manage).
	fresh := func(_ *contender, dir string) error {
		if err := removeState(dir); err != nil {
			return err
		}
		return m.DeleteCallback(ctx)
	}
	for _, name := range []string{phaseSchema, phasePlan, phaseApply} {
		if !selected(name) {
			continue
		}
		logf("%s: %s, %d warm-up round(s) + %d, %d provider(s) in turns (load %s)", name, phaseTitles[name], b.opts.warmups, b.opts.phaseRuns, len(cs), loadAvg())
		var (
			res *phaseResult
			err error
		)
		switch name {
		case phaseSchema:
			res, err = b.interleave(ctx, m, name, cs, nil, func(c *contender, dir string) (tfRun, error) {
				run, err := r.run(ctx, dir, c.rc, "", nil, "providers", "schema", "-json")
				if err == nil && !strings.Contains(run.output, `"provider_schemas"`) {
					err = fmt.Errorf("terraform providers schema -json in %s printed no provider_schemas:\n%s", dir, tail(run.output, 20))
				}
				return run, err
			})
		case phaseApply:
			res, err = b.interleave(ctx, m, name, cs, fresh, func(c *contender, dir string) (tfRun, error) { return apply(ctx, c, dir) })
		case phasePlan:
			// One apply each first (untimed), in this order: the real
			// provider creates the configuration, the peer's set writes
			// the same one again.
			if err := b.applyEach(ctx, m, name, cs, apply); err != nil {
				return err
			}
			res, err = b.interleave(ctx, m, name, cs, nil, func(c *contender, dir string) (tfRun, error) {
				run, err := r.run(ctx, dir, c.rc, "", []int{2}, append([]string{"plan", "-detailed-exitcode"}, common...)...)
				if err == nil && run.exit == 2 {
					err = fmt.Errorf("the plan in %s has changes, not the no-op plan measured:\n%s", dir, tail(run.output, 40))
				}
				return run, err
			})
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		b.res.phases[name] = res
	}
	return nil
}

// applyOnce runs terraform apply in dir and checks that it completed.
func applyOnce(ctx context.Context, r tfRunner, c *contender, dir string, common []string) (tfRun, error) {
	run, err := r.run(ctx, dir, c.rc, "", nil, append([]string{"apply", "-auto-approve"}, common...)...)
	if err == nil && !strings.Contains(run.output, "Apply complete!") {
		err = fmt.Errorf("terraform apply in %s finished without \"Apply complete!\":\n%s", dir, tail(run.output, 40))
	}
	return run, err
}

// removeState removes a workspace's state files, if any.
func removeState(dir string) error {
	for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// applyEach applies each contender's workspace of phase name once, untimed,
// from no callback configuration on the mock.
func (b *bench) applyEach(ctx context.Context, m *scenario.MockProcess, name string, cs []*contender, apply func(context.Context, *contender, string) (tfRun, error)) error {
	if err := m.DeleteCallback(ctx); err != nil {
		return err
	}
	for _, c := range cs {
		dir := filepath.Join(b.work, name+"-"+c.key)
		if err := writeDir(dir, c.hcl); err != nil {
			return err
		}
		if _, err := apply(ctx, c, dir); err != nil {
			return fmt.Errorf("plan: applying the %s workspace first: %w", c.label, err)
		}
	}
	return nil
}

// requestsPerRun is the mock's count of one contender's API requests, per
// run: "v1/callback/get 2, v1/callback/set 1 (1 answered with an error)".
func requestsPerRun(s scenario.MockStats, runs int) string {
	if runs == 0 || len(s.Requests) == 0 {
		return "none"
	}
	paths := make([]string, 0, len(s.Requests))
	for p := range s.Requests {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	parts := make([]string, 0, len(paths))
	for _, p := range paths {
		parts = append(parts, p+" "+perRun(s.Requests[p], runs))
	}
	out := strings.Join(parts, ", ")
	if f := s.Failed(); f > 0 {
		out += " (" + perRun(f, runs) + " answered with an error code)"
	}
	return out
}

// perRun is n/runs, as an integer when it is one.
func perRun(n, runs int) string {
	if n%runs == 0 {
		return strconv.Itoa(n / runs)
	}
	return strconv.FormatFloat(float64(n)/float64(runs), 'f', 2, 64)
}
