package ingest

import (
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"strings"

	"livingroom/internal/cdf"
)

// Issue is one error or warning of an ingestion, by work id, as Amazon's
// ingestion report lists them.
type Issue struct {
	WorkID  string `json:"workId,omitempty"`
	Type    string `json:"type,omitempty"` // the element: Movie, TvEpisode, Station…
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

func (i Issue) String() string {
	var b strings.Builder
	if i.File != "" {
		b.WriteString(i.File)
		if i.Line > 0 {
			fmt.Fprintf(&b, ":%d", i.Line)
		}
		b.WriteString(": ")
	} else if i.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", i.Line)
	}
	if i.Type != "" {
		b.WriteString(i.Type + " ")
	}
	if i.WorkID != "" {
		b.WriteString(i.WorkID + " ")
	}
	b.WriteString(i.Message)
	return b.String()
}

// maxIssues bounds the errors and the warnings kept of one ingestion (all
// are counted).
const maxIssues = 100

// maxFiles bounds the file names kept of one ingestion (all are counted).
const maxFiles = 20

type issues struct {
	errors, warnings   []Issue
	nerrors, nwarnings int
}

func (b *builder) fail(i Issue) {
	if i.File == "" {
		i.File = b.file
	}
	b.issues.nerrors++
	if len(b.issues.errors) < maxIssues {
		b.issues.errors = append(b.issues.errors, i)
	}
}

func (b *builder) warn(i Issue) {
	if i.File == "" {
		i.File = b.file
	}
	b.issues.nwarnings++
	if len(b.issues.warnings) < maxIssues {
		b.issues.warnings = append(b.issues.warnings, i)
	}
}

// opened notes a file read.
func (b *builder) opened(name string) {
	b.file = name
	b.nfiles++
	if len(b.files) < maxFiles {
		b.files = append(b.files, name)
	}
}

// workMeta is what is kept of every work, indexed or not: enough to tell
// added, removed, updated and unchanged works apart between ingestions and
// to check references.
type workMeta struct {
	hash uint64
	kind workKind
	// children counts the seasons of a show and the episodes of a season
	// or show (saturating), for the "without episodes" warnings.
	children uint8
}

type workKind uint8

const (
	kindOther workKind = iota
	kindMovie
	kindShow
	kindSeason
	kindEpisode
)

func kindOf(element string) workKind {
	switch element {
	case "Movie":
		return kindMovie
	case "TvShow":
		return kindShow
	case "TvSeason":
		return kindSeason
	case "TvEpisode":
		return kindEpisode
	}
	return kindOther
}

// workRef is a season's or episode's reference to its show and season,
// checked once every page has been read (they may come in any order).
type workRef struct {
	id, show, season, file string
	kind                   workKind
	line                   int
}

// workDoc is what ingestion reads of any work element; Inner is the raw
// element, hashed to tell an updated work from an unchanged one.
type workDoc struct {
	ID               string          `xml:"ID"`
	Titles           []cdf.Localized `xml:"Title"`
	ShortDescription []cdf.Localized `xml:"ShortDescription"`
	ShowID           string          `xml:"ShowID"`
	SeasonID         string          `xml:"SeasonID"`
	Inner            []byte          `xml:",innerxml"`
}

func hashOf(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// addWorkDoc validates one CDF work as Amazon's ingestion does (its error
// and warning messages) and indexes movies and shows by title.
func (b *builder) addWorkDoc(element string, attrs []xml.Attr, w workDoc, line int) {
	id := strings.TrimSpace(w.ID)
	if id == "" {
		b.fail(Issue{Type: element, Line: line, Message: "ID is required and cannot be blank"})
		return
	}
	h := fnv.New64a()
	h.Write([]byte(element))
	for _, a := range attrs {
		fmt.Fprintf(h, " %s=%q", a.Name.Local, a.Value)
	}
	h.Write(w.Inner)
	kind := kindOf(element)
	if _, dup := b.works[id]; dup {
		b.fail(Issue{WorkID: id, Type: element, Line: line, Message: "ID is not unique"})
		return
	}
	b.works[id] = workMeta{hash: h.Sum64(), kind: kind}
	if kind == kindShow || kind == kindSeason {
		b.parents = append(b.parents, id)
	}
	titles := preferLocale(w.Titles)
	if len(titles) == 0 || titles[0] == "" {
		b.fail(Issue{WorkID: id, Type: element, Line: line, Message: "Title is required and cannot be blank"})
		return
	}
	if !hasLocale(w.Titles, "en-US") {
		b.warn(Issue{WorkID: id, Type: element, Line: line, Message: "no en-US Title; the first Title is spoken"})
	}
	for _, d := range w.ShortDescription {
		if strings.TrimSpace(d.Value) == titles[0] {
			b.warn(Issue{WorkID: id, Type: element, Line: line, Message: "ShortDescription is the same as the Title"})
			break
		}
	}
	switch kind {
	case kindMovie, kindShow:
		k := Movie
		if kind == kindShow {
			k = TVShow
		}
		for _, t := range titles {
			if t != "" {
				b.addWork(Work{ID: id, Title: t, Kind: k})
			}
		}
	case kindSeason, kindEpisode:
		ref := workRef{id: id, show: strings.TrimSpace(w.ShowID), season: strings.TrimSpace(w.SeasonID), file: b.file, kind: kind, line: line}
		if ref.show == "" {
			b.fail(Issue{WorkID: id, Type: element, Line: line, Message: "ShowID is required"})
			return
		}
		b.refs = append(b.refs, ref)
	}
}

func hasLocale(titles []cdf.Localized, locale string) bool {
	for _, t := range titles {
		if t.Locale == locale && strings.TrimSpace(t.Value) != "" {
			return true
		}
	}
	return false
}

// checkRefs checks every season's and episode's show and season, once the
// whole catalog is read, and warns about shows and seasons without
// episodes.
func (b *builder) checkRefs() {
	bump := func(id string) {
		if m, ok := b.works[id]; ok && m.children < 255 {
			m.children++
			b.works[id] = m
		}
	}
	b.file = "" // issues below name their own file, or none
	for _, r := range b.refs {
		element := "TvSeason"
		if r.kind == kindEpisode {
			element = "TvEpisode"
		}
		if m, ok := b.works[r.show]; !ok || m.kind != kindShow {
			b.fail(Issue{WorkID: r.id, Type: element, File: r.file, Line: r.line, Message: fmt.Sprintf("references an invalid ShowID %q", r.show)})
			continue
		}
		if r.kind == kindEpisode && r.season != "" {
			if m, ok := b.works[r.season]; !ok || m.kind != kindSeason {
				b.fail(Issue{WorkID: r.id, Type: element, File: r.file, Line: r.line, Message: fmt.Sprintf("references an invalid SeasonID %q", r.season)})
				continue
			}
			bump(r.season)
		}
		bump(r.show)
	}
	b.refs = nil
	for _, id := range b.parents {
		if m := b.works[id]; m.children == 0 {
			what := "TvShow"
			if m.kind == kindSeason {
				what = "TvSeason"
			}
			b.warn(Issue{WorkID: id, Type: what, File: "", Message: "has no episodes"})
		}
	}
	b.parents = nil
}

// ValidationError rejects a catalog with errors: Alexa keeps serving the
// last good one. Catalog holds what was read (counts, issues, files), for
// the report; it is not to be served.
type ValidationError struct {
	Catalog *Catalog
}

func (e *ValidationError) Error() string {
	c := e.Catalog
	if len(c.Errors) == 0 {
		return fmt.Sprintf("catalog rejected: %d errors", c.ErrorCount)
	}
	return fmt.Sprintf("catalog rejected: %d errors, the first: %s", c.ErrorCount, c.Errors[0])
}

// finish checks references and builds the catalog, or rejects it.
func (b *builder) finish() (*Catalog, error) {
	b.checkRefs()
	c := b.build()
	if c.ErrorCount > 0 {
		return nil, &ValidationError{Catalog: c}
	}
	return c, nil
}
