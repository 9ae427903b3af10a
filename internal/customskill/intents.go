package customskill

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"livingroom/internal/action"
	"livingroom/internal/catalog"
	"livingroom/internal/device"
	"livingroom/internal/viewing"
)

// target finds the TV a request is for: the one named, the only one, or
// none yet: then question is what to ask to put (the request waits in the
// session attributes).
func (h *Handler) target(ctx context.Context, t *turn, intent string) (dev device.Device, question *Response, err error) {
	devices, err := h.cfg.Devices.List(ctx, t.account.ID)
	if err != nil {
		return device.Device{}, nil, err
	}
	if len(devices) == 0 {
		r := tell(say("You have no TV connected to Living Room yet. Open the Living Room app on your Fire TV to connect it."))
		return device.Device{}, &r, nil
	}
	name, _ := t.slot(SlotTV)
	var matches []device.Device
	if name != "" {
		matches = matchTV(devices, name)
	} else if len(devices) == 1 {
		matches = devices
	}
	if len(matches) == 1 {
		return matches[0], nil, nil
	}
	choices := devices
	if len(matches) > 1 {
		choices = matches
	}
	l := new(line)
	if name != "" && len(matches) == 0 {
		l.text("I couldn't find a TV called ").title(name).text(". ")
	}
	l.text("Which TV: ")
	for i, d := range choices[:min(len(choices), 5)] {
		switch {
		case i > 0 && i == min(len(choices), 5)-1:
			l.text(", or ")
		case i > 0:
			l.text(", ")
		}
		l.title(tvName(d))
	}
	l.text("?")
	title, titleID := t.slot(SlotTitle)
	if t.state.Pending != nil && title == "" {
		title, titleID = t.state.Pending.Title, t.state.Pending.TitleID
	}
	state := sessionState{Pending: &pending{Intent: intent, Title: title, TitleID: titleID}}
	r := ask(l, say("Which TV?"))
	r.SessionAttributes = state.attributes()
	return device.Device{}, &r, nil
}

// matchTV finds the TVs a spoken name means: the same name, or every word
// said found in the TV's name ("bedroom" → "Bedroom TV").
func matchTV(devices []device.Device, spoken string) []device.Device {
	want := tvWords(spoken)
	if len(want) == 0 {
		return nil
	}
	var exact, partial []device.Device
	for _, d := range devices {
		have := tvWords(tvName(d))
		if strings.Join(have, " ") == strings.Join(want, " ") {
			exact = append(exact, d)
			continue
		}
		all := true
		for _, w := range want {
			if !containsWord(have, w) {
				all = false
				break
			}
		}
		if all {
			partial = append(partial, d)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return partial
}

// tvWords folds a TV's name into words, leaving out the ones people add
// or drop ("the", "tv").
func tvWords(s string) []string {
	var out []string
	for _, w := range strings.Fields(catalog.NormalizeTitle(s)) {
		switch w {
		case "the", "tv", "television", "on", "in":
			continue
		}
		out = append(out, w)
	}
	return out
}

func containsWord(ws []string, w string) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}

func tvName(d device.Device) string {
	if d.FriendlyName != "" {
		return d.FriendlyName
	}
	return "your TV"
}

// chooseTV is the answer to "which TV?": the waiting request, now with a TV.
func (h *Handler) chooseTV(ctx context.Context, t *turn) (Response, error) {
	p := t.state.Pending
	if p == nil {
		return ask(say("Sorry, which TV for what? You can say: pause the bedroom TV."), helpReprompt()), nil
	}
	route := h.intents[p.Intent]
	return route(ctx, t)
}

func (h *Handler) whatsPlaying(ctx context.Context, t *turn) (Response, error) {
	dev, q, err := h.target(ctx, t, IntentWhatsPlaying)
	if err != nil || q != nil {
		return deref(q), err
	}
	st, err := h.cfg.Devices.State(ctx, t.account.ID, dev.EndpointID)
	if errors.Is(err, device.ErrNoState) {
		return tell(new(line).text("I haven't heard from ").title(tvName(dev)).text(" yet.")), nil
	}
	if err != nil {
		return Response{}, err
	}
	l := new(line)
	switch {
	case st.Power == device.PowerOff:
		l.title(tvName(dev)).text(" is off.")
	case st.Channel != nil:
		c := st.Channel
		l.text("On ").title(tvName(dev)).text(", ")
		if c.ProgramTitle != "" {
			l.title(c.ProgramTitle).text(" is on ")
		} else {
			l.text("it's on ")
		}
		l.title(cmpOr(c.Name, c.CallSign))
		if c.Number != "" {
			l.text(", channel ").title(c.Number)
		}
		l.text(".")
	case st.Content != nil && st.Playback != device.PlaybackStopped:
		l.text("On ").title(tvName(dev)).text(", ")
		describe(l, st.Content.Title, st.Content.SeriesTitle, st.Content.Season, st.Content.Episode)
		minutes := st.PositionAt(h.cfg.Now()) / 60_000
		if st.Playback == device.PlaybackPaused {
			l.text(" is paused")
		} else {
			l.text(" is playing")
		}
		if minutes > 0 {
			l.text(", ").number(minutes).text(plural(minutes, " minute", " minutes")).text(" in")
		}
		l.text(".")
	default:
		l.text("Nothing is playing on ").title(tvName(dev)).text(".")
	}
	return tell(l), nil
}

// describe names a work: "Title" or "Series, season S, episode E, Title".
func describe(l *line, title, seriesTitle string, season, episode int) {
	if seriesTitle == "" {
		l.title(title)
		return
	}
	l.title(seriesTitle)
	if season > 0 {
		l.text(", season ").number(int64(season))
	}
	if episode > 0 {
		l.text(", episode ").number(int64(episode))
	}
	if title != "" && title != seriesTitle {
		l.text(", ").title(title)
	}
}

func (h *Handler) playTitle(ctx context.Context, t *turn) (Response, error) {
	title, titleID := t.slot(SlotTitle)
	if title == "" && t.state.Pending != nil {
		title, titleID = t.state.Pending.Title, t.state.Pending.TitleID
	}
	if title == "" && titleID == "" {
		return ask(say("What would you like to watch? Say, for example: play Prey on the living room TV."), say("What would you like to watch?")), nil
	}
	if err := t.account.CanWatch(); err != nil {
		return Response{}, err
	}
	q := catalog.Query{Title: title}
	if titleID != "" {
		q.ExternalIDs = map[string]string{h.cfg.SourceID: titleID}
	}
	play, err := h.cfg.Content.ResolvePlay(ctx, q, h.progressOf(t.account.ID))
	if err != nil {
		return Response{}, err
	}
	if !play.Work.AvailableAt(h.cfg.Now()) {
		return Response{}, fmt.Errorf("play %s: %w", play.Work.ID, catalog.ErrUnavailable)
	}
	return h.playOn(ctx, t, IntentPlayTitle, play)
}

// playOn sends a play to the TV and says what and where.
func (h *Handler) playOn(ctx context.Context, t *turn, intent string, play catalog.Play) (Response, error) {
	dev, q, err := h.target(ctx, t, intent)
	if err != nil || q != nil {
		return deref(q), err
	}
	w := play.Work
	a := action.Action{Type: action.PlayContent, PositionMs: play.PositionMs, Content: &action.Content{
		ID: w.ID, Title: w.Title, SeriesID: w.SeriesID, SeriesTitle: w.SeriesTitle,
		Season: w.Season, Episode: w.Episode, DurationMs: int64(w.RuntimeMinutes) * 60_000,
	}}
	if _, err := h.cfg.Devices.Send(ctx, dev, a); err != nil {
		return Response{}, err
	}
	l := new(line)
	if play.PositionMs > 0 {
		l.text("Continuing ")
	} else {
		l.text("Playing ")
	}
	describe(l, w.Title, w.SeriesTitle, w.Season, w.Episode)
	l.text(" on ").title(tvName(dev)).text(".")
	return tell(l), nil
}

func (h *Handler) control(t action.Type) intentFunc {
	intent := IntentPause
	if t == action.Resume {
		intent = IntentResume
	}
	return func(ctx context.Context, tr *turn) (Response, error) {
		dev, q, err := h.target(ctx, tr, intent)
		if err != nil || q != nil {
			return deref(q), err
		}
		if _, err := h.cfg.Devices.Send(ctx, dev, action.Action{Type: t}); err != nil {
			return Response{}, err
		}
		verb := "Paused "
		if t == action.Resume {
			verb = "Resumed "
		}
		return tell(say(verb).title(tvName(dev)).text(".")), nil
	}
}

// whatsNew names the next episode of each series the account watches
// lately: new to this viewer.
func (h *Handler) whatsNew(ctx context.Context, t *turn) (Response, error) {
	ps, err := h.cfg.Viewing.ListProgress(ctx, t.account.ID, maxProgressRead)
	if err != nil {
		return Response{}, err
	}
	var next []catalog.Work
	for _, p := range ps {
		w, err := h.cfg.Content.NextEpisode(ctx, p.SeriesID, p.Season, p.Episode)
		switch {
		case errors.Is(err, catalog.ErrNotFound):
			continue
		case err != nil:
			return Response{}, err
		}
		next = append(next, w)
	}
	if len(next) == 0 {
		return tell(say("Nothing new in the shows you watch. Say, for example, play Prey to start something.")), nil
	}
	l := say("New for you: ")
	for i, w := range next {
		if i > 0 {
			l.text("; ")
		}
		describe(l, w.Title, w.SeriesTitle, w.Season, w.Episode)
	}
	l.text(".")
	return tell(l), nil
}

// continueWatching plays the series watched last where the viewer left it
// (or its next episode), on the TV.
func (h *Handler) continueWatching(ctx context.Context, t *turn) (Response, error) {
	if err := t.account.CanWatch(); err != nil {
		return Response{}, err
	}
	ps, err := h.cfg.Viewing.ListProgress(ctx, t.account.ID, maxProgressRead)
	if err != nil {
		return Response{}, err
	}
	for _, p := range ps {
		play, err := h.cfg.Content.ResolvePlay(ctx, catalog.Query{ExternalIDs: map[string]string{h.cfg.SourceID: p.SeriesID}}, h.progressOf(t.account.ID))
		switch {
		case errors.Is(err, catalog.ErrNotFound):
			continue // gone from the catalog
		case err != nil:
			return Response{}, err
		}
		return h.playOn(ctx, t, IntentContinue, play)
	}
	return tell(say("You haven't started anything yet. Say, for example, play Prey.")), nil
}

func (h *Handler) progressOf(accountID string) catalog.ProgressFunc {
	return func(ctx context.Context, seriesID string) (catalog.Progress, bool, error) {
		p, err := h.cfg.Viewing.GetProgress(ctx, accountID, seriesID)
		if errors.Is(err, viewing.ErrNotFound) {
			return catalog.Progress{}, false, nil
		}
		if err != nil {
			return catalog.Progress{}, false, err
		}
		return catalog.Progress{Season: p.Season, Episode: p.Episode, PositionMs: p.PositionMs, Finished: p.Finished()}, true, nil
	}
}

func deref(r *Response) Response {
	if r == nil {
		return Response{}
	}
	return *r
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
