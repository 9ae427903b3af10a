package askskill

import (
	"strings"
)

// MaxWords bounds the words of an utterance that are matched; Alexa's own
// limit on what one breath says is about the same. Longer is not for us.
const MaxWords = 40

// matchBudget bounds the steps one Match may take over every sample, so
// the cost stays bounded whatever the model and the utterance.
const matchBudget = 200_000

// Request types a Turn can be.
const (
	LaunchRequest       = "LaunchRequest"
	IntentRequest       = "IntentRequest"
	SessionEndedRequest = "SessionEndedRequest"
)

// Built-in intents Alexa recognises for every skill that declares them.
const (
	HelpIntent         = "AMAZON.HelpIntent"
	StopIntent         = "AMAZON.StopIntent"
	CancelIntent       = "AMAZON.CancelIntent"
	FallbackIntent     = "AMAZON.FallbackIntent"
	NavigateHomeIntent = "AMAZON.NavigateHomeIntent"
)

// builtins are the phrases of Alexa's built-in intents (the whole of what
// is said after the invocation, or in session).
var builtins = map[string]string{
	"help": HelpIntent, "help me": HelpIntent, "what can i say": HelpIntent, "what can you do": HelpIntent,
	"what can i do": HelpIntent, "how does this work": HelpIntent,
	"stop": StopIntent, "off": StopIntent, "shut up": StopIntent, "be quiet": StopIntent, "enough": StopIntent,
	"cancel": CancelIntent, "never mind": CancelIntent, "nevermind": CancelIntent, "forget it": CancelIntent,
	"go home": NavigateHomeIntent, "home": NavigateHomeIntent,
}

// exits end the session without an intent: Alexa sends SessionEndedRequest.
var exits = map[string]bool{"exit": true, "quit": true, "goodbye": true, "bye": true, "good bye": true}

// Turn is what an utterance means to the skill.
type Turn struct {
	Type   string // LaunchRequest, IntentRequest or SessionEndedRequest
	Intent string // for IntentRequest
	Slots  []SlotValue
	// Addressed is true when the utterance named the skill; false for an
	// utterance taken as the next turn of an open session.
	Addressed bool
}

// Name is the intent's name, or the request type when there is none.
func (t Turn) Name() string {
	if t.Type == IntentRequest {
		return t.Intent
	}
	return t.Type
}

// SlotValue is a slot as heard, and what entity resolution made of it.
type SlotValue struct {
	Name  string
	Value string // the words heard
	Type  string // the slot type
	// Resolved is the type value it matched; nil when none did (or the
	// type is built in, which is not resolved).
	Resolved *Resolution
}

// Resolution is the slot type value a slot matched.
type Resolution struct {
	ID   string
	Name string
}

// addressing verbs: "ask Living Room …", "open Living Room …".
var (
	askVerbs    = map[string]bool{"ask": true, "tell": true}
	openVerbs   = map[string]bool{"open": true, "launch": true, "start": true, "begin": true, "load": true, "run": true, "use": true}
	connectors  = map[string]bool{"to": true, "for": true, "about": true, "if": true, "whether": true, "and": true, "that": true}
	politeWords = map[string]bool{"please": true, "alexa": true}
)

// Address finds whether ws (an utterance's words) names the skill. It
// returns the words said to the skill and launch=true when nothing was
// said beyond opening it.
func (m *Model) Address(ws []string) (rest []string, launch, ok bool) {
	ws = trimPolite(ws)
	n := len(m.Invocation)
	switch {
	case len(ws) > n && (askVerbs[ws[0]] || openVerbs[ws[0]]) && m.invocationAt(ws, 1):
		rest = trimPolite(ws[1+n:])
		if len(rest) == 0 {
			return nil, true, true
		}
		if openVerbs[ws[0]] {
			if rest[0] != "and" || len(rest) == 1 {
				return nil, false, false // "start living room tv": not us
			}
			rest = rest[1:]
		}
		return rest, false, true
	case len(ws) > n+1 && ws[len(ws)-n-1] == "using" && m.invocationAt(ws, len(ws)-n):
		// "play this is us using living room"
		return trimPolite(ws[:len(ws)-n-1]), false, true
	}
	return nil, false, false
}

func (m *Model) invocationAt(ws []string, at int) bool {
	if at+len(m.Invocation) > len(ws) {
		return false
	}
	for i, w := range m.Invocation {
		if key(ws[at+i]) != key(w) {
			return false
		}
	}
	return true
}

func trimPolite(ws []string) []string {
	for len(ws) > 0 && politeWords[ws[0]] {
		ws = ws[1:]
	}
	for len(ws) > 0 && politeWords[ws[len(ws)-1]] {
		ws = ws[:len(ws)-1]
	}
	return ws
}

// Match finds the intent of words said to the skill: a built-in, the best
// sample, or the fallback intent (ok is false when the model has none).
func (m *Model) Match(ws []string) (Turn, bool) {
	phrase := joinKeys(ws)
	if exits[phrase] {
		return Turn{Type: SessionEndedRequest}, true
	}
	if in, ok := builtins[phrase]; ok && m.intents[in] {
		return Turn{Type: IntentRequest, Intent: in}, true
	}
	if t, ok := m.bestSample(ws); ok {
		return t, true
	}
	// Alexa tries the words without a leading connector too ("to pause").
	if len(ws) > 1 && connectors[ws[0]] {
		if t, ok := m.bestSample(ws[1:]); ok {
			return t, true
		}
	}
	if m.intents[FallbackIntent] {
		return Turn{Type: IntentRequest, Intent: FallbackIntent}, true
	}
	return Turn{}, false
}

func joinKeys(ws []string) string {
	ks := make([]string, len(ws))
	for i, w := range ws {
		ks[i] = key(w)
	}
	return strings.Join(ks, " ")
}

// littleWords carry no meaning alone (see sample.meaningful).
var littleWords = map[string]bool{"the": true, "on": true, "in": true, "a": true, "to": true, "for": true, "my": true, "tv": true}

// bestSample scores every sample that matches ws and keeps the best.
func (m *Model) bestSample(ws []string) (Turn, bool) {
	if len(ws) == 0 || len(ws) > MaxWords {
		return Turn{}, false
	}
	keys := make([]string, len(ws))
	for i, w := range ws {
		keys[i] = key(w)
	}
	budget := matchBudget
	best, bestScore := Turn{}, -1<<31
	for i := range m.samples {
		s := &m.samples[i]
		spans := make([][2]int, 0, maxSlotsPerSamp)
		m.align(s, keys, 0, 0, spans, &budget, func(found [][2]int) {
			t, score, ok := m.score(s, ws, found)
			if ok && score > bestScore {
				best, bestScore = t, score
			}
		})
		if budget <= 0 {
			break
		}
	}
	return best, bestScore > -1<<31
}

// align walks sample tokens against the words from ti and wi, calling
// found with each way the slots can take the words. Each step costs one
// unit of budget.
func (m *Model) align(s *sample, keys []string, ti, wi int, spans [][2]int, budget *int, found func([][2]int)) {
	if *budget--; *budget <= 0 {
		return
	}
	if ti == len(s.tokens) {
		if wi == len(keys) {
			found(spans)
		}
		return
	}
	tok := s.tokens[ti]
	if tok.slot == "" {
		if wi < len(keys) && keys[wi] == tok.word {
			m.align(s, keys, ti+1, wi+1, spans, budget, found)
		}
		return
	}
	// A slot takes one word or more, leaving at least one word for each
	// later token.
	rest := len(s.tokens) - ti - 1
	for end := wi + 1; end <= len(keys)-rest; end++ {
		m.align(s, keys, ti+1, end, append(spans, [2]int{wi, end}), budget, found)
	}
}

// score rates one alignment: literal words said, slots resolved, and
// nothing unresolved where the sample says little else.
func (m *Model) score(s *sample, ws []string, spans [][2]int) (Turn, int, bool) {
	t := Turn{Type: IntentRequest, Intent: s.intent}
	score := s.literals * 10
	si := 0
	for _, tok := range s.tokens {
		if tok.slot == "" {
			continue
		}
		span := spans[si]
		si++
		v := SlotValue{Name: tok.slot, Type: tok.slotType, Value: strings.Join(ws[span[0]:span[1]], " ")}
		st := m.types[tok.slotType]
		switch {
		case st.builtn:
			score -= span[1] - span[0] // prefer short free values
		default:
			if r, ok := st.resolve(v.Value); ok {
				v.Resolved = &r
				score += 15
			} else if !s.meaningful {
				return t, 0, false
			} else {
				score -= 5 + span[1] - span[0]
			}
		}
		t.Slots = append(t.Slots, v)
	}
	return t, score, true
}

// resolve is entity resolution: the value as said, or without the words
// people add around a name ("the", a trailing "tv").
func (st *slotType) resolve(said string) (Resolution, bool) {
	k := valueKey(said)
	tries := []string{k}
	for _, suffix := range []string{" tv", " television"} {
		if strings.HasSuffix(k, suffix) {
			tries = append(tries, strings.TrimSpace(strings.TrimPrefix(strings.TrimSuffix(k, suffix), "the ")))
		}
	}
	for _, t := range tries {
		if v, ok := st.byKey[t]; ok {
			return Resolution{ID: v.ID, Name: v.Name}, true
		}
	}
	return Resolution{}, false
}
