// Package device is the domain of TVs registered to accounts and the commands
// sent to them. It knows nothing of DynamoDB or ADM: it declares the Store and
// Notifier it needs.
package device

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"livingroom/internal/action"
	"livingroom/internal/viewing"
)

// Errors the domain reports.
var (
	ErrNotFound    = errors.New("device not found")
	ErrUnreachable = errors.New("device unreachable")
	// ErrNotDelivered: device messaging took the action but no connection
	// of the device did, and it was discarded, so the device never applies
	// it (a TV that is off or offline). It is an ErrUnreachable.
	ErrNotDelivered = fmt.Errorf("action not delivered: %w", ErrUnreachable)
	ErrInvalid      = errors.New("invalid device")
	// ErrRegistrationTaken reports a registration id that another account
	// registered first; it stays that account's until the device deregisters.
	ErrRegistrationTaken = errors.New("registration id belongs to another account")
)

// Bounds of what a device record may hold. Alexa allows endpoint ids of up to
// 256 characters from a fixed alphabet; ADM registration ids are a few
// hundred characters of URL-safe text.
const (
	MaxEndpointIDLen     = 256
	MaxRegistrationIDLen = 512
	MaxFriendlyNameLen   = 128
)

// Device is one app instance on a TV, known to Alexa as an endpoint.
type Device struct {
	AccountID      string
	EndpointID     string // Alexa endpoint id
	RegistrationID string // device-messaging registration id (Alexa cookie applicationInstanceId)
	FriendlyName   string
	RegisteredAt   time.Time
}

// Store keeps devices. GetDevice and GetByRegistration return ErrNotFound
// for an unknown device. PutDevice returns ErrRegistrationTaken, and writes
// nothing, when the registration id is held by another account; it frees
// the registration id the device held before. DeleteDevice removes a device
// and frees its registration id; deleting an unknown device is no error.
type Store interface {
	PutDevice(ctx context.Context, d Device) error
	DeleteDevice(ctx context.Context, accountID, endpointID string) error
	GetDevice(ctx context.Context, accountID, endpointID string) (Device, error)
	GetByRegistration(ctx context.Context, registrationID string) (Device, error)
	ListDevices(ctx context.Context, accountID string) ([]Device, error)
}

// Notifier delivers an action to a registration id. It returns an error
// wrapping ErrUnreachable when the device cannot be reached.
type Notifier interface {
	Notify(ctx context.Context, registrationID string, a action.Action) error
}

// Service registers devices and commands them.
type Service struct {
	store    Store
	notifier Notifier
	states   StateStore
	progress ProgressSink
	changes  ChangeSink
	now      func() time.Time
	newID    func() string
	cache    *deviceCache // nil: every Find reads the store
}

// WithStates gives the service the store of reported states.
func (s *Service) WithStates(states StateStore) *Service {
	s.states = states
	return s
}

// ProgressSink keeps an account's watch progress in a series.
type ProgressSink interface {
	PutProgress(ctx context.Context, accountID string, p viewing.Progress) error
}

// WithProgress makes state reports of series episodes update the account's
// watch progress.
func (s *Service) WithProgress(p ProgressSink) *Service {
	s.progress = p
	return s
}

// ChangeSink hears of each stored state report with the one before it (nil
// for the first), to tell Alexa what changed. It handles its own failures.
type ChangeSink interface {
	StateChanged(ctx context.Context, accountID, endpointID string, prev *State, cur State)
}

// WithChanges makes state reports notify sink.
func (s *Service) WithChanges(sink ChangeSink) *Service {
	s.changes = sink
	return s
}

// ReportState records what a device of the account reports about itself.
// The device must be registered to the account; the state is stamped with
// the backend's clock.
func (s *Service) ReportState(ctx context.Context, accountID, endpointID string, st State) (State, error) {
	if s.states == nil {
		return State{}, fmt.Errorf("report state: this service was built without a state store")
	}
	if err := ValidateState(st); err != nil {
		return State{}, fmt.Errorf("report state of %s: %w", endpointID, err)
	}
	d, err := s.store.GetDevice(ctx, accountID, endpointID)
	if err != nil {
		return State{}, fmt.Errorf("report state: %w", err)
	}
	if st.RegistrationID == "" {
		st.RegistrationID = d.RegistrationID
	}
	st.ReceivedAt = s.now().UTC()
	prev, err := s.states.PutState(ctx, accountID, endpointID, st)
	if err != nil {
		return State{}, fmt.Errorf("report state of %s: %w", endpointID, err)
	}
	if c := st.Content; s.progress != nil && c != nil && c.SeriesID != "" && st.Channel == nil {
		p := viewing.Progress{SeriesID: c.SeriesID, EpisodeID: c.ID, Season: c.Season, Episode: c.Episode,
			PositionMs: st.PositionMs, DurationMs: st.DurationMs, UpdatedAt: st.ReceivedAt}
		if err := s.progress.PutProgress(ctx, accountID, p); err != nil {
			return State{}, fmt.Errorf("report state of %s: progress: %w", endpointID, err)
		}
	}
	if s.changes != nil {
		s.changes.StateChanged(ctx, accountID, endpointID, prev, st)
	}
	return st, nil
}

// DeviceStateReader reads a device and its last reported state in one
// round trip (the DynamoDB adapter keeps both in the account's partition).
// A store without it is read twice.
type DeviceStateReader interface {
	GetDeviceWithState(ctx context.Context, accountID, endpointID string) (Device, *State, error)
}

// FindWithState returns an account's device and its last reported state;
// the state is nil when the device never reported one.
func (s *Service) FindWithState(ctx context.Context, accountID, endpointID string) (Device, *State, error) {
	if r, ok := s.store.(DeviceStateReader); ok && s.states != nil {
		d, st, err := r.GetDeviceWithState(ctx, accountID, endpointID)
		if err != nil {
			return Device{}, nil, fmt.Errorf("find device %s: %w", endpointID, err)
		}
		s.remember(d)
		return d, st, nil
	}
	d, err := s.Find(ctx, accountID, endpointID)
	if err != nil {
		return Device{}, nil, err
	}
	st, err := s.State(ctx, accountID, endpointID)
	switch {
	case errors.Is(err, ErrNoState):
		return d, nil, nil
	case err != nil:
		return Device{}, nil, err
	}
	return d, &st, nil
}

// State returns a device's last reported state.
func (s *Service) State(ctx context.Context, accountID, endpointID string) (State, error) {
	if s.states == nil {
		return State{}, fmt.Errorf("state of %s: %w", endpointID, ErrNoState)
	}
	st, err := s.states.GetState(ctx, accountID, endpointID)
	if err != nil {
		return State{}, fmt.Errorf("state of %s: %w", endpointID, err)
	}
	return st, nil
}

// NewService wires a Service. now and newID are injected so tests are exact.
// notifier may be nil for a service that only registers devices.
func NewService(store Store, notifier Notifier, now func() time.Time, newID func() string) *Service {
	return &Service{store: store, notifier: notifier, now: now, newID: newID}
}

// Register records (or refreshes) a device of an account. A registration id
// already registered by another account is refused with ErrRegistrationTaken.
func (s *Service) Register(ctx context.Context, d Device) (Device, error) {
	if err := Validate(d); err != nil {
		return Device{}, fmt.Errorf("register device: %w", err)
	}
	d.RegisteredAt = s.now().UTC()
	if err := s.store.PutDevice(ctx, d); err != nil {
		return Device{}, fmt.Errorf("register device %s: %w", d.EndpointID, err)
	}
	return d, nil
}

// Deregister removes a device of an account and frees its registration id.
func (s *Service) Deregister(ctx context.Context, accountID, endpointID string) error {
	if !ValidEndpointID(endpointID) {
		return fmt.Errorf("deregister device: bad endpoint id: %w", ErrInvalid)
	}
	if _, err := s.store.GetDevice(ctx, accountID, endpointID); err != nil {
		return fmt.Errorf("deregister device: %w", err)
	}
	if err := s.store.DeleteDevice(ctx, accountID, endpointID); err != nil {
		return fmt.Errorf("deregister device: %w", err)
	}
	s.forget(accountID, endpointID)
	return nil
}

// Validate checks that a device record is complete and within bounds. Its
// errors wrap ErrInvalid and never quote the input.
func Validate(d Device) error {
	switch {
	case d.AccountID == "" || d.EndpointID == "" || d.RegistrationID == "":
		return fmt.Errorf("accountId, endpointId and registrationId are required: %w", ErrInvalid)
	case !ValidEndpointID(d.EndpointID):
		return fmt.Errorf("endpointId: at most %d characters of [A-Za-z0-9_-=#;:?@&]: %w", MaxEndpointIDLen, ErrInvalid)
	case !ValidRegistrationID(d.RegistrationID):
		return fmt.Errorf("registrationId: at most %d printable ASCII characters: %w", MaxRegistrationIDLen, ErrInvalid)
	case utf8.RuneCountInString(d.FriendlyName) > MaxFriendlyNameLen || !utf8.ValidString(d.FriendlyName) || hasControl(d.FriendlyName):
		return fmt.Errorf("friendlyName: at most %d characters of text: %w", MaxFriendlyNameLen, ErrInvalid)
	}
	return nil
}

// ValidEndpointID reports whether id is an endpoint id Alexa accepts.
func ValidEndpointID(id string) bool {
	if id == "" || len(id) > MaxEndpointIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_-=#;:?@&", c) >= 0) {
			return false
		}
	}
	return true
}

// ValidRegistrationID reports whether id can be a device-messaging
// registration id: printable ASCII without spaces, bounded.
func ValidRegistrationID(id string) bool {
	if id == "" || len(id) > MaxRegistrationIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// Find returns the device of an account behind an Alexa endpoint.
func (s *Service) Find(ctx context.Context, accountID, endpointID string) (Device, error) {
	d, err := s.store.GetDevice(ctx, accountID, endpointID)
	if err != nil {
		return Device{}, fmt.Errorf("find device %s: %w", endpointID, err)
	}
	s.remember(d)
	return d, nil
}

// FindByRegistration returns the device that holds a device-messaging
// registration id.
func (s *Service) FindByRegistration(ctx context.Context, registrationID string) (Device, error) {
	d, err := s.store.GetByRegistration(ctx, registrationID)
	if err != nil {
		return Device{}, fmt.Errorf("find device by registration %s: %w", registrationID, err)
	}
	return d, nil
}

// List returns the devices of an account.
func (s *Service) List(ctx context.Context, accountID string) ([]Device, error) {
	ds, err := s.store.ListDevices(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("list devices of %s: %w", accountID, err)
	}
	return ds, nil
}

// Send stamps an action with the time, and with a fresh id unless it has
// one (a caller that may send the same action twice names it, so the device
// applies it once), and delivers it to the device's registration id.
func (s *Service) Send(ctx context.Context, d Device, a action.Action) (action.Action, error) {
	if d.RegistrationID == "" {
		return action.Action{}, fmt.Errorf("send %s to %s: no registration id: %w", a.Type, d.EndpointID, ErrUnreachable)
	}
	if s.notifier == nil {
		return action.Action{}, fmt.Errorf("send %s to %s: this service was built without a notifier", a.Type, d.EndpointID)
	}
	if a.ID == "" {
		a.ID = s.newID()
	}
	a.Time = s.now().UTC()
	if err := s.notifier.Notify(ctx, d.RegistrationID, a); err != nil {
		if errors.Is(err, ErrUnreachable) {
			s.forget(d.AccountID, d.EndpointID)
		}
		return action.Action{}, fmt.Errorf("send %s to %s: %w", a.Type, d.EndpointID, err)
	}
	return a, nil
}
