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

// DefaultRegistrationTTL is how long a registration lives without its device
// connecting (ADM forgets idle registrations too).
const DefaultRegistrationTTL = 30 * 24 * time.Hour

// MemoryStore is a Store in process memory, for unit tests: it does not
// survive a restart and serves one node.
type MemoryStore struct {
	limit int
	ttl   time.Duration
	now   func() time.Time

	mu      sync.Mutex
	regs    map[string]*memoryRegistration
	keys    map[[2]string]memoryKey // (registration, idempotency key)
	seq     uint64
	subs    []func(string, Message)
	created int // registrations since the last sweep
}

type memoryKey struct {
	seq uint64
	at  time.Time
}

type memoryRegistration struct {
	Registration
	seen    time.Time
	pending []Message
}

// NewMemoryStore returns an empty store keeping at most limit messages per
// registration (DefaultPendingLimit when limit <= 0) and forgetting a
// registration not touched for ttl (DefaultRegistrationTTL when <= 0) by the
// clock now (time.Now when nil).
func NewMemoryStore(limit int, ttl time.Duration, now func() time.Time) *MemoryStore {
	if limit <= 0 {
		limit = DefaultPendingLimit
	}
	if ttl <= 0 {
		ttl = DefaultRegistrationTTL
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryStore{limit: limit, ttl: ttl, now: now, regs: make(map[string]*memoryRegistration), keys: make(map[[2]string]memoryKey)}
}

// lookup returns a live registration, dropping it when expired. s.mu is held.
func (s *MemoryStore) lookup(id string) *memoryRegistration {
	r := s.regs[id]
	if r == nil {
		return nil
	}
	if s.now().Sub(r.seen) >= s.ttl {
		delete(s.regs, id)
		return nil
	}
	return r
}

// CreateRegistration implements Store.
func (s *MemoryStore) CreateRegistration(_ context.Context, r Registration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lookup(r.ID) != nil {
		return fmt.Errorf("create registration %s: %w", r.ID, ErrRegistrationExists)
	}
	// Sweep every so many registrations, so throwaway ones cannot pile up
	// and the cost stays constant per registration.
	if s.created++; s.created >= 1024 && s.created >= len(s.regs) {
		s.created = 0
		for id := range s.regs {
			s.lookup(id)
		}
		for k, v := range s.keys {
			if s.now().Sub(v.at) >= DefaultDedupWindow {
				delete(s.keys, k)
			}
		}
	}
	s.regs[r.ID] = &memoryRegistration{Registration: r, seen: s.now()}
	return nil
}

// Registration implements Store.
func (s *MemoryStore) Registration(_ context.Context, id string) (Registration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookup(id)
	if r == nil {
		return Registration{}, fmt.Errorf("registration %s: %w", id, ErrUnregistered)
	}
	return r.Registration, nil
}

// TouchRegistration implements Store.
func (s *MemoryStore) TouchRegistration(_ context.Context, reg Registration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookup(reg.ID)
	if r == nil {
		return fmt.Errorf("touch registration %s: %w", reg.ID, ErrUnregistered)
	}
	r.seen = s.now()
	return nil
}

// Append implements Store.
func (s *MemoryStore) Append(_ context.Context, id string, m Message) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookup(id)
	if r == nil {
		return 0, fmt.Errorf("append to %s: %w", id, ErrUnregistered)
	}
	key := [2]string{id, m.IdempotencyKey}
	if m.IdempotencyKey != "" {
		if first, ok := s.keys[key]; ok && s.now().Sub(first.at) < DefaultDedupWindow {
			return first.seq, fmt.Errorf("append to %s: key %s: %w", id, m.IdempotencyKey, ErrDuplicate)
		}
	}
	s.seq++
	m.Seq = s.seq
	if m.IdempotencyKey != "" {
		s.keys[key] = memoryKey{seq: m.Seq, at: s.now()}
	}
	q := slices.DeleteFunc(r.pending, func(p Message) bool {
		return !p.ExpiresAt.After(m.SentAt) ||
			(m.ConsolidationKey != "" && p.ConsolidationKey == m.ConsolidationKey)
	})
	q = append(q, m)
	if over := len(q) - s.limit; over > 0 {
		// Copy rather than reslice so dropped messages do not stay reachable.
		q = append([]Message(nil), q[over:]...)
	}
	r.pending = q
	// Under the lock, so subscribers see appends in sequence order.
	for _, deliver := range s.subs {
		deliver(id, m)
	}
	return m.Seq, nil
}

// Pending implements Store.
func (s *MemoryStore) Pending(_ context.Context, id string, now time.Time) ([]Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookup(id)
	if r == nil {
		return nil, fmt.Errorf("pending of %s: %w", id, ErrUnregistered)
	}
	r.pending = slices.DeleteFunc(r.pending, func(p Message) bool { return !p.ExpiresAt.After(now) })
	return slices.Clone(r.pending), nil
}

// Ack implements Store.
func (s *MemoryStore) Ack(_ context.Context, id string, seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.lookup(id); r != nil {
		r.pending = slices.DeleteFunc(r.pending, func(p Message) bool { return p.Seq == seq })
	}
	return nil
}

// AckThrough implements Store.
func (s *MemoryStore) AckThrough(_ context.Context, id string, _, through uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.lookup(id); r != nil {
		r.pending = slices.DeleteFunc(r.pending, func(p Message) bool { return p.Seq <= through })
	}
	return nil
}

// Subscribe implements Store.
func (s *MemoryStore) Subscribe(ctx context.Context, deliver func(string, Message)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs = append(s.subs, deliver)
	i := len(s.subs) - 1
	context.AfterFunc(ctx, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.subs[i] = func(string, Message) {}
	})
	return nil
}
