// Package hub routes ADM messages to the devices connected to device-push.
// It keeps one live transport per registration id, stores each message until
// the device acks it, and replays what is pending when a device (re)connects,
// in the order the messages were accepted.
package hub

import (
	"context"
	"fmt"
	"hash/maphash"
	"log/slog"
	"time"

	"livingroom/internal/push"
)

// Transport is a device connection as the hub sees it; the websocket Conn is
// the real one, tests use a fake.
type Transport interface {
	// Send queues an encoded frame without blocking. It returns false when
	// the transport is closed or its queue is full.
	Send(frame []byte) bool
	// Close ends the connection telling the device why. It is idempotent.
	Close(d Disconnect)
}

// Disconnect says why device-push ends a connection.
type Disconnect struct {
	Code   int // websocket close code; 0 closes without a close frame
	Reason string
}

// Reasons to end a connection.
var (
	DisconnectReplaced = Disconnect{Code: push.CloseReplaced, Reason: "replaced by a newer connection"}
	DisconnectSlow     = Disconnect{Code: push.CloseSlow, Reason: "send queue full"}
	DisconnectShutdown = Disconnect{Code: 1001, Reason: "server shutting down"} // RFC 6455 going away
)

// Status is what the hub knows of one registration.
type Status struct {
	RegistrationID string `json:"registrationId"`
	Connected      bool   `json:"connected"`
	Pending        int    `json:"pending"`
}

// Config holds the hub's collaborators besides its store.
type Config struct {
	Now func() time.Time // clock for message expiry; time.Now when nil
	// OnDetach, when set, is called after a transport left the hub. Tests
	// use it to know a device is offline without sleeping.
	OnDetach func(registrationID string)
}

// shardCount stripes the locks over registrations: Send and Attach for one
// registration are serialised (that is what keeps order), different
// registrations rarely contend, and memory stays bounded with no per-id lock.
const shardCount = 256

type shard struct {
	mu    chanMutex
	conns map[string]Transport
}

// Hub delivers messages to connected devices. It is safe for concurrent use.
type Hub struct {
	store    Store
	now      func() time.Time
	onDetach func(string)
	logger   *slog.Logger
	seed     maphash.Seed
	shards   [shardCount]shard
}

// New returns a hub over store.
func New(store Store, cfg Config, logger *slog.Logger) *Hub {
	h := &Hub{store: store, now: cfg.Now, onDetach: cfg.OnDetach, logger: logger, seed: maphash.MakeSeed()}
	if h.now == nil {
		h.now = time.Now
	}
	for i := range h.shards {
		h.shards[i] = shard{mu: newChanMutex(), conns: make(map[string]Transport)}
	}
	return h
}

func (h *Hub) shard(id string) *shard {
	return &h.shards[maphash.String(h.seed, id)%shardCount]
}

// Attach makes t the live transport of registration id, registering the id
// if it is new. It closes a transport already attached to id, then queues on
// t the registered frame and every pending message, oldest first.
func (h *Hub) Attach(ctx context.Context, id string, t Transport) error {
	sh := h.shard(id)
	if err := sh.mu.lock(ctx); err != nil {
		return fmt.Errorf("attach %s: %w", id, err)
	}
	defer sh.mu.unlock()

	if err := h.store.Register(ctx, id); err != nil {
		return fmt.Errorf("attach %s: %w", id, err)
	}
	pending, err := h.store.Pending(ctx, id, h.now())
	if err != nil {
		return fmt.Errorf("attach %s: %w", id, err)
	}
	if old := sh.conns[id]; old != nil {
		old.Close(DisconnectReplaced)
		delete(sh.conns, id)
	}
	frames := make([][]byte, 0, len(pending)+1)
	f, err := push.Encode(push.Frame{Type: push.TypeRegistered, RegistrationID: id})
	if err != nil {
		return fmt.Errorf("attach %s: %w", id, err)
	}
	frames = append(frames, f)
	for _, m := range pending {
		f, err := encodeMessage(m)
		if err != nil {
			return fmt.Errorf("attach %s: %w", id, err)
		}
		frames = append(frames, f)
	}
	for _, f := range frames {
		if !t.Send(f) {
			t.Close(DisconnectSlow)
			return fmt.Errorf("attach %s: replay of %d messages overflowed the send queue", id, len(pending))
		}
	}
	sh.conns[id] = t
	return nil
}

// Detach forgets t if it is still the live transport of id.
func (h *Hub) Detach(id string, t Transport) {
	sh := h.shard(id)
	sh.mu.lockAlways()
	if sh.conns[id] == t {
		delete(sh.conns, id)
	}
	sh.mu.unlock()
	if h.onDetach != nil {
		h.onDetach(id)
	}
}

// Send stores m for registration id and, when the device is connected,
// queues it on its transport. A device too slow to take it is disconnected;
// the message stays pending and is replayed when the device reconnects.
// It returns an error wrapping ErrUnregistered for an unknown id.
func (h *Hub) Send(ctx context.Context, id string, m Message) error {
	sh := h.shard(id)
	if err := sh.mu.lock(ctx); err != nil {
		return fmt.Errorf("send %s to %s: %w", m.ID, id, err)
	}
	defer sh.mu.unlock()

	if err := h.store.Append(ctx, id, m); err != nil {
		return fmt.Errorf("send %s: %w", m.ID, err)
	}
	t := sh.conns[id]
	if t == nil {
		return nil
	}
	f, err := encodeMessage(m)
	if err != nil {
		return fmt.Errorf("send %s to %s: %w", m.ID, id, err)
	}
	if !t.Send(f) {
		h.logger.Warn("device too slow, disconnecting", "registrationId", id, "messageId", m.ID)
		t.Close(DisconnectSlow)
		delete(sh.conns, id)
	}
	return nil
}

// Ack records that the device of id handled a message.
func (h *Hub) Ack(ctx context.Context, id, messageID string) error {
	if err := h.store.Ack(ctx, id, messageID); err != nil {
		return fmt.Errorf("ack %s of %s: %w", messageID, id, err)
	}
	return nil
}

// Status reports whether id is connected and how many messages wait for its
// ack, or an error wrapping ErrUnregistered.
func (h *Hub) Status(ctx context.Context, id string) (Status, error) {
	pending, err := h.store.Pending(ctx, id, h.now())
	if err != nil {
		return Status{}, fmt.Errorf("status of %s: %w", id, err)
	}
	sh := h.shard(id)
	if err := sh.mu.lock(ctx); err != nil {
		return Status{}, fmt.Errorf("status of %s: %w", id, err)
	}
	_, connected := sh.conns[id]
	sh.mu.unlock()
	return Status{RegistrationID: id, Connected: connected, Pending: len(pending)}, nil
}

// CloseAll ends every live connection with d (on shutdown).
func (h *Hub) CloseAll(d Disconnect) {
	for i := range h.shards {
		sh := &h.shards[i]
		sh.mu.lockAlways()
		for id, t := range sh.conns {
			t.Close(d)
			delete(sh.conns, id)
		}
		sh.mu.unlock()
	}
}

func encodeMessage(m Message) ([]byte, error) {
	return push.Encode(push.Frame{
		Type:             push.TypeMessage,
		MessageID:        m.ID,
		Data:             m.Data,
		Notification:     m.Notification,
		Priority:         m.Priority,
		MD5:              m.MD5,
		ConsolidationKey: m.ConsolidationKey,
		SentAtMs:         m.SentAt.UnixMilli(),
	})
}

// chanMutex is a mutex whose Lock gives up when ctx ends, since the store
// calls made under it may block on a network once the store is remote.
type chanMutex chan struct{}

func newChanMutex() chanMutex { return make(chanMutex, 1) }

func (m chanMutex) lock(ctx context.Context) error {
	select {
	case m <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// lockAlways waits as long as it takes; for quick bookkeeping with no store
// call under the lock.
func (m chanMutex) lockAlways() { m <- struct{}{} }

func (m chanMutex) unlock() { <-m }
