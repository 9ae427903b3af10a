package skill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"livingroom/internal/vsk"
)

// Grants keeps the event-gateway tokens an AcceptGrant yields.
type Grants interface {
	AcceptGrant(ctx context.Context, accountID, code string) error
}

// errAcceptGrantFailed marks any failure of AcceptGrant: the only error
// type Alexa.Authorization has.
var errAcceptGrantFailed = errors.New("accept grant failed")

// acceptGrant exchanges the grant code for the account's event-gateway
// tokens. The grantee token names the account.
func (h *Handler) acceptGrant(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
	var p struct {
		Grant struct {
			Type string `json:"type"`
			Code string `json:"code"`
		} `json:"grant"`
		Grantee struct {
			Type  string `json:"type"`
			Token string `json:"token"`
		} `json:"grantee"`
	}
	if err := json.Unmarshal(d.Payload, &p); err != nil || p.Grant.Type != "OAuth2.AuthorizationCode" ||
		p.Grant.Code == "" || p.Grantee.Type != vsk.ScopeBearerToken || p.Grantee.Token == "" {
		return vsk.Message{}, fmt.Errorf("AcceptGrant payload: %w", errAcceptGrantFailed)
	}
	if !printable(p.Grant.Code, maxTokenLen) || !printable(p.Grantee.Token, maxTokenLen) {
		return vsk.Message{}, fmt.Errorf("AcceptGrant values over bounds: %w", errAcceptGrantFailed)
	}
	if h.cfg.Grants == nil {
		return vsk.Message{}, fmt.Errorf("AcceptGrant: events are not configured: %w", errAcceptGrantFailed)
	}
	acct, err := h.cfg.Accounts.Authenticate(ctx, p.Grantee.Token)
	if err != nil {
		return vsk.Message{}, fmt.Errorf("AcceptGrant grantee: %w: %w", errAcceptGrantFailed, err)
	}
	if err := h.cfg.Grants.AcceptGrant(ctx, acct.ID, p.Grant.Code); err != nil {
		return vsk.Message{}, fmt.Errorf("%w: %w", errAcceptGrantFailed, err)
	}
	return vsk.Message{Event: vsk.Event{
		Header:  vsk.Header{Namespace: "Alexa.Authorization", Name: "AcceptGrant.Response", MessageID: h.cfg.NewID(), PayloadVersion: vsk.PayloadVersion},
		Payload: struct{}{},
	}}, nil
}
