// Package account is the domain of partner accounts and the access tokens
// that Alexa presents for them (account linking).
package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"livingroom/internal/ttlcache"
)

// Errors the domain reports; adapters return ErrNotFound for missing items.
var (
	ErrNotFound = errors.New("not found")
	ErrExpired  = errors.New("token expired")
)

// Account is a subscriber of the streaming service.
type Account struct {
	ID   string
	Name string
	Plan string // subscription plan (Plan* constants); empty means none
}

// Subscription plans. Each includes what the ones before it do.
const (
	PlanOnDemand  = "on-demand"   // movies and series
	PlanLiveTV    = "live-tv"     // plus live channels
	PlanLiveTVDVR = "live-tv-dvr" // plus cloud DVR recordings
	// PlanPremium is the name accounts created before plans were tiered
	// carry; it allows everything.
	PlanPremium = "premium"
)

// Token is an access token issued to Alexa for an account.
type Token struct {
	Value     string
	AccountID string
	ExpiresAt time.Time
}

// Store keeps accounts and tokens.
type Store interface {
	PutAccount(ctx context.Context, a Account) error
	GetAccount(ctx context.Context, id string) (Account, error)
	PutToken(ctx context.Context, t Token) error
	GetToken(ctx context.Context, value string) (Token, error)
}

// Service authenticates tokens and creates accounts.
type Service struct {
	store Store
	now   func() time.Time
	cache *tokenCache // nil: every Authenticate reads the store
}

// Token cache defaults for a warm Lambda: short enough that a revoked token
// or a changed plan takes effect within half a minute.
const (
	DefaultCacheTTL  = 30 * time.Second
	DefaultCacheSize = 10000
)

// WithCache keeps authenticated tokens in memory for ttl (at most max of
// them), so a warm Lambda skips two reads per directive. A revoked token is
// then honoured for up to ttl more; an expired one never is.
func (s *Service) WithCache(ttl time.Duration, max int) *Service {
	s.cache = &tokenCache{ttl: ttl, entries: ttlcache.New[string, Account](max)}
	return s
}

type tokenCache struct {
	ttl     time.Duration
	entries *ttlcache.Cache[string, Account]
}

// NewService returns a Service over store, telling time with now.
func NewService(store Store, now func() time.Time) *Service {
	return &Service{store: store, now: now}
}

// Authenticate returns the account a token belongs to. A token past its
// expiry is rejected even if the store still holds it (DynamoDB deletes
// expired items lazily).
func (s *Service) Authenticate(ctx context.Context, token string) (Account, error) {
	if token == "" {
		return Account{}, fmt.Errorf("authenticate: empty token: %w", ErrNotFound)
	}
	now := s.now()
	if s.cache != nil {
		if a, ok := s.cache.entries.Get(token, now); ok {
			return a, nil
		}
	}
	t, err := s.store.GetToken(ctx, token)
	if err != nil {
		return Account{}, fmt.Errorf("authenticate: %w", err)
	}
	if !now.Before(t.ExpiresAt) {
		return Account{}, fmt.Errorf("authenticate: token of account %s: %w", t.AccountID, ErrExpired)
	}
	a, err := s.store.GetAccount(ctx, t.AccountID)
	if err != nil {
		return Account{}, fmt.Errorf("authenticate: account %s: %w", t.AccountID, err)
	}
	if s.cache != nil {
		// Never past the token's own expiry.
		until := now.Add(s.cache.ttl)
		if t.ExpiresAt.Before(until) {
			until = t.ExpiresAt
		}
		s.cache.entries.Put(token, a, until, now)
	}
	return a, nil
}

// Create stores an account and a token for it valid for ttl.
func (s *Service) Create(ctx context.Context, a Account, token string, ttl time.Duration) error {
	if a.ID == "" || token == "" {
		return fmt.Errorf("create account: id and token are required")
	}
	if err := s.store.PutAccount(ctx, a); err != nil {
		return fmt.Errorf("create account %s: %w", a.ID, err)
	}
	t := Token{Value: token, AccountID: a.ID, ExpiresAt: s.now().Add(ttl)}
	if err := s.store.PutToken(ctx, t); err != nil {
		return fmt.Errorf("create token for account %s: %w", a.ID, err)
	}
	return nil
}

// ErrNotSubscribed reports an account without a plan that allows playback.
var ErrNotSubscribed = errors.New("account has no subscription")

// CanWatch reports whether the account's plan lets it play content.
func (a Account) CanWatch() error {
	if a.Plan == "" {
		return fmt.Errorf("account %s: %w", a.ID, ErrNotSubscribed)
	}
	return nil
}

// CanWatchLive reports whether the plan includes live channels.
func (a Account) CanWatchLive() error {
	switch a.Plan {
	case PlanLiveTV, PlanLiveTVDVR, PlanPremium:
		return nil
	}
	return fmt.Errorf("account %s on plan %q: live TV: %w", a.ID, a.Plan, ErrNotSubscribed)
}

// CanRecord reports whether the plan includes cloud DVR.
func (a Account) CanRecord() error {
	switch a.Plan {
	case PlanLiveTVDVR, PlanPremium:
		return nil
	}
	return fmt.Errorf("account %s on plan %q: cloud DVR: %w", a.ID, a.Plan, ErrNotSubscribed)
}

// Get returns an account by id.
func (s *Service) Get(ctx context.Context, id string) (Account, error) {
	a, err := s.store.GetAccount(ctx, id)
	if err != nil {
		return Account{}, fmt.Errorf("get account %s: %w", id, err)
	}
	return a, nil
}
