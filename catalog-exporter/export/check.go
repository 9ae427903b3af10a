package export

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"livingroom/catalog-exporter/source"
	"livingroom/internal/catalog"
)

// Severity of a problem.
type Severity string

// Errors leave the work out (or, with Strict, refuse the catalog);
// warnings are reported and the work is exported.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Problem is one finding about one field of one record.
type Problem struct {
	Severity Severity `json:"severity"`
	Line     int      `json:"line,omitempty"` // in the source, when it has lines
	ID       string   `json:"id,omitempty"`
	Field    string   `json:"field"`
	Message  string   `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(string(p.Severity))
	if p.Line > 0 {
		fmt.Fprintf(&b, ": line %d", p.Line)
	}
	id := p.ID
	if id == "" {
		id = "(no id)"
	}
	fmt.Fprintf(&b, ": %s: field %q: %s", id, p.Field, p.Message)
	return b.String()
}

// MaxChannels bounds the live channels of one catalog: they are kept in
// memory to write the lineup.
const MaxChannels = 10_000

// checker validates the catalog in two passes over the id-ordered source.
// The first checks every record on its own and collects what references
// need: the valid series (with their titles) and seasons, the channels.
// Between the passes seasons are checked against their series. The second
// pass checks episodes against their seasons. Both passes see duplicates
// side by side, since the source is in id order; the first record of an id
// wins.
type checker struct {
	report   func(Problem)
	errors   int
	warnings int

	invalid map[string]struct{} // ids rejected in the first pass
	series  map[string]string   // valid series id → title
	seasons map[string]*seasonInfo
	order   []string // season ids in id order, for deterministic reports

	channels  []catalog.Channel
	numbers   map[string]string // channel number → channel id
	callSigns map[string]string // upper-case call sign → channel id

	prevID string // the id of the previous record of the walk
	works  int    // works accepted by the first pass
}

type seasonInfo struct {
	seriesID string
	number   int
	line     int
	episodes bitset
}

func newChecker(report func(Problem)) *checker {
	return &checker{
		report: report, invalid: map[string]struct{}{}, series: map[string]string{}, seasons: map[string]*seasonInfo{},
		numbers: map[string]string{}, callSigns: map[string]string{},
	}
}

func (c *checker) problem(sev Severity, line int, id, field, msg string) {
	if sev == SeverityError {
		c.errors++
	} else {
		c.warnings++
	}
	if c.report != nil {
		c.report(Problem{Severity: sev, Line: line, ID: id, Field: field, Message: msg})
	}
}

func (c *checker) fieldErrors(sev Severity, line int, fes catalog.FieldErrors) {
	for _, fe := range fes {
		c.problem(sev, line, fe.ID, fe.Field, fe.Msg)
	}
}

// duplicate tells whether the record repeats the id of the one before.
func (c *checker) duplicate(id string) bool {
	dup := id != "" && id == c.prevID
	c.prevID = id
	return dup
}

// first is the first pass over one record.
func (c *checker) first(rec source.Record) {
	if rec.Err != nil {
		var fe *catalog.FieldError
		if errors.As(rec.Err, &fe) {
			c.problem(SeverityError, rec.Line, fe.ID, fe.Field, fe.Msg)
		} else {
			c.problem(SeverityError, rec.Line, "", "record", rec.Err.Error())
		}
		return
	}
	if c.duplicate(rec.ID()) {
		c.problem(SeverityError, rec.Line, rec.ID(), "id", "duplicate id: an earlier line has it")
		return
	}
	if rec.Channel != nil {
		c.channel(rec.Line, *rec.Channel)
		return
	}
	w := rec.Work
	if err := w.Validate(); err != nil {
		c.fieldErrors(SeverityError, rec.Line, asFieldErrors(w.ID, err))
		c.invalid[w.ID] = struct{}{}
		return
	}
	c.fieldErrors(SeverityWarning, rec.Line, w.Warnings())
	c.works++
	switch w.Kind {
	case catalog.Series:
		c.series[w.ID] = w.Title
	case catalog.Season:
		c.seasons[w.ID] = &seasonInfo{seriesID: w.SeriesID, number: w.Season, line: rec.Line}
		c.order = append(c.order, w.ID)
	}
}

// between checks the seasons against their series, once the first pass has
// seen every series.
func (c *checker) between() {
	taken := map[string]string{} // series id + season number → season id
	for _, id := range c.order {
		s := c.seasons[id]
		bad := func(field, msg string) {
			c.problem(SeverityError, s.line, id, field, msg)
			delete(c.seasons, id)
			c.invalid[id] = struct{}{}
			c.works--
		}
		key := fmt.Sprintf("%s#%d", s.seriesID, s.number)
		if _, ok := c.series[s.seriesID]; !ok {
			bad("seriesId", fmt.Sprintf("series %q not found or not valid", s.seriesID))
		} else if other, ok := taken[key]; ok {
			bad("season", fmt.Sprintf("series %q already has a season %d (%s)", s.seriesID, s.number, other))
		} else {
			taken[key] = id
		}
	}
	c.order = nil
	c.prevID = ""
}

// second is the second pass over one record: it returns the work to export
// (with SeriesTitle filled from its series), or nil.
func (c *checker) second(rec source.Record) *catalog.Work {
	if rec.Err != nil || c.duplicate(rec.ID()) || rec.Work == nil {
		return nil
	}
	w := rec.Work
	if _, bad := c.invalid[w.ID]; bad {
		return nil
	}
	if w.Kind == catalog.Episode {
		s := c.seasons[w.SeasonID]
		msg, field := "", "seasonId"
		switch {
		case s == nil:
			msg = fmt.Sprintf("season %q not found or not valid", w.SeasonID)
		case s.seriesID != w.SeriesID:
			msg = fmt.Sprintf("season %q belongs to series %q, not %q", w.SeasonID, s.seriesID, w.SeriesID)
		case s.number != w.Season:
			field, msg = "season", fmt.Sprintf("is %d but season %q is number %d", w.Season, w.SeasonID, s.number)
		case s.episodes.has(w.Episode):
			field, msg = "episode", fmt.Sprintf("season %q already has an episode %d", w.SeasonID, w.Episode)
		}
		if msg != "" {
			c.problem(SeverityError, rec.Line, w.ID, field, msg)
			c.works--
			return nil
		}
		s.episodes.set(w.Episode)
	}
	if w.SeriesTitle == "" && w.SeriesID != "" {
		w.SeriesTitle = c.series[w.SeriesID]
	}
	return w
}

// channel checks one channel: unique number and call sign.
func (c *checker) channel(line int, ch catalog.Channel) {
	fes := asFieldErrors(ch.ID, ch.Validate())
	bad := func(field, format string, args ...any) {
		fes = append(fes, &catalog.FieldError{ID: ch.ID, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if other, ok := c.numbers[ch.Number]; ok && ch.Number != "" {
		bad("number", "channel %q already has number %s", other, ch.Number)
	}
	sign := strings.ToUpper(ch.CallSign)
	if other, ok := c.callSigns[sign]; ok && sign != "" {
		bad("callSign", "channel %q already has call sign %s", other, ch.CallSign)
	}
	if len(c.channels) >= MaxChannels {
		bad("id", "more than %d channels", MaxChannels)
	}
	if len(fes) > 0 {
		c.fieldErrors(SeverityError, line, fes)
		return
	}
	if ch.Number != "" {
		c.numbers[ch.Number] = ch.ID
	}
	if sign != "" {
		c.callSigns[sign] = ch.ID
	}
	c.channels = append(c.channels, ch)
}

func asFieldErrors(id string, err error) catalog.FieldErrors {
	if err == nil {
		return nil
	}
	if fes, ok := err.(catalog.FieldErrors); ok {
		return slices.Clone(fes)
	}
	return catalog.FieldErrors{{ID: id, Field: "record", Msg: err.Error()}}
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
