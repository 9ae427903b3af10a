package hub

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// DefaultPendingLimit bounds the messages kept per registration.
const DefaultPendingLimit = 100

// MemoryStore is a Store in process memory: it does not survive a restart.
type MemoryStore struct {
	limit int

	mu      sync.Mutex
	pending map[string][]Message
}

// NewMemoryStore returns an empty store keeping at most limit messages per
// registration (DefaultPendingLimit when limit <= 0).
func NewMemoryStore(limit int) *MemoryStore {
	if limit <= 0 {
		limit = DefaultPendingLimit
	}
	return &MemoryStore{limit: limit, pending: make(map[string][]Message)}
}

// Register implements Store.
func (s *MemoryStore) Register(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pending[id]; !ok {
		s.pending[id] = nil
	}
	return nil
}

// Append implements Store.
func (s *MemoryStore) Append(_ context.Context, id string, m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.pending[id]
	if !ok {
		return fmt.Errorf("append to %s: %w", id, ErrUnregistered)
	}
	q = slices.DeleteFunc(q, func(p Message) bool {
		return !p.ExpiresAt.After(m.SentAt) ||
			(m.ConsolidationKey != "" && p.ConsolidationKey == m.ConsolidationKey)
	})
	q = append(q, m)
	if over := len(q) - s.limit; over > 0 {
		// Copy rather than reslice so dropped messages do not stay reachable.
		q = append([]Message(nil), q[over:]...)
	}
	s.pending[id] = q
	return nil
}

// Pending implements Store.
func (s *MemoryStore) Pending(_ context.Context, id string, now time.Time) ([]Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.pending[id]
	if !ok {
		return nil, fmt.Errorf("pending of %s: %w", id, ErrUnregistered)
	}
	q = slices.DeleteFunc(q, func(p Message) bool { return !p.ExpiresAt.After(now) })
	s.pending[id] = q
	return slices.Clone(q), nil
}

// Ack implements Store.
func (s *MemoryStore) Ack(_ context.Context, id, messageID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.pending[id]; ok {
		s.pending[id] = slices.DeleteFunc(q, func(p Message) bool { return p.ID == messageID })
	}
	return nil
}
