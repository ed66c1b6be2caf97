// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

// exportEdgeRecords are records that exercise both formats' encoding: the
// quoting characters of CSV, JSON escapes, multi-byte text, nulls and
// callee lists of zero, one and several.
func exportEdgeRecords() []callkit.Record {
	two, one := int64(2), int64(1)
	return []callkit.Record{
		{CallID: "plain", SDKAppID: 1400000000, MediaType: "audio", RoomID: "42", StartCallTs: 1700000000, AcceptTs: 1700000001,
			EndTs: 1700000060, Caller: "alice", TotalUserNumber: &two, CallType: "single", CallResult: "normal_end", Callees: []string{"bob"}},
		{CallID: `quote"comma,`, SDKAppID: 1400000000, MediaType: "video", RoomID: "line\nbreak\r\nroom", RoomIDType: &one,
			StartCallTs: 1700000100, Caller: "用户 <é>&", CallType: "group", CallResult: "cancel", Callees: []string{"a", "b;c", "d"}},
		{CallID: " leading space", SDKAppID: 1400000000, MediaType: "audio", RoomID: "", StartCallTs: 1700000200,
			Caller: "", CallType: "single", CallResult: "reject", Callees: nil},
	}
}

// readBack writes recs in format through an export to a fresh file and returns its content.
func readBack(t *testing.T, format string, recs []callkit.Record) []byte {
	t.Helper()
	target := filepath.Join(t.TempDir(), "out."+format)
	e, err := createExport(target, format, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.add(recs); err != nil {
		t.Fatal(err)
	}
	size, err := e.commit()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	if size != int64(len(raw)) {
		t.Errorf("commit reports %d bytes, the file has %d", size, len(raw))
	}
	assertOnlyFiles(t, filepath.Dir(target), filepath.Base(target))
	return raw
}

// assertOnlyFiles: dir holds exactly these names (no temporary file left).
func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !reflect.DeepEqual(got, names) && (len(got) != 0 || len(names) != 0) {
		t.Fatalf("%s holds %q, want %q", dir, got, names)
	}
}

// TestExportCSV_rfc4180: a standard CSV reader gets back every field as it
// was, nulls as empty fields, callees joined with ";"; lines end in CRLF.
func TestExportCSV_rfc4180(t *testing.T) {
	t.Parallel()
	recs := exportEdgeRecords()
	raw := readBack(t, exportFormatCSV, recs)
	if !strings.HasPrefix(string(raw), strings.Join(csvColumns, ",")+"\r\n") || !strings.HasSuffix(string(raw), "\r\n") {
		t.Fatalf("no CRLF header line:\n%q", raw)
	}
	rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil {
		t.Fatalf("not RFC 4180 CSV: %v\n%s", err, raw)
	}
	want := [][]string{csvColumns,
		{"plain", "1400000000", "audio", "42", "", "1700000000", "1700000001", "1700000060", "alice", "2", "single", "normal_end", "bob"},
		// encoding/csv reads a quoted CRLF as LF; the file holds it as written (checked below).
		{`quote"comma,`, "1400000000", "video", "line\nbreak\nroom", "1", "1700000100", "0", "0", "用户 <é>&", "", "group", "cancel", "a;b;c;d"},
		{" leading space", "1400000000", "audio", "", "", "1700000200", "0", "0", "", "", "single", "reject", ""},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("read back:\n%q\nwant:\n%q", rows, want)
	}
	if !strings.Contains(string(raw), "\"quote\"\"comma,\",") || !strings.Contains(string(raw), "\"line\nbreak\r\nroom\"") {
		t.Fatalf("quoting is not RFC 4180's:\n%q", raw)
	}
}

// TestExportJSONL_nulls: one object a line, the record's attribute names,
// null where the API reported nothing, callees always a list.
func TestExportJSONL_nulls(t *testing.T) {
	t.Parallel()
	recs := exportEdgeRecords()
	raw := readBack(t, exportFormatJSONL, recs)
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	var lines []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d is not a JSON object: %v", len(lines)+1, err)
		}
		lines = append(lines, m)
	}
	if len(lines) != len(recs) {
		t.Fatalf("%d lines, want %d", len(lines), len(recs))
	}
	for _, m := range lines {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		if want := slices.Sorted(slices.Values(csvColumns)); !reflect.DeepEqual(slices.Sorted(slices.Values(keys)), want) {
			t.Errorf("keys %v, want the CSV columns %v", keys, want)
		}
	}
	if got, want := slices.Sorted(maps.Keys(recordAttrTypes)), slices.Sorted(slices.Values(csvColumns)); !reflect.DeepEqual(got, want) {
		t.Errorf("the columns %v are not the record's attributes %v", want, got)
	}
	if lines[0]["room_id_type"] != nil || lines[1]["total_user_number"] != nil || lines[0]["total_user_number"] != float64(2) {
		t.Errorf("nulls: %v / %v", lines[0], lines[1])
	}
	if c, ok := lines[2]["callees"].([]any); !ok || len(c) != 0 {
		t.Errorf("no callees: %#v, want []", lines[2]["callees"])
	}
	if lines[1]["caller"] != "用户 <é>&" || lines[1]["room_id"] != "line\nbreak\r\nroom" {
		t.Errorf("strings: %v", lines[1])
	}
	if !strings.Contains(string(raw), `"room_id_type":null`) {
		t.Errorf("null is not written as null:\n%s", raw)
	}
}

// TestExportFile_wholeOrNothing: an existing file is refused without
// overwrite (named in the error) and replaced with it; a missing directory is
// a clear error; an aborted export leaves neither the file nor a temporary
// file; a file that appears at path during the export is not clobbered.
func TestExportFile_wholeOrNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "records.jsonl")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}

	if _, err := createExport(target, exportFormatJSONL, false, false); err == nil || !strings.Contains(err.Error(), target+" already exists") {
		t.Fatalf("existing file without overwrite: %v", err)
	}
	e, err := createExport(target, exportFormatJSONL, false, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.add(exportEdgeRecords()[:1]); err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(target); string(raw) != "old" {
		t.Fatalf("the file changed before the export was complete: %q", raw)
	}
	if _, err := e.commit(); err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(target); !strings.HasPrefix(string(raw), `{"call_id":"plain"`) {
		t.Fatalf("overwrite: %q", raw)
	}
	assertOnlyFiles(t, dir, "records.jsonl")

	missing := filepath.Join(dir, "no-such-dir", "out.csv")
	if _, err := createExport(missing, exportFormatCSV, false, false); err == nil || !strings.Contains(err.Error(), "the directory "+filepath.Join(dir, "no-such-dir")+" does not exist") {
		t.Fatalf("missing directory: %v", err)
	}
	if _, err := createExport(dir, exportFormatCSV, false, true); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("a directory as path: %v", err)
	}

	fresh := filepath.Join(dir, "fresh.csv")
	e, err = createExport(fresh, exportFormatCSV, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.add(exportEdgeRecords()); err != nil {
		t.Fatal(err)
	}
	e.abort()
	assertOnlyFiles(t, dir, "records.jsonl")

	e, err = createExport(fresh, exportFormatCSV, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fresh, []byte("someone else's"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := e.commit(); err == nil || !strings.Contains(err.Error(), fresh+" already exists") {
		t.Fatalf("a file that appeared meanwhile: %v", err)
	}
	if raw, _ := os.ReadFile(fresh); string(raw) != "someone else's" {
		t.Fatalf("the other file was replaced: %q", raw)
	}
	assertOnlyFiles(t, dir, "fresh.csv", "records.jsonl")
}

// TestExportFile_danglingSymlink: a symbolic link at path whose target does
// not exist is something at path: refused before the walk without overwrite,
// and when it appears during the export the commit fails, names path, leaves
// the link alone and removes the temporary file (os.Stat follows the link and
// would see nothing there).
func TestExportFile_danglingSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	link := filepath.Join(dir, "records.jsonl")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), link); err != nil {
		t.Fatal(err)
	}
	if _, err := createExport(link, exportFormatJSONL, false, false); err == nil || !strings.Contains(err.Error(), link+" already exists") {
		t.Fatalf("a dangling link at path without overwrite: %v", err)
	}
	assertOnlyFiles(t, dir, "records.jsonl")

	late := filepath.Join(dir, "late.jsonl")
	e, err := createExport(late, exportFormatJSONL, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.add(exportEdgeRecords()); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "nowhere"), late); err != nil {
		t.Fatal(err)
	}
	if _, err := e.commit(); err == nil || !strings.Contains(err.Error(), late+" already exists") || !strings.Contains(err.Error(), "overwrite = true") {
		t.Fatalf("a dangling link that appeared meanwhile: %v", err)
	}
	if target, err := os.Readlink(late); err != nil || target != filepath.Join(dir, "nowhere") {
		t.Fatalf("the link at path changed: %q, %v", target, err)
	}
	assertOnlyFiles(t, dir, "late.jsonl", "records.jsonl")

	e, err = createExport(link, exportFormatJSONL, false, true)
	if err != nil {
		t.Fatalf("a dangling link at path with overwrite: %v", err)
	}
	if err := e.add(exportEdgeRecords()[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := e.commit(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || !st.Mode().IsRegular() {
		t.Fatalf("overwrite did not replace the link with the file: %v, %v", st, err)
	}
	assertOnlyFiles(t, dir, "late.jsonl", "records.jsonl")
}
