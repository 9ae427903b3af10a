package adm

// Idempotent sends: device-push's opt-in extension of the send API. A sender
// that names a send with HeaderIdempotencyKey may send it again (a retry, a
// second copy racing the first) and the device gets it once: a send whose
// key was accepted for the same registration within the server's dedup
// window is answered 200 with HeaderDelivery DeliveryDuplicate and stores
// nothing. A sender that does not set the header sees plain ADM.
const (
	HeaderIdempotencyKey = "X-LivingRoom-Idempotency-Key"
	// MaxIdempotencyKey bounds the key's length.
	MaxIdempotencyKey = 128
	// ReasonInvalidIdempotencyKey refuses a malformed key (400).
	ReasonInvalidIdempotencyKey = "InvalidIdempotencyKey"
)

// ValidIdempotencyKey reports whether k is 1 to MaxIdempotencyKey
// characters of A-Z a-z 0-9 and - _ . : (safe in any store's id).
func ValidIdempotencyKey(k string) bool {
	if k == "" || len(k) > MaxIdempotencyKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}
