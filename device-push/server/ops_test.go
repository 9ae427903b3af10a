package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"livingroom/device-push/metrics"
	"livingroom/device-push/server"
)

func TestReadyzAndMetrics(t *testing.T) {
	m := metrics.New()
	e := newEnvConfig(t, server.Config{Sends: m, Metrics: m.Handler()}, m)
	m.Watch(e.hub)
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(e.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/readyz"); code != http.StatusOK || !strings.Contains(body, "ready") {
		t.Fatalf("/readyz = %d %s", code, body)
	}
	d := e.dial(t, "")
	token := e.token(t)
	resp, err := http.DefaultClient.Do(e.sendRequest(t, token, d.id, `{"data":{"a":"1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	d.next(t)
	resp = e.sendReceipt(t, token, d.id, "wait=0", `{"data":{"b":"2"}}`)
	resp.Body.Close()
	d.next(t)
	resp, err = http.DefaultClient.Do(e.sendRequest(t, token, d.id, `{"data":{"a":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	code, body := get("/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{
		`devicepush_sends_total{result="accepted"} 2`,
		`devicepush_receipts_total{delivery="delivered"} 1`,
		`devicepush_sends_total{result="InvalidData"} 1`,
		"devicepush_connections 1",
		"devicepush_queued_messages 2", // not acked yet
		"devicepush_delivery_latency_seconds_count 2",
		"devicepush_slow_disconnects_total 0",
		"devicepush_store_up 1",
		"process_resident_memory_bytes",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// Draining: not ready any more, while still alive.
	if err := e.srv.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if code, _ := get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz while draining = %d, want 503", code)
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz while draining = %d, want 200", code)
	}
}
