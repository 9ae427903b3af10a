// Package jetstream is device-push's durable hub.Store on NATS JetStream:
// one stream holds every accepted message, a KV bucket every registration,
// and each node reads the stream once (one ordered consumer per node, never
// one per device). The server is embedded in the process by default (a data
// directory, nothing to install; see Embedded) or reached by URL, so that
// several device-push nodes share it. device-push/README.md has the design.
package jetstream

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"livingroom/device-push/hub"
)

// Defaults of Config.
const (
	DefaultStream = "ADM_MESSAGES"
	DefaultBucket = "ADM_REGISTRATIONS"
	// DefaultAckedStream holds each device's acked watermark.
	DefaultAckedStream = "ADM_ACKED"
	// DefaultMaxAge bounds any message's life in the stream: ADM's longest
	// expiresAfter (31 days) and a day.
	DefaultMaxAge = 32 * 24 * time.Hour
	// DefaultTimeout bounds each JetStream call the store makes.
	DefaultTimeout = 5 * time.Second
)

// Config shapes the stream and the bucket. Every node on one NATS must use
// the same values (the last to start wins on a difference).
type Config struct {
	Limit           int           // messages kept per registration (hub.DefaultPendingLimit)
	RegistrationTTL time.Duration // a registration not touched this long is forgotten (hub.DefaultRegistrationTTL)
	Replicas        int           // 1 (embedded); 3 on a NATS cluster
	Memory          bool          // memory storage instead of files (nothing survives a NATS restart)
	Stream          string        // DefaultStream
	Bucket          string        // DefaultBucket
	AckedStream     string        // DefaultAckedStream
	MaxAge          time.Duration // DefaultMaxAge
	Timeout         time.Duration // DefaultTimeout
	DeleteRate      int           // acked messages deleted per second (DefaultDeleteRate)
	// Exclusive says no other node appends to this store (an embedded
	// server that does not listen): Subscribe then gets each append from
	// Append itself, right after JetStream stored it, instead of from a
	// consumer (a pass through the server and back for every message).
	Exclusive bool
}

func (c Config) withDefaults() Config {
	if c.Limit <= 0 {
		c.Limit = hub.DefaultPendingLimit
	}
	if c.RegistrationTTL <= 0 {
		c.RegistrationTTL = hub.DefaultRegistrationTTL
	}
	if c.Replicas <= 0 {
		c.Replicas = 1
	}
	if c.Stream == "" {
		c.Stream = DefaultStream
	}
	if c.Bucket == "" {
		c.Bucket = DefaultBucket
	}
	if c.AckedStream == "" {
		c.AckedStream = DefaultAckedStream
	}
	if c.MaxAge <= 0 {
		c.MaxAge = DefaultMaxAge
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.DeleteRate <= 0 {
		c.DeleteRate = DefaultDeleteRate
	}
	return c
}

// Store is a hub.Store on JetStream. It is safe for concurrent use.
type Store struct {
	cfg    Config
	nc     *nats.Conn
	js     natsjs.JetStream
	stream natsjs.Stream
	regs   natsjs.KeyValue
	acked  natsjs.Stream
	logger *slog.Logger
	marks  *marks
	gone   *deleter
	// Exclusive mode: the subscribers, and stripes that keep each
	// device's appends in sequence order from publish to delivery.
	subs    atomic.Pointer[[]func(string, hub.Message)] // read without a lock by appends
	subsMu  sync.Mutex
	subList []*func(string, hub.Message)
	stripes [appendStripes]sync.Mutex
	seed    maphash.Seed
	// epoch names this incarnation of the message stream (its creation
	// time) in each watermark: sequences start over in a stream created
	// again, and an older stream's watermark must not hide its messages.
	epoch string
}

var _ hub.Store = (*Store)(nil)

// Open creates or updates the stream and the bucket on nc's JetStream and
// returns the store. The caller owns nc.
func Open(ctx context.Context, nc *nats.Conn, cfg Config, logger *slog.Logger) (*Store, error) {
	cfg = cfg.withDefaults()
	js, err := natsjs.New(nc)
	if err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	storage := natsjs.FileStorage
	if cfg.Memory {
		storage = natsjs.MemoryStorage
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	// Two nodes starting together may race to create; the loser updates.
	var stream natsjs.Stream
	for attempt := 0; ; attempt++ {
		stream, err = js.CreateOrUpdateStream(ctx, natsjs.StreamConfig{
			Name:        cfg.Stream,
			Description: "device-push: accepted ADM messages not yet acked, by device",
			Subjects:    []string{subjectRoot + ".>"},
			Storage:     storage,
			Replicas:    cfg.Replicas,
			Retention:   natsjs.LimitsPolicy,
			Discard:     natsjs.DiscardOld,
			// Per device subject: the bound on its queue (the oldest go)
			// and, with a rollup, consolidation.
			MaxMsgsPerSubject: int64(cfg.Limit),
			MaxAge:            cfg.MaxAge,
			AllowMsgTTL:       true,                   // Nats-TTL: expiresAfter
			AllowRollup:       true,                   // Nats-Rollup: sub, consolidation
			AllowDirect:       true,                   // batch direct get of a device's backlog
			Duplicates:        hub.DefaultDedupWindow, // idempotency keys
		})
		if err == nil || attempt == 2 {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("jetstream: stream %s: %w", cfg.Stream, err)
	}
	kvStorage := natsjs.FileStorage
	if cfg.Memory {
		kvStorage = natsjs.MemoryStorage
	}
	var regs natsjs.KeyValue
	for attempt := 0; ; attempt++ {
		regs, err = js.CreateOrUpdateKeyValue(ctx, natsjs.KeyValueConfig{
			Bucket:      cfg.Bucket,
			Description: "device-push: registrations by device, forgotten when not touched for the TTL",
			History:     1,
			TTL:         cfg.RegistrationTTL,
			Storage:     kvStorage,
			Replicas:    cfg.Replicas,
		})
		if err == nil || attempt == 2 {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("jetstream: bucket %s: %w", cfg.Bucket, err)
	}
	var acked natsjs.Stream
	for attempt := 0; ; attempt++ {
		acked, err = js.CreateOrUpdateStream(ctx, natsjs.StreamConfig{
			Name:              cfg.AckedStream,
			Description:       "device-push: the sequence through which each device acked its messages",
			Subjects:          []string{ackedRoot + ".>"},
			Storage:           storage,
			Replicas:          cfg.Replicas,
			Retention:         natsjs.LimitsPolicy,
			Discard:           natsjs.DiscardOld,
			MaxMsgsPerSubject: 1,
			MaxAge:            cfg.MaxAge, // no message it covers lives longer
			AllowDirect:       true,
		})
		if err == nil || attempt == 2 {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("jetstream: stream %s: %w", cfg.AckedStream, err)
	}
	s := &Store{cfg: cfg, nc: nc, js: js, stream: stream, regs: regs, acked: acked, logger: logger, marks: newMarks(time.Now),
		epoch: strconv.FormatInt(stream.CachedInfo().Created.UnixNano(), 36), seed: maphash.MakeSeed()}
	s.gone = startDeleter(func(ctx context.Context, seq uint64) error {
		ctx, cancel := s.timeout(ctx)
		defer cancel()
		return s.deleteMsg(ctx, seq)
	}, cfg.DeleteRate, logger)
	return s, nil
}

// Close stops the store's background deletes of acked messages (those
// still queued stay hidden by their watermarks). The caller owns nc.
func (s *Store) Close() { s.gone.stop() }

// The registration value: a version byte, the secret's hash, the creation
// instant (Unix nanoseconds, big endian).
const regVersion = 1

func encodeRegistration(r hub.Registration) []byte {
	b := make([]byte, 0, 1+len(r.SecretHash)+8)
	b = append(b, regVersion)
	b = append(b, r.SecretHash[:]...)
	return binary.BigEndian.AppendUint64(b, uint64(r.CreatedAt.UnixNano()))
}

func decodeRegistration(id string, b []byte) (hub.Registration, error) {
	r := hub.Registration{ID: id}
	if len(b) != 1+len(r.SecretHash)+8 || b[0] != regVersion {
		return r, fmt.Errorf("registration %s: stored value malformed", id)
	}
	copy(r.SecretHash[:], b[1:])
	r.CreatedAt = time.Unix(0, int64(binary.BigEndian.Uint64(b[1+len(r.SecretHash):]))).UTC()
	return r, nil
}

func (s *Store) timeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.cfg.Timeout)
}

// CreateRegistration implements hub.Store. Messages left under the id by
// an expired registration of the same id are purged, so it starts empty.
func (s *Store) CreateRegistration(ctx context.Context, r hub.Registration) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	key := token(r.ID)
	if _, err := s.regs.Create(ctx, key, encodeRegistration(r)); err != nil {
		if errors.Is(err, natsjs.ErrKeyExists) {
			return fmt.Errorf("create registration %s: %w", r.ID, hub.ErrRegistrationExists)
		}
		return fmt.Errorf("create registration %s: %w", r.ID, err)
	}
	// Only after the id is ours: a refused create must not purge the
	// messages of the registration that holds it.
	if err := s.stream.Purge(ctx, natsjs.WithPurgeSubject(deviceFilter(r.ID))); err != nil {
		_ = s.regs.Delete(ctx, key)
		return fmt.Errorf("create registration %s: purge old messages: %w", r.ID, err)
	}
	return nil
}

// lookup returns the registration of id and its KV revision.
func (s *Store) lookup(ctx context.Context, id string) (hub.Registration, uint64, error) {
	e, err := s.regs.Get(ctx, token(id))
	if errors.Is(err, natsjs.ErrKeyNotFound) {
		return hub.Registration{}, 0, hub.ErrUnregistered
	}
	if err != nil {
		return hub.Registration{}, 0, err
	}
	r, err := decodeRegistration(id, e.Value())
	return r, e.Revision(), err
}

// Registration implements hub.Store.
func (s *Store) Registration(ctx context.Context, id string) (hub.Registration, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	r, _, err := s.lookup(ctx, id)
	if err != nil {
		return hub.Registration{}, fmt.Errorf("registration %s: %w", id, err)
	}
	return r, nil
}

// TouchRegistration implements hub.Store: it writes the registration again
// (the bucket's TTL counts from the last write), only over the revision it
// read, so an id that expired in between stays gone.
func (s *Store) TouchRegistration(ctx context.Context, r hub.Registration) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	stored, rev, err := s.lookup(ctx, r.ID)
	if err != nil {
		return fmt.Errorf("touch registration %s: %w", r.ID, err)
	}
	if _, err := s.regs.Update(ctx, token(r.ID), encodeRegistration(stored), rev); err != nil {
		if !errors.Is(err, natsjs.ErrKeyExists) && !errors.Is(err, natsjs.ErrKeyNotFound) {
			return fmt.Errorf("touch registration %s: %w", r.ID, err)
		}
		// The revision moved: either another touch won the race (a device
		// reconnecting while its old connection detaches), which restarted
		// the TTL just as well, or the key expired or was deleted.
		if _, _, err := s.lookup(ctx, r.ID); err != nil {
			return fmt.Errorf("touch registration %s: %w", r.ID, err)
		}
	}
	return nil
}

// Append implements hub.Store: the message is stored (written by the
// JetStream server, replicated when Replicas > 1) before Append returns.
func (s *Store) Append(ctx context.Context, id string, m hub.Message) (uint64, error) {
	return s.append(ctx, id, m, true)
}

// AppendLive is Append without the registration read, for a registration
// the hub vouches for (its device is connected to the hub's node): a KV get
// saved per send, about 6% of the server's CPU per message.
func (s *Store) AppendLive(ctx context.Context, id string, m hub.Message) (uint64, error) {
	return s.append(ctx, id, m, false)
}

// appendStripes bounds how many devices' appends run at once in exclusive
// mode; two devices rarely share a stripe.
const appendStripes = 256

func (s *Store) append(ctx context.Context, id string, m hub.Message, check bool) (uint64, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	if s.cfg.Exclusive {
		// Held from publish to delivery: a later append of the device gets
		// a later sequence and is delivered after this one.
		mu := &s.stripes[maphash.String(s.seed, id)%appendStripes]
		mu.Lock()
		defer mu.Unlock()
	}
	if check {
		if _, _, err := s.lookup(ctx, id); err != nil {
			return 0, fmt.Errorf("append to %s: %w", id, err)
		}
	}
	msg := nats.NewMsg(messageSubject(id, m.ConsolidationKey))
	msg.Data = encodePayload(m)
	msg.Header.Set(natsjs.MsgTTLHeader, strconv.FormatInt(int64(ttl(m)/time.Second), 10))
	if m.ConsolidationKey != "" {
		// The newest message of a key replaces the older ones.
		msg.Header.Set(natsjs.MsgRollup, natsjs.MsgRollupSubject)
	}
	if m.IdempotencyKey != "" {
		// JetStream's own de-duplication; scoped to the device, since
		// senders choose keys.
		msg.Header.Set(natsjs.MsgIDHeader, token(id)+"."+m.IdempotencyKey)
	}
	ack, err := s.js.PublishMsg(ctx, msg)
	if err != nil {
		return 0, fmt.Errorf("append to %s: %w", id, err)
	}
	if ack.Duplicate {
		return ack.Sequence, fmt.Errorf("append to %s: key %s: %w", id, m.IdempotencyKey, hub.ErrDuplicate)
	}
	if subs := s.subs.Load(); subs != nil {
		m.Seq = ack.Sequence
		for _, deliver := range *subs {
			deliver(id, m)
		}
	}
	return ack.Sequence, nil
}

// Pending implements hub.Store. It reads the device's watermark and its
// messages with direct gets (no consumer), keeps the newest Limit neither
// acked nor expired at now, and removes the others.
func (s *Store) Pending(ctx context.Context, id string, now time.Time) ([]hub.Message, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	if _, _, err := s.lookup(ctx, id); err != nil {
		return nil, fmt.Errorf("pending of %s: %w", id, err)
	}
	through, err := s.watermark(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("pending of %s: %w", id, err)
	}
	var keep []hub.Message
	var drop []uint64
	err = s.scan(ctx, deviceFilter(id), through+1, func(m hub.Message) {
		switch {
		case !m.ExpiresAt.After(now):
			drop = append(drop, m.Seq)
		default:
			keep = append(keep, m)
			if len(keep) > s.cfg.Limit {
				drop = append(drop, keep[0].Seq)
				keep = slices.Delete(keep, 0, 1)
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("pending of %s: %w", id, err)
	}
	for _, seq := range drop {
		if err := s.deleteMsg(ctx, seq); err != nil {
			return nil, fmt.Errorf("pending of %s: %w", id, err)
		}
	}
	return keep, nil
}

// watermark reads the sequence through which id acked (0: none yet): the
// stored one, or a newer one this node published that may not be stored
// yet.
func (s *Store) watermark(ctx context.Context, id string) (uint64, error) {
	local := s.marks.get(id)
	msg, err := s.acked.GetLastMsgForSubject(ctx, ackedSubject(id))
	if errors.Is(err, natsjs.ErrMsgNotFound) {
		return local, nil
	}
	if err != nil {
		return 0, fmt.Errorf("acked watermark: %w", err)
	}
	epoch, seq, ok := strings.Cut(string(msg.Data), ".")
	if !ok || epoch != s.epoch {
		return local, nil // another incarnation's
	}
	through, err := strconv.ParseUint(seq, 10, 64)
	if err != nil {
		s.logger.Warn("ignoring a malformed acked watermark", "subject", msg.Subject)
		return local, nil
	}
	return max(through, local), nil
}

// Scan bounds: a device's subjects hold Limit messages each, but a sender
// can spread messages over many consolidation keys, so the scan goes on in
// batches up to a ceiling.
const (
	scanBatch    = 256
	scanMaxBytes = 1 << 20
	scanCeiling  = 10000
)

// directGetRequest is JetStream's direct get API request
// ($JS.API.DIRECT.GET.<stream>), batch form.
type directGetRequest struct {
	Seq      uint64 `json:"seq,omitempty"`
	NextFor  string `json:"next_by_subj"`
	Batch    int    `json:"batch"`
	MaxBytes int    `json:"max_bytes,omitempty"`
}

// scan calls each with every message under filter from sequence from on,
// in stream order.
func (s *Store) scan(ctx context.Context, filter string, from uint64, each func(hub.Message)) error {
	inbox := s.nc.NewRespInbox()
	sub, err := s.nc.SubscribeSync(inbox)
	if err != nil {
		return fmt.Errorf("scan %s: %w", filter, err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	subject := "$JS.API.DIRECT.GET." + s.cfg.Stream
	next := max(from, 1)
	for seen := 0; seen < scanCeiling; {
		req, _ := json.Marshal(directGetRequest{Seq: next, NextFor: filter, Batch: scanBatch, MaxBytes: scanMaxBytes})
		if err := s.nc.PublishRequest(subject, inbox, req); err != nil {
			return fmt.Errorf("scan %s: %w", filter, err)
		}
		more := false
	batch:
		for {
			msg, err := sub.NextMsgWithContext(ctx)
			if err != nil {
				return fmt.Errorf("scan %s: %w", filter, err)
			}
			switch status := msg.Header.Get("Status"); status {
			case "":
			case "404": // nothing (more) under filter
				return nil
			case "204": // end of this batch
				pending, _ := strconv.ParseUint(msg.Header.Get(numPendingHeader), 10, 64)
				last, _ := strconv.ParseUint(msg.Header.Get(natsjs.LastSequenceHeader), 10, 64)
				if pending == 0 || last == 0 {
					return nil
				}
				next, more = last+1, true
				break batch
			default:
				return fmt.Errorf("scan %s: direct get status %s %s", filter, status, msg.Header.Get("Description"))
			}
			seq, err := strconv.ParseUint(msg.Header.Get(natsjs.SequenceHeader), 10, 64)
			if err != nil {
				return fmt.Errorf("scan %s: sequence header: %w", filter, err)
			}
			m, err := decodePayload(msg.Data)
			if err != nil {
				s.logger.Warn("skipping a malformed stored message", "seq", seq, "subject", msg.Header.Get(natsjs.SubjectHeader))
				continue
			}
			m.Seq = seq
			each(m)
			seen++
		}
		if !more {
			return nil
		}
	}
	return nil
}

// deleteMsg removes message seq; one gone already (acked, expired,
// replaced, never stored) is no error.
func (s *Store) deleteMsg(ctx context.Context, seq uint64) error {
	req, _ := json.Marshal(msgDeleteRequest{Seq: seq, NoErase: true})
	msg, err := s.nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.DELETE."+s.cfg.Stream, req)
	if err != nil {
		return fmt.Errorf("delete message %d: %w", seq, err)
	}
	var resp msgDeleteResponse
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return fmt.Errorf("delete message %d: response: %w", seq, err)
	}
	if resp.Success || resp.Error == nil {
		return nil
	}
	switch e := resp.Error; {
	case e.ErrCode == errSequenceNotFound,
		e.ErrCode == errMsgDeleteFailed && (strings.Contains(e.Description, "no message found") || strings.Contains(e.Description, "stream store EOF")):
		return nil
	default:
		return fmt.Errorf("delete message %d: %d %s", seq, e.ErrCode, e.Description)
	}
}

// JetStream's message delete API ($JS.API.STREAM.MSG.DELETE.<stream>).
type msgDeleteRequest struct {
	Seq     uint64 `json:"seq"`
	NoErase bool   `json:"no_erase,omitempty"`
}

type msgDeleteResponse struct {
	Success bool `json:"success,omitempty"`
	Error   *struct {
		Code        int    `json:"code"`
		ErrCode     int    `json:"err_code"`
		Description string `json:"description"`
	} `json:"error,omitempty"`
}

// JetStream API error codes (nats-server errors.json).
const (
	errSequenceNotFound = 10043
	errMsgDeleteFailed  = 10057
)

// Ack implements hub.Store: the message is deleted from the stream. The hub
// acks one message so only when its device acked out of order (and for a
// receipt's discard); in-order acks go to AckThrough.
func (s *Store) Ack(ctx context.Context, id string, seq uint64) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	if err := s.deleteMsg(ctx, seq); err != nil {
		return fmt.Errorf("ack of %s: %w", id, err)
	}
	return nil
}

// AckThrough implements hub.Store by publishing the device's watermark
// without waiting for JetStream's answer (~3 µs of CPU, where a message
// delete is an API request of ~35 µs) and queueing seq for the deleter.
// Pending leaves out what the watermark covers. A watermark lost with a
// crash only replays messages the device already has (it de-duplicates by
// message id).
func (s *Store) AckThrough(_ context.Context, id string, seq, through uint64) error {
	mark := strconv.AppendUint(append([]byte(s.epoch), '.'), through, 10)
	if err := s.nc.Publish(ackedSubject(id), mark); err != nil {
		return fmt.Errorf("ack of %s through %d: %w", id, through, err)
	}
	s.marks.note(id, through)
	s.gone.add(seq)
	return nil
}

// Subscribe implements hub.Store. In exclusive mode Append hands each
// message to deliver once stored. Otherwise it reads one ordered consumer
// over the whole stream, from the next message on: every node sees every append, in stream
// order, and forwards those of the devices connected to it. The consumer is
// ephemeral and recreated by the client after a gap or a reconnect, from the
// last sequence it delivered.
func (s *Store) Subscribe(ctx context.Context, deliver func(id string, m hub.Message)) error {
	if s.cfg.Exclusive {
		s.addSub(ctx, deliver)
		return nil
	}
	cctx, cancel := s.timeout(ctx)
	defer cancel()
	c, err := s.stream.OrderedConsumer(cctx, natsjs.OrderedConsumerConfig{
		FilterSubjects: []string{subjectRoot + ".>"},
		DeliverPolicy:  natsjs.DeliverNewPolicy,
	})
	if err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	cc, err := c.Consume(func(msg natsjs.Msg) {
		meta, err := msg.Metadata()
		if err != nil {
			s.logger.Warn("feed message without metadata", "err", err)
			return
		}
		id, err := idFromSubject(msg.Subject())
		if err != nil {
			s.logger.Warn("feed message on a foreign subject", "subject", msg.Subject())
			return
		}
		m, err := decodePayload(msg.Data())
		if err != nil {
			s.logger.Warn("skipping a malformed stored message", "seq", meta.Sequence.Stream, "subject", msg.Subject())
			return
		}
		m.Seq = meta.Sequence.Stream
		deliver(id, m)
	}, natsjs.ConsumeErrHandler(func(_ natsjs.ConsumeContext, err error) {
		s.logger.Warn("message feed", "err", err)
	}))
	if err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	context.AfterFunc(ctx, cc.Stop)
	return nil
}

// addSub adds deliver to the exclusive mode's subscribers until ctx ends.
func (s *Store) addSub(ctx context.Context, deliver func(string, hub.Message)) {
	entry := &deliver
	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	s.subList = append(s.subList, entry)
	s.publishSubs()
	context.AfterFunc(ctx, func() {
		s.subsMu.Lock()
		defer s.subsMu.Unlock()
		s.subList = slices.DeleteFunc(s.subList, func(e *func(string, hub.Message)) bool { return e == entry })
		s.publishSubs()
	})
}

// publishSubs makes the list the one appends read. s.subsMu is held.
func (s *Store) publishSubs() {
	fns := make([]func(string, hub.Message), len(s.subList))
	for i, e := range s.subList {
		fns[i] = *e
	}
	s.subs.Store(&fns)
}

// Ready implements the hub's readiness: connected and JetStream answering.
func (s *Store) Ready(ctx context.Context) error {
	if !s.nc.IsConnected() {
		return fmt.Errorf("jetstream: not connected (%s)", s.nc.Status())
	}
	if _, err := s.js.AccountInfo(ctx); err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	return nil
}

// Queued implements the hub's counting: the messages in the stream, that
// is accepted and not acked, expired ones included until JetStream removes
// them (within a second or so of their TTL), less the acked ones this
// node's deleter has yet to remove. Acked messages that overflowed a
// deleter's queue, or wait in another node's, count until they go. -1 when
// the stream does not answer.
func (s *Store) Queued() int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	info, err := s.stream.Info(ctx)
	if err != nil {
		return -1
	}
	return max(int(info.State.Msgs)-s.gone.waiting(), 0)
}

// numPendingHeader tells, on a batch direct get's end-of-batch status, how
// many messages under the filter follow.
const numPendingHeader = "Nats-Num-Pending"
