package player

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"livingroom/internal/action"
	"livingroom/internal/clocktest"
)

// FuzzApplyData feeds the player sequences of arbitrary ADM data (a JSON
// array of objects, as device frames carry them), one second apart. It must
// never panic, and after every step the state must keep its invariants.
func FuzzApplyData(f *testing.F) {
	seeds := [][]*action.Action{
		{playAt("a1", 0, 1_000, episode), seekAt("a2", 0, -5_000), at("a3", 0, action.StartOver)},
		{resultsAt("a1", 0, 7), keyAt("a2", 0, action.KeyDown), keyAt("a3", 0, action.KeyRight), keyAt("a4", 0, action.KeySelect)},
		{tuneAt("a1", 0, news), powerAt("a2", 0, action.PowerOff), at("a3", 0, action.Resume), powerAt("a4", 0, action.PowerOn)},
		{recordAt("a1", 0, action.Recording{ContentID: "m", Title: "T"}), launchAt("a2", 0, action.TargetRecordings), keyAt("a3", 0, action.KeyBack)},
	}
	for _, seq := range seeds {
		var datas []map[string]string
		for _, a := range seq {
			datas = append(datas, a.Encode())
		}
		b, err := json.Marshal(datas)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var datas []map[string]string
		if json.Unmarshal(raw, &datas) != nil || len(datas) > 64 {
			return
		}
		clock := clocktest.New(t0)
		// Any timestamp is fresh: the fuzzer should reach the state machine.
		p := New(clock.Now, Options{MaxAge: time.Duration(math.MaxInt64)})
		for i, data := range datas {
			clock.Advance(time.Second)
			a, outcome, err := p.ApplyData(data)
			if err != nil {
				continue
			}
			if outcome == Unsupported {
				t.Fatalf("step %d: decoded type %s is unsupported by the player", i, a.Type)
			}
			checkInvariants(t, i, p.Snapshot())
		}
	})
}

func checkInvariants(t *testing.T, step int, s State) {
	t.Helper()
	screens := map[Screen]bool{ScreenHome: true, ScreenPlayer: true, ScreenResults: true, ScreenSettings: true,
		ScreenSearch: true, ScreenGuide: true, ScreenRecordings: true, ScreenOff: true}
	switch {
	case !screens[s.Screen]:
		t.Fatalf("step %d: unknown screen %q", step, s.Screen)
	case (s.Power == PowerOff) != (s.Screen == ScreenOff):
		t.Fatalf("step %d: power %s on screen %s", step, s.Power, s.Screen)
	case s.Playback != Stopped && s.Screen != ScreenPlayer:
		t.Fatalf("step %d: %s on screen %s", step, s.Playback, s.Screen)
	case len(s.Results) > 0 && s.Screen != ScreenResults:
		t.Fatalf("step %d: results on screen %s", step, s.Screen)
	case s.SelectedIndex < 0 || (len(s.Results) > 0 && s.SelectedIndex >= len(s.Results)) || (len(s.Results) == 0 && s.SelectedIndex != 0):
		t.Fatalf("step %d: selection %d of %d results", step, s.SelectedIndex, len(s.Results))
	case len(s.Results) > action.MaxResults || len(s.Recordings) > MaxRecordings:
		t.Fatalf("step %d: %d results, %d recordings", step, len(s.Results), len(s.Recordings))
	case s.PositionMs < 0 || (s.Content != nil && s.Content.DurationMs > 0 && s.PositionMs > s.Content.DurationMs):
		t.Fatalf("step %d: position %d of %+v", step, s.PositionMs, s.Content)
	}
}
