// Package nlu turns a typed utterance into the directive Alexa would send
// for it, using the ingested catalog to resolve titles. The grammar is a
// table of rules: each rule lists the phrases that start an utterance and a
// function that reads the rest, so new commands are one more row.
package nlu

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"livingroom/alexa-sim/ingest"
	"livingroom/internal/catalog"
	"livingroom/internal/vsk"
)

// ErrNotUnderstood is returned for an utterance no rule accepts.
var ErrNotUnderstood = errors.New("utterance not understood")

// Interface namespaces the grammar produces.
const (
	RemoteVideoPlayer  = "Alexa.RemoteVideoPlayer"
	PlaybackController = "Alexa.PlaybackController"
)

// Catalog resolves spoken titles; *ingest.Catalog implements it.
type Catalog interface {
	FindTitle(phrase string) []ingest.Work
}

// Intent is a directive not yet addressed to an endpoint.
type Intent struct {
	Namespace string
	Name      string
	// Payload is marshalled as the directive payload.
	Payload any
}

// String names the intent as "<namespace>.<name>".
func (i Intent) String() string { return i.Namespace + "." + i.Name }

// Parser applies the grammar.
type Parser struct {
	sourceID string
	rules    []rule
}

// rule is one row of the grammar.
type rule struct {
	phrases [][]string // lower-case words that open the utterance, longest first
	alone   bool       // the phrase must be the whole utterance
	parse   func(rest []word, cat Catalog) (Intent, error)
}

// New builds the grammar. sourceID is the key under which matched titles
// carry their CDF ID in externalIds (the catalog's ingestion source id).
func New(sourceID string) *Parser {
	p := &Parser{sourceID: sourceID}
	// Order matters: the first rule that accepts the utterance wins, so the
	// bare transport commands come before "play <title>".
	p.rules = []rule{
		alone(playback("Pause"), "pause", "pause it", "pause this", "pause playback", "pause the video", "pause the show", "pause the movie"),
		alone(playback("Play"), "play", "resume", "continue", "unpause", "resume playback", "keep playing", "continue playing"),
		alone(playback("Stop"), "stop", "stop it", "stop playback", "stop playing", "stop the video"),
		prefix(p.searchAndPlay, "watch", "play", "put on", "start", "stream", "start watching", "i want to watch", "lets watch", "let's watch"),
	}
	return p
}

func alone(parse func([]word, Catalog) (Intent, error), phrases ...string) rule {
	r := prefix(parse, phrases...)
	r.alone = true
	return r
}

func prefix(parse func([]word, Catalog) (Intent, error), phrases ...string) rule {
	r := rule{parse: parse}
	for _, ph := range phrases {
		r.phrases = append(r.phrases, strings.Fields(ph))
	}
	// Longest first, so "start watching x" is not read as "start" + "watching x".
	slices.SortStableFunc(r.phrases, func(a, b []string) int { return len(b) - len(a) })
	return r
}

// Parse finds the intent of an utterance. cat may be empty (nothing
// resolves) but not nil.
func (p *Parser) Parse(utterance string, cat Catalog) (Intent, error) {
	ws := words(utterance)
	if len(ws) == 0 {
		return Intent{}, fmt.Errorf("%w: nothing was said", ErrNotUnderstood)
	}
	for _, r := range p.rules {
		for _, ph := range r.phrases {
			if !hasPrefix(ws, ph) || (r.alone && len(ws) != len(ph)) {
				continue
			}
			return r.parse(ws[len(ph):], cat)
		}
	}
	return Intent{}, fmt.Errorf("%w: %q", ErrNotUnderstood, utterance)
}

func playback(name string) func([]word, Catalog) (Intent, error) {
	return func([]word, Catalog) (Intent, error) {
		return Intent{Namespace: PlaybackController, Name: name, Payload: struct{}{}}, nil
	}
}

// searchAndPlay reads "<title> [season N] [episode M]".
func (p *Parser) searchAndPlay(rest []word, cat Catalog) (Intent, error) {
	spoken := join(rest)
	if spoken == "" {
		return Intent{}, fmt.Errorf("%w: say what to play, e.g. \"watch The Handmaid's Tale\"", ErrNotUnderstood)
	}
	title, season, episode := rest, 0, 0
	// A title that is itself the whole phrase keeps its numbers ("Open
	// Season 2" stays a title if the catalog has it).
	if !isExactTitle(cat, spoken) {
		title, season, episode = seasonEpisode(rest)
	}
	titleText := join(title)
	if titleText == "" {
		return Intent{}, fmt.Errorf("%w: which show? e.g. \"watch The Handmaid's Tale season 2\"", ErrNotUnderstood)
	}

	var entities []vsk.Entity
	if w, ok := pick(cat.FindTitle(titleText), season > 0 || episode > 0); ok {
		entities = append(entities,
			vsk.Entity{Type: "Video", Value: w.Title, ExternalIDs: map[string]string{p.sourceID: w.ID}},
			vsk.Entity{Type: "MediaType", Value: string(w.Kind)},
		)
	} else {
		// Alexa passes titles it could not resolve as spoken.
		entities = append(entities, vsk.Entity{Type: "Video", Value: titleText})
	}
	if season > 0 {
		entities = append(entities, vsk.Entity{Type: "Season", Value: strconv.Itoa(season)})
	}
	if episode > 0 {
		entities = append(entities, vsk.Entity{Type: "Episode", Value: strconv.Itoa(episode)})
	}
	return Intent{
		Namespace: RemoteVideoPlayer,
		Name:      "SearchAndPlay",
		Payload:   vsk.EntityPayload{Entities: entities, SearchText: &vsk.SearchText{Transcribed: spoken}},
	}, nil
}

func isExactTitle(cat Catalog, phrase string) bool {
	works := cat.FindTitle(phrase)
	return len(works) > 0 && catalog.NormalizeTitle(works[0].Title) == catalog.NormalizeTitle(phrase)
}

// pick chooses among works that share a title: a show when the user named
// a season or episode, otherwise the first in the feed.
func pick(works []ingest.Work, episodic bool) (ingest.Work, bool) {
	if len(works) == 0 {
		return ingest.Work{}, false
	}
	if episodic {
		for _, w := range works {
			if w.Kind == ingest.TVShow {
				return w, true
			}
		}
	}
	return works[0], true
}

// seasonEpisode removes "season N" and "episode M" from a phrase, and the
// words that joined them to the title ("episode 3 of the office").
func seasonEpisode(ws []word) (title []word, season, episode int) {
	for i := 0; i < len(ws); i++ {
		if i+1 < len(ws) {
			if n, ok := number(ws[i+1].key); ok {
				switch {
				case ws[i].key == "season" && season == 0:
					season = n
					i++
					continue
				case ws[i].key == "episode" && episode == 0:
					episode = n
					i++
					continue
				}
			}
		}
		title = append(title, ws[i])
	}
	for len(title) > 0 && isConnector(title[0].key) {
		title = title[1:]
	}
	for len(title) > 0 && isConnector(title[len(title)-1].key) {
		title = title[:len(title)-1]
	}
	return title, season, episode
}

func isConnector(w string) bool {
	switch w {
	case "of", "from", "and", "in":
		return true
	}
	return false
}

// number reads "3" or "three" (up to twenty, as people say season numbers).
func number(w string) (int, bool) {
	if n, err := strconv.Atoi(w); err == nil {
		return n, n > 0
	}
	names := [...]string{"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"}
	for i, name := range names {
		if w == name {
			return i + 1, true
		}
	}
	return 0, false
}

// word is one word of an utterance: as typed, and folded for matching.
type word struct {
	text string
	key  string
}

// words splits an utterance, trims punctuation around each word, and drops
// the wake word and politeness that carry no meaning.
func words(utterance string) []word {
	var ws []word
	for _, f := range strings.Fields(utterance) {
		t := strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if t != "" {
			key := strings.ReplaceAll(strings.ToLower(t), "’", "'")
			ws = append(ws, word{text: t, key: key})
		}
	}
	if len(ws) > 0 && ws[0].key == "alexa" {
		ws = ws[1:]
	}
	if len(ws) > 0 && ws[0].key == "please" {
		ws = ws[1:]
	}
	if len(ws) > 0 && ws[len(ws)-1].key == "please" {
		ws = ws[:len(ws)-1]
	}
	return ws
}

func hasPrefix(ws []word, phrase []string) bool {
	if len(ws) < len(phrase) {
		return false
	}
	for i, p := range phrase {
		if ws[i].key != p {
			return false
		}
	}
	return true
}

func join(ws []word) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.text
	}
	return strings.Join(parts, " ")
}
