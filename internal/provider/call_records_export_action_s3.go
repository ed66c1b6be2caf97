// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentcallkit/terraform-provider-tencentcallkit/internal/callkit"
)

// The export to object storage (Amazon S3, Tencent COS or any S3-compatible
// store): one streamed multipart upload per object, completed only when the
// whole walk has succeeded and aborted otherwise, so no partial object is
// ever visible and no unfinished upload is left behind.

const (
	// s3PartSize is the smallest part S3 takes: memory per object is at
	// most this times (s3Concurrency + 2).
	s3PartSize    = 5 << 20
	s3Concurrency = 2
	// s3AbortTimeout bounds the abort of a failed or cancelled upload, which
	// runs on a context that survives the export's cancellation.
	s3AbortTimeout = 30 * time.Second
)

// exportS3Model is the action's s3 attribute.
type exportS3Model struct {
	Bucket       types.String `tfsdk:"bucket"`
	Key          types.String `tfsdk:"key"`
	Region       types.String `tfsdk:"region"`
	Endpoint     types.String `tfsdk:"endpoint"`
	UsePathStyle types.Bool   `tfsdk:"use_path_style"`
	Profile      types.String `tfsdk:"profile"`
}

func exportS3Attribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: "The object to write instead of a file: Amazon S3, Tencent Cloud COS or any S3-compatible store. " +
			"Exactly one of `path` and `s3`. Credentials come from the AWS SDK's default chain, as Terraform's S3 backend " +
			"takes them (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, the shared config and credentials " +
			"files with `profile`, web identity); none is ever in the configuration, the state, the plan or the logs. The " +
			"object is one multipart upload, completed only when the whole walk has succeeded and aborted otherwise: no partial " +
			"object is ever visible and no unfinished upload is left.",
		Optional: true,
		Attributes: map[string]schema.Attribute{
			"bucket": schema.StringAttribute{
				MarkdownDescription: "The bucket (for COS with its APPID suffix, such as `archive-1250000000`).",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"key": schema.StringAttribute{
				MarkdownDescription: "The object's key, ending as `format` and `compression` say (`.jsonl`, `.csv`, `.jsonl.gz`, " +
					"`.csv.gz`). With `partition = \"day\"` the prefix under which the `date=YYYY-MM-DD/calls.<ext>` objects are written.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"region": schema.StringAttribute{
				MarkdownDescription: "The region, such as `eu-central-1` (COS: `ap-guangzhou`). Default: the SDK's (`AWS_REGION`, " +
					"the shared config); with `endpoint` set and none there, `us-east-1`.",
				Optional: true,
			},
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "The S3 API's address for Tencent COS (`https://cos.ap-guangzhou.myqcloud.com`) or any " +
					"S3-compatible store; `http://` only on a loopback address. With it set, request checksums and response " +
					"validation are used only where the operation requires them (S3-compatible stores refuse the SDK's default CRC32).",
				Optional: true,
			},
			"use_path_style": schema.BoolAttribute{
				MarkdownDescription: "Address the bucket in the path (`https://host/bucket/key`) instead of the host name. Default: `false`.",
				Optional:            true,
			},
			"profile": schema.StringAttribute{
				MarkdownDescription: "The shared config profile for credentials and region. Default: the SDK's (`AWS_PROFILE`, else `default`).",
				Optional:            true,
			},
		},
	}
}

// checkS3Endpoint: https, or http on a loopback address only.
func checkS3Endpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("s3.endpoint %q is not an address such as \"https://cos.ap-guangzhou.myqcloud.com\"", endpoint)
	}
	if u.Scheme == "http" {
		host := u.Hostname()
		ip := net.ParseIP(host)
		if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("s3.endpoint %q uses http:// on a host that is not loopback; use https:// (http:// is allowed only on 127.0.0.1, ::1 or localhost)", endpoint)
		}
	}
	return nil
}

// s3Location is an object's s3:// URI.
func s3Location(bucket, key string) string { return "s3://" + bucket + "/" + key }

// exportS3 is one export's connection to the store.
type exportS3 struct {
	client   *s3.Client
	uploader *transfermanager.Client
	bucket   string
}

// newExportS3 builds the client from the SDK's default chain with the
// attribute's region, profile and endpoint, and retrieves the credentials
// once, so that missing credentials fail before the walk.
func newExportS3(ctx context.Context, m *exportS3Model) (*exportS3, error) {
	var opts []func(*config.LoadOptions) error
	if r := m.Region.ValueString(); r != "" {
		opts = append(opts, config.WithRegion(r))
	}
	if p := m.Profile.ValueString(); p != "" {
		opts = append(opts, config.WithSharedConfigProfile(p))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("the AWS SDK configuration cannot be loaded: %w", err)
	}
	endpoint := m.Endpoint.ValueString()
	if cfg.Region == "" {
		if endpoint == "" {
			return nil, errors.New("no region: set s3.region, or AWS_REGION, or a region in the shared config")
		}
		cfg.Region = "us-east-1"
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("no credentials for s3 from the AWS SDK's default chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "+
			"the shared config and credentials files with s3.profile, web identity): %w", err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = m.UsePathStyle.ValueBool()
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
	})
	uploader := transfermanager.New(client, func(o *transfermanager.Options) {
		o.PartSizeBytes = s3PartSize
		o.MultipartUploadThreshold = s3PartSize
		o.Concurrency = s3Concurrency
		o.FailTimeout = s3AbortTimeout
		if endpoint != "" {
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		}
	})
	return &exportS3{client: client, uploader: uploader, bucket: m.Bucket.ValueString()}, nil
}

// checkAbsent: nothing at key (overwrite = false).
func (x *exportS3) checkAbsent(ctx context.Context, key string) error {
	_, err := x.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(x.bucket), Key: aws.String(key)})
	var re *awshttp.ResponseError
	switch {
	case err == nil:
		return fmt.Errorf("the object %s already exists; set overwrite = true to replace it, or choose another key", s3Location(x.bucket, key))
	case errors.As(err, &re) && re.HTTPStatusCode() == 404:
		return nil
	}
	return fmt.Errorf("cannot check %s: %w", s3Location(x.bucket, key), err)
}

// exportObject is one object being uploaded: records are encoded into a
// pipe that the uploader reads; the pipe ends (and the upload completes)
// only in commit.
type exportObject struct {
	x         *exportS3
	key       string
	overwrite bool
	pw        *io.PipeWriter
	stream    *recordStream
	done      chan struct{}
	out       *transfermanager.UploadObjectOutput
	err       error
	cancel    context.CancelFunc
}

// startObject starts the upload of key. The upload runs on a context that
// the export's cancellation does not end: a cancelled export aborts it
// itself (abort), so the abort is sent and not lost with the context.
func (x *exportS3) startObject(ctx context.Context, key, format string, gzipped, overwrite bool) (*exportObject, error) {
	pr, pw := io.Pipe()
	upCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	o := &exportObject{x: x, key: key, overwrite: overwrite, pw: pw, done: make(chan struct{}), cancel: cancel}
	var err error
	if o.stream, err = newRecordStream(pw, format, gzipped); err != nil {
		cancel()
		return nil, err
	}
	in := &transfermanager.UploadObjectInput{Bucket: aws.String(x.bucket), Key: aws.String(key), Body: pr,
		ContentType: aws.String(exportContentType(format, gzipped))}
	if !overwrite {
		// Completion fails (412) if anything is at key by then.
		in.IfNoneMatch = aws.String("*")
	}
	go func() {
		defer close(o.done)
		o.out, o.err = x.uploader.UploadObject(upCtx, in)
		// Writes after a failed upload fail instead of blocking.
		_ = pr.CloseWithError(cmpErr(o.err, errExportAborted))
	}()
	return o, nil
}

func cmpErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

func exportContentType(format string, gzipped bool) string {
	switch {
	case gzipped:
		return "application/gzip"
	case format == exportFormatCSV:
		return "text/csv; charset=utf-8"
	}
	return "application/x-ndjson"
}

func (o *exportObject) add(batch []callkit.Record) error {
	for i := range batch {
		if err := o.stream.write(&batch[i]); err != nil {
			return fmt.Errorf("writing %s: %w", o.location(), err)
		}
	}
	return nil
}

func (o *exportObject) location() string { return s3Location(o.x.bucket, o.key) }

func (o *exportObject) count() int64 { return o.stream.records }

// commit ends the body, which completes the upload (with If-None-Match: *
// without overwrite), and waits for it.
func (o *exportObject) commit() (int64, error) {
	if err := o.stream.finish(); err != nil {
		o.abort()
		return 0, fmt.Errorf("writing %s: %w", o.location(), err)
	}
	_ = o.pw.Close()
	<-o.done
	o.cancel()
	var re *awshttp.ResponseError
	switch {
	case o.err == nil:
		return o.stream.out.n, nil
	case errors.As(o.err, &re) && re.HTTPStatusCode() == 412:
		o.abortLeftover()
		return 0, fmt.Errorf("the object %s was created while the export ran, and overwrite = false: it was left as it is and nothing was written; "+
			"set overwrite = true to replace it, or choose another key", o.location())
	}
	o.abortLeftover()
	return 0, fmt.Errorf("uploading %s: %w", o.location(), o.err)
}

// abort ends the body with an error: the uploader aborts the multipart
// upload (on a fresh context with a timeout), and so does abortLeftover if
// that failed.
func (o *exportObject) abort() {
	_ = o.pw.CloseWithError(errExportAborted)
	select {
	case <-o.done:
	case <-time.After(s3AbortTimeout + 5*time.Second):
		o.cancel()
		<-o.done
	}
	o.cancel()
	o.abortLeftover()
}

// abortLeftover aborts the failed upload's multipart upload once more, on
// a context that survives the export's cancellation, in case the
// uploader's own abort did not go through.
func (o *exportObject) abortLeftover() {
	var mu transfermanager.MultipartUploadError
	if !errors.As(o.err, &mu) || mu.UploadID() == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), s3AbortTimeout)
	defer cancel()
	_, _ = o.x.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket: aws.String(o.x.bucket), Key: aws.String(o.key), UploadId: aws.String(mu.UploadID())})
}

// discard deletes the committed object (see exportSink).
func (o *exportObject) discard() {
	ctx, cancel := context.WithTimeout(context.Background(), s3AbortTimeout)
	defer cancel()
	_, _ = o.x.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(o.x.bucket), Key: aws.String(o.key)})
}

// openS3Targets checks every key (without overwrite) and then starts every
// upload.
func openS3Targets(ctx context.Context, m *exportS3Model, keys []string, format string, gzipped, overwrite bool, t *exportTargets) error {
	x, err := newExportS3(ctx, m)
	if err != nil {
		return err
	}
	if !overwrite {
		for _, k := range keys {
			if err := x.checkAbsent(ctx, k); err != nil {
				return err
			}
		}
	}
	for _, k := range keys {
		o, err := x.startObject(ctx, k, format, gzipped, overwrite)
		if err != nil {
			t.abort()
			return err
		}
		t.sinks = append(t.sinks, o)
	}
	return nil
}

// s3DayKey is the object of one day under prefix.
func s3DayKey(prefix string, dayStart int64, ext string) string {
	p := strings.TrimSuffix(prefix, "/")
	if p != "" {
		p += "/"
	}
	return p + dayPartition(dayStart) + "/calls" + ext
}
