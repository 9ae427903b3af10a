package export

import (
	"errors"
	"strings"
	"testing"

	"livingroom/internal/catalog"
)

func TestChecker(t *testing.T) {
	t.Parallel()
	series := catalog.Work{ID: "series-a", Kind: catalog.Series, Title: "A"}
	season := catalog.Work{ID: "season-a-1", Kind: catalog.Season, Title: "Season 1", SeriesID: "series-a", Season: 1}
	episode := catalog.Work{ID: "episode-a-1-1", Kind: catalog.Episode, Title: "One", SeriesID: "series-a", SeasonID: "season-a-1", Season: 1, Episode: 1}
	with := func(w catalog.Work, edit func(*catalog.Work)) catalog.Work { edit(&w); return w }
	tests := []struct {
		name    string
		records []catalog.Work
		want    []string // per record: "" accepted, else "field: message part"
	}{
		{"in order", []catalog.Work{series, season, episode}, []string{"", "", ""}},
		{"duplicate id", []catalog.Work{series, series}, []string{"", "id: duplicate"}},
		{"season before series", []catalog.Work{season, series}, []string{`seriesId: series "series-a" not found`, ""}},
		{"episode without season", []catalog.Work{series, episode}, []string{"", `seasonId: season "season-a-1" not found`}},
		{"episode of another series", []catalog.Work{series, season, with(series, func(w *catalog.Work) { w.ID = "series-b" }),
			with(episode, func(w *catalog.Work) { w.SeriesID = "series-b" })},
			[]string{"", "", "", `seasonId: season "season-a-1" belongs to series "series-a"`}},
		{"episode season number mismatch", []catalog.Work{series, season, with(episode, func(w *catalog.Work) { w.Season = 2 })},
			[]string{"", "", "season: is 2"}},
		{"episode number reused", []catalog.Work{series, season, episode, with(episode, func(w *catalog.Work) { w.ID = "episode-a-1-1b" })},
			[]string{"", "", "", "episode: season \"season-a-1\" already has an episode 1"}},
		{"season number reused", []catalog.Work{series, season, with(season, func(w *catalog.Work) { w.ID = "season-a-1b" })},
			[]string{"", "", "season: series \"series-a\" already has a season 1"}},
		{"children of an invalid parent", []catalog.Work{with(series, func(w *catalog.Work) { w.Title = "" }), season},
			[]string{"title: is required", "seriesId: series"}},
		{"invalid record's id stays free", []catalog.Work{with(series, func(w *catalog.Work) { w.Title = "" }), series},
			[]string{"title: is required", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newChecker(nil)
			for i, rec := range tt.records {
				got, err := c.work(rec)
				if tt.want[i] == "" {
					if err != nil {
						t.Fatalf("record %d (%s): %v", i, rec.ID, err)
					}
					if rec.Kind == catalog.Episode && got.SeriesTitle != "A" {
						t.Fatalf("episode SeriesTitle = %q, want it filled from the series", got.SeriesTitle)
					}
					continue
				}
				var fes catalog.FieldErrors
				if !errors.As(err, &fes) {
					t.Fatalf("record %d (%s): err = %v, want field errors", i, rec.ID, err)
				}
				field, msg, _ := strings.Cut(tt.want[i], ": ")
				found := false
				for _, fe := range fes {
					found = found || (fe.Field == field && strings.Contains(fe.Msg, msg) && fe.ID == rec.ID)
				}
				if !found {
					t.Fatalf("record %d (%s): %v, want %s", i, rec.ID, err, tt.want[i])
				}
			}
		})
	}
}

func TestCheckerChannels(t *testing.T) {
	t.Parallel()
	c := newChecker(nil)
	espn := catalog.Channel{ID: "channel-espn", Name: "ESPN", Number: "206", CallSign: "ESPN"}
	if err := c.channel(espn); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ch   catalog.Channel
		want string
	}{
		{catalog.Channel{ID: "channel-espn", Name: "ESPN", Number: "1"}, `"id"`},
		{catalog.Channel{ID: "channel-x", Name: "X", Number: "206"}, `"number"`},
		{catalog.Channel{ID: "channel-y", Name: "Y", CallSign: "espn"}, `"callSign"`},
		{catalog.Channel{ID: "channel-z", Name: ""}, `"name"`},
	}
	for _, tt := range tests {
		if err := c.channel(tt.ch); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("channel %+v: err = %v, want %s", tt.ch, err, tt.want)
		}
	}
	// A work may not reuse a channel's id either.
	if _, err := c.work(catalog.Work{ID: "channel-espn", Kind: catalog.Movie, Title: "T"}); err == nil {
		t.Error("work with a channel's id accepted")
	}
}

func TestBitset(t *testing.T) {
	t.Parallel()
	var b bitset
	for _, n := range []int{1, 63, 64, 9999} {
		if b.has(n) {
			t.Fatalf("empty set has %d", n)
		}
		b.set(n)
		if !b.has(n) {
			t.Fatalf("set lost %d", n)
		}
	}
	if b.has(2) || b.has(10000) || b.has(-1) {
		t.Fatal("set has numbers never set")
	}
}
