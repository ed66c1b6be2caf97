// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

// The export's file: written whole or not at all. Records go to a temporary
// file beside the target (same directory, so the rename cannot cross file
// systems) and it is renamed into place only once the walk is complete; a
// failed or cancelled export removes it.

// The export's file formats (the action's format attribute).
const (
	exportFormatJSONL = "jsonl"
	exportFormatCSV   = "csv"
)

// exportFile is one export in progress.
type exportFile struct {
	path      string // absolute
	overwrite bool
	tmp       *os.File
	stream    *recordStream

	// remove removes the temporary name (os.Remove).
	remove func(string) error
	// leftover is set by a commit that put the file in place but could not
	// remove the temporary name: a warning, not a failure.
	leftover error
}

// recordWriter writes records in one of the export's formats.
type recordWriter interface {
	write(r *callkit.Record) error
}

// exportTarget resolves path as the export will write it: a relative path
// against the working directory, which is Terraform's (it starts the
// provider there). It checks what can be checked before the walk: the
// directory exists and is one, and an existing file at path is allowed.
func exportTarget(path string, overwrite bool) (string, error) {
	if strings.TrimSpace(path) == "" {
		return "", errors.New("path is empty: name the file to write, such as \"records.jsonl\"")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("path %q cannot be resolved: %w", path, err)
	}
	dir := filepath.Dir(abs)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("the directory %s does not exist; the export does not create directories: create it first, or choose another path", dir)
	case err != nil:
		return "", fmt.Errorf("the directory %s cannot be used: %w", dir, err)
	case !st.IsDir():
		return "", fmt.Errorf("%s is not a directory: path must name a file in an existing directory", dir)
	}
	return abs, checkExisting(abs, overwrite)
}

// checkExisting refuses a directory at path, and anything else there unless
// overwrite is set; overwrite replaces only a regular file or a symbolic link
// (the link itself, never its target). Lstat, not Stat: a symbolic link
// whose target does not exist is still something at path, and os.Link will
// not replace it.
func checkExisting(abs string, overwrite bool) error {
	st, err := os.Lstat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("%s cannot be used: %w", abs, err)
	case st.IsDir():
		return fmt.Errorf("%s is a directory: path must name a file", abs)
	case !st.Mode().IsRegular() && st.Mode()&fs.ModeSymlink == 0:
		// A FIFO would take the place of a reader's pipe, a device node
		// (/dev/null when Terraform runs as root) would be gone for good.
		return fmt.Errorf("%s is %s; the export replaces only a regular file or a symbolic link, even with overwrite = true: choose another path", abs, fileKind(st.Mode()))
	case overwrite:
		return nil
	case st.Mode()&fs.ModeSymlink != 0:
		return existsError("the symbolic link " + abs)
	}
	return existsError("the file " + abs)
}

// fileKind names what is at a path that is neither a file, a link nor a directory.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return fmt.Sprintf("a special file (mode %s)", m.Type())
}

// existsError: what is at path stops an export without overwrite.
func existsError(what string) error {
	return fmt.Errorf("%s already exists; set overwrite = true to replace it, or choose another path", what)
}

// createExport starts an export to path (see exportTarget) in format,
// gzip-compressed or not.
func createExport(path, format string, gzipped, overwrite bool) (*exportFile, error) {
	abs, err := exportTarget(path, overwrite)
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("cannot create a temporary file beside %s: %w", abs, err)
	}
	e := &exportFile{path: abs, overwrite: overwrite, tmp: tmp, remove: os.Remove}
	if e.stream, err = newRecordStream(tmp, format, gzipped); err != nil {
		e.abort()
		return nil, err
	}
	return e, nil
}

// add writes a batch of records. Its error says how many records had
// reached the file: those before the batch and of it, not the batch whole.
func (e *exportFile) add(batch []callkit.Record) error {
	for i := range batch {
		if err := e.stream.write(&batch[i]); err != nil {
			return fmt.Errorf("the export stopped after %d records had reached the file: writing %s: %w", e.stream.written, e.tmp.Name(), err)
		}
	}
	return nil
}

func (e *exportFile) location() string { return e.path }

func (e *exportFile) count() int64 { return e.stream.records }

// discard removes the committed file (see exportSink).
func (e *exportFile) discard() { _ = os.Remove(e.path) }

// warning is what a commit that succeeded could not tidy (see exportSink).
func (e *exportFile) warning() error { return e.leftover }

// commit completes the file and puts it at path; it returns the file's
// size. On an error nothing is left behind. When only the removal of the
// temporary name fails, the export has succeeded: leftover says so.
func (e *exportFile) commit() (int64, error) {
	err := e.stream.finish()
	if err == nil {
		err = e.tmp.Sync()
	}
	if cerr := e.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = e.place()
	}
	// The temporary name goes whatever happened: after a failure it is all
	// that is left of the export, after a hard link a second name of the
	// file at path, after a rename already gone.
	rerr := e.remove(e.tmp.Name())
	switch {
	case err != nil:
		return 0, err
	case rerr != nil && !errors.Is(rerr, fs.ErrNotExist):
		e.leftover = fmt.Errorf("%s is complete, but its temporary file %s could not be removed (%w): remove it by hand", e.path, e.tmp.Name(), rerr)
	}
	return e.stream.out.n, nil
}

// place puts the complete temporary file at path. Without overwrite a hard
// link puts it there only if nothing is at path at that moment.
func (e *exportFile) place() error {
	if e.overwrite {
		// Again at the last moment: a FIFO may have been made meanwhile.
		if err := checkExisting(e.path, true); err != nil {
			return err
		}
		return os.Rename(e.tmp.Name(), e.path)
	}
	err := os.Link(e.tmp.Name(), e.path)
	switch {
	case errors.Is(err, fs.ErrExist):
		// Something was at path, even when it is gone by the time
		// checkExisting looks: refuse either way.
		if err := checkExisting(e.path, false); err != nil {
			return err
		}
		return existsError("something put at " + e.path + " while the export ran")
	case err != nil:
		// A file system without hard links: check, then rename.
		if err := checkExisting(e.path, false); err != nil {
			return err
		}
		return os.Rename(e.tmp.Name(), e.path)
	}
	return nil
}

// abort removes the temporary file: a failed or cancelled export leaves
// nothing behind.
func (e *exportFile) abort() {
	_ = e.tmp.Close()
	_ = os.Remove(e.tmp.Name())
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// csvColumns are the CSV header: the attribute names of a record, in the
// order of recordJSON.
var csvColumns = []string{"call_id", "sdk_app_id", "media_type", "room_id", "room_id_type", "start_call_ts",
	"accept_ts", "end_ts", "caller", "total_user_number", "call_type", "call_result", "callees"}

// csvRecordWriter writes RFC 4180 CSV: CRLF line ends, a field quoted when it
// holds a comma, a double quote, CR or LF, quotes doubled inside. A value the
// API did not report is an empty field; callees are joined with ";". A text
// cell that a spreadsheet would run as a formula gets a leading ' (textCell).
type csvRecordWriter struct {
	w      *bufio.Writer
	fields []string
}

func newCSVRecordWriter(w *bufio.Writer) (*csvRecordWriter, error) {
	c := &csvRecordWriter{w: w, fields: make([]string, len(csvColumns))}
	return c, c.line(csvColumns)
}

func (c *csvRecordWriter) write(r *callkit.Record) error {
	f := c.fields
	f[0], f[1], f[2], f[3], f[4] = textCell(r.CallID), strconv.FormatInt(r.SDKAppID, 10), textCell(r.MediaType), textCell(r.RoomID), optionalInt(r.RoomIDType)
	f[5], f[6], f[7] = strconv.FormatInt(r.StartCallTs, 10), strconv.FormatInt(r.AcceptTs, 10), strconv.FormatInt(r.EndTs, 10)
	f[8], f[9], f[10], f[11] = textCell(r.Caller), optionalInt(r.TotalUserNumber), textCell(r.CallType), textCell(r.CallResult)
	f[12] = textCell(strings.Join(r.Callees, ";"))
	return c.line(f)
}

// textCell neutralises a text cell as OWASP recommends against CSV
// injection: one that begins with =, +, -, @, a tab or a carriage return
// gets one leading ', so a spreadsheet shows it and never runs it. Room IDs,
// callers and callees are chosen by the app's clients, so by anyone.
// Always, not only for known formulas: "-1+1" is one too. Number cells are
// written by the provider and never begin so (but for a negative number,
// which a spreadsheet reads as the number it is).
func textCell(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

func (c *csvRecordWriter) line(fields []string) error {
	for i, f := range fields {
		if i > 0 {
			_ = c.w.WriteByte(',')
		}
		if !strings.ContainsAny(f, ",\"\r\n") {
			_, _ = c.w.WriteString(f)
			continue
		}
		_ = c.w.WriteByte('"')
		_, _ = c.w.WriteString(strings.ReplaceAll(f, `"`, `""`))
		_ = c.w.WriteByte('"')
	}
	// bufio.Writer keeps its first error and returns it from every later call.
	_, err := c.w.WriteString("\r\n")
	return err
}

// sentence is an error as a diagnostic's detail: capitalised, with a full stop.
func sentence(err error) string {
	msg := err.Error()
	r, size := utf8.DecodeRuneInString(msg)
	return string(unicode.ToUpper(r)) + msg[size:] + "."
}

func optionalInt(v *int64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatInt(*v, 10)
}
