package export

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"livingroom/internal/catalog"
	"livingroom/internal/cdf"
)

// mapper turns domain records into CDF elements. It is pure: the same
// record always gives the same element, in the same order.
type mapper struct {
	locale string
	offers cdf.Offers
}

func newMapper(locale string, regions []string) mapper {
	return mapper{
		locale: locale,
		// The catalog is a subscription service; one offer per work, in
		// every region it is sold.
		offers: cdf.Offers{Subscription: []cdf.Offer{{Regions: cdf.Regions{Countries: slices.Clone(regions)}}}},
	}
}

func (m mapper) text(s string) cdf.Localized { return cdf.Localized{Locale: m.locale, Value: s} }

func (m mapper) texts(s string) []cdf.Localized {
	if s == "" {
		return nil
	}
	return []cdf.Localized{m.text(s)}
}

func (m mapper) common(w catalog.Work) cdf.Common {
	c := cdf.Common{
		ID:             w.ID,
		Titles:         []cdf.Localized{m.text(w.Title)},
		Offers:         m.offers,
		ReleaseYear:    releaseYear(w),
		Synopsis:       m.texts(w.Synopsis),
		ImageURL:       w.ImageURL,
		RuntimeMinutes: w.RuntimeMinutes,
		Rank:           w.Rank,
	}
	// Map order is random; the file must not be.
	for _, scheme := range slices.Sorted(maps.Keys(w.ExternalIDs)) {
		c.ExternalIDs = append(c.ExternalIDs, cdf.ExternalID{Scheme: scheme, Value: w.ExternalIDs[scheme]})
	}
	if len(w.Actors)+len(w.Directors) > 0 {
		c.Credits = &cdf.Credits{}
		for _, a := range w.Actors {
			c.Credits.Cast = append(c.Credits.Cast, cdf.CastMember{Name: m.text(a)})
		}
		for _, d := range w.Directors {
			c.Credits.Crew = append(c.Credits.Crew, cdf.CrewMember{Name: m.text(d), Job: m.text("Director")})
		}
	}
	if w.Original {
		c.Source = "original" // unknown otherwise: the source does not say "licensed"
	}
	if len(w.Genres) > 0 {
		c.Genres = &cdf.Genres{}
		for _, g := range w.Genres {
			c.Genres.Genre = append(c.Genres.Genre, m.text(g))
		}
	}
	if system := ratingSystem(w.ContentRating); system != "" {
		c.ContentRatings = &cdf.ContentRatings{Rating: []cdf.ContentRating{{System: system, Certification: w.ContentRating}}}
	}
	return c
}

// releaseYear falls back to the year of the release or air date: matching
// wants it, and CDF warns when it disagrees with the date.
func releaseYear(w catalog.Work) int {
	if w.ReleaseYear != 0 {
		return w.ReleaseYear
	}
	for _, d := range []string{w.ReleaseDate, w.AirDate} {
		if len(d) >= 4 {
			if y, err := strconv.Atoi(d[:4]); err == nil {
				return y
			}
		}
	}
	return 0
}

// ratingSystem names the rating system of a US certification. The system
// names are this exporter's choice; the XSD's vocabulary is not public.
func ratingSystem(rating string) string {
	switch {
	case rating == "":
		return ""
	case strings.HasPrefix(rating, "TV-"):
		return "US TV"
	case slices.Contains([]string{"G", "PG", "PG-13", "R", "NC-17", "NR"}, rating):
		return "MPAA"
	default:
		return ""
	}
}

func (m mapper) movie(w catalog.Work) cdf.Movie {
	return cdf.Movie{Common: m.common(w), ReleaseDate: cdf.DateTime(w.ReleaseDate)}
}

func (m mapper) show(w catalog.Work) cdf.TvShow {
	return cdf.TvShow{Common: m.common(w), ReleaseDate: cdf.DateTime(w.ReleaseDate)}
}

func (m mapper) season(w catalog.Work) cdf.TvSeason {
	return cdf.TvSeason{Common: m.common(w), ShowID: w.SeriesID, SeasonInShow: w.Season}
}

func (m mapper) episode(w catalog.Work) cdf.TvEpisode {
	return cdf.TvEpisode{
		Common: m.common(w), ShowID: w.SeriesID, SeasonID: w.SeasonID,
		EpisodeInSeason: w.Episode, OriginalAirDate: cdf.DateTime(w.AirDate),
	}
}

func (m mapper) station(c catalog.Channel) cdf.Station {
	s := cdf.Station{ID: c.ID, Titles: []cdf.Localized{m.text(c.Name)}, Offers: &m.offers}
	if c.CallSign != "" {
		s.CallSigns = []string{c.CallSign}
	}
	if c.ImageURL != "" {
		s.Images = []cdf.StationImage{{URL: c.ImageURL}}
	}
	return s
}

func broadcast(c catalog.Channel) cdf.Broadcast {
	return cdf.Broadcast{ID: "broadcast-" + c.ID, StationReference: c.ID, Channel: c.Number}
}

// slug makes an id part from a name: "Living Room" → "living-room".
func slug(s string) string {
	return strings.ReplaceAll(catalog.NormalizeTitle(s), " ", "-")
}
