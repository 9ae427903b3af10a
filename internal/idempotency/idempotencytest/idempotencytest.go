// Package idempotencytest provides an in-memory idempotency.Store for domain
// tests and the contract suite every Store must pass.
package idempotencytest

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"livingroom/internal/idempotency"
)

type entry struct {
	reply   []byte
	expires time.Time
}

// Store is an in-memory, concurrency-safe idempotency.Store.
type Store struct {
	mu      sync.Mutex
	entries map[string]entry
}

// NewStore returns an empty Store.
func NewStore() *Store { return &Store{entries: map[string]entry{}} }

// Claim implements idempotency.Store.
func (s *Store) Claim(_ context.Context, key string, now, expires time.Time) (bool, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[key]; ok && now.Before(e.expires) {
		return false, e.reply, nil
	}
	s.entries[key] = entry{expires: expires}
	return true, nil, nil
}

// Save implements idempotency.Store.
func (s *Store) Save(_ context.Context, key string, reply []byte, expires time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries[key] = entry{reply: append([]byte(nil), reply...), expires: expires}
	return nil
}

// Release implements idempotency.Store.
func (s *Store) Release(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.entries, key)
	return nil
}

// RunStoreSuite checks the behaviour every idempotency.Store must have.
func RunStoreSuite(t *testing.T, newStore func(t *testing.T) idempotency.Store) {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	later := now.Add(time.Hour)
	t.Run("first claim wins, the second sees the claim in flight", func(t *testing.T) {
		s := newStore(t)
		claimed, reply, err := s.Claim(ctx, "k1", now, later)
		if err != nil || !claimed || reply != nil {
			t.Fatalf("first Claim = %v, %q, %v", claimed, reply, err)
		}
		claimed, reply, err = s.Claim(ctx, "k1", now, later)
		if err != nil || claimed || reply != nil {
			t.Fatalf("second Claim = %v, %q, %v; want not claimed, no reply yet", claimed, reply, err)
		}
	})
	t.Run("a saved reply is returned to later claims", func(t *testing.T) {
		s := newStore(t)
		if _, _, err := s.Claim(ctx, "k2", now, later); err != nil {
			t.Fatal(err)
		}
		want := []byte(`{"event":{}}`)
		if err := s.Save(ctx, "k2", want, later); err != nil {
			t.Fatal(err)
		}
		claimed, reply, err := s.Claim(ctx, "k2", now.Add(time.Minute), later)
		if err != nil || claimed || !bytes.Equal(reply, want) {
			t.Fatalf("Claim after Save = %v, %q, %v", claimed, reply, err)
		}
	})
	t.Run("an expired claim is free again", func(t *testing.T) {
		s := newStore(t)
		if _, _, err := s.Claim(ctx, "k3", now, now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		claimed, _, err := s.Claim(ctx, "k3", now.Add(2*time.Second), later)
		if err != nil || !claimed {
			t.Fatalf("Claim after expiry = %v, %v", claimed, err)
		}
	})
	t.Run("a released claim is free again", func(t *testing.T) {
		s := newStore(t)
		if _, _, err := s.Claim(ctx, "k4", now, later); err != nil {
			t.Fatal(err)
		}
		if err := s.Release(ctx, "k4"); err != nil {
			t.Fatal(err)
		}
		claimed, _, err := s.Claim(ctx, "k4", now, later)
		if err != nil || !claimed {
			t.Fatalf("Claim after Release = %v, %v", claimed, err)
		}
		if err := s.Release(ctx, "never-claimed"); err != nil {
			t.Fatalf("Release of an unknown key: %v", err)
		}
	})
	t.Run("keys are independent", func(t *testing.T) {
		s := newStore(t)
		for _, k := range []string{"a", "b"} {
			claimed, _, err := s.Claim(ctx, k, now, later)
			if err != nil || !claimed {
				t.Fatalf("Claim(%s) = %v, %v", k, claimed, err)
			}
		}
	})
}
