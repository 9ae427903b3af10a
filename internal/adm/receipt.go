package adm

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Delivery receipts: device-push's opt-in extension of the send API (ADM
// itself promises no delivery and has none). A sender that sets
// HeaderReceipt gets HeaderDelivery on a 200; a sender that does not sees
// plain ADM, byte for byte.
const (
	// HeaderReceipt asks for a receipt: "wait=<ms>" (0 … MaxReceiptWait in
	// milliseconds, 0 when left out) and optionally "discard", separated
	// by ";". With wait the answer comes once the device acked the message
	// or the wait ended; with discard a message that reached no device
	// connection by then is removed and never delivered.
	HeaderReceipt = "X-LivingRoom-Receipt"
	// HeaderDelivery answers with one of the Delivery* values.
	HeaderDelivery = "X-LivingRoom-Delivery"

	// DeliveryAcked: the device acknowledged the message within the wait.
	DeliveryAcked = "acked"
	// DeliveryDelivered: the message is on the device's live connection,
	// not acknowledged yet; it stays stored until it is.
	DeliveryDelivered = "delivered"
	// DeliveryQueued: no connection took it; it is stored for the device
	// (until expiresAfter), as ADM does.
	DeliveryQueued = "queued"
	// DeliveryDiscarded: no connection took it and the sender asked for
	// discard: it was removed and will never reach the device.
	DeliveryDiscarded = "discarded"
	// DeliveryDuplicate: a send with the same HeaderIdempotencyKey to the
	// same registration was accepted within the dedup window; this one was
	// neither stored nor delivered.
	DeliveryDuplicate = "duplicate"

	// MaxReceiptWait bounds the wait a sender may ask for.
	MaxReceiptWait = 2 * time.Second
	// maxReceiptHeader bounds the header's value.
	maxReceiptHeader = 64

	// ReasonInvalidReceipt refuses a malformed HeaderReceipt (400); ADM has
	// no such reason because it has no such header.
	ReasonInvalidReceipt = "InvalidReceipt"
)

// Receipt is what a sender asks for in HeaderReceipt.
type Receipt struct {
	Wait    time.Duration // how long to wait for the device's ack; whole ms
	Discard bool          // remove the message if no connection took it
}

// String is the header value for r.
func (r Receipt) String() string {
	s := "wait=" + strconv.FormatInt(r.Wait.Milliseconds(), 10)
	if r.Discard {
		s += ";discard"
	}
	return s
}

// ParseReceipt reads a HeaderReceipt value: ";"-separated parameters
// "wait=<ms>" and "discard", each at most once, spaces around them allowed.
func ParseReceipt(v string) (Receipt, error) {
	if v == "" || len(v) > maxReceiptHeader {
		return Receipt{}, fmt.Errorf("receipt: empty or longer than %d bytes", maxReceiptHeader)
	}
	var r Receipt
	var sawWait bool
	for _, p := range strings.Split(v, ";") {
		p = strings.TrimSpace(p)
		name, value, hasValue := strings.Cut(p, "=")
		switch {
		case name == "discard" && !hasValue && !r.Discard:
			r.Discard = true
		case name == "wait" && hasValue && !sawWait:
			ms, err := strconv.ParseUint(value, 10, 32)
			if err != nil || time.Duration(ms)*time.Millisecond > MaxReceiptWait {
				return Receipt{}, fmt.Errorf("receipt: wait must be 0…%d ms", MaxReceiptWait.Milliseconds())
			}
			r.Wait, sawWait = time.Duration(ms)*time.Millisecond, true
		default:
			return Receipt{}, fmt.Errorf("receipt: unknown or repeated parameter %.20q", p)
		}
	}
	return r, nil
}
