package catalog

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Limits the key layout of the index and Amazon's CDF rules impose.
const (
	MaxRuntimeMinutes = 2880     // CDF warns outside 1–2880
	MaxSeason         = 9999     // index keys hold 4 digits
	MaxEpisode        = 9999     // index keys hold 4 digits
	MaxRank           = 99999999 // index keys hold 8 digits
	maxIDLength       = 256
	MaxWindows        = 32   // availability windows of one work
	MaxAirings        = 2000 // schedule entries of one channel: two weeks of half hours, with room
	MaxTextLength     = 8192 // bytes of one title, synopsis or name
)

// ExternalSchemes are the id schemes CDF accepts in ExternalID.
var ExternalSchemes = []string{"imdb", "tms", "isan", "ean", "upc"}

var (
	imdbTitleID   = regexp.MustCompile(`^tt[0-9]{7,}$`)
	channelNumber = regexp.MustCompile(`^[0-9]{1,6}([.-][0-9]{1,4})?$`)
	callSign      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,15}$`)
)

// FieldError is one problem with one field of one record. Field is the name
// the source format (JSON Lines) uses, so the partner can find it.
type FieldError struct {
	ID    string // the record's id; empty when it has none
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	id := e.ID
	if id == "" {
		id = "(no id)"
	}
	return fmt.Sprintf("%s: field %q: %s", id, e.Field, e.Msg)
}

// Unwrap makes every field error an ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// FieldErrors is every problem found in one record.
type FieldErrors []*FieldError

func (es FieldErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap exposes each field error to errors.Is and errors.As.
func (es FieldErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Validate checks one work on its own: required fields for its kind and the
// ranges the index and CDF accept. References to other records (does the
// season exist?) and duplicate ids need the whole catalog and are checked by
// the exporter. The error is a FieldErrors, nil when the work is valid.
func (w Work) Validate() error {
	v := fields{id: w.ID}
	v.identifier(w.ID)
	v.required("title", w.Title)
	switch w.Kind {
	case Movie, Series:
		v.absent("seriesId", w.SeriesID)
		v.absent("seasonId", w.SeasonID)
		v.zero("season", w.Season)
		v.zero("episode", w.Episode)
		v.absent("airDate", w.AirDate)
	case Season:
		v.required("seriesId", w.SeriesID)
		v.absent("seasonId", w.SeasonID)
		v.number("season", w.Season, MaxSeason)
		v.zero("episode", w.Episode)
		v.absent("airDate", w.AirDate)
	case Episode:
		v.required("seriesId", w.SeriesID)
		v.required("seasonId", w.SeasonID)
		v.number("season", w.Season, MaxSeason)
		v.number("episode", w.Episode, MaxEpisode)
	default:
		v.add("type", fmt.Sprintf("unknown kind %q", w.Kind))
	}
	if w.RuntimeMinutes != 0 && (w.RuntimeMinutes < 1 || w.RuntimeMinutes > MaxRuntimeMinutes) {
		v.add("runtimeMinutes", fmt.Sprintf("must be between 1 and %d, got %d", MaxRuntimeMinutes, w.RuntimeMinutes))
	}
	if w.Rank < 0 || w.Rank > MaxRank {
		v.add("rank", fmt.Sprintf("must be between 0 (unranked) and %d, got %d", MaxRank, w.Rank))
	}
	if w.ReleaseYear != 0 && (w.ReleaseYear < 1870 || w.ReleaseYear > 2200) {
		v.add("releaseYear", fmt.Sprintf("must be a four-digit year, got %d", w.ReleaseYear))
	}
	v.date("releaseDate", w.ReleaseDate)
	v.date("airDate", w.AirDate)
	v.externalIDs(w.ExternalIDs)
	v.names("genres", w.Genres)
	v.names("actors", w.Actors)
	v.names("directors", w.Directors)
	v.url("imageUrl", w.ImageURL)
	v.windows(w.Availability)
	v.length("title", w.Title)
	v.length("synopsis", w.Synopsis)
	v.length("seriesTitle", w.SeriesTitle)
	return v.err()
}

// Warnings lists what Amazon's ingestion warns about without rejecting the
// work: a release year that disagrees with the release or air date, text
// that looks escaped twice, an image that is not JPEG or PNG, a synopsis
// that only repeats the title. Call it on a work that Validate accepts.
func (w Work) Warnings() FieldErrors {
	v := fields{id: w.ID}
	if w.ReleaseYear != 0 {
		for _, d := range [][2]string{{"releaseDate", w.ReleaseDate}, {"airDate", w.AirDate}} {
			if len(d[1]) >= 4 && d[1][:4] != strconv.Itoa(w.ReleaseYear) {
				v.add("releaseYear", fmt.Sprintf("%d does not match the year of %s %s", w.ReleaseYear, d[0], d[1]))
			}
		}
	}
	texts := []struct{ field, text string }{{"title", w.Title}, {"synopsis", w.Synopsis}, {"seriesTitle", w.SeriesTitle}}
	for _, list := range []struct {
		field string
		names []string
	}{{"genres", w.Genres}, {"actors", w.Actors}, {"directors", w.Directors}} {
		for i, n := range list.names {
			texts = append(texts, struct{ field, text string }{fmt.Sprintf("%s[%d]", list.field, i), n})
		}
	}
	for _, t := range texts {
		if strings.IndexByte(t.text, '&') < 0 {
			continue
		}
		if m := escaped.FindString(t.text); m != "" {
			v.add(t.field, fmt.Sprintf("contains %q: the text looks escaped already and would be escaped twice", m))
		}
	}
	if w.ImageURL != "" && !HasImageType(w.ImageURL) {
		v.add("imageUrl", "is not a .jpg, .jpeg or .png image; Amazon counts it as missing")
	}
	if w.Synopsis != "" && strings.EqualFold(strings.TrimSpace(w.Synopsis), strings.TrimSpace(w.Title)) {
		v.add("synopsis", "only repeats the title")
	}
	return v.errs
}

// HasValidImage tells whether the work counts towards Amazon's rule that at
// least half of the works carry a valid image.
func (w Work) HasValidImage() bool { return w.ImageURL != "" && HasImageType(w.ImageURL) }

// HasImageType tells whether an image URL names a JPEG or PNG file.
func HasImageType(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	p := strings.ToLower(u.Path)
	return strings.HasSuffix(p, ".jpg") || strings.HasSuffix(p, ".jpeg") || strings.HasSuffix(p, ".png")
}

// escaped matches an XML or HTML character reference in source text.
var escaped = regexp.MustCompile(`&(amp|lt|gt|quot|apos|nbsp|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});`)

// Validate checks one channel on its own; duplicate ids, numbers and call
// signs need the whole lineup and are checked by the exporter.
func (c Channel) Validate() error {
	v := fields{id: c.ID}
	v.identifier(c.ID)
	v.required("name", c.Name)
	if c.Number != "" && !channelNumber.MatchString(c.Number) {
		v.add("number", fmt.Sprintf("must be digits as dialled (e.g. 206 or 7.1), got %q", c.Number))
	}
	if c.CallSign != "" && !callSign.MatchString(c.CallSign) {
		v.add("callSign", fmt.Sprintf("must be 1–16 letters, digits or '-', got %q", c.CallSign))
	}
	if c.Number == "" && c.CallSign == "" {
		v.add("number", "a channel needs a number or a call sign")
	}
	v.externalIDs(c.ExternalIDs)
	v.names("genres", c.Genres)
	v.url("imageUrl", c.ImageURL)
	v.schedule(c.Schedule)
	return v.err()
}

// fields collects the field errors of one record.
type fields struct {
	id   string
	errs FieldErrors
}

func (v *fields) add(field, msg string) {
	v.errs = append(v.errs, &FieldError{ID: v.id, Field: field, Msg: msg})
}

func (v *fields) err() error {
	if len(v.errs) == 0 {
		return nil
	}
	return v.errs
}

func (v *fields) identifier(id string) {
	switch {
	case strings.TrimSpace(id) == "":
		v.add("id", "is required")
	case len(id) > maxIDLength:
		v.add("id", fmt.Sprintf("must be at most %d bytes", maxIDLength))
	case strings.ContainsFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == '#' }):
		// '#' separates the parts of index keys.
		v.add("id", "must not contain spaces, control characters or '#'")
	}
}

func (v *fields) required(field, s string) {
	if strings.TrimSpace(s) == "" {
		v.add(field, "is required")
	}
}

func (v *fields) absent(field, s string) {
	if s != "" {
		v.add(field, "does not apply to this type")
	}
}

func (v *fields) zero(field string, n int) {
	if n != 0 {
		v.add(field, "does not apply to this type")
	}
}

func (v *fields) number(field string, n, max int) {
	switch {
	case n < 1:
		v.add(field, "must be ≥ 1")
	case n > max:
		v.add(field, fmt.Sprintf("must be ≤ %d", max))
	}
}

func (v *fields) date(field, s string) {
	if s == "" {
		return
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		v.add(field, fmt.Sprintf("must be a date YYYY-MM-DD, got %q", s))
	}
}

func (v *fields) externalIDs(ids map[string]string) {
	for _, scheme := range slices.Sorted(maps.Keys(ids)) {
		id := ids[scheme]
		field := "externalIds." + scheme
		switch {
		case !slices.Contains(ExternalSchemes, scheme):
			v.add(field, fmt.Sprintf("unknown scheme; CDF accepts %s", strings.Join(ExternalSchemes, ", ")))
		case strings.TrimSpace(id) == "":
			v.add(field, "must not be blank")
		case scheme == "imdb" && !imdbTitleID.MatchString(id):
			v.add(field, fmt.Sprintf("must be an IMDb title id like tt0000000, got %q", id))
		}
	}
}

func (v *fields) length(field, s string) {
	if len(s) > MaxTextLength {
		v.add(field, fmt.Sprintf("must be at most %d bytes, got %d", MaxTextLength, len(s)))
	}
}

// ParseTime reads a date (YYYY-MM-DD, midnight UTC) or an RFC 3339 time.
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

var country = regexp.MustCompile(`^[A-Z]{2}$`)

func (v *fields) windows(ws []Window) {
	if len(ws) > MaxWindows {
		v.add("availability", fmt.Sprintf("must have at most %d windows, got %d", MaxWindows, len(ws)))
		return
	}
	for i, w := range ws {
		field := fmt.Sprintf("availability[%d]", i)
		if w.Offer != OfferSubscription && w.Offer != OfferFree {
			v.add(field+".offer", fmt.Sprintf("must be %s or %s, got %q", OfferSubscription, OfferFree, w.Offer))
		}
		if len(w.Regions) == 0 {
			v.add(field+".regions", "must list at least one country")
		}
		for j, r := range w.Regions {
			if !country.MatchString(r) {
				v.add(fmt.Sprintf("%s.regions[%d]", field, j), fmt.Sprintf("must be an ISO 3166-1 alpha-2 code like US, got %q", r))
			}
		}
		var start, end time.Time
		var err error
		if w.Start != "" {
			if start, err = ParseTime(w.Start); err != nil {
				v.add(field+".start", fmt.Sprintf("must be YYYY-MM-DD or an RFC 3339 time, got %q", w.Start))
			}
		}
		if w.End != "" {
			if end, err = ParseTime(w.End); err != nil {
				v.add(field+".end", fmt.Sprintf("must be YYYY-MM-DD or an RFC 3339 time, got %q", w.End))
			}
		}
		if !start.IsZero() && !end.IsZero() && !end.After(start) {
			v.add(field+".end", fmt.Sprintf("%s is not after the start %s", w.End, w.Start))
		}
	}
}

func (v *fields) schedule(as []Airing) {
	if len(as) > MaxAirings {
		v.add("schedule", fmt.Sprintf("must have at most %d airings, got %d", MaxAirings, len(as)))
		return
	}
	var last time.Time
	for i, a := range as {
		field := fmt.Sprintf("schedule[%d]", i)
		t, err := time.Parse(time.RFC3339, a.Start)
		switch {
		case err != nil:
			v.add(field+".start", fmt.Sprintf("must be an RFC 3339 time, got %q", a.Start))
		case t.Before(last):
			v.add(field+".start", "is before the previous airing: the schedule must be in start order")
		default:
			last = t
		}
		if a.Minutes < 1 || a.Minutes > 24*60 {
			v.add(field+".minutes", fmt.Sprintf("must be between 1 and 1440, got %d", a.Minutes))
		}
		if strings.TrimSpace(a.Title) == "" && a.WorkID == "" {
			v.add(field+".title", "an airing needs a title or a workId")
		}
	}
}

func (v *fields) names(field string, names []string) {
	for i, n := range names {
		if strings.TrimSpace(n) == "" {
			v.add(fmt.Sprintf("%s[%d]", field, i), "must not be blank")
		}
	}
}

func (v *fields) url(field, s string) {
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		v.add(field, fmt.Sprintf("must be an absolute http(s) URL, got %q", s))
	}
}
