package catalog_test

import (
	"context"
	"errors"
	"testing"

	"livingroom/internal/catalog"
	"livingroom/internal/catalog/catalogtest"
)

func resolverFixture(t *testing.T) *catalog.Resolver {
	t.Helper()
	idx := catalogtest.New()
	works := []catalog.Work{
		{ID: "series-ht", Kind: catalog.Series, Title: "The Handmaid's Tale", ExternalIDs: map[string]string{"imdb": "tt5834204"}, Rank: 3},
		{ID: "season-ht-1", Kind: catalog.Season, Title: "Season 1", SeriesID: "series-ht", SeriesTitle: "The Handmaid's Tale", Season: 1},
		{ID: "season-ht-2", Kind: catalog.Season, Title: "Season 2", SeriesID: "series-ht", SeriesTitle: "The Handmaid's Tale", Season: 2},
		{ID: "ep-ht-1-1", Kind: catalog.Episode, Title: "Offred", SeriesID: "series-ht", SeriesTitle: "The Handmaid's Tale", SeasonID: "season-ht-1", Season: 1, Episode: 1, RuntimeMinutes: 57},
		{ID: "ep-ht-1-2", Kind: catalog.Episode, Title: "Birth Day", SeriesID: "series-ht", SeriesTitle: "The Handmaid's Tale", SeasonID: "season-ht-1", Season: 1, Episode: 2, RuntimeMinutes: 50},
		{ID: "ep-ht-2-1", Kind: catalog.Episode, Title: "June", SeriesID: "series-ht", SeriesTitle: "The Handmaid's Tale", SeasonID: "season-ht-2", Season: 2, Episode: 1, RuntimeMinutes: 58},
		{ID: "movie-martian", Kind: catalog.Movie, Title: "The Martian", ExternalIDs: map[string]string{"imdb": "tt3659388"}, RuntimeMinutes: 144},
		// A movie and a show sharing a title: the media type decides.
		{ID: "movie-twin", Kind: catalog.Movie, Title: "Twin", Rank: 1},
		{ID: "series-twin", Kind: catalog.Series, Title: "Twin", Rank: 2},
		{ID: "season-twin-1", Kind: catalog.Season, Title: "Season 1", SeriesID: "series-twin", SeriesTitle: "Twin", Season: 1},
		{ID: "ep-twin-1-1", Kind: catalog.Episode, Title: "Pilot", SeriesID: "series-twin", SeriesTitle: "Twin", SeasonID: "season-twin-1", Season: 1, Episode: 1},
	}
	if err := idx.PutWorks(context.Background(), works); err != nil {
		t.Fatal(err)
	}
	return catalog.NewResolver(idx, "livingroom")
}

func TestResolve(t *testing.T) {
	r := resolverFixture(t)
	cases := []struct {
		name    string
		q       catalog.Query
		want    string
		wantErr error
	}{
		{"partner id of a series plays its first episode", catalog.Query{ExternalIDs: map[string]string{"livingroom": "series-ht"}}, "ep-ht-1-1", nil},
		{"partner id wins over title", catalog.Query{ExternalIDs: map[string]string{"livingroom": "movie-martian"}, Title: "The Handmaid's Tale"}, "movie-martian", nil},
		{"imdb id", catalog.Query{ExternalIDs: map[string]string{"imdb": "tt3659388"}}, "movie-martian", nil},
		{"stale partner id falls back to title", catalog.Query{ExternalIDs: map[string]string{"livingroom": "gone"}, Title: "handmaids tale"}, "ep-ht-1-1", nil},
		{"title, loosely", catalog.Query{Title: "handmaids tale"}, "ep-ht-1-1", nil},
		{"season", catalog.Query{Title: "The Handmaid's Tale", Season: 2}, "ep-ht-2-1", nil},
		{"season and episode", catalog.Query{Title: "The Handmaid's Tale", Season: 1, Episode: 2}, "ep-ht-1-2", nil},
		{"season id plays its first episode", catalog.Query{ExternalIDs: map[string]string{"livingroom": "season-ht-2"}}, "ep-ht-2-1", nil},
		{"episode id plays itself", catalog.Query{ExternalIDs: map[string]string{"livingroom": "ep-ht-1-2"}}, "ep-ht-1-2", nil},
		{"movie", catalog.Query{Title: "the martian"}, "movie-martian", nil},
		{"media type picks the show", catalog.Query{Title: "Twin", MediaType: "TV_SHOW"}, "ep-twin-1-1", nil},
		{"media type picks the movie", catalog.Query{Title: "Twin", MediaType: "Movie"}, "movie-twin", nil},
		{"no media type: more popular", catalog.Query{Title: "Twin"}, "movie-twin", nil},
		{"missing season", catalog.Query{Title: "The Handmaid's Tale", Season: 9}, "", catalog.ErrNotFound},
		{"missing episode", catalog.Query{Title: "The Handmaid's Tale", Season: 1, Episode: 30}, "", catalog.ErrNotFound},
		{"unknown title", catalog.Query{Title: "Manchester by the Sea"}, "", catalog.ErrNotFound},
		{"nothing asked", catalog.Query{}, "", catalog.ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := r.Resolve(context.Background(), c.q)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("err = %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil || w.ID != c.want {
				t.Fatalf("Resolve = %s, %v; want %s", w.ID, err, c.want)
			}
		})
	}
}
