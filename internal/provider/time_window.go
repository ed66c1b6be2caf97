// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The time window of call_records, call_stats and tel_cdrs: one schema, one
// check at plan time and one resolution at read time for all three
// (provider-contract.md, "Time windows").

// maxUnixSeconds is the largest timestamp taken as Unix seconds: 10^11 s is
// the year 5138, while a millisecond timestamp of any date after March 1973
// is above it.
const maxUnixSeconds = int64(1e11)

// windowModel is the window's part of a data source's model, embedded in it.
type windowModel struct {
	StartTimestamp types.Int64  `tfsdk:"start_timestamp"`
	EndTimestamp   types.Int64  `tfsdk:"end_timestamp"`
	Lookback       types.String `tfsdk:"lookback"`
}

// windowRules are what differs between the data sources' windows.
type windowRules struct {
	// what completes "Only <what> calls ..." in the descriptions.
	what string
	// reach is how far back the API answers, for the descriptions.
	reach string
	// endRequired: without lookback, end_timestamp must be set (tel_cdrs).
	endRequired bool
	// endAfterStart: the end must be strictly after the start, not at it.
	endAfterStart bool
	// maxRange, when set, is the API's limit on end - start (exclusive).
	maxRange time.Duration
	// maxRangeSubject names the API whose limit maxRange is, for errors.
	maxRangeSubject string
	// retention, when set, is how far back the API answers: a window that
	// starts earlier is warned of at plan time, and read from reachMargin
	// inside the edge, where neither the service's clamp nor its refusal of
	// an older start can meet it.
	retention time.Duration
}

// reachMargin is how far inside the retention edge a read starts at the
// earliest: more than the time a request takes to arrive, so that a start
// at the edge (lookback = "7d") is never older than the service's edge.
const reachMargin = time.Minute

// windowAttributes is the window's schema.
func windowAttributes(r windowRules) map[string]schema.Attribute {
	endDesc := "Only " + r.what + " calls started at or before this time, in Unix seconds; must not be before " +
		"`start_timestamp`. Unset: up to the time of the read (or `start_timestamp`, if that is later), which the provider always sends explicitly."
	if r.endAfterStart {
		endDesc = "Only " + r.what + " calls started at or before this time, in Unix seconds; must be after `start_timestamp`"
		if r.maxRange > 0 {
			endDesc += fmt.Sprintf(", and the range must be under %d days", int64(r.maxRange/(24*time.Hour)))
		}
		endDesc += "."
	}
	if r.endRequired {
		endDesc += " Required with `start_timestamp`; not set with `lookback`, whose window ends at the time of the read."
	} else {
		endDesc += " Not set with `lookback`, whose window ends at the time of the read."
	}
	return map[string]schema.Attribute{
		"start_timestamp": schema.Int64Attribute{
			MarkdownDescription: "Only " + r.what + " calls started at or after this time, in Unix seconds (not milliseconds: " +
				"a value above 10^11 is refused). " + r.reach + " Exactly one of `start_timestamp` and `lookback` is set.",
			Optional:   true,
			Validators: []validator.Int64{timestampValidator{allowZero: true}},
		},
		"end_timestamp": schema.Int64Attribute{
			MarkdownDescription: endDesc + " Unix seconds, not milliseconds: `0` and values above 10^11 are refused.",
			Optional:            true,
			Validators:          []validator.Int64{timestampValidator{}},
		},
		"lookback": schema.StringAttribute{
			MarkdownDescription: "Instead of `start_timestamp`: the window starts this long before the read and ends at the read, " +
				"as a duration such as `\"24h\"`, `\"90m\"` or `\"7d\"` (Go durations plus `d` for days of 24 hours; " +
				"units `d`, `h`, `m`, `s`, combined as in `\"1d12h\"`). Unlike a timestamp computed with `timestamp()` " +
				"or `date`, it needs nothing outside Terraform and moves with every read.",
			Optional:   true,
			Validators: []validator.String{lookbackValidator{}},
		},
	}
}

// validateWindow is the cross-attribute check of a window, for ValidateConfig.
// It reads the three attributes by path, so an unknown value anywhere in the
// configuration never stops it, and it skips a rule whose inputs are unknown.
func validateWindow(ctx context.Context, config tfsdk.Config, r windowRules, diags *diag.Diagnostics) {
	var w windowModel
	diags.Append(config.GetAttribute(ctx, path.Root("start_timestamp"), &w.StartTimestamp)...)
	diags.Append(config.GetAttribute(ctx, path.Root("end_timestamp"), &w.EndTimestamp)...)
	diags.Append(config.GetAttribute(ctx, path.Root("lookback"), &w.Lookback)...)
	if diags.HasError() {
		return
	}
	w.check(r, diags)
	w.warnReach(r, time.Now(), diags)
}

// warnReach warns of a window that starts earlier than the API reaches back
// from now.
func (w windowModel) warnReach(r windowRules, now time.Time, diags *diag.Diagnostics) {
	if r.retention <= 0 {
		return
	}
	days := int64(r.retention / (24 * time.Hour))
	edge := now.Add(-r.retention)
	switch {
	case known(w.Lookback):
		if d, err := parseLookback(w.Lookback.ValueString()); err == nil && d > r.retention {
			diags.AddAttributeWarning(path.Root("lookback"), "Time Window Beyond the API's Reach",
				fmt.Sprintf("lookback %q starts %.1f days before the read; the records API answers only calls of the past %d days, "+
					"so the window is read from %d days ago (one minute inside that limit). Set lookback to %dd or less to silence this warning.",
					w.Lookback.ValueString(), d.Hours()/24, days, days, days))
		}
	case known(w.StartTimestamp) && w.StartTimestamp.ValueInt64() >= 0 && w.StartTimestamp.ValueInt64() < edge.Unix():
		s := w.StartTimestamp.ValueInt64()
		diags.AddAttributeWarning(path.Root("start_timestamp"), "Time Window Beyond the API's Reach",
			fmt.Sprintf("start_timestamp (%d) is %.1f days ago; the records API answers only calls of the past %d days (from %d now), "+
				"so the window is read from %d days before the read (one minute inside that limit).",
				s, now.Sub(time.Unix(s, 0)).Hours()/24, days, edge.Unix(), days))
	}
}

// check adds an error for every rule the known values break. A rule that
// fails ends the check where the rules after it presume it holds.
func (w windowModel) check(r windowRules, diags *diag.Diagnostics) {
	if !w.checkOneOf(diags) || !w.checkLookbackWithoutEnd(diags) || !w.checkEndGiven(r, diags) {
		return
	}
	w.checkLookbackRange(r, diags)
	w.checkStartEnd(r, diags)
}

// known reports whether v holds a value: neither null nor unknown.
func known(v attr.Value) bool {
	return !v.IsNull() && !v.IsUnknown()
}

// checkOneOf: exactly one of start_timestamp and lookback. An unknown one may
// still turn out null, so the rule waits for both.
func (w windowModel) checkOneOf(diags *diag.Diagnostics) bool {
	start, lookback := w.StartTimestamp, w.Lookback
	if start.IsUnknown() || lookback.IsUnknown() || start.IsNull() != lookback.IsNull() {
		return true
	}
	if start.IsNull() {
		diags.AddAttributeError(path.Root("start_timestamp"), "Missing Time Window",
			"Set start_timestamp (Unix seconds) or lookback (a duration such as \"24h\" or \"7d\", counted back from the read): exactly one of them.")
	} else {
		diags.AddAttributeError(path.Root("lookback"), "Conflicting Time Window",
			fmt.Sprintf("start_timestamp (%d) and lookback (%q) are both set; set exactly one of them.", start.ValueInt64(), lookback.ValueString()))
	}
	return false
}

// checkLookbackWithoutEnd: a lookback window ends at the read.
func (w windowModel) checkLookbackWithoutEnd(diags *diag.Diagnostics) bool {
	if !known(w.Lookback) || !known(w.EndTimestamp) {
		return true
	}
	diags.AddAttributeError(path.Root("end_timestamp"), "Conflicting Time Window",
		"A lookback window ends at the time of the read, so end_timestamp cannot be set with lookback. "+
			"For a fixed window set start_timestamp and end_timestamp instead.")
	return false
}

// checkEndGiven: where the API needs an end (tel_cdrs), start_timestamp comes with one.
func (w windowModel) checkEndGiven(r windowRules, diags *diag.Diagnostics) bool {
	if !r.endRequired || !known(w.StartTimestamp) || !w.EndTimestamp.IsNull() {
		return true
	}
	diags.AddAttributeError(path.Root("end_timestamp"), "Missing End of Time Window",
		"end_timestamp (Unix seconds) is required with start_timestamp. Or set lookback instead of both, for a window that ends at the time of the read.")
	return false
}

// checkLookbackRange: a lookback shorter than the API's longest range.
func (w windowModel) checkLookbackRange(r windowRules, diags *diag.Diagnostics) {
	if !known(w.Lookback) || r.maxRange <= 0 {
		return
	}
	if d, err := parseLookback(w.Lookback.ValueString()); err == nil && d >= r.maxRange {
		diags.AddAttributeError(path.Root("lookback"), "Invalid Time Range",
			fmt.Sprintf("lookback %q is %.1f days; %s answers only for ranges under %d days. Shorten it, or split the window over several data sources.",
				w.Lookback.ValueString(), d.Hours()/24, r.maxRangeSubject, int64(r.maxRange/(24*time.Hour))))
	}
}

// checkStartEnd: a fixed window ends after it starts, within the API's longest range.
func (w windowModel) checkStartEnd(r windowRules, diags *diag.Diagnostics) {
	if !known(w.StartTimestamp) || !known(w.EndTimestamp) {
		return
	}
	s, e := w.StartTimestamp.ValueInt64(), w.EndTimestamp.ValueInt64()
	switch {
	case r.endAfterStart && e <= s:
		diags.AddAttributeError(path.Root("end_timestamp"), "Invalid Time Range",
			fmt.Sprintf("end_timestamp (%d) must be after start_timestamp (%d).", e, s))
	case e < s:
		diags.AddAttributeError(path.Root("end_timestamp"), "Invalid Time Range",
			fmt.Sprintf("end_timestamp (%d) is before start_timestamp (%d). end_timestamp must be at or after "+
				"start_timestamp, or unset for a window that ends at the time of the read.", e, s))
	case r.maxRange > 0 && e-s >= int64(r.maxRange/time.Second):
		limit := int64(r.maxRange / time.Second)
		diags.AddAttributeError(path.Root("end_timestamp"), "Invalid Time Range",
			fmt.Sprintf("The range from start_timestamp (%d) to end_timestamp (%d) is %d seconds (%.1f days); %s "+
				"answers only for ranges under %d days (%d seconds). Narrow the range, or split it over several data sources.",
				s, e, e-s, float64(e-s)/86400, r.maxRangeSubject, limit/86400, limit))
	}
}

// resolve turns the configured window into the start and end to send, for a
// read at now: a lookback window is [now - lookback, now]; an unset end is now.
// The end is always explicit, never the API's own default (whose "7 days"
// reads either as start + 7 days or as now).
func (w windowModel) resolve(now time.Time, r windowRules) (start, end int64, diags diag.Diagnostics) {
	w.check(r, &diags)
	if diags.HasError() {
		return 0, 0, diags
	}
	end = now.Unix()
	if !w.Lookback.IsNull() {
		d, err := parseLookback(w.Lookback.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("lookback"), "Invalid Lookback", lookbackMessage(w.Lookback.ValueString(), err))
			return 0, 0, diags
		}
		return r.withinReach(now, now.Add(-d).Unix(), end), end, diags
	}
	start = w.StartTimestamp.ValueInt64()
	if !w.EndTimestamp.IsNull() {
		end = w.EndTimestamp.ValueInt64()
	} else if end < start {
		// A start still in the future is an empty window, not an error.
		end = start
	}
	return r.withinReach(now, start, end), end, diags
}

// withinReach moves a start older than the API reaches to reachMargin inside
// the edge (a window that ends before that edge is left as it is: nothing
// in it can be answered).
func (r windowRules) withinReach(now time.Time, start, end int64) int64 {
	if r.retention <= 0 {
		return start
	}
	edge := now.Add(-r.retention + reachMargin).Unix()
	if start < edge && end >= edge {
		return edge
	}
	return start
}

// parseLookback reads a Go duration that may begin with a number of days
// ("7d", "1d12h", "1.5d"). The result is positive.
func parseLookback(raw string) (time.Duration, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return 0, errors.New("it is empty")
	}
	if s[0] == '-' || s[0] == '+' {
		return 0, errors.New("it must be a positive duration without a sign")
	}
	var total time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		days, err := strconv.ParseFloat(s[:i], 64)
		if err != nil || strings.ContainsAny(s[:i], "eEnNiIxX_") {
			return 0, errors.New("the number of days must come first, as in \"7d\" or \"1d12h\"")
		}
		if days*24*float64(time.Hour) >= math.MaxInt64 {
			return 0, errors.New("it is too long")
		}
		total = time.Duration(days * 24 * float64(time.Hour))
		s = s[i+1:]
	}
	if s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, errors.New("it is not a duration")
		}
		if d < 0 {
			return 0, errors.New("it must be a positive duration without a sign")
		}
		if total > math.MaxInt64-d {
			return 0, errors.New("it is too long")
		}
		total += d
	}
	if total < time.Second {
		return 0, errors.New("it must be at least one second")
	}
	return total, nil
}

func lookbackMessage(raw string, err error) string {
	msg := fmt.Sprintf("Attribute lookback value %s is refused: %s. Use a number and a unit such as \"24h\", \"90m\" or \"7d\" "+
		"(units d, h, m, s, ms, us, ns; combined as in \"1d12h\").", quoteForMessage(raw), err)
	if s := lookbackSuggestion(raw); s != "" {
		msg += fmt.Sprintf(" Did you mean %q?", s)
	}
	return msg
}

var (
	_ validator.String = lookbackValidator{}
	_ validator.Int64  = timestampValidator{}
)

// lookbackValidator checks that lookback parses, at plan time.
type lookbackValidator struct{}

func (lookbackValidator) Description(context.Context) string {
	return "value must be a positive duration such as \"24h\", \"90m\" or \"7d\""
}

func (v lookbackValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (lookbackValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := parseLookback(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Lookback", lookbackMessage(req.ConfigValue.ValueString(), err))
	}
}

// timestampValidator refuses what cannot be a Unix time in seconds: a
// negative value, a millisecond timestamp (as v4 callback deliveries carry,
// so users paste them) and, for an end, 0.
type timestampValidator struct {
	allowZero bool
}

func (v timestampValidator) Description(context.Context) string {
	if v.allowZero {
		return "value must be a Unix time in seconds, 0 to 10^11"
	}
	return "value must be a Unix time in seconds, 1 to 10^11"
}

func (v timestampValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v timestampValidator) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	n := req.ConfigValue.ValueInt64()
	switch {
	case n > maxUnixSeconds:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Timestamp",
			fmt.Sprintf("Attribute %s value %d looks like a timestamp in milliseconds; the provider takes Unix seconds, at most 10^11. "+
				"Divide it by 1000 (%d), or use lookback.", req.Path, n, n/1000))
	case n < 0:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Timestamp",
			fmt.Sprintf("Attribute %s value must be at least 0, got: %d. It is a Unix time in seconds.", req.Path, n))
	case n == 0 && !v.allowZero:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Timestamp",
			fmt.Sprintf("Attribute %s value 0 would end the window in 1970, before any call. Leave %s unset for a window that ends at the time of the read.", req.Path, req.Path))
	}
}
