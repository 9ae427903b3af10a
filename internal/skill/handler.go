// Package skill answers Alexa Video Skill API directives: it decodes a
// directive, makes one domain call per directive type, and encodes the
// Alexa reply. Domain errors become Alexa errors through one table
// (errors.go). Every input gets a valid Alexa message back.
package skill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"livingroom/internal/account"
	"livingroom/internal/action"
	"livingroom/internal/catalog"
	"livingroom/internal/device"
	"livingroom/internal/vsk"
)

// Accounts finds the account behind an access token, or by id.
type Accounts interface {
	Authenticate(ctx context.Context, token string) (account.Account, error)
	Get(ctx context.Context, id string) (account.Account, error)
}

// Devices finds devices and sends them actions.
type Devices interface {
	Find(ctx context.Context, accountID, endpointID string) (device.Device, error)
	FindByRegistration(ctx context.Context, registrationID string) (device.Device, error)
	Send(ctx context.Context, d device.Device, a action.Action) (action.Action, error)
}

// Resolver finds playable content.
type Resolver interface {
	Resolve(ctx context.Context, q catalog.Query) (catalog.Work, error)
}

// Handler handles directives.
type Handler struct {
	accounts Accounts
	devices  Devices
	content  Resolver
	newID    func() string
	logger   *slog.Logger
	routes   map[string]func(context.Context, vsk.Directive) (*vsk.Context, error)
}

// NewHandler wires a Handler. newID makes message ids (UUIDs in production).
func NewHandler(accounts Accounts, devices Devices, content Resolver, newID func() string, logger *slog.Logger) *Handler {
	h := &Handler{accounts: accounts, devices: devices, content: content, newID: newID, logger: logger}
	h.routes = map[string]func(context.Context, vsk.Directive) (*vsk.Context, error){
		"Alexa.RemoteVideoPlayer.SearchAndPlay": h.searchAndPlay,
		"Alexa.PlaybackController.Play":         h.playback(action.Resume),
		"Alexa.PlaybackController.Pause":        h.playback(action.Pause),
		"Alexa.PlaybackController.Stop":         h.playback(action.Stop),
	}
	return h
}

// Handle answers one raw directive. It never returns an error or a nil
// message: bad input, unknown directives, failures and panics all become
// Alexa error responses.
func (h *Handler) Handle(ctx context.Context, raw json.RawMessage) (msg vsk.Message, err error) {
	var req vsk.Request
	defer func() {
		if p := recover(); p != nil {
			h.logger.ErrorContext(ctx, "directive handler panicked", "panic", p)
			msg = vsk.ErrorResponse(req.Directive, h.newID(), vsk.Error{Type: vsk.ErrorInternal, Message: "internal error"})
			err = nil
		}
	}()
	if err := json.Unmarshal(raw, &req); err != nil || req.Directive.Header.Namespace == "" {
		return vsk.ErrorResponse(req.Directive, h.newID(), vsk.Error{Type: vsk.ErrorInvalidDirective, Message: "request is not an Alexa directive"}), nil
	}
	d := req.Directive
	name := d.Header.Namespace + "." + d.Header.Name
	route, ok := h.routes[name]
	if !ok {
		return vsk.ErrorResponse(d, h.newID(), vsk.Error{Type: vsk.ErrorInvalidDirective, Message: "directive " + name + " is not supported"}), nil
	}
	props, err := route(ctx, d)
	if err != nil {
		e := alexaError(err)
		h.logger.InfoContext(ctx, "directive failed", "directive", name, "messageId", d.Header.MessageID, "alexaError", e.Type, "err", err)
		return vsk.ErrorResponse(d, h.newID(), e), nil
	}
	h.logger.InfoContext(ctx, "directive handled", "directive", name, "messageId", d.Header.MessageID)
	return vsk.Response(d, h.newID(), props), nil
}

// target finds the account and the device a directive is for. With a
// bearer token (account linking) the token names the account and the
// endpoint id the device. Fire TV directives may carry another scope
// (DirectedUserId) and no token: then the device is found by the
// registration id in the endpoint cookie, and the account through it.
func (h *Handler) target(ctx context.Context, d vsk.Directive) (account.Account, device.Device, error) {
	if d.Endpoint == nil || d.Endpoint.EndpointID == "" {
		return account.Account{}, device.Device{}, fmt.Errorf("%s has no endpoint: %w", d.Header.Name, errInvalidDirective)
	}
	registration := d.Endpoint.Cookie["applicationInstanceId"]
	if s := d.Endpoint.Scope; s == nil || s.Type != vsk.ScopeBearerToken {
		return h.targetByRegistration(ctx, registration)
	}
	acct, err := h.accounts.Authenticate(ctx, d.Endpoint.Scope.Token)
	if err != nil {
		return account.Account{}, device.Device{}, err
	}
	dev, err := h.devices.Find(ctx, acct.ID, d.Endpoint.EndpointID)
	if errors.Is(err, device.ErrNotFound) && registration != "" {
		// The app may have registered under another endpoint id than the
		// one Alexa knows; its registration id still names it.
		if byReg, regErr := h.devices.FindByRegistration(ctx, registration); regErr == nil && byReg.AccountID == acct.ID {
			dev, err = byReg, nil
		}
	}
	if err != nil {
		return account.Account{}, device.Device{}, err
	}
	if dev.RegistrationID == "" {
		// The app has not told the backend its registration id; Alexa's
		// cookie carries the one the client library registered.
		dev.RegistrationID = registration
	}
	return acct, dev, nil
}

func (h *Handler) targetByRegistration(ctx context.Context, registration string) (account.Account, device.Device, error) {
	if registration == "" {
		return account.Account{}, device.Device{}, fmt.Errorf("no bearer token and no applicationInstanceId: %w", account.ErrNotFound)
	}
	dev, err := h.devices.FindByRegistration(ctx, registration)
	if err != nil {
		return account.Account{}, device.Device{}, err
	}
	acct, err := h.accounts.Get(ctx, dev.AccountID)
	if err != nil {
		return account.Account{}, device.Device{}, err
	}
	return acct, dev, nil
}

func (h *Handler) playback(t action.Type) func(context.Context, vsk.Directive) (*vsk.Context, error) {
	return func(ctx context.Context, d vsk.Directive) (*vsk.Context, error) {
		_, dev, err := h.target(ctx, d)
		if err != nil {
			return nil, err
		}
		if _, err := h.devices.Send(ctx, dev, action.Action{Type: t}); err != nil {
			return nil, err
		}
		return nil, nil
	}
}

func (h *Handler) searchAndPlay(ctx context.Context, d vsk.Directive) (*vsk.Context, error) {
	acct, dev, err := h.target(ctx, d)
	if err != nil {
		return nil, err
	}
	var p vsk.EntityPayload
	if len(d.Payload) > 0 {
		if err := json.Unmarshal(d.Payload, &p); err != nil {
			return nil, fmt.Errorf("SearchAndPlay payload: %v: %w", err, errInvalidDirective)
		}
	}
	q := queryFrom(p)
	if q.Title == "" && len(q.ExternalIDs) == 0 {
		return nil, fmt.Errorf("SearchAndPlay names no video: %w", errInvalidDirective)
	}
	if err := acct.CanWatch(); err != nil {
		return nil, err
	}
	w, err := h.content.Resolve(ctx, q)
	if err != nil {
		return nil, err
	}
	play := action.Action{Type: action.PlayContent, Content: &action.Content{
		ID: w.ID, Title: w.Title, SeriesID: w.SeriesID, SeriesTitle: w.SeriesTitle,
		Season: w.Season, Episode: w.Episode, DurationMs: int64(w.RuntimeMinutes) * 60_000,
	}}
	if _, err := h.devices.Send(ctx, dev, play); err != nil {
		return nil, err
	}
	return nil, nil
}

// queryFrom reads the entities Alexa resolved. Entity types and enum values
// are matched case-insensitively; unknown types are ignored.
func queryFrom(p vsk.EntityPayload) catalog.Query {
	var q catalog.Query
	for _, e := range p.Entities {
		switch strings.ToLower(e.Type) {
		case "video":
			if q.Title == "" {
				q.Title = e.Value
				q.ExternalIDs = e.ExternalIDs
			}
		case "season":
			q.Season, _ = strconv.Atoi(strings.TrimSpace(e.Value))
		case "episode":
			q.Episode, _ = strconv.Atoi(strings.TrimSpace(e.Value))
		case "mediatype":
			q.MediaType = e.Value
		}
	}
	if q.Title == "" && len(q.ExternalIDs) == 0 && p.SearchText != nil {
		q.Title = p.SearchText.Transcribed
	}
	return q
}

// Invoke implements the Lambda runtime's raw handler interface, so that even
// a payload that is not JSON gets an Alexa error response instead of a
// Lambda error.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	msg, _ := h.Handle(ctx, payload)
	out, err := json.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("encode reply: %w", err)
	}
	return out, nil
}
