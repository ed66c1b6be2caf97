// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

// The export to object storage, against a real S3-compatible server started
// as its own process: SeaweedFS's S3 gateway (scripts/s3-server.sh; `make
// testacc-s3` starts it and runs these tests on the newest Terraform). Every
// check goes through the S3 API: objects read back, and ListMultipartUploads
// for uploads left behind.
//
// Without a server (TENCENTCALLKIT_ACC_S3_ENDPOINT unset) the tests skip and
// say why; with TENCENTCALLKIT_ACC_S3_REQUIRED=1 (make testacc-s3, .ci/run)
// any skip, the engine's included, is a failure.

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/mockserver"
)

const (
	s3EndpointEnv = "TENCENTCALLKIT_ACC_S3_ENDPOINT"
	s3RequiredEnv = "TENCENTCALLKIT_ACC_S3_REQUIRED"
)

// s3Acc is one test's bucket on the S3 server and the Terraform harness
// whose provider gets the server's credentials in its environment.
type s3Acc struct {
	tf       *actionCLI
	client   *s3.Client
	endpoint string
	bucket   string
}

var s3BucketSeq atomic.Int64

// newS3Acc returns the harness with a fresh bucket, or skips the test (a
// failure when TENCENTCALLKIT_ACC_S3_REQUIRED=1).
func newS3Acc(t *testing.T) *s3Acc {
	t.Helper()
	required := os.Getenv(s3RequiredEnv) == "1"
	if required {
		// Under make testacc-s3 a skip of any kind is a failure.
		t.Cleanup(func() {
			if t.Skipped() {
				t.Errorf("%s=1: this S3 test was skipped, which counts as a failure", s3RequiredEnv)
			}
		})
	}
	endpoint := os.Getenv(s3EndpointEnv)
	if endpoint == "" {
		if os.Getenv("TF_ACC") != "" && required {
			t.Fatalf("%s=1 but %s is unset: start the server with scripts/s3-server.sh (make testacc-s3 does)", s3RequiredEnv, s3EndpointEnv)
		}
		t.Skipf("needs the S3 server: %s unset (make testacc-s3 starts SeaweedFS and runs these tests once, on Terraform >= 1.14; the engine matrix does not)", s3EndpointEnv)
	}
	tf := newActionCLI(t)
	ak, sk := os.Getenv("TENCENTCALLKIT_ACC_S3_ACCESS_KEY_ID"), os.Getenv("TENCENTCALLKIT_ACC_S3_SECRET_ACCESS_KEY")
	tf.env = append(slices.Clone(tf.env), "AWS_ACCESS_KEY_ID="+ak, "AWS_SECRET_ACCESS_KEY="+sk,
		"AWS_REGION=", "AWS_PROFILE=", "AWS_CONFIG_FILE="+filepath.Join(tf.dir, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(tf.dir, "no-aws-credentials"))
	client := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider(ak, sk, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	bucket := fmt.Sprintf("tck-%d-%d", time.Now().UnixNano()%1e9, s3BucketSeq.Add(1))
	if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket %s: %v", bucket, err)
	}
	return &s3Acc{tf: tf, client: client, endpoint: endpoint, bucket: bucket}
}

// s3Block is the action's s3 attribute for key in the test's bucket.
func (s *s3Acc) s3Block(key string) string {
	return fmt.Sprintf(`    s3 = {
      bucket         = %q
      key            = %q
      endpoint       = %q
      use_path_style = true
    }`, s.bucket, key, s.endpoint)
}

// get reads an object whole; nil when there is none.
func (s *s3Acc) get(t *testing.T, key string) []byte {
	t.Helper()
	out, err := s.client.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		var nsk interface{ ErrorCode() string }
		if errors.As(err, &nsk) && (nsk.ErrorCode() == "NoSuchKey" || nsk.ErrorCode() == "NotFound") {
			return nil
		}
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (s *s3Acc) put(t *testing.T, key, body string) {
	t.Helper()
	if _, err := s.client.PutObject(context.WithoutCancel(t.Context()), &s3.PutObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key),
		Body: strings.NewReader(body)}); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

// keys lists every object in the bucket.
func (s *s3Acc) keys(t *testing.T) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// uploads are the bucket's unfinished multipart uploads.
func (s *s3Acc) uploads(ctx context.Context) ([]string, error) {
	out, err := s.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(s.bucket)})
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, u := range out.Uploads {
		keys = append(keys, aws.ToString(u.Key)+" ("+aws.ToString(u.UploadId)+")")
	}
	return keys, nil
}

// requireNoUploads: no unfinished multipart upload is left in the bucket.
func (s *s3Acc) requireNoUploads(t *testing.T) {
	t.Helper()
	u, err := s.uploads(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(u) > 0 {
		t.Fatalf("unfinished multipart uploads left behind: %q", u)
	}
}

// requireObjects: the bucket holds exactly keep, sorted (nothing else of the export).
func (s *s3Acc) requireObjects(t *testing.T, keep ...string) {
	t.Helper()
	if got := s.keys(t); len(got) != len(keep) || (len(keep) > 0 && !reflect.DeepEqual(got, keep)) {
		t.Fatalf("the bucket holds %q, want %q", got, keep)
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	z, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rowsOf reads an export's bytes as rows (see jsonlRows, csvRows).
func rowsOf(t *testing.T, b []byte, format string) []string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "x")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if format == exportFormatCSV {
		return csvRows(t, f)
	}
	return jsonlRows(t, f)
}

// TestAccCallRecordsExportS3_objects: a JSON Lines object and a gzip CSV
// object read back equal the walk, with the last progress message naming
// the s3:// URI, and no upload is left unfinished.
func TestAccCallRecordsExportS3_objects(t *testing.T) {
	t.Parallel()
	s := newS3Acc(t)
	mock, url, now := frozenRecordsMock(t, mockserver.Options{Records: 700, Seed: 41})
	m := mock.Records()

	res := s.tf.invoke(t, exportConfig(url, fmt.Sprintf("    start_timestamp = %d\n%s", weekAgo(now), s.s3Block("archive/calls.jsonl"))), exportAddress)
	res.requireSuccess(t)
	body := s.get(t, "archive/calls.jsonl")
	if got, want := rowsOf(t, body, exportFormatJSONL), expectedRowList(m, "v1"); !reflect.DeepEqual(got, want) {
		t.Fatalf("the object holds %d records, want the mock's %d\n got %.300q\nwant %.300q", len(got), len(want), got, want)
	}
	msgs := res.messages(exportAddress)
	want := fmt.Sprintf("Wrote %d records to s3://%s/archive/calls.jsonl (%d bytes).", len(m), s.bucket, len(body))
	if len(msgs) == 0 || msgs[len(msgs)-1] != want {
		t.Fatalf("progress %q, want last %q", msgs, want)
	}

	// With Terraform's and the provider's logs at trace level: the keys are
	// in none of its output.
	s.tf.env = append(s.tf.env, "TF_LOG=trace")
	res = s.tf.invoke(t, exportConfig(url, fmt.Sprintf("    lookback = \"7d\"\n    format = \"csv\"\n    compression = \"gzip\"\n    api_version = \"v4\"\n%s",
		s.s3Block("archive/calls.csv.gz"))), exportAddress)
	res.requireSuccess(t)
	for _, secret := range []string{os.Getenv("TENCENTCALLKIT_ACC_S3_SECRET_ACCESS_KEY"), os.Getenv("TENCENTCALLKIT_ACC_S3_ACCESS_KEY_ID")} {
		if strings.Contains(res.stdout+res.stderr, secret) {
			t.Fatal("an AWS key is in Terraform's output or logs")
		}
	}
	if !strings.Contains(res.stderr, "[TRACE]") {
		t.Fatal("no trace log: the check above saw nothing")
	}
	if got, want := rowsOf(t, gunzip(t, s.get(t, "archive/calls.csv.gz")), exportFormatCSV), expectedRowList(m, "v4"); !reflect.DeepEqual(got, want) {
		t.Fatalf("the gzip CSV object holds %d records, want %d", len(got), len(want))
	}
	s.requireObjects(t, "archive/calls.csv.gz", "archive/calls.jsonl")
	s.requireNoUploads(t)
}

// bigExport is a mock whose JSON Lines export is well above one part
// (5 MiB), behind a proxy that calls hook before each records page.
func bigExport(t *testing.T, seed int64, hook func(page int64, w http.ResponseWriter, r *http.Request) bool) (string, time.Time) {
	t.Helper()
	m, _, now := frozenRecordsMock(t, mockserver.Options{Records: 100000, Seed: seed})
	var pages atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "get_records_by_filter") && !hook(pages.Add(1), w, r) {
			return
		}
		m.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	return proxy.URL, now
}

// TestAccCallRecordsExportS3_failsHalfWay: a walk that fails after more
// than a part was uploaded (a multipart upload is open: checked) leaves no
// object and no unfinished upload.
func TestAccCallRecordsExportS3_failsHalfWay(t *testing.T) {
	t.Parallel()
	s := newS3Acc(t)
	var open atomic.Bool
	url, now := bigExport(t, 42, func(page int64, w http.ResponseWriter, r *http.Request) bool {
		// Fail the walk as soon as a multipart upload is open (more than a part written).
		if u, err := s.uploads(r.Context()); open.Load() || (err == nil && len(u) > 0) {
			open.Store(true)
			http.Error(w, "upstream gone", http.StatusBadGateway)
			return false
		}
		return true
	})
	res := s.tf.invoke(t, exportConfig(url, fmt.Sprintf("    start_timestamp = %d\n%s", weekAgo(now), s.s3Block("half.jsonl"))), exportAddress)
	res.requireErrors(t, "Unable to Export Call Records", "502")
	if !open.Load() {
		t.Fatal("no multipart upload was open when the walk failed: the test does not reach the abort")
	}
	s.requireObjects(t)
	s.requireNoUploads(t)
}

// TestAccCallRecordsExportS3_interrupted: an invoke interrupted (SIGINT to
// Terraform) while a multipart upload is open leaves no object and no
// unfinished upload. Terraform 1.15.9 does not cancel a running invoke on
// SIGINT ("Stopping operation...", then it waits for the action): the held
// requests time out, the walk fails, and the export aborts its upload.
func TestAccCallRecordsExportS3_interrupted(t *testing.T) {
	t.Parallel()
	s := newS3Acc(t)
	reached := make(chan struct{})
	var once sync.Once
	url, now := bigExport(t, 43, func(page int64, w http.ResponseWriter, r *http.Request) bool {
		// Hold the walk once a multipart upload is open (more than a part written).
		if u, err := s.uploads(r.Context()); err != nil || len(u) == 0 {
			return true
		}
		once.Do(func() { close(reached) })
		// Hold the walk here until Terraform's cancellation ends the request.
		select {
		case <-r.Context().Done():
		case <-time.After(20 * time.Second):
		}
		return false
	})
	if err := os.WriteFile(filepath.Join(s.tf.dir, "main.tf"), []byte(exportConfig(url,
		fmt.Sprintf("    start_timestamp = %d\n%s", weekAgo(now), s.s3Block("cancelled.jsonl")))), 0o644); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(t.TempDir(), "terraform.pid")
	type result struct {
		stdout, stderr []byte
		err            error
	}
	done := make(chan result, 1)
	go func() {
		// exec: the shell's pid is Terraform's.
		o, e, err := s.tf.runCommand(t, s.tf.rc, s.tf.dir, nil, nil, "/bin/sh", "-c",
			`echo $$ > "$0"; exec "$1" apply -auto-approve -no-color -input=false -invoke=`+exportAddress, pidFile, s.tf.bin)
		done <- result{o, e, err}
	}()
	select {
	case <-reached:
	case r := <-done:
		t.Fatalf("terraform ended before a multipart upload was open: %v\n%s", r.err, r.stdout)
	case <-time.After(3 * time.Minute):
		t.Fatal("no multipart upload open within 3 minutes")
	}
	if u, err := s.uploads(t.Context()); err != nil || len(u) == 0 {
		t.Fatalf("no multipart upload open before the cancellation (%v): the test does not reach the abort", err)
	}
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(3 * time.Minute):
		t.Fatal("terraform did not end within 3 minutes of SIGINT")
	}
	// Terraform reports the apply as complete after an interrupt; what
	// counts is what is left.
	if !strings.Contains(string(r.stdout), "Stopping operation") {
		t.Fatalf("terraform did not stop the operation:\n%s", r.stdout)
	}
	s.requireObjects(t)
	s.requireNoUploads(t)
}

// TestAccCallRecordsExportS3_noOverwrite: overwrite = false refuses an
// object that exists before the walk (before reading any record) and one
// created during it (If-None-Match: *, HTTP 412), naming it; both are left
// as they were, and no upload is left.
func TestAccCallRecordsExportS3_noOverwrite(t *testing.T) {
	t.Parallel()
	s := newS3Acc(t)
	s.put(t, "before.jsonl", "kept before\n")
	m, url, now := frozenRecordsMock(t, mockserver.Options{Records: 300, Seed: 44})
	res := s.tf.invoke(t, exportConfig(url, fmt.Sprintf("    start_timestamp = %d\n%s", weekAgo(now), s.s3Block("before.jsonl"))), exportAddress)
	res.requireErrors(t, "Unable to Export Call Records", fmt.Sprintf("The object s3://%s/before.jsonl already exists; set overwrite = true", s.bucket))
	assertNoAPICalls(t, m)

	var pages atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "get_records_by_filter") && pages.Add(1) == 2 {
			s.put(t, "during.jsonl", "created during the walk\n")
		}
		m.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	res = s.tf.invoke(t, exportConfig(proxy.URL, fmt.Sprintf("    start_timestamp = %d\n    number_per_page = 50\n%s", weekAgo(now), s.s3Block("during.jsonl"))), exportAddress)
	res.requireErrors(t, "Unable to Export Call Records", fmt.Sprintf("s3://%s/during.jsonl was created while the export ran", s.bucket))
	if pages.Load() < 3 {
		t.Fatalf("%d pages: the object was not created during the walk", pages.Load())
	}
	if got := string(s.get(t, "before.jsonl")); got != "kept before\n" {
		t.Fatalf("before.jsonl changed: %q", got)
	}
	if got := string(s.get(t, "during.jsonl")); got != "created during the walk\n" {
		t.Fatalf("during.jsonl changed: %q", got)
	}
	s.requireObjects(t, "before.jsonl", "during.jsonl")
	s.requireNoUploads(t)

	// overwrite = true replaces it.
	res = s.tf.invoke(t, exportConfig(url, fmt.Sprintf("    start_timestamp = %d\n    overwrite = true\n%s", weekAgo(now), s.s3Block("before.jsonl"))), exportAddress)
	res.requireSuccess(t)
	if got := rowsOf(t, s.get(t, "before.jsonl"), exportFormatJSONL); len(got) != 300 {
		t.Fatalf("after overwrite the object holds %d records, want 300", len(got))
	}
}

// TestAccCallRecordsExportS3_days: partition = "day" writes one gzip object
// per whole UTC day of the window under the prefix, Hive-style; each holds
// exactly that day's records, and the last message names every object.
func TestAccCallRecordsExportS3_days(t *testing.T) {
	t.Parallel()
	s := newS3Acc(t)
	m, url, now := frozenRecordsMock(t, mockserver.Options{Records: 900, Seed: 45})
	res := s.tf.invoke(t, exportConfig(url, fmt.Sprintf("    start_timestamp = %d\n    partition = \"day\"\n    compression = \"gzip\"\n%s",
		weekAgo(now), s.s3Block("calls/"))), exportAddress)
	res.requireSuccess(t)
	first, n := exportDays(weekAgo(now), now.Unix())
	var want []string
	for i := range n {
		want = append(want, "calls/"+dayPartition(first+int64(i)*secondsPerDay)+"/calls.jsonl.gz")
	}
	s.requireObjects(t, want...)
	msgs := res.messages(exportAddress)
	last := msgs[len(msgs)-1]
	for i, key := range want {
		day := first + int64(i)*secondsPerDay
		var recs []mockserver.Record
		for _, r := range m.Records() {
			if r.StartCallTs >= day && r.StartCallTs < day+secondsPerDay {
				recs = append(recs, r)
			}
		}
		body := s.get(t, key)
		if got := rowsOf(t, gunzip(t, body), exportFormatJSONL); !reflect.DeepEqual(got, expectedRowList(recs, "v1")) {
			t.Errorf("%s holds %d records, want that day's %d", key, len(got), len(recs))
		}
		if item := fmt.Sprintf("s3://%s/%s (%d records, %d bytes)", s.bucket, key, len(recs), len(body)); !strings.Contains(last, item) {
			t.Errorf("the last message %q does not name %s", last, item)
		}
	}
	s.requireNoUploads(t)
}

// archiveGuide's steps need the S3 server: TestAccGuideArchive_steps runs
// them (under make testacc-s3), not TestAccGuides_steps.
const archiveGuide = "docs/guides/keep-call-records.md"

// TestGuides_archiveMarkers: the archive guide parses, each shell block marked.
func TestGuides_archiveMarkers(t *testing.T) {
	t.Parallel()
	if g := loadGuide(t, archiveGuide); len(g.steps) < 4 {
		t.Fatalf("%s: %d steps, want the configuration, make install, the invoke and its output", archiveGuide, len(g.steps))
	}
}

// TestAccGuideArchive_steps runs the archive guide's steps as a reader
// does (make install, terraform init, the invoke) against the mock and the
// S3 server, then checks the objects through the S3 API: one per whole UTC
// day of the 72 hours, Hive-style, gzip, and no unfinished upload.
func TestAccGuideArchive_steps(t *testing.T) {
	t.Parallel()
	s := newS3Acc(t)
	g := loadGuide(t, archiveGuide)
	e := acceptanceEngine()
	if e.err != nil {
		t.Fatal(e.err)
	}
	if why := g.skipReason(e); why != "" {
		t.Skip(why)
	}
	r := newGuideRun(t, archiveGuide, e, goEnvironment(t))
	aws := filepath.Join(t.TempDir(), "none")
	r.env = append(r.env,
		"AWS_ACCESS_KEY_ID="+os.Getenv("TENCENTCALLKIT_ACC_S3_ACCESS_KEY_ID"),
		"AWS_SECRET_ACCESS_KEY="+os.Getenv("TENCENTCALLKIT_ACC_S3_SECRET_ACCESS_KEY"),
		"AWS_CONFIG_FILE="+aws, "AWS_SHARED_CREDENTIALS_FILE="+aws,
		"TF_VAR_archive_bucket="+s.bucket, "TF_VAR_archive_endpoint="+s.endpoint)
	r.runAll(t, g)
	keys := s.keys(t)
	if len(keys) != 2 {
		t.Fatalf("the bucket holds %q, want the two last whole days", keys)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, "tuicallkit/calls/date=") || !strings.HasSuffix(k, "/calls.jsonl.gz") {
			t.Errorf("object %s is not tuicallkit/calls/date=YYYY-MM-DD/calls.jsonl.gz", k)
		}
		gunzip(t, s.get(t, k))
	}
	s.requireNoUploads(t)
}
