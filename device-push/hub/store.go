package hub

import (
	"context"
	"crypto/sha256"
	"errors"
	"time"
)

// Errors of the store and the hub.
var (
	// ErrUnregistered reports a registration id that is unknown or expired.
	ErrUnregistered = errors.New("registration unknown")
	// ErrRegistrationExists reports an id issued twice (a broken random source).
	ErrRegistrationExists = errors.New("registration exists")
	// ErrForbidden reports a connect with the wrong secret.
	ErrForbidden = errors.New("registration secret does not match")
	// ErrDuplicate reports an Append whose idempotency key was appended for
	// the same registration within the store's dedup window: nothing was
	// stored, and the sequence returned is the first copy's.
	ErrDuplicate = errors.New("duplicate of a message already accepted")
)

// DefaultDedupWindow is how long an idempotency key is remembered. It
// matches how long the skill remembers a directive's reply (an hour), so
// a directive Alexa retries gets its action to the TV once.
const DefaultDedupWindow = time.Hour

// Message is one ADM message on its way to a device.
type Message struct {
	ID   string // the ADM request id; the device acks and de-duplicates by it
	Data map[string]string
	// RawData, when set, is Data as the sender's JSON, validated and
	// compacted: the frame carries these bytes rather than Data re-encoded.
	RawData          []byte
	Notification     []byte // ADM's notification object, compact JSON; nil: none
	Priority         string // normal or high, passed to the device
	MD5              string
	ConsolidationKey string
	// IdempotencyKey, when set, makes a second Append of the same key for
	// the same registration within the dedup window a no-op (ErrDuplicate).
	IdempotencyKey string
	SentAt         time.Time // when device-push accepted it
	ExpiresAt      time.Time // after this it is dropped undelivered
	// Frame is the device frame, built once by Hub.Send from the fields
	// above (RawData and Notification copied as they are), then stored and
	// forwarded as these bytes (the store need not keep Data and MD5).
	Frame []byte
	// Seq is the store's order of acceptance, set by Append: increasing per
	// registration (and across the store).
	Seq uint64
}

// Registration is a device's identity: only the hash of its secret is kept.
type Registration struct {
	ID         string
	SecretHash [sha256.Size]byte
	CreatedAt  time.Time
}

// Store keeps registrations and the messages each registration has not acked
// yet, and tells every node's hub about each message appended by any of them.
// The hub declares it; NATS JetStream is the real one, the in-memory one is
// for unit tests, and one contract suite (hubtest) runs against both.
// Implementations are safe for concurrent use.
type Store interface {
	// CreateRegistration stores a new registration, or fails with
	// ErrRegistrationExists.
	CreateRegistration(ctx context.Context, r Registration) error
	// Registration returns the registration of id, or ErrUnregistered when
	// it is unknown or was not touched for the store's TTL.
	Registration(ctx context.Context, id string) (Registration, error)
	// TouchRegistration restarts the TTL of a registration (the device was
	// seen). It fails with ErrUnregistered when id is gone.
	TouchRegistration(ctx context.Context, r Registration) error

	// Append stores m for id and returns its sequence. A pending message of
	// id with the same non-empty consolidation key is dropped. It fails with
	// ErrUnregistered for an unknown id, and with ErrDuplicate (and the
	// first copy's sequence) when m's non-empty idempotency key was appended
	// for id within the dedup window. Once stored, m goes to every
	// subscriber, in sequence order.
	Append(ctx context.Context, id string, m Message) (uint64, error)
	// Pending returns the messages of id not acked and not expired at now,
	// in sequence order, at most the store's bound (100 in production; the
	// oldest beyond it are dropped), or ErrUnregistered.
	Pending(ctx context.Context, id string, now time.Time) ([]Message, error)
	// Ack removes message seq of id. Unknown messages are ignored: acks may be
	// duplicated or arrive after the message expired.
	Ack(ctx context.Context, id string, seq uint64) error
	// AckThrough records that message seq of id was acked and with it
	// every message of id up to sequence through (seq <= through): a
	// device acks in order, so its acks move a watermark. It may be
	// repeated, and a lower through than before removes nothing more.
	// Every later Pending (on any node) leaves these messages out, though
	// a store may hand a few back after a crash (at-least-once).
	AckThrough(ctx context.Context, id string, seq, through uint64) error
	// Subscribe calls deliver with every message appended from now on, by
	// any node, in sequence order, until ctx ends. deliver must not block.
	Subscribe(ctx context.Context, deliver func(id string, m Message)) error
}
