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
	"livingroom/internal/viewing"
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
	if dev, ok := h.cfg.Devices.Cached(acct.ID, d.Endpoint.EndpointID); ok {
		return acct, dev, nil // the state, when needed, is read on its own
	}
	// Most directives need the TV's state too: one read gets both.
	dev, st, err := h.cfg.Devices.FindWithState(ctx, acct.ID, d.Endpoint.EndpointID)
	if err == nil {
		h.keepState(ctx, acct.ID, dev.EndpointID, st)
	}
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
	req, err := parseSearch(d)
	if err != nil {
		return vsk.Message{}, err
	}
	acct, dev, err := h.target(ctx, d)
	if err != nil {
		return vsk.Message{}, err
	}
	q := req.query
	switch {
	case q.Title != "" || len(q.ExternalIDs) > 0:
		// a video: below
	case req.channel != nil:
		return h.tune(ctx, d, acct, dev, *req.channel)
	case req.sport != "":
		ch, err := h.cfg.Content.ChannelOfGenre(ctx, "sports")
		if err != nil {
			return vsk.Message{}, err
		}
		return h.tune(ctx, d, acct, dev, catalog.ChannelQuery{Number: ch.Number, CallSign: ch.CallSign})
	case req.franchise != "":
		q.Title = req.franchise
	case req.app != "":
		if catalog.NormalizeTitle(req.app) != catalog.NormalizeTitle(manufacturer) {
			return vsk.Message{}, fmt.Errorf("SearchAndPlay names another app: %w", errInvalidValue)
		}
		if _, err := h.cfg.Devices.Send(ctx, dev, action.Action{Type: action.Launch, Target: action.TargetHome}); err != nil {
			return vsk.Message{}, err
		}
		return h.respond(d, nil), nil
	default:
		return vsk.Message{}, fmt.Errorf("SearchAndPlay names nothing playable: %w", errInvalidDirective)
	}
	if err := acct.CanWatch(); err != nil {
		return vsk.Message{}, err
	}
	play, err := h.cfg.Content.ResolvePlay(ctx, q, h.progressOf(acct.ID))
	if err != nil {
		return vsk.Message{}, err
	}
	if !play.Work.AvailableAt(h.cfg.Now()) {
		return vsk.Message{}, fmt.Errorf("work %s outside its windows: %w", play.Work.ID, catalog.ErrUnavailable)
	}
	if _, err := h.cfg.Devices.Send(ctx, dev, playAction(play.Work, play.PositionMs)); err != nil {
		return vsk.Message{}, err
	}
	return h.respond(d, nil), nil
}

// progressOf reads an account's progress for ResolvePlay.
func (h *Handler) progressOf(accountID string) catalog.ProgressFunc {
	if h.cfg.Viewing == nil {
		return nil
	}
	return func(ctx context.Context, seriesID string) (catalog.Progress, bool, error) {
		p, err := h.cfg.Viewing.GetProgress(ctx, accountID, seriesID)
		if errors.Is(err, viewing.ErrNotFound) {
			return catalog.Progress{}, false, nil
		}
		if err != nil {
			return catalog.Progress{}, false, err
		}
		return catalog.Progress{Season: p.Season, Episode: p.Episode, PositionMs: p.PositionMs, Finished: p.Finished()}, true, nil
	}
}

// searchRequest is what a SearchAndPlay or SearchAndDisplayResults asks for.
type searchRequest struct {
	query     catalog.Query
	channel   *catalog.ChannelQuery
	franchise string
	sport     string
	app       string
	search    catalog.SearchQuery
}

// parseSearch reads the entities Alexa resolved. Entity types and enum
// values are matched case-insensitively; unknown types are ignored. Values
// over their bounds, and titles that name nothing (only punctuation, emoji
// or control characters), are INVALID_VALUE.
func parseSearch(d vsk.Directive) (searchRequest, error) {
	var req searchRequest
	var p vsk.EntityPayload
	if len(d.Payload) > 0 {
		if err := json.Unmarshal(d.Payload, &p); err != nil {
			return req, fmt.Errorf("%s payload: %w", d.Header.Name, errInvalidDirective)
		}
	}
	if len(p.Entities) > maxEntities {
		return req, fmt.Errorf("%d entities: %w", len(p.Entities), errInvalidValue)
	}
	q := &req.query
	for _, e := range p.Entities {
		if len(e.Value) > maxEntityValueBytes || len(e.ExternalIDs) > maxEntities {
			return req, fmt.Errorf("entity %s over bounds: %w", clip(e.Type), errInvalidValue)
		}
		for k, v := range e.ExternalIDs {
			if !printable(k, maxHeaderField) || !printable(v, maxTitleBytes) {
				return req, fmt.Errorf("entity external id over bounds: %w", errInvalidValue)
			}
		}
		kind := strings.ToLower(e.Type)
		if e.Value != "" && kind != "video" && kind != "season" && kind != "episode" && !speakable(e.Value, maxTitleBytes) {
			return req, fmt.Errorf("entity %s is not speakable: %w", clip(e.Type), errInvalidValue)
		}
		switch kind {
		case "video":
			if q.Title == "" {
				if !speakable(e.Value, maxTitleBytes) && len(e.ExternalIDs) == 0 {
					return req, fmt.Errorf("video title is not a title: %w", errInvalidValue)
				}
				q.Title = e.Value
				q.ExternalIDs = e.ExternalIDs
				req.search.Title = e.Value
			}
		case "season":
			q.Season, _ = strconv.Atoi(strings.TrimSpace(e.Value))
		case "episode":
			q.Episode, _ = strconv.Atoi(strings.TrimSpace(e.Value))
		case "mediatype":
			q.MediaType = e.Value
			req.search.MediaType = e.Value
		case "channel":
			if req.channel == nil {
				cq := catalog.ChannelQuery{Name: e.Value}
				if m := e.EntityMetadata; m != nil {
					cq.Number = strings.Trim(string(m.ChannelNumber), `"`)
					cq.CallSign = m.ChannelCallSign
				}
				if !printable(cq.Number, 16) || !printable(cq.CallSign, 64) {
					return req, fmt.Errorf("channel entity over bounds: %w", errInvalidValue)
				}
				req.channel = &cq
			}
		case "franchise":
			req.franchise = e.Value
		case "sport", "league", "sportsteam":
			req.sport = e.Value
		case "app":
			req.app = e.Value
		case "genre":
			req.search.Genre = e.Value
		case "actor":
			req.search.Actor = e.Value
		case "director":
			req.search.Director = e.Value
		}
	}
	if q.Title == "" && len(q.ExternalIDs) == 0 && p.SearchText != nil && p.SearchText.Transcribed != "" && req.channel == nil {
		if !speakable(p.SearchText.Transcribed, maxTitleBytes) {
			return req, fmt.Errorf("search text is not a title: %w", errInvalidValue)
		}
		if req.search == (catalog.SearchQuery{MediaType: req.search.MediaType}) {
			q.Title = p.SearchText.Transcribed
			req.search.Title = q.Title
		}
	}
	if q.Season < 0 || q.Season > 10_000 || q.Episode < 0 || q.Episode > 100_000 {
		return req, fmt.Errorf("season or episode out of range: %w", errInvalidValue)
	}
	return req, nil
}
