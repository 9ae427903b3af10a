package scheduled_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"livingroom/catalog-exporter/export"
	"livingroom/catalog-exporter/s3sink"
	"livingroom/catalog-exporter/scheduled"
	"livingroom/catalog-exporter/source"
	"livingroom/internal/catalog/catalogtest"
	"livingroom/internal/s3test"
)

func put(t *testing.T, srv *s3test.Server, bucket, key string, body []byte) {
	t.Helper()
	_, err := srv.Client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
}

func TestScheduledExportKeepsItsStateInS3(t *testing.T) {
	t.Parallel()
	srv := s3test.New(t, "partner-metadata")
	srv.CreateBucket(t, "cdf-living-room")
	ctx := context.Background()
	var first bytes.Buffer
	if err := (source.Synthetic{Works: 2000, Seed: 1}).WriteJSONL(ctx, &first); err != nil {
		t.Fatal(err)
	}
	put(t, srv, "partner-metadata", "exports/catalog.jsonl", first.Bytes())
	sink, err := s3sink.New(srv.Client, "s3://cdf-living-room", 0)
	if err != nil {
		t.Fatal(err)
	}
	idx := catalogtest.New()
	job := scheduled.Job{
		S3: srv.Client, SourceBucket: "partner-metadata", SourceKey: "exports/catalog.jsonl",
		StateBucket: "partner-metadata", StatePrefix: "catalog-exporter/state/", TempDir: t.TempDir(),
		Exporter: export.Exporter{Sink: sink, Index: idx, Formats: []string{export.FormatCDF, export.FormatEMBER}},
	}
	res, err := job.Run(ctx)
	if err != nil || !res.FirstExport || res.Diff.Added != 2000 || res.Index.Put != 2000 {
		t.Fatalf("first run: %v %+v", err, res)
	}
	if keys := srv.Keys(t, "catalog-exporter/state/"); len(keys) != 2 || keys[0] != "catalog-exporter/state/index-generation" || keys[1] != "catalog-exporter/state/snapshot" {
		t.Fatalf("state keys %v", keys)
	}

	var next bytes.Buffer
	if err := (source.Synthetic{Works: 2000, Seed: 1, Revision: 1}).WriteJSONL(ctx, &next); err != nil {
		t.Fatal(err)
	}
	put(t, srv, "partner-metadata", "exports/catalog.jsonl", next.Bytes())
	res, err = job.Run(ctx)
	if err != nil || res.FirstExport || res.Diff.Updated == 0 || res.EmberType != "CATALOG_UPDATE" || res.Index.Put != 0 {
		t.Fatalf("second run: %v %+v", err, res)
	}
	if entries, _ := os.ReadDir(job.TempDir); len(entries) != 0 {
		t.Fatalf("left %d entries in the temp dir", len(entries))
	}

	job.SourceKey = "exports/missing.jsonl"
	if _, err := job.Run(ctx); err == nil || !strings.Contains(err.Error(), "exports/missing.jsonl") {
		t.Fatalf("missing source: %v", err)
	}
	job.SourceKey = "exports/catalog.jsonl"
	job.Exporter.MaxRemovals = &export.Limit{}
	put(t, srv, "partner-metadata", "exports/catalog.jsonl", []byte(`{"type":"movie","id":"movie-0000001","title":"Only","imageUrl":"https://img.example.com/1.jpg"}`+"\n"))
	if res, err := job.Run(ctx); !errors.Is(err, export.ErrRefused) || res.Error == "" {
		t.Fatalf("mass removal: %v %+v", err, res)
	}
}
