package export

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"

	"livingroom/internal/catalog"
	"livingroom/internal/cdf"
	"livingroom/internal/ember"
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
		Offers:         m.offersOf(w.Availability),
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

// offersOf maps availability windows to CDF offers; a work without any is
// offered by subscription, always, in the exporter's regions.
func (m mapper) offersOf(ws []catalog.Window) cdf.Offers {
	if len(ws) == 0 {
		return m.offers
	}
	var o cdf.Offers
	for _, w := range ws {
		offer := cdf.Offer{Regions: cdf.Regions{Countries: w.Regions}, WindowStart: xsdDateTime(w.Start), WindowEnd: xsdDateTime(w.End)}
		if w.Offer == catalog.OfferFree {
			o.Free = append(o.Free, offer)
		} else {
			o.Subscription = append(o.Subscription, offer)
		}
	}
	return o
}

// xsdDateTime turns a date or RFC 3339 time into an xsd:dateTime.
func xsdDateTime(s string) string {
	if len(s) == len("2006-01-02") {
		return cdf.DateTime(s)
	}
	return s
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

// program maps a work to an EMBER program with its offers.
func (m mapper) program(w *catalog.Work, version int64) (ember.Program, []ember.Offer) {
	kind := map[catalog.Kind]string{catalog.Movie: ember.Movie, catalog.Series: ember.TVSeries,
		catalog.Season: ember.TVSeason, catalog.Episode: ember.TVEpisode}[w.Kind]
	p := ember.Program{
		Kind: kind, ID: w.ID, Version: version, Title: w.Title, Language: m.locale, Synopsis: w.Synopsis,
		ImageURL: w.ImageURL, Genres: w.Genres, ReleaseDate: cmp.Or(w.ReleaseDate, w.AirDate), ReleaseYear: releaseYear(*w),
		Runtime: w.RuntimeMinutes, Cast: w.Actors, Directors: w.Directors,
		SeriesID: w.SeriesID, SeasonID: w.SeasonID, Season: w.Season, Episode: w.Episode,
	}
	for _, scheme := range slices.Sorted(maps.Keys(w.ExternalIDs)) {
		p.ExternalIDs = append(p.ExternalIDs, [2]string{scheme, w.ExternalIDs[scheme]})
	}
	if system := ratingSystem(w.ContentRating); system != "" {
		p.Rating = [2]string{system, w.ContentRating}
	}
	var offers []ember.Offer
	o := m.offersOf(w.Availability)
	for _, x := range []struct {
		kind string
		list []cdf.Offer
	}{{catalog.OfferSubscription, o.Subscription}, {catalog.OfferFree, o.Free}} {
		for _, c := range x.list {
			offers = append(offers, ember.Offer{ProgramID: w.ID, Version: version, Entitlement: x.kind,
				Regions: c.Regions.Countries, Start: c.WindowStart, End: c.WindowEnd})
		}
	}
	return p, offers
}
