// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"testing"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

const exportAddress = "action.tencentcallkit_call_records_export.out"

// exportConfig is a provider block and one export action named out.
func exportConfig(mockURL, body string) string {
	return testProviderConfig(mockURL) + "\naction \"tencentcallkit_call_records_export\" \"out\" {\n  config {\n" + body + "\n  }\n}\n"
}

// jsonlRows reads a JSON Lines export as recordRowsOutput's rows.
func jsonlRows(t *testing.T, file string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r recordJSON // its names: TestExportJSONL_nulls
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("line %d: %v", len(rows)+1, err)
		}
		opt := func(v *int64) string {
			if v == nil {
				return "-"
			}
			return strconv.FormatInt(*v, 10)
		}
		rows = append(rows, strings.Join([]string{r.CallID, strconv.FormatInt(r.SDKAppID, 10), r.MediaType, r.RoomID, opt(r.RoomIDType),
			strconv.FormatInt(r.StartCallTs, 10), strconv.FormatInt(r.AcceptTs, 10), strconv.FormatInt(r.EndTs, 10), r.Caller,
			opt(r.TotalUserNumber), r.CallType, r.CallResult, strings.Join(r.Callees, ",")}, "|"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// csvRows reads a CSV export as recordRowsOutput's rows (an empty number is
// a null: "-"), after checking its header.
func csvRows(t *testing.T, file string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 || !reflect.DeepEqual(all[0], csvColumns) {
		t.Fatalf("header %q, want %q", all[:min(1, len(all))], csvColumns)
	}
	var rows []string
	for _, row := range all[1:] {
		for _, i := range []int{4, 9} { // room_id_type, total_user_number
			if row[i] == "" {
				row[i] = "-"
			}
		}
		row[12] = strings.ReplaceAll(row[12], ";", ",")
		rows = append(rows, strings.Join(row, "|"))
	}
	return rows
}

func expectedRowList(recs []mockserver.Record, version string) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = expectedRow(r, version)
	}
	return out
}

// TestAccCallRecordsExportAction_files exports the mock's records through
// `terraform apply -invoke`: JSON Lines from v1 to a relative path (which
// lands in Terraform's working directory) and CSV from v4 to an absolute
// one; each file holds exactly the mock's records, and the progress
// messages give the count of the announced total and, at the end, the
// count, the file and its size.
func TestAccCallRecordsExportAction_files(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	m, url, now := frozenRecordsMock(t, mockserver.Options{Records: 456, Seed: 31})
	recs := m.Records()

	res := tf.invoke(t, exportConfig(url, fmt.Sprintf(`    start_timestamp = %d
    path            = "calls.jsonl"
    number_per_page = 50`, weekAgo(now))), exportAddress)
	res.requireSuccess(t)
	file := filepath.Join(tf.dir, "calls.jsonl")
	if got, want := jsonlRows(t, file), expectedRowList(recs, "v1"); !reflect.DeepEqual(got, want) {
		t.Fatalf("the JSON Lines file holds %d records, want the mock's %d (first difference shown by the rows)\n got %.300q\nwant %.300q", len(got), len(want), got, want)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	msgs := res.messages(exportAddress)
	wantLast := fmt.Sprintf("Wrote %d records to %s (%d bytes).", len(recs), file, st.Size())
	if len(msgs) < 2 || msgs[0] != fmt.Sprintf("50 of %d records written", len(recs)) || msgs[len(msgs)-1] != wantLast {
		t.Fatalf("progress messages %q, want the first batch (50 of %d) and last %q", msgs, len(recs), wantLast)
	}

	out := filepath.Join(t.TempDir(), "calls.csv")
	res = tf.invoke(t, exportConfig(url, fmt.Sprintf(`    lookback    = "7d"
    api_version = "v4"
    format      = "csv"
    path        = %q`, out)), exportAddress)
	res.requireSuccess(t)
	if got, want := csvRows(t, out), expectedRowList(recs, "v4"); !reflect.DeepEqual(got, want) {
		t.Fatalf("the CSV file holds %d records, want the mock's %d\n got %.300q\nwant %.300q", len(got), len(want), got, want)
	}
	assertOnlyFiles(t, filepath.Dir(out), "calls.csv")
}

// TestAccCallRecordsExportAction_planTimeRefusals: every bad input fails
// the plan with an error naming the attribute and what is allowed, before
// any record is read; overwrite = true then replaces the existing file.
func TestAccCallRecordsExportAction_planTimeRefusals(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	m, url, _ := frozenRecordsMock(t, mockserver.Options{Records: 30, Seed: 32})
	existing := filepath.Join(tf.dir, "old.jsonl")
	if err := os.WriteFile(existing, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(tf.dir, "folder.jsonl"), 0o755); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(tf.dir, "dangling.jsonl")
	if err := os.Symlink(filepath.Join(tf.dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, body string
		want       []string
	}{
		{"existing file", `lookback = "1h"
    path = "old.jsonl"`, []string{"Invalid Export Path", "The file " + existing + " already exists; set overwrite = true"}},
		{"dangling symbolic link", `lookback = "1h"
    path = "dangling.jsonl"`, []string{"Invalid Export Path", "The symbolic link " + dangling + " already exists; set overwrite = true"}},
		{"missing directory", `lookback = "1h"
    path = "no-such-dir/out.jsonl"`, []string{"The directory " + filepath.Join(tf.dir, "no-such-dir") + " does not exist"}},
		{"path a directory", `lookback = "1h"
    path = "folder.jsonl"
    overwrite = true`, []string{filepath.Join(tf.dir, "folder.jsonl") + " is a directory: path must name a file"}},
		{"empty path", `lookback = "1h"
    path = ""`, []string{"Attribute path string length must be at least 1"}},
		{"unknown format", `lookback = "1h"
    path = "x.json"
    format = "json"`, []string{`Attribute format value must be one of: \["jsonl" "csv"\], got: "json"`}},
		{"max_records zero", `lookback = "1h"
    path = "x.jsonl"
    max_records = 0`, []string{"Attribute max_records value must be between 1 and 10000000, got: 0"}},
		{"no window", `path = "x.jsonl"`, []string{"Missing Time Window"}},
		{"millisecond timestamp", `start_timestamp = 1700000000000
    path = "x.jsonl"`, []string{"looks like a timestamp in milliseconds"}},
		{"unknown call_type", `lookback = "1h"
    call_type = "conference"
    path = "x.jsonl"`, []string{`Attribute call_type value must be one of: \["single" "group"\], got: "conference"`}},
	}
	for _, tc := range cases {
		res := tf.invoke(t, exportConfig(url, "    "+tc.body), exportAddress)
		t.Run(tc.name, func(t *testing.T) { res.requireErrors(t, tc.want...) })
	}
	assertNoAPICalls(t, m)
	if raw, _ := os.ReadFile(existing); string(raw) != "keep me\n" {
		t.Fatalf("the existing file changed: %q", raw)
	}

	tf.invoke(t, exportConfig(url, `    lookback = "7d"
    path = "old.jsonl"
    overwrite = true`), exportAddress).requireSuccess(t)
	if rows := jsonlRows(t, existing); len(rows) != 30 {
		t.Fatalf("after overwrite the file holds %d records, want 30", len(rows))
	}
}

// TestAccCallRecordsExportAction_maxRecords: exactly max_records records
// succeed; one more matching record fails the export with the count, and
// no file is written.
func TestAccCallRecordsExportAction_maxRecords(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	_, url, now := frozenRecordsMock(t, mockserver.Options{Records: 250, Seed: 33})
	body := func(file string, limit int) string {
		return fmt.Sprintf("    start_timestamp = %d\n    path = %q\n    max_records = %d", weekAgo(now), file, limit)
	}
	tf.invoke(t, exportConfig(url, body("exact.jsonl", 250)), exportAddress).requireSuccess(t)
	if rows := jsonlRows(t, filepath.Join(tf.dir, "exact.jsonl")); len(rows) != 250 {
		t.Fatalf("%d records written, want 250", len(rows))
	}
	res := tf.invoke(t, exportConfig(url, body("over.jsonl", 249)), exportAddress)
	res.requireErrors(t, "Unable to Export Call Records", "250 records match", "max_records = 249")
	if _, err := os.Stat(filepath.Join(tf.dir, "over.jsonl")); !os.IsNotExist(err) {
		t.Fatalf("a file was written: %v", err)
	}
	assertNoTemporaryFiles(t, tf.dir)
}

// TestAccCallRecordsExportAction_failsHalfWay: a walk that fails after some
// pages were written leaves no file at path and no temporary file.
func TestAccCallRecordsExportAction_failsHalfWay(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	m, _, now := frozenRecordsMock(t, mockserver.Options{Records: 500, Seed: 34})
	var pages atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "get_records_by_filter") && pages.Add(1) > 3 {
			http.Error(w, "upstream gone", http.StatusBadGateway)
			return
		}
		m.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)

	res := tf.invoke(t, exportConfig(proxy.URL, fmt.Sprintf("    start_timestamp = %d\n    path = \"half.csv\"\n    format = \"csv\"", weekAgo(now))), exportAddress)
	res.requireErrors(t, "Unable to Export Call Records", "502")
	if pages.Load() < 4 {
		t.Fatalf("the export asked for %d pages: it failed before writing any", pages.Load())
	}
	if msgs := res.messages(exportAddress); len(msgs) == 0 {
		t.Error("no progress before the failure: the failure did not come half-way")
	}
	if _, err := os.Stat(filepath.Join(tf.dir, "half.csv")); !os.IsNotExist(err) {
		t.Fatalf("a file was written: %v", err)
	}
	assertNoTemporaryFiles(t, tf.dir)
}

// assertNoTemporaryFiles: no export's temporary file is left in dir.
func assertNoTemporaryFiles(t *testing.T, dir string) {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if err != nil {
		t.Fatal(err)
	}
	if len(matches) > 0 {
		t.Fatalf("temporary files left: %q", matches)
	}
}

// TestAccCallRecordsExportAction_movingData: calls that end while the export
// walks (records appearing behind and ahead of its position) never make it
// write a record twice or miss one that matched for the whole walk.
func TestAccCallRecordsExportAction_movingData(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	m, _, now := frozenRecordsMock(t, mockserver.Options{Records: 600, Seed: 35})
	before := m.Records()
	var pages atomic.Int64
	var added []mockserver.Record
	for i := range 40 {
		// Spread over the whole window: some land before the walk's position, some after.
		start := weekAgo(now) + int64(i)*int64(6*24*3600/40) + 17
		added = append(added, mockserver.Record{CallID: fmt.Sprintf("late-%02d", i), MediaType: "audio", RoomID: "9", RoomIDType: 1,
			StartCallTs: start, AcceptTs: start + 1, EndTs: start + 30, Caller: "late", TotalUserNumber: 2, CallType: "single",
			CallResult: "normal_end", Callees: []string{"x"}})
	}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "get_records_by_filter") && pages.Add(1) == 3 {
			m.AddRecords(added...)
		}
		m.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)

	tf.invoke(t, exportConfig(proxy.URL, fmt.Sprintf("    start_timestamp = %d\n    end_timestamp = %d\n    path = \"moving.jsonl\"\n    number_per_page = 50",
		weekAgo(now), now.Unix())), exportAddress).requireSuccess(t)
	rows := jsonlRows(t, filepath.Join(tf.dir, "moving.jsonl"))
	seen := map[string]int{}
	for _, row := range rows {
		id, _, _ := strings.Cut(row, "|")
		seen[id]++
		if seen[id] > 1 {
			t.Errorf("%s written twice", id)
		}
	}
	for _, r := range before {
		if seen[r.CallID] != 1 {
			t.Errorf("%s, present for the whole walk, written %d times", r.CallID, seen[r.CallID])
		}
	}
	if extra := len(rows) - len(before); extra < 0 || extra > len(added) {
		t.Errorf("%d records written: %d present throughout plus %d of the %d that arrived", len(rows), len(before), extra, len(added))
	}
	if pages.Load() < 4 {
		t.Fatalf("%d pages: the records arrived after the walk", pages.Load())
	}
}

// TestCallRecordsExportAction_unknownValues: with any attribute unknown (a
// variable at validate, another resource's output at plan), or all of them,
// validation and planning raise no error; a known bad value beside them still
// does.
func TestCallRecordsExportAction_unknownValues(t *testing.T) {
	t.Parallel()
	s := newTwoServers(t)
	const typ = "tencentcallkit_call_records_export"
	as, ok := s.schemas.ActionSchemas[typ]
	if !ok {
		t.Fatalf("no %s action schema", typ)
	}
	srv, ok := s.served.(tfprotov6.ActionServer)
	if !ok {
		t.Fatal("the served server is not an action server")
	}
	objType, ok := as.Schema.ValueType().(tftypes.Object)
	if !ok {
		t.Fatal("the action schema is not an object")
	}
	base := map[string]any{"lookback": "1h", "path": filepath.Join(t.TempDir(), "x.jsonl")}
	check := func(name string, set map[string]any, wantErr bool) {
		cfg, err := configValue(as.Schema, set)
		if err != nil {
			t.Fatal(err)
		}
		v, err := srv.ValidateActionConfig(t.Context(), &tfprotov6.ValidateActionConfigRequest{ActionType: typ, Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		p, err := srv.PlanAction(t.Context(), &tfprotov6.PlanActionRequest{ActionType: typ, Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		diags := append(v.Diagnostics, p.Diagnostics...)
		if hasErr := len(diags) > 0; hasErr != wantErr {
			t.Errorf("%s: diagnostics%s, want an error: %v", name, describeDiags(diags), wantErr)
		}
	}
	all := map[string]any{}
	for attr, at := range objType.AttributeTypes {
		set := copyMap(base)
		set[attr] = tftypes.NewValue(at, tftypes.UnknownValue)
		check(attr+" unknown", set, false)
		all[attr] = tftypes.NewValue(at, tftypes.UnknownValue)
	}
	check("all unknown", all, false)
	bad := copyMap(base)
	bad["path"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	bad["format"] = "xml"
	check("known bad format beside an unknown path", bad, true)
}
