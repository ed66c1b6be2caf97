// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

// TestExportDays: the window narrowed to whole UTC days, start rounded up
// and end rounded down.
func TestExportDays(t *testing.T) {
	const day = secondsPerDay
	d0 := int64(20429) * day // 2025-12-07 00:00 UTC
	cases := []struct {
		start, end, first int64
		days              int
	}{
		{d0, d0 + day, d0, 1},
		{d0 + 1, d0 + 3*day - 1, d0 + day, 1},
		{d0 - 1, d0 + 2*day, d0, 2},
		{d0 + 1, d0 + 2*day - 1, d0 + day, 0},
		{d0 + 10, d0 + day + 10, d0 + day, 0},
	}
	for _, c := range cases {
		first, n := exportDays(c.start, c.end)
		if n != c.days || (n > 0 && first != c.first) {
			t.Errorf("exportDays(%d, %d) = %d, %d; want %d, %d", c.start, c.end, first, n, c.first, c.days)
		}
	}
	if got := s3DayKey("archive/calls/", d0, ".csv.gz"); got != "archive/calls/date=2025-12-07/calls.csv.gz" {
		t.Errorf("s3DayKey = %q", got)
	}
	if got := s3DayKey("", d0, ".jsonl"); got != "date=2025-12-07/calls.jsonl" {
		t.Errorf("s3DayKey without prefix = %q", got)
	}
}

// TestCheckExportName: the ending must match format and compression.
func TestCheckExportName(t *testing.T) {
	ok := []struct{ name, format, compression string }{
		{"a.jsonl", "", ""}, {"a.jsonl", "jsonl", "none"}, {"x/a.csv", "csv", "none"},
		{"a.jsonl.gz", "jsonl", "gzip"}, {"a.csv.gz", "csv", "gzip"},
	}
	for _, c := range ok {
		if err := checkExportName("path", c.name, c.format, c.compression); err != nil {
			t.Errorf("%q %s/%s refused: %v", c.name, c.format, c.compression, err)
		}
	}
	bad := []struct{ name, format, compression, want string }{
		{"a.jsonl", "jsonl", "gzip", "ends in .jsonl but the export writes gzip-compressed JSON Lines: end it in .jsonl.gz"},
		{"a.csv.gz", "csv", "none", "ends in .csv.gz but the export writes CSV: end it in .csv"},
		{"a.json", "", "", "must end in .jsonl"},
		{".jsonl", "", "", "must end in .jsonl"},
		{"dir/.csv", "csv", "", "must end in .csv"},
	}
	for _, c := range bad {
		if err := checkExportName("path", c.name, c.format, c.compression); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q %s/%s: %v, want %q", c.name, c.format, c.compression, err, c.want)
		}
	}
}

// TestCheckS3Endpoint: https anywhere, http on loopback only.
func TestCheckS3Endpoint(t *testing.T) {
	for _, ok := range []string{"https://cos.ap-guangzhou.myqcloud.com", "http://127.0.0.1:8333", "http://[::1]:9000", "http://localhost:9000"} {
		if err := checkS3Endpoint(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://s3.example.com", "http://10.0.0.1:9000", "ftp://x", "cos.ap-guangzhou.myqcloud.com", ""} {
		if err := checkS3Endpoint(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestRecordStream_gzip: a gzip stream decompresses to what the plain
// stream writes, and counts the compressed bytes.
func TestRecordStream_gzip(t *testing.T) {
	recs := exportEdgeRecords()
	var plain, zipped bytes.Buffer
	for _, c := range []struct {
		buf *bytes.Buffer
		gz  bool
	}{{&plain, false}, {&zipped, true}} {
		s, err := newRecordStream(c.buf, exportFormatCSV, c.gz)
		if err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			if err := s.write(&recs[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.finish(); err != nil {
			t.Fatal(err)
		}
		if s.out.n != int64(c.buf.Len()) || s.records != int64(len(recs)) {
			t.Fatalf("counted %d bytes, %d records; wrote %d bytes, %d records", s.out.n, s.records, c.buf.Len(), len(recs))
		}
	}
	z, err := gzip.NewReader(&zipped)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plain.Bytes()) {
		t.Fatalf("gunzipped %q, want %q", got, plain.Bytes())
	}
}

// TestExportTargets_routesByDay: records go to their UTC day's target;
// records outside the days are left out.
func TestExportTargets_routesByDay(t *testing.T) {
	d0 := int64(20429) * secondsPerDay
	sinks := []*memSink{{}, {}}
	tg := &exportTargets{sinks: []exportSink{sinks[0], sinks[1]}, firstDay: d0, partitioned: true}
	batch := []callkit.Record{{CallID: "early", StartCallTs: d0 - 1}, {CallID: "a", StartCallTs: d0}, {CallID: "b", StartCallTs: d0 + secondsPerDay - 1},
		{CallID: "c", StartCallTs: d0 + secondsPerDay}, {CallID: "late", StartCallTs: d0 + 2*secondsPerDay}, {CallID: "a2", StartCallTs: d0 + 5}}
	n, err := tg.add(batch)
	if err != nil || n != 4 {
		t.Fatalf("add = %d, %v; want 4 records", n, err)
	}
	if got := strings.Join(sinks[0].ids, ","); got != "a,b,a2" {
		t.Errorf("day 0 holds %s", got)
	}
	if got := strings.Join(sinks[1].ids, ","); got != "c" {
		t.Errorf("day 1 holds %s", got)
	}
}

type memSink struct{ ids []string }

func (m *memSink) add(batch []callkit.Record) error {
	for _, r := range batch {
		m.ids = append(m.ids, r.CallID)
	}
	return nil
}
func (m *memSink) commit() (int64, error) { return 0, nil }
func (m *memSink) abort()                 {}
func (m *memSink) discard()               {}
func (m *memSink) location() string       { return "mem" }
func (m *memSink) count() int64           { return int64(len(m.ids)) }
