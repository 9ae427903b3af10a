package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"livingroom/catalog-exporter/export"
	"livingroom/internal/catalog"
	"livingroom/internal/dynamo"
	"livingroom/internal/dynamotest"
	"livingroom/internal/s3test"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func runCLI(t *testing.T, getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, getenv, &out, &errOut)
	return code, out.String(), errOut.String()
}

const badSource = `{"type":"series","id":"series-ok","title":"OK","imageUrl":"https://img.example.com/ok.jpg"}
{"type":"movie","id":"movie-ok","title":"Fine","runtimeMinutes":90,"imageUrl":"https://img.example.com/fine.jpg"}
{"type":"episode","id":"episode-x","title":"Zero","seriesId":"series-ok","seasonId":"season-missing","season":0,"episode":1}
`

const warnSource = `{"type":"movie","id":"movie-ok","title":"Fine &amp; Dandy","imageUrl":"https://img.example.com/fine.jpg"}
`

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "source.jsonl")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRun(t *testing.T) {
	t.Parallel()
	bad, warn := writeFile(t, badSource), writeFile(t, warnSource)
	tests := []struct {
		name       string
		args       func(out string) []string
		env        map[string]string
		wantCode   int
		wantOut    []string
		wantStderr []string
		wantFiles  bool
	}{
		{
			name:      "bundled sample",
			args:      func(out string) []string { return []string{"--out", out} },
			wantOut:   []string{"source: bundled sample", "works: 2 series, 4 seasons, 59 episodes, 6 movies; channels: 8", "wrote catalogs/catalog.xml (", "bytes: ", "duration: "},
			wantFiles: true,
		},
		{
			name:       "invalid works are left out and listed",
			args:       func(out string) []string { return []string{"--out", out, "--source", bad, "--partner", "Hulu"} },
			wantCode:   exitWithProblems,
			wantOut:    []string{"works: 1 series, 0 seasons, 0 episodes, 1 movies", "problems: 1 errors"},
			wantStderr: []string{`error: line 3: episode-x: field "season": must be ≥ 1`},
			wantFiles:  true,
		},
		{
			name:       "strict refuses",
			args:       func(out string) []string { return []string{"--out", out, "--source", bad, "--strict"} },
			wantCode:   exitRefused,
			wantOut:    []string{"refused: 1 errors and --strict", "wrote nothing"},
			wantStderr: []string{"catalog refused"},
		},
		{
			name:       "warnings",
			args:       func(out string) []string { return []string{"--out", out, "--source", warn} },
			wantCode:   exitWithProblems,
			wantOut:    []string{"problems: 0 errors (records left out), 1 warnings"},
			wantStderr: []string{`warning: line 1: movie-ok: field "title": contains "&amp;"`},
			wantFiles:  true,
		},
		{
			name:      "synthetic",
			args:      func(out string) []string { return []string{"--out", out, "--synthetic", "1000", "--seed", "3"} },
			wantOut:   []string{"source: synthetic 1000 works, seed 3", "works: 25 series, 80 seasons, 855 episodes, 40 movies; channels: 6"},
			wantFiles: true,
		},
		{name: "missing out", args: func(string) []string { return []string{"--source", bad} }, wantCode: exitUsage},
		{name: "unknown flag", args: func(out string) []string { return []string{"--out", out, "--bogus"} }, wantCode: exitUsage},
		{name: "bad format", args: func(out string) []string { return []string{"--out", out, "--format", "cdf,json"} }, wantCode: exitUsage},
		{name: "bad max removals", args: func(out string) []string { return []string{"--out", out, "--max-removals", "lots"} }, wantCode: exitUsage},
		{name: "source and synthetic", args: func(out string) []string { return []string{"--out", out, "--source", bad, "--synthetic", "5"} }, wantCode: exitUsage},
		{name: "s3 without state", args: func(string) []string { return []string{"--s3", "s3://bucket"} }, wantCode: exitUsage},
		{
			name:       "index without table",
			args:       func(out string) []string { return []string{"--out", out, "--index"} },
			wantCode:   exitUsage,
			wantStderr: []string{"CATALOG_TABLE"},
		},
		{
			name:       "missing source file",
			args:       func(out string) []string { return []string{"--out", out, "--source", filepath.Join(out, "nope.jsonl")} },
			wantCode:   exitFailed,
			wantStderr: []string{"no such file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			code, stdout, stderr := runCLI(t, env(tt.env), tt.args(out)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
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
			_, statErr := os.Stat(filepath.Join(out, export.CatalogKey))
			if tt.wantFiles != (statErr == nil) {
				t.Errorf("catalog.xml exists = %v, want %v", statErr == nil, tt.wantFiles)
			}
		})
	}
}

func TestRunJSONSummaryAndDiff(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, env(nil), "--out", out, "--synthetic", "2000", "--json", "--format", "cdf,ember", "--page-size", "300", "--gzip")
	if code != exitExported {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var first struct {
		export.Summary
		Problems []export.Problem `json:"problems"`
	}
	if err := json.Unmarshal([]byte(stdout), &first); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if !first.FirstExport || first.Diff.Added != 2000 || first.EmberType != "CATALOG_FULL" || len(first.Files) < 10 || first.Problems == nil {
		t.Fatalf("first summary %+v", first)
	}
	// Revision 1 removes a few works: refused under a zero limit, exit 4.
	code, stdout, _ = runCLI(t, env(nil), "--out", out, "--synthetic", "2000", "--synthetic-revision", "4", "--json", "--max-removals", "0",
		"--format", "cdf,ember", "--page-size", "300", "--gzip")
	var refused export.Summary
	if err := json.Unmarshal([]byte(stdout), &refused); err != nil || code != exitRefused || refused.Diff.Removed == 0 || refused.Refused == "" {
		t.Fatalf("exit %d, %v, summary %+v", code, err, refused)
	}
	code, stdout, _ = runCLI(t, env(nil), "--out", out, "--synthetic", "2000", "--synthetic-revision", "4", "--json", "--max-removals", "1%",
		"--format", "cdf,ember", "--page-size", "300", "--gzip")
	var next export.Summary
	if err := json.Unmarshal([]byte(stdout), &next); err != nil || code != exitExported || next.EmberType != "CATALOG_UPDATE" ||
		next.Diff.Updated == 0 || next.Diff.Removed != refused.Diff.Removed {
		t.Fatalf("exit %d, %v, summary %+v", code, err, next)
	}
}

func TestRunWriteSourceRoundTrips(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "syn.jsonl")
	if code, _, stderr := runCLI(t, env(nil), "--synthetic", "1500", "--seed", "4", "--write-source", file); code != 0 {
		t.Fatalf("write-source: %s", stderr)
	}
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	runCLI(t, env(nil), "--out", a, "--synthetic", "1500", "--seed", "4")
	if code, _, stderr := runCLI(t, env(nil), "--out", b, "--source", file); code != 0 {
		t.Fatalf("export of the written source: %s", stderr)
	}
	x, _ := os.ReadFile(filepath.Join(a, export.CatalogKey))
	y, _ := os.ReadFile(filepath.Join(b, export.CatalogKey))
	if len(x) == 0 || !bytes.Equal(x, y) {
		t.Fatal("the synthetic catalog and its JSON Lines source export differently")
	}
}

// TestRunIndex writes the sample's index to dynalite through the CLI, with
// the environment a local stack sets, reads it back with the adapter, then
// exports a changed source and checks that only the change was applied.
func TestRunIndex(t *testing.T) {
	t.Parallel()
	db := dynamotest.New(t)
	table := db.Tables["catalog"]
	getenv := env(map[string]string{
		"CATALOG_TABLE": table, "DYNAMODB_ENDPOINT": os.Getenv(dynamotest.EnvEndpoint), "AWS_REGION": "eu-west-1",
	})
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, getenv, "--out", out, "--index")
	if code != 0 {
		t.Fatalf("run: %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "index: table "+table+": 71 works put, 0 replaced, 0 deleted; 8 channels put") {
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

	// Rename a movie, drop another and a channel: the next export writes
	// only those and removes their old lookups.
	sample, err := os.ReadFile("source/sample.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	var droppedMovie, renamedMovie, oldTitle string
	for _, l := range strings.Split(strings.TrimSpace(string(sample)), "\n") {
		var rec struct{ Type, ID, Title string }
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		switch {
		case rec.Type == "movie" && droppedMovie == "":
			droppedMovie = rec.ID
			continue
		case rec.Type == "movie" && renamedMovie == "":
			renamedMovie, oldTitle = rec.ID, rec.Title
			l = strings.Replace(l, `"title": "`+rec.Title+`"`, `"title": "Renamed Feature"`, 1)
			l = strings.Replace(l, `"title":"`+rec.Title+`"`, `"title":"Renamed Feature"`, 1)
		case rec.Type == "channel" && rec.ID == "channel-espn":
			continue
		}
		lines = append(lines, l)
	}
	changed := writeFile(t, strings.Join(lines, "\n")+"\n")
	code, stdout, stderr = runCLI(t, getenv, "--out", out, "--index", "--source", changed, "--max-removals", "2")
	if code != 0 {
		t.Fatalf("second run: %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"diff: 0 added, 1 removed, 1 updated, 69 unchanged", "0 works put, 1 replaced, 1 deleted; 7 channels put, 1 deleted"} {
		if !strings.Contains(stdout, want) {
			t.Fatalf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := idx.GetWork(ctx, droppedMovie); err == nil {
		t.Fatalf("removed %s still indexed", droppedMovie)
	}
	if ws, err := idx.FindByTitle(ctx, oldTitle); err == nil {
		t.Fatalf("old title %q still finds %+v", oldTitle, ws)
	}
	if ws, err := idx.FindByTitle(ctx, "renamed feature"); err != nil || ws[0].ID != renamedMovie {
		t.Fatalf("new title: %+v, %v", ws, err)
	}
	if _, err := idx.FindChannel(ctx, catalog.ChannelRef{CallSign: "espn"}); err == nil {
		t.Fatal("removed channel still found")
	}
}

// The CLI publishes to an S3-compatible server with the real SDK client.
func TestRunS3(t *testing.T) {
	t.Parallel()
	srv := s3test.New(t, "cdf-living-room")
	getenv := env(map[string]string{"S3_ENDPOINT": srv.URL})
	state := t.TempDir()
	code, stdout, stderr := runCLI(t, getenv, "--s3", "s3://cdf-living-room/staging", "--state", state, "--synthetic", "3000", "--page-size", "500")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	keys := srv.Keys(t, "staging/")
	var pages, manifests int
	for _, k := range keys {
		switch {
		case strings.HasPrefix(k, "staging/pages/"):
			pages++
		case strings.HasPrefix(k, "staging/manifests/"):
			manifests++
		}
	}
	if pages < 2 || manifests != 1 || !slices.Contains(keys, "staging/catalogs/channels.xml") {
		t.Fatalf("keys %v", keys)
	}
	if code, _, stderr := runCLI(t, getenv, "--s3", "https://x", "--state", state); code != exitUsage {
		t.Fatalf("bad --s3 URL: exit %d %s", code, stderr)
	}
}
