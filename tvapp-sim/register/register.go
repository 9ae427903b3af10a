// Package register announces the app instance once it has a device-messaging
// registration id: to the partner backend (POST /v1/devices on the device
// API) and to Alexa (an Alexa.Discovery AddOrUpdateReport event, as the
// Alexa Client Library does on a Fire TV). Service.Run retries with backoff
// until both accepted the current registration id, and starts over when the
// id changes.
package register

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"livingroom/tvapp-sim/backoff"
)

// Paths on the services this package calls.
const (
	DevicesPath = "/v1/devices"
	EventsPath  = "/v3/events"
)

// Config wires a Service.
type Config struct {
	DeviceAPIURL string // base URL of the partner device API
	AlexaURL     string // base URL of the Alexa event gateway (alexa-sim)
	AccountToken string // the partner account token, sent as a bearer token
	Endpoint     Endpoint
	HTTPClient   *http.Client   // a client with a 10 s timeout when nil
	NewID        func() string  // event message ids; uuid.NewString when nil
	Backoff      backoff.Policy // delays between failed attempts
	Logger       *slog.Logger
}

// Device is the device API's answer to a registration.
type Device struct {
	AccountID      string `json:"accountId"`
	EndpointID     string `json:"endpointId"`
	RegistrationID string `json:"registrationId"`
	FriendlyName   string `json:"friendlyName"`
	RegisteredAt   string `json:"registeredAt"`
}

// HTTPError is a non-success answer from a service.
type HTTPError struct {
	StatusCode int
	Code       string // the "error" field of the JSON error body, if any
	Message    string // its "message" field, or the start of the body
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("status %d", e.StatusCode)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Status is where registration stands.
type Status struct {
	RegistrationID   string // the current registration id; "" until device messaging gave one
	DeviceRegistered bool   // the device API accepted the current id
	AlexaRegistered  bool   // Alexa accepted the endpoint with the current id
	LastError        string // the last failure, cleared on success
}

// Registered reports whether the app is fully registered.
func (s Status) Registered() bool {
	return s.RegistrationID != "" && s.DeviceRegistered && s.AlexaRegistered
}

// Service keeps the registrations current. Create it with New.
type Service struct {
	cfg  Config
	wake chan struct{} // signalled when the registration id changes

	mu        sync.Mutex
	current   string
	deviceFor string // registration id the device API accepted
	alexaFor  string // registration id Alexa accepted
	lastErr   string
	changed   chan struct{} // closed and replaced on every status change
}

// New returns a Service. Nothing happens until SetRegistrationID and Run.
func New(cfg Config) *Service {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.NewID == nil {
		cfg.NewID = uuid.NewString
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.DeviceAPIURL = strings.TrimRight(cfg.DeviceAPIURL, "/")
	cfg.AlexaURL = strings.TrimRight(cfg.AlexaURL, "/")
	return &Service{cfg: cfg, wake: make(chan struct{}, 1), changed: make(chan struct{})}
}

// SetRegistrationID records the app's registration id. A new id makes Run
// register again. It never blocks.
func (s *Service) SetRegistrationID(id string) {
	s.mu.Lock()
	if id == s.current {
		s.mu.Unlock()
		return
	}
	s.current = id
	s.notifyLocked()
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Status returns the current status.
func (s *Service) Status() Status {
	st, _ := s.Watch()
	return st
}

// Watch returns the current status and a channel that is closed when it
// next changes.
func (s *Service) Watch() (Status, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Status{
		RegistrationID:   s.current,
		DeviceRegistered: s.current != "" && s.deviceFor == s.current,
		AlexaRegistered:  s.current != "" && s.alexaFor == s.current,
		LastError:        s.lastErr,
	}, s.changed
}

// Run registers whenever the registration id changes, retrying failures
// with backoff, until ctx is done. It returns nil when ctx is done.
func (s *Service) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		}
		s.sync(ctx)
	}
}

// sync registers the current id until both services accepted it, the id is
// gone, or ctx is done.
func (s *Service) sync(ctx context.Context) {
	attempt := 0
	for {
		id, needDevice, needAlexa := s.pending()
		if id == "" || (!needDevice && !needAlexa) {
			return
		}
		err := s.attempt(ctx, id, needDevice, needAlexa)
		if err == nil {
			attempt = 0
			continue
		}
		if ctx.Err() != nil {
			return
		}
		delay := s.cfg.Backoff.Delay(attempt)
		attempt++
		s.setError(err)
		s.cfg.Logger.Warn("registration failed; retrying", "registrationId", id, "attempt", attempt, "retryIn", delay, "err", err)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.wake: // a new id: start over at once
			t.Stop()
			attempt = 0
		case <-t.C:
		}
	}
}

func (s *Service) pending() (id string, needDevice, needAlexa bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current, s.deviceFor != s.current, s.alexaFor != s.current
}

func (s *Service) attempt(ctx context.Context, id string, needDevice, needAlexa bool) error {
	if needDevice {
		d, err := s.RegisterDevice(ctx, id)
		if err != nil {
			return err
		}
		s.cfg.Logger.Info("registered with the device API", "registrationId", id, "endpointId", d.EndpointID, "accountId", d.AccountID)
		s.mark(func() { s.deviceFor = id })
	}
	if needAlexa {
		if err := s.ReportToAlexa(ctx, id); err != nil {
			return err
		}
		s.cfg.Logger.Info("registered endpoint with Alexa", "registrationId", id, "endpointId", s.cfg.Endpoint.EndpointID)
		s.mark(func() { s.alexaFor = id })
	}
	return nil
}

func (s *Service) mark(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
	s.lastErr = ""
	s.notifyLocked()
}

func (s *Service) setError(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastErr = err.Error()
	s.notifyLocked()
}

func (s *Service) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// RegisterDevice makes one attempt to register the device with the device API.
func (s *Service) RegisterDevice(ctx context.Context, registrationID string) (Device, error) {
	body := map[string]string{
		"endpointId":     s.cfg.Endpoint.EndpointID,
		"registrationId": registrationID,
		"friendlyName":   s.cfg.Endpoint.FriendlyName,
	}
	var d Device
	if err := s.post(ctx, s.cfg.DeviceAPIURL+DevicesPath, body, &d); err != nil {
		return Device{}, fmt.Errorf("register device %s with the device API: %w", s.cfg.Endpoint.EndpointID, err)
	}
	return d, nil
}

// ReportToAlexa makes one attempt to send the AddOrUpdateReport event.
func (s *Service) ReportToAlexa(ctx context.Context, registrationID string) error {
	msg := AddOrUpdateReport(s.cfg.Endpoint, registrationID, s.cfg.AccountToken, s.cfg.NewID())
	if err := s.post(ctx, s.cfg.AlexaURL+EventsPath, msg, nil); err != nil {
		return fmt.Errorf("send AddOrUpdateReport for %s to Alexa: %w", s.cfg.Endpoint.EndpointID, err)
	}
	return nil
}

// post sends body as JSON with the account token and decodes a 2xx answer
// into out (when out is not nil).
func (s *Service) post(ctx context.Context, url string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+s.cfg.AccountToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("send request: %w", err) // err names the method and URL
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("POST %s: read answer: %w", url, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("POST %s: %w", url, httpError(resp.StatusCode, respBody))
	}
	if out != nil {
		if err := json.Unmarshal(respBody, out); err != nil {
			return fmt.Errorf("POST %s: decode answer: %w", url, err)
		}
	}
	return nil
}

func httpError(status int, body []byte) *HTTPError {
	e := &HTTPError{StatusCode: status}
	var parsed struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &parsed) == nil && (parsed.Error != "" || parsed.Message != "") {
		e.Code, e.Message = parsed.Error, parsed.Message
		return e
	}
	msg := strings.TrimSpace(string(body))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	e.Message = msg
	return e
}
