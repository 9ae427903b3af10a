package server

import (
	"net/http"

	"livingroom/internal/adm"
)

// LWA error codes (RFC 6749 section 5.2).
const (
	errInvalidRequest       = "invalid_request"
	errInvalidClient        = "invalid_client"
	errInvalidScope         = "invalid_scope"
	errUnsupportedGrantType = "unsupported_grant_type"
)

const maxTokenBody = 8 << 10

// handleToken is LWA's client-credentials grant: a form with grant_type,
// scope, and the client's id and secret (in the form, or as HTTP Basic auth
// as Amazon's sample sends them).
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenBody)
	if err := r.ParseForm(); err != nil {
		writeTokenError(w, http.StatusBadRequest, errInvalidRequest, "the body must be a form")
		return
	}
	form := r.PostForm
	switch grant := form.Get("grant_type"); grant {
	case "":
		writeTokenError(w, http.StatusBadRequest, errInvalidRequest, "grant_type is required")
		return
	case adm.GrantClientCredentials:
	default:
		writeTokenError(w, http.StatusBadRequest, errUnsupportedGrantType, "only client_credentials is supported")
		return
	}
	id, secret := form.Get("client_id"), form.Get("client_secret")
	if basicID, basicSecret, ok := r.BasicAuth(); ok && id == "" && secret == "" {
		id, secret = basicID, basicSecret
	}
	if id == "" || secret == "" {
		writeTokenError(w, http.StatusBadRequest, errInvalidRequest, "client_id and client_secret are required")
		return
	}
	if !s.issuer.Authenticate(id, secret) {
		writeTokenError(w, http.StatusUnauthorized, errInvalidClient, "client authentication failed")
		return
	}
	if scope := form.Get("scope"); scope != adm.ScopeMessagingPush {
		writeTokenError(w, http.StatusBadRequest, errInvalidScope, "scope must be "+adm.ScopeMessagingPush)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, s.issuer.Issue())
}

func writeTokenError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, adm.TokenError{Error: code, ErrorDescription: description})
}
