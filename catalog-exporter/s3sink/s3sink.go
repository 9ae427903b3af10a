// Package s3sink publishes catalog files to an S3 bucket the way Amazon
// asks partners to: keys in the bucket's layout (catalogs/, pages/,
// manifests/, ember/), the bucket-owner-full-control ACL on every object
// (without it Amazon cannot read the file), and multipart uploads for large
// files, streamed while the export writes them. An object becomes visible
// only when its upload completes, so a reader never sees half a catalog; an
// aborted multipart upload leaves nothing behind.
package s3sink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	tmtypes "github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"livingroom/catalog-exporter/export"
)

// Defaults of the uploads.
const (
	DefaultPartSize    = 16 << 20 // multipart above this, in parts of this size
	DefaultConcurrency = 4        // parts in flight per file
	DefaultMaxAttempts = 5        // attempts per request (the SDK's standard retryer)
)

// ParseURL reads s3://bucket[/prefix].
func ParseURL(raw string) (bucket, prefix string, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("%q is not an s3://bucket[/prefix] URL", raw)
	}
	prefix = strings.Trim(u.Path, "/")
	if prefix != "" {
		prefix += "/"
	}
	return u.Host, prefix, nil
}

// Sink is an S3 bucket, under an optional key prefix.
type Sink struct {
	tm     *transfermanager.Client
	bucket string
	prefix string
}

// New returns a sink for s3://bucket[/prefix] through client; partSize 0
// means DefaultPartSize.
func New(client *s3.Client, rawURL string, partSize int64) (*Sink, error) {
	bucket, prefix, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if partSize <= 0 {
		partSize = DefaultPartSize
	}
	tm := transfermanager.New(client, func(o *transfermanager.Options) {
		o.PartSizeBytes = partSize
		o.MultipartUploadThreshold = partSize
		o.Concurrency = DefaultConcurrency
	})
	return &Sink{tm: tm, bucket: bucket, prefix: prefix}, nil
}

// NewClient builds an S3 client with the SDK's standard retryer; endpoint,
// when set, points it at an S3-compatible server (path-style addressing).
func NewClient(cfg aws.Config, endpoint string) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.RetryMaxAttempts = DefaultMaxAttempts
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = true
		}
	})
}

// Location is the object key, prefix included.
func (s *Sink) Location(key string) string { return s.prefix + key }

// Bucket is the bucket name.
func (s *Sink) Bucket() string { return s.bucket }

var errAborted = errors.New("upload aborted")

// Create starts a streamed upload of key.
func (s *Sink) Create(ctx context.Context, key string) (export.Object, error) {
	if key == "" || strings.HasPrefix(key, "/") {
		return nil, fmt.Errorf("s3sink: bad key %q", key)
	}
	pr, pw := io.Pipe()
	o := &object{key: s.Location(key), pw: pw, done: make(chan error, 1)}
	in := &transfermanager.UploadObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(o.key), Body: pr,
		ACL: tmtypes.ObjectCannedACLBucketOwnerFullControl, ContentType: aws.String(contentType(key)),
	}
	go func() {
		_, err := s.tm.UploadObject(ctx, in)
		// Unblock a writer if the upload failed before reading everything.
		pr.CloseWithError(cmpErr(err, io.ErrClosedPipe))
		o.done <- err
	}()
	return o, nil
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

func contentType(key string) string {
	switch {
	case strings.HasSuffix(key, ".gz"):
		return "application/gzip"
	case strings.HasSuffix(key, ".json"):
		return "application/json"
	case strings.HasSuffix(key, ".xml"):
		return "application/xml"
	}
	return "text/plain; charset=utf-8"
}

type object struct {
	key      string
	pw       *io.PipeWriter
	done     chan error
	finished bool
}

func (o *object) Write(p []byte) (int, error) {
	n, err := o.pw.Write(p)
	if err != nil {
		return n, fmt.Errorf("upload %s: %w", o.key, err)
	}
	return n, nil
}

// Commit ends the body and waits for the upload to complete.
func (o *object) Commit() error {
	if o.finished {
		return errors.New("s3sink: object already committed or aborted")
	}
	o.finished = true
	o.pw.Close()
	if err := <-o.done; err != nil {
		return fmt.Errorf("upload %s: %w", o.key, err)
	}
	return nil
}

// Abort fails the upload, so that it is never completed.
func (o *object) Abort() {
	if o.finished {
		return
	}
	o.finished = true
	o.pw.CloseWithError(errAborted)
	<-o.done
}
