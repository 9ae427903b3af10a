// Package lwa issues and checks the access tokens of Login with Amazon's
// client-credentials grant, as ADM senders obtain them. Tokens are stateless
// (an expiry signed with a key derived from the client secret), so a restart
// of device-push does not invalidate tokens already issued.
package lwa

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
	"time"

	"livingroom/internal/adm"
)

// TokenPrefix starts every access token, as LWA's do.
const TokenPrefix = "Atc|"

// DefaultTTL is how long a token lives, as LWA's do.
const DefaultTTL = time.Hour

// Token errors.
var (
	ErrInvalidToken = errors.New("invalid access token")
	ErrExpiredToken = errors.New("access token expired")
)

const (
	expiryBytes = 8
	macBytes    = sha256.Size
)

// Issuer grants tokens to the one client it knows and verifies them.
type Issuer struct {
	clientID   string
	secretHash [sha256.Size]byte
	key        []byte
	ttl        time.Duration
	now        func() time.Time
	// macs pools keyed HMACs: a new one per token checked was 3% of
	// device-push's allocated bytes at its max send rate.
	macs sync.Pool
}

// NewIssuer returns an issuer for one client. ttl <= 0 means DefaultTTL.
func NewIssuer(clientID, clientSecret string, ttl time.Duration, now func() time.Time) *Issuer {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	// The signing key depends on the secret, so rotating the secret revokes
	// every token, and on the client id, so two clients' tokens differ.
	mac := hmac.New(sha256.New, []byte(clientSecret))
	mac.Write([]byte("device-push access token v1|" + clientID))
	return &Issuer{
		clientID:   clientID,
		secretHash: sha256.Sum256([]byte(clientSecret)),
		key:        mac.Sum(nil),
		ttl:        ttl,
		now:        now,
	}
}

// Authenticate reports whether the credentials are the client's, in
// constant time.
func (i *Issuer) Authenticate(clientID, clientSecret string) bool {
	given := sha256.Sum256([]byte(clientSecret))
	idOK := subtle.ConstantTimeCompare([]byte(clientID), []byte(i.clientID))
	secretOK := subtle.ConstantTimeCompare(given[:], i.secretHash[:])
	return idOK&secretOK == 1
}

// Issue returns a fresh token for the messaging:push scope.
func (i *Issuer) Issue() adm.Token {
	exp := i.now().Add(i.ttl).Unix()
	b := make([]byte, expiryBytes, expiryBytes+macBytes)
	binary.BigEndian.PutUint64(b, uint64(exp))
	b = append(b, i.sign(b)...)
	return adm.Token{
		AccessToken: TokenPrefix + base64.RawURLEncoding.EncodeToString(b),
		ExpiresIn:   int(i.ttl / time.Second),
		Scope:       adm.ScopeMessagingPush,
		TokenType:   "bearer",
	}
}

// Verify checks that token was issued by this issuer and has not expired.
func (i *Issuer) Verify(token string) error {
	rest, ok := strings.CutPrefix(token, TokenPrefix)
	if !ok {
		return fmt.Errorf("verify token: no %q prefix: %w", TokenPrefix, ErrInvalidToken)
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(b) != expiryBytes+macBytes {
		return fmt.Errorf("verify token: malformed: %w", ErrInvalidToken)
	}
	if !hmac.Equal(b[expiryBytes:], i.sign(b[:expiryBytes])) {
		return fmt.Errorf("verify token: bad signature: %w", ErrInvalidToken)
	}
	exp := time.Unix(int64(binary.BigEndian.Uint64(b[:expiryBytes])), 0)
	if !i.now().Before(exp) {
		return fmt.Errorf("verify token: expired at %s: %w", exp.UTC().Format(time.RFC3339), ErrExpiredToken)
	}
	return nil
}

func (i *Issuer) sign(expiry []byte) []byte {
	mac, _ := i.macs.Get().(hash.Hash)
	if mac == nil {
		mac = hmac.New(sha256.New, i.key)
	}
	defer i.macs.Put(mac)
	mac.Reset() // back to the keyed state
	mac.Write(expiry)
	return mac.Sum(nil)
}
