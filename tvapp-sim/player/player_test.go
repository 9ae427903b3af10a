package player

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"livingroom/internal/clocktest"

	"livingroom/internal/action"
)

var t0 = time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)

var episode = &action.Content{
	ID: "ep-1-2", Title: "Late", SeriesID: "series-hm", SeriesTitle: "The Handmaid's Tale",
	Season: 1, Episode: 2, DurationMs: 60_000,
}

// step advances the clock, then applies act (when set) and checks the outcome.
type step struct {
	advance time.Duration
	act     *action.Action
	want    Outcome
}

// at builds an action issued offset from t0.
func at(id string, offset time.Duration, typ action.Type) *action.Action {
	return &action.Action{ID: id, Time: t0.Add(offset), Type: typ}
}

func playAt(id string, offset time.Duration, pos int64, c *action.Content) *action.Action {
	a := at(id, offset, action.PlayContent)
	a.Content = c
	a.PositionMs = pos
	return a
}

func TestPlayerTransitions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		steps     []step
		playback  PlaybackState
		screen    Screen
		position  int64
		contentID string // "" when no content
		lastID    string
		updatedAt time.Duration // offset from t0
	}{
		{
			name:     "initial state",
			playback: Stopped, screen: ScreenHome,
		},
		{
			name:     "play starts at the given position",
			steps:    []step{{act: playAt("a1", 0, 5_000, episode), want: Applied}},
			playback: Playing, screen: ScreenPlayer, position: 5_000, contentID: "ep-1-2", lastID: "a1",
		},
		{
			name: "position advances while playing",
			steps: []step{
				{act: playAt("a1", 0, 5_000, episode), want: Applied},
				{advance: 2500 * time.Millisecond},
			},
			playback: Playing, screen: ScreenPlayer, position: 7_500, contentID: "ep-1-2", lastID: "a1",
		},
		{
			name: "pause freezes the position",
			steps: []step{
				{act: playAt("a1", 0, 0, episode), want: Applied},
				{advance: 3 * time.Second, act: at("a2", 3*time.Second, action.Pause), want: Applied},
				{advance: 10 * time.Second},
			},
			playback: Paused, screen: ScreenPlayer, position: 3_000, contentID: "ep-1-2", lastID: "a2", updatedAt: 3 * time.Second,
		},
		{
			name: "resume continues from the paused position",
			steps: []step{
				{act: playAt("a1", 0, 0, episode), want: Applied},
				{advance: 3 * time.Second, act: at("a2", 3*time.Second, action.Pause), want: Applied},
				{advance: 10 * time.Second, act: at("a3", 13*time.Second, action.Resume), want: Applied},
				{advance: 2 * time.Second},
			},
			playback: Playing, screen: ScreenPlayer, position: 5_000, contentID: "ep-1-2", lastID: "a3", updatedAt: 13 * time.Second,
		},
		{
			name: "stop goes home and keeps content and position",
			steps: []step{
				{act: playAt("a1", 0, 1_000, episode), want: Applied},
				{advance: 4 * time.Second, act: at("a2", 4*time.Second, action.Stop), want: Applied},
				{advance: 10 * time.Second},
			},
			playback: Stopped, screen: ScreenHome, position: 5_000, contentID: "ep-1-2", lastID: "a2", updatedAt: 4 * time.Second,
		},
		{
			name: "resume after stop plays the content again",
			steps: []step{
				{act: playAt("a1", 0, 1_000, episode), want: Applied},
				{advance: 4 * time.Second, act: at("a2", 4*time.Second, action.Stop), want: Applied},
				{advance: time.Second, act: at("a3", 5*time.Second, action.Resume), want: Applied},
				{advance: time.Second},
			},
			playback: Playing, screen: ScreenPlayer, position: 6_000, contentID: "ep-1-2", lastID: "a3", updatedAt: 5 * time.Second,
		},
		{
			name: "pause without content changes nothing but is applied",
			steps: []step{
				{act: at("a1", 0, action.Pause), want: Applied},
			},
			playback: Stopped, screen: ScreenHome, lastID: "a1",
		},
		{
			name: "resume without content stays home",
			steps: []step{
				{act: at("a1", 0, action.Resume), want: Applied},
			},
			playback: Stopped, screen: ScreenHome, lastID: "a1",
		},
		{
			name: "pause while stopped stays stopped",
			steps: []step{
				{act: playAt("a1", 0, 0, episode), want: Applied},
				{advance: time.Second, act: at("a2", time.Second, action.Stop), want: Applied},
				{advance: time.Second, act: at("a3", 2*time.Second, action.Pause), want: Applied},
			},
			playback: Stopped, screen: ScreenHome, position: 1_000, contentID: "ep-1-2", lastID: "a3", updatedAt: 2 * time.Second,
		},
		{
			name: "play replaces content",
			steps: []step{
				{act: playAt("a1", 0, 0, episode), want: Applied},
				{advance: time.Second, act: playAt("a2", time.Second, 0, &action.Content{ID: "movie-1", Title: "Heat", DurationMs: 600_000}), want: Applied},
				{advance: time.Second},
			},
			playback: Playing, screen: ScreenPlayer, position: 1_000, contentID: "movie-1", lastID: "a2", updatedAt: time.Second,
		},
		{
			name: "playback stops at the end of the content",
			steps: []step{
				{act: playAt("a1", 0, 50_000, episode), want: Applied},
				{advance: time.Minute},
			},
			playback: Stopped, screen: ScreenHome, position: 60_000, contentID: "ep-1-2", lastID: "a1", updatedAt: 10 * time.Second,
		},
		{
			name: "resume at the end starts over",
			steps: []step{
				{act: playAt("a1", 0, 59_000, episode), want: Applied},
				{advance: 2 * time.Second, act: at("a2", 2*time.Second, action.Resume), want: Applied},
				{advance: 3 * time.Second},
			},
			playback: Playing, screen: ScreenPlayer, position: 3_000, contentID: "ep-1-2", lastID: "a2", updatedAt: 2 * time.Second,
		},
		{
			name:     "start position beyond the end is clamped and ends",
			steps:    []step{{act: playAt("a1", 0, 90_000, episode), want: Applied}},
			playback: Stopped, screen: ScreenHome, position: 60_000, contentID: "ep-1-2", lastID: "a1",
		},
		{
			name: "unknown duration never ends",
			steps: []step{
				{act: playAt("a1", 0, 0, &action.Content{ID: "live"}), want: Applied},
				{advance: 10 * time.Hour},
			},
			playback: Playing, screen: ScreenPlayer, position: (10 * time.Hour).Milliseconds(), contentID: "live", lastID: "a1",
		},
		{
			name: "duplicate id is ignored",
			steps: []step{
				{act: playAt("a1", 0, 0, episode), want: Applied},
				{advance: time.Second, act: at("a2", time.Second, action.Pause), want: Applied},
				{advance: time.Second, act: at("a2", time.Second, action.Pause), want: Duplicate},
				{advance: time.Second, act: playAt("a1", 0, 0, episode), want: Duplicate},
			},
			playback: Paused, screen: ScreenPlayer, position: 1_000, contentID: "ep-1-2", lastID: "a2", updatedAt: time.Second,
		},
		{
			name: "reordered older action is dropped",
			steps: []step{
				{act: playAt("a1", 0, 0, episode), want: Applied},
				{advance: time.Second, act: at("a3", 2*time.Second, action.Pause), want: Applied},
				{advance: time.Second, act: at("a2", time.Second, action.Resume), want: Stale},
			},
			playback: Paused, screen: ScreenPlayer, position: 1_000, contentID: "ep-1-2", lastID: "a3", updatedAt: time.Second,
		},
		{
			name: "same timestamp is not stale",
			steps: []step{
				{act: playAt("a1", 0, 0, episode), want: Applied},
				{act: at("a2", 0, action.Pause), want: Applied},
			},
			playback: Paused, screen: ScreenPlayer, position: 0, contentID: "ep-1-2", lastID: "a2",
		},
		{
			name: "expired action is dropped",
			steps: []step{
				{advance: DefaultMaxAge + time.Millisecond, act: playAt("a1", 0, 0, episode), want: Expired},
			},
			playback: Stopped, screen: ScreenHome,
		},
		{
			name: "action exactly at the max age is applied",
			steps: []step{
				{advance: DefaultMaxAge, act: playAt("a1", 0, 0, episode), want: Applied},
			},
			playback: Playing, screen: ScreenPlayer, contentID: "ep-1-2", lastID: "a1", updatedAt: DefaultMaxAge,
		},
		{
			name: "an action both old and out of order is reported expired",
			steps: []step{
				{act: playAt("a1", 0, 0, episode), want: Applied},
				{advance: 10 * time.Minute, act: at("a2", time.Hour, action.Pause), want: Applied},
				{act: at("a3", 0, action.Resume), want: Expired},
			},
			// a1 ran to its end at 60 s; a2 (a PAUSE from a clock ahead of ours) changed nothing.
			playback: Stopped, screen: ScreenHome, position: 60_000, contentID: "ep-1-2", lastID: "a2", updatedAt: 10 * time.Minute,
		},
		{
			name:     "unsupported type changes nothing",
			steps:    []step{{act: at("a1", 0, action.Type("EJECT")), want: Unsupported}},
			playback: Stopped, screen: ScreenHome,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := clocktest.New(t0)
			p := New(clock.Now, Options{})
			for i, s := range tc.steps {
				clock.Advance(s.advance)
				if s.act == nil {
					continue
				}
				if got := p.Apply(*s.act); got != s.want {
					t.Fatalf("step %d: Apply(%s %s) = %v, want %v", i, s.act.ID, s.act.Type, got, s.want)
				}
			}
			got := p.Snapshot()
			if got.Playback != tc.playback || got.Screen != tc.screen || got.PositionMs != tc.position || got.LastActionID != tc.lastID {
				t.Errorf("state = %s/%s at %d ms, last %q; want %s/%s at %d ms, last %q",
					got.Playback, got.Screen, got.PositionMs, got.LastActionID, tc.playback, tc.screen, tc.position, tc.lastID)
			}
			var gotContent string
			if got.Content != nil {
				gotContent = got.Content.ID
			}
			if gotContent != tc.contentID {
				t.Errorf("content = %q, want %q", gotContent, tc.contentID)
			}
			if want := t0.Add(tc.updatedAt); !got.UpdatedAt.Equal(want) {
				t.Errorf("updatedAt = %v, want %v", got.UpdatedAt, want)
			}
		})
	}
}

func TestPlayerKeepsContentFields(t *testing.T) {
	t.Parallel()
	clock := clocktest.New(t0)
	p := New(clock.Now, Options{})
	p.Apply(*playAt("a1", 0, 0, episode))
	got := p.Snapshot().Content
	want := Content{ID: "ep-1-2", Title: "Late", SeriesID: "series-hm", SeriesTitle: "The Handmaid's Tale", Season: 1, Episode: 2, DurationMs: 60_000}
	if got == nil || *got != want {
		t.Fatalf("content = %+v, want %+v", got, want)
	}
	got.Title = "changed"
	if p.Snapshot().Content.Title != "Late" {
		t.Fatal("Snapshot shares content with the player")
	}
}

func TestPlayerDedupMemoryIsBounded(t *testing.T) {
	t.Parallel()
	clock := clocktest.New(t0)
	p := New(clock.Now, Options{RememberIDs: 3})
	for i := range 4 {
		if got := p.Apply(*at(fmt.Sprintf("a%d", i), 0, action.Pause)); got != Applied {
			t.Fatalf("a%d: %v", i, got)
		}
	}
	if got := p.Apply(*at("a3", 0, action.Pause)); got != Duplicate {
		t.Fatalf("recent id: %v, want duplicate", got)
	}
	// a0 was forgotten when a3 arrived; it is new again (and not stale: same timestamp).
	if got := p.Apply(*at("a0", 0, action.Pause)); got != Applied {
		t.Fatalf("forgotten id: %v, want applied", got)
	}
	if n := len(p.seen.ids); n != 3 {
		t.Fatalf("remembered %d ids, want 3", n)
	}
}

func TestApplyData(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		data    map[string]string
		wantErr bool
		want    Outcome
	}{
		{"valid play", playAt("a1", 0, 1_000, episode).Encode(), false, Applied},
		{"wrong version", map[string]string{"v": "9", "id": "x", "ts": "0", "type": "PAUSE"}, true, 0},
		{"missing id", map[string]string{"v": action.Version, "ts": "0", "type": "PAUSE"}, true, 0},
		{"unknown type", map[string]string{"v": action.Version, "id": "x", "ts": "0", "type": "EXPLODE"}, true, 0},
		{"empty", nil, true, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := clocktest.New(t0)
			p := New(clock.Now, Options{})
			_, got, err := p.ApplyData(tc.data)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if err == nil && got != tc.want {
				t.Fatalf("outcome = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPlayerConcurrentUse(t *testing.T) {
	t.Parallel()
	clock := clocktest.New(t0)
	p := New(clock.Now, Options{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 100 {
				p.Apply(*at(fmt.Sprintf("g%d-%d", i, j), 0, action.Pause))
				_ = p.Snapshot()
			}
		}()
	}
	wg.Wait()
}

func TestTurnOff(t *testing.T) {
	changes := 0
	clk := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := New(func() time.Time { return clk }, Options{OnChange: func() { changes++ }})
	if !p.TurnOff() {
		t.Fatal("TurnOff of a TV that is on reported it off already")
	}
	if s := p.Snapshot(); s.Power != PowerOff || s.Screen != ScreenOff || s.Playback != Stopped {
		t.Fatalf("after TurnOff: %+v", s)
	}
	if p.TurnOff() || changes != 1 {
		t.Fatalf("a second TurnOff changed something (changes %d)", changes)
	}
}
