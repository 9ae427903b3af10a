// Package linking is Alexa's side of account linking: the OAuth 2.0
// authorization-code client of the partner's account service (RFC 6749).
// A user starts at Start, signs in at the partner, comes back with a code;
// Finish exchanges it for access and refresh tokens, and Token gives the
// access token to put in a directive, refreshed shortly before it expires
// — as Alexa does for every linked skill.
package linking

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Bounds on what is kept and read.
const (
	maxPending       = 1_000 // sign-ins started and not finished
	pendingTTL       = 10 * time.Minute
	maxAccounts      = 1_000    // linked accounts
	maxTokensPerLink = 16       // tokens remembered per link, to know old ones
	maxReply         = 64 << 10 // a token reply
	// refreshAhead refreshes a token this long before it expires, so a
	// directive never carries one that lapses on the way.
	refreshAhead = time.Minute
)

// Errors the linker reports.
var (
	ErrNotConfigured = errors.New("account linking is not configured")
	ErrUnknownState  = errors.New("unknown or expired sign-in")
	ErrFull          = errors.New("too many sign-ins or linked accounts")
	ErrRefused       = errors.New("the partner refused")
)

// Config names the partner's OAuth endpoints and Alexa's client there.
type Config struct {
	AuthorizeURL, TokenURL string
	ClientID, ClientSecret string
	// RedirectURL is alexa-sim's callback, registered with the partner.
	RedirectURL string
	Scope       string
	HTTP        *http.Client
	Now         func() time.Time
	// Timeout bounds one token request.
	Timeout time.Duration
}

// Account is one linked account as alexa-sim holds it.
type Account struct {
	ID          string    `json:"id"`
	AccessToken string    `json:"accessToken"`
	Expires     time.Time `json:"expires"`
	LinkedAt    time.Time `json:"linkedAt"`
	Refreshed   int       `json:"refreshed"`
}

type link struct {
	Account
	refreshToken string
	tokens       []string // access tokens issued to this link, newest last
}

// Linker runs account linking; safe for concurrent use.
type Linker struct {
	cfg      Config
	mu       sync.Mutex
	pending  map[string]time.Time // state → when it expires
	accounts map[string]*link
	byToken  map[string]string // access token → link id
	refresh  sync.Mutex        // one refresh at a time, so a token is refreshed once
}

// New returns a linker; Enabled is false without the partner's URLs.
func New(cfg Config) *Linker {
	if cfg.HTTP == nil {
		cfg.HTTP = http.DefaultClient
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	return &Linker{cfg: cfg, pending: map[string]time.Time{}, accounts: map[string]*link{}, byToken: map[string]string{}}
}

// Enabled reports whether the partner's OAuth endpoints are configured.
func (l *Linker) Enabled() bool {
	return l != nil && l.cfg.AuthorizeURL != "" && l.cfg.TokenURL != ""
}

// Start begins a sign-in: the partner's authorization URL to send the
// user to, with a fresh state.
func (l *Linker) Start() (string, error) {
	if !l.Enabled() {
		return "", ErrNotConfigured
	}
	state := random(16)
	now := l.cfg.Now()
	l.mu.Lock()
	for s, exp := range l.pending {
		if !now.Before(exp) {
			delete(l.pending, s)
		}
	}
	if len(l.pending) >= maxPending {
		l.mu.Unlock()
		return "", ErrFull
	}
	l.pending[state] = now.Add(pendingTTL)
	l.mu.Unlock()
	u, err := url.Parse(l.cfg.AuthorizeURL)
	if err != nil {
		return "", fmt.Errorf("authorize URL: %w", err)
	}
	q := u.Query()
	q.Set("response_type", "code")
	q.Set("client_id", l.cfg.ClientID)
	q.Set("redirect_uri", l.cfg.RedirectURL)
	q.Set("state", state)
	if l.cfg.Scope != "" {
		q.Set("scope", l.cfg.Scope)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Finish completes a sign-in: it checks the state and exchanges the code
// for tokens.
func (l *Linker) Finish(ctx context.Context, state, code string) (Account, error) {
	if !l.Enabled() {
		return Account{}, ErrNotConfigured
	}
	now := l.cfg.Now()
	l.mu.Lock()
	exp, ok := l.pending[state]
	delete(l.pending, state)
	full := len(l.accounts) >= maxAccounts
	l.mu.Unlock()
	if !ok || !now.Before(exp) {
		return Account{}, ErrUnknownState
	}
	if full {
		return Account{}, ErrFull
	}
	tok, err := l.tokenRequest(ctx, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {l.cfg.RedirectURL}})
	if err != nil {
		return Account{}, err
	}
	if tok.RefreshToken == "" {
		return Account{}, fmt.Errorf("%w: no refresh token in the token reply", ErrRefused)
	}
	lk := &link{Account: Account{ID: random(9), AccessToken: tok.AccessToken, Expires: now.Add(tok.lifetime()), LinkedAt: now},
		refreshToken: tok.RefreshToken, tokens: []string{tok.AccessToken}}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.accounts[lk.ID] = lk
	l.byToken[tok.AccessToken] = lk.ID
	return lk.Account, nil
}

// Token gives the token a directive for an endpoint registered with token
// should carry: for a linked account (the token is one it was issued), its
// current access token, refreshed first when it is about to expire; any
// other token (a seeded development account) as it is.
func (l *Linker) Token(ctx context.Context, token string) (string, error) {
	if l == nil {
		return token, nil
	}
	l.mu.Lock()
	id, ok := l.byToken[token]
	l.mu.Unlock()
	if !ok {
		return token, nil
	}
	l.refresh.Lock()
	defer l.refresh.Unlock()
	l.mu.Lock()
	lk := l.accounts[id]
	current, expires, refreshToken := lk.AccessToken, lk.Expires, lk.refreshToken
	l.mu.Unlock()
	now := l.cfg.Now()
	if now.Add(refreshAhead).Before(expires) {
		return current, nil
	}
	tok, err := l.tokenRequest(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
	if err != nil {
		return "", fmt.Errorf("refresh the linked account's token: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lk.AccessToken, lk.Expires = tok.AccessToken, now.Add(tok.lifetime())
	lk.Refreshed++
	if tok.RefreshToken != "" {
		lk.refreshToken = tok.RefreshToken // rotated
	}
	lk.tokens = append(lk.tokens, tok.AccessToken)
	l.byToken[tok.AccessToken] = lk.ID
	if len(lk.tokens) > maxTokensPerLink {
		delete(l.byToken, lk.tokens[0])
		lk.tokens = slices.Delete(lk.tokens, 0, 1)
	}
	return tok.AccessToken, nil
}

// Accounts lists the linked accounts, oldest first.
func (l *Linker) Accounts() []Account {
	if l == nil {
		return []Account{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Account, 0, len(l.accounts))
	for _, lk := range l.accounts {
		out = append(out, lk.Account)
	}
	slices.SortFunc(out, func(a, b Account) int { return a.LinkedAt.Compare(b.LinkedAt) })
	return out
}

// tokenReply is an OAuth 2.0 token response.
type tokenReply struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Error        string `json:"error"`
}

// lifetime is the token's validity; an hour when the partner does not say.
func (t tokenReply) lifetime() time.Duration {
	if t.ExpiresIn <= 0 {
		return time.Hour
	}
	return time.Duration(t.ExpiresIn) * time.Second
}

// tokenRequest posts to the partner's token endpoint with the client's
// credentials as HTTP Basic (RFC 6749 §2.3.1), within Timeout.
func (l *Linker) tokenRequest(ctx context.Context, form url.Values) (tokenReply, error) {
	ctx, cancel := context.WithTimeout(ctx, l.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.cfg.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return tokenReply{}, fmt.Errorf("token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(l.cfg.ClientID), url.QueryEscape(l.cfg.ClientSecret))
	resp, err := l.cfg.HTTP.Do(req)
	if err != nil {
		return tokenReply{}, fmt.Errorf("token request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply+1))
	if err != nil {
		return tokenReply{}, fmt.Errorf("read token reply: %w", err)
	}
	if len(body) > maxReply {
		return tokenReply{}, fmt.Errorf("%w: token reply over %d bytes", ErrRefused, maxReply)
	}
	var tok tokenReply
	if err := json.Unmarshal(body, &tok); err != nil {
		return tokenReply{}, fmt.Errorf("%w: token reply is not JSON (status %d)", ErrRefused, resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK || tok.Error != "" {
		return tokenReply{}, fmt.Errorf("%w: status %d, error %q", ErrRefused, resp.StatusCode, truncate(tok.Error, 64))
	}
	if tok.AccessToken == "" || len(tok.AccessToken) > 2048 || len(tok.RefreshToken) > 2048 || !strings.EqualFold(tok.TokenType, "bearer") {
		return tokenReply{}, fmt.Errorf("%w: token reply without a bearer access token of at most 2048 bytes", ErrRefused)
	}
	return tok, nil
}

func random(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
