package hub

import (
	"context"
	"errors"
	"time"
)

// ErrUnregistered reports a registration id that no device has registered.
var ErrUnregistered = errors.New("registration unknown")

// Message is one ADM message on its way to a device.
type Message struct {
	ID               string // the ADM request id; the device acks and de-duplicates by it
	Data             map[string]string
	Notification     []byte // ADM's notification object, compact JSON; nil: none
	Priority         string // normal or high, passed to the device
	MD5              string
	ConsolidationKey string
	SentAt           time.Time // when device-push accepted it
	ExpiresAt        time.Time // after this it is dropped undelivered
}

// Store keeps the messages of each registration that are not acked yet, in
// the order they were accepted. It is in memory today; it is the seam where a
// durable, shared store (NATS JetStream) goes. Implementations are safe for
// concurrent use.
type Store interface {
	// Register makes id known. Registering a known id is not an error.
	Register(ctx context.Context, id string) error
	// Append queues m after the pending messages of id. It first removes a
	// pending message with the same non-empty consolidation key and those
	// expired at m.SentAt, then drops the oldest beyond the store's bound
	// (100 messages in production). It returns an error
	// wrapping ErrUnregistered for an unknown id.
	Append(ctx context.Context, id string, m Message) error
	// Pending returns the messages of id not acked and not expired at now,
	// oldest first, or an error wrapping ErrUnregistered.
	Pending(ctx context.Context, id string, now time.Time) ([]Message, error)
	// Ack removes a message. Unknown ids and messages are ignored: acks may
	// be duplicated or arrive after the message expired.
	Ack(ctx context.Context, id, messageID string) error
}
