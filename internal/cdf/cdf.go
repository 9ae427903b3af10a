// Package cdf models Amazon's Catalog Data Format (CDF, v1.3 element order)
// as encoding/xml types: the exporter writes them and alexa-sim reads them.
// Field order in the structs is the XSD sequence order, which CDF enforces.
package cdf

import "encoding/xml"

// Namespace and Version of the files written here.
const (
	Namespace = "http://www.amazon.com/FireTv/2014-04-11/ingestion"
	Version   = "FireTv-v1.3"
)

// Catalog is the root element. A file is written as a stream: the exporter
// writes the opening tags, then one work element at a time.
type Catalog struct {
	XMLName xml.Name `xml:"http://www.amazon.com/FireTv/2014-04-11/ingestion Catalog"`
	Version string   `xml:"version,attr,omitempty"`
	Partner string   `xml:"Partner"`
	Works   Works    `xml:"Works"`
	Linear  *Linear  `xml:"LinearData,omitempty"`
}

// Works holds the work elements, in any mix and order.
type Works struct {
	Movies   []Movie     `xml:"Movie"`
	Shows    []TvShow    `xml:"TvShow"`
	Seasons  []TvSeason  `xml:"TvSeason"`
	Episodes []TvEpisode `xml:"TvEpisode"`
}

// Localized is a string with its locale (Title, Synopsis, Genre, ...).
type Localized struct {
	Locale string `xml:"locale,attr"`
	Value  string `xml:",chardata"`
}

// ExternalID is an id in a public scheme: imdb, tms, isan, ean, upc.
type ExternalID struct {
	Scheme string `xml:"scheme,attr"`
	Value  string `xml:",chardata"`
}

// Offers lists how the work can be watched.
type Offers struct {
	Subscription []Offer `xml:"SubscriptionOffer"`
	Free         []Offer `xml:"FreeOffer"`
}

// Offer is a subscription or free offer in some regions.
type Offer struct {
	Regions     Regions `xml:"Regions"`
	WindowStart string  `xml:"WindowStart,omitempty"`
	WindowEnd   string  `xml:"WindowEnd,omitempty"`
}

// Regions lists ISO-3166 alpha-2 countries.
type Regions struct {
	Countries []string `xml:"Country"`
}

// Credits lists cast and crew.
type Credits struct {
	Cast []CastMember `xml:"CastMember"`
	Crew []CrewMember `xml:"CrewMember"`
}

// CastMember is an actor; Role is the character's name.
type CastMember struct {
	Name Localized  `xml:"Name"`
	Role *Localized `xml:"Role,omitempty"`
}

// CrewMember is a crew member; Job is e.g. "Director".
type CrewMember struct {
	Name Localized `xml:"Name"`
	Job  Localized `xml:"Job"`
}

// Genres lists genres.
type Genres struct {
	Genre []Localized `xml:"Genre"`
}

// ContentRatings lists ratings.
type ContentRatings struct {
	Rating []ContentRating `xml:"ContentRating"`
}

// ContentRating is a rating in a system, e.g. MPAA PG-13 or US TV TV-MA.
type ContentRating struct {
	System        string `xml:"System"`
	Certification string `xml:"Certification"`
}

// Common holds the elements every work starts with, in XSD order.
type Common struct {
	ID               string          `xml:"ID"`
	ExternalIDs      []ExternalID    `xml:"ExternalID"`
	Titles           []Localized     `xml:"Title"`
	Offers           Offers          `xml:"Offers"`
	ReleaseYear      int             `xml:"ReleaseYear,omitempty"`
	ShortDescription []Localized     `xml:"ShortDescription"`
	Synopsis         []Localized     `xml:"Synopsis"`
	ImageURL         string          `xml:"ImageUrl,omitempty"`
	RuntimeMinutes   int             `xml:"RuntimeMinutes,omitempty"`
	Credits          *Credits        `xml:"Credits,omitempty"`
	Language         string          `xml:"Language,omitempty"`
	Rank             int             `xml:"Rank,omitempty"`
	Source           string          `xml:"Source,omitempty"` // original, licensed, unknown, other
	Genres           *Genres         `xml:"Genres,omitempty"`
	ContentRatings   *ContentRatings `xml:"ContentRatings,omitempty"`
}

// Movie is a feature film.
type Movie struct {
	Common
	ReleaseDate string `xml:"ReleaseDate,omitempty"`
}

// TvShow is a series.
type TvShow struct {
	Common
	ReleaseDate string `xml:"ReleaseDate,omitempty"`
}

// TvSeason is one season of a show.
type TvSeason struct {
	Common
	ShowID       string `xml:"ShowID"`
	SeasonInShow int    `xml:"SeasonInShow"`
}

// TvEpisode is one episode of a season.
type TvEpisode struct {
	Common
	ShowID          string `xml:"ShowID"`
	SeasonID        string `xml:"SeasonID"`
	EpisodeInSeason int    `xml:"EpisodeInSeason"`
	OriginalAirDate string `xml:"OriginalAirDate,omitempty"`
}

// Linear holds live channels (a separate catalog from the VOD works).
type Linear struct {
	Stations     []Station     `xml:"Station"`
	Lineups      []Lineup      `xml:"Lineup"`
	ScheduleDays []ScheduleDay `xml:"ScheduleDay"`
}

// ScheduleDay is one station's programme for one day.
type ScheduleDay struct {
	ID                  string     `xml:"ID"`
	Date                string     `xml:"Date"` // YYYY-MM-DD
	AssociatedStationID string     `xml:"AssociatedStationId"`
	Schedules           []Schedule `xml:"Schedules>Schedule"`
}

// Schedule is one airing: what, when, how long.
type Schedule struct {
	ContentReference string `xml:"ContentReference,omitempty"` // the work's ID, when it is in the catalog
	StartTime        string `xml:"StartTime"`                  // xsd:dateTime
	Duration         string `xml:"Duration"`                   // xsd:duration, e.g. PT60M
}

// Station is a live channel.
type Station struct {
	ID        string         `xml:"ID"`
	Titles    []Localized    `xml:"Titles>Title"`
	CallSigns []string       `xml:"CallSigns>CallSign"`
	Images    []StationImage `xml:"Images>Image"`
	Offers    *Offers        `xml:"Offers,omitempty"`
}

// StationImage is a station logo.
type StationImage struct {
	URL string `xml:"Url"`
}

// Lineup maps stations to channel numbers.
type Lineup struct {
	ID         string      `xml:"ID"`
	Name       string      `xml:"Name"`
	Broadcasts []Broadcast `xml:"Broadcasts>Broadcast"`
}

// Broadcast places a station at a channel number in a lineup.
type Broadcast struct {
	ID               string `xml:"ID"`
	StationReference string `xml:"StationReference"`
	Channel          string `xml:"Channel"`
}

// MarshalXML leaves out the Titles, CallSigns and Images wrappers when they
// would be empty: encoding/xml writes the parents of an a>b field even for
// an empty slice, and an empty wrapper is not valid CDF.
func (s Station) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type titles struct {
		Title []Localized `xml:"Title"`
	}
	type callSigns struct {
		CallSign []string `xml:"CallSign"`
	}
	type images struct {
		Image []StationImage `xml:"Image"`
	}
	out := struct {
		ID        string     `xml:"ID"`
		Titles    *titles    `xml:"Titles,omitempty"`
		CallSigns *callSigns `xml:"CallSigns,omitempty"`
		Images    *images    `xml:"Images,omitempty"`
		Offers    *Offers    `xml:"Offers,omitempty"`
	}{ID: s.ID, Offers: s.Offers}
	if len(s.Titles) > 0 {
		out.Titles = &titles{s.Titles}
	}
	if len(s.CallSigns) > 0 {
		out.CallSigns = &callSigns{s.CallSigns}
	}
	if len(s.Images) > 0 {
		out.Images = &images{s.Images}
	}
	return e.EncodeElement(out, start)
}
