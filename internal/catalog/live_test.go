package catalog_test

import (
	"context"
	"errors"
	"slices"
	"testing"

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
