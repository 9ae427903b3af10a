// Package partneroauth stands in for the partner's account service in
// account linking: an OAuth 2.0 authorization-code server (RFC 6749) that
// Alexa (alexa-sim) links accounts at. A user signs in on its page (a new
// user name creates an account), the page sends the user back to Alexa's
// redirect URI with a code, and Alexa exchanges the code at the token
// endpoint for an access token with an expiry and a refresh token. Access
// tokens are written to the accounts table the skill authenticates
// directives against, so a linked account's directives carry real bearer
// tokens. The local stack serves it (PARTNER_ADDR); it is not part of the
// production Lambdas.
package partneroauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sync"
	"time"

	"livingroom/internal/account"
)

// Accounts is where accounts and access tokens are kept (the accounts
// table).
type Accounts interface {
	GetAccount(ctx context.Context, id string) (account.Account, error)
	PutAccount(ctx context.Context, a account.Account) error
	PutToken(ctx context.Context, t account.Token) error
}

// Defaults.
const (
	DefaultClientID     = "alexa"
	DefaultClientSecret = "partner-secret"
	DefaultAccessTTL    = time.Hour
	DefaultPlan         = account.PlanLiveTVDVR
	codeTTL             = 5 * time.Minute
	maxCodes            = 10_000
	maxRefreshTokens    = 10_000
	maxForm             = 8 << 10
	storeTimeout        = 3 * time.Second
)

// Config configures the server; zero fields take the defaults.
type Config struct {
	ClientID, ClientSecret string
	// RedirectURIs are the redirect URIs registered for the client; a
	// sign-in naming another is refused without redirecting.
	RedirectURIs []string
	AccessTTL    time.Duration
	Accounts     Accounts
	Now          func() time.Time
	Logger       *slog.Logger
}

// Server is the partner's sign-in page and token endpoint.
type Server struct {
	cfg     Config
	mux     *http.ServeMux
	mu      sync.Mutex
	codes   map[string]grant // code → what it grants, single use
	refresh map[string]grant // refresh token → account
}

type grant struct {
	accountID   string
	redirectURI string
	expires     time.Time // codes only
}

// New builds the server.
func New(cfg Config) *Server {
	if cfg.ClientID == "" {
		cfg.ClientID = DefaultClientID
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = DefaultClientSecret
	}
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = DefaultAccessTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), codes: map[string]grant{}, refresh: map[string]grant{}}
	s.mux.HandleFunc("GET /oauth/authorize", s.signInPage)
	s.mux.HandleFunc("POST /oauth/authorize", s.signIn)
	s.mux.HandleFunc("POST /oauth/token", s.token)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	return s
}

// ServeHTTP routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// userPattern bounds user names; the name is the account id.
var userPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

var plans = []string{account.PlanOnDemand, account.PlanLiveTV, account.PlanLiveTVDVR}

var page = template.Must(template.New("signin").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Living Room — sign in</title>
<style>body{font-family:sans-serif;max-width:28em;margin:3em auto}label{display:block;margin:.8em 0}input,select{font-size:1em}</style></head>
<body><h1>Living Room</h1>
<p>Sign in to link your Living Room account with Alexa. A new name creates a new account.</p>
{{if .Error}}<p role="alert" style="color:#b00">{{.Error}}</p>{{end}}
<form method="post" action="/oauth/authorize">
<input type="hidden" name="response_type" value="code">
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="state" value="{{.State}}">
<input type="hidden" name="scope" value="{{.Scope}}">
<label>Account name <input name="user" required pattern="[a-z0-9][a-z0-9._\-]{0,63}" autofocus></label>
<label>Plan (for a new account) <select name="plan">{{range .Plans}}<option{{if eq . $.Plan}} selected{{end}}>{{.}}</option>{{end}}</select></label>
<button name="action" value="allow">Sign in and link</button>
<button name="action" value="deny">Cancel</button>
</form></body></html>
`))

type pageData struct {
	ClientID, RedirectURI, State, Scope, Plan, Error string
	Plans                                            []string
}

// authRequest is a checked authorization request: the client and the
// redirect URI it registered. Until both check, errors are shown, never
// redirected (RFC 6749 §4.1.2.1).
func (s *Server) authRequest(v url.Values) (pageData, error) {
	d := pageData{ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"), State: v.Get("state"), Scope: v.Get("scope"),
		Plan: DefaultPlan, Plans: plans}
	if d.ClientID != s.cfg.ClientID {
		return d, errors.New("unknown client")
	}
	if !slices.Contains(s.cfg.RedirectURIs, d.RedirectURI) {
		return d, errors.New("redirect URI not registered for this client")
	}
	if len(d.State) > 512 || len(d.Scope) > 512 {
		return d, errors.New("state or scope too long")
	}
	return d, nil
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.authRequest(r.URL.Query())
	if err != nil {
		http.Error(w, "sign-in refused: "+err.Error(), http.StatusBadRequest)
		return
	}
	if rt := r.URL.Query().Get("response_type"); rt != "code" {
		redirect(w, r, d.RedirectURI, url.Values{"error": {"unsupported_response_type"}, "state": {d.State}})
		return
	}
	s.render(w, http.StatusOK, d)
}

func (s *Server) render(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.WriteHeader(status)
	if err := page.Execute(w, d); err != nil {
		s.cfg.Logger.Debug("partner sign-in page", "err", err)
	}
}

// signIn takes the form: the user signs in (a new name creates the
// account with the chosen plan) and is sent back with a code.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "sign-in refused: unreadable form", http.StatusBadRequest)
		return
	}
	d, err := s.authRequest(r.PostForm)
	if err != nil {
		http.Error(w, "sign-in refused: "+err.Error(), http.StatusBadRequest)
		return
	}
	back := url.Values{"state": {d.State}}
	if r.PostForm.Get("response_type") != "code" {
		back.Set("error", "unsupported_response_type")
		redirect(w, r, d.RedirectURI, back)
		return
	}
	if r.PostForm.Get("action") == "deny" {
		back.Set("error", "access_denied")
		redirect(w, r, d.RedirectURI, back)
		return
	}
	user, plan := r.PostForm.Get("user"), r.PostForm.Get("plan")
	if plan == "" {
		plan = DefaultPlan
	}
	d.Plan = plan
	if !userPattern.MatchString(user) || !slices.Contains(plans, plan) {
		d.Error = "An account name is 1 to 64 lower-case letters, digits, dots, dashes or underscores; the plan one of the list."
		s.render(w, http.StatusBadRequest, d)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
	defer cancel()
	created, err := s.ensureAccount(ctx, user, plan)
	if err != nil {
		s.cfg.Logger.Error("partner sign-in: account", "account", user, "err", err)
		back.Set("error", "server_error")
		redirect(w, r, d.RedirectURI, back)
		return
	}
	code, err := s.issueCode(user, d.RedirectURI)
	if err != nil {
		back.Set("error", "temporarily_unavailable")
		redirect(w, r, d.RedirectURI, back)
		return
	}
	s.cfg.Logger.Info("partner sign-in", "account", user, "created", created)
	back.Set("code", code)
	redirect(w, r, d.RedirectURI, back)
}

// ensureAccount creates the account unless it exists (seeded accounts
// keep their plan); it reports whether it created one.
func (s *Server) ensureAccount(ctx context.Context, id, plan string) (bool, error) {
	_, err := s.cfg.Accounts.GetAccount(ctx, id)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, account.ErrNotFound) {
		return false, fmt.Errorf("get account %s: %w", id, err)
	}
	if err := s.cfg.Accounts.PutAccount(ctx, account.Account{ID: id, Name: id, Plan: plan}); err != nil {
		return false, fmt.Errorf("create account %s: %w", id, err)
	}
	return true, nil
}

func redirect(w http.ResponseWriter, r *http.Request, uri string, q url.Values) {
	u, err := url.Parse(uri)
	if err != nil {
		http.Error(w, "sign-in refused: bad redirect URI", http.StatusBadRequest)
		return
	}
	merged := u.Query()
	for k, v := range q {
		if len(v) > 0 && v[0] != "" {
			merged[k] = v
		}
	}
	u.RawQuery = merged.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (s *Server) issueCode(accountID, redirectURI string) (string, error) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.codes) >= maxCodes {
		for c, g := range s.codes {
			if !now.Before(g.expires) {
				delete(s.codes, c)
			}
		}
		if len(s.codes) >= maxCodes {
			return "", errors.New("too many codes outstanding")
		}
	}
	code := random("pac_")
	s.codes[code] = grant{accountID: accountID, redirectURI: redirectURI, expires: now.Add(codeTTL)}
	return code, nil
}

type tokenReply struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// token is the token endpoint: authorization_code and refresh_token
// grants, client credentials in HTTP Basic or the form.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	f := r.PostForm
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = f.Get("client_id"), f.Get("client_secret")
	}
	if subtle.ConstantTimeCompare([]byte(id), []byte(s.cfg.ClientID)) != 1 || subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="partner"`)
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	var g grant
	switch f.Get("grant_type") {
	case "authorization_code":
		code := f.Get("code")
		s.mu.Lock()
		g, ok = s.codes[code]
		delete(s.codes, code) // single use, even when refused below
		s.mu.Unlock()
		if !ok || !s.cfg.Now().Before(g.expires) || g.redirectURI != f.Get("redirect_uri") {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
	case "refresh_token":
		rt := f.Get("refresh_token")
		s.mu.Lock()
		g, ok = s.refresh[rt]
		delete(s.refresh, rt) // rotated: the reply carries a new one
		s.mu.Unlock()
		if !ok {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
	case "":
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	reply, err := s.issueTokens(r.Context(), g.accountID)
	if err != nil {
		s.cfg.Logger.Error("partner token", "account", g.accountID, "err", err)
		oauthError(w, http.StatusServiceUnavailable, "temporarily_unavailable")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(reply)
}

// issueTokens writes a new access token to the accounts table and keeps a
// new refresh token.
func (s *Server) issueTokens(ctx context.Context, accountID string) (tokenReply, error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	access := random("pat_")
	if err := s.cfg.Accounts.PutToken(ctx, account.Token{Value: access, AccountID: accountID, ExpiresAt: s.cfg.Now().Add(s.cfg.AccessTTL)}); err != nil {
		return tokenReply{}, fmt.Errorf("store access token: %w", err)
	}
	refresh := random("prt_")
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.refresh) >= maxRefreshTokens {
		for rt := range s.refresh { // drop any one: the store is bounded
			delete(s.refresh, rt)
			break
		}
	}
	s.refresh[refresh] = grant{accountID: accountID}
	return tokenReply{AccessToken: access, TokenType: "bearer", ExpiresIn: int(s.cfg.AccessTTL / time.Second), RefreshToken: refresh}, nil
}

func oauthError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, "{%q:%q}\n", "error", code)
}

func random(prefix string) string {
	b := make([]byte, 24)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}
