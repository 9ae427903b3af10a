// The encoding/xml writer the hand-written encoder replaced: kept as the
// reference its output must equal, and for the benchmark.

package cdf

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// xmlWriter streams one CDF document: the root and Partner first, then one
// work at a time, then (for a linear catalog) stations and lineups. Only the
// element being written is in memory, so a catalog of any size costs the
// same. The element order follows the XSD: Works before LinearData, and
// stations before lineups. xml.Encoder flushes after every element, so give
// it a buffered writer.
type xmlWriter struct {
	w     io.Writer
	enc   *xml.Encoder
	state xmlWriterState
	err   error // sticky: after the first error every call returns it
}

type xmlWriterState int

const (
	xInWorks xmlWriterState = iota
	xInStations
	xInLineups
	xClosed
)

var errXMLClosed = errors.New("cdf writer is xClosed")

// newXMLWriter writes the XML declaration, <Catalog> with namespace and
// version, <Partner> and opens <Works>.
func newXMLWriter(w io.Writer, partner string) (*xmlWriter, error) {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return nil, fmt.Errorf("write cdf header: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	cw := &xmlWriter{w: w, enc: enc}
	cw.token(xml.StartElement{
		Name: xml.Name{Space: Namespace, Local: "Catalog"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "version"}, Value: Version}},
	})
	if cw.err == nil {
		cw.err = enc.EncodeElement(partner, xstart("Partner"))
	}
	cw.token(xstart("Works"))
	if cw.err != nil {
		return nil, fmt.Errorf("write cdf catalog start: %w", cw.err)
	}
	return cw, nil
}

// Movie writes one Movie work.
func (w *xmlWriter) Movie(m Movie) error { return w.work("Movie", m.ID, m) }

// Show writes one TvShow work.
func (w *xmlWriter) Show(s TvShow) error { return w.work("TvShow", s.ID, s) }

// Season writes one TvSeason work.
func (w *xmlWriter) Season(s TvSeason) error { return w.work("TvSeason", s.ID, s) }

// Episode writes one TvEpisode work.
func (w *xmlWriter) Episode(e TvEpisode) error { return w.work("TvEpisode", e.ID, e) }

func (w *xmlWriter) work(element, id string, v any) error {
	if w.err != nil {
		return w.err
	}
	if w.state != xInWorks {
		return fmt.Errorf("write %s %s: works must come before linear data", element, id)
	}
	if err := w.enc.EncodeElement(v, xstart(element)); err != nil {
		w.err = fmt.Errorf("write %s %s: %w", element, id, err)
	}
	return w.err
}

// Station writes one Station of the linear catalog; the first one closes
// Works and opens LinearData.
func (w *xmlWriter) Station(s Station) error {
	if w.err != nil {
		return w.err
	}
	switch w.state {
	case xInWorks:
		w.token(xend("Works"))
		w.token(xstart("LinearData"))
		w.state = xInStations
	case xInStations:
	default:
		return fmt.Errorf("write Station %s: stations must come before lineups", s.ID)
	}
	if w.err == nil {
		if err := w.enc.EncodeElement(s, xstart("Station")); err != nil {
			w.err = fmt.Errorf("write Station %s: %w", s.ID, err)
		}
	}
	return w.err
}

// Lineup writes one Lineup of the linear catalog.
func (w *xmlWriter) Lineup(l Lineup) error {
	if w.err != nil {
		return w.err
	}
	switch w.state {
	case xInWorks:
		w.token(xend("Works"))
		w.token(xstart("LinearData"))
	case xClosed:
		return errXMLClosed
	}
	w.state = xInLineups
	if w.err == nil {
		if err := w.enc.EncodeElement(l, xstart("Lineup")); err != nil {
			w.err = fmt.Errorf("write Lineup %s: %w", l.ID, err)
		}
	}
	return w.err
}

// Close ends the open elements and flushes. It does not close the
// underlying writer.
func (w *xmlWriter) Close() error {
	if w.err != nil {
		return w.err
	}
	switch w.state {
	case xInWorks:
		w.token(xend("Works"))
	case xInStations, xInLineups:
		w.token(xend("LinearData"))
	case xClosed:
		return errXMLClosed
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
	w.state = xClosed
	w.err = errXMLClosed
	return nil
}

func (w *xmlWriter) token(t xml.Token) {
	if w.err == nil {
		w.err = w.enc.EncodeToken(t)
	}
}

func xstart(local string) xml.StartElement { return xml.StartElement{Name: xml.Name{Local: local}} }

func xend(local string) xml.EndElement { return xml.EndElement{Name: xml.Name{Local: local}} }
