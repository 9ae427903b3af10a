package s3sink_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"livingroom/catalog-exporter/export"
	"livingroom/catalog-exporter/s3sink"
	"livingroom/catalog-exporter/source"
	"livingroom/internal/s3test"
)

func TestParseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, bucket, prefix string
		bad                bool
	}{
		{in: "s3://cdf-living-room", bucket: "cdf-living-room"},
		{in: "s3://b/staging/", bucket: "b", prefix: "staging/"},
		{in: "s3://b/a/b", bucket: "b", prefix: "a/b/"},
		{in: "https://b/x", bad: true},
		{in: "s3:///x", bad: true},
		{in: "s3://b?x=1", bad: true},
		{in: "", bad: true},
	}
	for _, tt := range tests {
		b, p, err := s3sink.ParseURL(tt.in)
		if (err != nil) != tt.bad || b != tt.bucket || p != tt.prefix {
			t.Errorf("ParseURL(%q) = %q, %q, %v", tt.in, b, p, err)
		}
	}
}

func get(t *testing.T, srv *s3test.Server, key string) string {
	t.Helper()
	out, err := srv.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The exporter publishes through the real SDK client to an S3-compatible
// server: catalog files with the bucket-owner-full-control ACL, large ones
// in multipart uploads, manifests that name keys that exist.
func TestExportToS3(t *testing.T) {
	t.Parallel()
	srv := s3test.New(t, "cdf-living-room")
	sink, err := s3sink.New(srv.Client, "s3://cdf-living-room", 5<<20) // S3's smallest part
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e := export.Exporter{Sink: sink, StateDir: filepath.Join(t.TempDir(), "state"), Formats: []string{export.FormatCDF, export.FormatEMBER},
		Now: func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }}
	sum, err := e.Export(ctx, source.Synthetic{Works: 12000, Seed: 1}) // a 12 MB catalog.xml: three parts
	if err != nil {
		t.Fatal(err)
	}
	keys := srv.Keys(t, "")
	for _, f := range sum.Files {
		if !slices.Contains(keys, f.Key) {
			t.Fatalf("summary lists %s, bucket has %v", f.Key, keys)
		}
	}
	if !slices.Contains(keys, export.CatalogKey) || !slices.Contains(keys, export.ChannelsKey) {
		t.Fatalf("keys %v", keys)
	}
	headers, multipart := srv.Creates()
	if multipart == 0 {
		t.Fatal("no multipart upload for a 12 MB file with 5 MB parts")
	}
	for key, h := range headers {
		if got := h.Get("X-Amz-Acl"); got != "bucket-owner-full-control" {
			t.Errorf("%s created with ACL %q", key, got)
		}
	}
	doc := get(t, srv, export.CatalogKey)
	if !strings.HasPrefix(doc, `<?xml version="1.0" encoding="UTF-8"?>`) || !strings.HasSuffix(doc, "</Catalog>\n") || int64(len(doc)) != sum.Files[0].Bytes {
		t.Fatalf("catalog.xml: %d bytes, summary %d", len(doc), sum.Files[0].Bytes)
	}
	manifest := ""
	for _, k := range keys {
		if strings.HasPrefix(k, export.EmberManDir) {
			manifest = get(t, srv, k)
		}
	}
	if !strings.Contains(manifest, `"s3Bucket": "cdf-living-room"`) || !strings.Contains(manifest, `"type": "CATALOG_FULL"`) {
		t.Fatalf("ember manifest: %s", manifest)
	}
}

// A refused export leaves the bucket's catalog as it was: the upload of the
// new catalog.xml, under way during the export, is aborted.
func TestRefusedExportPublishesNothingToS3(t *testing.T) {
	t.Parallel()
	srv := s3test.New(t, "b")
	sink, err := s3sink.New(srv.Client, "s3://b/prefix", 5<<20)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e := export.Exporter{Sink: sink, StateDir: filepath.Join(t.TempDir(), "state")}
	if _, err := e.Export(ctx, source.Synthetic{Works: 3000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	before := get(t, srv, "prefix/"+export.CatalogKey)
	e.MaxRemovals = &export.Limit{}
	if _, err := e.Export(ctx, source.Synthetic{Works: 3000, Seed: 1, Revision: 5}); !errors.Is(err, export.ErrRefused) {
		t.Fatalf("err = %v", err)
	}
	if get(t, srv, "prefix/"+export.CatalogKey) != before {
		t.Fatal("a refused export replaced catalog.xml")
	}
	uploads, err := srv.Client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("b")})
	if err == nil && len(uploads.Uploads) > 0 {
		t.Fatalf("%d multipart uploads left open", len(uploads.Uploads))
	}
}
