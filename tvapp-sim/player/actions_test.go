package player

import (
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"livingroom/internal/action"
	"livingroom/internal/clocktest"
)

// Builders for the issue-5 actions, issued offset from t0.

func seekAt(id string, offset time.Duration, delta int64) *action.Action {
	a := at(id, offset, action.Seek)
	a.DeltaMs = delta
	return a
}

func tuneAt(id string, offset time.Duration, c action.Channel) *action.Action {
	a := at(id, offset, action.TuneChannel)
	a.Channel = &c
	return a
}

func resultsAt(id string, offset time.Duration, n int) *action.Action {
	a := at(id, offset, action.ShowResults)
	a.Query = "comedy"
	a.Results = make([]action.Result, n)
	for i := range a.Results {
		a.Results[i] = action.Result{ID: fmt.Sprintf("r%d", i), Title: fmt.Sprintf("Result %d", i), Kind: action.KindMovie}
	}
	return a
}

func launchAt(id string, offset time.Duration, target action.Target) *action.Action {
	a := at(id, offset, action.Launch)
	a.Target = target
	return a
}

func keyAt(id string, offset time.Duration, k action.Key) *action.Action {
	a := at(id, offset, action.Keystroke)
	a.Key = k
	return a
}

func powerAt(id string, offset time.Duration, p action.Power) *action.Action {
	a := at(id, offset, action.PowerSet)
	a.Power = p
	return a
}

func volumeAt(id string, offset time.Duration, set bool, level, delta int) *action.Action {
	return &action.Action{ID: id, Time: t0.Add(offset), Type: action.Volume, SetVolume: set, VolumeLevel: level, VolumeDelta: delta}
}

func recordAt(id string, offset time.Duration, r action.Recording) *action.Action {
	a := at(id, offset, action.Record)
	a.Recording = &r
	return a
}

// keys applies keystrokes one second apart from offset, each expected applied.
func keys(offset time.Duration, ks ...action.Key) []step {
	steps := make([]step, len(ks))
	for i, k := range ks {
		o := offset + time.Duration(i)*time.Second
		steps[i] = step{advance: time.Second, act: keyAt(fmt.Sprintf("k%d-%d", o/time.Second, i), o, k), want: Applied}
	}
	return steps
}

var (
	news      = action.Channel{Number: "1234", CallSign: "KTVX", Name: "Channel Four", ProgramID: "prog-9", ProgramTitle: "Evening News"}
	newsState = &Channel{Number: "1234", CallSign: "KTVX", Name: "Channel Four", ProgramID: "prog-9", ProgramTitle: "Evening News"}
	newsShow  = &Content{ID: "prog-9", Title: "Evening News"}
	episodeC  = &Content{ID: "ep-1-2", Title: "Late", SeriesID: "series-hm", SeriesTitle: "The Handmaid's Tale", Season: 1, Episode: 2, DurationMs: 60_000}
)

func results(n int) []Result {
	rs := make([]Result, n)
	for i := range rs {
		rs[i] = Result{ID: fmt.Sprintf("r%d", i), Title: fmt.Sprintf("Result %d", i), Kind: "movie"}
	}
	return rs
}

func playing(id string, c *Content, pos int64, updated time.Duration) State {
	return State{Power: PowerOn, Playback: Playing, Content: c, PositionMs: pos, Screen: ScreenPlayer, LastActionID: id, UpdatedAt: t0.Add(updated)}
}

// TestPlayerActions has a case per behaviour of every action type the
// contract added; each compares the whole state.
func TestPlayerActions(t *testing.T) {
	t.Parallel()
	play := func(id string, offset time.Duration, pos int64) step {
		return step{act: playAt(id, offset, pos, episode), want: Applied}
	}
	cases := []struct {
		name  string
		steps []step
		want  State
	}{
		// START_OVER
		{
			name:  "start over while playing goes back to 0",
			steps: []step{play("a1", 0, 30_000), {advance: 5 * time.Second, act: at("a2", 5*time.Second, action.StartOver), want: Applied}, {advance: time.Second}},
			want:  playing("a2", episodeC, 1_000, 5*time.Second),
		},
		{
			name: "start over while paused plays from 0",
			steps: []step{play("a1", 0, 30_000), {advance: time.Second, act: at("a2", time.Second, action.Pause), want: Applied},
				{advance: time.Second, act: at("a3", 2*time.Second, action.StartOver), want: Applied}},
			want: playing("a3", episodeC, 0, 2*time.Second),
		},
		{
			name:  "start over after the end plays again",
			steps: []step{play("a1", 0, 59_000), {advance: 2 * time.Second, act: at("a2", 2*time.Second, action.StartOver), want: Applied}},
			want:  playing("a2", episodeC, 0, 2*time.Second),
		},
		{
			name:  "start over with nothing loaded changes nothing",
			steps: []step{{act: at("a1", 0, action.StartOver), want: Applied}},
			want:  State{Power: PowerOn, Playback: Stopped, Screen: ScreenHome, LastActionID: "a1", UpdatedAt: t0},
		},
		// SEEK
		{
			name:  "seek forward while playing",
			steps: []step{play("a1", 0, 10_000), {advance: time.Second, act: seekAt("a2", time.Second, 30_000), want: Applied}},
			want:  playing("a2", episodeC, 41_000, time.Second),
		},
		{
			name:  "seek back before the start clamps to 0",
			steps: []step{play("a1", 0, 10_000), {advance: time.Second, act: seekAt("a2", time.Second, -60_000), want: Applied}},
			want:  playing("a2", episodeC, 0, time.Second),
		},
		{
			name:  "seek past the end clamps to the end, which ends playback",
			steps: []step{play("a1", 0, 10_000), {advance: time.Second, act: seekAt("a2", time.Second, 3_600_000), want: Applied}},
			want:  State{Power: PowerOn, Playback: Stopped, Content: episodeC, PositionMs: 60_000, Screen: ScreenHome, LastActionID: "a2", UpdatedAt: t0.Add(time.Second)},
		},
		{
			name: "seek while paused stays paused",
			steps: []step{play("a1", 0, 10_000), {act: at("a2", 0, action.Pause), want: Applied},
				{advance: time.Second, act: seekAt("a3", time.Second, -4_000), want: Applied}, {advance: time.Minute}},
			want: State{Power: PowerOn, Playback: Paused, Content: episodeC, PositionMs: 6_000, Screen: ScreenPlayer, LastActionID: "a3", UpdatedAt: t0.Add(time.Second)},
		},
		{
			name:  "seek with nothing loaded changes nothing",
			steps: []step{{act: seekAt("a1", 0, 10_000), want: Applied}},
			want:  State{Power: PowerOn, Playback: Stopped, Screen: ScreenHome, LastActionID: "a1", UpdatedAt: t0},
		},
		{
			name:  "seek on live TV has no end to clamp to",
			steps: []step{{act: tuneAt("a1", 0, news), want: Applied}, {advance: time.Second, act: seekAt("a2", time.Second, 90_000_000-86_400_000), want: Applied}},
			want:  State{Power: PowerOn, Playback: Playing, Content: newsShow, Channel: newsState, PositionMs: 1_000 + 3_600_000, Screen: ScreenPlayer, LastActionID: "a2", UpdatedAt: t0.Add(time.Second)},
		},
		{
			name: "seeks on live TV stop at the protocol's bound",
			steps: append([]step{{act: tuneAt("a1", 0, news), want: Applied}}, func() []step {
				var ss []step
				for i := range 1200 { // 1,200 days forward
					ss = append(ss, step{act: seekAt(fmt.Sprintf("s%d", i), 0, action.MaxSeekDeltaMs), want: Applied})
				}
				return ss
			}()...),
			want: State{Power: PowerOn, Playback: Playing, Content: newsShow, Channel: newsState, PositionMs: action.MaxMillis, Screen: ScreenPlayer, LastActionID: "s1199", UpdatedAt: t0},
		},
		// TUNE_CHANNEL
		{
			name:  "tune from home shows live TV",
			steps: []step{{act: tuneAt("a1", 0, news), want: Applied}, {advance: 2 * time.Second}},
			want:  State{Power: PowerOn, Playback: Playing, Content: newsShow, Channel: newsState, PositionMs: 2_000, Screen: ScreenPlayer, LastActionID: "a1", UpdatedAt: t0},
		},
		{
			name:  "tune replaces on-demand content with the programme on air",
			steps: []step{play("a1", 0, 10_000), {advance: time.Second, act: tuneAt("a2", time.Second, news), want: Applied}},
			want:  State{Power: PowerOn, Playback: Playing, Content: newsShow, Channel: newsState, Screen: ScreenPlayer, LastActionID: "a2", UpdatedAt: t0.Add(time.Second)},
		},
		{
			name:  "tune by call sign without a programme",
			steps: []step{{act: tuneAt("a1", 0, action.Channel{CallSign: "PBS"}), want: Applied}},
			want:  State{Power: PowerOn, Playback: Playing, Channel: &Channel{CallSign: "PBS"}, Screen: ScreenPlayer, LastActionID: "a1", UpdatedAt: t0},
		},
		{
			name:  "a programme without an id is not content",
			steps: []step{{act: tuneAt("a1", 0, action.Channel{Number: "7", ProgramTitle: "News"}), want: Applied}},
			want:  State{Power: PowerOn, Playback: Playing, Channel: &Channel{Number: "7", ProgramTitle: "News"}, Screen: ScreenPlayer, LastActionID: "a1", UpdatedAt: t0},
		},
		{
			name:  "play after tune leaves live TV",
			steps: []step{{act: tuneAt("a1", 0, news), want: Applied}, {advance: time.Second, act: playAt("a2", time.Second, 0, episode), want: Applied}},
			want:  playing("a2", episodeC, 0, time.Second),
		},
		{
			name: "stop and resume live TV",
			steps: []step{{act: tuneAt("a1", 0, action.Channel{CallSign: "PBS"}), want: Applied},
				{advance: time.Second, act: at("a2", time.Second, action.Stop), want: Applied},
				{advance: time.Second, act: at("a3", 2*time.Second, action.Resume), want: Applied}},
			want: State{Power: PowerOn, Playback: Playing, Channel: &Channel{CallSign: "PBS"}, PositionMs: 1_000, Screen: ScreenPlayer, LastActionID: "a3", UpdatedAt: t0.Add(2 * time.Second)},
		},
		// SHOW_RESULTS
		{
			name:  "results while playing stop playback and select the first",
			steps: []step{play("a1", 0, 10_000), {advance: time.Second, act: resultsAt("a2", time.Second, 3), want: Applied}, {advance: time.Minute}},
			want:  State{Power: PowerOn, Playback: Stopped, Content: episodeC, PositionMs: 11_000, Screen: ScreenResults, Results: results(3), LastActionID: "a2", UpdatedAt: t0.Add(time.Second)},
		},
		{
			name:  "no results is an empty results screen",
			steps: []step{{act: resultsAt("a1", 0, 0), want: Applied}},
			want:  State{Power: PowerOn, Playback: Stopped, Screen: ScreenResults, LastActionID: "a1", UpdatedAt: t0},
		},
		{
			name:  "new results replace the old and reset the selection",
			steps: append(append([]step{{act: resultsAt("a1", 0, 7), want: Applied}}, keys(time.Second, action.KeyRight)...), step{advance: time.Second, act: resultsAt("a3", 3*time.Second, 2), want: Applied}),
			want:  State{Power: PowerOn, Playback: Stopped, Screen: ScreenResults, Results: results(2), LastActionID: "a3", UpdatedAt: t0.Add(2 * time.Second)},
		},
		// LAUNCH
		{
			name:  "launch while playing stops and keeps the content",
			steps: []step{play("a1", 0, 10_000), {advance: time.Second, act: launchAt("a2", time.Second, action.TargetSettings), want: Applied}},
			want:  State{Power: PowerOn, Playback: Stopped, Content: episodeC, PositionMs: 11_000, Screen: ScreenSettings, LastActionID: "a2", UpdatedAt: t0.Add(time.Second)},
		},
		{
			name:  "launch from results clears them",
			steps: []step{{act: resultsAt("a1", 0, 3), want: Applied}, {advance: time.Second, act: launchAt("a2", time.Second, action.TargetGuide), want: Applied}},
			want:  State{Power: PowerOn, Playback: Stopped, Screen: ScreenGuide, LastActionID: "a2", UpdatedAt: t0.Add(time.Second)},
		},
		// KEYSTROKE on results (7 results: a row of 5, then 2)
		{
			name:  "right moves along the row and stops at its end",
			steps: append([]step{{act: resultsAt("a1", 0, 7), want: Applied}}, keys(time.Second, action.KeyRight, action.KeyRight, action.KeyRight, action.KeyRight, action.KeyRight)...),
			want:  State{Power: PowerOn, Playback: Stopped, Screen: ScreenResults, Results: results(7), SelectedIndex: 4, LastActionID: "k5-4", UpdatedAt: t0.Add(5 * time.Second)},
		},
		{
			name:  "down moves a row, up comes back",
			steps: append([]step{{act: resultsAt("a1", 0, 7), want: Applied}}, keys(time.Second, action.KeyRight, action.KeyDown, action.KeyUp, action.KeyDown)...),
			want:  State{Power: PowerOn, Playback: Stopped, Screen: ScreenResults, Results: results(7), SelectedIndex: 6, LastActionID: "k4-3", UpdatedAt: t0.Add(4 * time.Second)},
		},
		{
			name:  "down where the next row is short stays",
			steps: append([]step{{act: resultsAt("a1", 0, 7), want: Applied}}, keys(time.Second, action.KeyRight, action.KeyRight, action.KeyDown)...),
			want:  State{Power: PowerOn, Playback: Stopped, Screen: ScreenResults, Results: results(7), SelectedIndex: 2, LastActionID: "k3-2", UpdatedAt: t0.Add(3 * time.Second)},
		},
		{
			name:  "left and up at the top-left corner stay",
			steps: append([]step{{act: resultsAt("a1", 0, 7), want: Applied}}, keys(time.Second, action.KeyLeft, action.KeyUp)...),
			want:  State{Power: PowerOn, Playback: Stopped, Screen: ScreenResults, Results: results(7), LastActionID: "k2-1", UpdatedAt: t0.Add(2 * time.Second)},
		},
		{
			name:  "left at the start of the second row stays",
			steps: append([]step{{act: resultsAt("a1", 0, 7), want: Applied}}, keys(time.Second, action.KeyDown, action.KeyLeft)...),
			want:  State{Power: PowerOn, Playback: Stopped, Screen: ScreenResults, Results: results(7), SelectedIndex: 5, LastActionID: "k2-1", UpdatedAt: t0.Add(2 * time.Second)},
		},
		{
			name:  "right on the last result stays",
			steps: append([]step{{act: resultsAt("a1", 0, 7), want: Applied}}, keys(time.Second, action.KeyDown, action.KeyRight, action.KeyRight)...),
			want:  State{Power: PowerOn, Playback: Stopped, Screen: ScreenResults, Results: results(7), SelectedIndex: 6, LastActionID: "k3-2", UpdatedAt: t0.Add(3 * time.Second)},
		},
		{
			name:  "page and info keys on results change nothing",
			steps: append([]step{{act: resultsAt("a1", 0, 7), want: Applied}}, keys(time.Second, action.KeyRight, action.KeyPageDown, action.KeyPageRight, action.KeyInfo)...),
			want:  State{Power: PowerOn, Playback: Stopped, Screen: ScreenResults, Results: results(7), SelectedIndex: 1, LastActionID: "k4-3", UpdatedAt: t0.Add(4 * time.Second)},
		},
		{
			name:  "select plays the selected result",
			steps: append([]step{{act: resultsAt("a1", 0, 7), want: Applied}}, append(keys(time.Second, action.KeyDown, action.KeyRight, action.KeySelect), step{advance: time.Second})...),
			want:  playing("k3-2", &Content{ID: "r6", Title: "Result 6"}, 1_000, 3*time.Second),
		},
		{
			name:  "select leaves live TV for the result",
			steps: append([]step{{act: tuneAt("a1", 0, news), want: Applied}, {act: resultsAt("a2", 0, 1), want: Applied}}, keys(time.Second, action.KeySelect)...),
			want:  playing("k1-0", &Content{ID: "r0", Title: "Result 0"}, 0, time.Second),
		},
		{
			name:  "back on results goes home",
			steps: append([]step{{act: resultsAt("a1", 0, 7), want: Applied}}, keys(time.Second, action.KeyRight, action.KeyBack)...),
			want:  State{Power: PowerOn, Playback: Stopped, Screen: ScreenHome, LastActionID: "k2-1", UpdatedAt: t0.Add(2 * time.Second)},
		},
		// KEYSTROKE elsewhere
		{
			name:  "back on the player goes home and stops",
			steps: append([]step{play("a1", 0, 0)}, keys(time.Second, action.KeyBack)...),
			want:  State{Power: PowerOn, Playback: Stopped, Content: episodeC, PositionMs: 1_000, Screen: ScreenHome, LastActionID: "k1-0", UpdatedAt: t0.Add(time.Second)},
		},
		{
			name:  "arrows and select on the player change nothing",
			steps: append([]step{play("a1", 0, 0)}, keys(time.Second, action.KeyUp, action.KeySelect, action.KeyInfo)...),
			want:  playing("k3-2", episodeC, 3_000, 3*time.Second),
		},
		{
			name:  "select on an empty results screen changes nothing",
			steps: append([]step{{act: resultsAt("a1", 0, 0), want: Applied}}, keys(time.Second, action.KeySelect, action.KeyDown)...),
			want:  State{Power: PowerOn, Playback: Stopped, Screen: ScreenResults, LastActionID: "k2-1", UpdatedAt: t0.Add(2 * time.Second)},
		},
		// POWER
		{
			name:  "power off stops playback and keeps the content",
			steps: []step{play("a1", 0, 0), {advance: time.Second, act: powerAt("a2", time.Second, action.PowerOff), want: Applied}, {advance: time.Minute}},
			want:  State{Power: PowerOff, Playback: Stopped, Content: episodeC, PositionMs: 1_000, Screen: ScreenOff, LastActionID: "a2", UpdatedAt: t0.Add(time.Second)},
		},
		{
			name: "while off everything but power on is ignored",
			steps: []step{
				{act: powerAt("a1", 0, action.PowerOff), want: Applied},
				{act: playAt("a2", 0, 0, episode), want: Ignored},
				{act: at("a3", 0, action.Resume), want: Ignored},
				{act: tuneAt("a4", 0, news), want: Ignored},
				{act: resultsAt("a5", 0, 2), want: Ignored},
				{act: launchAt("a6", 0, action.TargetHome), want: Ignored},
				{act: keyAt("a7", 0, action.KeyBack), want: Ignored},
				{act: recordAt("a8", 0, action.Recording{ContentID: "x", Title: "X"}), want: Ignored},
				{act: powerAt("a9", 0, action.PowerOff), want: Ignored},
				{act: at("a2", 0, action.Resume), want: Duplicate}, // an ignored id is remembered
			},
			want: State{Power: PowerOff, Playback: Stopped, Screen: ScreenOff, LastActionID: "a1", UpdatedAt: t0},
		},
		{
			name: "power on shows home, content kept, not playing",
			steps: []step{play("a1", 0, 0), {advance: time.Second, act: powerAt("a2", time.Second, action.PowerOff), want: Applied},
				{advance: time.Second, act: powerAt("a3", 2*time.Second, action.PowerOn), want: Applied}},
			want: State{Power: PowerOn, Playback: Stopped, Content: episodeC, PositionMs: 1_000, Screen: ScreenHome, LastActionID: "a3", UpdatedAt: t0.Add(2 * time.Second)},
		},
		{
			name:  "power on while on changes nothing",
			steps: []step{play("a1", 0, 0), {advance: time.Second, act: powerAt("a2", time.Second, action.PowerOn), want: Applied}},
			want:  playing("a2", episodeC, 1_000, time.Second),
		},
		{
			name: "after power on actions apply again",
			steps: []step{{act: powerAt("a1", 0, action.PowerOff), want: Applied}, {act: powerAt("a2", 0, action.PowerOn), want: Applied},
				{advance: time.Second, act: playAt("a3", time.Second, 0, episode), want: Applied}},
			want: playing("a3", episodeC, 0, time.Second),
		},
		// RECORD
		{
			name: "recordings are listed newest first and do not disturb playback",
			steps: []step{play("a1", 0, 0),
				{advance: time.Second, act: recordAt("a2", time.Second, action.Recording{ContentID: "prog-9", Title: "Evening News", ChannelNumber: "1234", CallSign: "KTVX"}), want: Applied},
				{advance: time.Second, act: recordAt("a3", 2*time.Second, action.Recording{Title: "PBS live", CallSign: "PBS"}), want: Applied}},
			want: State{Power: PowerOn, Playback: Playing, Content: episodeC, PositionMs: 2_000, Screen: ScreenPlayer, LastActionID: "a3", UpdatedAt: t0.Add(2 * time.Second),
				Recordings: []Recording{
					{Title: "PBS live", CallSign: "PBS", RecordedAt: t0.Add(2 * time.Second)},
					{ContentID: "prog-9", Title: "Evening News", ChannelNumber: "1234", CallSign: "KTVX", RecordedAt: t0.Add(time.Second)},
				}},
		},
		{
			name: "volume set, then moved, clamped at both ends",
			steps: []step{
				{act: volumeAt("a1", 0, true, 90, 0), want: Applied},
				{act: volumeAt("a2", 0, false, 0, 25), want: Applied}},
			want: State{Power: PowerOn, Playback: Stopped, Screen: ScreenHome, LastActionID: "a2", UpdatedAt: t0, Volume: 100, Input: "TV"},
		},
		{
			name: "volume down below zero stops at zero",
			steps: []step{
				{act: volumeAt("a1", 0, false, 0, -100), want: Applied}},
			want: State{Power: PowerOn, Playback: Stopped, Screen: ScreenHome, LastActionID: "a1", UpdatedAt: t0, Volume: 0, Input: "TV"},
		},
		{
			name: "mute, input, and an unknown input refused",
			steps: []step{
				{act: &action.Action{ID: "a1", Time: t0, Type: action.Mute, Muted: true}, want: Applied},
				{act: &action.Action{ID: "a2", Time: t0, Type: action.Input, InputName: "HDMI 2"}, want: Applied},
				{act: &action.Action{ID: "a3", Time: t0, Type: action.Input, InputName: "HDMI 9"}, want: Unsupported}},
			want: State{Power: PowerOn, Playback: Stopped, Screen: ScreenHome, LastActionID: "a2", UpdatedAt: t0, Volume: action.DefaultVolume, Muted: true, Input: "HDMI 2"},
		},
		{
			name: "while off the volume does not change",
			steps: []step{
				{act: powerAt("a1", 0, action.PowerOff), want: Applied},
				{act: volumeAt("a2", 0, true, 80, 0), want: Ignored}},
			want: State{Power: PowerOff, Playback: Stopped, Screen: ScreenOff, LastActionID: "a1", UpdatedAt: t0, Volume: action.DefaultVolume, Input: "TV"},
		},
		{
			name: "recording the same thing again moves it to the front",
			steps: []step{
				{act: recordAt("a1", 0, action.Recording{ContentID: "m1", Title: "One"}), want: Applied},
				{advance: time.Second, act: recordAt("a2", time.Second, action.Recording{ContentID: "m2", Title: "Two"}), want: Applied},
				{advance: time.Second, act: recordAt("a3", 2*time.Second, action.Recording{ContentID: "m1", Title: "One"}), want: Applied}},
			want: State{Power: PowerOn, Playback: Stopped, Screen: ScreenHome, LastActionID: "a3", UpdatedAt: t0.Add(2 * time.Second),
				Recordings: []Recording{{ContentID: "m1", Title: "One", RecordedAt: t0.Add(2 * time.Second)}, {ContentID: "m2", Title: "Two", RecordedAt: t0.Add(time.Second)}}},
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
			want := tc.want
			if want.Input == "" { // cases about other things: the sound as it starts
				want.Volume, want.Input = action.DefaultVolume, action.Inputs[0]
			}
			// Snapshots carry empty lists, never nil; compare them as nil.
			if len(got.Results) == 0 {
				got.Results = nil
			}
			if len(got.Recordings) == 0 {
				got.Recordings = nil
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("state:\n got %s\nwant %s", show(got), show(want))
			}
		})
	}
}

func show(s State) string {
	return fmt.Sprintf("%+v content=%+v channel=%+v", s, s.Content, s.Channel)
}

func TestRecordingsAreBounded(t *testing.T) {
	t.Parallel()
	clock := clocktest.New(t0)
	p := New(clock.Now, Options{})
	for i := range MaxRecordings + 5 {
		a := recordAt(fmt.Sprintf("a%d", i), 0, action.Recording{ContentID: fmt.Sprintf("m%d", i), Title: "T"})
		if got := p.Apply(*a); got != Applied {
			t.Fatalf("record %d: %v", i, got)
		}
	}
	rs := p.Snapshot().Recordings
	if len(rs) != MaxRecordings {
		t.Fatalf("%d recordings, want %d", len(rs), MaxRecordings)
	}
	if rs[0].ContentID != fmt.Sprintf("m%d", MaxRecordings+4) || rs[MaxRecordings-1].ContentID != "m5" {
		t.Fatalf("kept %s..%s, want the newest first down to m5", rs[0].ContentID, rs[MaxRecordings-1].ContentID)
	}
}

func TestSnapshotDoesNotShareLists(t *testing.T) {
	t.Parallel()
	clock := clocktest.New(t0)
	p := New(clock.Now, Options{})
	p.Apply(*resultsAt("a1", 0, 2))
	p.Apply(*recordAt("a2", 0, action.Recording{ContentID: "m", Title: "T"}))
	s := p.Snapshot()
	s.Results[0].Title = "changed"
	s.Recordings[0].Title = "changed"
	again := p.Snapshot()
	if again.Results[0].Title == "changed" || again.Recordings[0].Title == "changed" {
		t.Fatal("Snapshot shares its lists with the player")
	}
}

func TestMaxAge(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		maxAge time.Duration
		age    time.Duration
		want   Outcome
	}{
		{"default keeps a fresh action", 0, DefaultMaxAge, Applied},
		{"default drops an action a few seconds old", 0, DefaultMaxAge + time.Millisecond, Expired},
		{"default drops an action a device-push outage held back", 0, 30 * time.Second, Expired},
		{"configured longer age keeps it", time.Minute, 30 * time.Second, Applied},
		{"configured shorter age drops it", time.Second, 2 * time.Second, Expired},
		{"an action from a clock ahead of ours is fresh", 0, -time.Minute, Applied},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := clocktest.New(t0.Add(tc.age))
			p := New(clock.Now, Options{MaxAge: tc.maxAge})
			if got := p.Apply(*at("a1", 0, action.Pause)); got != tc.want {
				t.Fatalf("Apply = %v, want %v", got, tc.want)
			}
		})
	}
	if DefaultMaxAge > 10*time.Second {
		t.Fatalf("DefaultMaxAge = %v: an action Alexa was told failed could still be applied", DefaultMaxAge)
	}
}

func TestOnChangeFiresForAppliedActionsOnly(t *testing.T) {
	t.Parallel()
	clock := clocktest.New(t0)
	var calls atomic.Int32
	p := New(clock.Now, Options{OnChange: func() { calls.Add(1) }})
	steps := []struct {
		a    *action.Action
		want int32
	}{
		{playAt("a1", 0, 0, episode), 1},
		{playAt("a1", 0, 0, episode), 1}, // duplicate
		{at("a2", 0, action.Type("EJECT")), 1},
		{powerAt("a3", 0, action.PowerOff), 2},
		{at("a4", 0, action.Resume), 2}, // ignored
		{powerAt("a5", 0, action.PowerOn), 3},
	}
	for i, s := range steps {
		p.Apply(*s.a)
		if got := calls.Load(); got != s.want {
			t.Fatalf("step %d: %d calls, want %d", i, got, s.want)
		}
	}
}
