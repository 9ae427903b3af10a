package screen

import (
	_ "embed"
	"fmt"
	"html/template"
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
