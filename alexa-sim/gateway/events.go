package gateway

import (
	"slices"
	"sync"
	"time"
)

// EventFilter selects events from the log; empty fields match anything.
type EventFilter struct {
	Namespace, Name, EndpointID string
	Limit                       int
}

// EventLog keeps the last events the gateway answered, accepted or not;
// safe for concurrent use.
type EventLog struct {
	now    func() time.Time
	keep   int
	mu     sync.Mutex
	events []Event // oldest first
}

// NewEventLog keeps the last keep events.
func NewEventLog(now func() time.Time, keep int) *EventLog {
	return &EventLog{now: now, keep: max(keep, 1)}
}

// Add keeps an event, dropping the oldest beyond the limit.
func (l *EventLog) Add(e Event) {
	if e.ReceivedAt.IsZero() {
		e.ReceivedAt = l.now().UTC()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.events) == l.keep {
		l.events = slices.Delete(l.events, 0, 1)
	}
	l.events = append(l.events, e)
}

// List returns the newest events that match f, oldest first.
func (l *EventLog) List(f EventFilter) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	limit := f.Limit
	if limit <= 0 {
		limit = len(l.events)
	}
	out := []Event{}
	for i := len(l.events) - 1; i >= 0 && len(out) < limit; i-- {
		e := l.events[i]
		if (f.Namespace == "" || e.Namespace == f.Namespace) && (f.Name == "" || e.Name == f.Name) &&
			(f.EndpointID == "" || e.EndpointID == f.EndpointID) {
			out = append(out, e)
		}
	}
	slices.Reverse(out)
	return out
}
