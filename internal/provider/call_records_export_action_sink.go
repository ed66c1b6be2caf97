// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

// The export's destinations: one target (a file or an object) or one per UTC
// day of call start. Every target is opened before the walk and completed
// only when the whole walk has succeeded; a failure aborts them all.

// The export's compressions and partitions (the action's attributes).
const (
	exportCompressionNone = "none"
	exportCompressionGzip = "gzip"
	exportPartitionNone   = "none"
	exportPartitionDay    = "day"
)

const secondsPerDay = 24 * 60 * 60

// exportBufferSize is each target's write buffer: with day partitions every
// day's target is open for the whole walk.
const exportBufferSize = 256 << 10

// exportSink is one target of an export in progress.
type exportSink interface {
	// add appends records.
	add(batch []callkit.Record) error
	// commit completes the target and puts it in place; it returns its size.
	commit() (int64, error)
	// abort drops the target: nothing of it is left.
	abort()
	// discard removes a target this export committed where nothing was
	// before (overwrite = false): another target failed to commit.
	discard()
	// location names the target: its path or s3:// URI.
	location() string
	// count is the number of records written to it.
	count() int64
}

// recordStream encodes records in one format, gzip-compressed or not, into
// a writer, counting the records and the bytes that reach the writer.
type recordStream struct {
	out     *countingWriter
	buf     *bufio.Writer
	zip     *gzip.Writer
	rec     recordWriter
	records int64

	// under counts the bytes the buffer has passed on (to out, or to the
	// compressor); written counts the records whose every byte it has passed
	// on, and ends holds the end offsets of the records still (partly) in
	// the buffer, at most a buffer's worth.
	under   *countingWriter
	written int64
	ends    []int64
}

func newRecordStream(w io.Writer, format string, gzipped bool) (*recordStream, error) {
	s := &recordStream{out: &countingWriter{w: w}}
	s.under = s.out
	if gzipped {
		s.zip = gzip.NewWriter(s.out)
		s.under = &countingWriter{w: s.zip}
	}
	s.buf = bufio.NewWriterSize(s.under, exportBufferSize)
	if format == exportFormatCSV {
		c, err := newCSVRecordWriter(s.buf)
		s.rec = c
		return s, err
	}
	s.rec = newRecordEncoder(s.buf)
	return s, nil
}

func (s *recordStream) write(r *callkit.Record) error {
	s.records++
	err := s.rec.write(r)
	if err == nil {
		s.ends = append(s.ends, s.under.n+int64(s.buf.Buffered()))
	}
	s.settle()
	return err
}

// settle counts the records whose last byte has left the buffer: written
// to the target or, gzipped, taken by the compressor.
func (s *recordStream) settle() {
	k := 0
	for k < len(s.ends) && s.ends[k] <= s.under.n {
		k++
	}
	s.written += int64(k)
	s.ends = s.ends[k:]
}

// finish writes out what is buffered and, gzipped, the gzip trailer.
func (s *recordStream) finish() error {
	err := s.buf.Flush()
	if err == nil && s.zip != nil {
		err = s.zip.Close()
	}
	return err
}

// exportExtension is a target's name ending for format and compression.
func exportExtension(format, compression string) string {
	if format == "" {
		format = exportFormatJSONL
	}
	ext := "." + format
	if compression == exportCompressionGzip {
		ext += ".gz"
	}
	return ext
}

// checkExportName: a target's name ends as its format and compression say.
func checkExportName(attr, name, format, compression string) error {
	want := exportExtension(format, compression)
	if strings.HasSuffix(name, want) && len(name) > len(want) && !strings.HasSuffix(name, "/"+want) {
		return nil
	}
	for _, other := range []string{".jsonl.gz", ".csv.gz", ".jsonl", ".csv"} {
		if other != want && strings.HasSuffix(name, other) {
			return fmt.Errorf("%s %q ends in %s but the export writes %s: end it in %s, or set format and compression to match",
				attr, name, other, describeExportFormat(format, compression), want)
		}
	}
	return fmt.Errorf("%s %q must end in %s (the export writes %s; the endings are .jsonl, .csv, .jsonl.gz and .csv.gz)",
		attr, name, want, describeExportFormat(format, compression))
}

func describeExportFormat(format, compression string) string {
	if format == "" {
		format = exportFormatJSONL
	}
	what := map[string]string{exportFormatJSONL: "JSON Lines", exportFormatCSV: "CSV"}[format]
	if compression == exportCompressionGzip {
		what = "gzip-compressed " + what
	}
	return what
}

// exportDays narrows [start, end) to whole UTC days: start rounded up, end
// rounded down to 00:00 UTC. It returns the first day's start and the number
// of days, zero when no whole day is left.
func exportDays(start, end int64) (first int64, days int) {
	first = ceilDiv(start, secondsPerDay) * secondsPerDay
	last := floorDiv(end, secondsPerDay) * secondsPerDay
	if last <= first {
		return first, 0
	}
	return first, int((last - first) / secondsPerDay)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

// dayPartition is the Hive-style folder of the UTC day starting at dayStart.
func dayPartition(dayStart int64) string {
	return "date=" + time.Unix(dayStart, 0).UTC().Format(time.DateOnly)
}

// noWholeDayError: partition = "day" with a window that holds no whole UTC day.
func noWholeDayError(start, end int64) error {
	return fmt.Errorf(`with partition = "day" the window is narrowed to whole UTC days (its start rounded up and its end `+
		`rounded down to 00:00 UTC), and the window from %s to %s holds none: widen it (a lookback of at least "48h" `+
		`always holds one), or set partition = "none"`,
		time.Unix(start, 0).UTC().Format(time.RFC3339), time.Unix(end, 0).UTC().Format(time.RFC3339))
}

// exportTargets are the sinks of one export and how records reach them.
type exportTargets struct {
	sinks []exportSink
	// firstDay is the start of the first day with day partitions (one sink
	// a day); with one sink it is unused.
	firstDay    int64
	partitioned bool
	overwrite   bool
	// undo runs after an abort or a failed commit, last first (it removes
	// the day folders the export created).
	undo []func()
}

// add routes a batch to its targets, a run of records of one day at a
// time. With day partitions a record that started outside the whole days
// (the service's end bound may be inclusive) belongs to no target and is
// left out. It returns the number of records written.
func (t *exportTargets) add(batch []callkit.Record) (int64, error) {
	if !t.partitioned {
		return int64(len(batch)), t.sinks[0].add(batch)
	}
	var n int64
	for len(batch) > 0 {
		d := t.day(&batch[0])
		run := 1
		for run < len(batch) && t.day(&batch[run]) == d {
			run++
		}
		if d >= 0 {
			if err := t.sinks[d].add(batch[:run]); err != nil {
				return n, err
			}
			n += int64(run)
		}
		batch = batch[run:]
	}
	return n, nil
}

// day is the index of r's day, -1 when it started outside the days.
func (t *exportTargets) day(r *callkit.Record) int {
	d := floorDiv(r.StartCallTs-t.firstDay, secondsPerDay)
	if d < 0 || d >= int64(len(t.sinks)) {
		return -1
	}
	return int(d)
}

// exportWritten is one committed target.
type exportWritten struct {
	location       string
	records, bytes int64
	// warning: the target is in place, but something beside it could not be
	// tidied (a leftover temporary file).
	warning error
}

// commit completes every target, in order. When one fails the rest are
// aborted and, without overwrite, the ones already completed are removed:
// nothing of the export is left.
func (t *exportTargets) commit() ([]exportWritten, error) {
	out := make([]exportWritten, 0, len(t.sinks))
	for i, s := range t.sinks {
		size, err := s.commit()
		if err != nil {
			for _, rest := range t.sinks[i+1:] {
				rest.abort()
			}
			if !t.overwrite {
				for _, done := range t.sinks[:i] {
					done.discard()
				}
			}
			t.runUndo()
			return nil, err
		}
		w := exportWritten{location: s.location(), records: s.count(), bytes: size}
		if tidy, ok := s.(interface{ warning() error }); ok {
			w.warning = tidy.warning()
		}
		out = append(out, w)
	}
	return out, nil
}

// abort drops every target.
func (t *exportTargets) abort() {
	for _, s := range t.sinks {
		s.abort()
	}
	t.runUndo()
}

func (t *exportTargets) runUndo() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}

// summarizeExport is the last progress message: every target, its records and bytes.
func summarizeExport(total int64, written []exportWritten) string {
	if len(written) == 1 {
		return fmt.Sprintf("Wrote %d records to %s (%d bytes).", total, written[0].location, written[0].bytes)
	}
	parts := make([]string, len(written))
	for i, w := range written {
		parts[i] = fmt.Sprintf("%s (%d records, %d bytes)", w.location, w.records, w.bytes)
	}
	return fmt.Sprintf("Wrote %d records to %d targets: %s.", total, len(written), strings.Join(parts, ", "))
}

// errExportAborted ends an upload's body when the export fails.
var errExportAborted = errors.New("the export failed or was cancelled: the upload is aborted")

// exportSettings are the action's destination attributes with their defaults.
type exportSettings struct {
	format, compression string
	partitioned         bool
	overwrite           bool
}

func exportSettingsFrom(cfg *callRecordsExportModel) exportSettings {
	s := exportSettings{format: cfg.Format.ValueString(), compression: cfg.Compression.ValueString(),
		partitioned: cfg.Partition.ValueString() == exportPartitionDay, overwrite: cfg.Overwrite.ValueBool()}
	if s.format == "" {
		s.format = exportFormatJSONL
	}
	if s.compression == "" {
		s.compression = exportCompressionNone
	}
	return s
}

func (s exportSettings) gzipped() bool { return s.compression == exportCompressionGzip }

// openExportTargets opens every target of the export before the walk: with
// day partitions it narrows filter to whole UTC days, one target each.
func openExportTargets(ctx context.Context, cfg *callRecordsExportModel, filter *callkit.RecordFilter) (*exportTargets, error) {
	set := exportSettingsFrom(cfg)
	t := &exportTargets{overwrite: set.overwrite, partitioned: set.partitioned}
	var days []int64
	if set.partitioned {
		first, n := exportDays(filter.StartTimestamp, filter.EndTimestamp)
		if n == 0 {
			return nil, noWholeDayError(filter.StartTimestamp, filter.EndTimestamp)
		}
		t.firstDay = first
		filter.StartTimestamp, filter.EndTimestamp = first, first+int64(n)*secondsPerDay
		for i := range n {
			days = append(days, first+int64(i)*secondsPerDay)
		}
	}
	ext := exportExtension(set.format, set.compression)
	if !cfg.S3.IsNull() {
		var m exportS3Model
		if d := cfg.S3.As(ctx, &m, objectAsOptions); d.HasError() {
			return nil, errors.New("the s3 attribute cannot be read")
		}
		keys := []string{m.Key.ValueString()}
		if set.partitioned {
			keys = keys[:0]
			for _, d := range days {
				keys = append(keys, s3DayKey(m.Key.ValueString(), d, ext))
			}
		}
		return t, openS3Targets(ctx, &m, keys, set.format, set.gzipped(), set.overwrite, t)
	}
	if !set.partitioned {
		f, err := createExport(cfg.Path.ValueString(), set.format, set.gzipped(), set.overwrite)
		if err != nil {
			return nil, err
		}
		t.sinks = append(t.sinks, f)
		return t, nil
	}
	return t, openDayFiles(cfg.Path.ValueString(), days, ext, set, t)
}

// openDayFiles creates the date= folders under dir (an existing directory)
// and a file in each; folders it created go again when the export fails.
func openDayFiles(dir string, days []int64, ext string, set exportSettings, t *exportTargets) error {
	abs, err := exportDirectory(dir)
	if err != nil {
		return err
	}
	for _, d := range days {
		folder := filepath.Join(abs, dayPartition(d))
		switch err := os.Mkdir(folder, 0o755); {
		case err == nil:
			t.undo = append(t.undo, func() { _ = os.Remove(folder) })
		case !errors.Is(err, fs.ErrExist):
			t.abort()
			return fmt.Errorf("cannot create the folder %s: %w", folder, err)
		}
		f, err := createExport(filepath.Join(folder, "calls"+ext), set.format, set.gzipped(), set.overwrite)
		if err != nil {
			t.abort()
			return err
		}
		t.sinks = append(t.sinks, f)
	}
	return nil
}

// exportDirectory: with partition = "day", path is an existing directory.
func exportDirectory(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("path %q cannot be resolved: %w", dir, err)
	}
	st, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf(`the directory %s does not exist; with partition = "day", path is an existing directory in which the date= folders are created`, abs)
	case err != nil:
		return "", fmt.Errorf("the directory %s cannot be used: %w", abs, err)
	case !st.IsDir():
		return "", fmt.Errorf(`%s is not a directory; with partition = "day", path is an existing directory in which the date= folders are created`, abs)
	}
	return abs, nil
}

var objectAsOptions = basetypes.ObjectAsOptions{}

// exportDestinationAttribute is the attribute an export error is about.
func exportDestinationAttribute(cfg *callRecordsExportModel) path.Path {
	if !cfg.S3.IsNull() {
		return path.Root("s3")
	}
	return path.Root("path")
}

// validateExportDestination checks what needs no file system or network:
// the names' endings and the endpoint.
func validateExportDestination(ctx context.Context, cfg *callRecordsExportModel, diags *diag.Diagnostics) {
	if cfg.Format.IsUnknown() || cfg.Compression.IsUnknown() || cfg.Partition.IsUnknown() {
		return
	}
	set := exportSettingsFrom(cfg)
	if !set.partitioned {
		checkKnownName(cfg.Path, path.Root("path"), "Invalid Export Path", "path", set, diags)
	}
	if cfg.S3.IsNull() || cfg.S3.IsUnknown() {
		return
	}
	var m exportS3Model
	if d := cfg.S3.As(ctx, &m, objectAsOptions); d.HasError() {
		diags.Append(d...)
		return
	}
	if !set.partitioned {
		checkKnownName(m.Key, path.Root("s3").AtName("key"), "Invalid Export Key", "s3.key", set, diags)
	}
	if !m.Endpoint.IsUnknown() && !m.Endpoint.IsNull() {
		if err := checkS3Endpoint(m.Endpoint.ValueString()); err != nil {
			diags.AddAttributeError(path.Root("s3").AtName("endpoint"), "Invalid S3 Endpoint", sentence(err))
		}
	}
}

// checkKnownName checks a known, non-empty name's ending.
func checkKnownName(v types.String, at path.Path, summary, attr string, set exportSettings, diags *diag.Diagnostics) {
	if v.IsNull() || v.IsUnknown() || v.ValueString() == "" {
		return
	}
	if err := checkExportName(attr, v.ValueString(), set.format, set.compression); err != nil {
		diags.AddAttributeError(at, summary, sentence(err))
	}
}

// planExportDays: with partition = "day" the window holds a whole UTC day
// now, and a path is an existing directory.
func planExportDays(cfg *callRecordsExportModel, diags *diag.Diagnostics) {
	w := cfg.windowModel
	if w.StartTimestamp.IsUnknown() || w.EndTimestamp.IsUnknown() || w.Lookback.IsUnknown() {
		return
	}
	filter, d := recordFilterFrom(w, callRecordsWindow, cfg.CallResult, cfg.CallType, defaultNumberPerPage, time.Now())
	if d.HasError() {
		return
	}
	if _, n := exportDays(filter.StartTimestamp, filter.EndTimestamp); n == 0 {
		diags.AddAttributeError(path.Root("partition"), "Invalid Export Window", sentence(noWholeDayError(filter.StartTimestamp, filter.EndTimestamp)))
	}
	if !cfg.Path.IsNull() && !cfg.Path.IsUnknown() {
		if _, err := exportDirectory(cfg.Path.ValueString()); err != nil {
			diags.AddAttributeError(path.Root("path"), "Invalid Export Path", sentence(err))
		}
	}
}
