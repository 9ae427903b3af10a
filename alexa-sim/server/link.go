package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"livingroom/alexa-sim/linking"
	"livingroom/alexa-sim/trace"
	"livingroom/internal/vsk"
)

// maxLinkBody bounds a POST /v1/accounts/link body.
const maxLinkBody = 4 << 10

// acceptGrantPayload is the payload of Alexa.Authorization.AcceptGrant.
type acceptGrantPayload struct {
	Grant   grantRef  `json:"grant"`
	Grantee vsk.Scope `json:"grantee"`
}

type grantRef struct {
	Type string `json:"type"`
	Code string `json:"code"`
}

// linkAccount plays what Alexa does once an account is linked: it issues
// an LWA grant code and sends Alexa.Authorization.AcceptGrant with it and
// the account's token, so the skill can get event-gateway tokens.
// {"token":"<the linked account's access token>"}; without a token, the
// token of the only (or named) registered endpoint is used.
func (s *Server) linkAccount(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Token      string `json:"token"`
		EndpointID string `json:"endpointId"`
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxLinkBody))
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err == nil && len(bytes.TrimSpace(body)) > 0 {
		err = dec.Decode(&req)
	}
	if err != nil {
		s.writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad_request", Message: "body must be JSON {\"token\":\"…\"} of at most 4 KB"})
		return
	}
	if req.Token == "" {
		ep, status, fail := s.pickEndpoint(req.EndpointID)
		if fail != nil {
			s.writeJSON(w, status, *fail)
			return
		}
		req.Token = ep.Token
	}
	if len(req.Token) > 2048 || strings.ContainsFunc(req.Token, func(r rune) bool { return r <= ' ' || r > '~' }) {
		s.writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad_request", Message: "token must be 1 to 2048 printable ASCII characters"})
		return
	}
	s.acceptGrant(w, r, req.Token)
}

// linkStart sends the user to the partner's sign-in page.
func (s *Server) linkStart(w http.ResponseWriter, r *http.Request) {
	u, err := s.cfg.Linker.Start()
	switch {
	case errors.Is(err, linking.ErrNotConfigured):
		s.writeJSON(w, http.StatusConflict, errorBody{Error: "linking_not_configured", Message: "set PARTNER_OAUTH_AUTHORIZE_URL and PARTNER_OAUTH_TOKEN_URL to link accounts"})
	case err != nil:
		s.log.Warn("link: start", "err", err)
		s.writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: "unavailable", Message: "cannot start a sign-in now"})
	default:
		http.Redirect(w, r, u, http.StatusFound)
	}
}

// linkCallback is where the partner sends the user back with a code: the
// code is exchanged for the account's tokens, then AcceptGrant is sent.
func (s *Server) linkCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		s.writeJSON(w, http.StatusBadRequest, errorBody{Error: "link_failed", Message: "the partner did not link the account"})
		return
	}
	acct, err := s.cfg.Linker.Finish(r.Context(), q.Get("state"), q.Get("code"))
	if err != nil {
		s.log.Warn("link: finish", "err", err)
		status, msg := http.StatusBadGateway, "the partner's token service refused the code"
		switch {
		case errors.Is(err, linking.ErrNotConfigured):
			status, msg = http.StatusConflict, "account linking is not configured"
		case errors.Is(err, linking.ErrUnknownState):
			status, msg = http.StatusBadRequest, "unknown or expired sign-in; start again"
		}
		s.writeJSON(w, status, errorBody{Error: "link_failed", Message: msg})
		return
	}
	s.log.Info("account linked", "link", acct.ID, "expires", acct.Expires)
	s.acceptGrant(w, r, acct.AccessToken)
}

// linkedAccounts lists the accounts linked through the partner.
func (s *Server) linkedAccounts(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, struct {
		Accounts []linking.Account `json:"accounts"`
	}{s.cfg.Linker.Accounts()})
}

// acceptGrant issues a grant code for the account token and sends
// Alexa.Authorization.AcceptGrant to the skill.
func (s *Server) acceptGrant(w http.ResponseWriter, r *http.Request, token string) {
	code, err := s.cfg.LWA.IssueCode(token)
	if err != nil {
		s.log.Warn("link: no grant code", "err", err)
		s.writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: "unavailable", Message: "no grant code can be issued now"})
		return
	}
	traceID := trace.NewID()
	s.cfg.Traces.Begin(traceID, "Alexa.Authorization.AcceptGrant")
	payload, _ := json.Marshal(acceptGrantPayload{
		Grant:   grantRef{Type: "OAuth2.AuthorizationCode", Code: code},
		Grantee: vsk.Scope{Type: vsk.ScopeBearerToken, Token: token},
	})
	d := vsk.Directive{
		Header: vsk.Header{Namespace: "Alexa.Authorization", Name: "AcceptGrant", MessageID: s.cfg.IDs.MessageID(),
			CorrelationToken: s.cfg.IDs.CorrelationToken(), PayloadVersion: vsk.PayloadVersion},
		Payload: payload,
	}
	raw, err := marshal(vsk.Request{Directive: d})
	if err != nil {
		s.log.Error("link: encode", "err", err)
		s.writeJSON(w, http.StatusInternalServerError, errorBody{Error: "internal", Message: "could not build the directive", TraceID: traceID})
		return
	}
	s.deliver(w, r, delivery{
		traceID: traceID, intent: "Alexa.Authorization.AcceptGrant", family: "account-linking",
		messageID: d.Header.MessageID, raw: raw, what: "(account linked)",
	})
}
