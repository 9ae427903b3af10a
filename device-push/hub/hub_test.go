package hub_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"livingroom/internal/clocktest"

	"livingroom/device-push/hub"
	"livingroom/device-push/hub/hubtest"
	"livingroom/internal/push"
)

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

const ttl = 24 * time.Hour

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newHub(t *testing.T, clk *clocktest.Clock, limit int) *hub.Hub {
	t.Helper()
	h := hub.New(hub.NewMemoryStore(limit, ttl, clk.Now), hub.Config{Now: clk.Now, RegistrationTTL: ttl}, discard())
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	must(t, h.Start(ctx))
	return h
}

// device is a registration and its secret.
type device struct{ id, secret string }

func register(t *testing.T, h *hub.Hub) device {
	t.Helper()
	id, secret, err := h.Register(context.Background())
	must(t, err)
	return device{id, secret}
}

func (d device) attach(t *testing.T, h *hub.Hub) *fakeTransport {
	t.Helper()
	tr := &fakeTransport{}
	must(t, h.Attach(context.Background(), d.id, d.secret, tr))
	return tr
}

func message(clk *clocktest.Clock, id, ck string, ttl time.Duration) hub.Message {
	now := clk.Now()
	return hub.Message{
		ID: id, Data: map[string]string{"n": id}, MD5: "md5-" + id, ConsolidationKey: ck,
		SentAt: now, ExpiresAt: now.Add(ttl),
	}
}

func send(t *testing.T, h *hub.Hub, id string, m hub.Message) {
	t.Helper()
	if _, err := h.Send(context.Background(), id, m); err != nil {
		t.Fatalf("send %s: %v", m.ID, err)
	}
}

func TestReplayOnAttach(t *testing.T) {
	type step struct {
		send    string // message id to send
		ck      string
		ttl     time.Duration
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
			clk := clocktest.New(start)
			h := newHub(t, clk, hubtest.Limit)
			d := register(t, h)
			first := d.attach(t, h)
			h.Detach(context.Background(), d.id, first)
			for _, s := range tt.steps {
				switch {
				case s.send != "":
					ttl := s.ttl
					if ttl == 0 {
						ttl = time.Hour
					}
					send(t, h, d.id, message(clk, s.send, s.ck, ttl))
				default:
					clk.Advance(s.advance)
				}
			}
			if got := first.ids(); !slices.Equal(got, []string{"registered:" + d.id}) {
				t.Errorf("detached transport got %v", got)
			}
			second := d.attach(t, h)
			want := append([]string{"registered:" + d.id}, tt.want...)
			if got := second.ids(); !slices.Equal(got, want) {
				t.Errorf("replay = %v, want %v", got, want)
			}
		})
	}
}

func TestNewDeviceGetsItsSecretOnce(t *testing.T) {
	clk := clocktest.New(start)
	h := newHub(t, clk, 0)
	tr := &fakeTransport{}
	id, err := h.AttachNew(context.Background(), tr)
	must(t, err)
	tr.mu.Lock()
	first := tr.frames[0]
	tr.mu.Unlock()
	if first.Type != push.TypeRegistered || first.RegistrationID != id || !hub.ValidSecret(first.Secret) {
		t.Fatalf("first frame = %+v", first)
	}
	h.Detach(context.Background(), id, tr)
	again := device{id, first.Secret}.attach(t, h)
	again.mu.Lock()
	defer again.mu.Unlock()
	if again.frames[0].Secret != "" {
		t.Error("a reconnect was sent the secret again")
	}
}

func TestAttachRefusals(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(start)
	h := newHub(t, clk, 0)
	owner := register(t, h)
	other := register(t, h)
	real := owner.attach(t, h)
	unknown, err := hub.NewRegistrationID(bytes.NewReader(make([]byte, 32)))
	must(t, err)

	tests := []struct {
		name       string
		id, secret string
		want       error
	}{
		{"wrong secret", owner.id, "x" + owner.secret[1:], hub.ErrForbidden},
		{"empty secret", owner.id, "", hub.ErrForbidden},
		{"another device's secret", owner.id, other.secret, hub.ErrForbidden},
		{"unknown id", unknown, owner.secret, hub.ErrUnregistered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			thief := &fakeTransport{}
			if err := h.Attach(ctx, tt.id, tt.secret, thief); !errors.Is(err, tt.want) {
				t.Fatalf("Attach = %v, want %v", err, tt.want)
			}
			if len(thief.ids()) != 0 {
				t.Errorf("refused transport got %v", thief.ids())
			}
		})
	}
	// The real TV kept its connection and gets its messages.
	send(t, h, owner.id, message(clk, "a", "", time.Hour))
	if d := real.closedWith(); d != nil {
		t.Errorf("real TV closed with %v", d)
	}
	if got := real.ids(); !slices.Equal(got, []string{"registered:" + owner.id, "a"}) {
		t.Errorf("real TV got %v", got)
	}
}

func TestRegistrationsExpireUnlessSeen(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(start)
	h := newHub(t, clk, 0)
	gone, kept := register(t, h), register(t, h)
	clk.Advance(ttl / 2)
	tr := kept.attach(t, h)
	h.Detach(ctx, kept.id, tr) // seen now: its TTL starts over
	clk.Advance(ttl/2 + time.Second)
	if err := h.Attach(ctx, gone.id, gone.secret, &fakeTransport{}); !errors.Is(err, hub.ErrUnregistered) {
		t.Errorf("Attach of an expired registration = %v, want ErrUnregistered", err)
	}
	if _, err := h.Send(ctx, gone.id, message(clk, "a", "", time.Hour)); !errors.Is(err, hub.ErrUnregistered) {
		t.Errorf("Send to an expired registration = %v, want ErrUnregistered", err)
	}
	kept.attach(t, h)
}

func TestLiveDeliveryAndRedelivery(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(start)
	h := newHub(t, clk, 0)
	d := register(t, h)
	tr := d.attach(t, h)
	m := message(clk, "a", "k", time.Hour)
	send(t, h, d.id, m)
	send(t, h, d.id, message(clk, "b", "", time.Hour))

	tr.mu.Lock()
	got := tr.frames[1]
	tr.mu.Unlock()
	want := push.Frame{
		Type: push.TypeMessage, MessageID: "a", Data: m.Data, MD5: m.MD5,
		ConsolidationKey: "k", SentAtMs: start.UnixMilli(),
	}
	if got.Type != want.Type || got.MessageID != want.MessageID || got.Data["n"] != "a" ||
		got.MD5 != want.MD5 || got.ConsolidationKey != want.ConsolidationKey || got.SentAtMs != want.SentAtMs {
		t.Errorf("frame = %+v, want %+v", got, want)
	}

	// An ack from another connection counts for nothing.
	must(t, h.Ack(ctx, d.id, &fakeTransport{}, "b"))
	// Only b is acked; a reconnect gets a again, and only a.
	must(t, h.Ack(ctx, d.id, tr, "b"))
	must(t, h.Ack(ctx, d.id, tr, "never-sent"))
	h.Detach(ctx, d.id, tr)
	again := d.attach(t, h)
	if ids := again.ids(); !slices.Equal(ids, []string{"registered:" + d.id, "a"}) {
		t.Errorf("redelivery = %v, want [registered a]", ids)
	}
}

func TestSendUnknownRegistration(t *testing.T) {
	h := newHub(t, clocktest.New(start), 0)
	const id = "amzn1.adm-registration.v3.test"
	_, err := h.Send(context.Background(), id, message(clocktest.New(start), "a", "", time.Hour))
	if !errors.Is(err, hub.ErrUnregistered) {
		t.Fatalf("Send = %v, want ErrUnregistered", err)
	}
	if _, err := h.Status(context.Background(), id); !errors.Is(err, hub.ErrUnregistered) {
		t.Fatalf("Status = %v, want ErrUnregistered", err)
	}
}

func TestSecondConnectionReplacesFirst(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(start)
	var detached []string
	h := hub.New(hub.NewMemoryStore(0, ttl, clk.Now), hub.Config{Now: clk.Now, OnDetach: func(id string) {
		detached = append(detached, id)
	}}, discard())
	must(t, h.Start(ctx))
	d := register(t, h)
	first := d.attach(t, h)
	second := d.attach(t, h)
	if c := first.closedWith(); c == nil || *c != hub.DisconnectReplaced {
		t.Fatalf("first closed with %v, want %v", c, hub.DisconnectReplaced)
	}
	// The first connection's late detach must not unhook the second.
	h.Detach(ctx, d.id, first)
	send(t, h, d.id, message(clk, "a", "", time.Hour))
	if ids := second.ids(); !slices.Equal(ids, []string{"registered:" + d.id, "a"}) {
		t.Errorf("second got %v", ids)
	}
	st, err := h.Status(ctx, d.id)
	must(t, err)
	if want := (hub.Status{RegistrationID: d.id, Connected: true, Pending: 1}); st != want {
		t.Errorf("status = %+v, want %+v", st, want)
	}
	if !slices.Equal(detached, []string{d.id}) {
		t.Errorf("OnDetach calls = %v", detached)
	}
}

func TestSlowDeviceIsDisconnectedAndKeepsItsMessages(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(start)
	h := newHub(t, clk, 0)
	d := register(t, h)
	tr := d.attach(t, h)
	tr.mu.Lock()
	tr.full = true
	tr.mu.Unlock()

	send(t, h, d.id, message(clk, "a", "", time.Hour))
	if c := tr.closedWith(); c == nil || *c != hub.DisconnectSlow {
		t.Fatalf("closed with %v, want %v", c, hub.DisconnectSlow)
	}
	st, err := h.Status(ctx, d.id)
	must(t, err)
	if want := (hub.Status{RegistrationID: d.id, Connected: false, Pending: 1}); st != want {
		t.Errorf("status = %+v, want %+v", st, want)
	}

	// A replay that does not fit is refused the same way.
	full := &fakeTransport{full: true}
	if err := h.Attach(ctx, d.id, d.secret, full); err == nil {
		t.Error("Attach on a full transport succeeded")
	}
	if c := full.closedWith(); c == nil || *c != hub.DisconnectSlow {
		t.Errorf("closed with %v, want %v", c, hub.DisconnectSlow)
	}
}

func TestCloseAll(t *testing.T) {
	h := newHub(t, clocktest.New(start), 0)
	var trs []*fakeTransport
	for range 3 {
		trs = append(trs, register(t, h).attach(t, h))
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
	clk := clocktest.New(start)
	h := newHub(t, clk, 1000)
	d := register(t, h)
	tr := d.attach(t, h)
	const senders, each = 8, 25
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				if _, err := h.Send(context.Background(), d.id, message(clk, fmt.Sprintf("%d-%d", s, i), "", time.Hour)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	live := tr.ids()[1:]
	h.Detach(context.Background(), d.id, tr)
	replay := d.attach(t, h)
	if got := replay.ids()[1:]; !slices.Equal(got, live) || len(live) != senders*each {
		t.Errorf("live order (%d) and replay order (%d) differ", len(live), len(got))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// ackRecorder records how the hub hands a device's acks to its store.
type ackRecorder struct {
	*hub.MemoryStore
	mu    sync.Mutex
	calls []string // "one:<seq>" or "through:<seq>"
}

func (r *ackRecorder) Ack(ctx context.Context, id string, seq uint64) error {
	r.mu.Lock()
	r.calls = append(r.calls, fmt.Sprint("one:", seq))
	r.mu.Unlock()
	return r.MemoryStore.Ack(ctx, id, seq)
}

func (r *ackRecorder) AckThrough(ctx context.Context, id string, seq, through uint64) error {
	r.mu.Lock()
	r.calls = append(r.calls, fmt.Sprint("through:", through))
	r.mu.Unlock()
	return r.MemoryStore.AckThrough(ctx, id, seq, through)
}

// Acks in order move the session's watermark (one cheap AckThrough each);
// an ack out of order removes its own message, and the watermark passes it
// once the older ones are acked. A reconnect replays exactly what was not
// acked.
func TestAcksMoveTheWatermark(t *testing.T) {
	tests := []struct {
		name   string
		sends  int
		acks   []int    // message numbers, 1-based; 0 is an id never sent
		want   []string // store calls, with message numbers for sequences
		replay []string
	}{
		{name: "in order", sends: 3, acks: []int{1, 2, 3},
			want: []string{"through:1", "through:2", "through:3"}, replay: nil},
		{name: "in order, last one missing", sends: 3, acks: []int{1, 2},
			want: []string{"through:1", "through:2"}, replay: []string{"3"}},
		{name: "out of order, then the gap closes", sends: 4, acks: []int{2, 3, 1},
			want: []string{"one:2", "one:3", "through:3"}, replay: []string{"4"}},
		{name: "gap left open", sends: 3, acks: []int{2, 3},
			want: []string{"one:2", "one:3"}, replay: []string{"1"}},
		{name: "repeated and unknown acks do nothing", sends: 2, acks: []int{1, 1, 0, 1},
			want: []string{"through:1"}, replay: []string{"2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			clk := clocktest.New(start)
			rec, h := startRecordingHub(t, clk, hubtest.Limit)
			d := register(t, h)
			tr := d.attach(t, h)
			number := map[uint64]int{}
			for i := 1; i <= tt.sends; i++ {
				seq, err := h.Send(ctx, d.id, message(clk, fmt.Sprint(i), "", time.Hour))
				must(t, err)
				number[seq] = i
			}
			for _, a := range tt.acks {
				id := fmt.Sprint(a)
				if a == 0 {
					id = "never-sent"
				}
				must(t, h.Ack(ctx, d.id, tr, id))
			}
			var got []string
			for _, c := range rec.calls {
				kind, seq, _ := strings.Cut(c, ":")
				n, _ := strconv.ParseUint(seq, 10, 64)
				got = append(got, fmt.Sprint(kind, ":", number[n]))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("store calls = %v, want %v", got, tt.want)
			}
			h.Detach(ctx, d.id, tr)
			again := d.attach(t, h)
			if ids := again.ids()[1:]; !slices.Equal(ids, tt.replay) {
				t.Errorf("replay = %v, want %v", ids, tt.replay)
			}
		})
	}
}

// startRecordingHub starts a hub, stopped with the test, on a memory store
// that keeps limit messages per device and records the acks it is given.
func startRecordingHub(t *testing.T, clk *clocktest.Clock, limit int) (*ackRecorder, *hub.Hub) {
	t.Helper()
	rec := &ackRecorder{MemoryStore: hub.NewMemoryStore(limit, ttl, clk.Now)}
	h := hub.New(rec, hub.Config{Now: clk.Now}, discard())
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	must(t, h.Start(ctx))
	return rec, h
}

// A message the session forgot unacked (more in flight than it remembers)
// holds the watermark below it: later acks remove their own messages, and a
// reconnect still replays the forgotten one.
func TestForgottenMessageHoldsTheWatermark(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(start)
	const n = 2*hub.DefaultPendingLimit + 1 // one more than a session remembers
	rec, h := startRecordingHub(t, clk, n)
	d := register(t, h)
	tr := d.attach(t, h)
	for i := 1; i <= n; i++ {
		_, err := h.Send(ctx, d.id, message(clk, fmt.Sprint(i), "", time.Hour))
		must(t, err)
	}
	for i := 2; i <= n; i++ {
		must(t, h.Ack(ctx, d.id, tr, fmt.Sprint(i)))
	}
	for _, c := range rec.calls {
		if strings.HasPrefix(c, "through:") {
			t.Fatalf("watermark moved past the forgotten message: %v", c)
		}
	}
	h.Detach(ctx, d.id, tr)
	again := d.attach(t, h)
	if ids := again.ids()[1:]; !slices.Equal(ids, []string{"1"}) {
		t.Errorf("replay = %v, want [1]", ids)
	}
}

// touchFailStore fails TouchRegistration while down is set.
type touchFailStore struct {
	hub.Store
	down atomic.Bool
}

func (s *touchFailStore) TouchRegistration(ctx context.Context, r hub.Registration) error {
	if s.down.Load() {
		return errors.New("nats: timeout")
	}
	return s.Store.TouchRegistration(ctx, r)
}

// A TV that stays connected for longer than the registration TTL keeps its
// registration: the hub touches it before half the TTL has passed, and a
// touch that failed is made on the next pass.
func TestConnectedDevicesKeepTheirRegistration(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(start)
	store := &touchFailStore{Store: hub.NewMemoryStore(0, ttl, clk.Now)}
	h := hub.New(store, hub.Config{Now: clk.Now, RegistrationTTL: ttl}, discard())
	must(t, h.Start(t.Context()))
	tv, off := register(t, h), register(t, h)
	tv.attach(t, h)
	steps := []struct {
		name      string
		advance   time.Duration
		storeDown bool
		touched   int
	}{
		{"a quarter TTL after connecting: not due", ttl / 4, false, 0},
		{"half a TTL after connecting: touched", ttl / 4, false, 1},
		{"just after the touch: not due", time.Minute, false, 0},
		{"half a TTL after the touch, store down: not touched", ttl/2 - time.Minute, true, 0},
		{"an eighth later, store back: touched", ttl / 8, false, 1},
		{"the pass after: not due", ttl / 8, false, 0},
	}
	for _, st := range steps {
		clk.Advance(st.advance)
		store.down.Store(st.storeDown)
		if got := h.RefreshRegistrations(ctx); got != st.touched {
			t.Errorf("%s: touched %d, want %d", st.name, got, st.touched)
		}
	}
	// 1.25 TTLs after it connected, the connected TV's registration lives;
	// the one of the TV that never connected is gone.
	if err := h.Attach(ctx, tv.id, tv.secret, &fakeTransport{}); err != nil {
		t.Errorf("reconnect of the TV that stayed connected: %v", err)
	}
	if err := h.Attach(ctx, off.id, off.secret, &fakeTransport{}); !errors.Is(err, hub.ErrUnregistered) {
		t.Errorf("attach of the TV that never connected = %v, want ErrUnregistered", err)
	}
}
