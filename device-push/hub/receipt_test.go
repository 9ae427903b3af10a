package hub_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"livingroom/device-push/hub"
	"livingroom/internal/adm"
	"livingroom/internal/clocktest"
)

// laggingStore holds every append back from the subscribers until release,
// as a remote store's feed may lag behind its Append.
type laggingStore struct {
	*hub.MemoryStore
	mu      sync.Mutex
	held    []func()
	deliver func(string, hub.Message)
}

func (s *laggingStore) Subscribe(ctx context.Context, deliver func(string, hub.Message)) error {
	return s.MemoryStore.Subscribe(ctx, func(id string, m hub.Message) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.held = append(s.held, func() { deliver(id, m) })
	})
}

func (s *laggingStore) release() {
	s.mu.Lock()
	held := s.held
	s.held = nil
	s.mu.Unlock()
	for _, f := range held {
		f()
	}
}

// A message discarded for want of a connection is not forwarded when the
// store's feed brings it late, and is gone from the store.
func TestDiscardedMessageIsNeverForwarded(t *testing.T) {
	clk := clocktest.New(start)
	store := &laggingStore{MemoryStore: hub.NewMemoryStore(0, ttl, clk.Now)}
	h := hub.New(store, hub.Config{Now: clk.Now}, discard())
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	must(t, h.Start(ctx))
	d := register(t, h)
	tr := d.attach(t, h)

	_, got, err := h.SendWithReceipt(ctx, d.id, message(clk, "m1", "", time.Minute), adm.Receipt{Wait: time.Millisecond, Discard: true})
	if err != nil || got != adm.DeliveryDiscarded {
		t.Fatalf("receipt %q, %v; want %q", got, err, adm.DeliveryDiscarded)
	}
	_, got, err = h.SendWithReceipt(ctx, d.id, message(clk, "m2", "", time.Minute), adm.Receipt{})
	if err != nil || got != adm.DeliveryQueued {
		t.Fatalf("receipt %q, %v; want %q (the feed has not brought it)", got, err, adm.DeliveryQueued)
	}
	store.release()
	if ids, want := tr.ids(), []string{"registered:" + d.id, "m2"}; !slices.Equal(ids, want) {
		t.Errorf("device got %v, want %v", ids, want)
	}
	st, err := h.Status(ctx, d.id)
	if err != nil || st.Pending != 1 {
		t.Errorf("status %+v, %v; want only m2 pending", st, err)
	}
}

// A send without an id cannot be followed.
func TestReceiptNeedsAnID(t *testing.T) {
	clk := clocktest.New(start)
	h := newHub(t, clk, 0)
	d := register(t, h)
	if _, _, err := h.SendWithReceipt(context.Background(), d.id, message(clk, "", "", time.Minute), adm.Receipt{}); err == nil {
		t.Error("a message without id was accepted with a receipt")
	}
}

// A sender that asked for discard and left before its send was handled
// gets nothing stored.
func TestGoneSenderStoresNothing(t *testing.T) {
	clk := clocktest.New(start)
	h := newHub(t, clk, 0)
	d := register(t, h)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := h.SendWithReceipt(ctx, d.id, message(clk, "m1", "", time.Minute), adm.Receipt{Wait: time.Second, Discard: true}); err == nil {
		t.Fatal("a gone sender's message was taken")
	}
	if st, err := h.Status(context.Background(), d.id); err != nil || st.Pending != 0 {
		t.Errorf("status %+v, %v; want nothing pending", st, err)
	}
}
