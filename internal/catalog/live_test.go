package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"livingroom/internal/catalog"
	"livingroom/internal/catalog/catalogtest"
)

func liveFixture(t *testing.T) *catalog.Resolver {
	t.Helper()
	ctx := context.Background()
	idx := catalogtest.New()
	chans := []catalog.Channel{
		{ID: "c-espn", Number: "206", CallSign: "ESPN", Name: "ESPN", Genres: []string{"Sports"}},
		{ID: "c-food", Number: "231", CallSign: "FOOD", Name: "Food Network"},
		{ID: "c-wabc", Number: "7", CallSign: "WABC", Name: "ABC", Affiliate: "ABC"},
	}
	if err := idx.PutChannels(ctx, chans); err != nil {
		t.Fatal(err)
	}
	works := []catalog.Work{
		{ID: "m-1", Kind: catalog.Movie, Title: "Prey", Genres: []string{"Action"}, Actors: []string{"Amber Midthunder"}, Directors: []string{"Dan Trachtenberg"}, Rank: 2, RuntimeMinutes: 99},
		{ID: "m-2", Kind: catalog.Movie, Title: "Palm Springs", Genres: []string{"Comedy"}, Actors: []string{"Andy Samberg"}, Rank: 1, RuntimeMinutes: 90},
		{ID: "s-1", Kind: catalog.Series, Title: "Only Murders", Genres: []string{"Comedy"}, Actors: []string{"Steve Martin"}, Rank: 3},
	}
	if err := idx.PutWorks(ctx, works); err != nil {
		t.Fatal(err)
	}
	return catalog.NewResolver(idx, "livingroom")
}

func TestChannel(t *testing.T) {
	r := liveFixture(t)
	ctx := context.Background()
	cases := []struct {
		q    catalog.ChannelQuery
		want string
	}{
		{catalog.ChannelQuery{Number: "7"}, "c-wabc"},
		{catalog.ChannelQuery{CallSign: "espn"}, "c-espn"},
		{catalog.ChannelQuery{Affiliate: "WABC"}, "c-wabc"},
		{catalog.ChannelQuery{Name: "food network"}, "c-food"},
		{catalog.ChannelQuery{Name: "E S P N"}, "c-espn"},
		{catalog.ChannelQuery{Number: "999", Name: "ABC"}, "c-wabc"},
	}
	for _, c := range cases {
		got, err := r.Channel(ctx, c.q)
		if err != nil || got.ID != c.want {
			t.Errorf("Channel(%+v) = %s, %v; want %s", c.q, got.ID, err, c.want)
		}
	}
	for _, q := range []catalog.ChannelQuery{{Name: "HBO"}, {}, {Number: "0"}, {Name: "!!!"}} {
		if _, err := r.Channel(ctx, q); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("Channel(%+v) err = %v, want ErrNotFound", q, err)
		}
	}
}

func TestSkipChannels(t *testing.T) {
	r := liveFixture(t)
	cases := []struct {
		from  string
		count int
		want  string
	}{
		{"c-wabc", 1, "c-espn"}, {"c-food", 1, "c-wabc"}, {"c-wabc", -1, "c-food"}, {"c-espn", 5, "c-wabc"}, {"c-espn", 4, "c-food"},
		{"", 1, "c-wabc"}, {"", -1, "c-food"}, {"c-espn", -7, "c-wabc"},
	}
	for _, c := range cases {
		got, err := r.SkipChannels(context.Background(), c.from, c.count)
		if err != nil || got.ID != c.want {
			t.Errorf("SkipChannels(%s, %d) = %s, %v; want %s", c.from, c.count, got.ID, err, c.want)
		}
	}
	if got, err := r.ChannelOfGenre(context.Background(), "sports"); err != nil || got.ID != "c-espn" {
		t.Errorf("ChannelOfGenre = %s, %v", got.ID, err)
	}
}

func TestSearch(t *testing.T) {
	r := liveFixture(t)
	ctx := context.Background()
	cases := []struct {
		q    catalog.SearchQuery
		want []string
	}{
		{catalog.SearchQuery{Genre: "comedy"}, []string{"m-2", "s-1"}},
		{catalog.SearchQuery{Genre: "comedy", MediaType: "MOVIE"}, []string{"m-2"}},
		{catalog.SearchQuery{Actor: "steve martin"}, []string{"s-1"}},
		{catalog.SearchQuery{Director: "Dan Trachtenberg"}, []string{"m-1"}},
		{catalog.SearchQuery{Title: "prey"}, []string{"m-1"}},
		{catalog.SearchQuery{Genre: "comedy", Actor: "Andy Samberg"}, []string{"m-2"}},
	}
	for _, c := range cases {
		got, err := r.Search(ctx, c.q, 10)
		var ids []string
		for _, w := range got {
			ids = append(ids, w.ID)
		}
		if err != nil || !slices.Equal(ids, c.want) {
			t.Errorf("Search(%+v) = %v, %v; want %v", c.q, ids, err, c.want)
		}
	}
	for _, q := range []catalog.SearchQuery{{}, {Genre: "horror"}, {Actor: "Nobody"}, {Genre: "comedy", Actor: "Amber Midthunder"}} {
		if _, err := r.Search(ctx, q, 10); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("Search(%+v) err = %v, want ErrNotFound", q, err)
		}
	}
}

func TestResolvePlayContinues(t *testing.T) {
	ctx := context.Background()
	idx := catalogtest.New()
	works := []catalog.Work{{ID: "s", Kind: catalog.Series, Title: "This Is Us"}}
	for s := 1; s <= 2; s++ {
		works = append(works, catalog.Work{ID: fmt.Sprintf("season-%d", s), Kind: catalog.Season, Title: fmt.Sprintf("Season %d", s), SeriesID: "s", SeriesTitle: "This Is Us", Season: s})
		for e := 1; e <= 3; e++ {
			works = append(works, catalog.Work{ID: fmt.Sprintf("e-%d-%d", s, e), Kind: catalog.Episode, Title: fmt.Sprintf("E%d", e),
				SeriesID: "s", SeriesTitle: "This Is Us", SeasonID: fmt.Sprintf("season-%d", s), Season: s, Episode: e, RuntimeMinutes: 43})
		}
	}
	if err := idx.PutWorks(ctx, works); err != nil {
		t.Fatal(err)
	}
	r := catalog.NewResolver(idx, "livingroom")
	at := func(p catalog.Progress, found bool) catalog.ProgressFunc {
		return func(context.Context, string) (catalog.Progress, bool, error) { return p, found, nil }
	}
	cases := []struct {
		name     string
		q        catalog.Query
		progress catalog.ProgressFunc
		want     string
		position int64
	}{
		{"new viewer", catalog.Query{Title: "this is us"}, at(catalog.Progress{}, false), "e-1-1", 0},
		{"half way through S1E2", catalog.Query{Title: "this is us"}, at(catalog.Progress{Season: 1, Episode: 2, PositionMs: 600_000}, true), "e-1-2", 600_000},
		{"finished S1E3 moves to S2E1", catalog.Query{Title: "this is us"}, at(catalog.Progress{Season: 1, Episode: 3, Finished: true}, true), "e-2-1", 0},
		{"finished the last episode starts over", catalog.Query{Title: "this is us"}, at(catalog.Progress{Season: 2, Episode: 3, Finished: true}, true), "e-1-1", 0},
		{"asked season wins over progress", catalog.Query{Title: "this is us", Season: 2}, at(catalog.Progress{Season: 1, Episode: 2, PositionMs: 5}, true), "e-2-1", 0},
		{"progress in a vanished episode", catalog.Query{Title: "this is us"}, at(catalog.Progress{Season: 9, Episode: 9, PositionMs: 5}, true), "e-1-1", 0},
		{"no progress lookup", catalog.Query{Title: "this is us"}, nil, "e-1-1", 0},
	}
	for _, c := range cases {
		got, err := r.ResolvePlay(ctx, c.q, c.progress)
		if err != nil || got.Work.ID != c.want || got.PositionMs != c.position {
			t.Errorf("%s: %s at %d, %v; want %s at %d", c.name, got.Work.ID, got.PositionMs, err, c.want, c.position)
		}
	}
}

func TestAvailableAt(t *testing.T) {
	at := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		ws   []catalog.Window
		want bool
	}{
		{"no windows", nil, true},
		{"open window", []catalog.Window{{Offer: "subscription", Start: "2026-01-01"}}, true},
		{"ended yesterday", []catalog.Window{{Offer: "subscription", Start: "2026-01-01", End: "2026-11-24"}}, false},
		{"ends today (whole day)", []catalog.Window{{Offer: "subscription", End: "2026-11-25"}}, true},
		{"starts tomorrow", []catalog.Window{{Offer: "subscription", Start: "2026-11-26"}}, false},
		{"ended an hour ago", []catalog.Window{{Offer: "free", End: "2026-11-25T19:00:00Z"}}, false},
		{"one of two", []catalog.Window{{End: "2025-01-01"}, {Start: "2026-11-25T19:59:00Z"}}, true},
		{"unreadable bound", []catalog.Window{{Start: "soon"}}, true},
	}
	for _, c := range cases {
		if got := (catalog.Work{Availability: c.ws}).AvailableAt(at); got != c.want {
			t.Errorf("%s: AvailableAt = %v, want %v", c.name, got, c.want)
		}
	}
}
