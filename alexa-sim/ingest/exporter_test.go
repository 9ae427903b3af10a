package ingest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"livingroom/catalog-exporter/dirsink"
	"livingroom/catalog-exporter/export"
	"livingroom/catalog-exporter/source"
)

// alexa-sim ingests every layout the exporter publishes: one CDF file,
// pages and a manifest, gzipped or not, and EMBER full catalogs and
// updates with deletes.
func TestIngestsWhatTheExporterPublishes(t *testing.T) {
	t.Parallel()
	const n = 1500
	tests := []struct {
		name     string
		formats  []string
		pageSize int
		gzip     bool
	}{
		{"one cdf file", []string{export.FormatCDF}, 0, false},
		{"cdf pages", []string{export.FormatCDF}, 150, false},
		{"gzipped cdf pages", []string{export.FormatCDF}, 150, true},
		{"ember", []string{export.FormatEMBER}, 200, false},
		{"gzipped ember", []string{export.FormatEMBER}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			sink, err := dirsink.New(dir)
			if err != nil {
				t.Fatal(err)
			}
			clock := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
			e := export.Exporter{Sink: sink, StateDir: filepath.Join(dir, ".state"), Formats: tt.formats, PageSize: tt.pageSize, Gzip: tt.gzip,
				Now: func() time.Time { clock = clock.Add(time.Second); return clock }}
			ctx := context.Background()
			var prev *Catalog
			for rev := range 3 {
				sum, err := e.Export(ctx, source.Synthetic{Works: n, Seed: 11, Revision: rev * 3})
				if err != nil {
					t.Fatalf("revision %d: %v", rev, err)
				}
				c, err := LoadDir(ctx, dir)
				if err != nil {
					t.Fatalf("revision %d: %v", rev, err)
				}
				got := c.Counts()
				if got.Works != sum.Total() || got.Movies != sum.Works["MOVIE"] || got.Shows != sum.Works["SERIES"] || got.Episodes != sum.Works["EPISODE"] {
					t.Fatalf("revision %d: ingested %+v, exported %+v", rev, got, sum.Works)
				}
				if tt.formats[0] == export.FormatCDF && got.Channels == 0 {
					t.Fatalf("no channels ingested")
				}
				// Each revision changes some works: the report counts them,
				// and the counts add up to both catalogs' works.
				ch := Diff(prev, c)
				if ch.Added+ch.Updated+ch.Unchanged != got.Works || ch.Removed+ch.Updated+ch.Unchanged != prev.Counts().Works {
					t.Fatalf("revision %d: changes %+v do not add up to %d works (before: %d)", rev, ch, got.Works, prev.Counts().Works)
				}
				if rev > 0 && (ch.Updated == 0 || ch.Unchanged == 0) {
					t.Fatalf("revision %d: changes %+v, want some updated and some unchanged", rev, ch)
				}
				prev = c
			}
			// A renamed movie is found by its new title.
			renamed := ""
			err = source.Synthetic{Works: n, Seed: 11, Revision: 6}.Walk(ctx, func(r source.Record) error {
				if r.Work != nil && r.Work.Kind == "MOVIE" && renamed == "" && strings.Contains(r.Work.Title, "Director's Cut") {
					renamed = r.Work.Title
				}
				return nil
			})
			if err != nil || renamed == "" {
				t.Fatalf("no renamed movie in revision 2: %v", err)
			}
			c, _ := LoadDir(ctx, dir)
			if ws := c.FindTitle(renamed); len(ws) == 0 {
				t.Fatalf("renamed movie %q not found", renamed)
			}
		})
	}
}

func TestLoadDirMissing(t *testing.T) {
	t.Parallel()
	c, err := LoadDir(context.Background(), t.TempDir())
	if err != nil || len(c.Missing) != 2 || c.Counts().Works != 0 {
		t.Fatalf("%+v %v", c, err)
	}
}
