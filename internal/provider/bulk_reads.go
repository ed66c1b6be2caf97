// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

// The record bound of an all-pages read (provider-contract.md, "Bulk reads").
const (
	defaultMaxRecords = 100_000
	maxMaxRecords     = 10_000_000
)

// maxRecordsAttribute is the max_records argument of an all-pages read; what
// is the page argument that turns the all-pages read off.
func maxRecordsAttribute(page string) schema.Int64Attribute {
	return schema.Int64Attribute{
		MarkdownDescription: fmt.Sprintf("The most records an all-pages read (`%s` unset) may return, `1` to `10000000`. "+
			"Default: `100000`. Exactly `max_records` records succeed; when more match, the read fails (at once when the "+
			"service's first answer already counts more) with an error that says how many match; a list is never cut "+
			"short. Ignored when `%s` is set.", page, page),
		Optional: true,
		Validators: []validator.Int64{
			int64validator.Between(1, maxMaxRecords),
		},
	}
}

// maxRecordsFrom is the configured bound, or the default when unset.
func maxRecordsFrom(v types.Int64) int64 {
	if v.IsNull() || v.IsUnknown() {
		return defaultMaxRecords
	}
	return v.ValueInt64()
}

// addTooManyRecordsError adds the error of a read that reached max_records
// and reports whether err was that; narrowing names the data source's own
// arguments that select fewer records.
func addTooManyRecordsError(diags *diag.Diagnostics, summary string, err error, narrowing string) bool {
	var tm *callkit.TooManyRecordsError
	if !errors.As(err, &tm) {
		return false
	}
	diags.AddError(summary, fmt.Sprintf("%s; nothing is returned rather than a list cut short.\n\n"+
		"Select fewer records with %s, or raise max_records (at most %d).", tooManyMatched(tm), narrowing, maxMaxRecords))
	return true
}

// tooManyMatched says how many records match: the service's count when its
// first answer already exceeded the bound; otherwise the read met record
// max_records + 1, so at least that many match, plus what the service first
// counted, if it said (records arrived after it counted).
func tooManyMatched(tm *callkit.TooManyRecordsError) string {
	switch {
	case tm.Announced > tm.Limit:
		return fmt.Sprintf("%d records match (the service's count), more than max_records = %d", tm.Announced, tm.Limit)
	case tm.Announced >= 0:
		return fmt.Sprintf("At least %d records match, more than max_records = %d (the service first counted %d; more arrived while the read paged)",
			tm.Limit+1, tm.Limit, tm.Announced)
	}
	return fmt.Sprintf("At least %d records match, more than max_records = %d", tm.Limit+1, tm.Limit)
}

// bigReadNote is the docs' paragraph on how an all-pages read behaves: what
// the page-number argument (page) and the page-size argument (size) do, the
// record bound, and records that arrive or expire while it reads; id is the
// attribute that identifies a record.
func bigReadNote(page, size, id string) string {
	return fmt.Sprintf("**Big reads.** With `%[1]s` unset every matching record is read. The read asks by start time, not by page "+
		"number: the window is cut into time slices read in parallel, each from the latest start time read so far. Calls keep ending "+
		"(a record joins the middle of the order) and old records expire while a read pages; neither makes a record appear twice "+
		"(by `%[3]s`) or hides one that matched for the whole read, and the count attribute equals the list's length. `%[2]s` only "+
		"changes how many requests a read takes (default `100`, the largest). The read is bounded by records, never pages: at most "+
		"`max_records` (default `100000`); when more match it fails, at once when the service's first answer already says so, and "+
		"never returns a list cut short. Each record costs Terraform itself memory (about 10 KB in state), so narrow the window "+
		"for very large reads.", page, size, id)
}
