// Package nlu turns a typed utterance into the directive Alexa would send
// for it, resolving titles and channels against the ingested catalog.
//
// The grammar has two tables. Fixed commands ("pause", "turn the TV off")
// are whole utterances, expanded from patterns into one map, so they cost
// one lookup. Commands with a slot ("watch <title>", "rewind <duration>")
// are rules keyed by the words that open them; the longest opening is tried
// first, and a rule that does not recognise its slot declines so the next
// one can try ("go to ESPN" is a channel, "go to settings" a shortcut).
// Every utterance is bounded (MaxUtteranceBytes, MaxUtteranceWords) and
// every catalog lookup is a map access, so the cost of an utterance is
// linear in its words and independent of the catalog's size.
package nlu

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"livingroom/alexa-sim/ingest"
	"livingroom/internal/vsk"
)

// ErrNotUnderstood is returned for an utterance no rule accepts.
var ErrNotUnderstood = errors.New("utterance not understood")

// errDecline is a rule saying "not mine": the next rule is tried.
var errDecline = errors.New("rule declines")

// Intent is a directive not yet addressed to an endpoint.
type Intent struct {
	Namespace string
	Name      string
	// Payload is marshalled as the directive payload.
	Payload any
	// Family names the grammar family that produced it (see Phrases).
	Family string
	// Notes say how slots were resolved, for traces and logs.
	Notes []string
	// Resolve is the time spent looking things up in the catalog.
	Resolve time.Duration
}

// String names the intent as "<namespace>.<name>".
func (i Intent) String() string { return i.Namespace + "." + i.Name }

// Parser applies the grammar.
type Parser struct {
	sourceID string
	fixed    map[string]fixedCommand
	rules    map[string][]rule // first word → rules, longest opening first
	// Now times catalog lookups; time.Now unless a test sets it.
	Now func() time.Time
}

type fixedCommand struct {
	family string
	intent Intent
}

// rule is one slot command: its opening words and how to read the rest.
type rule struct {
	family  string
	opening []string
	order   int // among openings of equal length, lower first
	parse   func(s *session, rest []token) (Intent, error)
}

// session is one parse: the catalog, the clock and what was noted.
type session struct {
	p       *Parser
	x       *Index
	resolve time.Duration
	notes   []string
	// last remembers the last title lookup: rules often ask twice about
	// the same words (is it the whole title? then resolve it).
	last struct {
		phrase []token
		match  titleMatch
		ok     bool
	}
}

// New builds the grammar. sourceID is the key under which matched titles
// carry their catalog ID in externalIds (the catalog's ingestion source id).
func New(sourceID string) *Parser {
	p := &Parser{sourceID: sourceID, fixed: map[string]fixedCommand{}, rules: map[string][]rule{}, Now: time.Now}
	owner := map[string]int{}
	for i, f := range fixedTable {
		for _, pat := range f.patterns {
			for _, phrase := range expand(pat) {
				if j, dup := owner[phrase]; dup && j != i {
					panic("nlu: fixed phrase claimed by two commands: " + phrase)
				}
				owner[phrase] = i
				p.fixed[phrase] = fixedCommand{family: f.family, intent: f.intent}
			}
		}
	}
	for order, r := range ruleTable {
		for _, pat := range r.openings {
			for _, phrase := range expand(pat) {
				words := strings.Fields(phrase)
				p.rules[words[0]] = append(p.rules[words[0]], rule{family: r.family, opening: words, order: order, parse: r.parse})
			}
		}
	}
	for w := range p.rules {
		slices.SortStableFunc(p.rules[w], func(a, b rule) int {
			if len(a.opening) != len(b.opening) {
				return len(b.opening) - len(a.opening)
			}
			return a.order - b.order
		})
	}
	return p
}

// Parse finds the intent of an utterance. x may be nil (nothing resolves).
// It stops early when ctx is done.
func (p *Parser) Parse(ctx context.Context, utterance string, x *Index) (Intent, error) {
	toks, err := tokenize(utterance)
	if err != nil {
		return Intent{}, err
	}
	toks = stripCourtesy(toks)
	if len(toks) == 0 {
		return Intent{}, fmt.Errorf("%w: nothing was said", ErrNotUnderstood)
	}
	if err := ctx.Err(); err != nil {
		return Intent{}, err
	}
	if f, ok := p.fixed[strings.Join(keys(toks), " ")]; ok {
		in := f.intent
		in.Family = f.family
		return in, nil
	}
	s := &session{p: p, x: x}
	var firstErr error
	for _, r := range p.rules[toks[0].key] {
		if !hasPrefix(toks, r.opening) {
			continue
		}
		in, err := r.parse(s, toks[len(r.opening):])
		if errors.Is(err, errDecline) {
			continue
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		in.Family, in.Notes, in.Resolve = r.family, s.notes, s.resolve
		return in, nil
	}
	if firstErr != nil {
		return Intent{}, firstErr
	}
	// A title said alone, exactly (no spelling correction), is a search for
	// it, as a Fire TV shows results for "spiderman into the spider verse".
	if x != nil {
		if m, ok := s.findTitle(toks); ok && m.whole && !m.corrected {
			in := s.entityIntent(RemoteVideoPlayer, "SearchAndDisplayResults", s.videoEntities(toks, ""), toks)
			in.Family, in.Notes, in.Resolve = FamilySearch, s.notes, s.resolve
			return in, nil
		}
	}
	return Intent{}, fmt.Errorf("%w: %q", ErrNotUnderstood, spoken(toks))
}

// timed runs a catalog lookup and adds its time to the session.
func (s *session) timed(f func()) {
	start := s.p.Now()
	f()
	s.resolve += s.p.Now().Sub(start)
}

func (s *session) findTitle(phrase []token) (titleMatch, bool) {
	if len(phrase) > 0 && len(phrase) == len(s.last.phrase) && &phrase[0] == &s.last.phrase[0] {
		return s.last.match, s.last.ok
	}
	var m titleMatch
	var ok bool
	s.timed(func() { m, ok = s.x.findTitle(phrase) })
	s.last.phrase, s.last.match, s.last.ok = phrase, m, ok
	return m, ok
}

func (s *session) findChannel(phrase []token) (ingest.Channel, bool) {
	var c ingest.Channel
	var ok bool
	s.timed(func() { c, ok = s.x.findChannel(phrase) })
	return c, ok
}

func (s *session) note(format string, args ...any) {
	if len(s.notes) < 8 {
		s.notes = append(s.notes, fmt.Sprintf(format, args...))
	}
}

// expand turns a pattern into the phrases it stands for: "(a|b)" is a
// choice, "[a|b]" an optional choice, "_" a space inside a choice.
func expand(pattern string) []string {
	out := []string{""}
	for _, part := range strings.Fields(pattern) {
		var choices []string
		switch {
		case strings.HasPrefix(part, "(") && strings.HasSuffix(part, ")"):
			choices = strings.Split(part[1:len(part)-1], "|")
		case strings.HasPrefix(part, "[") && strings.HasSuffix(part, "]"):
			choices = append([]string{""}, strings.Split(part[1:len(part)-1], "|")...)
		default:
			choices = []string{part}
		}
		next := make([]string, 0, len(out)*len(choices))
		for _, o := range out {
			for _, c := range choices {
				c = strings.ReplaceAll(c, "_", " ")
				next = append(next, strings.TrimSpace(o+" "+c))
			}
		}
		out = next
	}
	return slices.Compact(out)
}

// Intent builders for the slot rules.

func (s *session) entityIntent(namespace, name string, entities []vsk.Entity, transcribed []token) Intent {
	return Intent{Namespace: namespace, Name: name, Payload: vsk.EntityPayload{
		Entities: entities, SearchText: &vsk.SearchText{Transcribed: spoken(transcribed)},
	}}
}

// videoEntities resolves a title phrase to the Video and MediaType
// entities: the catalog's title and id when it resolves, the words as said
// otherwise (as Alexa passes titles it cannot resolve).
func (s *session) videoEntities(phrase []token, kind ingest.Kind) []vsk.Entity {
	m, ok := s.findTitle(phrase)
	if !ok {
		s.note("title %q not in the catalog; passed as said", spoken(phrase))
		out := []vsk.Entity{{Type: "Video", Value: spoken(phrase)}}
		if kind != "" {
			out = append(out, vsk.Entity{Type: "MediaType", Value: string(kind)})
		}
		return out
	}
	w := pick(s.x.titles[m.title].works, kind)
	how := "exact"
	if m.corrected {
		how = "spelling corrected"
	} else if !m.whole {
		how = "contained in the phrase"
	}
	s.note("title %q → %s %q (%s, %s)", spoken(phrase[m.start:m.end]), w.ID, w.Title, w.Kind, how)
	return []vsk.Entity{
		{Type: "Video", Value: w.Title, ExternalIDs: map[string]string{s.p.sourceID: w.ID}},
		{Type: "MediaType", Value: string(w.Kind)},
	}
}

// pick chooses among works that share a title: the kind asked for, else
// the first in the feed.
func pick(works []ingest.Work, kind ingest.Kind) ingest.Work {
	if kind != "" {
		for _, w := range works {
			if w.Kind == kind {
				return w
			}
		}
	}
	return works[0]
}

// Slot readers shared by the rules.

var (
	connectors     = splitAll("of", "from", "in", "and", "for")
	fillerSuffixes = splitAll("on the big screen", "on the tv", "on tv", "on the television", "on television",
		"in the living room", "on living room", "on the living room tv", "on fire tv", "on my fire tv", "on my tv",
		"in hd", "for me", "again", "for the kids")
	kindWords = []struct {
		words []string
		kind  ingest.Kind
	}{
		{strings.Fields("the tv show"), ingest.TVShow}, {strings.Fields("the tv series"), ingest.TVShow},
		{strings.Fields("tv show"), ingest.TVShow}, {strings.Fields("the show"), ingest.TVShow},
		{strings.Fields("the series"), ingest.TVShow}, {strings.Fields("series"), ingest.TVShow},
		{strings.Fields("the movie"), ingest.Movie}, {strings.Fields("the film"), ingest.Movie},
		{strings.Fields("movie"), ingest.Movie}, {strings.Fields("film"), ingest.Movie},
	}
)

// trimConnectors removes "of", "from"… left at the edges when season and
// episode words are taken out ("episode 3 of the office").
func trimConnectors(toks []token) []token {
	for len(toks) > 0 && slices.ContainsFunc(connectors, func(c []string) bool { return c[0] == toks[0].key }) {
		toks = toks[1:]
	}
	for len(toks) > 0 && slices.ContainsFunc(connectors, func(c []string) bool { return c[0] == toks[len(toks)-1].key }) {
		toks = toks[:len(toks)-1]
	}
	return toks
}

// kindOf takes "the movie", "the series"… off either end of a phrase.
func kindOf(toks []token) ([]token, ingest.Kind) {
	for _, k := range kindWords {
		if hasPrefix(toks, k.words) && len(toks) > len(k.words) {
			return toks[len(k.words):], k.kind
		}
	}
	for _, k := range kindWords {
		if hasSuffix(toks, k.words) && len(toks) > len(k.words) {
			return toks[:len(toks)-len(k.words)], k.kind
		}
	}
	return toks, ""
}

// seasonEpisode takes season and episode numbers out of a phrase: "season
// 2 episode 3", "s2e3", "s2 e3", "2x3", "the third episode", "episode 5 of
// season 2 of …". It returns the other words.
func seasonEpisode(toks []token) (rest []token, season, episode int) {
	rest = make([]token, 0, len(toks))
	for i := 0; i < len(toks); i++ {
		w := toks[i].key
		if s, e, ok := compactSeasonEpisode(w); ok && season == 0 && episode == 0 {
			season, episode = s, e
			continue
		}
		// "s2 e10": season and episode as two words.
		if season == 0 && episode == 0 && i+1 < len(toks) {
			if s, ok := prefixedNumber(w, "s"); ok {
				if e, ok := prefixedNumber(toks[i+1].key, "e"); ok {
					season, episode = s, e
					i++
					continue
				}
			}
		}
		if w == "season" && season == 0 {
			if n, used, _, ok := number(toks[i+1:]); ok && n > 0 {
				season = n
				i += used
				continue
			}
		}
		if w == "episode" && episode == 0 {
			j := i + 1
			if j < len(toks) && toks[j].key == "number" {
				j++
			}
			if n, used, _, ok := number(toks[j:]); ok && n > 0 {
				episode = n
				i = j + used - 1
				continue
			}
		}
		// "the third episode", "the second season"
		if n, used, ordinal, ok := number(toks[i:]); ok && ordinal && i+used < len(toks) {
			switch toks[i+used].key {
			case "episode":
				if episode == 0 {
					episode = n
					rest = trimArticle(rest)
					i += used
					continue
				}
			case "season":
				if season == 0 {
					season = n
					rest = trimArticle(rest)
					i += used
					continue
				}
			}
		}
		rest = append(rest, toks[i])
	}
	if season == 0 && episode == 0 {
		return toks, 0, 0
	}
	return trimConnectors(rest), season, episode
}

func trimArticle(toks []token) []token {
	if len(toks) > 0 && toks[len(toks)-1].key == "the" {
		return toks[:len(toks)-1]
	}
	return toks
}

// prefixedNumber reads "s2" (prefix "s") or "e10" (prefix "e").
func prefixedNumber(w, prefix string) (int, bool) {
	digits, ok := strings.CutPrefix(w, prefix)
	if !ok || !isDigits(digits) || len(digits) > 4 {
		return 0, false
	}
	n, _ := strconv.Atoi(digits)
	return n, n > 0
}

// compactSeasonEpisode reads "s2e10", "s02e03" and "2x10".
func compactSeasonEpisode(w string) (season, episode int, ok bool) {
	var a, b string
	switch {
	case strings.HasPrefix(w, "s"):
		a, b, ok = strings.Cut(w[1:], "e")
	default:
		a, b, ok = strings.Cut(w, "x")
	}
	if !ok || !isDigits(a) || !isDigits(b) || len(a) > 3 || len(b) > 4 {
		return 0, 0, false
	}
	season, _ = strconv.Atoi(a)
	episode, _ = strconv.Atoi(b)
	return season, episode, season > 0 && episode > 0
}

// cutPhraseMap finds the longest run of words at the start of toks that is
// a key of m ("science fiction" before "science").
func cutPhraseMap[V any](toks []token, m map[string]V, maxWords int) (V, int, bool) {
	for n := min(maxWords, len(toks)); n > 0; n-- {
		if v, ok := m[strings.Join(keys(toks[:n]), " ")]; ok {
			return v, n, true
		}
	}
	var zero V
	return zero, 0, false
}
