package cdf

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// Writer streams one CDF document: the root and Partner first, then one
// work at a time, then (for a linear catalog) stations and lineups. Only the
// element being written is in memory, so a catalog of any size costs the
// same. The element order follows the XSD: Works before LinearData, and
// stations before lineups. xml.Encoder flushes after every element, so give
// it a buffered writer.
type Writer struct {
	w     io.Writer
	enc   *xml.Encoder
	state writerState
	err   error // sticky: after the first error every call returns it
}

type writerState int

const (
	inWorks writerState = iota
	inStations
	inLineups
	closed
)

var errClosed = errors.New("cdf writer is closed")

// NewWriter writes the XML declaration, <Catalog> with namespace and
// version, <Partner> and opens <Works>.
func NewWriter(w io.Writer, partner string) (*Writer, error) {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return nil, fmt.Errorf("write cdf header: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	cw := &Writer{w: w, enc: enc}
	cw.token(xml.StartElement{
		Name: xml.Name{Space: Namespace, Local: "Catalog"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "version"}, Value: Version}},
	})
	if cw.err == nil {
		cw.err = enc.EncodeElement(partner, start("Partner"))
	}
	cw.token(start("Works"))
	if cw.err != nil {
		return nil, fmt.Errorf("write cdf catalog start: %w", cw.err)
	}
	return cw, nil
}

// Movie writes one Movie work.
func (w *Writer) Movie(m Movie) error { return w.work("Movie", m.ID, m) }

// Show writes one TvShow work.
func (w *Writer) Show(s TvShow) error { return w.work("TvShow", s.ID, s) }

// Season writes one TvSeason work.
func (w *Writer) Season(s TvSeason) error { return w.work("TvSeason", s.ID, s) }

// Episode writes one TvEpisode work.
func (w *Writer) Episode(e TvEpisode) error { return w.work("TvEpisode", e.ID, e) }

func (w *Writer) work(element, id string, v any) error {
	if w.err != nil {
		return w.err
	}
	if w.state != inWorks {
		return fmt.Errorf("write %s %s: works must come before linear data", element, id)
	}
	if err := w.enc.EncodeElement(v, start(element)); err != nil {
		w.err = fmt.Errorf("write %s %s: %w", element, id, err)
	}
	return w.err
}

// Station writes one Station of the linear catalog; the first one closes
// Works and opens LinearData.
func (w *Writer) Station(s Station) error {
	if w.err != nil {
		return w.err
	}
	switch w.state {
	case inWorks:
		w.token(end("Works"))
		w.token(start("LinearData"))
		w.state = inStations
	case inStations:
	default:
		return fmt.Errorf("write Station %s: stations must come before lineups", s.ID)
	}
	if w.err == nil {
		if err := w.enc.EncodeElement(s, start("Station")); err != nil {
			w.err = fmt.Errorf("write Station %s: %w", s.ID, err)
		}
	}
	return w.err
}

// Lineup writes one Lineup of the linear catalog.
func (w *Writer) Lineup(l Lineup) error {
	if w.err != nil {
		return w.err
	}
	switch w.state {
	case inWorks:
		w.token(end("Works"))
		w.token(start("LinearData"))
	case closed:
		return errClosed
	}
	w.state = inLineups
	if w.err == nil {
		if err := w.enc.EncodeElement(l, start("Lineup")); err != nil {
			w.err = fmt.Errorf("write Lineup %s: %w", l.ID, err)
		}
	}
	return w.err
}

// Close ends the open elements and flushes. It does not close the
// underlying writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	switch w.state {
	case inWorks:
		w.token(end("Works"))
	case inStations, inLineups:
		w.token(end("LinearData"))
	case closed:
		return errClosed
	}
	w.token(xml.EndElement{Name: xml.Name{Space: Namespace, Local: "Catalog"}})
	if w.err == nil {
		w.err = w.enc.Close()
	}
	if w.err == nil {
		_, w.err = io.WriteString(w.w, "\n")
	}
	if w.err != nil {
		return fmt.Errorf("write cdf catalog end: %w", w.err)
	}
	w.state = closed
	w.err = errClosed
	return nil
}

func (w *Writer) token(t xml.Token) {
	if w.err == nil {
		w.err = w.enc.EncodeToken(t)
	}
}

func start(local string) xml.StartElement { return xml.StartElement{Name: xml.Name{Local: local}} }

func end(local string) xml.EndElement { return xml.EndElement{Name: xml.Name{Local: local}} }

// DateTime turns a date (YYYY-MM-DD) into the xsd:dateTime CDF expects for
// ReleaseDate and OriginalAirDate; Amazon asks for T00:00:00 when the time
// is unknown. An empty date stays empty.
func DateTime(date string) string {
	if date == "" {
		return ""
	}
	return date + "T00:00:00"
}
