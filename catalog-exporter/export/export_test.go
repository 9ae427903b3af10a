package export_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"livingroom/internal/goldentest"

	"livingroom/catalog-exporter/export"
	"livingroom/catalog-exporter/source"
	"livingroom/internal/catalog"
	"livingroom/internal/catalog/catalogtest"
	"livingroom/internal/cdf"
)

// fixedClock returns times one second apart, so Duration is deterministic.
func fixedClock() func() time.Time {
	t := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

func fromString(s string) source.Opener {
	return func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(s)), nil }
}

// reports collects what the exporter reports, safely.
type reports struct {
	mu   sync.Mutex
	msgs []string
}

func (r *reports) add(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, err.Error())
}

func TestExportGolden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var rep reports
	e := export.Exporter{Now: fixedClock(), Report: rep.add}
	sum, err := e.Export(context.Background(), source.File("testdata/small.jsonl"), dir)
	if err != nil {
		t.Fatalf("Export: %v (reports %v)", err, rep.msgs)
	}
	want := map[catalog.Kind]int{catalog.Series: 1, catalog.Season: 1, catalog.Episode: 2, catalog.Movie: 2}
	if !mapsEqual(sum.Works, want) || sum.Channels != 2 || sum.Invalid != 0 || sum.Duration != time.Second {
		t.Fatalf("summary = %+v", sum)
	}
	for i, name := range []string{export.CatalogFile, export.ChannelsFile} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if sum.Files[i].Path != filepath.Join(dir, name) || sum.Files[i].Bytes != int64(len(got)) {
			t.Fatalf("summary file %d = %+v, want %s with %d bytes", i, sum.Files[i], name, len(got))
		}
		goldentest.Assert(t, filepath.Join("testdata", strings.TrimSuffix(name, ".xml")+".golden.xml"), got)
	}
}

// TestExportSampleDecodesBack reads the written files back with the cdf
// types alexa-sim uses.
func TestExportSampleDecodesBack(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := export.Exporter{Partner: "Hulu", Now: fixedClock()}
	if _, err := e.Export(context.Background(), source.Sample(), dir); err != nil {
		t.Fatal(err)
	}
	works := decode(t, filepath.Join(dir, export.CatalogFile))
	if works.Partner != "Hulu" || works.Version != cdf.Version || works.XMLName.Space != cdf.Namespace || works.Linear != nil {
		t.Fatalf("catalog root = %+v", works.XMLName)
	}
	w := works.Works
	if len(w.Shows) != 2 || len(w.Seasons) != 4 || len(w.Episodes) != 59 || len(w.Movies) != 6 {
		t.Fatalf("works: %d shows, %d seasons, %d episodes, %d movies", len(w.Shows), len(w.Seasons), len(w.Episodes), len(w.Movies))
	}
	ht := w.Shows[0]
	if ht.ID != "series-handmaids-tale" || ht.Titles[0].Value != "The Handmaid's Tale" ||
		!slices.Contains(ht.ExternalIDs, cdf.ExternalID{Scheme: "imdb", Value: "tt5834204"}) || ht.Source != "original" {
		t.Fatalf("first show = %+v", ht.Common)
	}
	shows, seasons := map[string]bool{}, map[string]bool{}
	for _, s := range w.Shows {
		shows[s.ID] = true
	}
	for _, s := range w.Seasons {
		if !shows[s.ShowID] {
			t.Errorf("season %s: unknown show %s", s.ID, s.ShowID)
		}
		seasons[s.ID] = true
	}
	for _, ep := range w.Episodes {
		if !shows[ep.ShowID] || !seasons[ep.SeasonID] || ep.EpisodeInSeason < 1 || !strings.HasSuffix(ep.OriginalAirDate, "T00:00:00") {
			t.Errorf("episode %+v", ep)
		}
	}
	if e := w.Episodes[0]; e.Titles[0].Value != "Offred" || e.OriginalAirDate != "2017-04-26T00:00:00" || e.RuntimeMinutes != 57 || e.ReleaseYear != 2017 {
		t.Errorf("first episode = %+v", e)
	}

	linear := decode(t, filepath.Join(dir, export.ChannelsFile))
	if linear.Linear == nil || len(linear.Linear.Stations) != 8 || len(linear.Linear.Lineups) != 1 {
		t.Fatalf("channels file = %+v", linear.Linear)
	}
	numbers := map[string]string{}
	for _, b := range linear.Linear.Lineups[0].Broadcasts {
		numbers[b.StationReference] = b.Channel
	}
	if numbers["channel-espn"] != "206" || numbers["channel-bravo"] != "237" || len(numbers) != 8 {
		t.Fatalf("lineup = %v", numbers)
	}
}

func decode(t *testing.T, path string) cdf.Catalog {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c cdf.Catalog
	if err := xml.Unmarshal(b, &c); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return c
}

// badSource has one good series with a season and episodes, and bad records
// of each kind. Line numbers matter: the reports name them.
const badSource = `{"type":"series","id":"series-ok","title":"OK"}
{"type":"season","id":"season-ok-1","title":"Season 1","seriesId":"series-ok","season":1}
{"type":"episode","id":"episode-ok-1-1","title":"One","seriesId":"series-ok","seasonId":"season-ok-1","season":1,"episode":1}
{"type":"episode","id":"episode-x","title":"Zero","seriesId":"series-ok","seasonId":"season-ok-1","season":0,"episode":2}
{"type":"movie","id":"movie-long","title":"Too Long","runtimeMinutes":3000}
{"type":"movie","id":"movie-ok","title":"Fine"}
{"type":"movie","id":"movie-ok","title":"Fine Again"}
{"type":"series","id":"series-bad","title":""}
{"type":"season","id":"season-bad-1","title":"Season 1","seriesId":"series-bad","season":1}
not json
{"type":"channel","id":"channel-espn","name":"ESPN","number":"206"}
{"type":"channel","id":"channel-espn2","name":"ESPN2","number":"206"}
`

var badReports = []string{
	`line 4: episode-x: field "season": must be ≥ 1`,
	`line 5: movie-long: field "runtimeMinutes": must be between 1 and 2880, got 3000`,
	`line 7: movie-ok: field "id": duplicate id`,
	`line 8: series-bad: field "title": is required`,
	`line 9: season-bad-1: field "seriesId": series "series-bad" not found`,
	`line 10: not a record`,
	`line 12: channel-espn2: field "number": channel "channel-espn" already has number 206`,
}

func TestExportRejectsInvalidCatalog(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	previous := []byte("the previous, good export\n")
	if err := os.WriteFile(filepath.Join(dir, export.CatalogFile), previous, 0o644); err != nil {
		t.Fatal(err)
	}
	var rep reports
	idx := catalogtest.New()
	e := export.Exporter{Report: rep.add, Index: idx, Now: fixedClock()}
	sum, err := e.Export(context.Background(), fromString(badSource), dir)
	if !errors.Is(err, export.ErrRejected) || !strings.Contains(err.Error(), "7 invalid records") {
		t.Fatalf("Export err = %v, want ErrRejected with 7 invalid records", err)
	}
	assertReports(t, rep.msgs, badReports)
	if sum.Invalid != 7 || len(sum.Files) != 0 || len(sum.Works) != 0 {
		t.Fatalf("summary = %+v", sum)
	}
	// Nothing published, the previous export intact, no temporary files left.
	got, _ := os.ReadFile(filepath.Join(dir, export.CatalogFile))
	if !bytes.Equal(got, previous) {
		t.Fatalf("previous catalog.xml changed to:\n%s", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("directory holds %v", entries)
	}
	if _, err := idx.GetWork(context.Background(), "movie-ok"); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("a rejected catalog must not be indexed; GetWork err = %v", err)
	}
}

func TestExportSkipInvalid(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var rep reports
	idx := catalogtest.New()
	e := export.Exporter{Report: rep.add, SkipInvalid: true, Index: idx, IndexBatch: 2, Now: fixedClock()}
	sum, err := e.Export(context.Background(), fromString(badSource), dir)
	if err != nil {
		t.Fatal(err)
	}
	assertReports(t, rep.msgs, badReports)
	want := map[catalog.Kind]int{catalog.Series: 1, catalog.Season: 1, catalog.Episode: 1, catalog.Movie: 1}
	if sum.Invalid != 7 || !mapsEqual(sum.Works, want) || sum.Channels != 1 || sum.IndexedWorks != 4 || sum.IndexedChannels != 1 {
		t.Fatalf("summary = %+v", sum)
	}
	c := decode(t, filepath.Join(dir, export.CatalogFile))
	var ids []string
	for _, m := range c.Works.Movies {
		ids = append(ids, m.ID+"="+m.Titles[0].Value)
	}
	if !slices.Equal(ids, []string{"movie-ok=Fine"}) || len(c.Works.Seasons) != 1 {
		t.Fatalf("movies = %v, seasons = %d", ids, len(c.Works.Seasons))
	}
	// The index holds exactly what the files hold, with denormalised series titles.
	ctx := context.Background()
	ep, err := idx.GetWork(ctx, "episode-ok-1-1")
	if err != nil || ep.SeriesTitle != "OK" {
		t.Fatalf("indexed episode = %+v, %v", ep, err)
	}
	for _, id := range []string{"episode-x", "movie-long", "series-bad", "season-bad-1"} {
		if _, err := idx.GetWork(ctx, id); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("skipped %s was indexed (err %v)", id, err)
		}
	}
	if chs, err := idx.FindChannel(ctx, catalog.ChannelRef{Number: "206"}); err != nil || len(chs) != 1 || chs[0].ID != "channel-espn" {
		t.Fatalf("FindChannel(206) = %+v, %v", chs, err)
	}
}

func TestExportIndexesSample(t *testing.T) {
	t.Parallel()
	idx := catalogtest.New()
	e := export.Exporter{Index: idx, Now: fixedClock()}
	sum, err := e.Export(context.Background(), source.Sample(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if sum.IndexedWorks != 71 || sum.IndexedChannels != 8 {
		t.Fatalf("indexed %d works, %d channels", sum.IndexedWorks, sum.IndexedChannels)
	}
	ctx := context.Background()
	got, err := idx.FindByTitle(ctx, "handmaids tale")
	if err != nil || len(got) != 1 || got[0].ID != "series-handmaids-tale" {
		t.Fatalf("FindByTitle = %+v, %v", got, err)
	}
	eps, err := idx.Episodes(ctx, "series-this-is-us", catalog.EpisodeRef{Season: 1, Episode: 18}, 1)
	if err != nil || len(eps) != 1 || eps[0].Title != "A Father's Advice" {
		t.Fatalf("next episode after S1E18 = %+v, %v", eps, err)
	}
	if chs, err := idx.FindChannel(ctx, catalog.ChannelRef{Name: "bravo"}); err != nil || chs[0].Number != "237" {
		t.Fatalf("FindChannel(bravo) = %+v, %v", chs, err)
	}
}

type failingIndex struct{ *catalogtest.Index }

func (failingIndex) PutWorks(context.Context, []catalog.Work) error { return errors.New("table gone") }

func TestExportIndexErrorIsReturned(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := export.Exporter{Index: failingIndex{catalogtest.New()}, Now: fixedClock()}
	sum, err := e.Export(context.Background(), source.Sample(), dir)
	if err == nil || !strings.Contains(err.Error(), "index: table gone") {
		t.Fatalf("err = %v", err)
	}
	if len(sum.Files) != 2 {
		t.Fatalf("the files are written before the index: %+v", sum.Files)
	}
}

func TestExportStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	_, err := (&export.Exporter{}).Export(ctx, source.Synthetic(5000), dir)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("cancelled export left %v", entries)
	}
}

func assertReports(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("reports:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("report %d = %q, want prefix %q", i, got[i], want[i])
		}
	}
}

func mapsEqual(a, b map[catalog.Kind]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestExportFindsDuplicateFarApart(t *testing.T) {
	t.Parallel()
	dup := `{"type":"movie","id":"movie-syn-0000045","title":"Again"}` + "\n"
	open := func() (io.ReadCloser, error) {
		rc, err := source.Synthetic(2000)()
		if err != nil {
			return nil, err
		}
		return struct {
			io.Reader
			io.Closer
		}{io.MultiReader(rc, strings.NewReader(dup)), rc}, nil
	}
	var rep reports
	e := export.Exporter{Report: rep.add, SkipInvalid: true}
	sum, err := e.Export(context.Background(), open, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Invalid != 1 || sum.Works[catalog.Movie] != 200 {
		t.Fatalf("summary = %+v", sum)
	}
	assertReports(t, rep.msgs, []string{`line 2021: movie-syn-0000045: field "id": duplicate id`})
}
