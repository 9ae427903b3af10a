package hub

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
)

// RegistrationPrefix starts every registration id device-push issues, in the
// shape of ADM's own ids.
const RegistrationPrefix = "amzn1.adm-registration.v3."

const registrationRandomBytes = 32

// Strict so that each id has exactly one spelling: two spellings of the same
// bytes must not become two registrations.
var registrationEncoding = base64.RawURLEncoding.Strict()

// NewRegistrationID returns a fresh id made from 32 bytes of r (crypto/rand
// in production).
func NewRegistrationID(r io.Reader) (string, error) {
	b := make([]byte, registrationRandomBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("new registration id: %w", err)
	}
	return RegistrationPrefix + registrationEncoding.EncodeToString(b), nil
}

// ValidRegistrationID reports whether id has the form NewRegistrationID
// produces. Any such id is accepted back from a device, so a device keeps its
// id across reconnects and device-push restarts.
func ValidRegistrationID(id string) bool {
	rest, ok := strings.CutPrefix(id, RegistrationPrefix)
	if !ok || len(rest) != registrationEncoding.EncodedLen(registrationRandomBytes) {
		return false
	}
	b, err := registrationEncoding.DecodeString(rest)
	return err == nil && len(b) == registrationRandomBytes
}

// secretBytes is the entropy of a registration's secret.
const secretBytes = 32

// NewSecret returns a fresh registration secret made from r.
func NewSecret(r io.Reader) (string, error) {
	b := make([]byte, secretBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("new registration secret: %w", err)
	}
	return registrationEncoding.EncodeToString(b), nil
}

// ValidSecret reports whether s has the form NewSecret produces; anything
// else is refused before it costs a store lookup.
func ValidSecret(s string) bool {
	if len(s) != registrationEncoding.EncodedLen(secretBytes) {
		return false
	}
	_, err := registrationEncoding.DecodeString(s)
	return err == nil
}

// HashSecret is what the store keeps of a secret: a leaked store does not
// let anyone connect as its devices. The secret is 256 random bits, so a
// plain hash is enough (no password stretching).
func HashSecret(s string) [sha256.Size]byte { return sha256.Sum256([]byte(s)) }

// SecretMatches compares in constant time.
func SecretMatches(r Registration, secret string) bool {
	h := HashSecret(secret)
	return subtle.ConstantTimeCompare(h[:], r.SecretHash[:]) == 1
}
