package export_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"livingroom/catalog-exporter/dirsink"
	"livingroom/catalog-exporter/export"
	"livingroom/catalog-exporter/source"
	"livingroom/internal/catalog"
	"livingroom/internal/catalog/catalogtest"
	"livingroom/internal/cdf"
	"livingroom/internal/cdf/cdftest"
	"livingroom/internal/ember"
	"livingroom/internal/goldentest"
)

// fixedClock returns times one second apart, so Duration is deterministic.
func fixedClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// problems collects what the exporter reports.
type problems struct {
	mu   sync.Mutex
	list []export.Problem
}

func (p *problems) add(x export.Problem) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.list = append(p.list, x)
}

func (p *problems) strings() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, len(p.list))
	for i, x := range p.list {
		out[i] = fmt.Sprintf("%s %s %s", x.Severity, x.ID, x.Field)
	}
	return out
}

// newExporter publishes into dir, keeping its state in dir/.state.
func newExporter(t *testing.T, dir string, p *problems) *export.Exporter {
	t.Helper()
	sink, err := dirsink.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := &export.Exporter{Sink: sink, StateDir: filepath.Join(dir, ".state"), Now: fixedClock()}
	if p != nil {
		e.Report = p.add
	}
	return e
}

func fromString(t *testing.T, s string) source.Source {
	t.Helper()
	src, err := source.Bytes(context.Background(), "test", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func fromFile(t *testing.T, path string) source.Source {
	t.Helper()
	src, closer, err := source.OpenFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closer.Close() })
	return src
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func TestExportGolden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var p problems
	e := newExporter(t, dir, &p)
	sum, err := e.Export(context.Background(), fromFile(t, "testdata/small.jsonl"))
	if err != nil {
		t.Fatalf("Export: %v (problems %v)", err, p.strings())
	}
	want := map[catalog.Kind]int{catalog.Series: 1, catalog.Season: 1, catalog.Episode: 2, catalog.Movie: 2}
	if !reflect.DeepEqual(sum.Works, want) || sum.Channels != 2 || sum.Errors != 0 || sum.Duration <= 0 ||
		!sum.FirstExport || sum.Diff.Added != 6 || sum.Images != 3 {
		t.Fatalf("summary = %+v, problems %v", sum, p.strings())
	}
	var files []string
	for i, key := range []string{export.CatalogKey, export.ChannelsKey} {
		path := filepath.Join(dir, key)
		got := read(t, path)
		if sum.Files[i].Key != key || sum.Files[i].Bytes != int64(len(got)) {
			t.Fatalf("summary file %d = %+v, want %s with %d bytes", i, sum.Files[i], key, len(got))
		}
		goldentest.Assert(t, filepath.Join("testdata", strings.TrimSuffix(filepath.Base(key), ".xml")+".golden.xml"), got)
		files = append(files, path)
	}
	cdftest.Validate(t, files...)
}

// works decodes the works of CDF files with the types alexa-sim reads.
func works(t *testing.T, paths ...string) (ids []string, c cdf.Catalog) {
	t.Helper()
	for _, path := range paths {
		var one cdf.Catalog
		if err := xml.Unmarshal(read(t, path), &one); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, m := range one.Works.Movies {
			ids = append(ids, m.ID)
		}
		for _, s := range one.Works.Shows {
			ids = append(ids, s.ID)
		}
		for _, s := range one.Works.Seasons {
			ids = append(ids, s.ID)
		}
		for _, e := range one.Works.Episodes {
			ids = append(ids, e.ID)
		}
		c.Works.Movies = append(c.Works.Movies, one.Works.Movies...)
		c.Works.Episodes = append(c.Works.Episodes, one.Works.Episodes...)
		c.Partner = one.Partner
	}
	sort.Strings(ids)
	return ids, c
}

func TestExportSampleDecodesBackAndValidates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, err := source.SampleSource(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sum, err := newExporter(t, dir, nil).Export(context.Background(), src)
	if err != nil || sum.Errors+sum.Warnings > 0 {
		t.Fatalf("Export: %v, %+v", err, sum)
	}
	ids, c := works(t, filepath.Join(dir, export.CatalogKey))
	if len(ids) != sum.Total() || c.Partner != "Living Room" || !slices.IsSorted(ids) {
		t.Fatalf("decoded %d works, summary %d", len(ids), sum.Total())
	}
	cdftest.Validate(t, filepath.Join(dir, export.CatalogKey), filepath.Join(dir, export.ChannelsKey))
}

// The same synthetic catalog gives the same bytes, in id order.
func TestExportIsDeterministic(t *testing.T) {
	t.Parallel()
	var got [][]byte
	for range 2 {
		dir := t.TempDir()
		if _, err := newExporter(t, dir, nil).Export(context.Background(), source.Synthetic{Works: 3000, Seed: 9}); err != nil {
			t.Fatal(err)
		}
		got = append(got, read(t, filepath.Join(dir, export.CatalogKey)))
		ids, _ := works(t, filepath.Join(dir, export.CatalogKey))
		if len(ids) != 3000 {
			t.Fatalf("%d works", len(ids))
		}
		cdftest.Validate(t, filepath.Join(dir, export.CatalogKey), filepath.Join(dir, export.ChannelsKey))
	}
	if !bytes.Equal(got[0], got[1]) {
		t.Fatal("two exports of the same catalog differ")
	}
	// IDs in document order are sorted.
	var order []string
	d := xml.NewDecoder(bytes.NewReader(got[0]))
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 4 && tok.Name.Local == "ID" {
				var id string
				if err := d.DecodeElement(&id, &tok); err != nil {
					t.Fatal(err)
				}
				order = append(order, id)
				depth--
			}
		case xml.EndElement:
			depth--
		}
	}
	if len(order) != 3000 || !slices.IsSorted(order) {
		t.Fatalf("%d ids in document order, sorted %v", len(order), slices.IsSorted(order))
	}
}

const goodSeries = `{"type":"series","id":"series-a","title":"A","imageUrl":"https://img.example.com/a.jpg"}
{"type":"season","id":"season-a-1","title":"Season 1","seriesId":"series-a","season":1,"imageUrl":"https://img.example.com/a1.jpg"}
{"type":"episode","id":"episode-a-1-1","title":"Pilot","seriesId":"series-a","seasonId":"season-a-1","season":1,"episode":1,"imageUrl":"https://img.example.com/a11.jpg"}
`

func TestExportProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		source   string
		problems []string // severity id field
		exported []string // ids
	}{
		{"clean", goodSeries, nil, []string{"episode-a-1-1", "season-a-1", "series-a"}},
		{"blank title", goodSeries + `{"type":"movie","id":"movie-x","title":"  ","imageUrl":"https://img.example.com/x.jpg"}`,
			[]string{"error movie-x title"}, []string{"episode-a-1-1", "season-a-1", "series-a"}},
		{"duplicate id keeps the first", goodSeries + `{"type":"movie","id":"series-a","title":"Dup"}`,
			[]string{"error series-a id"}, []string{"episode-a-1-1", "season-a-1", "series-a"}},
		{"episode of a missing season", goodSeries + `{"type":"episode","id":"episode-a-9-1","title":"Lost","seriesId":"series-a","seasonId":"season-a-9","season":9,"episode":1}`,
			[]string{"error episode-a-9-1 seasonId"}, []string{"episode-a-1-1", "season-a-1", "series-a"}},
		{"season of a missing series drops its episodes", `{"type":"season","id":"season-b-1","title":"S1","seriesId":"series-b","season":1}
{"type":"episode","id":"episode-b-1-1","title":"E1","seriesId":"series-b","seasonId":"season-b-1","season":1,"episode":1}
` + goodSeries, []string{"error season-b-1 seriesId", "error episode-b-1-1 seasonId"}, []string{"episode-a-1-1", "season-a-1", "series-a"}},
		{"episode numbers", goodSeries + `{"type":"episode","id":"episode-a-1-1b","title":"Again","seriesId":"series-a","seasonId":"season-a-1","season":1,"episode":1}
{"type":"episode","id":"episode-a-1-2","title":"Wrong season","seriesId":"series-a","seasonId":"season-a-1","season":2,"episode":2}`,
			[]string{"error episode-a-1-1b episode", "error episode-a-1-2 season"}, []string{"episode-a-1-1", "season-a-1", "series-a"}},
		{"second season with the same number", goodSeries + `{"type":"season","id":"season-a-1b","title":"Season 1 again","seriesId":"series-a","season":1}`,
			[]string{"error season-a-1b season"}, []string{"episode-a-1-1", "season-a-1", "series-a"}},
		{"runtime and dates", goodSeries + `{"type":"movie","id":"movie-r","title":"R","runtimeMinutes":3000,"releaseDate":"2020-13-01"}`,
			[]string{"error movie-r runtimeMinutes", "error movie-r releaseDate"}, []string{"episode-a-1-1", "season-a-1", "series-a"}},
		{"window ends before it starts", goodSeries + `{"type":"movie","id":"movie-w","title":"W","imageUrl":"https://img.example.com/w.jpg","availability":[{"offer":"rental","regions":["usa"],"start":"2025-01-01","end":"2024-01-01"}]}`,
			[]string{"error movie-w availability[0].offer", "error movie-w availability[0].regions[0]", "error movie-w availability[0].end"},
			[]string{"episode-a-1-1", "season-a-1", "series-a"}},
		{"warnings keep the work", goodSeries + `{"type":"movie","id":"movie-w","title":"Tom &amp; Jerry","releaseYear":2019,"releaseDate":"2020-01-01","imageUrl":"https://img.example.com/w.gif"}`,
			[]string{"warning movie-w releaseYear", "warning movie-w title", "warning movie-w imageUrl"},
			[]string{"episode-a-1-1", "movie-w", "season-a-1", "series-a"}},
		{"lines that are not records", goodSeries + "{not json\n" + `{"type":"short","id":"short-1","title":"S"}`,
			[]string{"error  record", "error short-1 type"}, []string{"episode-a-1-1", "season-a-1", "series-a"}},
		{"channels", goodSeries + `{"type":"channel","id":"channel-1","name":"One","number":"7"}
{"type":"channel","id":"channel-2","name":"Two","number":"7"}
{"type":"channel","id":"channel-3","name":"Three"}`,
			[]string{"error channel-2 number", "error channel-3 number"}, []string{"episode-a-1-1", "season-a-1", "series-a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			var p problems
			sum, err := newExporter(t, dir, &p).Export(context.Background(), fromString(t, tt.source))
			if err != nil {
				t.Fatalf("Export: %v", err)
			}
			got := p.strings()
			if !reflect.DeepEqual(got, tt.problems) && !(len(got) == 0 && len(tt.problems) == 0) {
				t.Fatalf("problems:\n got %q\nwant %q", got, tt.problems)
			}
			errs := 0
			for _, x := range tt.problems {
				if strings.HasPrefix(x, "error") {
					errs++
				}
			}
			if sum.Errors != errs || sum.Warnings != len(tt.problems)-errs {
				t.Fatalf("summary counts %d errors %d warnings", sum.Errors, sum.Warnings)
			}
			ids, _ := works(t, filepath.Join(dir, export.CatalogKey))
			if !reflect.DeepEqual(ids, tt.exported) {
				t.Fatalf("exported %v, want %v", ids, tt.exported)
			}
			cdftest.Validate(t, filepath.Join(dir, export.CatalogKey), filepath.Join(dir, export.ChannelsKey))
		})
	}
}

func TestExportRefuses(t *testing.T) {
	t.Parallel()
	noImages := `{"type":"movie","id":"movie-1","title":"One"}
{"type":"movie","id":"movie-2","title":"Two"}
{"type":"movie","id":"movie-3","title":"Three","imageUrl":"https://img.example.com/3.jpg"}
`
	bad := goodSeries + `{"type":"movie","id":"movie-x","title":""}`
	tests := []struct {
		name, source string
		strict       bool
		why          string
	}{
		{"strict with an error", bad, true, "1 errors and --strict"},
		{"too few images", noImages, false, "only 1 of 3 works have a valid JPEG or PNG image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			e := newExporter(t, dir, nil)
			e.Strict = tt.strict
			sum, err := e.Export(context.Background(), fromString(t, tt.source))
			if !errors.Is(err, export.ErrRefused) || !strings.Contains(sum.Refused, tt.why) {
				t.Fatalf("err = %v, refused %q", err, sum.Refused)
			}
			assertNothingPublished(t, dir)
		})
	}
}

// assertNothingPublished checks that no catalog, manifest or snapshot is
// there (temporary files included).
func assertNothingPublished(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("published %s", path)
		}
		return nil
	})
}

func TestExportDiffAndMaxRemovals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	const n = 20_000
	e := newExporter(t, dir, nil)
	first, err := e.Export(ctx, source.Synthetic{Works: n, Seed: 5})
	if err != nil || !first.FirstExport || first.Diff.Added != n {
		t.Fatalf("first: %v %+v", err, first.Diff)
	}
	before := read(t, filepath.Join(dir, export.CatalogKey))
	snapshot := read(t, filepath.Join(dir, ".state", "snapshot"))

	// What revision 1 changes, counted independently of the exporter.
	old, next := jsonlByID(t, source.Synthetic{Works: n, Seed: 5}), jsonlByID(t, source.Synthetic{Works: n, Seed: 5, Revision: 1})
	var want export.Diff
	for id, line := range old {
		switch other, ok := next[id]; {
		case !ok:
			want.Removed++
		case other != line:
			want.Updated++
		default:
			want.Unchanged++
		}
	}
	if want.Removed == 0 || want.Updated == 0 {
		t.Fatalf("revision 1 changes nothing: %+v", want)
	}

	// A removal limit below the removals refuses and leaves everything.
	for _, limit := range []string{fmt.Sprint(want.Removed - 1), fmt.Sprintf("%g%%", 100*float64(want.Removed-1)/n)} {
		l, err := export.ParseLimit(limit)
		if err != nil {
			t.Fatal(err)
		}
		e.MaxRemovals = &l
		sum, err := e.Export(ctx, source.Synthetic{Works: n, Seed: 5, Revision: 1})
		if !errors.Is(err, export.ErrRefused) || !strings.Contains(sum.Refused, "--max-removals "+limit) || sum.Diff != want {
			t.Fatalf("limit %s: err %v, refused %q, diff %+v want %+v", limit, err, sum.Refused, sum.Diff, want)
		}
		if !bytes.Equal(read(t, filepath.Join(dir, export.CatalogKey)), before) || !bytes.Equal(read(t, filepath.Join(dir, ".state", "snapshot")), snapshot) {
			t.Fatalf("limit %s: a refused export changed the catalog or the snapshot", limit)
		}
	}
	e.MaxRemovals = &export.Limit{Count: want.Removed}
	sum, err := e.Export(ctx, source.Synthetic{Works: n, Seed: 5, Revision: 1})
	if err != nil || sum.Diff != want || sum.FirstExport {
		t.Fatalf("revision 1: %v, diff %+v want %+v", err, sum.Diff, want)
	}
	// Exporting the same again changes nothing.
	sum, err = e.Export(ctx, source.Synthetic{Works: n, Seed: 5, Revision: 1})
	if err != nil || sum.Diff != (export.Diff{Unchanged: n - want.Removed}) {
		t.Fatalf("again: %v, diff %+v", err, sum.Diff)
	}
}

func jsonlByID(t *testing.T, src source.Source) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := src.Walk(context.Background(), func(r source.Record) error {
		if r.Work != nil {
			var b bytes.Buffer
			source.Encode(&b, r)
			out[r.ID()] = b.String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExportPagesAndManifest(t *testing.T) {
	t.Parallel()
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			ctx := context.Background()
			e := newExporter(t, dir, nil)
			e.PageSize, e.Gzip = 200, gz
			const n = 6000
			sum, err := e.Export(ctx, source.Synthetic{Works: n, Seed: 2})
			if err != nil {
				t.Fatal(err)
			}
			pages := manifestPages(t, dir, sum)
			if len(pages) < n/800 || len(pages) > n/50 {
				t.Fatalf("%d pages for %d works of page size 200", len(pages), n)
			}
			var paths []string
			for _, p := range pages {
				paths = append(paths, filepath.Join(dir, export.PagesDir, p))
			}
			ids, _ := works(t, paths...)
			if len(ids) != n || len(slices.Compact(slices.Clone(ids))) != n {
				t.Fatalf("pages hold %d works (%d distinct), want %d", len(ids), len(slices.Compact(ids)), n)
			}
			if !gz {
				cdftest.Validate(t, paths...)
			}
			if _, err := os.Stat(filepath.Join(dir, export.CatalogKey)); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("a paged export also wrote catalogs/catalog.xml")
			}

			// An update rewrites only the pages with a change.
			sum, err = e.Export(ctx, source.Synthetic{Works: n, Seed: 2, Revision: 1})
			if err != nil {
				t.Fatal(err)
			}
			next := manifestPages(t, dir, sum)
			written := 0
			for _, f := range sum.Files {
				if strings.HasPrefix(f.Key, export.PagesDir) {
					written++
				}
			}
			if sum.PagesReused == 0 || written+sum.PagesReused != len(next) {
				t.Fatalf("update: %d pages, %d written, %d reused", len(next), written, sum.PagesReused)
			}
			paths = paths[:0]
			for _, p := range next {
				paths = append(paths, filepath.Join(dir, export.PagesDir, p))
			}
			ids, _ = works(t, paths...)
			if len(ids) != n-sum.Diff.Removed {
				t.Fatalf("updated pages hold %d works, want %d", len(ids), n-sum.Diff.Removed)
			}
		})
	}
}

// manifestPages reads the manifest an export wrote.
func manifestPages(t *testing.T, dir string, sum export.Summary) []string {
	t.Helper()
	for _, f := range sum.Files {
		if strings.HasPrefix(f.Key, export.ManifestDir) {
			return strings.Fields(string(read(t, filepath.Join(dir, f.Key))))
		}
	}
	t.Fatalf("no manifest in %+v", sum.Files)
	return nil
}

func TestExportEmberFullThenUpdate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	e := newExporter(t, dir, nil)
	e.Formats = []string{export.FormatEMBER}
	e.PageSize = 700
	const n = 3000
	sum, err := e.Export(ctx, source.Synthetic{Works: n, Seed: 4})
	if err != nil || sum.EmberType != ember.CatalogFull {
		t.Fatalf("full: %v %+v", err, sum)
	}
	m, files := emberManifest(t, dir, sum)
	programs, deletes := readEmber(t, dir, files)
	if m.Type != ember.CatalogFull || len(programs) != n || len(deletes) != 0 || len(files) != 2*((n+699)/700) {
		t.Fatalf("full: type %s, %d programs, %d deletes, %d files", m.Type, len(programs), len(deletes), len(files))
	}
	if _, err := os.Stat(filepath.Join(dir, export.CatalogKey)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("an EMBER-only export wrote CDF")
	}

	sum, err = e.Export(ctx, source.Synthetic{Works: n, Seed: 4, Revision: 2})
	if err != nil || sum.EmberType != ember.CatalogUpdate {
		t.Fatalf("update: %v %+v", err, sum)
	}
	m, files = emberManifest(t, dir, sum)
	programs, deletes = readEmber(t, dir, files)
	if m.Type != ember.CatalogUpdate || len(programs) != sum.Diff.Added+sum.Diff.Updated || len(deletes) != sum.Diff.Removed || len(deletes) == 0 {
		t.Fatalf("update: type %s, %d programs, %d deletes, diff %+v", m.Type, len(programs), len(deletes), sum.Diff)
	}
}

func emberManifest(t *testing.T, dir string, sum export.Summary) (ember.Manifest, []string) {
	t.Helper()
	for _, f := range sum.Files {
		if strings.HasPrefix(f.Key, export.EmberManDir) {
			var m ember.Manifest
			if err := json.Unmarshal(read(t, filepath.Join(dir, f.Key)), &m); err != nil {
				t.Fatal(err)
			}
			if err := m.Validate(); err != nil {
				t.Fatal(err)
			}
			return m, m.S3Keys
		}
	}
	t.Fatalf("no EMBER manifest in %+v", sum.Files)
	return ember.Manifest{}, nil
}

// readEmber reads program ids and deletes from EMBER files with
// encoding/xml, as an independent reader.
func readEmber(t *testing.T, dir string, keys []string) (programs, deletes []string) {
	t.Helper()
	for _, k := range keys {
		var doc struct {
			XMLName  xml.Name `xml:"DataCollections"`
			Schema   string   `xml:"schemaVersion,attr"`
			Programs struct {
				Items []struct {
					ID string `xml:"id,attr"`
				} `xml:",any"`
			} `xml:"ProgramCatalog"`
			Deletes []struct {
				ID string `xml:"id,attr"`
			} `xml:"Delete"`
		}
		if err := xml.Unmarshal(read(t, filepath.Join(dir, k)), &doc); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if doc.Schema != ember.SchemaVersion {
			t.Fatalf("%s: schemaVersion %q", k, doc.Schema)
		}
		for _, p := range doc.Programs.Items {
			programs = append(programs, p.ID)
		}
		for _, d := range doc.Deletes {
			deletes = append(deletes, d.ID)
		}
	}
	return programs, deletes
}

func TestExportKeepsTheIndexUpToDate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	idx := catalogtest.New()
	e := newExporter(t, dir, nil)
	e.Index = idx
	const n = 5000
	sum, err := e.Export(ctx, source.Synthetic{Works: n, Seed: 6})
	if err != nil || sum.Index == nil || sum.Index.Put != n || sum.Index.Channels == 0 {
		t.Fatalf("first: %v %+v", err, sum.Index)
	}
	old := jsonlByID(t, source.Synthetic{Works: n, Seed: 6})
	next := jsonlByID(t, source.Synthetic{Works: n, Seed: 6, Revision: 3})
	sum, err = e.Export(ctx, source.Synthetic{Works: n, Seed: 6, Revision: 3})
	if err != nil || sum.Index.Replaced != sum.Diff.Added+sum.Diff.Updated || sum.Index.Deleted != sum.Diff.Removed || sum.Index.Put != 0 {
		t.Fatalf("update: %v index %+v diff %+v", err, sum.Index, sum.Diff)
	}
	renamed, removed := 0, 0
	for id, line := range old {
		if _, ok := next[id]; !ok {
			removed++
			if _, err := idx.GetWork(ctx, id); !errors.Is(err, catalog.ErrNotFound) {
				t.Fatalf("removed %s still indexed: %v", id, err)
			}
			continue
		}
		var before, after struct{ Title string }
		json.Unmarshal([]byte(line), &before)
		json.Unmarshal([]byte(next[id]), &after)
		if before.Title != after.Title {
			renamed++
			ws, err := idx.FindByTitle(ctx, before.Title)
			for _, w := range ws {
				if w.ID == id {
					t.Fatalf("%s still found by its old title %q (%v)", id, before.Title, err)
				}
			}
			if ws, err := idx.FindByTitle(ctx, after.Title); err != nil || !slices.ContainsFunc(ws, func(w catalog.Work) bool { return w.ID == id }) {
				t.Fatalf("%s not found by its new title %q: %v", id, after.Title, err)
			}
		}
	}
	if renamed == 0 || removed == 0 {
		t.Fatalf("revision 3 renamed %d and removed %d works: the test proves nothing", renamed, removed)
	}
}

// A snapshot that outlived its index (a fresh local table, a restore)
// must not leave the new index empty: the exporter writes it in full.
func TestExportRewritesAnIndexThatLostTheExport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	e := newExporter(t, dir, nil)
	e.Index = catalogtest.New()
	const n = 300
	if sum, err := e.Export(ctx, source.Synthetic{Works: n, Seed: 2}); err != nil || !sum.Index.Full || sum.Index.Put != n {
		t.Fatalf("first: %v %+v", err, sum.Index)
	}
	// The same catalog again into the same index: nothing to write.
	if sum, err := e.Export(ctx, source.Synthetic{Works: n, Seed: 2}); err != nil || sum.Index.Full || sum.Index.Put+sum.Index.Replaced != 0 {
		t.Fatalf("unchanged: %v %+v", err, sum.Index)
	}
	// The same catalog into a fresh index: everything again.
	fresh := catalogtest.New()
	e.Index = fresh
	sum, err := e.Export(ctx, source.Synthetic{Works: n, Seed: 2})
	if err != nil || !sum.Index.Full || sum.Index.Put != n || sum.Diff.Unchanged != n {
		t.Fatalf("fresh index: %v index %+v diff %+v", err, sum.Index, sum.Diff)
	}
	ids := jsonlByID(t, source.Synthetic{Works: n, Seed: 2})
	for id := range ids {
		if _, err := fresh.GetWork(ctx, id); err != nil {
			t.Fatalf("%s not in the fresh index: %v", id, err)
		}
	}
}

type failingIndex struct{ *catalogtest.Index }

func (failingIndex) PutWorks(context.Context, []catalog.Work) error { return errors.New("table gone") }

func TestExportIndexErrorKeepsTheSnapshot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := newExporter(t, dir, nil)
	e.Index = failingIndex{catalogtest.New()}
	_, err := e.Export(context.Background(), source.Synthetic{Works: 100, Seed: 1})
	if err == nil || !strings.Contains(err.Error(), "table gone") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".state", "snapshot")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("snapshot saved although the index was not updated: the next run would not retry")
	}
}

func TestExportStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	e := newExporter(t, dir, nil)
	e.Progress = func(string, int, int) { cancel() }
	_, err := e.Export(ctx, source.Synthetic{Works: 50_000, Seed: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	assertNothingPublished(t, dir)
}

func TestParseLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want export.Limit
		bad  bool
	}{
		{in: "0", want: export.Limit{}},
		{in: "250", want: export.Limit{Count: 250}},
		{in: "2.5%", want: export.Limit{Percent: 2.5}},
		{in: "100%", want: export.Limit{Percent: 100}},
		{in: "-1", bad: true},
		{in: "101%", bad: true},
		{in: "ten", bad: true},
		{in: "%", bad: true},
		{in: "", bad: true},
	}
	for _, tt := range tests {
		got, err := export.ParseLimit(tt.in)
		if (err != nil) != tt.bad || (!tt.bad && got != tt.want) {
			t.Errorf("ParseLimit(%q) = %+v, %v", tt.in, got, err)
		}
	}
}
