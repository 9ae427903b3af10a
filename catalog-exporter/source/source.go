// Package source reads the partner's content metadata: JSON Lines, one
// record per line, each with a "type" of movie, series, season, episode or
// channel. Records are decoded one line at a time, so a source of any size
// can be streamed. Parents come before their children: a series before its
// seasons, a season before its episodes.
package source

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"livingroom/internal/catalog"
)

// Opener opens the source from its start. The exporter reads a source once
// for the files and once more for the index, so it needs to reopen it.
type Opener func() (io.ReadCloser, error)

//go:embed sample.jsonl
var sample []byte

// Sample is the bundled sample catalog: two series with two seasons each,
// movies and live channels, with real titles, dates and ids.
func Sample() Opener {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(sample)), nil }
}

// File opens a JSON Lines file.
func File(path string) Opener {
	return func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("open source: %w", err)
		}
		return f, nil
	}
}

// MaxLine is the longest record accepted.
const MaxLine = 1 << 20

// Record is one decoded line: a work or a channel.
type Record struct {
	Line    int
	Work    *catalog.Work    // movie, series, season, episode
	Channel *catalog.Channel // channel
	Err     error            // a line that is not a record (*LineError); Work and Channel are nil
}

// LineError is a line that could not be decoded into a record. It wraps
// catalog.ErrInvalid; decoding can go on with the next line.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the cause, and ErrInvalid for a line that is not a
// record at all.
func (e *LineError) Unwrap() []error { return []error{e.Err, catalog.ErrInvalid} }

// Decoder reads records from JSON Lines.
type Decoder struct {
	sc   *bufio.Scanner
	line int
}

// NewDecoder reads from r.
func NewDecoder(r io.Reader) *Decoder {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLine)
	return &Decoder{sc: sc}
}

// Next returns the next record, io.EOF after the last one, a *LineError
// for a line that is not a valid record (decoding can continue), or
// another error when reading fails.
func (d *Decoder) Next() (Record, error) {
	for d.sc.Scan() {
		d.line++
		line := bytes.TrimSpace(d.sc.Bytes())
		if len(line) == 0 {
			continue
		}
		rec, err := decode(line)
		rec.Line = d.line
		if err != nil {
			return rec, &LineError{Line: d.line, Err: err}
		}
		return rec, nil
	}
	if err := d.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return Record{}, fmt.Errorf("line %d: longer than %d bytes: %w", d.line+1, MaxLine, err)
		}
		return Record{}, fmt.Errorf("read source after line %d: %w", d.line, err)
	}
	return Record{}, io.EOF
}

// line is the JSON form of every record type; fields that do not apply to
// a type are left out.
type line struct {
	Type string `json:"type"`
	ID   string `json:"id"`

	Title          string            `json:"title,omitempty"`
	ExternalIDs    map[string]string `json:"externalIds,omitempty"`
	Synopsis       string            `json:"synopsis,omitempty"`
	Genres         []string          `json:"genres,omitempty"`
	Actors         []string          `json:"actors,omitempty"`
	Directors      []string          `json:"directors,omitempty"`
	ReleaseYear    int               `json:"releaseYear,omitempty"`
	ReleaseDate    string            `json:"releaseDate,omitempty"`
	RuntimeMinutes int               `json:"runtimeMinutes,omitempty"`
	Rank           int               `json:"rank,omitempty"`
	ContentRating  string            `json:"contentRating,omitempty"`
	ImageURL       string            `json:"imageUrl,omitempty"`
	Original       bool              `json:"original,omitempty"`
	SeriesID       string            `json:"seriesId,omitempty"`
	SeriesTitle    string            `json:"seriesTitle,omitempty"`
	SeasonID       string            `json:"seasonId,omitempty"`
	Season         int               `json:"season,omitempty"`
	Episode        int               `json:"episode,omitempty"`
	AirDate        string            `json:"airDate,omitempty"`

	Availability []window `json:"availability,omitempty"`

	// channels
	Name      string   `json:"name,omitempty"`
	Number    string   `json:"number,omitempty"`
	CallSign  string   `json:"callSign,omitempty"`
	Affiliate string   `json:"affiliate,omitempty"`
	Schedule  []airing `json:"schedule,omitempty"`
}

// window is an availability window: {"offer":"subscription","regions":["US"],"start":"2024-01-01","end":"2025-01-01"}.
type window struct {
	Offer   string   `json:"offer"`
	Regions []string `json:"regions"`
	Start   string   `json:"start,omitempty"`
	End     string   `json:"end,omitempty"`
}

// airing is a schedule entry: {"start":"2026-12-01T20:00:00Z","minutes":60,"workId":"...","title":"..."}.
type airing struct {
	Start   string `json:"start"`
	Minutes int    `json:"minutes"`
	WorkID  string `json:"workId,omitempty"`
	Title   string `json:"title,omitempty"`
}

func windowsFromLine(ws []window) []catalog.Window {
	if len(ws) == 0 {
		return nil
	}
	out := make([]catalog.Window, len(ws))
	for i, w := range ws {
		out[i] = catalog.Window(w)
	}
	return out
}

func windowsToLine(ws []catalog.Window) []window {
	if len(ws) == 0 {
		return nil
	}
	out := make([]window, len(ws))
	for i, w := range ws {
		out[i] = window(w)
	}
	return out
}

func airingsFromLine(as []airing) []catalog.Airing {
	if len(as) == 0 {
		return nil
	}
	out := make([]catalog.Airing, len(as))
	for i, a := range as {
		out[i] = catalog.Airing(a)
	}
	return out
}

func airingsToLine(as []catalog.Airing) []airing {
	if len(as) == 0 {
		return nil
	}
	out := make([]airing, len(as))
	for i, a := range as {
		out[i] = airing(a)
	}
	return out
}

var kinds = map[string]catalog.Kind{
	"movie": catalog.Movie, "series": catalog.Series, "season": catalog.Season, "episode": catalog.Episode,
}

var typeNames = map[catalog.Kind]string{
	catalog.Movie: "movie", catalog.Series: "series", catalog.Season: "season", catalog.Episode: "episode",
}

func decode(b []byte) (Record, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // a misspelt field would otherwise vanish silently
	var l line
	if err := dec.Decode(&l); err != nil {
		return Record{}, fmt.Errorf("not a record: %w", err)
	}
	if dec.More() {
		return Record{}, errors.New("not a record: more than one JSON value on the line")
	}
	if l.Type == "channel" {
		return Record{Channel: &catalog.Channel{
			ID: l.ID, Number: l.Number, CallSign: l.CallSign, Name: l.Name, Affiliate: l.Affiliate,
			Genres: l.Genres, ImageURL: l.ImageURL, ExternalIDs: l.ExternalIDs, Schedule: airingsFromLine(l.Schedule),
		}}, nil
	}
	kind, ok := kinds[l.Type]
	if !ok {
		return Record{}, &catalog.FieldError{ID: l.ID, Field: "type", Msg: fmt.Sprintf("must be movie, series, season, episode or channel, got %q", l.Type)}
	}
	return Record{Work: &catalog.Work{
		ID: l.ID, Kind: kind, Title: l.Title, ExternalIDs: l.ExternalIDs, Synopsis: l.Synopsis,
		Genres: l.Genres, Actors: l.Actors, Directors: l.Directors, ReleaseYear: l.ReleaseYear,
		ReleaseDate: l.ReleaseDate, RuntimeMinutes: l.RuntimeMinutes, Rank: l.Rank, ContentRating: l.ContentRating,
		ImageURL: l.ImageURL, Original: l.Original, SeriesID: l.SeriesID, SeriesTitle: l.SeriesTitle,
		SeasonID: l.SeasonID, Season: l.Season, Episode: l.Episode, AirDate: l.AirDate,
		Availability: windowsFromLine(l.Availability),
	}}, nil
}

// Encode writes one record as a JSON line, the inverse of Decoder.
func Encode(w io.Writer, rec Record) error {
	var l line
	switch {
	case rec.Work != nil:
		wk := rec.Work
		l = line{
			Type: typeNames[wk.Kind], ID: wk.ID, Title: wk.Title, ExternalIDs: wk.ExternalIDs, Synopsis: wk.Synopsis,
			Genres: wk.Genres, Actors: wk.Actors, Directors: wk.Directors, ReleaseYear: wk.ReleaseYear,
			ReleaseDate: wk.ReleaseDate, RuntimeMinutes: wk.RuntimeMinutes, Rank: wk.Rank, ContentRating: wk.ContentRating,
			ImageURL: wk.ImageURL, Original: wk.Original, SeriesID: wk.SeriesID, SeriesTitle: wk.SeriesTitle,
			SeasonID: wk.SeasonID, Season: wk.Season, Episode: wk.Episode, AirDate: wk.AirDate,
			Availability: windowsToLine(wk.Availability),
		}
	case rec.Channel != nil:
		c := rec.Channel
		l = line{Type: "channel", ID: c.ID, Name: c.Name, Number: c.Number, CallSign: c.CallSign,
			Affiliate: c.Affiliate, Genres: c.Genres, ImageURL: c.ImageURL, ExternalIDs: c.ExternalIDs,
			Schedule: airingsToLine(c.Schedule)}
	default:
		return errors.New("encode record: neither work nor channel")
	}
	b, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("encode record %s: %w", l.ID, err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
