package s3fs_test

import (
	"bytes"
	"context"
	"io/fs"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"livingroom/alexa-sim/ingest"
	"livingroom/alexa-sim/ingest/s3fs"
	"livingroom/catalog-exporter/dirsink"
	"livingroom/catalog-exporter/export"
	"livingroom/catalog-exporter/s3sink"
	"livingroom/catalog-exporter/source"
	"livingroom/internal/s3test"
)

func TestFSPassesTheStandardTests(t *testing.T) {
	t.Parallel()
	srv := s3test.New(t, "b")
	ctx := context.Background()
	for _, key := range []string{"p/catalogs/catalog.xml", "p/pages/a.xml", "p/pages/b.xml", "p/manifests/x.manifest", "other/z"} {
		if _, err := srv.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String(key), Body: bytes.NewReader([]byte(key))}); err != nil {
			t.Fatal(err)
		}
	}
	fsys := s3fs.New(ctx, srv.Client, "b", "p")
	if err := fstest.TestFS(fsys, "catalogs/catalog.xml", "pages/a.xml", "pages/b.xml", "manifests/x.manifest"); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(fsys, "z"); err == nil {
		t.Fatal("a key outside the prefix is visible")
	}
}

// alexa-sim ingests from the bucket what it ingests from a directory with
// the same export.
func TestIngestFromBucketEqualsDirectory(t *testing.T) {
	t.Parallel()
	srv := s3test.New(t, "cdf-living-room")
	ctx := context.Background()
	for _, formats := range [][]string{{export.FormatCDF}, {export.FormatEMBER}} {
		dir := t.TempDir()
		dsink, err := dirsink.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		prefix := "s3/" + formats[0]
		ssink, err := s3sink.New(srv.Client, "s3://cdf-living-room/"+prefix, 0)
		if err != nil {
			t.Fatal(err)
		}
		now := func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }
		for _, sink := range []export.Sink{dsink, ssink} {
			e := export.Exporter{Sink: sink, StateDir: filepath.Join(t.TempDir(), "state"), Formats: formats, PageSize: 400, Now: now}
			if _, err := e.Export(ctx, source.Synthetic{Works: 3000, Seed: 8}); err != nil {
				t.Fatal(err)
			}
		}
		fromDir, err := ingest.LoadDir(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		fromS3, err := ingest.LoadFS(ctx, s3fs.New(ctx, srv.Client, "cdf-living-room", prefix))
		if err != nil {
			t.Fatal(err)
		}
		if fromS3.Counts() != fromDir.Counts() || fromS3.Counts().Works != 3000 {
			t.Fatalf("%v: from S3 %+v, from the directory %+v", formats, fromS3.Counts(), fromDir.Counts())
		}
	}
}
