package cdf

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// nasty holds text encoding/xml must escape or replace.
var nasty = []string{
	"", "plain", `The Handmaid's Tale`, `"quoted" & <tagged>`, "tab\there\nnew\rline",
	"invalid \xff byte", "nul \x00 char", "ünïcödé ✓ 😀", "\uFFFD", "&amp; already escaped", "\x7f del",
}

func sampleCommon(i int) Common {
	s := nasty[i%len(nasty)]
	c := Common{
		ID:          fmt.Sprintf("id-%d-%s", i, s),
		ExternalIDs: []ExternalID{{Scheme: "imdb", Value: "tt0000001"}, {Scheme: s, Value: s}},
		Titles:      []Localized{{Locale: "en-US", Value: s}, {Locale: s, Value: "x"}},
		ReleaseYear: 2000 + i, Synopsis: []Localized{{Locale: "en-US", Value: s + " synopsis"}},
		ShortDescription: []Localized{{Locale: "en-US", Value: s}},
		ImageURL:         "https://img.example.com/" + s, RuntimeMinutes: i, Rank: i, Language: s, Source: s,
	}
	switch i % 4 {
	case 0:
		c.Offers = Offers{Subscription: []Offer{{Regions: Regions{Countries: []string{"US", "CA"}}, WindowStart: "2020-01-01T00:00:00"}},
			Free: []Offer{{Regions: Regions{}, WindowEnd: s}}}
		c.Credits = &Credits{Cast: []CastMember{{Name: Localized{"en-US", s}, Role: &Localized{"en-US", "Role " + s}}},
			Crew: []CrewMember{{Name: Localized{"en-US", "D"}, Job: Localized{"en-US", "Director"}}}}
		c.Genres = &Genres{Genre: []Localized{{"en-US", "Drama"}, {"en-US", s}}}
		c.ContentRatings = &ContentRatings{Rating: []ContentRating{{System: "MPAA", Certification: s}}}
	case 1:
		c.Credits, c.Genres, c.ContentRatings = &Credits{}, &Genres{}, &ContentRatings{}
	case 2:
		c.Offers = Offers{Free: []Offer{{Regions: Regions{Countries: []string{"US"}}}}}
	}
	return c
}

// writeBoth writes the same document with Writer and the encoding/xml
// reference.
func writeBoth(t testing.TB, partner string, works int, stations []Station, lineups []Lineup) (got, want []byte) {
	var a, b bytes.Buffer
	w, err := NewWriter(&a, partner)
	if err != nil {
		t.Fatal(err)
	}
	x, err := newXMLWriter(&b, partner)
	if err != nil {
		t.Fatal(err)
	}
	for i := range works {
		c := sampleCommon(i)
		var e1, e2 error
		switch i % 4 {
		case 0:
			m := Movie{Common: c, ReleaseDate: DateTime("2020-07-10")}
			e1, e2 = w.Movie(m), x.Movie(m)
		case 1:
			s := TvShow{Common: c}
			e1, e2 = w.Show(s), x.Show(s)
		case 2:
			s := TvSeason{Common: c, ShowID: nasty[i%len(nasty)], SeasonInShow: i}
			e1, e2 = w.Season(s), x.Season(s)
		default:
			e := TvEpisode{Common: c, ShowID: "s", SeasonID: "", EpisodeInSeason: 0, OriginalAirDate: "2017-04-26T00:00:00"}
			e1, e2 = w.Episode(e), x.Episode(e)
		}
		if e1 != nil || e2 != nil {
			t.Fatal(e1, e2)
		}
	}
	for _, s := range stations {
		if err := w.Station(s); err != nil {
			t.Fatal(err)
		}
		if err := x.Station(s); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range lineups {
		if err := w.Lineup(l); err != nil {
			t.Fatal(err)
		}
		if err := x.Lineup(l); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	return a.Bytes(), b.Bytes()
}

func TestWriterEqualsEncodingXML(t *testing.T) {
	t.Parallel()
	stations := []Station{
		{ID: "s-1", Titles: []Localized{{"en-US", "One & Two"}}, CallSigns: []string{"ONE", "1"},
			Images: []StationImage{{URL: "https://img.example.com/1.png"}}, Offers: &Offers{Subscription: []Offer{{Regions: Regions{Countries: []string{"US"}}}}}},
		{ID: "s-2"},
		{ID: "s-3", Offers: &Offers{}},
	}
	lineups := []Lineup{{ID: "l-1", Name: "Line <up>", Broadcasts: []Broadcast{{ID: "b", StationReference: "s-1", Channel: "206"}}}, {ID: "l-2"}}
	tests := []struct {
		name     string
		partner  string
		works    int
		stations []Station
		lineups  []Lineup
	}{
		{"empty", "P", 0, nil, nil},
		{"works", "Living Room", 400, nil, nil},
		{"partner needs escaping", `A&B "P"`, 1, nil, nil},
		{"linear only", "P", 0, stations, lineups},
		{"lineup only", "P", 0, nil, lineups},
		{"works and linear", "P", 37, stations, lineups},
		{"big enough to flush many times", "P", 3000, stations, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, want := writeBoth(t, tt.partner, tt.works, tt.stations, tt.lineups)
			if !bytes.Equal(got, want) {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				t.Fatalf("differs at byte %d:\n got …%q\nwant …%q", i, got[max(0, i-80):min(len(got), i+80)], want[max(0, i-80):min(len(want), i+80)])
			}
		})
	}
}

// FuzzEscape holds appendEscaped to xml.EscapeText for any text.
func FuzzEscape(f *testing.F) {
	for _, s := range nasty {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		x, _ := newXMLWriter(&want, s)
		w := &bytes.Buffer{}
		y, _ := NewWriter(w, s)
		if err := x.Close(); err != nil {
			t.Fatal(err)
		}
		if err := y.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(w.Bytes(), want.Bytes()) {
			t.Fatalf("%q: got %q want %q", s, w.Bytes(), want.Bytes())
		}
	})
}

// BenchmarkEncodeWork compares the hand-written encoder with encoding/xml
// on a typical work (credits, genres, rating, synopsis):
//
//	go test -run '^$' -bench EncodeWork -benchmem ./internal/cdf
func BenchmarkEncodeWork(b *testing.B) {
	m := Movie{Common: Common{
		ID: "movie-0001234", ExternalIDs: []ExternalID{{"imdb", "tt1234567"}, {"tms", "MV001234560000"}},
		Titles: []Localized{{"en-US", "The Long Way Home"}}, ReleaseYear: 2019,
		Offers:   Offers{Subscription: []Offer{{Regions: Regions{Countries: []string{"US"}}, WindowStart: "2024-01-01T00:00:00", WindowEnd: "2026-12-31T23:59:59"}}},
		Synopsis: []Localized{{"en-US", "A retired lighthouse keeper and a runaway teenager cross the country in a borrowed van, chasing a letter that was never sent."}},
		ImageURL: "https://img.example.com/movies/1234.jpg", RuntimeMinutes: 112, Rank: 1234,
		Credits: &Credits{Cast: []CastMember{{Name: Localized{"en-US", "Ann Actor"}}, {Name: Localized{"en-US", "Ben Actor"}}, {Name: Localized{"en-US", "Cy Actor"}}},
			Crew: []CrewMember{{Name: Localized{"en-US", "Dee Director"}, Job: Localized{"en-US", "Director"}}}},
		Genres:         &Genres{Genre: []Localized{{"en-US", "Drama"}, {"en-US", "Adventure"}}},
		ContentRatings: &ContentRatings{Rating: []ContentRating{{"MPAA", "PG-13"}}},
	}, ReleaseDate: "2019-05-03T00:00:00"}
	b.Run("encoding-xml", func(b *testing.B) {
		x, _ := newXMLWriter(io.Discard, "P")
		b.ReportAllocs()
		for b.Loop() {
			if err := x.Movie(m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hand-written", func(b *testing.B) {
		var buf []byte
		b.ReportAllocs()
		for b.Loop() {
			buf = AppendMovie(buf[:0], &m)
		}
		b.SetBytes(int64(len(buf)))
	})
}
