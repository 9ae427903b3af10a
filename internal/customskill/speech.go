package customskill

import (
	"strconv"
	"strings"
)

// line builds one reply twice: SSML for the speaker (titles escaped,
// numbers said as numbers) and plain text for the card.
type line struct {
	ssml, plain strings.Builder
}

// text adds words of the skill's own.
func (l *line) text(s string) *line {
	l.ssml.WriteString(escape(s))
	l.plain.WriteString(s)
	return l
}

// title adds a name from outside (a title, a TV's name): escaped, bounded.
func (l *line) title(s string) *line {
	s = clip(s, maxSpokenTitle)
	l.ssml.WriteString(escape(s))
	l.plain.WriteString(s)
	return l
}

// number adds a count said as a number.
func (l *line) number(n int64) *line {
	v := strconv.FormatInt(n, 10)
	l.ssml.WriteString(`<say-as interpret-as="cardinal">` + v + `</say-as>`)
	l.plain.WriteString(v)
	return l
}

func (l *line) speech() *Speech {
	return &Speech{Type: "SSML", SSML: "<speak>" + l.ssml.String() + "</speak>"}
}

func (l *line) String() string { return l.plain.String() }

const maxSpokenTitle = 120

var ssmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

func escape(s string) string { return ssmlEscaper.Replace(s) }

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// say builds a line from plain words.
func say(s string) *line { return new(line).text(s) }
