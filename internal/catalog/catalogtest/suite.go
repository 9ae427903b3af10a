package catalogtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
	"time"

	"livingroom/internal/catalog"
)

// IndexAndWriter is what the contract suite exercises.
type IndexAndWriter interface {
	catalog.Index
	catalog.IndexWriter
	catalog.GenreIndex
	// What the exporter uses to keep the index up to date incrementally.
	ReplaceWorks(ctx context.Context, works []catalog.Work) error
	DeleteWorks(ctx context.Context, ids []string) error
	DeleteChannels(ctx context.Context, ids []string) error
	// Which export the index holds.
	Generation(ctx context.Context) (string, error)
	SetGeneration(ctx context.Context, gen string) error
}

// RunIndexSuite runs the catalog index contract against fresh, empty
// indexes made by newIndex (one per subtest).
func RunIndexSuite(t *testing.T, newIndex func(t *testing.T) IndexAndWriter) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, ctx context.Context, x IndexAndWriter)
	}{
		{"GetWorkRoundTrip", testGetWorkRoundTrip},
		{"GetWorkNotFound", testGetWorkNotFound},
		{"PutOverwrites", testPutOverwrites},
		{"FindByTitle", testFindByTitle},
		{"FindByExternalID", testFindByExternalID},
		{"EpisodesInOrder", testEpisodesInOrder},
		{"FindByGenre", testFindByGenre},
		{"FindChannel", testFindChannel},
		{"FindByPerson", testFindByPerson},
		{"Lineup", testLineup},
		{"InvalidWorkRejected", testInvalidWorkRejected},
		{"ReplaceDropsStaleLookups", testReplaceDropsStaleLookups},
		{"DeleteWorks", testDeleteWorks},
		{"DeleteChannels", testDeleteChannels},
		{"Concurrent", testConcurrent},
		{"Generation", testGeneration},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, context.Background(), newIndex(t))
		})
	}
}

// Fixture: one series with two seasons of episodes, three movies, channels.
var (
	series = catalog.Work{
		ID: "series-show", Kind: catalog.Series, Title: "The Show", ReleaseYear: 2017, ReleaseDate: "2017-04-26",
		ExternalIDs: map[string]string{"imdb": "tt0000001"}, Genres: []string{"Drama", "Sci-Fi"},
		Actors: []string{"An Actor", "Another Actor"}, Rank: 1, ContentRating: "TV-MA", Original: true,
	}
	seasons = []catalog.Work{
		{ID: "season-show-1", Kind: catalog.Season, Title: "Season 1", SeriesID: "series-show", SeriesTitle: "The Show", Season: 1, Genres: []string{"Drama"}},
		{ID: "season-show-2", Kind: catalog.Season, Title: "Season 2", SeriesID: "series-show", SeriesTitle: "The Show", Season: 2},
	}
	movieFull = catalog.Work{
		ID: "movie-full", Kind: catalog.Movie, Title: "Ünïcode & <Escapes> \"Film\"",
		ExternalIDs: map[string]string{"imdb": "tt0000002", "tms": "MV000000020000"},
		Synopsis:    "A film whose text needs escaping: <b> & \"quotes\" — and ünïcode.",
		Genres:      []string{"Drama", "drama", "Comedy"}, // folded duplicates must not break the write
		Actors:      []string{"Lead Actor", "Second Actor"}, Directors: []string{"A Director"},
		ReleaseYear: 2020, ReleaseDate: "2020-07-10", RuntimeMinutes: 90, Rank: 3, ContentRating: "R",
		ImageURL: "https://img.example.com/full.jpg", Original: true,
	}
	movies = []catalog.Work{
		{ID: "movie-prey", Kind: catalog.Movie, Title: "Prey", Genres: []string{"Action", "Sci-Fi"}, Rank: 4, RuntimeMinutes: 99},
		{ID: "movie-martian", Kind: catalog.Movie, Title: "The Martian", Genres: []string{"sci fi", "Drama"}, Rank: 2, RuntimeMinutes: 144},
		{ID: "movie-unranked", Kind: catalog.Movie, Title: "Unranked", Genres: []string{"Sci Fi"}},
	}
	channels = []catalog.Channel{
		{ID: "channel-espn", Number: "206", CallSign: "ESPN", Name: "ESPN", Genres: []string{"Sports"},
			ImageURL: "https://img.example.com/espn.png", ExternalIDs: map[string]string{"tms": "10179"},
			Schedule: []catalog.Airing{
				{Start: "2026-11-25T20:00:00Z", Minutes: 60, WorkID: "", Title: "SportsCenter"},
				{Start: "2026-11-25T21:00:00Z", Minutes: 30, Title: "NFL Live"},
			}},
		{ID: "channel-food", Number: "231", CallSign: "FOOD", Name: "Food Network"},
		{ID: "channel-wabc", Number: "7", CallSign: "WABC", Name: "ABC", Affiliate: "ABC"},
	}
)

// episodes returns S1E1–S1E13 and S2E1–S2E17 in shuffled order; S2E5 is
// titled "Prey" like a movie.
func episodes() []catalog.Work {
	var out []catalog.Work
	for s, n := range map[int]int{1: 13, 2: 17} {
		for e := 1; e <= n; e++ {
			w := catalog.Work{
				ID: fmt.Sprintf("episode-show-%d-%d", s, e), Kind: catalog.Episode, Title: fmt.Sprintf("Chapter %d.%d", s, e),
				SeriesID: "series-show", SeriesTitle: "The Show", SeasonID: fmt.Sprintf("season-show-%d", s),
				Season: s, Episode: e, AirDate: fmt.Sprintf("%d-05-%02d", 2016+s, e), RuntimeMinutes: 40 + e,
			}
			if s == 2 && e == 5 {
				w.Title = "Prey"
			}
			out = append(out, w)
		}
	}
	rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func putFixture(t *testing.T, ctx context.Context, x IndexAndWriter) {
	t.Helper()
	eps := episodes()
	batches := [][]catalog.Work{
		{series}, seasons, eps[:20], eps[20:], append([]catalog.Work{movieFull}, movies...),
	}
	for _, b := range batches {
		if err := x.PutWorks(ctx, b); err != nil {
			t.Fatalf("PutWorks: %v", err)
		}
	}
	if err := x.PutChannels(ctx, channels); err != nil {
		t.Fatalf("PutChannels: %v", err)
	}
}

func testGetWorkRoundTrip(t *testing.T, ctx context.Context, x IndexAndWriter) {
	putFixture(t, ctx, x)
	for _, want := range append([]catalog.Work{series, movieFull, seasons[0]}, movies...) {
		got, err := x.GetWork(ctx, want.ID)
		if err != nil {
			t.Fatalf("GetWork(%s): %v", want.ID, err)
		}
		assertWork(t, got, want)
	}
}

func testGetWorkNotFound(t *testing.T, ctx context.Context, x IndexAndWriter) {
	putFixture(t, ctx, x)
	got, err := x.GetWork(ctx, "movie-missing")
	if !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("GetWork(missing) = %+v, %v; want ErrNotFound", got, err)
	}
}

func testPutOverwrites(t *testing.T, ctx context.Context, x IndexAndWriter) {
	first := movies[0]
	second := Clone(first)
	second.Synopsis = "second version"
	second.RuntimeMinutes = 100
	// The same work twice in one call: the last one wins.
	if err := x.PutWorks(ctx, []catalog.Work{first, second}); err != nil {
		t.Fatal(err)
	}
	got, err := x.GetWork(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertWork(t, got, second)
	third := Clone(second)
	third.Synopsis = "third version"
	if err := x.PutWorks(ctx, []catalog.Work{third}); err != nil {
		t.Fatal(err)
	}
	byTitle, err := x.FindByTitle(ctx, "prey")
	if err != nil {
		t.Fatal(err)
	}
	if len(byTitle) != 1 || byTitle[0].Synopsis != "third version" {
		t.Fatalf("FindByTitle after overwrite = %+v", byTitle)
	}
}

func testFindByTitle(t *testing.T, ctx context.Context, x IndexAndWriter) {
	putFixture(t, ctx, x)
	for _, title := range []string{"The Show", "show", "SHOW!", " the  show "} {
		got, err := x.FindByTitle(ctx, title)
		if err != nil {
			t.Fatalf("FindByTitle(%q): %v", title, err)
		}
		assertIDs(t, "FindByTitle("+title+")", got, "series-show")
	}
	// Kinds share titles: results are ordered by kind, then id.
	got, err := x.FindByTitle(ctx, "Prey")
	if err != nil {
		t.Fatal(err)
	}
	assertIDs(t, "FindByTitle(Prey)", got, "episode-show-2-5", "movie-prey")
	if _, err := x.FindByTitle(ctx, "Season 1"); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("seasons are not found by title; err = %v", err)
	}
	if _, err := x.FindByTitle(ctx, "No Such Film"); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("FindByTitle(missing) err = %v, want ErrNotFound", err)
	}
	if _, err := x.FindByTitle(ctx, " !? "); !errors.Is(err, catalog.ErrInvalid) {
		t.Fatalf("FindByTitle(blank) err = %v, want ErrInvalid", err)
	}
}

func testFindByExternalID(t *testing.T, ctx context.Context, x IndexAndWriter) {
	putFixture(t, ctx, x)
	got, err := x.FindByExternalID(ctx, "imdb", "tt0000001")
	if err != nil {
		t.Fatal(err)
	}
	assertIDs(t, "FindByExternalID(imdb)", got, "series-show")
	assertWork(t, got[0], series)
	got, err = x.FindByExternalID(ctx, "TMS", "MV000000020000")
	if err != nil {
		t.Fatal(err)
	}
	assertIDs(t, "FindByExternalID(TMS)", got, "movie-full")
	if _, err := x.FindByExternalID(ctx, "imdb", "tt9999999"); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("FindByExternalID(missing) err = %v, want ErrNotFound", err)
	}
}

func testEpisodesInOrder(t *testing.T, ctx context.Context, x IndexAndWriter) {
	putFixture(t, ctx, x)
	all, err := x.Episodes(ctx, "series-show", catalog.EpisodeRef{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 30 {
		t.Fatalf("Episodes = %d, want 30", len(all))
	}
	for i := 1; i < len(all); i++ {
		p, c := all[i-1], all[i]
		if p.Season > c.Season || (p.Season == c.Season && p.Episode >= c.Episode) {
			t.Fatalf("episode %d (S%dE%d) after S%dE%d", i, c.Season, c.Episode, p.Season, p.Episode)
		}
	}
	if all[0].ID != "episode-show-1-1" || all[29].ID != "episode-show-2-17" {
		t.Fatalf("first/last = %s/%s", all[0].ID, all[29].ID)
	}
	assertWork(t, all[0], episodeByID(t, "episode-show-1-1"))

	next, err := x.Episodes(ctx, "series-show", catalog.EpisodeRef{Season: 1, Episode: 13}, 3)
	if err != nil {
		t.Fatal(err)
	}
	assertIDs(t, "Episodes after S1E13", next, "episode-show-2-1", "episode-show-2-2", "episode-show-2-3")

	mid, err := x.Episodes(ctx, "series-show", catalog.EpisodeRef{Season: 1, Episode: 4}, 2)
	if err != nil {
		t.Fatal(err)
	}
	assertIDs(t, "Episodes after S1E4", mid, "episode-show-1-5", "episode-show-1-6")

	for _, tc := range []struct {
		series string
		from   catalog.EpisodeRef
	}{{"series-show", catalog.EpisodeRef{Season: 2, Episode: 17}}, {"series-missing", catalog.EpisodeRef{}}} {
		got, err := x.Episodes(ctx, tc.series, tc.from, 10)
		if err != nil || len(got) != 0 {
			t.Fatalf("Episodes(%s, %+v) = %d, %v; want empty, nil", tc.series, tc.from, len(got), err)
		}
	}
}

func testFindByGenre(t *testing.T, ctx context.Context, x IndexAndWriter) {
	putFixture(t, ctx, x)
	got, err := x.FindByGenre(ctx, "Sci-Fi", 0)
	if err != nil {
		t.Fatal(err)
	}
	// Rank 1 first, unranked last; seasons and episodes are not listed.
	assertIDs(t, "FindByGenre(Sci-Fi)", got, "series-show", "movie-martian", "movie-prey", "movie-unranked")
	top, err := x.FindByGenre(ctx, "drama", 2)
	if err != nil {
		t.Fatal(err)
	}
	assertIDs(t, "FindByGenre(drama, 2)", top, "series-show", "movie-martian")
	if _, err := x.FindByGenre(ctx, "Western", 5); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("FindByGenre(missing) err = %v, want ErrNotFound", err)
	}
}

func testFindChannel(t *testing.T, ctx context.Context, x IndexAndWriter) {
	putFixture(t, ctx, x)
	tests := []struct {
		ref  catalog.ChannelRef
		want string
	}{
		{catalog.ChannelRef{Number: "206"}, "channel-espn"},
		{catalog.ChannelRef{CallSign: "espn"}, "channel-espn"},
		{catalog.ChannelRef{Name: "Food-Network!"}, "channel-food"},
		{catalog.ChannelRef{Name: "abc"}, "channel-wabc"},
		{catalog.ChannelRef{Number: "7", CallSign: "ESPN"}, "channel-wabc"}, // number wins
	}
	for _, tt := range tests {
		got, err := x.FindChannel(ctx, tt.ref)
		if err != nil {
			t.Fatalf("FindChannel(%+v): %v", tt.ref, err)
		}
		if len(got) != 1 || got[0].ID != tt.want {
			t.Fatalf("FindChannel(%+v) = %+v, want %s", tt.ref, got, tt.want)
		}
	}
	got, err := x.FindChannel(ctx, catalog.ChannelRef{CallSign: "ESPN"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cloneChannel(got[0]), cloneChannel(channels[0])) {
		t.Fatalf("channel round trip:\n got %+v\nwant %+v", got[0], channels[0])
	}
	if _, err := x.FindChannel(ctx, catalog.ChannelRef{Number: "999"}); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("FindChannel(missing) err = %v, want ErrNotFound", err)
	}
	if _, err := x.FindChannel(ctx, catalog.ChannelRef{}); !errors.Is(err, catalog.ErrInvalid) {
		t.Fatalf("FindChannel(empty) err = %v, want ErrInvalid", err)
	}
}

func testInvalidWorkRejected(t *testing.T, ctx context.Context, x IndexAndWriter) {
	bad := movies[1]
	bad.RuntimeMinutes = 3000
	err := x.PutWorks(ctx, []catalog.Work{movies[0], bad})
	if !errors.Is(err, catalog.ErrInvalid) {
		t.Fatalf("PutWorks(invalid) err = %v, want ErrInvalid", err)
	}
	if _, err := x.GetWork(ctx, movies[0].ID); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("a rejected batch must write nothing; GetWork err = %v", err)
	}
	badChannel := channels[0]
	badChannel.Name = ""
	if err := x.PutChannels(ctx, []catalog.Channel{badChannel}); !errors.Is(err, catalog.ErrInvalid) {
		t.Fatalf("PutChannels(invalid) err = %v, want ErrInvalid", err)
	}
}

func testConcurrent(t *testing.T, ctx context.Context, x IndexAndWriter) {
	const writers, perWriter = 6, 8
	var wg sync.WaitGroup
	errs := make(chan error, writers*2)
	for g := range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			var batch []catalog.Work
			for i := range perWriter {
				batch = append(batch, catalog.Work{
					ID: fmt.Sprintf("movie-c-%d-%d", g, i), Kind: catalog.Movie,
					Title: fmt.Sprintf("Concurrent %d %d", g, i), Genres: []string{"Shared"}, Rank: g*perWriter + i + 1,
				})
			}
			errs <- x.PutWorks(ctx, batch)
		}()
		go func() {
			defer wg.Done()
			_, err := x.FindByGenre(ctx, "Shared", 0)
			if errors.Is(err, catalog.ErrNotFound) {
				err = nil // readers may run before any writer
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := x.FindByGenre(ctx, "shared", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != writers*perWriter || got[0].ID != "movie-c-0-0" {
		t.Fatalf("FindByGenre(shared) = %d works, first %s", len(got), got[0].ID)
	}
}

func episodeByID(t *testing.T, id string) catalog.Work {
	t.Helper()
	for _, e := range episodes() {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("no fixture episode %s", id)
	return catalog.Work{}
}

func assertWork(t *testing.T, got, want catalog.Work) {
	t.Helper()
	if g, w := Clone(got), Clone(want); !reflect.DeepEqual(g, w) {
		t.Fatalf("work %s:\n got %+v\nwant %+v", want.ID, g, w)
	}
}

func assertIDs(t *testing.T, what string, got []catalog.Work, want ...string) {
	t.Helper()
	ids := make([]string, len(got))
	for i, w := range got {
		ids[i] = w.ID
	}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("%s = %v, want %v", what, ids, want)
	}
}

func testReplaceDropsStaleLookups(t *testing.T, ctx context.Context, x IndexAndWriter) {
	putFixture(t, ctx, x)
	renamed := movieFull
	renamed.Title = "A New Name"
	renamed.ExternalIDs = map[string]string{"tms": "MV999"}
	renamed.Genres = []string{"Comedy"}
	if err := x.ReplaceWorks(ctx, []catalog.Work{renamed}); err != nil {
		t.Fatal(err)
	}
	got, err := x.GetWork(ctx, renamed.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertWork(t, got, renamed)
	if _, err := x.FindByTitle(ctx, movieFull.Title); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("old title still found: %v", err)
	}
	assertFound(t, x, "A New Name", renamed.ID)
	for scheme, id := range movieFull.ExternalIDs {
		if ws, err := x.FindByExternalID(ctx, scheme, id); err == nil {
			t.Fatalf("old external id %s %s still finds %v", scheme, id, ws)
		}
	}
	if ws, err := x.FindByGenre(ctx, movieFull.Genres[0], 0); err == nil {
		for _, w := range ws {
			if w.ID == renamed.ID {
				t.Fatalf("old genre %s still lists %s", movieFull.Genres[0], w.ID)
			}
		}
	}
	// A work that was not in the index is simply added.
	fresh := movieFull
	fresh.ID, fresh.Title, fresh.ExternalIDs = "movie-fresh", "Fresh", nil
	if err := x.ReplaceWorks(ctx, []catalog.Work{fresh}); err != nil {
		t.Fatal(err)
	}
	assertFound(t, x, "Fresh", "movie-fresh")
}

func assertFound(t *testing.T, x IndexAndWriter, title string, ids ...string) {
	t.Helper()
	ws, err := x.FindByTitle(context.Background(), title)
	if err != nil {
		t.Fatalf("find %q: %v", title, err)
	}
	assertIDs(t, "title "+title, ws, ids...)
}

func testDeleteWorks(t *testing.T, ctx context.Context, x IndexAndWriter) {
	putFixture(t, ctx, x)
	ep := episodes()[0]
	if err := x.DeleteWorks(ctx, []string{movieFull.ID, ep.ID, "no-such-work"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{movieFull.ID, ep.ID} {
		if _, err := x.GetWork(ctx, id); !errors.Is(err, catalog.ErrNotFound) {
			t.Fatalf("deleted %s: %v", id, err)
		}
	}
	if _, err := x.FindByTitle(ctx, movieFull.Title); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("deleted movie's title still found: %v", err)
	}
	eps, err := x.Episodes(ctx, ep.SeriesID, catalog.EpisodeRef{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range eps {
		if e.ID == ep.ID {
			t.Fatal("deleted episode still listed")
		}
	}
	if len(eps) != len(episodes())-1 {
		t.Fatalf("%d episodes left, want %d", len(eps), len(episodes())-1)
	}
}

func testDeleteChannels(t *testing.T, ctx context.Context, x IndexAndWriter) {
	ch := catalog.Channel{ID: "channel-gone", Number: "999", CallSign: "GONE", Name: "Gone TV"}
	if err := x.PutChannels(ctx, []catalog.Channel{ch}); err != nil {
		t.Fatal(err)
	}
	if err := x.DeleteChannels(ctx, []string{ch.ID, "channel-unknown"}); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []catalog.ChannelRef{{Number: "999"}, {CallSign: "gone"}, {Name: "gone tv"}} {
		if _, err := x.FindChannel(ctx, ref); !errors.Is(err, catalog.ErrNotFound) {
			t.Fatalf("deleted channel found by %+v: %v", ref, err)
		}
	}
}

func testFindByPerson(t *testing.T, ctx context.Context, x IndexAndWriter) {
	putFixture(t, ctx, x)
	for _, name := range []string{"An Actor", "an actor!", "A Director", "Lead Actor"} {
		got, err := x.FindByPerson(ctx, name, 10)
		if err != nil || len(got) == 0 {
			t.Fatalf("FindByPerson(%q) = %v, %v", name, got, err)
		}
		for _, w := range got {
			if w.Kind != catalog.Movie && w.Kind != catalog.Series {
				t.Fatalf("FindByPerson(%q) returned a %s", name, w.Kind)
			}
		}
	}
	if _, err := x.FindByPerson(ctx, "Nobody Atall", 10); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("FindByPerson(unknown) err = %v, want ErrNotFound", err)
	}
	if _, err := x.FindByPerson(ctx, "!!!", 10); !errors.Is(err, catalog.ErrInvalid) {
		t.Fatalf("FindByPerson(punctuation) err = %v, want ErrInvalid", err)
	}
}

func testLineup(t *testing.T, ctx context.Context, x IndexAndWriter) {
	putFixture(t, ctx, x)
	got, err := x.Lineup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for _, ch := range got {
		numbers = append(numbers, ch.Number)
	}
	if want := []string{"7", "206", "231"}; !reflect.DeepEqual(numbers, want) {
		t.Fatalf("Lineup numbers = %v, want %v", numbers, want)
	}
	espn := got[1]
	if len(espn.Schedule) != 2 {
		t.Fatalf("schedule not kept: %+v", espn.Schedule)
	}
	on, ok := espn.OnAir(time.Date(2026, 11, 25, 21, 10, 0, 0, time.UTC))
	if !ok || on.Title != "NFL Live" {
		t.Fatalf("OnAir = %+v, %v", on, ok)
	}
	if _, ok := espn.OnAir(time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC)); ok {
		t.Fatal("OnAir after the schedule")
	}
}

func testGeneration(t *testing.T, ctx context.Context, x IndexAndWriter) {
	if g, err := x.Generation(ctx); err != nil || g != "" {
		t.Fatalf("fresh index: generation %q, %v; want none", g, err)
	}
	for _, gen := range []string{"mgz3k1", "mgz3k2"} {
		if err := x.SetGeneration(ctx, gen); err != nil {
			t.Fatal(err)
		}
		if g, err := x.Generation(ctx); err != nil || g != gen {
			t.Fatalf("generation %q, %v; want %q", g, err, gen)
		}
	}
	// The marker is not a work, a channel or a lookup.
	if _, err := x.GetWork(ctx, "META"); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("GetWork(META): %v", err)
	}
	if chs, _ := x.Lineup(ctx); len(chs) != 0 {
		t.Fatalf("lineup after marking: %v", chs)
	}
}
