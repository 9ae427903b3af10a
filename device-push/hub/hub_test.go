package hub_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"livingroom/internal/clocktest"

	"livingroom/device-push/hub"
	"livingroom/device-push/hub/hubtest"
	"livingroom/internal/push"
)

const reg = "amzn1.adm-registration.v3.test"

// fakeTransport records what the hub queues on it.
type fakeTransport struct {
	mu     sync.Mutex
	frames []push.Frame
	full   bool // refuse frames, like a device that stopped reading
	closed *hub.Disconnect
}

func (f *fakeTransport) Send(b []byte) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.full || f.closed != nil {
		return false
	}
	fr, err := push.Decode(b)
	if err != nil {
		panic(err) // the hub encoded a frame push cannot decode
	}
	f.frames = append(f.frames, fr)
	return true
}

func (f *fakeTransport) Close(d hub.Disconnect) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed == nil {
		f.closed = &d
	}
}

func (f *fakeTransport) ids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, fr := range f.frames {
		if fr.Type == push.TypeRegistered {
			ids = append(ids, "registered:"+fr.RegistrationID)
			continue
		}
		ids = append(ids, fr.MessageID)
	}
	return ids
}

func (f *fakeTransport) closedWith() *hub.Disconnect {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

var start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newHub(t *testing.T, clk *clocktest.Clock) (*hub.Hub, hub.Store) {
	t.Helper()
	store := hub.NewMemoryStore(hubtest.Limit)
	return hub.New(store, hub.Config{Now: clk.Now}, discard()), store
}

func message(clk *clocktest.Clock, id, ck string, ttl time.Duration) hub.Message {
	now := clk.Now()
	return hub.Message{
		ID: id, Data: map[string]string{"n": id}, MD5: "md5-" + id, ConsolidationKey: ck,
		SentAt: now, ExpiresAt: now.Add(ttl),
	}
}

func TestReplayOnAttach(t *testing.T) {
	type step struct {
		send    string // message id to send
		ck      string
		ttl     time.Duration
		ack     string
		advance time.Duration
	}
	tests := []struct {
		name  string
		steps []step // taken while the device is offline, after a first visit
		want  []string
	}{
		{name: "nothing pending", want: nil},
		{
			name:  "queued while offline, in order",
			steps: []step{{send: "a"}, {send: "b"}, {send: "c"}},
			want:  []string{"a", "b", "c"},
		},
		{
			name:  "acked ones are not replayed",
			steps: []step{{send: "a"}, {send: "b"}, {ack: "a"}},
			want:  []string{"b"},
		},
		{
			name:  "consolidation keeps the newest",
			steps: []step{{send: "a", ck: "k"}, {send: "b"}, {send: "c", ck: "k"}},
			want:  []string{"b", "c"},
		},
		{
			name: "expired ones are dropped",
			steps: []step{
				{send: "short", ttl: 10 * time.Second}, {send: "long", ttl: 100 * time.Second},
				{advance: 50 * time.Second},
			},
			want: []string{"long"},
		},
		{
			name: "bounded, oldest dropped",
			steps: []step{
				{send: "1"}, {send: "2"}, {send: "3"}, {send: "4"}, {send: "5"}, {send: "6"}, {send: "7"},
			},
			want: []string{"3", "4", "5", "6", "7"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			clk := clocktest.New(start)
			h, _ := newHub(t, clk)
			first := &fakeTransport{}
			if err := h.Attach(ctx, reg, first); err != nil {
				t.Fatal(err)
			}
			h.Detach(reg, first)
			for _, s := range tt.steps {
				switch {
				case s.send != "":
					ttl := s.ttl
					if ttl == 0 {
						ttl = time.Hour
					}
					if err := h.Send(ctx, reg, message(clk, s.send, s.ck, ttl)); err != nil {
						t.Fatalf("send %s: %v", s.send, err)
					}
				case s.ack != "":
					if err := h.Ack(ctx, reg, s.ack); err != nil {
						t.Fatalf("ack %s: %v", s.ack, err)
					}
				default:
					clk.Advance(s.advance)
				}
			}
			if got := first.ids(); !slices.Equal(got, []string{"registered:" + reg}) {
				t.Errorf("detached transport got %v", got)
			}
			second := &fakeTransport{}
			if err := h.Attach(ctx, reg, second); err != nil {
				t.Fatal(err)
			}
			want := append([]string{"registered:" + reg}, tt.want...)
			if got := second.ids(); !slices.Equal(got, want) {
				t.Errorf("replay = %v, want %v", got, want)
			}
		})
	}
}

func TestLiveDeliveryAndRedelivery(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(start)
	h, _ := newHub(t, clk)
	tr := &fakeTransport{}
	must(t, h.Attach(ctx, reg, tr))
	m := message(clk, "a", "k", time.Hour)
	must(t, h.Send(ctx, reg, m))
	must(t, h.Send(ctx, reg, message(clk, "b", "", time.Hour)))

	tr.mu.Lock()
	got := tr.frames[1]
	tr.mu.Unlock()
	want := push.Frame{
		Type: push.TypeMessage, MessageID: "a", Data: m.Data, MD5: m.MD5,
		ConsolidationKey: "k", SentAtMs: start.UnixMilli(),
	}
	if got.Type != want.Type || got.MessageID != want.MessageID || !maps.Equal(got.Data, want.Data) ||
		got.MD5 != want.MD5 || got.ConsolidationKey != want.ConsolidationKey || got.SentAtMs != want.SentAtMs {
		t.Errorf("frame = %+v, want %+v", got, want)
	}

	// Only b is acked; a reconnect gets a again, and only a.
	must(t, h.Ack(ctx, reg, "b"))
	h.Detach(reg, tr)
	again := &fakeTransport{}
	must(t, h.Attach(ctx, reg, again))
	if ids := again.ids(); !slices.Equal(ids, []string{"registered:" + reg, "a"}) {
		t.Errorf("redelivery = %v, want [registered a]", ids)
	}
}

func TestSendUnknownRegistration(t *testing.T) {
	h, _ := newHub(t, clocktest.New(start))
	err := h.Send(context.Background(), reg, message(clocktest.New(start), "a", "", time.Hour))
	if !errors.Is(err, hub.ErrUnregistered) {
		t.Fatalf("Send = %v, want ErrUnregistered", err)
	}
	if _, err := h.Status(context.Background(), reg); !errors.Is(err, hub.ErrUnregistered) {
		t.Fatalf("Status = %v, want ErrUnregistered", err)
	}
}

func TestSecondConnectionReplacesFirst(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(start)
	var detached []string
	h := hub.New(hub.NewMemoryStore(0), hub.Config{Now: clk.Now, OnDetach: func(id string) {
		detached = append(detached, id)
	}}, discard())
	first, second := &fakeTransport{}, &fakeTransport{}
	must(t, h.Attach(ctx, reg, first))
	must(t, h.Attach(ctx, reg, second))
	if d := first.closedWith(); d == nil || *d != hub.DisconnectReplaced {
		t.Fatalf("first closed with %v, want %v", d, hub.DisconnectReplaced)
	}
	// The first connection's late detach must not unhook the second.
	h.Detach(reg, first)
	must(t, h.Send(ctx, reg, message(clk, "a", "", time.Hour)))
	if ids := second.ids(); !slices.Equal(ids, []string{"registered:" + reg, "a"}) {
		t.Errorf("second got %v", ids)
	}
	st, err := h.Status(ctx, reg)
	must(t, err)
	if want := (hub.Status{RegistrationID: reg, Connected: true, Pending: 1}); st != want {
		t.Errorf("status = %+v, want %+v", st, want)
	}
	if !slices.Equal(detached, []string{reg}) {
		t.Errorf("OnDetach calls = %v", detached)
	}
}

func TestSlowDeviceIsDisconnectedAndKeepsItsMessages(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(start)
	h, _ := newHub(t, clk)
	tr := &fakeTransport{}
	must(t, h.Attach(ctx, reg, tr))
	tr.mu.Lock()
	tr.full = true
	tr.mu.Unlock()

	must(t, h.Send(ctx, reg, message(clk, "a", "", time.Hour)))
	if d := tr.closedWith(); d == nil || *d != hub.DisconnectSlow {
		t.Fatalf("closed with %v, want %v", d, hub.DisconnectSlow)
	}
	st, err := h.Status(ctx, reg)
	must(t, err)
	if want := (hub.Status{RegistrationID: reg, Connected: false, Pending: 1}); st != want {
		t.Errorf("status = %+v, want %+v", st, want)
	}

	// A replay that does not fit is refused the same way.
	full := &fakeTransport{full: true}
	if err := h.Attach(ctx, reg, full); err == nil {
		t.Error("Attach on a full transport succeeded")
	}
	if d := full.closedWith(); d == nil || *d != hub.DisconnectSlow {
		t.Errorf("closed with %v, want %v", d, hub.DisconnectSlow)
	}
}

func TestCloseAll(t *testing.T) {
	ctx := context.Background()
	h, _ := newHub(t, clocktest.New(start))
	trs := []*fakeTransport{{}, {}, {}}
	for i, tr := range trs {
		must(t, h.Attach(ctx, fmt.Sprint(reg, i), tr))
	}
	h.CloseAll(hub.DisconnectShutdown)
	for i, tr := range trs {
		if d := tr.closedWith(); d == nil || *d != hub.DisconnectShutdown {
			t.Errorf("transport %d closed with %v", i, d)
		}
	}
}

// Concurrent senders may interleave, but the device sees exactly the order
// the store keeps, so a replay never contradicts live delivery.
func TestConcurrentSendsKeepOneOrder(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(start)
	h := hub.New(hub.NewMemoryStore(1000), hub.Config{Now: clk.Now}, discard())
	tr := &fakeTransport{}
	must(t, h.Attach(ctx, reg, tr))
	const senders, each = 8, 25
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				if err := h.Send(ctx, reg, message(clk, fmt.Sprintf("%d-%d", s, i), "", time.Hour)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	live := tr.ids()[1:]
	h.Detach(reg, tr)
	replay := &fakeTransport{}
	must(t, h.Attach(ctx, reg, replay))
	if got := replay.ids()[1:]; !slices.Equal(got, live) || len(live) != senders*each {
		t.Errorf("live order (%d) and replay order (%d) differ", len(live), len(got))
	}
}

// blockingStore holds Register until released, to pin a shard lock.
type blockingStore struct {
	hub.Store
	entered, release chan struct{}
}

func (b blockingStore) Register(ctx context.Context, id string) error {
	b.entered <- struct{}{}
	<-b.release
	return b.Store.Register(ctx, id)
}

func TestWaitingForARegistrationHonoursContext(t *testing.T) {
	store := blockingStore{Store: hub.NewMemoryStore(0), entered: make(chan struct{}), release: make(chan struct{})}
	h := hub.New(store, hub.Config{Now: clocktest.New(start).Now}, discard())
	attached := make(chan error)
	go func() { attached <- h.Attach(context.Background(), reg, &fakeTransport{}) }()
	<-store.entered // the first Attach now holds the registration's lock

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.Send(ctx, reg, message(clocktest.New(start), "a", "", time.Hour)); !errors.Is(err, context.Canceled) {
		t.Errorf("Send while locked = %v, want context.Canceled", err)
	}
	close(store.release)
	must(t, <-attached)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
