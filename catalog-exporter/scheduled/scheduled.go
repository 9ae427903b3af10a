// Package scheduled runs the exporter as the scheduled CatalogExportFunction
// Lambda: the source is an object in the partner's metadata bucket, the
// catalog goes to the catalog bucket, and the snapshot of the last export —
// which a Lambda cannot keep on its disk — lives under a state prefix in
// S3, fetched before the export and saved after a successful one.
package scheduled

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"livingroom/catalog-exporter/export"
	"livingroom/catalog-exporter/source"
)

// S3 is the part of the S3 client a job uses.
type S3 interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Job is one configured scheduled export.
type Job struct {
	S3           S3
	SourceBucket string
	SourceKey    string
	StateBucket  string
	StatePrefix  string // e.g. "catalog-exporter/state/"
	TempDir      string // Lambda: /tmp
	// Exporter is the export to run; its StateDir is set by Run.
	Exporter export.Exporter
}

// MaxSourceBytes bounds the source object (Lambda's /tmp holds up to 10 GB).
const MaxSourceBytes = 8 << 30

// stateFiles are the files of the exporter's state directory.
var stateFiles = export.StateFiles

// Result is what the Lambda returns: the summary, problems counted.
type Result struct {
	export.Summary
	Error string `json:"error,omitempty"`
}

// WorksExported is the number of works exported, all kinds together.
func (r Result) WorksExported() int {
	n := 0
	for _, c := range r.Works {
		n += c
	}
	return n
}

// Failure names what went wrong for the metrics: "EXPORT_FAILED" when err
// is not nil, "REFUSED" when nothing was published, "" otherwise.
func (r Result) Failure(err error) string {
	switch {
	case err != nil:
		return "EXPORT_FAILED"
	case r.Refused != "":
		return "REFUSED"
	}
	return ""
}

// Run downloads the source and the state, exports, and saves the state when
// the export succeeded.
func (j *Job) Run(ctx context.Context) (Result, error) {
	dir, err := os.MkdirTemp(j.TempDir, "export-*")
	if err != nil {
		return Result{}, fmt.Errorf("scheduled export: %w", err)
	}
	defer os.RemoveAll(dir)
	srcPath := filepath.Join(dir, "source.jsonl")
	if err := j.download(ctx, j.SourceBucket, j.SourceKey, srcPath, false); err != nil {
		return Result{}, err
	}
	stateDir := filepath.Join(dir, "state")
	if err := os.Mkdir(stateDir, 0o755); err != nil {
		return Result{}, fmt.Errorf("scheduled export: %w", err)
	}
	for _, f := range stateFiles {
		if err := j.download(ctx, j.StateBucket, j.StatePrefix+f, filepath.Join(stateDir, f), true); err != nil {
			return Result{}, err
		}
	}
	src, closer, err := source.OpenFile(ctx, srcPath)
	if err != nil {
		return Result{}, err
	}
	defer closer.Close()
	e := j.Exporter
	e.StateDir = stateDir
	sum, err := e.Export(ctx, src)
	res := Result{Summary: sum}
	if err != nil {
		res.Error = err.Error()
		return res, err
	}
	for _, f := range stateFiles {
		if err := j.upload(ctx, filepath.Join(stateDir, f), j.StateBucket, j.StatePrefix+f); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (j *Job) download(ctx context.Context, bucket, key, path string, optional bool) error {
	out, err := j.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var missing *types.NoSuchKey
	if optional && errors.As(err, &missing) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	n, err := io.Copy(f, io.LimitReader(out.Body, MaxSourceBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > MaxSourceBytes {
		err = fmt.Errorf("larger than %d bytes", int64(MaxSourceBytes))
	}
	if err != nil {
		return fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

func (j *Job) upload(ctx context.Context, path, bucket, key string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // e.g. no pages file without paging
	}
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	_, err = j.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: f, ContentLength: aws.Int64(info.Size())})
	if err != nil {
		return fmt.Errorf("save state to s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}
