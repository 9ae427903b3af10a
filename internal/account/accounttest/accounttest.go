// Package accounttest provides an in-memory account.Store for domain tests
// and the contract suite that every account.Store must pass, so the fake and
// the DynamoDB adapter cannot drift apart.
package accounttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"livingroom/internal/account"
)

// Store is an in-memory, concurrency-safe account.Store.
type Store struct {
	mu       sync.Mutex
	accounts map[string]account.Account
	tokens   map[string]account.Token
}

// NewStore returns an empty Store.
func NewStore() *Store {
	return &Store{accounts: map[string]account.Account{}, tokens: map[string]account.Token{}}
}

// PutAccount implements account.Store.
func (s *Store) PutAccount(_ context.Context, a account.Account) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[a.ID] = a
	return nil
}

// GetAccount implements account.Store.
func (s *Store) GetAccount(_ context.Context, id string) (account.Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[id]
	if !ok {
		return account.Account{}, fmt.Errorf("account %s: %w", id, account.ErrNotFound)
	}
	return a, nil
}

// PutToken implements account.Store.
func (s *Store) PutToken(_ context.Context, t account.Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t.ExpiresAt = t.ExpiresAt.Truncate(time.Second) // the real store keeps seconds
	s.tokens[t.Value] = t
	return nil
}

// GetToken implements account.Store.
func (s *Store) GetToken(_ context.Context, value string) (account.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[value]
	if !ok {
		return account.Token{}, fmt.Errorf("token: %w", account.ErrNotFound)
	}
	return t, nil
}

// RunStoreSuite checks the behaviour every account.Store must have.
func RunStoreSuite(t *testing.T, newStore func(t *testing.T) account.Store) {
	ctx := context.Background()
	t.Run("account round trip", func(t *testing.T) {
		s := newStore(t)
		want := account.Account{ID: "acc-1", Name: "Ada", Plan: "premium"}
		if err := s.PutAccount(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetAccount(ctx, "acc-1")
		if err != nil || got != want {
			t.Fatalf("GetAccount = %+v, %v; want %+v", got, err, want)
		}
	})
	t.Run("missing account is ErrNotFound", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.GetAccount(ctx, "nobody"); !errors.Is(err, account.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
	t.Run("token round trip keeps expiry to the second", func(t *testing.T) {
		s := newStore(t)
		exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		if err := s.PutToken(ctx, account.Token{Value: "tok-1", AccountID: "acc-1", ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetToken(ctx, "tok-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.AccountID != "acc-1" || !got.ExpiresAt.Equal(exp) {
			t.Fatalf("GetToken = %+v", got)
		}
	})
	t.Run("missing token is ErrNotFound", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.GetToken(ctx, "nope"); !errors.Is(err, account.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
}
