package server_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"

	"livingroom/device-push/hub"
	"livingroom/device-push/server"
	"livingroom/internal/adm"
	"livingroom/internal/push"
)

// downStore fails every Append while down is set, as a store that lost
// its NATS would.
type downStore struct {
	hub.Store
	down atomic.Bool
}

func (s *downStore) Append(ctx context.Context, id string, m hub.Message) (uint64, error) {
	if s.down.Load() {
		return 0, errors.New("nats: no responders available for request")
	}
	return s.Store.Append(ctx, id, m)
}

// A send the store cannot take is refused as temporary (503, Retry-After),
// not accepted, and the device gets nothing; once the store is back the
// same send goes through.
func TestSendWhileStoreIsDown(t *testing.T) {
	var store *downStore
	e := newEnvStore(t, server.Config{}, func(s hub.Store) hub.Store { store = &downStore{Store: s}; return store })
	tv := e.dial(t, "")
	token := e.token(t)
	store.down.Store(true)
	resp, err := http.DefaultClient.Do(e.sendRequest(t, token, tv.id, `{"data":{"a":"b"}}`))
	if err != nil {
		t.Fatal(err)
	}
	var body adm.ErrorBody
	decode(t, resp, http.StatusServiceUnavailable, &body)
	if resp.Header.Get("Retry-After") != "1" || body.Reason != "ServiceUnavailable" {
		t.Fatalf("store down: Retry-After %q, reason %q", resp.Header.Get("Retry-After"), body.Reason)
	}
	store.down.Store(false)
	id := e.send(t, token, tv.id, adm.Message{Data: map[string]string{"a": "c"}})
	if got := tv.nextMessages(t, 1); got[0] != id {
		t.Fatalf("after the store came back the TV got %v, want only %s", got, id)
	}
}

// detachStore holds each TouchRegistration until release is closed, and
// counts those whose context was cancelled meanwhile, as a store over the
// network would fail them.
type detachStore struct {
	hub.Store
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
	failed  atomic.Int32
	touched atomic.Int32
}

func (s *detachStore) TouchRegistration(ctx context.Context, r hub.Registration) error {
	if !s.armed.Load() {
		return s.Store.TouchRegistration(ctx, r)
	}
	s.entered <- struct{}{}
	select {
	case <-ctx.Done():
		s.failed.Add(1)
		return ctx.Err()
	case <-s.release:
	}
	s.touched.Add(1)
	return s.Store.TouchRegistration(ctx, r)
}

// A device that disconnects while device-push shuts down is still counted
// as seen: the touch on its way out is not cancelled by the shutdown.
func TestDetachDuringShutdownTouches(t *testing.T) {
	store := &detachStore{entered: make(chan struct{}, 1), release: make(chan struct{})}
	e := newEnvStore(t, server.Config{}, func(s hub.Store) hub.Store { store.Store = s; return store })
	tv := e.dial(t, "")
	store.armed.Store(true)
	tv.ws.Close()
	<-store.entered // the device's detach is under way
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	closed := make(chan error, 1)
	go func() { closed <- e.srv.Close(ctx) }()
	// Close cancels the server's life first, then waits for the device.
	// Wait for the first part: connects refused with 503. The probe has no
	// secret, so it is refused before any store call (and never touches).
	probeID, err := hub.NewRegistrationID(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	probe := http.Header{push.HeaderAppKey: {appKey}}
	for {
		if ctx.Err() != nil {
			t.Fatal("connects were never refused with 503 after Close began")
		}
		d, resp, err := e.dialWith(t, "registrationId="+probeID, probe, false)
		if d != nil {
			d.ws.Close()
		}
		if resp != nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if err != nil && resp != nil && resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		runtime.Gosched()
	}
	close(store.release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if store.failed.Load() != 0 || store.touched.Load() != 1 {
		t.Errorf("detach during shutdown: %d touches cancelled, %d made; want 0 and 1", store.failed.Load(), store.touched.Load())
	}
}
