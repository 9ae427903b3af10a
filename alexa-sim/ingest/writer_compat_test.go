package ingest

import (
	"bytes"
	"context"
	"testing"

	"livingroom/internal/cdf"
)

// Files written by cdf.Writer, as the catalog exporter writes them, ingest
// with every work, station and channel number.
func TestReadsWhatTheExporterWrites(t *testing.T) {
	t.Parallel()
	title := func(s string) []cdf.Localized { return []cdf.Localized{{Locale: "en-US", Value: s}} }
	offers := cdf.Offers{Subscription: []cdf.Offer{{Regions: cdf.Regions{Countries: []string{"US"}}}}}
	var buf bytes.Buffer
	w, err := cdf.NewWriter(&buf, "Living Room")
	if err != nil {
		t.Fatal(err)
	}
	steps := []error{
		w.Show(cdf.TvShow{Common: cdf.Common{ID: "series-handmaids-tale", Titles: title("The Handmaid's Tale"), Offers: offers}}),
		w.Season(cdf.TvSeason{Common: cdf.Common{ID: "season-handmaids-tale-1", Titles: title("Season 1"), Offers: offers}, ShowID: "series-handmaids-tale", SeasonInShow: 1}),
		w.Episode(cdf.TvEpisode{Common: cdf.Common{ID: "episode-handmaids-tale-1-1", Titles: title("Offred"), Offers: offers},
			ShowID: "series-handmaids-tale", SeasonID: "season-handmaids-tale-1", EpisodeInSeason: 1, OriginalAirDate: cdf.DateTime("2017-04-26")}),
		w.Movie(cdf.Movie{Common: cdf.Common{ID: "movie-palm-springs", Titles: title("Palm Springs"), Offers: offers, Source: "licensed"}}),
		w.Station(cdf.Station{ID: "channel-espn", Titles: title("ESPN"), CallSigns: []string{"ESPN"}}),
		w.Lineup(cdf.Lineup{ID: "lineup-us", Name: "US", Broadcasts: []cdf.Broadcast{{ID: "b1", StationReference: "channel-espn", Channel: "206"}}}),
		w.Close(),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("write step %d: %v", i, err)
		}
	}

	c, err := Read(context.Background(), &buf)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if want := (Counts{Works: 4, Movies: 1, Shows: 1, Seasons: 1, Episodes: 1, Channels: 1}); c.Counts() != want {
		t.Errorf("counts %+v, want %+v", c.Counts(), want)
	}
	if w := c.FindTitle("the handmaid's tale"); len(w) != 1 || w[0].ID != "series-handmaids-tale" || w[0].Kind != TVShow {
		t.Errorf("show: %+v", w)
	}
	if w := c.FindTitle("palm springs"); len(w) != 1 || w[0].ID != "movie-palm-springs" || w[0].Kind != Movie {
		t.Errorf("movie: %+v", w)
	}
	if ch, ok := c.FindChannel("espn"); !ok || ch.ID != "channel-espn" || ch.Number != "206" {
		t.Errorf("channel: %+v %v", ch, ok)
	}
}
