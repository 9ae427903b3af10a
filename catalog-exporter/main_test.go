package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"livingroom/catalog-exporter/export"
	"livingroom/internal/catalog"
	"livingroom/internal/dynamo"
	"livingroom/internal/dynamotest"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func runCLI(t *testing.T, getenv func(string) string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, getenv, &out, &errOut)
	return out.String(), errOut.String(), err
}

const badSource = `{"type":"series","id":"series-ok","title":"OK"}
{"type":"movie","id":"movie-ok","title":"Fine","runtimeMinutes":90}
{"type":"episode","id":"episode-x","title":"Zero","seriesId":"series-ok","seasonId":"season-missing","season":0,"episode":1}
`

func writeSource(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "source.jsonl")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRun(t *testing.T) {
	t.Parallel()
	bad := writeSource(t, badSource)
	tests := []struct {
		name       string
		args       func(out string) []string
		env        map[string]string
		wantErr    func(error) bool
		wantOut    []string
		wantStderr []string
		wantFiles  bool
	}{
		{
			name:      "bundled sample",
			args:      func(out string) []string { return []string{"--out", out} },
			wantOut:   []string{"source: bundled sample", "works: 2 series, 4 seasons, 59 episodes, 6 movies; channels: 8", "catalog.xml (", "bytes: ", "duration: "},
			wantFiles: true,
		},
		{
			name:       "invalid source writes nothing",
			args:       func(out string) []string { return []string{"--out", out, "--source", bad} },
			wantErr:    func(err error) bool { return errors.Is(err, export.ErrRejected) },
			wantOut:    []string{"invalid records: 1 (rejected the catalog", "wrote nothing"},
			wantStderr: []string{`invalid: line 3: episode-x: field "season": must be ≥ 1`, `invalid: line 3: episode-x: field "seasonId": season "season-missing" not found`},
		},
		{
			name: "skip invalid",
			args: func(out string) []string {
				return []string{"--out", out, "--source", bad, "--skip-invalid", "--partner", "Hulu"}
			},
			wantOut:    []string{"works: 1 series, 0 seasons, 0 episodes, 1 movies; channels: 0", "invalid records: 1 (skipped"},
			wantStderr: []string{`episode-x: field "season"`},
			wantFiles:  true,
		},
		{
			name:    "missing out",
			args:    func(string) []string { return []string{"--source", bad} },
			wantErr: func(err error) bool { return errors.As(err, new(usageError)) },
		},
		{
			name:    "unknown flag",
			args:    func(out string) []string { return []string{"--out", out, "--bogus"} },
			wantErr: func(err error) bool { return errors.As(err, new(usageError)) },
		},
		{
			name:    "index without table",
			args:    func(out string) []string { return []string{"--out", out, "--index"} },
			wantErr: func(err error) bool { return err != nil && strings.Contains(err.Error(), "CATALOG_TABLE") },
		},
		{
			name:    "missing source file",
			args:    func(out string) []string { return []string{"--out", out, "--source", filepath.Join(out, "nope.jsonl")} },
			wantErr: func(err error) bool { return errors.Is(err, os.ErrNotExist) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			stdout, stderr, err := runCLI(t, env(tt.env), tt.args(out)...)
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !tt.wantErr(err) {
				t.Fatalf("run err = %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
			}
			for _, want := range tt.wantOut {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			_, statErr := os.Stat(filepath.Join(out, export.CatalogFile))
			if tt.wantFiles != (statErr == nil) {
				t.Errorf("catalog.xml exists = %v, want %v", statErr == nil, tt.wantFiles)
			}
		})
	}
}

// TestRunIndex writes the sample's index to dynalite through the CLI, with
// the environment a local stack sets, and reads it back with the adapter.
func TestRunIndex(t *testing.T) {
	t.Parallel()
	db := dynamotest.New(t)
	table := db.Tables["catalog"]
	getenv := env(map[string]string{
		"CATALOG_TABLE": table, "DYNAMODB_ENDPOINT": os.Getenv(dynamotest.EnvEndpoint), "AWS_REGION": "eu-west-1",
	})
	stdout, stderr, err := runCLI(t, getenv, "--out", t.TempDir(), "--index")
	if err != nil {
		t.Fatalf("run: %v\n%s\n%s", err, stdout, stderr)
	}
	if !strings.Contains(stdout, "index: 71 works, 8 channels in table "+table) {
		t.Fatalf("stdout:\n%s", stdout)
	}
	idx := dynamo.NewCatalog(db.Client, table)
	ctx := context.Background()
	works, err := idx.FindByExternalID(ctx, "imdb", "tt5834204")
	if err != nil || len(works) != 1 || works[0].Title != "The Handmaid's Tale" {
		t.Fatalf("FindByExternalID = %+v, %v", works, err)
	}
	eps, err := idx.Episodes(ctx, "series-handmaids-tale", catalog.EpisodeRef{Season: 1, Episode: 10}, 2)
	if err != nil || len(eps) != 2 || eps[0].Title != "June" || eps[1].Title != "Unwomen" || eps[0].SeriesTitle != "The Handmaid's Tale" {
		t.Fatalf("Episodes after S1E10 = %+v, %v", eps, err)
	}
	chs, err := idx.FindChannel(ctx, catalog.ChannelRef{CallSign: "espn"})
	if err != nil || chs[0].Number != "206" {
		t.Fatalf("FindChannel(espn) = %+v, %v", chs, err)
	}
	top, err := idx.FindByGenre(ctx, "science fiction", 2)
	if err != nil || len(top) != 2 || top[0].ID != "series-handmaids-tale" || top[1].ID != "movie-palm-springs" {
		t.Fatalf("FindByGenre(science fiction) = %+v, %v", top, err)
	}
}
