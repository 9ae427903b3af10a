package device_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"livingroom/internal/action"
	"livingroom/internal/device"
	"livingroom/internal/device/devicetest"
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
