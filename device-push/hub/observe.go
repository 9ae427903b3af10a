package hub

import (
	"context"
	"time"
)

// Observer is told what the hub does, for metrics. Calls must not block.
type Observer interface {
	// Queued: a message reached a live connection's send queue, waited
	// since it was accepted (a replay after reconnecting waits longer).
	Queued(waited time.Duration)
	// SlowDisconnect: a device was dropped for not reading fast enough.
	SlowDisconnect()
}

type nopObserver struct{}

func (nopObserver) Queued(time.Duration) {}
func (nopObserver) SlowDisconnect()      {}

// Connections counts the live device connections.
func (h *Hub) Connections() int {
	n := 0
	for i := range h.shards {
		sh := &h.shards[i]
		sh.mu.Lock()
		n += len(sh.sessions)
		sh.mu.Unlock()
	}
	return n
}

// readiness is what a store may implement to say it can take messages
// (a remote store's connection); a store without it is always ready.
type readiness interface {
	Ready(ctx context.Context) error
}

// counting is what a store may implement to say how many messages wait.
type counting interface {
	Queued() int
}

// Ready says whether the hub's store can take messages.
func (h *Hub) Ready(ctx context.Context) error {
	if r, ok := h.store.(readiness); ok {
		return r.Ready(ctx)
	}
	return nil
}

// Queued counts the messages waiting for an ack, or -1 when the store
// cannot tell.
func (h *Hub) Queued() int {
	if c, ok := h.store.(counting); ok {
		return c.Queued()
	}
	return -1
}
