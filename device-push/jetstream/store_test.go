package jetstream_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"livingroom/device-push/hub"
	"livingroom/device-push/hub/hubtest"
	"livingroom/device-push/jetstream"
)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startServer runs an embedded server on dir ("" in memory) for the test.
func startServer(t *testing.T, cfg jetstream.EmbeddedConfig) *jetstream.Embedded {
	t.Helper()
	e, err := jetstream.StartEmbedded(cfg, discard())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown)
	return e
}

func connect(t *testing.T, e *jetstream.Embedded) *nats.Conn {
	t.Helper()
	nc, err := e.Connect(t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func open(t *testing.T, nc *nats.Conn, cfg jetstream.Config) *jetstream.Store {
	t.Helper()
	s, err := jetstream.Open(context.Background(), nc, cfg, discard())
	if err != nil {
		t.Fatal(err)
	}
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
