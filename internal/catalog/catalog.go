// Package catalog is the domain of the partner's content: movies, series,
// seasons, episodes and live channels, and how a spoken request resolves to
// one of them. It declares the Index it reads and the IndexWriter the
// exporter fills; the DynamoDB adapter implements both.
package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Errors the domain reports.
var (
	ErrNotFound = errors.New("not found in catalog")
	ErrInvalid  = errors.New("invalid catalog record")
)

// Kind is the type of a work.
type Kind string

// The kinds of work.
const (
	Movie   Kind = "MOVIE"
	Series  Kind = "SERIES"
	Season  Kind = "SEASON"
	Episode Kind = "EPISODE"
)

// Work is one item of the catalog. Fields that do not apply to a kind stay
// empty (a movie has no SeriesID; a series has no RuntimeMinutes).
type Work struct {
	ID          string
	Kind        Kind
	Title       string
	ExternalIDs map[string]string // scheme → id, e.g. "imdb" → "tt5834204"
	Synopsis    string
	Genres      []string
	Actors      []string
	Directors   []string
	ReleaseYear int
	// RuntimeMinutes is the length of a movie or an episode.
	RuntimeMinutes int
	// Rank orders by popularity: 1 is the most popular; 0 means unranked.
	Rank          int
	ContentRating string // e.g. "TV-MA", "PG-13"
	ImageURL      string
	// ReleaseDate is the first release of a movie or a series: YYYY-MM-DD.
	ReleaseDate string
	// Original marks the partner's own production (CDF Source "original").
	Original bool

	SeriesID    string // seasons and episodes
	SeriesTitle string // seasons and episodes
	SeasonID    string // episodes
	Season      int    // seasons and episodes: season number
	Episode     int    // episodes: number within the season
	AirDate     string // episodes: YYYY-MM-DD

	// Availability lists the windows in which the work can be watched.
	// Empty means by subscription, always, in the exporter's regions.
	Availability []Window
}

// Offer types of an availability window, as CDF names its offers.
const (
	OfferSubscription = "subscription"
	OfferFree         = "free"
)

// Window is one availability window of a work: an offer type, the
// countries (ISO 3166-1 alpha-2) and optional start and end, each a date
// (YYYY-MM-DD) or an RFC 3339 time.
type Window struct {
	Offer   string
	Regions []string
	Start   string
	End     string
}

// Airing is one entry of a channel's schedule.
type Airing struct {
	Start   string // RFC 3339
	Minutes int
	WorkID  string // the work shown, when it is in the catalog
	Title   string
}

// Channel is a live TV channel.
type Channel struct {
	ID          string
	Number      string // as dialled, e.g. "206"
	CallSign    string // e.g. "ESPN"
	Name        string // e.g. "ESPN"
	Affiliate   string
	Genres      []string
	ImageURL    string
	ExternalIDs map[string]string
	Schedule    []Airing // upcoming airings, in start order
}

// Index is what request paths read. Every method is a key lookup or a query
// on one partition: no scans. A lookup that matches nothing returns an error
// wrapping ErrNotFound; Episodes returns an empty list past the last episode.
type Index interface {
	GetWork(ctx context.Context, id string) (Work, error)
	FindByExternalID(ctx context.Context, scheme, id string) ([]Work, error)
	FindByTitle(ctx context.Context, title string) ([]Work, error)
	// Episodes returns up to limit episodes of a series in season and episode
	// order, starting after (season, episode) = (0, 0) when from is zero.
	Episodes(ctx context.Context, seriesID string, from EpisodeRef, limit int) ([]Work, error)
	FindChannel(ctx context.Context, ref ChannelRef) ([]Channel, error)
	// FindByGenre returns movies and series of a genre by rank.
	FindByGenre(ctx context.Context, genre string, limit int) ([]Work, error)
	// FindByPerson returns movies and series with an actor or director of
	// that (normalised) name, by rank, unranked last; at most limit (> 0).
	FindByPerson(ctx context.Context, name string, limit int) ([]Work, error)
	// Lineup returns every channel in channel-number order.
	Lineup(ctx context.Context) ([]Channel, error)
}

// MaxLineup bounds the channels Lineup returns: a real line-up has a few
// hundred.
const MaxLineup = 2000

// MaxIndexedAirings bounds the schedule kept with a channel in the index:
// the next airings the exporter saw (it runs at least daily).
const MaxIndexedAirings = 96

// LineupKey orders channel numbers as dialled: "7" < "7.1" < "206" < "1234".
func LineupKey(number string) string {
	major, minor, _ := strings.Cut(number, ".")
	n := 0
	for _, r := range major {
		if r < '0' || r > '9' {
			return "~" + number // not a number: after the numbered ones
		}
		n = n*10 + int(r-'0')
		if n > 99_999_999 {
			return "~" + number
		}
	}
	return fmt.Sprintf("%08d.%s", n, minor)
}

// OnAir returns the airing of a channel's schedule at t, if any.
func (c Channel) OnAir(t time.Time) (Airing, bool) {
	for _, a := range c.Schedule {
		start, err := time.Parse(time.RFC3339, a.Start)
		if err != nil {
			continue
		}
		if !t.Before(start) && t.Before(start.Add(time.Duration(a.Minutes)*time.Minute)) {
			return a, true
		}
	}
	return Airing{}, false
}

// NormalizePerson folds a person's name for lookup, like titles.
func NormalizePerson(s string) string { return NormalizeTitle(s) }

// IndexWriter is what the exporter fills.
type IndexWriter interface {
	PutWorks(ctx context.Context, works []Work) error
	PutChannels(ctx context.Context, channels []Channel) error
}

// EpisodeRef names an episode by position.
type EpisodeRef struct {
	Season  int
	Episode int
}

// ChannelRef looks a channel up by one of its names; the first non-empty
// field is used, in the order Number, CallSign, Name.
type ChannelRef struct {
	Number   string
	CallSign string
	Name     string
}

// NormalizeTitle folds a title for lookup: lower case, letters and digits
// kept, everything else (punctuation, apostrophes, spacing) collapsed into
// single spaces, and a leading article dropped. "The Handmaid's Tale" and
// "handmaids tale" normalise alike.
func NormalizeTitle(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '\'' || r == '’':
			// "handmaid's" → "handmaids"
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	out := b.String()
	for _, article := range []string{"the ", "a ", "an "} {
		if strings.HasPrefix(out, article) && len(out) > len(article) {
			return out[len(article):]
		}
	}
	return out
}
