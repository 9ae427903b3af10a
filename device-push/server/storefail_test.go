package server_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"livingroom/device-push/hub"
	"livingroom/device-push/server"
	"livingroom/internal/adm"
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
