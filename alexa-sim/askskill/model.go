// Package askskill plays Alexa for a custom skill: it reads the skill's
// interaction model (the file pasted into the Alexa developer console),
// recognises utterances addressed to the skill ("ask Living Room what's
// playing", "tell Living Room to play This Is Us on the bedroom TV", "open
// Living Room"), matches them to the model's intents and slots with entity
// resolution, keeps the session between turns, and writes the request
// Alexa would send. It does no I/O: the caller invokes the skill.
package askskill

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Bounds of a model, so a bad file cannot make matching slow.
const (
	MaxModelBytes   = 4 << 20
	maxIntents      = 250
	maxSamples      = 5000
	maxSampleWords  = 30
	maxSlotsPerSamp = 4
	maxTypeValues   = 200_000
)

// ErrBadModel is returned for a model file that is not usable.
var ErrBadModel = errors.New("bad interaction model")

// Model is a compiled interaction model.
type Model struct {
	// Invocation is the invocation name's words ("living room").
	Invocation []string
	intents    map[string]bool
	samples    []sample
	types      map[string]*slotType
}

// sample is one sample utterance: literal words and slot references.
type sample struct {
	intent   string
	tokens   []token
	literals int // how many literal words: more is more specific
	// meaningful: some literal word is not a little word; a sample
	// without one ("the {tv}") matches only when its slots resolve.
	meaningful bool
}

type token struct {
	word     string // a literal word, matched by its key
	slot     string // or a slot's name
	slotType string
}

// slotType is a custom slot type's values, looked up by their key.
type slotType struct {
	name   string
	byKey  map[string]typeValue
	builtn bool // AMAZON.* types: any value, no resolution
}

type typeValue struct {
	ID   string
	Name string
}

// The interaction model file, as the developer console exports it.
type modelFile struct {
	InteractionModel struct {
		LanguageModel struct {
			InvocationName string `json:"invocationName"`
			Intents        []struct {
				Name  string `json:"name"`
				Slots []struct {
					Name string `json:"name"`
					Type string `json:"type"`
				} `json:"slots"`
				Samples []string `json:"samples"`
			} `json:"intents"`
			Types []struct {
				Name   string `json:"name"`
				Values []struct {
					ID   string `json:"id"`
					Name struct {
						Value    string   `json:"value"`
						Synonyms []string `json:"synonyms"`
					} `json:"name"`
				} `json:"values"`
			} `json:"types"`
		} `json:"languageModel"`
	} `json:"interactionModel"`
}

// LoadModel reads and compiles an interaction model file.
func LoadModel(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open interaction model: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxModelBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read interaction model %s: %w", path, err)
	}
	m, err := ParseModel(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ParseModel compiles an interaction model.
func ParseModel(b []byte) (*Model, error) {
	if len(b) > MaxModelBytes {
		return nil, fmt.Errorf("%w: over %d bytes", ErrBadModel, MaxModelBytes)
	}
	var f modelFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	lm := f.InteractionModel.LanguageModel
	m := &Model{Invocation: words(lm.InvocationName), intents: map[string]bool{}, types: map[string]*slotType{}}
	if len(m.Invocation) == 0 || len(m.Invocation) > 5 {
		return nil, fmt.Errorf("%w: invocation name %q", ErrBadModel, lm.InvocationName)
	}
	if len(lm.Intents) == 0 || len(lm.Intents) > maxIntents {
		return nil, fmt.Errorf("%w: %d intents (1 to %d)", ErrBadModel, len(lm.Intents), maxIntents)
	}
	values := 0
	for _, t := range lm.Types {
		st := &slotType{name: t.Name, byKey: map[string]typeValue{}}
		for _, v := range t.Values {
			if values++; values > maxTypeValues {
				return nil, fmt.Errorf("%w: over %d slot type values", ErrBadModel, maxTypeValues)
			}
			tv := typeValue{ID: v.ID, Name: v.Name.Value}
			for _, s := range append([]string{v.Name.Value}, v.Name.Synonyms...) {
				if k := valueKey(s); k != "" {
					if _, dup := st.byKey[k]; !dup {
						st.byKey[k] = tv
					}
				}
			}
		}
		m.types[t.Name] = st
	}
	for _, in := range lm.Intents {
		if in.Name == "" {
			return nil, fmt.Errorf("%w: an intent without a name", ErrBadModel)
		}
		m.intents[in.Name] = true
		slotTypes := map[string]string{}
		for _, s := range in.Slots {
			slotTypes[s.Name] = s.Type
			if _, ok := m.types[s.Type]; !ok {
				if !strings.HasPrefix(s.Type, "AMAZON.") {
					return nil, fmt.Errorf("%w: intent %s slot %s has undeclared type %s", ErrBadModel, in.Name, s.Name, s.Type)
				}
				m.types[s.Type] = &slotType{name: s.Type, builtn: true}
			}
		}
		for _, text := range in.Samples {
			if len(m.samples) >= maxSamples {
				return nil, fmt.Errorf("%w: over %d samples", ErrBadModel, maxSamples)
			}
			s, err := compileSample(in.Name, text, slotTypes)
			if err != nil {
				return nil, err
			}
			m.samples = append(m.samples, s)
		}
	}
	// Most specific first: ties in scoring go to the sample that says more.
	sort.SliceStable(m.samples, func(i, j int) bool { return m.samples[i].literals > m.samples[j].literals })
	return m, nil
}

func compileSample(intent, text string, slotTypes map[string]string) (sample, error) {
	s := sample{intent: intent}
	fields := strings.Fields(text)
	if len(fields) == 0 || len(fields) > maxSampleWords {
		return s, fmt.Errorf("%w: intent %s sample %q: 1 to %d words", ErrBadModel, intent, text, maxSampleWords)
	}
	slots := 0
	for _, f := range fields {
		if strings.HasPrefix(f, "{") && strings.HasSuffix(f, "}") {
			name := strings.Trim(f, "{}")
			typ, ok := slotTypes[name]
			if !ok {
				return s, fmt.Errorf("%w: intent %s sample %q names undeclared slot %s", ErrBadModel, intent, text, name)
			}
			if slots++; slots > maxSlotsPerSamp {
				return s, fmt.Errorf("%w: intent %s sample %q: over %d slots", ErrBadModel, intent, text, maxSlotsPerSamp)
			}
			s.tokens = append(s.tokens, token{slot: name, slotType: typ})
			continue
		}
		for _, w := range words(f) {
			s.tokens = append(s.tokens, token{word: key(w)})
			s.literals++
			s.meaningful = s.meaningful || !littleWords[key(w)]
		}
	}
	return s, nil
}

// HasIntent reports whether the model declares an intent.
func (m *Model) HasIntent(name string) bool { return m.intents[name] }

// words lowercases s and splits it into words, keeping apostrophes inside
// words ("what's") and dropping other punctuation.
func words(s string) []string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '\'', r > 127 && isLetter(r):
			b.WriteRune(r)
		case r == '\u2019':
			b.WriteRune('\'')
		default:
			b.WriteByte(' ')
		}
	}
	out := strings.Fields(b.String())
	for i, w := range out {
		out[i] = strings.Trim(w, "'")
	}
	return deleteEmpty(out)
}

func isLetter(r rune) bool { return strings.ToLower(string(r)) != strings.ToUpper(string(r)) }

func deleteEmpty(ws []string) []string {
	out := ws[:0]
	for _, w := range ws {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// key is how a word is compared: without apostrophes, so "whats" and
// "what's" are the same word.
func key(w string) string { return strings.ReplaceAll(w, "'", "") }

// valueKey is how slot values are compared: words by key, a leading "the"
// dropped ("the martian" and "martian" name the same film).
func valueKey(s string) string {
	ws := words(s)
	if len(ws) > 1 && ws[0] == "the" {
		ws = ws[1:]
	}
	for i, w := range ws {
		ws[i] = key(w)
	}
	return strings.Join(ws, " ")
}
