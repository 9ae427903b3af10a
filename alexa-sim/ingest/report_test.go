package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// cdfDoc wraps work elements in a CDF catalog.
func cdfDoc(works ...string) string {
	return `<?xml version="1.0" encoding="utf-8"?><Catalog xmlns="http://www.amazon.com/FireTv/2014-04-11/ingestion" version="FireTv-v1.3"><Partner>t</Partner><Works>` +
		strings.Join(works, "") + `</Works></Catalog>`
}

func movie(id, title string, extra ...string) string {
	return fmt.Sprintf(`<Movie><ID>%s</ID><Title locale="en-US">%s</Title>%s</Movie>`, id, title, strings.Join(extra, ""))
}

func show(id, title string) string {
	return fmt.Sprintf(`<TvShow><ID>%s</ID><Title locale="en-US">%s</Title></TvShow>`, id, title)
}

func season(id, showID string) string {
	return fmt.Sprintf(`<TvSeason><ID>%s</ID><Title locale="en-US">Season 1</Title><ShowID>%s</ShowID><SeasonInShow>1</SeasonInShow></TvSeason>`, id, showID)
}

func episode(id, showID, seasonID string) string {
	return fmt.Sprintf(`<TvEpisode><ID>%s</ID><Title locale="en-US">Pilot</Title><ShowID>%s</ShowID><SeasonID>%s</SeasonID><EpisodeInSeason>1</EpisodeInSeason></TvEpisode>`, id, showID, seasonID)
}

// goodShow is a show with a season and an episode: no warnings.
var goodShow = []string{show("show-1", "The Show"), season("season-1", "show-1"), episode("ep-1", "show-1", "season-1")}

func withGoodShow(works ...string) string {
	return cdfDoc(append(append([]string{}, goodShow...), works...)...)
}

func TestValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		files    map[string]string
		errors   []string // Issue.String substrings, in order; none: accepted
		warnings []string
		works    int
	}{
		{name: "good", files: map[string]string{"catalog.xml": withGoodShow(movie("m-1", "Fargo"))}, works: 4},
		{name: "good with warnings", files: map[string]string{"catalog.xml": cdfDoc(
			show("show-2", "Lonely"),
			`<Movie><ID>m-2</ID><Title locale="fr-FR">Amélie</Title></Movie>`,
			movie("m-3", "Up", "<ShortDescription locale=\"en-US\">Up</ShortDescription>"))},
			warnings: []string{"Movie m-2 no en-US Title", "Movie m-3 ShortDescription is the same as the Title", "TvShow show-2 has no episodes"}, works: 3},
		{name: "missing ID", files: map[string]string{"catalog.xml": withGoodShow(`<Movie><Title locale="en-US">X</Title></Movie>`)},
			errors: []string{"catalog.xml:1: Movie ID is required"}},
		{name: "duplicate ID", files: map[string]string{"catalog.xml": withGoodShow(movie("m-1", "A"), movie("m-1", "B"))},
			errors: []string{"Movie m-1 ID is not unique"}},
		{name: "blank title", files: map[string]string{"catalog.xml": withGoodShow(movie("m-1", "  "))},
			errors: []string{"Movie m-1 Title is required and cannot be blank"}},
		{name: "season of an unknown show", files: map[string]string{"catalog.xml": withGoodShow(season("season-9", "show-9"))},
			errors: []string{`TvSeason season-9 references an invalid ShowID "show-9"`}, warnings: []string{"TvSeason season-9 has no episodes"}},
		{name: "episode of a movie", files: map[string]string{"catalog.xml": withGoodShow(movie("m-1", "Fargo"), episode("ep-9", "m-1", "season-1"))},
			errors: []string{`TvEpisode ep-9 references an invalid ShowID "m-1"`}},
		{name: "episode of an unknown season", files: map[string]string{"catalog.xml": withGoodShow(episode("ep-9", "show-1", "season-9"))},
			errors: []string{`TvEpisode ep-9 references an invalid SeasonID "season-9"`}},
		{name: "episode without show", files: map[string]string{"catalog.xml": withGoodShow(`<TvEpisode><ID>ep-9</ID><Title locale="en-US">X</Title></TvEpisode>`)},
			errors: []string{"TvEpisode ep-9 ShowID is required"}},
		{name: "several errors", files: map[string]string{"catalog.xml": withGoodShow(movie("m-1", ""), movie("m-1", "B"), season("s-9", "nope"))},
			errors: []string{"m-1 Title is required", "m-1 ID is not unique", "s-9 references an invalid ShowID"}, warnings: []string{"s-9 has no episodes"}},
		{name: "paged", files: map[string]string{
			"manifests/20261201T000000Z.manifest": "p1.xml\np2.xml\n",
			"pages/p1.xml":                        cdfDoc(episode("ep-1", "show-1", "season-1"), movie("m-1", "Fargo")),
			"pages/p2.xml":                        cdfDoc(show("show-1", "The Show"), season("season-1", "show-1")),
		}, works: 4},
		{name: "paged with an error on the second page", files: map[string]string{
			"manifests/20261201T000000Z.manifest": "p1.xml\np2.xml\n",
			"pages/p1.xml":                        withGoodShow(),
			"pages/p2.xml":                        cdfDoc(movie("m-1", "Fargo"), movie("ep-1", "Dup")),
		}, errors: []string{"pages/p2.xml:1: Movie ep-1 ID is not unique"}},
		{name: "the newest manifest wins", files: map[string]string{
			"manifests/20261201T000000Z.manifest": "old.xml\n",
			"manifests/20261202T000000Z.manifest": "new.xml\n",
			"pages/old.xml":                       cdfDoc(movie("m-1", "")),
			"pages/new.xml":                       withGoodShow(),
		}, works: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{}
			for name, doc := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(doc)}
			}
			c, err := LoadFS(context.Background(), fsys)
			var invalid *ValidationError
			if len(tt.errors) == 0 {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if c.Counts().Works != tt.works {
					t.Errorf("works %d, want %d", c.Counts().Works, tt.works)
				}
			} else {
				if !errors.As(err, &invalid) {
					t.Fatalf("accepted (err %v), want errors %q", err, tt.errors)
				}
				c = invalid.Catalog
			}
			check := func(kind string, got []Issue, n int, want []string) {
				if len(got) != len(want) || n != len(want) {
					t.Fatalf("%s = %q (%d), want %q", kind, got, n, want)
				}
				for i, w := range want {
					if !strings.Contains(got[i].String(), w) {
						t.Errorf("%s[%d] = %q, want %q", kind, i, got[i], w)
					}
				}
			}
			check("errors", c.Errors, c.ErrorCount, tt.errors)
			check("warnings", c.Warnings, c.WarningCount, tt.warnings)
		})
	}
}

func TestIssuesAreBounded(t *testing.T) {
	t.Parallel()
	var works []string
	for i := range 3 * maxIssues {
		works = append(works, movie(fmt.Sprintf("m-%d", i), ""))
	}
	_, err := Read(context.Background(), strings.NewReader(cdfDoc(works...)))
	var invalid *ValidationError
	if !errors.As(err, &invalid) || invalid.Catalog.ErrorCount != 3*maxIssues || len(invalid.Catalog.Errors) != maxIssues {
		t.Fatalf("%v", err)
	}
	if !strings.HasPrefix(err.Error(), "catalog rejected: 300 errors, the first: line 1: Movie m-0 Title is required") {
		t.Errorf("error %q", err)
	}
}

func TestDiffAndReport(t *testing.T) {
	t.Parallel()
	load := func(t *testing.T, works ...string) *Catalog {
		t.Helper()
		c, err := Read(context.Background(), strings.NewReader(withGoodShow(works...)))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	v1 := load(t, movie("m-1", "Fargo"), movie("m-2", "Up"), movie("m-3", "Heat"))
	// m-1 unchanged, m-2 retitled and m-3 given a year (updated), m-4 added.
	v2 := load(t, movie("m-1", "Fargo"), movie("m-2", "Up!"), movie("m-3", "Heat", "<ReleaseYear>1995</ReleaseYear>"), movie("m-4", "Alien"))
	v3 := load(t, movie("m-4", "Alien"))
	tests := []struct {
		name       string
		prev, next *Catalog
		want       Changes
	}{
		{"first ingestion", nil, v1, Changes{Added: 6}},
		{"same again", v1, v1, Changes{Unchanged: 6}},
		{"updated", v1, v2, Changes{Added: 1, Updated: 2, Unchanged: 4}},
		{"removed", v2, v3, Changes{Removed: 3, Unchanged: 4}},
		{"to empty", v3, &Catalog{}, Changes{Removed: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Diff(tt.prev, tt.next); got != tt.want {
				t.Errorf("Diff = %+v, want %+v", got, tt.want)
			}
		})
	}

	start := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	h := NewHistory(2)
	ok := h.Add(NewReport("dir testdata", start, start.Add(1500*time.Microsecond), v1, v2, nil))
	if ok.ID != "20261202T100000Z-1" || ok.Status != StatusSuccess || ok.Counts != (Changes{Added: 1, Updated: 2, Unchanged: 4}) || ok.DurationMs != 1.5 || ok.Catalog.Movies != 4 {
		t.Errorf("success report %+v", ok)
	}
	_, err := Read(context.Background(), strings.NewReader(withGoodShow(movie("m-1", ""))))
	bad := h.Add(NewReport("dir testdata", start, start, v2, nil, err))
	if bad.Status != StatusFailure || bad.Counts != (Changes{}) || bad.ErrorCount != 1 || bad.Errors[0].WorkID != "m-1" || !strings.HasPrefix(bad.Failure, "catalog rejected: 1 errors") {
		t.Errorf("failure report %+v", bad)
	}
	broken := h.Add(NewReport("dir testdata", start, start, v2, nil, errors.New("read catalog.xml: line 3: syntax error")))
	if broken.Status != StatusFailure || broken.ErrorCount != 0 || broken.Failure == "" || broken.Errors == nil {
		t.Errorf("broken report %+v", broken)
	}
	list, active := h.List(10)
	if len(list) != 2 || list[0].ID != broken.ID || list[1].ID != bad.ID || active != ok.ID {
		t.Errorf("history %d reports, first %s, active %s", len(list), list[0].ID, active)
	}
}
