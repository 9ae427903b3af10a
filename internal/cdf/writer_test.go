package cdf_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"livingroom/internal/cdf"
)

func common(id, title string) cdf.Common {
	return cdf.Common{
		ID:          id,
		ExternalIDs: []cdf.ExternalID{{Scheme: "imdb", Value: "tt0000001"}},
		Titles:      []cdf.Localized{{Locale: "en-US", Value: title}},
		Offers:      cdf.Offers{Subscription: []cdf.Offer{{Regions: cdf.Regions{Countries: []string{"US"}}}}},
		ReleaseYear: 2017,
		Synopsis:    []cdf.Localized{{Locale: "en-US", Value: "A & B <c>"}},
		ImageURL:    "https://img.example.com/x.jpg", RuntimeMinutes: 57,
		Credits: &cdf.Credits{
			Cast: []cdf.CastMember{{Name: cdf.Localized{Locale: "en-US", Value: "An Actor"}}},
			Crew: []cdf.CrewMember{{Name: cdf.Localized{Locale: "en-US", Value: "A Director"}, Job: cdf.Localized{Locale: "en-US", Value: "Director"}}},
		},
		Rank: 1, Source: "original",
		Genres:         &cdf.Genres{Genre: []cdf.Localized{{Locale: "en-US", Value: "Drama"}}},
		ContentRatings: &cdf.ContentRatings{Rating: []cdf.ContentRating{{System: "MPAA", Certification: "R"}}},
	}
}

func writeAll(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := cdf.NewWriter(&buf, "Living Room")
	if err != nil {
		t.Fatal(err)
	}
	steps := []error{
		w.Movie(cdf.Movie{Common: common("movie-1", "Film"), ReleaseDate: cdf.DateTime("2020-07-10")}),
		w.Show(cdf.TvShow{Common: common("series-1", "Show"), ReleaseDate: cdf.DateTime("2017-04-26")}),
		w.Season(cdf.TvSeason{Common: common("season-1-1", "Season 1"), ShowID: "series-1", SeasonInShow: 1}),
		w.Episode(cdf.TvEpisode{Common: common("episode-1-1-1", "Pilot"), ShowID: "series-1", SeasonID: "season-1-1", EpisodeInSeason: 1, OriginalAirDate: cdf.DateTime("2017-04-26")}),
		w.Station(cdf.Station{ID: "channel-espn", Titles: []cdf.Localized{{Locale: "en-US", Value: "ESPN"}}, CallSigns: []string{"ESPN"}}),
		w.Lineup(cdf.Lineup{ID: "lineup-1", Name: "Lineup", Broadcasts: []cdf.Broadcast{{ID: "b-1", StationReference: "channel-espn", Channel: "206"}}}),
		w.Close(),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	return buf.Bytes()
}

func TestWriterDecodesBack(t *testing.T) {
	t.Parallel()
	out := writeAll(t)
	if !bytes.HasPrefix(out, []byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Catalog xmlns="`+cdf.Namespace+`" version="`+cdf.Version+`">`)) {
		t.Fatalf("unexpected start:\n%s", out[:200])
	}
	var c cdf.Catalog
	if err := xml.Unmarshal(out, &c); err != nil {
		t.Fatal(err)
	}
	if c.Partner != "Living Room" || c.Version != cdf.Version {
		t.Fatalf("partner/version = %q/%q", c.Partner, c.Version)
	}
	if len(c.Works.Movies) != 1 || len(c.Works.Shows) != 1 || len(c.Works.Seasons) != 1 || len(c.Works.Episodes) != 1 {
		t.Fatalf("works = %+v", c.Works)
	}
	if got := c.Works.Movies[0].Synopsis[0].Value; got != "A & B <c>" {
		t.Fatalf("synopsis = %q", got)
	}
	if e := c.Works.Episodes[0]; e.SeasonID != "season-1-1" || e.OriginalAirDate != "2017-04-26T00:00:00" {
		t.Fatalf("episode = %+v", e)
	}
	if c.Linear == nil || len(c.Linear.Stations) != 1 || len(c.Linear.Lineups) != 1 || c.Linear.Lineups[0].Broadcasts[0].Channel != "206" {
		t.Fatalf("linear = %+v", c.Linear)
	}
}

// xsdOrder is the v1.3 sequence of work children (catalog-formats.md §1.8),
// type-specific elements last.
var xsdOrder = []string{
	"ID", "ExternalID", "Title", "Copyright", "Offers", "AdultProduct", "ReleaseYear", "ShortDescription",
	"Synopsis", "ImageUrl", "RuntimeMinutes", "Color", "Credits", "Studios", "Language", "CustomerRating",
	"Rank", "Source", "Genres", "ContentRatings", "JP_Require18PlusAgeConfirmation",
	"ReleaseDate", "ShowID", "ShowTitle", "SeasonID", "SeasonInShow", "EpisodeInSeason", "SeasonTitle", "OriginalAirDate",
}

func TestWriterFollowsXSDOrder(t *testing.T) {
	t.Parallel()
	d := xml.NewDecoder(bytes.NewReader(writeAll(t)))
	var path []string
	var children map[string][]string = map[string][]string{}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if len(path) == 3 && path[1] == "Works" {
				children[path[2]] = append(children[path[2]], tok.Name.Local)
			}
			path = append(path, tok.Name.Local)
		case xml.EndElement:
			path = path[:len(path)-1]
		}
	}
	for _, work := range []string{"Movie", "TvShow", "TvSeason", "TvEpisode"} {
		got := children[work]
		if len(got) == 0 {
			t.Fatalf("no children for %s", work)
		}
		last := -1
		for _, name := range got {
			i := slices.Index(xsdOrder, name)
			if i < 0 {
				t.Fatalf("%s: unknown element %s", work, name)
			}
			if i < last {
				t.Fatalf("%s: %s out of XSD order in %v", work, name, got)
			}
			last = i
		}
	}
}

func TestWriterEmptyCatalog(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w, err := cdf.NewWriter(&buf, "P")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var c cdf.Catalog
	if err := xml.Unmarshal(buf.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "<Works></Works>") || c.Linear != nil {
		t.Fatalf("empty catalog:\n%s", buf.String())
	}
}

func TestWriterRejectsOutOfOrder(t *testing.T) {
	t.Parallel()
	w, err := cdf.NewWriter(io.Discard, "P")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Lineup(cdf.Lineup{ID: "l"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Station(cdf.Station{ID: "s"}); err == nil {
		t.Fatal("station after lineup accepted")
	}
	if err := w.Movie(cdf.Movie{Common: common("m", "M")}); err == nil {
		t.Fatal("work after linear data accepted")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err == nil {
		t.Fatal("second Close accepted")
	}
}

type failWriter struct{ after int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.after -= len(p); f.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriterStickyError(t *testing.T) {
	t.Parallel()
	w, err := cdf.NewWriter(&failWriter{after: 400}, "P")
	if err != nil {
		t.Fatal(err)
	}
	var first error
	for i := 0; i < 200 && first == nil; i++ {
		first = w.Movie(cdf.Movie{Common: common("m", strings.Repeat("x", 100))})
	}
	if first == nil || !strings.Contains(first.Error(), "disk full") {
		t.Fatalf("error = %v, want disk full", first)
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close after a write error returned nil")
	}
}

func TestDateTime(t *testing.T) {
	t.Parallel()
	if got := cdf.DateTime("2017-04-26"); got != "2017-04-26T00:00:00" {
		t.Fatalf("DateTime = %q", got)
	}
	if got := cdf.DateTime(""); got != "" {
		t.Fatalf("DateTime(empty) = %q", got)
	}
}

func TestStationLeavesOutEmptyWrappers(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w, err := cdf.NewWriter(&buf, "P")
	if err != nil {
		t.Fatal(err)
	}
	full := cdf.Station{ID: "s-1", Titles: []cdf.Localized{{Locale: "en-US", Value: "One"}}, CallSigns: []string{"ONE"},
		Images: []cdf.StationImage{{URL: "https://img.example.com/1.png"}}}
	for _, s := range []cdf.Station{full, {ID: "s-2"}} {
		if err := w.Station(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	second := buf.String()[strings.Index(buf.String(), "<ID>s-2</ID>"):]
	for _, empty := range []string{"<Titles>", "<CallSigns>", "<Images>", "<Offers>"} {
		if strings.Contains(second, empty) {
			t.Errorf("bare station has %s:\n%s", empty, second)
		}
	}
	var c cdf.Catalog
	if err := xml.Unmarshal(buf.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	if got := c.Linear.Stations[0]; got.CallSigns[0] != "ONE" || got.Images[0].URL != full.Images[0].URL || got.Titles[0].Value != "One" {
		t.Fatalf("decoded station = %+v", got)
	}
}
