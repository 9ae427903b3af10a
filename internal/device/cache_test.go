package device_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"livingroom/internal/action"
	"livingroom/internal/device"
	"livingroom/internal/device/devicetest"
)

// TestDeviceCache: what a warm Lambda may serve from memory, and when it
// must read the store again.
func TestDeviceCache(t *testing.T) {
	const ttl = 5 * time.Second
	tv := device.Device{AccountID: "acc-1", EndpointID: "tv-1", RegistrationID: "reg-1", FriendlyName: "TV"}
	tests := []struct {
		name   string
		steps  func(t *testing.T, s *device.Service, clock *time.Time, n *devicetest.Notifier)
		wantOK bool
	}{
		{"never read", func(*testing.T, *device.Service, *time.Time, *devicetest.Notifier) {}, false},
		{"read a moment ago", func(t *testing.T, s *device.Service, clock *time.Time, _ *devicetest.Notifier) {
			find(t, s, tv)
			*clock = clock.Add(ttl - time.Millisecond)
		}, true},
		{"read with its state", func(t *testing.T, s *device.Service, _ *time.Time, _ *devicetest.Notifier) {
			if _, _, err := s.FindWithState(context.Background(), tv.AccountID, tv.EndpointID); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"lapsed", func(t *testing.T, s *device.Service, clock *time.Time, _ *devicetest.Notifier) {
			find(t, s, tv)
			*clock = clock.Add(ttl)
		}, false},
		{"not found is not cached", func(t *testing.T, s *device.Service, _ *time.Time, _ *devicetest.Notifier) {
			if _, err := s.Find(context.Background(), tv.AccountID, "tv-unknown"); err == nil {
				t.Fatal("found an unknown device")
			}
		}, false},
		{"deregistered here", func(t *testing.T, s *device.Service, _ *time.Time, _ *devicetest.Notifier) {
			find(t, s, tv)
			if err := s.Deregister(context.Background(), tv.AccountID, tv.EndpointID); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"a send that cannot reach it", sendFails(tv, fmt.Errorf("adm: Unregistered: %w", device.ErrUnreachable)), false},
		{"a send that fails otherwise keeps it", sendFails(tv, fmt.Errorf("encode: %w", device.ErrInvalid)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := time.Date(2026, 12, 2, 18, 0, 0, 0, time.UTC)
			store := devicetest.NewStore()
			if err := store.PutDevice(context.Background(), tv); err != nil {
				t.Fatal(err)
			}
			n := &devicetest.Notifier{}
			s := device.NewService(store, n, func() time.Time { return clock }, func() string { return "id" }).
				WithStates(devicetest.NewStateStore()).WithCache(ttl, 10)
			tt.steps(t, s, &clock, n)
			got, ok := s.Cached(tv.AccountID, tv.EndpointID)
			if ok != tt.wantOK || (ok && got != tv) {
				t.Errorf("Cached = %+v, %v; want %v", got, ok, tt.wantOK)
			}
			if _, ok := s.Cached("acc-other", tv.EndpointID); ok {
				t.Error("another account's lookup was served from the cache")
			}
		})
	}
}

// TestDeviceCacheBounded: a full cache never grows past its size.
func TestDeviceCacheBounded(t *testing.T) {
	clock := time.Date(2026, 12, 2, 18, 0, 0, 0, time.UTC)
	store := devicetest.NewStore()
	s := device.NewService(store, nil, func() time.Time { return clock }, nil).WithCache(time.Minute, 3)
	for i := range 10 {
		d := device.Device{AccountID: "acc", EndpointID: fmt.Sprint("tv-", i), RegistrationID: fmt.Sprint("reg-", i)}
		if err := store.PutDevice(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		find(t, s, d)
	}
	cached := 0
	for i := range 10 {
		if _, ok := s.Cached("acc", fmt.Sprint("tv-", i)); ok {
			cached++
		}
	}
	if cached == 0 || cached > 3 {
		t.Errorf("%d devices cached, want 1 to 3", cached)
	}
}

// Without a cache nothing is ever served from memory.
func TestNoDeviceCache(t *testing.T) {
	store := devicetest.NewStore()
	tv := device.Device{AccountID: "acc", EndpointID: "tv", RegistrationID: "reg"}
	if err := store.PutDevice(context.Background(), tv); err != nil {
		t.Fatal(err)
	}
	s := device.NewService(store, nil, time.Now, nil)
	find(t, s, tv)
	if _, ok := s.Cached(tv.AccountID, tv.EndpointID); ok {
		t.Error("served from a cache it does not have")
	}
}

// sendFails reads tv into the cache, then sends to it through a notifier
// failing with err.
func sendFails(tv device.Device, err error) func(*testing.T, *device.Service, *time.Time, *devicetest.Notifier) {
	return func(t *testing.T, s *device.Service, _ *time.Time, n *devicetest.Notifier) {
		find(t, s, tv)
		n.Err = err
		if _, err := s.Send(context.Background(), tv, action.Action{Type: action.Pause}); err == nil {
			t.Fatal("send succeeded")
		}
	}
}

func find(t *testing.T, s *device.Service, d device.Device) {
	t.Helper()
	if _, err := s.Find(context.Background(), d.AccountID, d.EndpointID); err != nil {
		t.Fatal(err)
	}
}
