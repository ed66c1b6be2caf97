// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// TestAccCallRecordsExportAction_destinationRefusals: the new destination
// attributes' bad inputs fail the plan, naming the attribute, the value and
// what is allowed, before any record is read.
func TestAccCallRecordsExportAction_destinationRefusals(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	m, url, _ := frozenRecordsMock(t, mockserver.Options{Records: 10, Seed: 36})
	s3 := func(key, endpoint string) string {
		return fmt.Sprintf("    s3 = {\n      bucket = \"b\"\n      key = %q\n      endpoint = %q\n    }", key, endpoint)
	}
	cases := []struct {
		name, body string
		want       []string
	}{
		{"path and s3", "lookback = \"1h\"\n    path = \"x.jsonl\"\n" + s3("x.jsonl", "https://cos.ap-guangzhou.myqcloud.com"),
			[]string{`2 attributes specified when one \(and only one\) of \[.*s3.*\] is required`}},
		{"neither path nor s3", `lookback = "1h"`, []string{`No attribute specified when one \(and only one\) of \[.*s3.*\] is required`}},
		{"gzip path without .gz", "lookback = \"1h\"\n    path = \"x.jsonl\"\n    compression = \"gzip\"",
			[]string{"Invalid Export Path", `Path "x.jsonl" ends in .jsonl but the export writes gzip-compressed JSON Lines: end it in .jsonl.gz`}},
		{"csv key ending .jsonl", "lookback = \"1h\"\n    format = \"csv\"\n" + s3("a/x.jsonl", "https://cos.ap-guangzhou.myqcloud.com"),
			[]string{"Invalid Export Key", `S3.key "a/x.jsonl" ends in .jsonl but the export writes CSV: end it in .csv`}},
		{"path without ending", "lookback = \"1h\"\n    path = \"calls\"",
			[]string{`Path "calls" must end in .jsonl`}},
		{"unknown compression", "lookback = \"1h\"\n    path = \"x.jsonl.zip\"\n    compression = \"zip\"",
			[]string{`Attribute compression value must be one of: \["none" "gzip"\], got: "zip"`}},
		{"unknown partition", "lookback = \"1h\"\n    path = \"x.jsonl\"\n    partition = \"hour\"",
			[]string{`Attribute partition value must be one of: \["none" "day"\], got: "hour"`}},
		{"http endpoint off loopback", "lookback = \"1h\"\n" + s3("x.jsonl", "http://s3.example.com"),
			[]string{"Invalid S3 Endpoint", `uses http:// on a host that is not loopback`}},
		{"no whole day", "lookback = \"24h\"\n    path = \".\"\n    partition = \"day\"",
			[]string{"Invalid Export Window", `narrowed to whole UTC days`, `holds none`}},
		{"day partition into a missing directory", "lookback = \"7d\"\n    path = \"no-such-dir\"\n    partition = \"day\"",
			[]string{"The directory " + filepath.Join(tf.dir, "no-such-dir") + " does not exist"}},
	}
	for _, tc := range cases {
		res := tf.invoke(t, exportConfig(url, "    "+tc.body), exportAddress)
		t.Run(tc.name, func(t *testing.T) { res.requireErrors(t, tc.want...) })
	}
	assertNoAPICalls(t, m)
}

// TestAccCallRecordsExportAction_dayFiles: partition = "day" with a path
// writes one gzip CSV per whole UTC day into date= folders, days without
// calls included (the header alone), each with exactly that day's records;
// a walk that fails leaves no folder and no file.
func TestAccCallRecordsExportAction_dayFiles(t *testing.T) {
	t.Parallel()
	tf := newActionCLI(t)
	m, url, now := frozenRecordsMock(t, mockserver.Options{Seed: 37})
	day0 := (now.Unix()/secondsPerDay - 6) * secondsPerDay
	rec := func(id string, start int64) mockserver.Record {
		return mockserver.Record{CallID: id, MediaType: "audio", RoomID: "1", RoomIDType: 1, StartCallTs: start, AcceptTs: start + 1,
			EndTs: start + 60, Caller: "u1", TotalUserNumber: 2, CallType: "single", CallResult: "normal_end", Callees: []string{"b"}}
	}
	recs := []mockserver.Record{rec("before", day0-50), rec("d1a", day0+secondsPerDay), rec("d1b", day0+2*secondsPerDay-1),
		rec("d3", day0+3*secondsPerDay+7), rec("after", day0+4*secondsPerDay+5)}
	m.AddRecords(recs...)
	out := filepath.Join(tf.dir, "archive")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf("    start_timestamp = %d\n    end_timestamp = %d\n    path = %q\n    partition = \"day\"\n    format = \"csv\"\n    compression = \"gzip\"",
		day0-100, day0+4*secondsPerDay+100, out)
	res := tf.invoke(t, exportConfig(url, body), exportAddress)
	res.requireSuccess(t)
	byDay := [][]mockserver.Record{nil, recs[1:3], nil, recs[3:4]}
	var items []string
	for i, want := range byDay {
		file := filepath.Join(out, dayPartition(day0+int64(i)*secondsPerDay), "calls.csv.gz")
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		got := rowsOf(t, gunzip(t, raw), exportFormatCSV)
		if exp := expectedRowList(want, "v1"); len(got) != len(exp) || (len(exp) > 0 && !reflect.DeepEqual(got, exp)) {
			t.Errorf("%s holds %q, want %q", file, got, exp)
		}
		items = append(items, fmt.Sprintf("%s (%d records, %d bytes)", file, len(want), len(raw)))
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 4 {
		t.Errorf("%d entries in %s, want the 4 days' folders", len(entries), out)
	}
	msgs := res.messages(exportAddress)
	if want := "Wrote 3 records to 4 targets: " + strings.Join(items, ", ") + "."; msgs[len(msgs)-1] != want {
		t.Errorf("last message %q, want %q", msgs[len(msgs)-1], want)
	}

	// The same export failing: nothing of it is left.
	failing := filepath.Join(tf.dir, "failing")
	if err := os.Mkdir(failing, 0o755); err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "get_records_by_filter") {
			http.Error(w, "upstream gone", http.StatusBadGateway)
			return
		}
		m.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	tf.invoke(t, exportConfig(proxy.URL, strings.Replace(body, out, failing, 1)), exportAddress).requireErrors(t, "Unable to Export Call Records", "502")
	if entries, _ := os.ReadDir(failing); len(entries) != 0 {
		t.Fatalf("a failed export left %d entries in %s", len(entries), failing)
	}
}
