package cdf

import (
	"errors"
	"fmt"
	"io"
)

// Writer streams one CDF document: the root and Partner first, then one
// work at a time, then (for a linear catalog) stations and lineups. Only the
// element being written is in memory, so a catalog of any size costs the
// same. The element order follows the XSD: Works before LinearData, and
// stations before lineups. The output is what encoding/xml writes with
// Indent("", "  "); the encoding is hand-written (see encode.go). Writes go
// to w in blocks of about 64 KiB.
type Writer struct {
	w     io.Writer
	buf   []byte
	state writerState
	works int   // work elements written
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

const flushAt = 64 << 10

// Header is what every document starts with.
const Header = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// NewWriter writes the XML declaration, <Catalog> with namespace and
// version, <Partner> and opens <Works>.
func NewWriter(w io.Writer, partner string) (*Writer, error) {
	cw := &Writer{w: w, buf: make([]byte, 0, flushAt+16<<10)}
	cw.buf = append(cw.buf, Header...)
	cw.buf = append(cw.buf, `<Catalog xmlns="`+Namespace+`" version="`+Version+`">`...)
	cw.buf = leaf(cw.buf, 1, "Partner", partner)
	cw.buf = openTag(cw.buf, 1, "Works")
	if err := cw.flush(); err != nil {
		return nil, fmt.Errorf("write cdf catalog start: %w", err)
	}
	return cw, nil
}

// Movie writes one Movie work.
func (w *Writer) Movie(m Movie) error {
	return w.work("Movie", m.ID, func(b []byte) []byte { return AppendMovie(b, &m) })
}

// Show writes one TvShow work.
func (w *Writer) Show(s TvShow) error {
	return w.work("TvShow", s.ID, func(b []byte) []byte { return AppendShow(b, &s) })
}

// Season writes one TvSeason work.
func (w *Writer) Season(s TvSeason) error {
	return w.work("TvSeason", s.ID, func(b []byte) []byte { return AppendSeason(b, &s) })
}

// Episode writes one TvEpisode work.
func (w *Writer) Episode(e TvEpisode) error {
	return w.work("TvEpisode", e.ID, func(b []byte) []byte { return AppendEpisode(b, &e) })
}

// Encoded writes a work element made by one of the Append functions.
func (w *Writer) Encoded(element []byte) error {
	return w.work("work", "", func(b []byte) []byte { return append(b, element...) })
}

func (w *Writer) work(element, id string, appendTo func([]byte) []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.state != inWorks {
		return fmt.Errorf("write %s %s: works must come before linear data", element, id)
	}
	w.buf = appendTo(w.buf)
	w.works++
	if err := w.maybeFlush(); err != nil {
		return fmt.Errorf("write %s %s: %w", element, id, err)
	}
	return nil
}

// Station writes one Station of the linear catalog; the first one closes
// Works and opens LinearData.
func (w *Writer) Station(s Station) error {
	if w.err != nil {
		return w.err
	}
	switch w.state {
	case inWorks:
		w.endWorks()
		w.state = inStations
	case inStations:
	default:
		return fmt.Errorf("write Station %s: stations must come before lineups", s.ID)
	}
	w.buf = AppendStation(w.buf, &s)
	if err := w.maybeFlush(); err != nil {
		return fmt.Errorf("write Station %s: %w", s.ID, err)
	}
	return nil
}

// Lineup writes one Lineup of the linear catalog.
func (w *Writer) Lineup(l Lineup) error {
	if w.err != nil {
		return w.err
	}
	switch w.state {
	case inWorks:
		w.endWorks()
	case closed:
		return errClosed
	}
	w.state = inLineups
	w.buf = appendLineup(w.buf, &l)
	if err := w.maybeFlush(); err != nil {
		return fmt.Errorf("write Lineup %s: %w", l.ID, err)
	}
	return nil
}

// Close ends the open elements and flushes. It does not close the
// underlying writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	switch w.state {
	case inWorks:
		w.buf = closeParent(w.buf, 1, "Works", w.works)
	case inStations, inLineups:
		w.buf = closeTag(w.buf, 1, "LinearData")
	case closed:
		return errClosed
	}
	w.buf = append(w.buf, "\n</Catalog>\n"...)
	if err := w.flush(); err != nil {
		return fmt.Errorf("write cdf catalog end: %w", err)
	}
	w.state = closed
	w.err = errClosed
	return nil
}

func (w *Writer) endWorks() {
	w.buf = closeParent(w.buf, 1, "Works", w.works)
	w.buf = openTag(w.buf, 1, "LinearData")
}

func (w *Writer) maybeFlush() error {
	if len(w.buf) < flushAt {
		return nil
	}
	return w.flush()
}

func (w *Writer) flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	if _, err := w.w.Write(w.buf); err != nil {
		w.err = err
		return err
	}
	w.buf = w.buf[:0]
	return nil
}

// DateTime turns a date (YYYY-MM-DD) into the xsd:dateTime CDF expects for
// ReleaseDate and OriginalAirDate; Amazon asks for T00:00:00 when the time
// is unknown. An empty date stays empty.
func DateTime(date string) string {
	if date == "" {
		return ""
	}
	return date + "T00:00:00"
}
