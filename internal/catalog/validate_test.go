package catalog_test

import (
	"errors"
	"strings"
	"testing"

	"livingroom/internal/catalog"
)

func validEpisode() catalog.Work {
	return catalog.Work{
		ID: "episode-x-1-1", Kind: catalog.Episode, Title: "Offred",
		SeriesID: "series-x", SeasonID: "season-x-1", Season: 1, Episode: 1,
		AirDate: "2017-04-26", RuntimeMinutes: 57,
	}
}

func TestWorkValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(w *catalog.Work)
		fields []string // fields expected in the errors, in order; none: valid
	}{
		{"valid episode", func(*catalog.Work) {}, nil},
		{"valid movie", func(w *catalog.Work) {
			*w = catalog.Work{ID: "movie-m", Kind: catalog.Movie, Title: "Prey", ReleaseYear: 2022, ReleaseDate: "2022-08-05",
				RuntimeMinutes: 99, Rank: 4, ExternalIDs: map[string]string{"imdb": "tt11866324"}, Genres: []string{"Action"},
				ImageURL: "https://img.example.com/prey.jpg"}
		}, nil},
		{"valid season", func(w *catalog.Work) {
			*w = catalog.Work{ID: "season-x-1", Kind: catalog.Season, Title: "Season 1", SeriesID: "series-x", Season: 1}
		}, nil},
		{"missing id and title", func(w *catalog.Work) { w.ID, w.Title = "", " " }, []string{"id", "title"}},
		{"id with space", func(w *catalog.Work) { w.ID = "episode x" }, []string{"id"}},
		{"id with hash", func(w *catalog.Work) { w.ID = "episode#x" }, []string{"id"}},
		{"episode without parents", func(w *catalog.Work) { w.SeriesID, w.SeasonID = "", "" }, []string{"seriesId", "seasonId"}},
		{"season zero", func(w *catalog.Work) { w.Season = 0 }, []string{"season"}},
		{"episode too big for keys", func(w *catalog.Work) { w.Episode = 10000 }, []string{"episode"}},
		{"runtime zero means unknown", func(w *catalog.Work) { w.RuntimeMinutes = 0 }, nil},
		{"runtime over two days", func(w *catalog.Work) { w.RuntimeMinutes = 2881 }, []string{"runtimeMinutes"}},
		{"negative runtime", func(w *catalog.Work) { w.RuntimeMinutes = -5 }, []string{"runtimeMinutes"}},
		{"bad air date", func(w *catalog.Work) { w.AirDate = "26/04/2017" }, []string{"airDate"}},
		{"negative rank", func(w *catalog.Work) { w.Rank = -1 }, []string{"rank"}},
		{"two-digit year", func(w *catalog.Work) { w.ReleaseYear = 17 }, []string{"releaseYear"}},
		{"unknown kind", func(w *catalog.Work) { w.Kind = "SHORT" }, []string{"type"}},
		{"movie with season fields", func(w *catalog.Work) { w.Kind = catalog.Movie }, []string{"seriesId", "seasonId", "season", "episode", "airDate"}},
		{"external ids", func(w *catalog.Work) {
			w.ExternalIDs = map[string]string{"imdb": "5834204", "netflix": "1", "tms": " "}
		}, []string{"externalIds.imdb", "externalIds.netflix", "externalIds.tms"}},
		{"blank genre and actor", func(w *catalog.Work) {
			w.Genres = []string{"Drama", ""}
			w.Actors = []string{" "}
		}, []string{"genres[1]", "actors[0]"}},
		{"relative image", func(w *catalog.Work) { w.ImageURL = "/img/x.jpg" }, []string{"imageUrl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := validEpisode()
			tt.edit(&w)
			assertFields(t, w.Validate(), w.ID, tt.fields)
		})
	}
}

func TestChannelValidate(t *testing.T) {
	t.Parallel()
	valid := catalog.Channel{ID: "channel-espn", Name: "ESPN", CallSign: "ESPN", Number: "206"}
	tests := []struct {
		name   string
		edit   func(c *catalog.Channel)
		fields []string
	}{
		{"valid", func(*catalog.Channel) {}, nil},
		{"sub-channel number", func(c *catalog.Channel) { c.Number = "7.1" }, nil},
		{"call sign only", func(c *catalog.Channel) { c.Number = "" }, nil},
		{"no name", func(c *catalog.Channel) { c.Name = "" }, []string{"name"}},
		{"no number nor call sign", func(c *catalog.Channel) { c.Number, c.CallSign = "", "" }, []string{"number"}},
		{"number with letters", func(c *catalog.Channel) { c.Number = "20A" }, []string{"number"}},
		{"call sign with space", func(c *catalog.Channel) { c.CallSign = "ESPN HD" }, []string{"callSign"}},
		{"no id", func(c *catalog.Channel) { c.ID = "" }, []string{"id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := valid
			tt.edit(&c)
			assertFields(t, c.Validate(), c.ID, tt.fields)
		})
	}
}

func TestFieldErrorMessage(t *testing.T) {
	t.Parallel()
	w := validEpisode()
	w.ID, w.Season = "episode-x", 0
	err := w.Validate()
	if got, want := err.Error(), `episode-x: field "season": must be ≥ 1`; got != want {
		t.Fatalf("message = %q, want %q", got, want)
	}
	if !errors.Is(err, catalog.ErrInvalid) {
		t.Fatal("field errors must wrap ErrInvalid")
	}
	var fe *catalog.FieldError
	if !errors.As(err, &fe) || fe.Field != "season" || fe.ID != "episode-x" {
		t.Fatalf("errors.As = %+v", fe)
	}
}

func assertFields(t *testing.T, err error, id string, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("Validate() = %v, want nil", err)
		}
		return
	}
	var fes catalog.FieldErrors
	if !errors.As(err, &fes) {
		t.Fatalf("Validate() = %v, want FieldErrors", err)
	}
	var got []string
	for _, fe := range fes {
		got = append(got, fe.Field)
		if fe.ID != id {
			t.Errorf("error %q names id %q, want %q", fe, fe.ID, id)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("fields = %v, want %v (%v)", got, want, err)
	}
}

func TestWorkWarnings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(w *catalog.Work)
		fields []string
	}{
		{"clean", func(*catalog.Work) {}, nil},
		{"year and air date disagree", func(w *catalog.Work) { w.ReleaseYear = 2016 }, []string{"releaseYear"}},
		{"year and air date agree", func(w *catalog.Work) { w.ReleaseYear = 2017 }, nil},
		{"escaped twice", func(w *catalog.Work) { w.Title, w.Synopsis = "Tom &amp; Jerry", "It&#39;s" }, []string{"title", "synopsis"}},
		{"ampersand alone is fine", func(w *catalog.Work) { w.Title = "Tom & Jerry" }, nil},
		{"escaped actor", func(w *catalog.Work) { w.Actors = []string{"A", "B &lt;C&gt;"} }, []string{"actors[1]"}},
		{"gif image", func(w *catalog.Work) { w.ImageURL = "https://img.example.com/x.gif" }, []string{"imageUrl"}},
		{"png with query", func(w *catalog.Work) { w.ImageURL = "https://img.example.com/x.PNG?w=400#top" }, nil},
		{"synopsis repeats title", func(w *catalog.Work) { w.Synopsis = " offred " }, []string{"synopsis"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := validEpisode()
			w.ImageURL = "https://img.example.com/x.jpg"
			tt.edit(&w)
			var got []string
			for _, fe := range w.Warnings() {
				got = append(got, fe.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Fatalf("warnings on %v, want %v (%v)", got, tt.fields, w.Warnings())
			}
		})
	}
}

func TestWindowsAndSchedule(t *testing.T) {
	t.Parallel()
	w := validEpisode()
	w.Availability = []catalog.Window{
		{Offer: "subscription", Regions: []string{"US"}, Start: "2024-01-01", End: "2025-01-01T00:00:00Z"},
		{Offer: "rent", Regions: []string{"us", "GB"}, Start: "soon", End: "2023-01-01"},
		{Offer: "free", Start: "2024-01-01", End: "2023-12-31"},
	}
	var got []string
	var fes catalog.FieldErrors
	if err := w.Validate(); errors.As(err, &fes) {
		for _, fe := range fes {
			got = append(got, fe.Field)
		}
	}
	want := "availability[1].offer,availability[1].regions[0],availability[1].start,availability[2].regions,availability[2].end"
	if strings.Join(got, ",") != want {
		t.Fatalf("got %v\nwant %s", got, want)
	}
	ch := catalog.Channel{ID: "channel-1", Name: "One", Number: "1", Schedule: []catalog.Airing{
		{Start: "2026-12-01T10:00:00Z", Minutes: 30, Title: "News"},
		{Start: "2026-12-01T09:00:00Z", Minutes: 0},
		{Start: "tomorrow", Minutes: 30, WorkID: "series-x"},
	}}
	got = nil
	if err := ch.Validate(); errors.As(err, &fes) {
		for _, fe := range fes {
			got = append(got, fe.Field)
		}
	}
	want = "schedule[1].start,schedule[1].minutes,schedule[1].title,schedule[2].start"
	if strings.Join(got, ",") != want {
		t.Fatalf("got %v\nwant %s", got, want)
	}
}
