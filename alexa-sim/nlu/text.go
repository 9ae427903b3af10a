package nlu

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on what is read: people say a command in a sentence, so anything
// longer is refused before any matching starts, which keeps the cost of an
// utterance bounded whatever is sent.
const (
	// MaxUtteranceBytes bounds the text of an utterance.
	MaxUtteranceBytes = 400
	// MaxUtteranceWords bounds its words.
	MaxUtteranceWords = 40
	// maxWordBytes bounds one word; longer ones are noise, not speech.
	maxWordBytes = 40
)

// ErrTooLong is returned for an utterance over MaxUtteranceBytes or
// MaxUtteranceWords.
var ErrTooLong = errors.New("utterance too long")

// token is one word of an utterance: as typed, and folded for matching.
type token struct {
	text string // as typed, without surrounding punctuation
	key  string // lower case, no apostrophes or accents
}

// tokenize splits an utterance into words. Apostrophes vanish ("let's" →
// "lets"), "&" reads "and", and every other non-letter, non-digit splits
// words ("Spider-Man" → "spider", "man"). It refuses long input first, so
// its cost is linear in at most MaxUtteranceBytes.
func tokenize(utterance string) ([]token, error) {
	if len(utterance) > MaxUtteranceBytes {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, len(utterance), MaxUtteranceBytes)
	}
	if !utf8.ValidString(utterance) {
		return nil, fmt.Errorf("%w: not UTF-8 text", ErrNotUnderstood)
	}
	var toks []token
	var text, key strings.Builder
	flush := func() error {
		if key.Len() > 0 {
			if len(toks) == MaxUtteranceWords {
				return fmt.Errorf("%w: more than %d words", ErrTooLong, MaxUtteranceWords)
			}
			if key.Len() <= maxWordBytes {
				toks = append(toks, token{text: text.String(), key: key.String()})
			}
		}
		text.Reset()
		key.Reset()
		return nil
	}
	for _, r := range utterance {
		switch {
		case isApostrophe(r):
			if key.Len() > 0 {
				text.WriteRune(r)
			}
		case r == '&':
			if err := flush(); err != nil {
				return nil, err
			}
			if len(toks) == MaxUtteranceWords {
				return nil, fmt.Errorf("%w: more than %d words", ErrTooLong, MaxUtteranceWords)
			}
			toks = append(toks, token{text: "&", key: "and"})
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			text.WriteRune(r)
			key.WriteString(fold(r))
		default:
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return toks, nil
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', '`', '´':
		return true
	}
	return false
}

// fold lower-cases a letter and drops the accent of common Latin letters,
// so "Amélie" matches "amelie".
func fold(r rune) string {
	if r < utf8.RuneSelf {
		return string(unicode.ToLower(r))
	}
	r = unicode.ToLower(r)
	if s, ok := accents[r]; ok {
		return s
	}
	return string(r)
}

var accents = func() map[rune]string {
	m := map[rune]string{'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'þ': "th"}
	for base, marked := range map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "e": "èéêëēĕėęě", "i": "ìíîïĩīĭįı", "n": "ñńņňŉ",
		"o": "òóôõöōŏő", "u": "ùúûüũūŭůűų", "y": "ýÿŷ", "s": "śŝşš", "z": "źżž", "g": "ĝğġģ", "r": "ŕŗř", "t": "ţťŧ",
	} {
		for _, r := range marked {
			m[r] = base
		}
	}
	return m
}()

// keys lists the folded words.
func keys(toks []token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.key
	}
	return out
}

// spoken joins the words as typed.
func spoken(toks []token) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.text
	}
	return strings.Join(parts, " ")
}

// stripCourtesy drops the wake word and politeness that carry no meaning:
// "Alexa, could you please pause it for me, thanks".
func stripCourtesy(toks []token) []token {
	for changed := true; changed; {
		changed = false
		for _, ph := range courtesyPrefixes {
			if hasPrefix(toks, ph) && len(toks) > len(ph) {
				toks = toks[len(ph):]
				changed = true
			}
		}
		for _, ph := range courtesySuffixes {
			if hasSuffix(toks, ph) && len(toks) > len(ph) {
				toks = toks[:len(toks)-len(ph)]
				changed = true
			}
		}
	}
	return toks
}

var (
	courtesyPrefixes = splitAll("hey alexa", "ok alexa", "okay alexa", "alexa", "please", "can you", "could you", "would you",
		"will you", "kindly", "go ahead and", "hey", "um", "uh")
	courtesySuffixes = splitAll("please", "thanks", "thank you", "for me", "alexa", "right now", "now")
)

func splitAll(phrases ...string) [][]string {
	out := make([][]string, len(phrases))
	for i, p := range phrases {
		out[i] = strings.Fields(p)
	}
	return out
}

func hasPrefix(toks []token, phrase []string) bool {
	if len(toks) < len(phrase) {
		return false
	}
	for i, p := range phrase {
		if toks[i].key != p {
			return false
		}
	}
	return true
}

func hasSuffix(toks []token, phrase []string) bool {
	if len(toks) < len(phrase) {
		return false
	}
	return hasPrefix(toks[len(toks)-len(phrase):], phrase)
}

// cutPrefix removes the first of phrases that opens toks.
func cutPrefix(toks []token, phrases [][]string) ([]token, bool) {
	for _, ph := range phrases {
		if hasPrefix(toks, ph) {
			return toks[len(ph):], true
		}
	}
	return toks, false
}

// cutSuffix removes the first of phrases that ends toks.
func cutSuffix(toks []token, phrases [][]string) ([]token, bool) {
	for _, ph := range phrases {
		if hasSuffix(toks, ph) {
			return toks[:len(toks)-len(ph)], true
		}
	}
	return toks, false
}

// titleCase capitalises each word of a spoken name ("tom hanks" → "Tom
// Hanks"), as Alexa writes entity values it resolved.
func titleCase(toks []token) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		r, n := utf8.DecodeRuneInString(t.text)
		parts[i] = string(unicode.ToUpper(r)) + t.text[n:]
	}
	return strings.Join(parts, " ")
}
