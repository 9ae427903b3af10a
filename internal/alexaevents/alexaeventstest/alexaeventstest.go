// Package alexaeventstest provides an in-memory alexaevents.TokenStore and
// the contract suite every TokenStore must pass.
package alexaeventstest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"livingroom/internal/alexaevents"
)

// Store is an in-memory alexaevents.TokenStore.
type Store struct {
	mu     sync.Mutex
	tokens map[string]alexaevents.Tokens
}

// NewStore returns an empty Store.
func NewStore() *Store { return &Store{tokens: map[string]alexaevents.Tokens{}} }

// PutTokens implements alexaevents.TokenStore.
func (s *Store) PutTokens(_ context.Context, accountID string, t alexaevents.Tokens) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[accountID] = t
	return nil
}

// GetTokens implements alexaevents.TokenStore.
func (s *Store) GetTokens(_ context.Context, accountID string) (alexaevents.Tokens, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[accountID]
	if !ok {
		return alexaevents.Tokens{}, fmt.Errorf("tokens of %s: %w", accountID, alexaevents.ErrNoTokens)
	}
	return t, nil
}

// DeleteTokens implements alexaevents.TokenStore.
func (s *Store) DeleteTokens(_ context.Context, accountID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, accountID)
	return nil
}

// RunStoreSuite checks the behaviour every TokenStore must have.
func RunStoreSuite(t *testing.T, newStore func(t *testing.T) alexaevents.TokenStore) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s := newStore(t)
	if _, err := s.GetTokens(ctx, "acc-1"); !errors.Is(err, alexaevents.ErrNoTokens) {
		t.Fatalf("GetTokens before a grant: %v", err)
	}
	want := alexaevents.Tokens{Access: "Atza|a", Refresh: "Atzr|r", ExpiresAt: at}
	if err := s.PutTokens(ctx, "acc-1", want); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetTokens(ctx, "acc-1")
	if err != nil || got.Access != want.Access || got.Refresh != want.Refresh || !got.ExpiresAt.Equal(at) {
		t.Fatalf("GetTokens = %+v, %v", got, err)
	}
	if _, err := s.GetTokens(ctx, "acc-2"); !errors.Is(err, alexaevents.ErrNoTokens) {
		t.Fatalf("another account's tokens: %v", err)
	}
	if err := s.DeleteTokens(ctx, "acc-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetTokens(ctx, "acc-1"); !errors.Is(err, alexaevents.ErrNoTokens) {
		t.Fatalf("GetTokens after delete: %v", err)
	}
	if err := s.DeleteTokens(ctx, "never"); err != nil {
		t.Fatalf("DeleteTokens of an unknown account: %v", err)
	}
}
