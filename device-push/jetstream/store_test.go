package jetstream_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"livingroom/device-push/hub"
	"livingroom/device-push/hub/hubtest"
	"livingroom/device-push/jetstream"
)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startServer runs an embedded server on dir ("" in memory) for the test.
func startServer(t testing.TB, cfg jetstream.EmbeddedConfig) *jetstream.Embedded {
	t.Helper()
	e, err := jetstream.StartEmbedded(cfg, discard())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown)
	return e
}

func connect(t testing.TB, e *jetstream.Embedded) *nats.Conn {
	t.Helper()
	nc, err := e.Connect(t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func open(t testing.TB, nc *nats.Conn, cfg jetstream.Config) *jetstream.Store {
	t.Helper()
	s, err := jetstream.Open(context.Background(), nc, cfg, discard())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestStoreContractOnFiles(t *testing.T) {
	hubtest.RunStoreSuite(t, func(t *testing.T, ttl time.Duration) hub.Store {
		e := startServer(t, jetstream.EmbeddedConfig{Dir: t.TempDir()})
		return open(t, connect(t, e), jetstream.Config{Limit: hubtest.Limit, RegistrationTTL: ttl})
	})
}

func TestStoreContractInMemory(t *testing.T) {
	hubtest.RunStoreSuite(t, func(t *testing.T, ttl time.Duration) hub.Store {
		e := startServer(t, jetstream.EmbeddedConfig{})
		return open(t, connect(t, e), jetstream.Config{Limit: hubtest.Limit, RegistrationTTL: ttl, Memory: true})
	})
}

// An embedded server nobody else reaches: appends feed subscribers directly.
func TestStoreContractExclusive(t *testing.T) {
	hubtest.RunStoreSuite(t, func(t *testing.T, ttl time.Duration) hub.Store {
		e := startServer(t, jetstream.EmbeddedConfig{Dir: t.TempDir()})
		return open(t, connect(t, e), jetstream.Config{Limit: hubtest.Limit, RegistrationTTL: ttl, Exclusive: true})
	})
}

// Concurrent touches of one registration (a device reconnecting while its
// old connection detaches) all succeed: only a gone key is unregistered.
func TestConcurrentTouches(t *testing.T) {
	e := startServer(t, jetstream.EmbeddedConfig{})
	s := open(t, connect(t, e), jetstream.Config{Memory: true})
	ctx := context.Background()
	r := hubtest.Reg("reg-a")
	if err := s.CreateRegistration(ctx, r); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error)
	const n = 20
	for range n {
		go func() { errs <- s.TouchRegistration(ctx, r) }()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("touch: %v", err)
		}
	}
}

// TestAppendLive: the append the hub uses for a device connected to its node
// stores, de-duplicates and feeds subscribers as Append does; only the
// registration read is skipped.
func TestAppendLive(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := startServer(t, jetstream.EmbeddedConfig{})
	s := open(t, connect(t, e), jetstream.Config{Limit: hubtest.Limit, Memory: true})
	if err := s.CreateRegistration(ctx, hubtest.Reg("live")); err != nil {
		t.Fatal(err)
	}
	fed := make(chan string, 4)
	if err := s.Subscribe(ctx, func(_ string, m hub.Message) { fed <- m.ID }); err != nil {
		t.Fatal(err)
	}
	m := hubtest.Msg("1", 0, time.Hour, "")
	m.IdempotencyKey = "k"
	for i, want := range []error{nil, hub.ErrDuplicate} {
		if _, err := s.AppendLive(ctx, "live", m); !errors.Is(err, want) {
			t.Fatalf("append %d: err = %v, want %v", i+1, err, want)
		}
	}
	select {
	case id := <-fed:
		if id != "1" {
			t.Errorf("fed %s", id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("subscriber got nothing")
	}
	// Read far in the past of hubtest's clock: nothing has expired.
	got, err := s.Pending(ctx, "live", m.SentAt)
	if err != nil || len(got) != 1 || got[0].ID != "1" {
		t.Errorf("pending = %v, %v; want message 1 once", got, err)
	}
}

// eventually polls cond until it holds or 10 s pass (JetStream stores a
// published watermark and runs purges on its own time).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Acked messages leave the stream by the background deleter, and the queued
// count never counts them.
func TestAckedMessagesAreDeleted(t *testing.T) {
	ctx := context.Background()
	e := startServer(t, jetstream.EmbeddedConfig{Dir: t.TempDir()})
	nc := connect(t, e)
	s := open(t, nc, jetstream.Config{Limit: 100})
	if err := s.CreateRegistration(ctx, hubtest.Reg("dev")); err != nil {
		t.Fatal(err)
	}
	const n = 32
	for i := range n {
		seq, err := s.Append(ctx, "dev", hubtest.Msg(fmt.Sprint(i), 0, time.Hour, ""))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AckThrough(ctx, "dev", seq, seq); err != nil {
			t.Fatal(err)
		}
	}
	js, err := natsjs.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.Stream(ctx, jetstream.DefaultStream)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "acked messages deleted", func() bool {
		info, err := stream.Info(ctx)
		return err == nil && info.State.Msgs == 0
	})
	if q := s.Queued(); q != 0 {
		t.Errorf("queued = %d, want 0", q)
	}
}

// A watermark published on one node hides the acked messages from another
// node's Pending (the device reconnected there).
func TestWatermarkSeenByAnotherNode(t *testing.T) {
	ctx := context.Background()
	e := startServer(t, jetstream.EmbeddedConfig{})
	a := open(t, connect(t, e), jetstream.Config{Limit: hubtest.Limit, Memory: true})
	b := open(t, connect(t, e), jetstream.Config{Limit: hubtest.Limit, Memory: true})
	if err := a.CreateRegistration(ctx, hubtest.Reg("dev")); err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for _, id := range []string{"1", "2", "3"} {
		seq, err := a.Append(ctx, "dev", hubtest.Msg(id, 0, time.Hour, ""))
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, seq)
	}
	if err := a.AckThrough(ctx, "dev", seqs[1], seqs[1]); err != nil {
		t.Fatal(err)
	}
	// Read in hubtest's clock: nothing has expired.
	at := hubtest.Msg("x", 0, 0, "").SentAt
	eventually(t, "node b sees the watermark", func() bool {
		got, err := b.Pending(ctx, "dev", at)
		return err == nil && len(got) == 1 && got[0].ID == "3"
	})
}

// A watermark written against an earlier incarnation of the message stream
// (deleted and created again: sequences start over) hides nothing.
func TestWatermarkOfAnEarlierStreamIgnored(t *testing.T) {
	ctx := context.Background()
	e := startServer(t, jetstream.EmbeddedConfig{})
	nc := connect(t, e)
	cfg := jetstream.Config{Limit: hubtest.Limit, Memory: true}
	first := open(t, nc, cfg)
	if err := first.CreateRegistration(ctx, hubtest.Reg("dev")); err != nil {
		t.Fatal(err)
	}
	if err := first.AckThrough(ctx, "dev", 1000, 1000); err != nil {
		t.Fatal(err)
	}
	js, err := natsjs.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	// The watermark is stored before the stream goes.
	eventually(t, "watermark stored", func() bool {
		st, err := js.Stream(ctx, jetstream.DefaultAckedStream)
		if err != nil {
			return false
		}
		info, err := st.Info(ctx)
		return err == nil && info.State.Msgs == 1
	})
	if err := js.DeleteStream(ctx, jetstream.DefaultStream); err != nil {
		t.Fatal(err)
	}
	again := open(t, nc, cfg)
	if _, err := again.Append(ctx, "dev", hubtest.Msg("1", 0, time.Hour, "")); err != nil {
		t.Fatal(err)
	}
	at := hubtest.Msg("x", 0, 0, "").SentAt
	got, err := again.Pending(ctx, "dev", at)
	if err != nil || len(got) != 1 || got[0].ID != "1" {
		t.Errorf("pending = %v, %v; want message 1", got, err)
	}
}
