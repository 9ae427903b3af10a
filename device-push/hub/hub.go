// Package hub routes ADM messages to the devices connected to device-push.
// It issues registrations (an id and a secret only that device gets), keeps
// one live transport per registration on this node, and forwards to it every
// message any node appended to the store for that registration, in order;
// when a device (re)connects it first replays what the device has not acked.
package hub

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
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
	DisconnectReplaced  = Disconnect{Code: push.CloseReplaced, Reason: "replaced by a newer connection"}
	DisconnectSlow      = Disconnect{Code: push.CloseSlow, Reason: "send queue full"}
	DisconnectForbidden = Disconnect{Code: push.CloseForbidden, Reason: "forbidden"}
	DisconnectUnknown   = Disconnect{Code: push.CloseUnknownRegistration, Reason: "unknown registration"}
	DisconnectShutdown  = Disconnect{Code: 1001, Reason: "server shutting down"} // RFC 6455 going away
)

// Status is what the hub knows of one registration.
type Status struct {
	RegistrationID string `json:"registrationId"`
	Connected      bool   `json:"connected"` // to this node
	Pending        int    `json:"pending"`
}

// Config holds the hub's collaborators besides its store.
type Config struct {
	Now  func() time.Time // clock for message expiry; time.Now when nil
	Rand io.Reader        // registration ids and secrets; crypto/rand when nil
	// OnDetach, when set, is called after a transport left the hub. Tests
	// use it to know a device is offline without sleeping.
	OnDetach func(registrationID string)
	// Observer, when set, is told of deliveries and slow devices (metrics).
	Observer Observer
	// RegistrationTTL is the store's (DefaultRegistrationTTL when 0): the
	// hub touches the registration of a device that stays connected before
	// half of it has passed, so a TV that is never switched off keeps it.
	RegistrationTTL time.Duration
}

// shardCount stripes the lock over the connection map; only map reads and
// writes happen under it, never a store call.
const shardCount = 256

type shard struct {
	mu       sync.Mutex
	sessions map[string]*session
}

// Hub delivers messages to connected devices. It is safe for concurrent use.
type Hub struct {
	store    Store
	now      func() time.Time
	rand     io.Reader
	onDetach func(string)
	observe  Observer
	logger   *slog.Logger
	seed     maphash.Seed
	shards   [shardCount]shard
	receipts receipts // sends waiting for their device (SendWithReceipt)
	regTTL   time.Duration
}

// New returns a hub over store. Call Run to receive the store's messages.
func New(store Store, cfg Config, logger *slog.Logger) *Hub {
	h := &Hub{store: store, now: cfg.Now, rand: cfg.Rand, onDetach: cfg.OnDetach, logger: logger, seed: maphash.MakeSeed(), regTTL: cfg.RegistrationTTL}
	if h.regTTL <= 0 {
		h.regTTL = DefaultRegistrationTTL
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.rand == nil {
		h.rand = rand.Reader
	}
	h.observe = cfg.Observer
	if h.observe == nil {
		h.observe = nopObserver{}
	}
	for i := range h.shards {
		h.shards[i] = shard{sessions: make(map[string]*session)}
	}
	return h
}

// Start subscribes the hub to the store's messages until ctx ends, and
// refreshes connected devices' registrations every eighth of their TTL.
func (h *Hub) Start(ctx context.Context) error {
	if err := h.store.Subscribe(ctx, h.deliver); err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	go func() {
		tick := time.NewTicker(max(h.regTTL/8, time.Second))
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				h.RefreshRegistrations(ctx)
			}
		}
	}()
	return nil
}

// RefreshRegistrations touches the registration of every device connected
// here whose last touch is half a TTL old or older, and returns how many it
// touched. A registration's TTL otherwise restarts only when its device
// connects or disconnects, so one connected for longer than the TTL would
// expire under it. A touch that fails is logged and tried again on the next
// pass (Start's, an eighth of the TTL later: three more before it expires).
// Store calls are made one at a time, outside the shard locks.
func (h *Hub) RefreshRegistrations(ctx context.Context) int {
	touched := 0
	var due []*session
	for i := range h.shards {
		sh := &h.shards[i]
		older := h.now().Add(-h.regTTL / 2).UnixNano()
		due = due[:0]
		sh.mu.Lock()
		for _, s := range sh.sessions {
			if s.touchedAt.Load() <= older {
				due = append(due, s)
			}
		}
		sh.mu.Unlock()
		for _, s := range due {
			if ctx.Err() != nil {
				return touched
			}
			at := h.now()
			if err := h.store.TouchRegistration(ctx, s.reg); err != nil {
				h.logger.Warn("refresh registration of a connected device", "registrationId", s.id, "err", err)
				continue
			}
			s.touchedAt.Store(at.UnixNano())
			touched++
		}
	}
	return touched
}

func (h *Hub) shard(id string) *shard {
	return &h.shards[maphash.String(h.seed, id)%shardCount]
}

func (h *Hub) session(id string) *session {
	sh := h.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.sessions[id]
}

// Register issues a new registration: its id and the secret the device must
// present to connect as it. Only a hash of the secret is stored.
func (h *Hub) Register(ctx context.Context) (id, secret string, err error) {
	r, secret, err := h.register(ctx)
	return r.ID, secret, err
}

func (h *Hub) register(ctx context.Context) (Registration, string, error) {
	id, err := NewRegistrationID(h.rand)
	if err != nil {
		return Registration{}, "", err
	}
	secret, err := NewSecret(h.rand)
	if err != nil {
		return Registration{}, "", err
	}
	r := Registration{ID: id, SecretHash: HashSecret(secret), CreatedAt: h.now()}
	if err := h.store.CreateRegistration(ctx, r); err != nil {
		return Registration{}, "", fmt.Errorf("register: %w", err)
	}
	return r, secret, nil
}

// AttachNew registers a new device and attaches t as it; the registered
// frame carries the new secret.
func (h *Hub) AttachNew(ctx context.Context, t Transport) (string, error) {
	reg, secret, err := h.register(ctx)
	if err != nil {
		return "", err
	}
	return reg.ID, h.attach(ctx, reg, secret, t)
}

// Attach makes t the live transport of registration id once the secret
// matches: ErrUnregistered for an unknown or expired id, ErrForbidden for a
// wrong secret, and then the current connection of id is left alone. A
// transport already attached to id is closed (the same device reconnected).
// t gets the registered frame, then every pending message, oldest first,
// then the live ones.
func (h *Hub) Attach(ctx context.Context, id, secret string, t Transport) error {
	reg, err := h.store.Registration(ctx, id)
	if err != nil {
		return fmt.Errorf("attach %s: %w", id, err)
	}
	if !SecretMatches(reg, secret) {
		return fmt.Errorf("attach %s: %w", id, ErrForbidden)
	}
	return h.attach(ctx, reg, "", t)
}

func (h *Hub) attach(ctx context.Context, reg Registration, secret string, t Transport) error {
	id := reg.ID
	touchedAt := h.now()
	if err := h.store.TouchRegistration(ctx, reg); err != nil {
		return fmt.Errorf("attach %s: %w", id, err)
	}
	s := &session{id: id, reg: reg, t: t, now: h.now, observe: h.observe, receipts: &h.receipts, replaying: true, inflight: make(map[string]uint64)}
	s.touchedAt.Store(touchedAt.UnixNano())
	sh := h.shard(id)
	sh.mu.Lock()
	old := sh.sessions[id]
	sh.sessions[id] = s
	sh.mu.Unlock()
	if old != nil {
		old.t.Close(DisconnectReplaced)
	}
	f, err := push.Encode(push.Frame{Type: push.TypeRegistered, RegistrationID: id, Secret: secret})
	if err != nil {
		h.drop(s, Disconnect{})
		return fmt.Errorf("attach %s: %w", id, err)
	}
	if !t.Send(f) {
		h.drop(s, DisconnectSlow)
		return fmt.Errorf("attach %s: registered frame refused", id)
	}
	// Messages appended from here on are buffered by the session while the
	// backlog is read, so none falls between the two.
	pending, err := h.store.Pending(ctx, id, h.now())
	if err != nil {
		h.drop(s, Disconnect{})
		return fmt.Errorf("attach %s: %w", id, err)
	}
	if !s.replay(pending) {
		h.drop(s, DisconnectSlow)
		return fmt.Errorf("attach %s: replay of %d messages overflowed the send queue", id, len(pending))
	}
	return nil
}

// deliver takes a message from the store to its device, if connected here.
func (h *Hub) deliver(id string, m Message) {
	s := h.session(id)
	if s == nil {
		return
	}
	if !s.offer(m) {
		h.logger.Warn("device too slow, disconnecting", "registrationId", id, "messageId", m.ID)
		h.drop(s, DisconnectSlow)
	}
}

// drop closes s and forgets it if it is still the live session of its id.
func (h *Hub) drop(s *session, d Disconnect) {
	s.t.Close(d)
	if d == DisconnectSlow {
		h.observe.SlowDisconnect()
	}
	sh := h.shard(s.id)
	sh.mu.Lock()
	if sh.sessions[s.id] == s {
		delete(sh.sessions, s.id)
	}
	sh.mu.Unlock()
}

// Detach forgets t if it is still the live transport of id, and counts the
// device as seen (its registration's TTL starts over).
func (h *Hub) Detach(ctx context.Context, id string, t Transport) {
	sh := h.shard(id)
	sh.mu.Lock()
	s := sh.sessions[id]
	live := s != nil && s.t == t
	if live {
		delete(sh.sessions, id)
	}
	sh.mu.Unlock()
	if live {
		if err := h.store.TouchRegistration(ctx, s.reg); err != nil && !errors.Is(err, ErrUnregistered) {
			h.logger.Warn("touch registration on detach", "registrationId", id, "err", err)
		}
	}
	if h.onDetach != nil {
		h.onDetach(id)
	}
}

// liveAppender is a Store that can append without checking the
// registration, for one the hub vouches for: a device attached here was
// checked when it connected.
type liveAppender interface {
	AppendLive(ctx context.Context, id string, m Message) (uint64, error)
}

// frameOverhead is room for a message frame's fields besides its data and
// notification, so building one takes a single allocation.
const frameOverhead = 256

// Send stores m for registration id; every node forwards it to the device if
// connected there. It returns the message's sequence, or an error wrapping
// ErrUnregistered for an unknown id, or ErrDuplicate (with the first copy's
// sequence) for an idempotency key already accepted.
func (h *Hub) Send(ctx context.Context, id string, m Message) (uint64, error) {
	if m.Frame == nil {
		data := m.RawData
		if data == nil && len(m.Data) > 0 {
			b, err := json.Marshal(m.Data)
			if err != nil {
				return 0, fmt.Errorf("send %s: %w", m.ID, err)
			}
			data = b
		}
		m.Frame = push.EncodeMessage(make([]byte, 0, frameOverhead+len(data)+len(m.Notification)), push.Message{
			MessageID:        m.ID,
			Data:             data,
			Notification:     m.Notification,
			Priority:         m.Priority,
			MD5:              m.MD5,
			ConsolidationKey: m.ConsolidationKey,
			SentAtMs:         m.SentAt.UnixMilli(),
		})
	}
	var seq uint64
	var err error
	if la, ok := h.store.(liveAppender); ok && h.session(id) != nil {
		seq, err = la.AppendLive(ctx, id, m)
	} else {
		seq, err = h.store.Append(ctx, id, m)
	}
	if err != nil {
		return seq, fmt.Errorf("send %s: %w", m.ID, err) // seq: the first copy's, for ErrDuplicate
	}
	return seq, nil
}

// Ack records that the device on t handled message messageID. Only messages
// delivered on t can be acked, so a device cannot remove another's messages.
// Devices ack in order, so an ack usually moves the session's watermark and
// the store records just that (AckThrough, cheap); an ack out of order
// removes its one message.
func (h *Hub) Ack(ctx context.Context, id string, t Transport, messageID string) error {
	s := h.session(id)
	if s == nil || s.t != t {
		return nil
	}
	seq, through, ok := s.acked(messageID)
	if !ok {
		return nil
	}
	h.receipts.ack(messageID)
	var err error
	if through > 0 {
		err = h.store.AckThrough(ctx, id, seq, through)
	} else {
		err = h.store.Ack(ctx, id, seq)
	}
	if err != nil {
		return fmt.Errorf("ack %s of %s: %w", messageID, id, err)
	}
	return nil
}

// Status reports whether id is connected here and how many messages wait for
// its ack, or an error wrapping ErrUnregistered.
func (h *Hub) Status(ctx context.Context, id string) (Status, error) {
	pending, err := h.store.Pending(ctx, id, h.now())
	if err != nil {
		return Status{}, fmt.Errorf("status of %s: %w", id, err)
	}
	return Status{RegistrationID: id, Connected: h.session(id) != nil, Pending: len(pending)}, nil
}

// CloseAll ends every live connection with d (on shutdown).
func (h *Hub) CloseAll(d Disconnect) {
	for i := range h.shards {
		sh := &h.shards[i]
		sh.mu.Lock()
		for id, s := range sh.sessions {
			s.t.Close(d)
			delete(sh.sessions, id)
		}
		sh.mu.Unlock()
	}
}

// maxInflight bounds the messages a session remembers for acks; beyond it the
// oldest are forgotten (they are acked by nobody and replayed on reconnect).
const maxInflight = 2 * DefaultPendingLimit

// maxBuffered bounds the live messages held while a backlog is replayed.
const maxBuffered = DefaultSendQueue

// session is one attached connection: it keeps the order of what goes out
// (backlog first, then live messages, each sequence once) and which message
// ids were delivered, so acks can be mapped back to store sequences.
type session struct {
	id       string
	reg      Registration
	t        Transport
	now      func() time.Time
	observe  Observer
	receipts *receipts
	// touchedAt is when the registration's TTL last restarted (unix ns).
	touchedAt atomic.Int64

	mu        sync.Mutex
	replaying bool
	buffered  []Message
	lastSeq   uint64
	inflight  map[string]uint64
	// order holds delivered ids, oldest first, from the oldest not acked
	// on: an id acked out of order stays (gone from inflight) until the
	// ones before it are acked.
	order []string
	// ackedThrough is the watermark: every message of the registration up
	// to this sequence was acked, skipped or is gone.
	ackedThrough uint64
	// forgotten is the oldest message forgotten unacked (0: none): the
	// watermark stays below it.
	forgotten uint64
}

// offer forwards a live message, or buffers it during the replay. It
// reports false when the device is too slow.
func (s *session) offer(m Message) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replaying {
		if len(s.buffered) >= maxBuffered {
			return false
		}
		s.buffered = append(s.buffered, m)
		return true
	}
	return s.forward(m)
}

// replay forwards the backlog then what arrived meanwhile.
func (s *session) replay(pending []Message) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replaying = false
	for _, m := range pending {
		if !s.forward(m) {
			return false
		}
	}
	for _, m := range s.buffered {
		if !s.forward(m) {
			return false
		}
	}
	s.buffered = nil
	return true
}

// forward sends m unless it went out already. s.mu is held.
func (s *session) forward(m Message) bool {
	if m.Seq <= s.lastSeq {
		return true
	}
	// A sender waiting for a receipt learns that a connection took m, or
	// has given up on m, and then no connection may take it.
	if r := s.receipts.get(m.ID); r != nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.discarded {
			s.lastSeq = m.Seq
			return true
		}
		defer func() { r.delivered = r.delivered || s.lastSeq == m.Seq }()
	}
	if !s.t.Send(m.Frame) {
		return false
	}
	s.lastSeq = m.Seq
	s.observe.Queued(s.now().Sub(m.SentAt))
	if len(s.order) >= maxInflight {
		if seq, unacked := s.inflight[s.order[0]]; unacked && s.forgotten == 0 {
			s.forgotten = seq
		}
		delete(s.inflight, s.order[0])
		s.order = s.order[1:]
	}
	s.inflight[m.ID] = m.Seq
	s.order = append(s.order, m.ID)
	return true
}

// acked forgets messageID and returns its sequence, if it was delivered,
// and the new watermark when the ack moved it (0 when it did not).
func (s *session) acked(messageID string) (seq, through uint64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seq, ok = s.inflight[messageID]
	if !ok {
		return 0, 0, false
	}
	delete(s.inflight, messageID)
	for len(s.order) > 0 {
		if _, unacked := s.inflight[s.order[0]]; unacked {
			break
		}
		s.order = s.order[1:]
	}
	w := s.lastSeq
	if len(s.order) > 0 {
		w = s.inflight[s.order[0]] - 1
	}
	if s.forgotten > 0 && w >= s.forgotten {
		w = s.forgotten - 1
	}
	if w < seq || w <= s.ackedThrough {
		return seq, 0, true
	}
	s.ackedThrough = w
	return seq, w, true
}
