// Package devicetest provides in-memory fakes of device.Store and
// device.Notifier for domain tests, and the contract suite every
// device.Store must pass.
package devicetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"livingroom/internal/action"
	"livingroom/internal/device"
)

type deviceKey struct{ account, endpoint string }

// Store is an in-memory, concurrency-safe device.Store.
type Store struct {
	mu      sync.Mutex
	devices map[deviceKey]device.Device
	regs    map[string]deviceKey
}

// NewStore returns an empty Store.
func NewStore() *Store {
	return &Store{devices: map[deviceKey]device.Device{}, regs: map[string]deviceKey{}}
}

// PutDevice implements device.Store.
func (s *Store) PutDevice(_ context.Context, d device.Device) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := deviceKey{d.AccountID, d.EndpointID}
	if owner, ok := s.regs[d.RegistrationID]; ok && owner.account != d.AccountID {
		return fmt.Errorf("registration %s: %w", d.RegistrationID, device.ErrRegistrationTaken)
	}
	if old, ok := s.devices[k]; ok && old.RegistrationID != d.RegistrationID && s.regs[old.RegistrationID] == k {
		delete(s.regs, old.RegistrationID)
	}
	s.devices[k] = d
	s.regs[d.RegistrationID] = k
	return nil
}

// DeleteDevice implements device.Store.
func (s *Store) DeleteDevice(_ context.Context, accountID, endpointID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := deviceKey{accountID, endpointID}
	if d, ok := s.devices[k]; ok && s.regs[d.RegistrationID] == k {
		delete(s.regs, d.RegistrationID)
	}
	delete(s.devices, k)
	return nil
}

// GetDevice implements device.Store.
func (s *Store) GetDevice(_ context.Context, accountID, endpointID string) (device.Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[deviceKey{accountID, endpointID}]
	if !ok {
		return device.Device{}, fmt.Errorf("device %s: %w", endpointID, device.ErrNotFound)
	}
	return d, nil
}

// GetByRegistration implements device.Store.
func (s *Store) GetByRegistration(_ context.Context, registrationID string) (device.Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.regs[registrationID]
	if !ok {
		return device.Device{}, fmt.Errorf("registration %s: %w", registrationID, device.ErrNotFound)
	}
	d := s.devices[k]
	if d.RegistrationID != registrationID {
		return device.Device{}, fmt.Errorf("registration %s: %w", registrationID, device.ErrNotFound)
	}
	return d, nil
}

// ListDevices implements device.Store.
func (s *Store) ListDevices(_ context.Context, accountID string) ([]device.Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []device.Device
	for k, d := range s.devices {
		if k.account == accountID {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].EndpointID < out[j].EndpointID })
	return out, nil
}

// Sent is one action a Notifier delivered.
type Sent struct {
	RegistrationID string
	Action         action.Action
}

// Notifier records what it is asked to deliver and fails with Err when set.
// Like device-push with the action id as idempotency key (admclient), it
// delivers an action id to a registration once: a repeat succeeds and is
// not recorded.
type Notifier struct {
	mu   sync.Mutex
	sent []Sent
	seen map[[2]string]bool
	Err  error
}

// Notify implements device.Notifier.
func (n *Notifier) Notify(_ context.Context, registrationID string, a action.Action) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.Err != nil {
		return n.Err
	}
	k := [2]string{registrationID, a.ID}
	if a.ID != "" && n.seen[k] {
		return nil
	}
	if n.seen == nil {
		n.seen = map[[2]string]bool{}
	}
	n.seen[k] = true
	n.sent = append(n.sent, Sent{RegistrationID: registrationID, Action: a})
	return nil
}

// Sent returns what was delivered so far.
func (n *Notifier) Sent() []Sent {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Sent(nil), n.sent...)
}

// RunStoreSuite checks the behaviour every device.Store must have.
func RunStoreSuite(t *testing.T, newStore func(t *testing.T) device.Store) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tv := device.Device{AccountID: "acc-1", EndpointID: "tv-1", RegistrationID: "reg-1", FriendlyName: "Living Room TV", RegisteredAt: at}

	t.Run("device round trip by endpoint and registration", func(t *testing.T) {
		s := newStore(t)
		if err := s.PutDevice(ctx, tv); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetDevice(ctx, "acc-1", "tv-1")
		if err != nil || !equal(got, tv) {
			t.Fatalf("GetDevice = %+v, %v", got, err)
		}
		got, err = s.GetByRegistration(ctx, "reg-1")
		if err != nil || !equal(got, tv) {
			t.Fatalf("GetByRegistration = %+v, %v", got, err)
		}
	})
	t.Run("unknown device and registration are ErrNotFound", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.GetDevice(ctx, "acc-1", "nope"); !errors.Is(err, device.ErrNotFound) {
			t.Fatalf("GetDevice err = %v", err)
		}
		if _, err := s.GetByRegistration(ctx, "nope"); !errors.Is(err, device.ErrNotFound) {
			t.Fatalf("GetByRegistration err = %v", err)
		}
	})
	t.Run("new registration id replaces the old one", func(t *testing.T) {
		s := newStore(t)
		if err := s.PutDevice(ctx, tv); err != nil {
			t.Fatal(err)
		}
		moved := tv
		moved.RegistrationID = "reg-2"
		if err := s.PutDevice(ctx, moved); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetByRegistration(ctx, "reg-1"); !errors.Is(err, device.ErrNotFound) {
			t.Fatalf("old registration err = %v, want ErrNotFound", err)
		}
		got, err := s.GetDevice(ctx, "acc-1", "tv-1")
		if err != nil || got.RegistrationID != "reg-2" {
			t.Fatalf("GetDevice = %+v, %v", got, err)
		}
	})
	t.Run("a registration id stays with the account that registered it first", func(t *testing.T) {
		s := newStore(t)
		if err := s.PutDevice(ctx, tv); err != nil {
			t.Fatal(err)
		}
		thief := device.Device{AccountID: "acc-2", EndpointID: "tv-9", RegistrationID: tv.RegistrationID, RegisteredAt: at}
		if err := s.PutDevice(ctx, thief); !errors.Is(err, device.ErrRegistrationTaken) {
			t.Fatalf("PutDevice by another account err = %v, want ErrRegistrationTaken", err)
		}
		if _, err := s.GetDevice(ctx, "acc-2", "tv-9"); !errors.Is(err, device.ErrNotFound) {
			t.Fatalf("refused device was written: err = %v", err)
		}
		got, err := s.GetByRegistration(ctx, tv.RegistrationID)
		if err != nil || got.AccountID != "acc-1" {
			t.Fatalf("GetByRegistration = %+v, %v", got, err)
		}
		// The same account may move the registration to another endpoint.
		renamed := tv
		renamed.EndpointID = "tv-renamed"
		if err := s.PutDevice(ctx, renamed); err != nil {
			t.Fatalf("same account, new endpoint: %v", err)
		}
	})
	t.Run("deregistering frees the registration id", func(t *testing.T) {
		s := newStore(t)
		if err := s.PutDevice(ctx, tv); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteDevice(ctx, "acc-1", "tv-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetDevice(ctx, "acc-1", "tv-1"); !errors.Is(err, device.ErrNotFound) {
			t.Fatalf("deleted device err = %v", err)
		}
		if _, err := s.GetByRegistration(ctx, tv.RegistrationID); !errors.Is(err, device.ErrNotFound) {
			t.Fatalf("deleted registration err = %v", err)
		}
		other := device.Device{AccountID: "acc-2", EndpointID: "tv-9", RegistrationID: tv.RegistrationID, RegisteredAt: at}
		if err := s.PutDevice(ctx, other); err != nil {
			t.Fatalf("registration id not freed: %v", err)
		}
		if err := s.DeleteDevice(ctx, "acc-1", "never-there"); err != nil {
			t.Fatalf("delete unknown device: %v", err)
		}
	})
	t.Run("a moved registration id is free for others", func(t *testing.T) {
		s := newStore(t)
		if err := s.PutDevice(ctx, tv); err != nil {
			t.Fatal(err)
		}
		moved := tv
		moved.RegistrationID = "reg-new"
		if err := s.PutDevice(ctx, moved); err != nil {
			t.Fatal(err)
		}
		other := device.Device{AccountID: "acc-2", EndpointID: "tv-9", RegistrationID: tv.RegistrationID, RegisteredAt: at}
		if err := s.PutDevice(ctx, other); err != nil {
			t.Fatalf("old registration id still held: %v", err)
		}
	})
	t.Run("list devices of one account only", func(t *testing.T) {
		s := newStore(t)
		second := tv
		second.EndpointID, second.RegistrationID = "tv-2", "reg-3"
		other := tv
		other.AccountID, other.EndpointID, other.RegistrationID = "acc-2", "tv-9", "reg-9"
		for _, d := range []device.Device{tv, second, other} {
			if err := s.PutDevice(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.ListDevices(ctx, "acc-1")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].EndpointID != "tv-1" || got[1].EndpointID != "tv-2" {
			t.Fatalf("ListDevices = %+v", got)
		}
	})
}

func equal(a, b device.Device) bool {
	return a.AccountID == b.AccountID && a.EndpointID == b.EndpointID && a.RegistrationID == b.RegistrationID &&
		a.FriendlyName == b.FriendlyName && a.RegisteredAt.Equal(b.RegisteredAt)
}

// StateStore is an in-memory device.StateStore.
type StateStore struct {
	mu     sync.Mutex
	states map[deviceKey]device.State
}

// NewStateStore returns an empty StateStore.
func NewStateStore() *StateStore { return &StateStore{states: map[deviceKey]device.State{}} }

// PutState implements device.StateStore.
func (s *StateStore) PutState(_ context.Context, accountID, endpointID string, st device.State) (*device.State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := deviceKey{accountID, endpointID}
	var prev *device.State
	if p, ok := s.states[k]; ok {
		prev = &p
	}
	s.states[k] = st
	return prev, nil
}

// GetState implements device.StateStore.
func (s *StateStore) GetState(_ context.Context, accountID, endpointID string) (device.State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.states[deviceKey{accountID, endpointID}]
	if !ok {
		return device.State{}, fmt.Errorf("state of %s: %w", endpointID, device.ErrNoState)
	}
	return st, nil
}

// RunStateStoreSuite checks the behaviour every device.StateStore must have.
func RunStateStoreSuite(t *testing.T, newStore func(t *testing.T) device.StateStore) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	full := device.State{
		RegistrationID: "reg-1", Power: device.PowerOn, Playback: device.PlaybackPlaying,
		Content:    &device.StateContent{ID: "ep-1", Title: "Offred", SeriesID: "s-1", SeriesTitle: "The Handmaid's Tale", Season: 1, Episode: 1},
		PositionMs: 61_000, DurationMs: 3_420_000,
		Channel: &device.StateChannel{Number: "206", CallSign: "ESPN", Name: "ESPN", ProgramID: "p-1", ProgramTitle: "SportsCenter"},
		Screen:  "player", LastActionID: "act-9", ReportedAt: at, ReceivedAt: at.Add(time.Millisecond),
		Sound: &device.StateSound{Volume: 0, Muted: true}, Input: "HDMI 2",
	}
	t.Run("round trip, per account and endpoint", func(t *testing.T) {
		s := newStore(t)
		if prev, err := s.PutState(ctx, "acc-1", "tv-1", full); err != nil || prev != nil {
			t.Fatalf("first PutState: prev %+v, %v", prev, err)
		}
		got, err := s.GetState(ctx, "acc-1", "tv-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.RegistrationID != full.RegistrationID || got.Power != full.Power || got.Playback != full.Playback ||
			*got.Content != *full.Content || *got.Channel != *full.Channel || got.PositionMs != full.PositionMs ||
			got.DurationMs != full.DurationMs || got.Screen != full.Screen || got.LastActionID != full.LastActionID ||
			!got.ReportedAt.Equal(full.ReportedAt) || !got.ReceivedAt.Equal(full.ReceivedAt) ||
			got.Sound == nil || *got.Sound != *full.Sound || got.Input != full.Input {
			t.Fatalf("GetState = %+v, want %+v", got, full)
		}
		if _, err := s.GetState(ctx, "acc-2", "tv-1"); !errors.Is(err, device.ErrNoState) {
			t.Fatalf("other account's state err = %v, want ErrNoState", err)
		}
	})
	t.Run("the newest report replaces the last; empty parts stay empty", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.PutState(ctx, "acc-1", "tv-1", full); err != nil {
			t.Fatal(err)
		}
		off := device.State{Power: device.PowerOff, Playback: device.PlaybackStopped, ReportedAt: at, ReceivedAt: at}
		prev, err := s.PutState(ctx, "acc-1", "tv-1", off)
		if err != nil || prev == nil || prev.Playback != full.Playback || *prev.Content != *full.Content || !prev.ReceivedAt.Equal(full.ReceivedAt) {
			t.Fatalf("PutState returned prev %+v, %v; want the replaced state", prev, err)
		}
		got, err := s.GetState(ctx, "acc-1", "tv-1")
		if err != nil || got.Power != device.PowerOff || got.Content != nil || got.Channel != nil || got.Sound != nil || got.Input != "" {
			t.Fatalf("GetState = %+v, %v", got, err)
		}
	})
}

// RunFindWithStateSuite checks device.Service.FindWithState over a device
// store and the state store beside it: the one-round-trip path of a store
// that reads both at once, and the two-read path of one that does not,
// must answer alike.
func RunFindWithStateSuite(t *testing.T, newStores func(t *testing.T) (device.Store, device.StateStore)) {
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	store, states := newStores(t)
	svc := device.NewService(store, nil, func() time.Time { return at }, func() string { return "id" }).WithStates(states)
	for _, d := range []device.Device{
		{AccountID: "acc-1", EndpointID: "tv-1", RegistrationID: "reg-1", FriendlyName: "Living Room"},
		{AccountID: "acc-1", EndpointID: "tv-quiet", RegistrationID: "reg-2"},
		{AccountID: "acc-2", EndpointID: "tv-b", RegistrationID: "reg-3"},
	} {
		if err := store.PutDevice(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	playing := device.State{Power: device.PowerOn, Playback: device.PlaybackPlaying, PositionMs: 5000, ReportedAt: at, ReceivedAt: at}
	if _, err := states.PutState(ctx, "acc-1", "tv-1", playing); err != nil {
		t.Fatal(err)
	}
	// acc-2 reports a state for an endpoint id acc-1 also asks about.
	if _, err := states.PutState(ctx, "acc-2", "tv-quiet", playing); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, account, endpoint string
		wantErr                 error
		wantState               bool
	}{
		{"device and state", "acc-1", "tv-1", nil, true},
		{"device that never reported", "acc-1", "tv-quiet", nil, false},
		{"unknown device", "acc-1", "tv-none", device.ErrNotFound, false},
		{"another account's device", "acc-1", "tv-b", device.ErrNotFound, false},
		{"state without a device", "acc-2", "tv-quiet", device.ErrNotFound, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, st, err := svc.FindWithState(ctx, c.account, c.endpoint)
			if !errors.Is(err, c.wantErr) || (err == nil) != (c.wantErr == nil) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			if err != nil {
				return
			}
			if d.AccountID != c.account || d.EndpointID != c.endpoint {
				t.Fatalf("device %+v", d)
			}
			if (st != nil) != c.wantState {
				t.Fatalf("state %+v, want one: %v", st, c.wantState)
			}
			if st != nil && (st.Playback != playing.Playback || st.PositionMs != playing.PositionMs || !st.ReceivedAt.Equal(at)) {
				t.Fatalf("state %+v, want %+v", st, playing)
			}
		})
	}
}
