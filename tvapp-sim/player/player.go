// Package player is the TV app's state machine. It applies actions from the
// backend (internal/action), de-duplicates them by id, drops stale and
// expired ones, and computes the playback position from an injected clock.
// It does no I/O and is safe for concurrent use.
//
// Screens and playback: the player screen is the only one that plays. PLAY,
// RESUME, START_OVER, TUNE_CHANNEL and SELECT on a result go to it; STOP,
// BACK, LAUNCH and SHOW_RESULTS leave it, stopping playback but keeping the
// content, channel and position (RESUME picks them up again).
//
// End of content: when a PLAYING position reaches the content's duration,
// playback stops there (STOPPED, screen "home", position = duration, content
// kept). RESUME of content that stopped at its end starts it over from 0.
// Content without a duration (durationMs 0, e.g. live TV) never ends.
//
// Power: POWER OFF shows the black "off" screen and stops playback (content
// kept). While off, every action but POWER ON is Ignored. POWER ON shows home.
package player

import (
	"fmt"
	"slices"
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
	ScreenHome       Screen = "home"
	ScreenPlayer     Screen = "player"
	ScreenResults    Screen = "results"
	ScreenSettings   Screen = "settings"
	ScreenSearch     Screen = "search"
	ScreenGuide      Screen = "guide"
	ScreenRecordings Screen = "recordings"
	ScreenOff        Screen = "off" // the TV is off: a black screen
)

// Power is whether the TV is on.
type Power string

// Power states, as reported in the state JSON.
const (
	PowerOn  Power = "ON"
	PowerOff Power = "OFF"
)

// Outcome says what Apply did with an action.
type Outcome int

// Outcomes of Apply. New ones are added at the end.
const (
	Applied     Outcome = iota // the action was taken into account (it may change nothing, e.g. PAUSE while stopped)
	Duplicate                  // an action with this id was seen before
	Stale                      // older than the newest action already applied
	Expired                    // older than the maximum age
	Unsupported                // a type the player does not handle
	Ignored                    // the TV is off and the action is not POWER ON
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
	case Ignored:
		return "ignored"
	default:
		return fmt.Sprintf("outcome(%d)", int(o))
	}
}

// Defaults for Options.
const (
	// DefaultMaxAge is short on purpose: the skill tells Alexa an action
	// failed when device messaging does not accept it within about a second,
	// and such an action must never be applied later.
	DefaultMaxAge      = action.MaxAge
	DefaultRememberIDs = 1024
	MaxRecordings      = 50 // the recordings list keeps the newest this many
	ResultColumns      = 5  // the results screen is a grid this wide
)

// Options tune the player. Zero fields take the defaults.
type Options struct {
	MaxAge      time.Duration // actions older than this (by the clock) are dropped
	RememberIDs int           // how many recent action ids are kept for de-duplication
	// OnChange, when set, is called (without locks held) after every applied
	// action. The end of content is not an action: a Snapshot notices it.
	OnChange func()
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

// Channel is the live channel tuned, with the programme on air.
type Channel struct {
	Number       string
	CallSign     string
	Name         string
	ProgramID    string
	ProgramTitle string
}

// Result is one item of the results screen.
type Result struct {
	ID    string
	Title string
	Kind  string // movie, series, episode, channel
}

// Recording is one entry of the recordings list.
type Recording struct {
	ContentID     string
	Title         string
	ChannelNumber string
	CallSign      string
	RecordedAt    time.Time
}

// State is a snapshot of the player. Slices and pointers are copies.
type State struct {
	Power         Power
	Playback      PlaybackState
	Content       *Content // nil when nothing was ever loaded
	Channel       *Channel // nil unless live TV was tuned last
	PositionMs    int64
	Screen        Screen
	Results       []Result // the results screen's items, best first; empty elsewhere
	SelectedIndex int      // the highlighted result
	Recordings    []Recording
	LastActionID  string    // the last action applied
	UpdatedAt     time.Time // when the state last changed (by an action or the end of content)
	Volume        int       // 0..action.MaxVolume
	Muted         bool
	Input         string // one of action.Inputs
}

// Player holds the state. Create it with New.
type Player struct {
	now      func() time.Time
	maxAge   time.Duration
	onChange func()

	mu         sync.Mutex
	seen       *idSet
	newest     time.Time // timestamp of the newest applied action
	power      Power
	playback   PlaybackState
	content    *Content
	channel    *Channel
	basePos    int64     // position at baseAt
	baseAt     time.Time // when basePos was current; the position advances from here while playing
	screen     Screen
	results    []Result
	selected   int
	recordings []Recording // newest first
	lastID     string
	updated    time.Time
	volume     int
	muted      bool
	input      string
}

// New returns a stopped player, powered on, on the home screen.
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
		onChange: opts.OnChange,
		seen:     newIDSet(opts.RememberIDs),
		power:    PowerOn,
		playback: Stopped,
		screen:   ScreenHome,
		baseAt:   t,
		updated:  t,
		volume:   action.DefaultVolume,
		input:    action.Inputs[0],
	}
}

// MaxAge is the age beyond which actions are dropped.
func (p *Player) MaxAge() time.Duration { return p.maxAge }

// ApplyData decodes ADM data into an action and applies it.
func (p *Player) ApplyData(data map[string]string) (action.Action, Outcome, error) {
	a, err := action.Decode(data)
	if err != nil {
		return action.Action{}, 0, fmt.Errorf("apply data: %w", err)
	}
	return a, p.Apply(a), nil
}

// Apply executes one action unless it is a duplicate, expired, stale,
// unsupported, or arrives while the TV is off.
func (p *Player) Apply(a action.Action) Outcome {
	o := p.apply(a)
	if o == Applied && p.onChange != nil {
		p.onChange()
	}
	return o
}

func (p *Player) apply(a action.Action) Outcome {
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
	if p.power == PowerOff && !(a.Type == action.PowerSet && a.Power == action.PowerOn) {
		return Ignored
	}
	switch a.Type {
	case action.PlayContent:
		p.play(now, contentOf(a.Content), a.PositionMs)
	case action.Pause:
		p.pause(now)
	case action.Resume:
		p.resume(now)
	case action.Stop:
		p.leavePlayer(now, ScreenHome)
	case action.StartOver:
		p.startOver(now)
	case action.Seek:
		p.seek(now, a.DeltaMs)
	case action.TuneChannel:
		p.tune(now, a.Channel)
	case action.ShowResults:
		p.showResults(now, a.Results)
	case action.Launch:
		p.leavePlayer(now, Screen(a.Target))
	case action.Keystroke:
		p.keystroke(now, a.Key)
	case action.PowerSet:
		p.setPower(now, a.Power)
	case action.Record:
		p.record(now, a.Recording)
	case action.Volume:
		if a.SetVolume {
			p.volume = a.VolumeLevel
		} else {
			p.volume = min(max(p.volume+a.VolumeDelta, 0), action.MaxVolume)
		}
	case action.Mute:
		p.muted = a.Muted
	case action.Input:
		if !slices.Contains(action.Inputs, a.InputName) {
			return Unsupported
		}
		p.input = a.InputName
	default:
		return Unsupported
	}
	p.newest = a.Time
	p.lastID = a.ID
	p.updated = now
	return Applied
}

// TurnOff turns the TV off at the TV (its remote's power button), not by
// an action: no id, no age, nothing to de-duplicate. It reports whether the
// TV was on.
func (p *Player) TurnOff() bool {
	p.mu.Lock()
	now := p.now()
	p.settle(now)
	wasOn := p.power == PowerOn
	if wasOn {
		p.setPower(now, action.PowerOff)
		p.updated = now
	}
	p.mu.Unlock()
	if wasOn && p.onChange != nil {
		p.onChange()
	}
	return wasOn
}

// Snapshot returns the current state, with the position computed for now.
func (p *Player) Snapshot() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.settle(now)
	s := State{
		Power:         p.power,
		Playback:      p.playback,
		PositionMs:    p.positionAt(now),
		Screen:        p.screen,
		Results:       append([]Result{}, p.results...),
		SelectedIndex: p.selected,
		Recordings:    append([]Recording{}, p.recordings...),
		LastActionID:  p.lastID,
		UpdatedAt:     p.updated,
		Volume:        p.volume,
		Muted:         p.muted,
		Input:         p.input,
	}
	if p.content != nil {
		c := *p.content
		s.Content = &c
	}
	if p.channel != nil {
		c := *p.channel
		s.Channel = &c
	}
	return s
}

func contentOf(c *action.Content) Content {
	if c == nil {
		return Content{}
	}
	return Content{
		ID:          c.ID,
		Title:       c.Title,
		SeriesID:    c.SeriesID,
		SeriesTitle: c.SeriesTitle,
		Season:      c.Season,
		Episode:     c.Episode,
		DurationMs:  c.DurationMs,
	}
}

// play loads on-demand content: live TV is no longer tuned.
func (p *Player) play(now time.Time, c Content, positionMs int64) {
	p.channel = nil
	p.startPlaying(now, &c, positionMs)
}

func (p *Player) startPlaying(now time.Time, c *Content, positionMs int64) {
	p.content = c
	var duration int64
	if c != nil {
		duration = c.DurationMs
	}
	p.basePos = clampPosition(positionMs, duration)
	p.baseAt = now
	p.playback = Playing
	p.showScreen(ScreenPlayer)
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
	if !p.loaded() || p.playback == Playing {
		return
	}
	if d := p.duration(); d > 0 && p.basePos >= d {
		p.basePos = 0
	}
	p.baseAt = now
	p.playback = Playing
	p.showScreen(ScreenPlayer)
}

// leavePlayer shows another screen; playback stops, content and position stay.
func (p *Player) leavePlayer(now time.Time, s Screen) {
	p.basePos = p.positionAt(now)
	p.baseAt = now
	p.playback = Stopped
	p.showScreen(s)
}

func (p *Player) startOver(now time.Time) {
	if !p.loaded() {
		return
	}
	p.startPlaying(now, p.content, 0)
}

// seek moves the position by delta, clamped to the content, keeping the
// playback state. Nothing loaded, nothing to move.
func (p *Player) seek(now time.Time, deltaMs int64) {
	if !p.loaded() {
		return
	}
	p.basePos = clampPosition(p.positionAt(now)+deltaMs, p.duration())
	p.baseAt = now
	p.settle(now)
}

// tune shows live TV: the channel, and the programme on air as the content.
func (p *Player) tune(now time.Time, c *action.Channel) {
	if c == nil {
		return // Decode never yields this
	}
	p.channel = &Channel{Number: c.Number, CallSign: c.CallSign, Name: c.Name, ProgramID: c.ProgramID, ProgramTitle: c.ProgramTitle}
	// Content is a catalog item, so it needs an id; a programme known only
	// by its title stays in the channel's programTitle.
	var programme *Content
	if c.ProgramID != "" {
		programme = &Content{ID: c.ProgramID, Title: c.ProgramTitle}
	}
	p.startPlaying(now, programme, 0)
}

func (p *Player) showResults(now time.Time, rs []action.Result) {
	p.leavePlayer(now, ScreenResults)
	p.results = make([]Result, len(rs))
	for i, r := range rs {
		p.results[i] = Result{ID: r.ID, Title: r.Title, Kind: string(r.Kind)}
	}
	p.selected = 0
}

// keystroke: on the results screen the arrows move the selection over a
// grid of ResultColumns, SELECT plays the selected result and BACK goes
// home; elsewhere BACK goes home and other keys change nothing.
func (p *Player) keystroke(now time.Time, k action.Key) {
	if k == action.KeyBack {
		p.leavePlayer(now, ScreenHome)
		return
	}
	if p.screen != ScreenResults || len(p.results) == 0 {
		return
	}
	i, n := p.selected, len(p.results)
	switch k {
	case action.KeyUp:
		if i-ResultColumns >= 0 {
			i -= ResultColumns
		}
	case action.KeyDown:
		if i+ResultColumns < n {
			i += ResultColumns
		}
	case action.KeyLeft:
		if i%ResultColumns > 0 {
			i--
		}
	case action.KeyRight:
		if i%ResultColumns < ResultColumns-1 && i+1 < n {
			i++
		}
	case action.KeySelect:
		r := p.results[i]
		p.play(now, Content{ID: r.ID, Title: r.Title}, 0)
		return
	}
	p.selected = i
}

func (p *Player) setPower(now time.Time, power action.Power) {
	switch power {
	case action.PowerOff:
		p.leavePlayer(now, ScreenOff)
		p.power = PowerOff
	case action.PowerOn:
		if p.power == PowerOff {
			p.power = PowerOn
			p.showScreen(ScreenHome)
		}
	}
}

// record adds r to the front of the recordings; recording the same thing
// again moves it to the front.
func (p *Player) record(now time.Time, r *action.Recording) {
	if r == nil {
		return // Decode never yields this
	}
	rec := Recording{ContentID: r.ContentID, Title: r.Title, ChannelNumber: r.ChannelNumber, CallSign: r.CallSign, RecordedAt: now}
	kept := make([]Recording, 0, min(len(p.recordings)+1, MaxRecordings))
	kept = append(kept, rec)
	for _, old := range p.recordings {
		if len(kept) == MaxRecordings {
			break
		}
		if old.ContentID == rec.ContentID && old.CallSign == rec.CallSign && old.Title == rec.Title {
			continue
		}
		kept = append(kept, old)
	}
	p.recordings = kept
}

// showScreen changes the screen; the results live only on their screen.
func (p *Player) showScreen(s Screen) {
	p.screen = s
	if s != ScreenResults {
		p.results = nil
		p.selected = 0
	}
}

// loaded reports whether there is something to play: content or a channel.
func (p *Player) loaded() bool { return p.content != nil || p.channel != nil }

func (p *Player) duration() int64 {
	if p.content == nil {
		return 0
	}
	return p.content.DurationMs
}

// positionAt is the playback position at t.
func (p *Player) positionAt(t time.Time) int64 {
	if p.playback != Playing {
		return p.basePos
	}
	elapsed := max(t.Sub(p.baseAt).Milliseconds(), 0)
	return clampPosition(p.basePos+elapsed, p.duration())
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
	p.showScreen(ScreenHome)
	p.updated = endedAt
}

// clampPosition keeps pos within the content, or within action.MaxMillis
// when the duration is unknown (live TV seeks have no other end).
func clampPosition(pos, duration int64) int64 {
	if duration <= 0 {
		duration = action.MaxMillis
	}
	return min(max(pos, 0), duration)
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
