package hub

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"livingroom/internal/adm"
)

// ErrTooManyReceipts refuses a receipt when MaxReceipts sends already wait.
var ErrTooManyReceipts = errors.New("too many receipts outstanding")

// MaxReceipts bounds the sends that wait for a receipt at once (each holds
// an HTTP request open for up to adm.MaxReceiptWait).
const MaxReceipts = 10_000

// discardGrace is how long a discarded message's id stays known after its
// send returned, so a store that delivers appends asynchronously (a remote
// one, a lagging subscriber) still does not forward it. It counts against
// MaxReceipts meanwhile.
const discardGrace = 10 * time.Second

// receipt follows one message sent with a receipt: whether a connection of
// this node took it, whether its device acked it, and whether the sender
// gave up on it (then no connection may take it any more).
type receipt struct {
	acked     chan struct{} // closed on the device's ack
	ackOnce   sync.Once
	mu        sync.Mutex // held across the check and the transport's Send
	delivered bool
	discarded bool
}

// receipts indexes the outstanding receipts by message id. The count lets
// the forward path skip the lookup when no send waits for a receipt.
type receipts struct {
	n  atomic.Int64
	mu sync.Mutex
	m  map[string]*receipt
}

func (rs *receipts) add(messageID string) (*receipt, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if len(rs.m) >= MaxReceipts {
		return nil, ErrTooManyReceipts
	}
	if rs.m == nil {
		rs.m = make(map[string]*receipt)
	}
	if _, dup := rs.m[messageID]; dup {
		return nil, fmt.Errorf("message id %s already waits for a receipt", messageID)
	}
	r := &receipt{acked: make(chan struct{})}
	rs.m[messageID] = r
	rs.n.Add(1)
	return r, nil
}

func (rs *receipts) remove(messageID string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if _, ok := rs.m[messageID]; ok {
		delete(rs.m, messageID)
		rs.n.Add(-1)
	}
}

// get returns the receipt of messageID, if a sender waits for one.
func (rs *receipts) get(messageID string) *receipt {
	if rs.n.Load() == 0 {
		return nil
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.m[messageID]
}

// ack tells the sender of messageID, if it waits, that the device acked.
func (rs *receipts) ack(messageID string) {
	if r := rs.get(messageID); r != nil {
		r.ackOnce.Do(func() { close(r.acked) })
	}
}

func (r *receipt) isAcked() bool {
	select {
	case <-r.acked:
		return true
	default:
		return false
	}
}

// SendWithReceipt is Send for a sender that asked for a receipt: it waits
// up to rc.Wait (or until ctx ends) for the device's ack and says what
// became of m, as one of adm.DeliveryAcked, DeliveryDelivered,
// DeliveryQueued or DeliveryDiscarded. With rc.Discard a message that no
// connection took by then is removed from the store and is never
// forwarded: the sender may tell its user the device was not reached.
//
// The receipt sees the connections of this node. When the device is
// connected to another node, an ack there is seen as the message leaving
// the store; a message on another node's connection but not acked by the
// end of the wait counts as not delivered.
func (h *Hub) SendWithReceipt(ctx context.Context, id string, m Message, rc adm.Receipt) (uint64, string, error) {
	if m.ID == "" {
		return 0, "", fmt.Errorf("send with receipt: message without id")
	}
	// A sender that asked for discard and is gone already (its request sat
	// in a queue past its deadline) would be told nothing: store nothing.
	if err := ctx.Err(); rc.Discard && err != nil {
		return 0, "", fmt.Errorf("send %s: sender gone: %w", m.ID, err)
	}
	r, err := h.receipts.add(m.ID)
	if err != nil {
		return 0, "", fmt.Errorf("send %s: %w", m.ID, err)
	}
	defer func() {
		if r.discarded {
			time.AfterFunc(discardGrace, func() { h.receipts.remove(m.ID) })
			return
		}
		h.receipts.remove(m.ID)
	}()
	seq, err := h.Send(ctx, id, m)
	if errors.Is(err, ErrDuplicate) {
		return seq, adm.DeliveryDuplicate, nil
	}
	if err != nil {
		return 0, "", err
	}
	if rc.Wait > 0 && !r.isAcked() {
		t := time.NewTimer(rc.Wait)
		select {
		case <-r.acked:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
	if r.isAcked() {
		return seq, adm.DeliveryAcked, nil
	}
	r.mu.Lock()
	delivered := r.delivered
	if !delivered && rc.Discard {
		r.discarded = true // from here on no connection of this node takes it
	}
	r.mu.Unlock()
	// The store outlives the sender's request: finish with it even if the
	// sender left.
	storeCtx := context.WithoutCancel(ctx)
	switch {
	case delivered:
		return seq, adm.DeliveryDelivered, nil
	case m.ExpiresAt.After(h.now()) && h.ackedElsewhere(storeCtx, id, seq):
		return seq, adm.DeliveryAcked, nil
	case !rc.Discard:
		return seq, adm.DeliveryQueued, nil
	}
	// Acking it on the device's behalf removes it, so no replay (on any
	// node) carries it.
	if err := h.store.Ack(storeCtx, id, seq); err != nil {
		return seq, "", fmt.Errorf("discard %s: %w", m.ID, err)
	}
	return seq, adm.DeliveryDiscarded, nil
}

// ackedElsewhere reports whether message seq of id left the store: acked
// on a connection of another node (or dropped by the store for a newer
// message with its consolidation key).
func (h *Hub) ackedElsewhere(ctx context.Context, id string, seq uint64) bool {
	pending, err := h.store.Pending(ctx, id, h.now())
	if err != nil {
		return false
	}
	return !slices.ContainsFunc(pending, func(p Message) bool { return p.Seq == seq })
}
