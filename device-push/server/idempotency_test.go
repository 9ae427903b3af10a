package server_test

import (
	"net/http"
	"strings"
	"testing"

	"livingroom/device-push/hub"
	"livingroom/internal/adm"
)

// sendKeyed posts body with an idempotency key and an optional receipt.
func (e *env) sendKeyed(t testing.TB, token, id, key, receipt, body string) *http.Response {
	t.Helper()
	return e.sendWith(t, token, id, body, adm.HeaderIdempotencyKey, key, adm.HeaderReceipt, receipt)
}

// TestSendIdempotencyKey: a second send with the same key reaches the
// device never, with or without a receipt, and says so.
func TestSendIdempotencyKey(t *testing.T) {
	for _, receipt := range []string{"", "wait=0", "wait=500;discard"} {
		t.Run("receipt="+receipt, func(t *testing.T) {
			e := newEnv(t, hub.ConnConfig{})
			token := e.token(t)
			d := e.dial(t, "")
			body := `{"data":{"a":"1"},"expiresAfter":60}`
			first := e.sendKeyed(t, token, d.id, "directive-1", receipt, body)
			var res adm.SendResult
			decode(t, first, http.StatusOK, &res)
			if got := first.Header.Get(adm.HeaderDelivery); got == adm.DeliveryDuplicate {
				t.Fatalf("first copy answered %s", got)
			}
			firstID := first.Header.Get(adm.HeaderRequestID)
			if got := d.nextMessages(t, 1); got[0] != firstID {
				t.Fatalf("device got %v, want %s", got, firstID)
			}
			d.ack(t, firstID)
			d.sync(t)
			for i := range 2 {
				again := e.sendKeyed(t, token, d.id, "directive-1", receipt, body)
				decode(t, again, http.StatusOK, &res)
				if got := again.Header.Get(adm.HeaderDelivery); got != adm.DeliveryDuplicate {
					t.Errorf("copy %d: %s = %q, want %q", i+2, adm.HeaderDelivery, got, adm.DeliveryDuplicate)
				}
			}
			// The next frame the device sees is a later message, not a copy.
			later := e.send(t, token, d.id, adm.Message{Data: map[string]string{"b": "2"}})
			if got := d.nextMessages(t, 1); got[0] != later {
				t.Errorf("device got %v next, want %s (the copies must not arrive)", got, later)
			}
		})
	}
}

// TestSendIdempotencyKeyRefusals: malformed keys are refused before
// anything is stored.
func TestSendIdempotencyKeyRefusals(t *testing.T) {
	testExtensionRefusals(t, adm.HeaderIdempotencyKey, adm.ReasonInvalidIdempotencyKey,
		[]string{" ", "a b", "ключ", "a/b", "a*", "a>", strings.Repeat("k", adm.MaxIdempotencyKey+1)},
		[2]string{"k1", "k2"})
}
