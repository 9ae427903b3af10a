// Package alexaevents sends proactive events to Alexa's event gateway on
// an account's behalf: it keeps the Login with Amazon tokens that
// AcceptGrant yields, refreshes them before they expire, and reports state
// changes of the account's TVs as ChangeReports. It declares the token
// store, the LWA client and the gateway it needs; adapters implement them.
package alexaevents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"livingroom/internal/device"
	"livingroom/internal/vsk"
)

// Errors the domain reports.
var (
	ErrNoTokens      = errors.New("account has not granted events")
	ErrInvalidToken  = errors.New("event gateway refused the access token")
	ErrSkillDisabled = errors.New("the user disabled the skill")
	ErrGrant         = errors.New("grant code refused")
)

// Tokens are an account's LWA tokens for the event gateway.
type Tokens struct {
	Access    string
	Refresh   string
	ExpiresAt time.Time
}

// TokenStore keeps tokens per account; GetTokens returns an error wrapping
// ErrNoTokens for an account that never granted. DeleteTokens of an
// unknown account is no error.
type TokenStore interface {
	PutTokens(ctx context.Context, accountID string, t Tokens) error
	GetTokens(ctx context.Context, accountID string) (Tokens, error)
	DeleteTokens(ctx context.Context, accountID string) error
}

// LWA exchanges grant codes and refresh tokens for tokens.
type LWA interface {
	Exchange(ctx context.Context, code string) (Tokens, error)
	Refresh(ctx context.Context, refreshToken string) (Tokens, error)
}

// Gateway posts one event. It returns ErrInvalidToken for a refused token
// and ErrSkillDisabled when the user disabled the skill.
type Gateway interface {
	Send(ctx context.Context, accessToken string, event []byte) error
}

// RefreshBefore is how long before expiry tokens are refreshed.
const RefreshBefore = 5 * time.Minute

// Service grants and sends.
type Service struct {
	store   TokenStore
	lwa     LWA
	gateway Gateway
	now     func() time.Time
	newID   func() string
	logger  *slog.Logger
}

// NewService wires a Service.
func NewService(store TokenStore, lwa LWA, gateway Gateway, now func() time.Time, newID func() string, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, lwa: lwa, gateway: gateway, now: now, newID: newID, logger: logger}
}

// AcceptGrant exchanges an AcceptGrant's code for the account's tokens and
// keeps them.
func (s *Service) AcceptGrant(ctx context.Context, accountID, code string) error {
	t, err := s.lwa.Exchange(ctx, code)
	if err != nil {
		return fmt.Errorf("accept grant of %s: %w", accountID, err)
	}
	if err := s.store.PutTokens(ctx, accountID, t); err != nil {
		return fmt.Errorf("accept grant of %s: %w", accountID, err)
	}
	return nil
}

// token returns a usable access token, refreshing one that expires soon.
func (s *Service) token(ctx context.Context, accountID string, force bool) (string, error) {
	t, err := s.store.GetTokens(ctx, accountID)
	if err != nil {
		return "", err
	}
	if !force && s.now().Add(RefreshBefore).Before(t.ExpiresAt) {
		return t.Access, nil
	}
	fresh, err := s.lwa.Refresh(ctx, t.Refresh)
	if err != nil {
		return "", fmt.Errorf("refresh tokens of %s: %w", accountID, err)
	}
	if fresh.Refresh == "" {
		fresh.Refresh = t.Refresh
	}
	if err := s.store.PutTokens(ctx, accountID, fresh); err != nil {
		return "", fmt.Errorf("keep refreshed tokens of %s: %w", accountID, err)
	}
	return fresh.Access, nil
}

// Send posts an event for an account, with its access token in the
// endpoint's scope. A refused token is refreshed and the event sent once
// more; a disabled skill forgets the account's tokens.
func (s *Service) Send(ctx context.Context, accountID string, msg vsk.Message) error {
	for attempt := 0; ; attempt++ {
		token, err := s.token(ctx, accountID, attempt > 0)
		if err != nil {
			return err
		}
		if msg.Event.Endpoint != nil {
			msg.Event.Endpoint.Scope = &vsk.Scope{Type: vsk.ScopeBearerToken, Token: token}
		}
		body, err := json.Marshal(msg)
		if err != nil {
			return fmt.Errorf("encode event: %w", err)
		}
		err = s.gateway.Send(ctx, token, body)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, ErrInvalidToken) && attempt == 0:
			continue
		case errors.Is(err, ErrSkillDisabled):
			if delErr := s.store.DeleteTokens(ctx, accountID); delErr != nil {
				return errors.Join(err, delErr)
			}
			return err
		default:
			return err
		}
	}
}

// StateChanged implements device.ChangeSink: it sends Alexa a ChangeReport
// when a TV's power or playback state changed. Failures are logged, not
// returned: the TV's report was stored either way. An account that never
// granted events has nothing to send to.
func (s *Service) StateChanged(ctx context.Context, accountID, endpointID string, prev *device.State, cur device.State) {
	powerChanged := prev == nil || prev.Power != cur.Power
	playbackChanged := prev == nil || prev.Playback != cur.Playback
	if !powerChanged && !playbackChanged {
		return
	}
	at := vsk.FormatTime(cur.ReceivedAt)
	power := vsk.Property{Namespace: "Alexa.PowerController", Name: "powerState", Value: cur.Power, TimeOfSample: at}
	playback := vsk.Property{Namespace: "Alexa.PlaybackStateReporter", Name: "playbackState", Value: map[string]string{"state": cur.Playback}, TimeOfSample: at}
	health := vsk.Property{Namespace: "Alexa.EndpointHealth", Name: "connectivity", Value: map[string]string{"value": "OK"}, TimeOfSample: at}
	var changed, unchanged []vsk.Property
	for _, p := range []struct {
		prop    vsk.Property
		changed bool
	}{{power, powerChanged}, {playback, playbackChanged}, {health, false}} {
		if p.changed {
			changed = append(changed, p.prop)
		} else {
			unchanged = append(unchanged, p.prop)
		}
	}
	msg := vsk.ChangeReport(s.newID(), endpointID, "APP_INTERACTION", changed, unchanged)
	err := s.Send(ctx, accountID, msg)
	switch {
	case errors.Is(err, ErrNoTokens):
		s.logger.DebugContext(ctx, "no event gateway grant: change not reported", "account", accountID)
	case err != nil:
		s.logger.WarnContext(ctx, "change report failed", "account", accountID, "endpointId", endpointID, "err", err)
	default:
		s.logger.InfoContext(ctx, "change reported", "account", accountID, "endpointId", endpointID, "power", cur.Power, "playback", cur.Playback)
	}
}
