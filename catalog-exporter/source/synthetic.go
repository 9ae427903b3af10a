package source

import (
	"bytes"
	"fmt"
	"io"

	"livingroom/internal/catalog"
)

// Synthetic generates a catalog of exactly works works (plus 20 channels)
// for load tests and benchmarks. Records are made as they are read, so the
// generator itself holds one record at a time. Every block of 50 works is
// one series with 4 seasons of 10 episodes, and 5 movies. Titles and ids
// are made up and say so.
func Synthetic(works int) Opener {
	return func() (io.ReadCloser, error) { return io.NopCloser(&generator{total: works}), nil }
}

const (
	blockWorks        = 50
	seasonsPerSeries  = 4
	episodesPerSeason = 10
	syntheticChannels = 20
)

type generator struct {
	total, made int // works
	channels    int
	buf         bytes.Buffer
}

var (
	genreNames = []string{"Drama", "Comedy", "Action", "Science Fiction", "Documentary", "Thriller", "Animation", "Romance"}
	synopsis   = "A synthetic work generated for load tests of the catalog exporter. Its text is about as long as a real " +
		"synopsis, so that file sizes and encoding costs resemble a real catalog of the same size."
)

func (g *generator) Read(p []byte) (int, error) {
	for g.buf.Len() == 0 {
		if !g.next() {
			return 0, io.EOF
		}
	}
	return g.buf.Read(p)
}

// next encodes the next record into buf; false when the catalog is done.
func (g *generator) next() bool {
	if g.channels < syntheticChannels {
		g.channels++
		n := g.channels
		_ = Encode(&g.buf, Record{Channel: &catalog.Channel{
			ID: fmt.Sprintf("channel-syn-%02d", n), Number: fmt.Sprint(100 + n), CallSign: fmt.Sprintf("SYN%02d", n),
			Name: fmt.Sprintf("Synthetic Channel %d", n), Genres: []string{genreNames[n%len(genreNames)]},
		}})
		return true
	}
	if g.made >= g.total {
		return false
	}
	_ = Encode(&g.buf, Record{Work: g.work(g.made)})
	g.made++
	return true
}

// work is the i-th work: position 0 of a block is the series, then per
// season the season and its episodes, then the movies.
func (g *generator) work(i int) *catalog.Work {
	block, pos := i/blockWorks, i%blockWorks
	series := fmt.Sprintf("series-syn-%06d", block)
	seriesTitle := fmt.Sprintf("Synthetic Series %d", block)
	base := catalog.Work{
		Synopsis: synopsis, Genres: []string{genreNames[i%len(genreNames)], genreNames[(i+3)%len(genreNames)]},
		Actors:      []string{fmt.Sprintf("Actor %d", i%997), fmt.Sprintf("Actor %d", (i+1)%997), fmt.Sprintf("Actor %d", (i+2)%997)},
		ReleaseYear: 1990 + i%30, ContentRating: "TV-14", ImageURL: fmt.Sprintf("https://img.example.com/syn/%d.jpg", i),
		ExternalIDs: map[string]string{"tms": fmt.Sprintf("SYN%010d", i)},
	}
	const perSeason = 1 + episodesPerSeason
	switch {
	case pos == 0:
		w := base
		w.ID, w.Kind, w.Title, w.Rank = series, catalog.Series, seriesTitle, block+1
		return &w
	case pos <= seasonsPerSeries*perSeason:
		season := (pos-1)/perSeason + 1
		seasonID := fmt.Sprintf("season-syn-%06d-%d", block, season)
		w := base
		w.SeriesID, w.SeriesTitle, w.Season = series, seriesTitle, season
		w.Genres, w.Actors = nil, nil
		if ep := (pos - 1) % perSeason; ep == 0 {
			w.ID, w.Kind, w.Title = seasonID, catalog.Season, fmt.Sprintf("Season %d", season)
		} else {
			w.ID, w.Kind, w.Title = fmt.Sprintf("episode-syn-%06d-%d-%d", block, season, ep), catalog.Episode, fmt.Sprintf("Episode %d of %s", ep, seasonID)
			w.SeasonID, w.Episode, w.RuntimeMinutes = seasonID, ep, 42+ep
			w.AirDate = fmt.Sprintf("%d-%02d-%02d", w.ReleaseYear, season, ep)
		}
		return &w
	default:
		w := base
		w.ID, w.Kind, w.Title = fmt.Sprintf("movie-syn-%07d", i), catalog.Movie, fmt.Sprintf("Synthetic Movie %d", i)
		w.Directors, w.RuntimeMinutes, w.Rank, w.ContentRating = []string{fmt.Sprintf("Director %d", i%211)}, 80+i%60, i+1, "PG-13"
		return &w
	}
}
