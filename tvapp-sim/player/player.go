// Package player is the TV app's playback state machine. It applies actions
// from the backend (internal/action), de-duplicates them by id, drops stale
// and expired ones, and computes the playback position from an injected
// clock. It does no I/O and is safe for concurrent use.
//
// End of content: when a PLAYING position reaches the content's duration,
// playback stops there (STOPPED, screen "home", position = duration, content
// kept). RESUME of content that stopped at its end starts it over from 0.
// Content without a duration (durationMs 0) never ends.
package player

import (
	"fmt"
	"sync"
	"time"

	"livingroom/internal/action"
)

// PlaybackState is what the player is doing.
type PlaybackState string

// Playback states, as reported in the state JSON.
const (
	Playing PlaybackState = "PLAYING"
	Paused  PlaybackState = "PAUSED"
	Stopped PlaybackState = "STOPPED"
)

// Screen is what the TV shows.
type Screen string

// Screens, as reported in the state JSON.
const (
	ScreenHome    Screen = "home"
	ScreenPlayer  Screen = "player"
	ScreenResults Screen = "results"
)

// Outcome says what Apply did with an action.
type Outcome int

// Outcomes of Apply.
const (
	Applied     Outcome = iota // the action was taken into account (it may change nothing, e.g. PAUSE while stopped)
	Duplicate                  // an action with this id was seen before
	Stale                      // older than the newest action already applied
	Expired                    // older than the maximum age
	Unsupported                // a type the player does not handle
)

func (o Outcome) String() string {
	switch o {
	case Applied:
		return "applied"
	case Duplicate:
		return "duplicate"
	case Stale:
		return "stale"
	case Expired:
		return "expired"
	case Unsupported:
		return "unsupported"
	default:
		return fmt.Sprintf("outcome(%d)", int(o))
	}
}

// Defaults for Options.
const (
	DefaultMaxAge      = 5 * time.Minute
	DefaultRememberIDs = 1024
)

// Options tune the player. Zero fields take the defaults.
type Options struct {
	MaxAge      time.Duration // actions older than this (by the clock) are dropped
	RememberIDs int           // how many recent action ids are kept for de-duplication
}

// Content is what is loaded in the player.
type Content struct {
	ID          string
	Title       string
	SeriesID    string
	SeriesTitle string
	Season      int
	Episode     int
	DurationMs  int64 // 0 when unknown
}

// State is a snapshot of the player.
type State struct {
	Playback     PlaybackState
	Content      *Content // nil when nothing was ever loaded
	PositionMs   int64
	Screen       Screen
	LastActionID string    // the last action applied
	UpdatedAt    time.Time // when the state last changed (by an action or the end of content)
}

// Player holds the state. Create it with New.
type Player struct {
	now    func() time.Time
	maxAge time.Duration

	mu       sync.Mutex
	seen     *idSet
	newest   time.Time // timestamp of the newest applied action
	playback PlaybackState
	content  *Content
	basePos  int64     // position at baseAt
	baseAt   time.Time // when basePos was current; the position advances from here while playing
	screen   Screen
	lastID   string
	updated  time.Time
}

// New returns a stopped player on the home screen.
func New(now func() time.Time, opts Options) *Player {
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultMaxAge
	}
	if opts.RememberIDs <= 0 {
		opts.RememberIDs = DefaultRememberIDs
	}
	t := now()
	return &Player{
		now:      now,
		maxAge:   opts.MaxAge,
		seen:     newIDSet(opts.RememberIDs),
		playback: Stopped,
		screen:   ScreenHome,
		baseAt:   t,
		updated:  t,
	}
}

// ApplyData decodes ADM data into an action and applies it.
func (p *Player) ApplyData(data map[string]string) (action.Action, Outcome, error) {
	a, err := action.Decode(data)
	if err != nil {
		return action.Action{}, 0, fmt.Errorf("apply data: %w", err)
	}
	return a, p.Apply(a), nil
}

// Apply executes one action unless it is a duplicate, stale or expired.
func (p *Player) Apply(a action.Action) Outcome {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.settle(now)

	if !p.seen.add(a.ID) {
		return Duplicate
	}
	if now.Sub(a.Time) > p.maxAge {
		return Expired
	}
	if a.Time.Before(p.newest) {
		return Stale
	}
	switch a.Type {
	case action.PlayContent:
		p.play(now, a)
	case action.Pause:
		p.pause(now)
	case action.Resume:
		p.resume(now)
	case action.Stop:
		p.stop(now)
	default:
		return Unsupported
	}
	p.newest = a.Time
	p.lastID = a.ID
	p.updated = now
	return Applied
}

// Snapshot returns the current state, with the position computed for now.
func (p *Player) Snapshot() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.settle(now)
	s := State{
		Playback:     p.playback,
		PositionMs:   p.positionAt(now),
		Screen:       p.screen,
		LastActionID: p.lastID,
		UpdatedAt:    p.updated,
	}
	if p.content != nil {
		c := *p.content
		s.Content = &c
	}
	return s
}

func (p *Player) play(now time.Time, a action.Action) {
	c := Content{}
	if a.Content != nil {
		c = Content{
			ID:          a.Content.ID,
			Title:       a.Content.Title,
			SeriesID:    a.Content.SeriesID,
			SeriesTitle: a.Content.SeriesTitle,
			Season:      a.Content.Season,
			Episode:     a.Content.Episode,
			DurationMs:  a.Content.DurationMs,
		}
	}
	p.content = &c
	p.basePos = clampPosition(a.PositionMs, c.DurationMs)
	p.baseAt = now
	p.playback = Playing
	p.screen = ScreenPlayer
	// Starting at (or past) the end ends at once.
	p.settle(now)
}

func (p *Player) pause(now time.Time) {
	if p.playback != Playing {
		return
	}
	p.basePos = p.positionAt(now)
	p.baseAt = now
	p.playback = Paused
}

func (p *Player) resume(now time.Time) {
	if p.content == nil || p.playback == Playing {
		return
	}
	if d := p.content.DurationMs; d > 0 && p.basePos >= d {
		p.basePos = 0
	}
	p.baseAt = now
	p.playback = Playing
	p.screen = ScreenPlayer
}

func (p *Player) stop(now time.Time) {
	p.basePos = p.positionAt(now)
	p.baseAt = now
	p.playback = Stopped
	p.screen = ScreenHome
}

// positionAt is the playback position at t.
func (p *Player) positionAt(t time.Time) int64 {
	if p.playback != Playing {
		return p.basePos
	}
	elapsed := max(t.Sub(p.baseAt).Milliseconds(), 0)
	var duration int64
	if p.content != nil {
		duration = p.content.DurationMs
	}
	return clampPosition(p.basePos+elapsed, duration)
}

// settle stops playback that has reached the end of its content, dating the
// change at the moment the end was reached.
func (p *Player) settle(now time.Time) {
	if p.playback != Playing || p.content == nil || p.content.DurationMs <= 0 {
		return
	}
	d := p.content.DurationMs
	if p.positionAt(now) < d {
		return
	}
	endedAt := p.baseAt.Add(time.Duration(d-p.basePos) * time.Millisecond)
	p.basePos = d
	p.baseAt = endedAt
	p.playback = Stopped
	p.screen = ScreenHome
	p.updated = endedAt
}

func clampPosition(pos, duration int64) int64 {
	pos = max(pos, 0)
	if duration > 0 {
		pos = min(pos, duration)
	}
	return pos
}

// idSet remembers the last n ids in insertion order.
type idSet struct {
	ids   map[string]struct{}
	order []string // ring buffer of the remembered ids
	next  int
}

func newIDSet(n int) *idSet {
	return &idSet{ids: make(map[string]struct{}, n), order: make([]string, 0, n)}
}

// add records id and reports whether it was new. When full, the oldest id
// is forgotten.
func (s *idSet) add(id string) bool {
	if _, ok := s.ids[id]; ok {
		return false
	}
	if len(s.order) < cap(s.order) {
		s.order = append(s.order, id)
	} else {
		delete(s.ids, s.order[s.next])
		s.order[s.next] = id
		s.next = (s.next + 1) % len(s.order)
	}
	s.ids[id] = struct{}{}
	return true
}
