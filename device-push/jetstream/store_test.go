package jetstream_test

import (
	"context"
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
