// Package lwa stands in for Login with Amazon's token service as Alexa
// skills use it for events: alexa-sim issues a grant code in each
// Alexa.Authorization.AcceptGrant directive, the skill exchanges it at
// POST /auth/o2/token for an access token (an hour) and a refresh token,
// refreshes with grant_type=refresh_token, and posts events to the gateway
// with the access token, which the gateway checks here.
package lwa

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Lifetimes, as LWA gives them.
const (
	AccessTTL = time.Hour
	CodeTTL   = 5 * time.Minute
)

// maxEntries bounds each table of codes and tokens; expired ones are
// dropped first.
const maxEntries = 10_000

// maxForm bounds a token request.
const maxForm = 8 << 10

// Prefixes of what LWA issues; the gateway knows an LWA token by it.
const (
	AccessPrefix  = "Atza|"
	RefreshPrefix = "Atzr|"
)

// Errors of Check.
var (
	ErrUnknownToken = errors.New("unknown access token")
	ErrExpiredToken = errors.New("expired access token")
	ErrFull         = errors.New("token service holds the most grants it can")
)

// Config sets the client the skill authenticates as.
type Config struct {
	ClientID, ClientSecret string
	Now                    func() time.Time
	Logger                 *slog.Logger
}

type grant struct {
	grantee string // the linked account's token the grant was made for
	expires time.Time
}

// Service issues and checks grants; safe for concurrent use.
type Service struct {
	cfg     Config
	mu      sync.Mutex
	codes   map[string]grant
	access  map[string]grant
	refresh map[string]grant
}

// New returns an empty service.
func New(cfg Config) *Service {
	return &Service{cfg: cfg, codes: map[string]grant{}, access: map[string]grant{}, refresh: map[string]grant{}}
}

// IssueCode makes a single-use grant code for the account whose token is
// grantee, as Alexa puts in AcceptGrant.
func (s *Service) IssueCode(grantee string) (string, error) {
	code := random(15)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.room(s.codes); err != nil {
		return "", err
	}
	s.codes[code] = grant{grantee: grantee, expires: s.cfg.Now().Add(CodeTTL)}
	return code, nil
}

// Check tells whether an access token is one this service issued and
// still valid, and for which account.
func (s *Service) Check(token string) (grantee string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.access[token]
	if !ok {
		return "", ErrUnknownToken
	}
	if !s.cfg.Now().Before(g.expires) {
		return "", ErrExpiredToken
	}
	return g.grantee, nil
}

// room drops expired entries when a table is full, and refuses when it is
// still full.
func (s *Service) room(m map[string]grant) error {
	if len(m) < maxEntries {
		return nil
	}
	now := s.cfg.Now()
	for k, g := range m {
		if !now.Before(g.expires) {
			delete(m, k)
		}
	}
	if len(m) >= maxEntries {
		return ErrFull
	}
	return nil
}

func random(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenReply is LWA's answer.
type tokenReply struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// oauthError is an OAuth 2.0 error answer.
type oauthError struct {
	status      int
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

// ServeHTTP answers POST /auth/o2/token (form-encoded): grant_type
// authorization_code (code) or refresh_token (refresh_token), with the
// client's id and secret in the form or as HTTP Basic.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reply, oerr := s.token(w, r)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if oerr != nil {
		if s.cfg.Logger != nil {
			s.cfg.Logger.Info("lwa: token request refused", "error", oerr.Code, "reason", oerr.Description)
		}
		w.WriteHeader(oerr.status)
		json.NewEncoder(w).Encode(oerr)
		return
	}
	json.NewEncoder(w).Encode(reply)
}

func (s *Service) token(w http.ResponseWriter, r *http.Request) (tokenReply, *oauthError) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return tokenReply{}, &oauthError{http.StatusBadRequest, "invalid_request", "Content-Type must be application/x-www-form-urlencoded"}
	}
	if err := r.ParseForm(); err != nil {
		return tokenReply{}, &oauthError{http.StatusBadRequest, "invalid_request", "the form could not be read"}
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if subtle.ConstantTimeCompare([]byte(id), []byte(s.cfg.ClientID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) != 1 {
		return tokenReply{}, &oauthError{http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret"}
	}
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var g grant
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		var ok bool
		g, ok = s.codes[code]
		delete(s.codes, code) // single use, even when expired
		if !ok || !now.Before(g.expires) {
			return tokenReply{}, &oauthError{http.StatusBadRequest, "invalid_grant", "the code is unknown, used or expired"}
		}
	case "refresh_token":
		var ok bool
		g, ok = s.refresh[r.PostForm.Get("refresh_token")]
		if !ok {
			return tokenReply{}, &oauthError{http.StatusBadRequest, "invalid_grant", "unknown refresh token"}
		}
	case "":
		return tokenReply{}, &oauthError{http.StatusBadRequest, "invalid_request", "grant_type is required"}
	default:
		return tokenReply{}, &oauthError{http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token"}
	}
	if s.room(s.access) != nil || s.room(s.refresh) != nil {
		return tokenReply{}, &oauthError{http.StatusServiceUnavailable, "temporarily_unavailable", ErrFull.Error()}
	}
	access := AccessPrefix + random(32)
	s.access[access] = grant{grantee: g.grantee, expires: now.Add(AccessTTL)}
	reply := tokenReply{AccessToken: access, TokenType: "bearer", ExpiresIn: int(AccessTTL / time.Second)}
	if r.PostForm.Get("grant_type") == "authorization_code" {
		reply.RefreshToken = RefreshPrefix + random(32)
		// Refresh tokens do not expire until the skill is disabled.
		s.refresh[reply.RefreshToken] = grant{grantee: g.grantee, expires: now.Add(100 * 365 * 24 * time.Hour)}
	} else {
		reply.RefreshToken = r.PostForm.Get("refresh_token")
	}
	return reply, nil
}

// String describes the service for logs.
func (s *Service) String() string { return fmt.Sprintf("lwa(client %s)", s.cfg.ClientID) }
