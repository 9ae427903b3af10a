package screen

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"
	"unicode"
)

//go:embed page.html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("page").Parse(pageSource))

// pageData is what the server-rendered page shows; the inline script keeps
// it current from the event stream.
type pageData struct {
	Shown      string       // the title on the player: the content's, else the live programme's
	Hue        int          // the artwork's hue, drawn from the title
	Initials   string       // the artwork's letters
	ArtStyle   template.CSS // the artwork's gradient
	Results    []resultView
	Background bool // the app is in the background (fault)
	State      State
	Subtitle   string
	Position   string
	Duration   string
	Progress   string // percent of the duration played, for the bar width
	Channel    string // "number · call sign · name" of the live channel
	Menu       string // the screen's name on the menu screens (settings, search, guide, recordings)
}

func newPageData(st State) pageData {
	d := pageData{
		State:    st,
		Position: formatClock(st.PositionMs),
		Duration: formatClock(st.DurationMs),
		Progress: "0",
	}
	if st.DurationMs > 0 {
		d.Progress = fmt.Sprintf("%.1f", 100*float64(min(st.PositionMs, st.DurationMs))/float64(st.DurationMs))
	}
	if c := st.Content; c != nil {
		d.Subtitle = subtitle(*c)
	}
	if c := st.Channel; c != nil {
		d.Channel = channelLine(*c)
	}
	shown := ""
	switch {
	case st.Content != nil:
		shown = st.Content.Title
	case st.Channel != nil:
		shown = cmp.Or(st.Channel.ProgramTitle, st.Channel.Name, st.Channel.CallSign)
	}
	d.Shown = shown
	d.Hue, d.Initials, d.ArtStyle = hue(shown), initials(shown), artStyle(shown)
	for _, r := range st.Results {
		d.Results = append(d.Results, resultView{Result: r, Initials: initials(r.Title), ArtStyle: artStyle(r.Title)})
	}
	d.Background = slices.Contains(st.Faults, "background") && st.Power != "OFF"
	switch st.Screen {
	case "settings", "search", "guide", "recordings":
		d.Menu = st.Screen
	}
	return d
}

// resultView is a results tile.
type resultView struct {
	Result
	Initials string
	ArtStyle template.CSS
}

// hue draws the artwork's colour from the title, so each title keeps its
// colour. The page script has the same rule.
func hue(title string) int {
	var h uint32
	for _, r := range title {
		h = h*31 + uint32(r)
	}
	return int(h % 360)
}

// initials are the first letters of the title's first two words, articles
// left out. The page script has the same rule.
func initials(title string) string {
	var out []rune
	for _, w := range strings.Fields(title) {
		switch strings.ToLower(w) {
		case "the", "a", "an":
			continue
		}
		out = append(out, unicode.ToUpper([]rune(w)[0]))
		if len(out) == 2 {
			break
		}
	}
	return string(out)
}

// artStyle is the artwork placeholder: a gradient of the title's hue. It is
// built from numbers only, so it is safe as CSS.
func artStyle(title string) template.CSS {
	h := hue(title)
	return template.CSS(fmt.Sprintf("background: linear-gradient(135deg, hsl(%d, 55%%, 32%%), hsl(%d, 65%%, 12%%))", h, (h+40)%360))
}

// subtitle renders "Series · S1 E2" (the parts that exist). The page script
// has the same rule.
func subtitle(c Content) string {
	s := c.SeriesTitle
	var ep string
	if c.Season > 0 {
		ep = fmt.Sprintf("S%d", c.Season)
	}
	if c.Episode > 0 {
		if ep != "" {
			ep += " "
		}
		ep += fmt.Sprintf("E%d", c.Episode)
	}
	if s != "" && ep != "" {
		return s + " · " + ep
	}
	return s + ep
}

// channelLine renders "1234 · KTVX · Channel Four" (the parts that exist).
// The page script has the same rule.
func channelLine(c Channel) string {
	var parts []string
	for _, p := range []string{c.Number, c.CallSign, c.Name} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}

// formatClock renders milliseconds as h:mm:ss or m:ss. The page script has
// the same rule.
func formatClock(ms int64) string {
	d := time.Duration(max(ms, 0)) * time.Millisecond
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}
