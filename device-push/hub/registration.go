package hub

import (
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
