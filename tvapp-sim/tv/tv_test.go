package tv

import (
	"context"
	"strings"
	"testing"
	"time"

	"livingroom/internal/action"
	"livingroom/internal/push"
	"livingroom/tvapp-sim/fault"
)

func newTestTV(t *testing.T) *TV {
	t.Helper()
	tv, err := New(Config{
		DevicePushURL: "http://127.0.0.1:1", DeviceAPIURL: "http://127.0.0.1:1", AlexaURL: "http://127.0.0.1:1",
		AccountToken: "dev-token", DeviceID: "sim-test", EndpointID: "livingroom-tv-sim-test", FriendlyName: "Test TV",
	})
	if err != nil {
		t.Fatal(err)
	}
	return tv
}

func frame(id string, a action.Action) push.Frame {
	return push.Frame{Type: push.TypeMessage, MessageID: id, Data: a.Encode()}
}

func TestHandleOutcomes(t *testing.T) {
	tv := newTestTV(t)
	ctx := context.Background()
	now := time.Now()
	play := action.Action{ID: "a1", Time: now, Type: action.PlayContent, Content: &action.Content{ID: "hm-1", Title: "Offred", DurationMs: 60_000}}

	tv.handle(ctx, frame("m1", play))
	st := tv.AppStatus()
	if c := st.LastCommand; c == nil || c.Text != "Play · Offred" || c.Outcome != "applied" || c.Type != "PLAY_CONTENT" || c.MessageID != "m1" {
		t.Fatalf("after play: %+v", st.LastCommand)
	}
	if tv.Player.Snapshot().Playback != "PLAYING" {
		t.Fatal("not playing")
	}

	tv.handle(ctx, frame("m1-again", play))
	if c := tv.AppStatus().LastCommand; c.Outcome != "duplicate" {
		t.Fatalf("a replay: %+v", c)
	}

	if err := tv.Faults.Inject(fault.Request{Fault: fault.Background}); err != nil {
		t.Fatal(err)
	}
	tv.handle(ctx, frame("m2", action.Action{ID: "a2", Time: time.Now(), Type: action.Pause}))
	if c := tv.AppStatus().LastCommand; c.Outcome != "background" || tv.Player.Snapshot().Playback != "PLAYING" {
		t.Fatalf("in the background: %+v, %s", c, tv.Player.Snapshot().Playback)
	}
	tv.Faults.ClearAll()

	if err := tv.Faults.Inject(fault.Request{Fault: fault.ClockSkew, SkewMs: 10_000}); err != nil {
		t.Fatal(err)
	}
	tv.handle(ctx, frame("m3", action.Action{ID: "a3", Time: time.Now(), Type: action.Pause}))
	if c := tv.AppStatus().LastCommand; c.Outcome != "expired" {
		t.Fatalf("with the clock 10 s ahead: %+v", c)
	}
	tv.Faults.ClearAll()

	tv.handle(ctx, push.Frame{Type: push.TypeMessage, MessageID: "m4", Data: map[string]string{"v": "nope"}})
	if c := tv.AppStatus().LastCommand; c.Outcome != "invalid" || c.Type != "INVALID" {
		t.Fatalf("garbage: %+v", c)
	}
	if rcv, app := tv.Counts(); rcv != 5 || app != 1 {
		t.Fatalf("counts %d received, %d applied", rcv, app)
	}
}

func TestSlowAckHolds(t *testing.T) {
	tv := newTestTV(t)
	if err := tv.Faults.Inject(fault.Request{Fault: fault.SlowAck, DelayMs: 60_000}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	changed := tv.Changed()
	done := make(chan struct{})
	go func() {
		defer close(done)
		tv.handle(ctx, frame("m1", action.Action{ID: "a1", Time: time.Now(), Type: action.Pause}))
	}()
	<-changed // the command is held
	if st := tv.AppStatus(); !st.Buffering || st.LastCommand.Outcome != "held" {
		t.Fatalf("while held: %+v", st)
	}
	cancel() // the connection ends: the held message is let go
	<-done
	if tv.AppStatus().Buffering {
		t.Fatal("still buffering")
	}
}

func TestCommandText(t *testing.T) {
	cases := []struct {
		a    action.Action
		want string
	}{
		{action.Action{Type: action.Seek, DeltaMs: -30_000}, "Seek −30 s"},
		{action.Action{Type: action.Seek, DeltaMs: 10_000}, "Seek +10 s"},
		{action.Action{Type: action.TuneChannel, Channel: &action.Channel{Number: "206", CallSign: "ESPN"}}, "Channel 206 ESPN"},
		{action.Action{Type: action.ShowResults, Query: "dramas", Results: make([]action.Result, 3)}, "Search “dramas” · 3 results"},
		{action.Action{Type: action.Launch, Target: action.TargetSettings}, "Open settings"},
		{action.Action{Type: action.Keystroke, Key: action.KeyRight}, "Key RIGHT"},
		{action.Action{Type: action.PowerSet, Power: action.PowerOff}, "Power off"},
		{action.Action{Type: action.Record, Recording: &action.Recording{Title: "News"}}, "Record · News"},
		{action.Action{Type: action.Volume, SetVolume: true, VolumeLevel: 40}, "Volume 40"},
		{action.Action{Type: action.Volume, VolumeDelta: -10}, "Volume −10"},
		{action.Action{Type: action.Mute, Muted: true}, "Mute"},
		{action.Action{Type: action.Mute}, "Unmute"},
		{action.Action{Type: action.Input, InputName: "HDMI 1"}, "Input HDMI 1"},
		{action.Action{Type: "FUTURE"}, "FUTURE"},
	}
	for _, tc := range cases {
		if got := commandText(tc.a); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.a.Type, got, tc.want)
		}
	}
}

func TestSettleTimesOutWithoutABackend(t *testing.T) {
	tv := newTestTV(t)
	if err := tv.Faults.Inject(fault.Request{Fault: fault.PowerOff}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := tv.Settle(ctx)
	if err == nil || !strings.Contains(err.Error(), "power off not reported") {
		t.Fatalf("Settle: %v", err)
	}
	if tv.Player.Snapshot().Power != "OFF" {
		t.Fatal("power_off did not turn the TV off")
	}
}
