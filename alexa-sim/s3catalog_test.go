package main

import (
	"context"
	"path/filepath"
	"testing"

	"livingroom/catalog-exporter/export"
	"livingroom/catalog-exporter/s3sink"
	"livingroom/catalog-exporter/source"
	"livingroom/internal/s3test"
)

func TestCatalogFromS3(t *testing.T) {
	t.Parallel()
	srv := s3test.New(t, "cdf-living-room")
	sink, err := s3sink.New(srv.Client, "s3://cdf-living-room/staging", 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	src, err := source.SampleSource(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e := export.Exporter{Sink: sink, StateDir: filepath.Join(t.TempDir(), "state")}
	if _, err := e.Export(ctx, src); err != nil {
		t.Fatal(err)
	}
	cfg := loadConfig(func(k string) string {
		return map[string]string{"CATALOG_S3": "s3://cdf-living-room/staging", "S3_ENDPOINT": srv.URL}[k]
	})
	load, err := s3Catalog(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Counts(); got.Works != 71 || got.Channels != 8 || len(c.Missing) != 0 {
		t.Fatalf("counts %+v, missing %v", got, c.Missing)
	}
	if ws := c.FindTitle("the handmaid's tale"); len(ws) != 1 {
		t.Fatalf("FindTitle = %+v", ws)
	}
	cfg.catalogS3 = "http://nope"
	if _, err := s3Catalog(cfg); err == nil {
		t.Fatal("bad CATALOG_S3 accepted")
	}
}
