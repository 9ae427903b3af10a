package screen

import (
	_ "embed"
	"fmt"
	"html/template"
	"strings"
	"time"
)

//go:embed page.html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("page").Parse(pageSource))

// pageData is what the server-rendered page shows; the inline script keeps
// it current by polling the state.
type pageData struct {
	State    State
	Subtitle string
	Position string
	Duration string
	Progress string // percent of the duration played, for the bar width
	Channel  string // "number · call sign · name" of the live channel
	Menu     string // the screen's name on the menu screens (settings, search, guide, recordings)
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
	switch st.Screen {
	case "settings", "search", "guide", "recordings":
		d.Menu = st.Screen
	}
	return d
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
