package hub

// Queued counts the messages waiting for an ack, expired ones included
// until the next Pending or Append of their registration drops them.
func (s *MemoryStore) Queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.regs {
		n += len(r.pending)
	}
	return n
}
