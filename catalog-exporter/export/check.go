package export

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"livingroom/internal/catalog"
)

// checker validates a stream of records against each other: unique ids,
// parents present (and before their children), no two episodes at the same
// position. It keeps the accepted series and seasons, never the works; of
// the ids it keeps only those a first pass found may repeat (suspects).
type checker struct {
	suspects  map[string]struct{} // nil: every id may repeat
	seen      map[string]struct{} // accepted ids among the suspects
	series    map[string]*seriesInfo
	seasons   map[string]*seasonInfo
	numbers   map[string]string // channel number → channel id
	callSigns map[string]string // upper-case call sign → channel id
}

type seriesInfo struct {
	title   string
	seasons bitset // season numbers in use
}

type seasonInfo struct {
	seriesID string
	number   int
	episodes bitset // episode numbers in use
}

// newChecker checks for duplicates among suspects only; nil suspects
// means all ids.
func newChecker(suspects map[string]struct{}) *checker {
	return &checker{
		suspects:  suspects,
		seen:      map[string]struct{}{},
		series:    map[string]*seriesInfo{},
		seasons:   map[string]*seasonInfo{},
		numbers:   map[string]string{},
		callSigns: map[string]string{},
	}
}

// work checks one work and, when it is accepted, remembers it and returns
// it with SeriesTitle filled from its series.
func (c *checker) work(w catalog.Work) (catalog.Work, error) {
	errs := fieldErrors(w.Validate())
	bad := func(field, format string, args ...any) {
		// One problem per field: a season that is not a number needs no
		// second message saying it does not match.
		if !slices.ContainsFunc(errs, func(fe *catalog.FieldError) bool { return fe.Field == field }) {
			errs = append(errs, &catalog.FieldError{ID: w.ID, Field: field, Msg: fmt.Sprintf(format, args...)})
		}
	}
	if c.duplicate(w.ID) {
		bad("id", "duplicate id: an earlier record has it")
	}
	var parent *seriesInfo
	if w.Kind == catalog.Season || w.Kind == catalog.Episode {
		if parent = c.series[w.SeriesID]; parent == nil && w.SeriesID != "" {
			bad("seriesId", "series %q not found: it must come earlier in the source and be valid", w.SeriesID)
		}
	}
	var season *seasonInfo
	switch w.Kind {
	case catalog.Season:
		if parent != nil && parent.seasons.has(w.Season) {
			bad("season", "series %q already has a season %d", w.SeriesID, w.Season)
		}
	case catalog.Episode:
		if season = c.seasons[w.SeasonID]; season == nil && w.SeasonID != "" {
			bad("seasonId", "season %q not found: it must come earlier in the source and be valid", w.SeasonID)
		}
		switch {
		case season == nil:
		case season.seriesID != w.SeriesID:
			bad("seasonId", "season %q belongs to series %q, not %q", w.SeasonID, season.seriesID, w.SeriesID)
		case season.number != w.Season:
			bad("season", "is %d but season %q is number %d", w.Season, w.SeasonID, season.number)
		case season.episodes.has(w.Episode):
			bad("episode", "season %q already has an episode %d", w.SeasonID, w.Episode)
		}
	}
	if len(errs) > 0 {
		return w, errs
	}

	c.accept(w.ID)
	switch w.Kind {
	case catalog.Series:
		c.series[w.ID] = &seriesInfo{title: w.Title}
	case catalog.Season:
		parent.seasons.set(w.Season)
		c.seasons[w.ID] = &seasonInfo{seriesID: w.SeriesID, number: w.Season}
	case catalog.Episode:
		season.episodes.set(w.Episode)
	}
	if parent != nil && w.SeriesTitle == "" {
		w.SeriesTitle = parent.title
	}
	return w, nil
}

// channel checks one channel: unique id, number and call sign.
func (c *checker) channel(ch catalog.Channel) error {
	errs := fieldErrors(ch.Validate())
	bad := func(field, format string, args ...any) {
		errs = append(errs, &catalog.FieldError{ID: ch.ID, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if c.duplicate(ch.ID) {
		bad("id", "duplicate id: an earlier record has it")
	}
	if other, ok := c.numbers[ch.Number]; ok && ch.Number != "" {
		bad("number", "channel %q already has number %s", other, ch.Number)
	}
	sign := strings.ToUpper(ch.CallSign)
	if other, ok := c.callSigns[sign]; ok && sign != "" {
		bad("callSign", "channel %q already has call sign %s", other, ch.CallSign)
	}
	if len(errs) > 0 {
		return errs
	}
	c.accept(ch.ID)
	if ch.Number != "" {
		c.numbers[ch.Number] = ch.ID
	}
	if sign != "" {
		c.callSigns[sign] = ch.ID
	}
	return nil
}

// fieldErrors returns the field errors of a Validate result, so that more
// can be appended.
func fieldErrors(err error) catalog.FieldErrors {
	var fes catalog.FieldErrors
	if err != nil && !errors.As(err, &fes) {
		fes = catalog.FieldErrors{{Field: "record", Msg: err.Error()}}
	}
	return slices.Clone(fes)
}

func (c *checker) suspect(id string) bool {
	if c.suspects == nil {
		return true
	}
	_, ok := c.suspects[id]
	return ok
}

func (c *checker) duplicate(id string) bool {
	if id == "" || !c.suspect(id) {
		return false
	}
	_, ok := c.seen[id]
	return ok
}

func (c *checker) accept(id string) {
	if c.suspect(id) {
		c.seen[id] = struct{}{}
	}
}

// bitset marks small positive numbers (season and episode numbers ≤ 9999).
type bitset []uint64

func (b bitset) has(n int) bool {
	i := n / 64
	return n >= 0 && i < len(b) && b[i]&(1<<(n%64)) != 0
}

func (b *bitset) set(n int) {
	i := n / 64
	for len(*b) <= i {
		*b = append(*b, 0)
	}
	(*b)[i] |= 1 << (n % 64)
}
