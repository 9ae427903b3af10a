// Package device is the domain of TVs registered to accounts and the commands
// sent to them. It knows nothing of DynamoDB or ADM: it declares the Store and
// Notifier it needs.
package device

import (
	"context"
	"errors"
	"fmt"
	"time"

	"livingroom/internal/action"
)

// Errors the domain reports.
var (
	ErrNotFound    = errors.New("device not found")
	ErrUnreachable = errors.New("device unreachable")
	ErrInvalid     = errors.New("invalid device")
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
// for an unknown device.
type Store interface {
	PutDevice(ctx context.Context, d Device) error
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
	now      func() time.Time
	newID    func() string
}

// NewService wires a Service. now and newID are injected so tests are exact.
// notifier may be nil for a service that only registers devices.
func NewService(store Store, notifier Notifier, now func() time.Time, newID func() string) *Service {
	return &Service{store: store, notifier: notifier, now: now, newID: newID}
}

// Register records (or refreshes) a device of an account.
func (s *Service) Register(ctx context.Context, d Device) (Device, error) {
	if d.AccountID == "" || d.EndpointID == "" || d.RegistrationID == "" {
		return Device{}, fmt.Errorf("register device: accountId, endpointId and registrationId are required: %w", ErrInvalid)
	}
	d.RegisteredAt = s.now().UTC()
	if err := s.store.PutDevice(ctx, d); err != nil {
		return Device{}, fmt.Errorf("register device %s: %w", d.EndpointID, err)
	}
	return d, nil
}

// Find returns the device of an account behind an Alexa endpoint.
func (s *Service) Find(ctx context.Context, accountID, endpointID string) (Device, error) {
	d, err := s.store.GetDevice(ctx, accountID, endpointID)
	if err != nil {
		return Device{}, fmt.Errorf("find device %s: %w", endpointID, err)
	}
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

// Send stamps an action with a fresh id and time and delivers it to the
// device's registration id.
func (s *Service) Send(ctx context.Context, d Device, a action.Action) (action.Action, error) {
	if d.RegistrationID == "" {
		return action.Action{}, fmt.Errorf("send %s to %s: no registration id: %w", a.Type, d.EndpointID, ErrUnreachable)
	}
	if s.notifier == nil {
		return action.Action{}, fmt.Errorf("send %s to %s: this service was built without a notifier", a.Type, d.EndpointID)
	}
	a.ID = s.newID()
	a.Time = s.now().UTC()
	if err := s.notifier.Notify(ctx, d.RegistrationID, a); err != nil {
		return action.Action{}, fmt.Errorf("send %s to %s: %w", a.Type, d.EndpointID, err)
	}
	return a, nil
}
