// Package idempotency remembers the reply given to each directive, so that
// a directive Alexa sends again (it retries) gets the same reply and acts on
// the TV once. It declares the Store it needs; adapters implement it.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// DefaultTTL is how long a reply is remembered. Alexa retries within
// seconds; an hour leaves room for slow clients and costs one small item.
const DefaultTTL = time.Hour

// ErrInFlight reports a directive whose first copy is still being handled.
var ErrInFlight = errors.New("directive is being handled")

// Store keeps claims and replies by key. Items past their expiry are absent,
// whether or not the store has deleted them yet.
type Store interface {
	// Claim marks key as taken until expires, if it is free at now (absent
	// or expired). Otherwise claimed is false and reply is what was saved
	// for it: nil while the first claimant is still at work.
	Claim(ctx context.Context, key string, now, expires time.Time) (claimed bool, reply []byte, err error)
	// Save stores the reply for a claimed key.
	Save(ctx context.Context, key string, reply []byte, expires time.Time) error
	// Release forgets a claim, so that a retry is handled afresh.
	Release(ctx context.Context, key string) error
}

// Key derives the store key of a directive from its message id and the
// credentials and endpoint it names, so that one account replaying another
// account's message id does not get that account's reply.
func Key(messageID string, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(messageID))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}
