package device_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"livingroom/internal/action"
	"livingroom/internal/device"
	"livingroom/internal/device/devicetest"
	"livingroom/internal/viewing/viewingtest"
)

func TestFakeStoreContract(t *testing.T) {
	devicetest.RunStoreSuite(t, func(t *testing.T) device.Store { return devicetest.NewStore() })
}

func TestSendStampsAndDelivers(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	notifier := &devicetest.Notifier{}
	svc := device.NewService(devicetest.NewStore(), notifier, func() time.Time { return now }, func() string { return "act-1" })
	tv := device.Device{AccountID: "acc", EndpointID: "tv", RegistrationID: "reg"}
	got, err := svc.Send(context.Background(), tv, action.Action{Type: action.Pause})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "act-1" || !got.Time.Equal(now) {
		t.Fatalf("action = %+v", got)
	}
	sent := notifier.Sent()
	if len(sent) != 1 || sent[0].RegistrationID != "reg" || sent[0].Action.Type != action.Pause {
		t.Fatalf("sent = %+v", sent)
	}
}

func TestSendErrors(t *testing.T) {
	cases := []struct {
		name     string
		device   device.Device
		notifyTo error
		want     error
	}{
		{"no registration id", device.Device{EndpointID: "tv"}, nil, device.ErrUnreachable},
		{"notifier unreachable", device.Device{EndpointID: "tv", RegistrationID: "reg"}, device.ErrUnreachable, device.ErrUnreachable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc := device.NewService(devicetest.NewStore(), &devicetest.Notifier{Err: c.notifyTo}, time.Now, func() string { return "id" })
			if _, err := svc.Send(context.Background(), c.device, action.Action{Type: action.Pause}); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestRegisterValidates(t *testing.T) {
	svc := device.NewService(devicetest.NewStore(), &devicetest.Notifier{}, time.Now, func() string { return "id" })
	_, err := svc.Register(context.Background(), device.Device{AccountID: "acc", EndpointID: "tv"})
	if !errors.Is(err, device.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
}

func TestFakeStateStoreContract(t *testing.T) {
	devicetest.RunStateStoreSuite(t, func(t *testing.T) device.StateStore { return devicetest.NewStateStore() })
}

// A state report of a series episode moves the account's watch progress;
// live TV and movies do not.
func TestReportStateKeepsProgress(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	store := devicetest.NewStore()
	if err := store.PutDevice(ctx, device.Device{AccountID: "acc", EndpointID: "tv", RegistrationID: "reg"}); err != nil {
		t.Fatal(err)
	}
	progress := viewingtest.NewStore()
	svc := device.NewService(store, nil, func() time.Time { return now }, nil).WithStates(devicetest.NewStateStore()).WithProgress(progress)
	episode := &device.StateContent{ID: "e-1-2", SeriesID: "s", Season: 1, Episode: 2}
	cases := []struct {
		name  string
		state device.State
		want  int64 // progress position after the report; -1 for none
	}{
		{"movie", device.State{Power: "ON", Playback: "PLAYING", Content: &device.StateContent{ID: "m"}, PositionMs: 5}, -1},
		{"episode", device.State{Power: "ON", Playback: "PLAYING", Content: episode, PositionMs: 60_000, DurationMs: 2_820_000}, 60_000},
		{"live TV with a programme", device.State{Power: "ON", Playback: "PLAYING", Content: episode, PositionMs: 99, Channel: &device.StateChannel{Number: "7"}}, 60_000},
		{"paused later", device.State{Power: "ON", Playback: "PAUSED", Content: episode, PositionMs: 120_000, DurationMs: 2_820_000}, 120_000},
	}
	for _, c := range cases {
		if _, err := svc.ReportState(ctx, "acc", "tv", c.state); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		p, err := progress.GetProgress(ctx, "acc", "s")
		if c.want < 0 {
			if err == nil {
				t.Fatalf("%s: progress %+v", c.name, p)
			}
			continue
		}
		if err != nil || p.PositionMs != c.want || p.EpisodeID != "e-1-2" {
			t.Fatalf("%s: progress %+v, %v", c.name, p, err)
		}
	}
	if _, err := svc.ReportState(ctx, "acc", "other-tv", cases[1].state); !errors.Is(err, device.ErrNotFound) {
		t.Fatalf("report for an unknown TV: %v", err)
	}
}

func TestFakeFindWithState(t *testing.T) {
	devicetest.RunFindWithStateSuite(t, func(t *testing.T) (device.Store, device.StateStore) {
		return devicetest.NewStore(), devicetest.NewStateStore()
	})
}
