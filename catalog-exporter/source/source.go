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

	// channels
	Name      string `json:"name,omitempty"`
	Number    string `json:"number,omitempty"`
	CallSign  string `json:"callSign,omitempty"`
	Affiliate string `json:"affiliate,omitempty"`
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
			Genres: l.Genres, ImageURL: l.ImageURL, ExternalIDs: l.ExternalIDs,
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
		}
	case rec.Channel != nil:
		c := rec.Channel
		l = line{Type: "channel", ID: c.ID, Name: c.Name, Number: c.Number, CallSign: c.CallSign,
			Affiliate: c.Affiliate, Genres: c.Genres, ImageURL: c.ImageURL, ExternalIDs: c.ExternalIDs}
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

// ScanIDs calls fn with the id of every line, reading only that field, and
// stops at the first error fn returns. A line that is not a record is
// passed over: Decoder reports it.
func ScanIDs(r io.Reader, fn func(id string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLine)
	var rec struct {
		ID string `json:"id"`
	}
	for sc.Scan() {
		rec.ID = ""
		if json.Unmarshal(sc.Bytes(), &rec) != nil || rec.ID == "" {
			continue
		}
		if err := fn(rec.ID); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("scan source ids: %w", err)
	}
	return nil
}
