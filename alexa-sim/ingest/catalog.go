// Package ingest is alexa-sim's copy of the partner catalog, as Alexa keeps
// one after ingesting the CDF feed: movies and shows by spoken title, live
// channels by number, call sign and name. It reads CDF files as a stream so
// a large catalog never sits in memory as XML.
package ingest

import (
	"fmt"
	"slices"
	"strings"

	"livingroom/internal/catalog"
)

// Kind is the media type of a work, spelled as Alexa's MediaType entity.
type Kind string

// The kinds of work the title index holds.
const (
	Movie  Kind = "MOVIE"
	TVShow Kind = "TV_SHOW"
)

// Work is a title Alexa can resolve: a movie or a show, with its CDF ID.
type Work struct {
	ID    string
	Title string
	Kind  Kind
}

// Channel is a live channel from the linear catalog.
type Channel struct {
	ID        string
	Name      string
	CallSigns []string
	Number    string
}

// Counts summarises a catalog. Works counts every work element in the feed
// (movies, shows, seasons, episodes, and kinds alexa-sim does not index).
type Counts struct {
	Works    int `json:"works"`
	Movies   int `json:"movies"`
	Shows    int `json:"shows"`
	Seasons  int `json:"seasons"`
	Episodes int `json:"episodes"`
	Channels int `json:"channels"`
	Skipped  int `json:"skipped"`
}

// Catalog is an immutable, ingested catalog; safe for concurrent readers.
// The zero value is an empty catalog.
type Catalog struct {
	byTitle    map[string][]Work // NormalizeTitle(title) → works, in feed order
	channels   []Channel
	byNumber   map[string]int // → index in channels
	byCallSign map[string]int // upper case
	byName     map[string]int // NormalizeTitle(name)
	counts     Counts
	works      map[string]workMeta // work ID → kind and content hash, for Diff
	// Missing lists the catalog files that were not found.
	Missing []string
	// Problems describes the first few items that were skipped.
	Problems []string
	// Errors and Warnings are the first issues found, by work id (at most
	// maxIssues each); a catalog with errors is rejected (ValidationError).
	Errors, Warnings         []Issue
	ErrorCount, WarningCount int
	// Files names the first files read (at most maxFiles), FileCount all.
	Files     []string
	FileCount int
}

// New builds a catalog from works and channels (tests and small feeds).
func New(works []Work, channels []Channel) *Catalog {
	b := newBuilder()
	for _, w := range works {
		b.addWork(w)
		b.works[w.ID] = workMeta{hash: hashOf(string(w.Kind), w.Title)}
		switch w.Kind {
		case Movie:
			b.counts.Movies++
		case TVShow:
			b.counts.Shows++
		}
		b.counts.Works++
	}
	for _, c := range channels {
		b.addChannel(c)
	}
	return b.build()
}

// Counts reports the size of the catalog.
func (c *Catalog) Counts() Counts {
	if c == nil {
		return Counts{}
	}
	return c.counts
}

// FindTitle resolves a spoken phrase to the works of one title: the title
// equal to the phrase once normalised, otherwise the longest catalog title
// contained in the phrase on word boundaries (earliest on a tie). Several
// works can share a title (a movie and a show); they come in feed order.
func (c *Catalog) FindTitle(phrase string) []Work {
	if c == nil || len(c.byTitle) == 0 {
		return nil
	}
	norm := catalog.NormalizeTitle(phrase)
	if works, ok := c.byTitle[norm]; ok {
		return works
	}
	// Looking up every run of words costs O(words²) map lookups, however
	// large the catalog is; utterances are short.
	words := strings.Fields(norm)
	var best []Work
	bestLen := 0
	for i := range words {
		for j := i + 1; j <= len(words); j++ {
			key := catalog.NormalizeTitle(strings.Join(words[i:j], " "))
			if len(key) <= bestLen {
				continue
			}
			if works, ok := c.byTitle[key]; ok {
				best, bestLen = works, len(key)
			}
		}
	}
	return best
}

// Works lists the indexed works, those sharing a title together and in
// feed order, for indexes built on top of the catalog (alexa-sim's language
// layer).
func (c *Catalog) Works() []Work {
	if c == nil {
		return nil
	}
	titles := make([]string, 0, len(c.byTitle))
	for t := range c.byTitle {
		titles = append(titles, t)
	}
	slices.Sort(titles)
	var out []Work
	for _, t := range titles {
		out = append(out, c.byTitle[t]...)
	}
	return out
}

// FindChannel resolves a channel by number, call sign or name, in that order.
func (c *Catalog) FindChannel(ref string) (Channel, bool) {
	if c == nil {
		return Channel{}, false
	}
	ref = strings.TrimSpace(ref)
	for _, lookup := range []struct {
		index map[string]int
		key   string
	}{
		{c.byNumber, ref},
		{c.byCallSign, strings.ToUpper(ref)},
		{c.byName, catalog.NormalizeTitle(ref)},
	} {
		if i, ok := lookup.index[lookup.key]; ok && lookup.key != "" {
			return c.channels[i], true
		}
	}
	return Channel{}, false
}

// Channels lists the channels in feed order.
func (c *Catalog) Channels() []Channel {
	if c == nil {
		return nil
	}
	return append([]Channel(nil), c.channels...)
}

// maxProblems bounds how many skipped items are described.
const maxProblems = 10

// builder accumulates a catalog while a feed is read.
type builder struct {
	byTitle  map[string][]Work
	channels []Channel
	// numbers maps station ID → channel number; broadcasts may come before
	// or after their station, so numbers are joined in build.
	numbers  map[string]string
	counts   Counts
	problems []string
	missing  []string
	root     string // directory the files are read from, for error messages
	file     string // the file being read, for issues
	works    map[string]workMeta
	refs     []workRef
	parents  []string // shows and seasons, in feed order
	issues   issues
	files    []string
	nfiles   int
}

func newBuilder() *builder {
	return &builder{byTitle: map[string][]Work{}, numbers: map[string]string{}, works: map[string]workMeta{}}
}

func (b *builder) addWork(w Work) {
	key := catalog.NormalizeTitle(w.Title)
	if key == "" {
		return
	}
	for _, existing := range b.byTitle[key] {
		if existing.ID == w.ID {
			return // the same work under another locale's spelling
		}
	}
	b.byTitle[key] = append(b.byTitle[key], w)
}

func (b *builder) addChannel(c Channel) {
	b.channels = append(b.channels, c)
	b.counts.Channels++
}

func (b *builder) addNumber(stationID, number string) {
	if _, ok := b.numbers[stationID]; !ok && number != "" {
		b.numbers[stationID] = number // the first lineup wins
	}
}

// skip drops an item that is not a work (a station without ID) with a
// warning.
func (b *builder) skip(typ, problem string, line int) {
	b.counts.Skipped++
	if len(b.problems) < maxProblems {
		b.problems = append(b.problems, fmt.Sprintf("line %d: %s", line, problem))
	}
	b.warn(Issue{Type: typ, Line: line, Message: problem + "; skipped"})
}

func (b *builder) build() *Catalog {
	c := &Catalog{
		byTitle:    b.byTitle,
		channels:   b.channels,
		byNumber:   map[string]int{},
		byCallSign: map[string]int{},
		byName:     map[string]int{},
		counts:     b.counts,
		works:      b.works,
		Missing:    b.missing,
		Problems:   b.problems,
		Errors:     b.issues.errors, Warnings: b.issues.warnings,
		ErrorCount: b.issues.nerrors, WarningCount: b.issues.nwarnings,
		Files: b.files, FileCount: b.nfiles,
	}
	for i := range c.channels {
		ch := &c.channels[i]
		if ch.Number == "" {
			ch.Number = b.numbers[ch.ID]
		}
		// First definition wins so lookups are stable across reloads.
		setOnce(c.byNumber, ch.Number, i)
		for _, cs := range ch.CallSigns {
			setOnce(c.byCallSign, strings.ToUpper(cs), i)
		}
		setOnce(c.byName, catalog.NormalizeTitle(ch.Name), i)
	}
	return c
}

func setOnce(m map[string]int, key string, i int) {
	if _, ok := m[key]; !ok && key != "" {
		m[key] = i
	}
}
