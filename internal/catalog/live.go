package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ChannelQuery is how a viewer names a channel: Alexa's ChangeChannel
// fields, tried in this order.
type ChannelQuery struct {
	Number    string
	CallSign  string
	Affiliate string
	Name      string
}

// Channel finds one channel: by number, call sign, affiliate call sign,
// then spoken name (which may also be a call sign, "ESPN").
func (r *Resolver) Channel(ctx context.Context, q ChannelQuery) (Channel, error) {
	refs := []ChannelRef{}
	if q.Number != "" {
		refs = append(refs, ChannelRef{Number: q.Number})
	}
	if q.CallSign != "" {
		refs = append(refs, ChannelRef{CallSign: q.CallSign})
	}
	if q.Affiliate != "" {
		refs = append(refs, ChannelRef{CallSign: q.Affiliate})
	}
	if NormalizeTitle(q.Name) != "" {
		refs = append(refs, ChannelRef{Name: q.Name}, ChannelRef{CallSign: strings.ReplaceAll(q.Name, " ", "")})
	}
	for _, ref := range refs {
		chs, err := r.index.FindChannel(ctx, ref)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Channel{}, fmt.Errorf("find channel: %w", err)
		}
		if len(chs) > 0 {
			return chs[0], nil
		}
	}
	return Channel{}, fmt.Errorf("find channel: no match: %w", ErrNotFound)
}

// SkipChannels returns the channel count positions away from the one with
// the given id in the line-up, wrapping around at either end. From an
// unknown channel it starts before the first.
func (r *Resolver) SkipChannels(ctx context.Context, fromID string, count int) (Channel, error) {
	lineup, err := r.index.Lineup(ctx)
	if err != nil {
		return Channel{}, fmt.Errorf("skip channels: %w", err)
	}
	at := slices.IndexFunc(lineup, func(c Channel) bool { return c.ID == fromID })
	if at < 0 && count > 0 {
		at = -1
	} else if at < 0 {
		at = 0
	}
	n := len(lineup)
	return lineup[((at+count)%n+n)%n], nil
}

// ChannelOfGenre returns the first channel of the line-up that carries a
// genre ("Sports" for a Sport entity).
func (r *Resolver) ChannelOfGenre(ctx context.Context, genre string) (Channel, error) {
	lineup, err := r.index.Lineup(ctx)
	if err != nil {
		return Channel{}, fmt.Errorf("channel of genre: %w", err)
	}
	want := NormalizeGenre(genre)
	for _, c := range lineup {
		if slices.ContainsFunc(c.Genres, func(g string) bool { return NormalizeGenre(g) == want }) {
			return c, nil
		}
	}
	return Channel{}, fmt.Errorf("no channel of genre: %w", ErrNotFound)
}

// SearchQuery is what SearchAndDisplayResults asks for; empty fields are
// not constraints.
type SearchQuery struct {
	Title     string
	Genre     string
	Actor     string
	Director  string
	MediaType string
}

// Search returns up to limit movies and series matching every given field,
// best first: the first given of title, actor, director, genre chooses the
// candidates (one lookup), the others filter them.
func (r *Resolver) Search(ctx context.Context, q SearchQuery, limit int) ([]Work, error) {
	const candidates = 200
	var ws []Work
	var err error
	switch {
	case NormalizeTitle(q.Title) != "":
		ws, err = r.index.FindByTitle(ctx, q.Title)
	case NormalizePerson(q.Actor) != "":
		ws, err = r.index.FindByPerson(ctx, q.Actor, candidates)
	case NormalizePerson(q.Director) != "":
		ws, err = r.index.FindByPerson(ctx, q.Director, candidates)
	case NormalizeGenre(q.Genre) != "":
		ws, err = r.index.FindByGenre(ctx, q.Genre, candidates)
	default:
		return nil, fmt.Errorf("search: nothing to search for: %w", ErrNotFound)
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("search: %w", err)
	}
	var out []Work
	for _, w := range ws {
		if w.Kind != Movie && w.Kind != Series {
			continue
		}
		if q.MediaType != "" && !matchesMediaType(w.Kind, q.MediaType) {
			continue
		}
		if q.Genre != "" && !hasFolded(w.Genres, NormalizeGenre(q.Genre)) {
			continue
		}
		if q.Actor != "" && !hasFolded(w.Actors, NormalizePerson(q.Actor)) {
			continue
		}
		if q.Director != "" && !hasFolded(w.Directors, NormalizePerson(q.Director)) {
			continue
		}
		out = append(out, w)
		if len(out) == limit {
			break
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("search: no match: %w", ErrNotFound)
	}
	return out, nil
}

func hasFolded(values []string, folded string) bool {
	return slices.ContainsFunc(values, func(v string) bool { return NormalizeTitle(v) == folded })
}

// ErrUnavailable reports content outside every availability window.
var ErrUnavailable = errors.New("content not available now")

// AvailableAt reports whether a work can be watched at t: no windows means
// always; otherwise some window (subscription or free) must hold t. A window
// bound is a date (the whole day, UTC) or an RFC 3339 time; an unreadable
// bound does not restrict.
func (w Work) AvailableAt(t time.Time) bool {
	if len(w.Availability) == 0 {
		return true
	}
	for _, win := range w.Availability {
		start, okStart := windowBound(win.Start, false)
		end, okEnd := windowBound(win.End, true)
		if (!okStart || !t.Before(start)) && (!okEnd || t.Before(end)) {
			return true
		}
	}
	return false
}

// windowBound reads a window bound; a date's end is the end of that day.
func windowBound(s string, end bool) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, true
	}
	return time.Time{}, false
}
