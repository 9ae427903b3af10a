package ingest

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"livingroom/internal/cdf"
)

// Read reads one CDF document (works, linear data or both) into a catalog.
func Read(ctx context.Context, r io.Reader) (*Catalog, error) {
	b := newBuilder()
	if err := b.read(ctx, r); err != nil {
		return nil, err
	}
	return b.finish()
}

// read walks the document token by token and decodes one work, station or
// broadcast at a time, so memory follows the index, not the file.
func (b *builder) read(ctx context.Context, r io.Reader) error {
	d := xml.NewDecoder(r)
	var open []string // names of the elements we are inside
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("read catalog: %w", err)
			}
		}
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if len(open) == 0 {
				return errors.New("not a CDF catalog: no Catalog element")
			}
			return fmt.Errorf("unexpected end of file inside <%s>", open[len(open)-1])
		}
		if err != nil {
			return err // xml.SyntaxError names the line
		}
		switch t := tok.(type) {
		case xml.EndElement:
			open = open[:len(open)-1]
			if len(open) == 0 {
				return nil // anything after the root is ignored
			}
		case xml.StartElement:
			if len(open) == 0 && t.Name.Local != "Catalog" {
				return fmt.Errorf("not a CDF catalog: root element <%s>, want <Catalog xmlns=%q>", t.Name.Local, cdf.Namespace)
			}
			parent := ""
			if len(open) > 0 {
				parent = open[len(open)-1]
			}
			line, _ := d.InputPos()
			consumed, err := b.element(d, &t, parent, line)
			if err != nil {
				return err
			}
			if !consumed {
				open = append(open, t.Name.Local)
			}
		}
	}
}

// element handles one start tag. It reports whether it consumed the whole
// element; if not, the walk descends into it.
func (b *builder) element(d *xml.Decoder, t *xml.StartElement, parent string, line int) (bool, error) {
	name := t.Name.Local
	switch parent {
	case "Works":
		b.counts.Works++
		switch name {
		case "Movie":
			b.counts.Movies++
		case "TvShow":
			b.counts.Shows++
		case "TvSeason":
			b.counts.Seasons++
		case "TvEpisode":
			b.counts.Episodes++
		}
		var w workDoc
		if err := d.DecodeElement(&w, t); err != nil {
			return true, fmt.Errorf("line %d: %s: %w", line, name, err)
		}
		// Extras, specials and mini-series are validated and counted but
		// not resolved by title here.
		b.addWorkDoc(name, t.Attr, w, line)
		return true, nil
	case "LinearData":
		switch name {
		case "Station":
			var s cdf.Station
			if err := d.DecodeElement(&s, t); err != nil {
				return true, fmt.Errorf("line %d: Station: %w", line, err)
			}
			b.addStation(s, line)
			return true, nil
		case "Lineup":
			return false, nil // descend to its broadcasts
		default:
			// ScheduleDay and friends: the simulator has no programme guide.
			return true, skip(d, name, line)
		}
	case "Broadcasts":
		if name == "Broadcast" {
			var bc cdf.Broadcast
			if err := d.DecodeElement(&bc, t); err != nil {
				return true, fmt.Errorf("line %d: Broadcast: %w", line, err)
			}
			b.addNumber(strings.TrimSpace(bc.StationReference), strings.TrimSpace(bc.Channel))
			return true, nil
		}
	}
	return false, nil
}

func skip(d *xml.Decoder, name string, line int) error {
	if err := d.Skip(); err != nil {
		return fmt.Errorf("line %d: %s: %w", line, name, err)
	}
	return nil
}

func (b *builder) addStation(s cdf.Station, line int) {
	s.ID = strings.TrimSpace(s.ID)
	if s.ID == "" {
		b.skip("Station", "Station without ID", line)
		return
	}
	titles := preferLocale(s.Titles)
	ch := Channel{ID: s.ID}
	for _, cs := range s.CallSigns {
		if cs = strings.TrimSpace(cs); cs != "" {
			ch.CallSigns = append(ch.CallSigns, cs)
		}
	}
	if len(titles) > 0 {
		ch.Name = titles[0]
	}
	if ch.Name == "" && len(s.CallSigns) > 0 {
		ch.Name = s.CallSigns[0]
	}
	b.addChannel(ch)
}

// preferLocale lists title values with en-US ones first, since that is the
// locale alexa-sim speaks; the first value becomes the display title.
func preferLocale(titles []cdf.Localized) []string {
	out := make([]string, 0, len(titles))
	for _, t := range titles {
		if t.Locale == "en-US" {
			out = append(out, strings.TrimSpace(t.Value))
		}
	}
	for _, t := range titles {
		if t.Locale != "en-US" {
			out = append(out, strings.TrimSpace(t.Value))
		}
	}
	return out
}
