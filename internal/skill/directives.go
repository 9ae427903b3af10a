package skill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"livingroom/internal/account"
	"livingroom/internal/action"
	"livingroom/internal/catalog"
	"livingroom/internal/device"
	"livingroom/internal/vsk"
)

// target finds the account and the device a directive is for. With a
// bearer token (account linking) the token names the account and the
// endpoint id the device. Fire TV directives may carry another scope
// (DirectedUserId) and no token: then the device is found by the
// registration id in the endpoint cookie, the account through it, and the
// endpoint id must be that device's.
func (h *Handler) target(ctx context.Context, d vsk.Directive) (account.Account, device.Device, error) {
	if d.Endpoint == nil || d.Endpoint.EndpointID == "" {
		return account.Account{}, device.Device{}, fmt.Errorf("%s has no endpoint: %w", d.Header.Name, errInvalidDirective)
	}
	registration := d.Endpoint.Cookie[cookieRegistration]
	if s := d.Endpoint.Scope; s == nil || s.Type != vsk.ScopeBearerToken {
		return h.targetByRegistration(ctx, registration, d.Endpoint.EndpointID)
	}
	acct, err := h.cfg.Accounts.Authenticate(ctx, d.Endpoint.Scope.Token)
	if err != nil {
		return account.Account{}, device.Device{}, err
	}
	dev, err := h.cfg.Devices.Find(ctx, acct.ID, d.Endpoint.EndpointID)
	if isNotFound(err) && registration != "" {
		// The app may have registered under another endpoint id than the
		// one Alexa knows; its registration id still names it, if it is
		// this account's.
		if byReg, regErr := h.cfg.Devices.FindByRegistration(ctx, registration); regErr == nil && byReg.AccountID == acct.ID {
			dev, err = byReg, nil
		}
	}
	if err != nil {
		return account.Account{}, device.Device{}, err
	}
	return acct, dev, nil
}

func (h *Handler) targetByRegistration(ctx context.Context, registration, endpointID string) (account.Account, device.Device, error) {
	if registration == "" {
		return account.Account{}, device.Device{}, fmt.Errorf("no bearer token and no applicationInstanceId: %w", account.ErrNotFound)
	}
	dev, err := h.cfg.Devices.FindByRegistration(ctx, registration)
	if err != nil {
		return account.Account{}, device.Device{}, err
	}
	if dev.EndpointID != endpointID {
		// Without a token the cookie is the only credential: it may only
		// act on the endpoint it was issued for.
		return account.Account{}, device.Device{}, fmt.Errorf("registration is not endpoint's: %w", device.ErrNotFound)
	}
	acct, err := h.cfg.Accounts.Get(ctx, dev.AccountID)
	if err != nil {
		return account.Account{}, device.Device{}, err
	}
	return acct, dev, nil
}

func isNotFound(err error) bool { return errors.Is(err, device.ErrNotFound) }

func (h *Handler) searchAndPlay(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
	acct, dev, err := h.target(ctx, d)
	if err != nil {
		return vsk.Message{}, err
	}
	var p vsk.EntityPayload
	if len(d.Payload) > 0 {
		if err := json.Unmarshal(d.Payload, &p); err != nil {
			return vsk.Message{}, fmt.Errorf("SearchAndPlay payload: %w", errInvalidDirective)
		}
	}
	q, err := queryFrom(p)
	if err != nil {
		return vsk.Message{}, err
	}
	if q.Title == "" && len(q.ExternalIDs) == 0 {
		return vsk.Message{}, fmt.Errorf("SearchAndPlay names no video: %w", errInvalidDirective)
	}
	if err := acct.CanWatch(); err != nil {
		return vsk.Message{}, err
	}
	w, err := h.cfg.Content.Resolve(ctx, q)
	if err != nil {
		return vsk.Message{}, err
	}
	play := action.Action{Type: action.PlayContent, Content: &action.Content{
		ID: w.ID, Title: w.Title, SeriesID: w.SeriesID, SeriesTitle: w.SeriesTitle,
		Season: w.Season, Episode: w.Episode, DurationMs: int64(w.RuntimeMinutes) * 60_000,
	}}
	if _, err := h.cfg.Devices.Send(ctx, dev, play); err != nil {
		return vsk.Message{}, err
	}
	return h.respond(d, nil), nil
}

// queryFrom reads the entities Alexa resolved. Entity types and enum values
// are matched case-insensitively; unknown types are ignored. Values over
// their bounds, and titles that name nothing (only punctuation, emoji or
// control characters), are INVALID_VALUE.
func queryFrom(p vsk.EntityPayload) (catalog.Query, error) {
	var q catalog.Query
	if len(p.Entities) > maxEntities {
		return q, fmt.Errorf("%d entities: %w", len(p.Entities), errInvalidValue)
	}
	for _, e := range p.Entities {
		if len(e.Value) > maxEntityValueBytes || len(e.ExternalIDs) > maxEntities {
			return q, fmt.Errorf("entity %s over bounds: %w", clip(e.Type), errInvalidValue)
		}
		for k, v := range e.ExternalIDs {
			if !printable(k, maxHeaderField) || !printable(v, maxTitleBytes) {
				return q, fmt.Errorf("entity external id over bounds: %w", errInvalidValue)
			}
		}
		switch strings.ToLower(e.Type) {
		case "video":
			if q.Title == "" {
				if !speakable(e.Value, maxTitleBytes) && len(e.ExternalIDs) == 0 {
					return q, fmt.Errorf("video title is not a title: %w", errInvalidValue)
				}
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
	if q.Title == "" && len(q.ExternalIDs) == 0 && p.SearchText != nil && p.SearchText.Transcribed != "" {
		if !speakable(p.SearchText.Transcribed, maxTitleBytes) {
			return q, fmt.Errorf("search text is not a title: %w", errInvalidValue)
		}
		q.Title = p.SearchText.Transcribed
	}
	if q.Season < 0 || q.Season > 10_000 || q.Episode < 0 || q.Episode > 100_000 {
		return q, fmt.Errorf("season or episode out of range: %w", errInvalidValue)
	}
	return q, nil
}
