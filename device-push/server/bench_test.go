package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"livingroom/device-push/hub"
	"livingroom/internal/action"
	"livingroom/internal/adm"
	"livingroom/internal/admclient"
)

// BenchmarkSendToDevice measures one ADM send, from the sender's POST to the
// message frame read by a websocket device, over loopback with one device
// connection. The device acks every message, as a TV does. Run with:
//
//	go test -run '^$' -bench SendToDevice -benchtime 20000x ./device-push/server/
func BenchmarkSendToDevice(b *testing.B) {
	play := action.Action{
		ID: "5f0c6a1e-6f7b-4f57-9d7f-3f2f0b8c1a2d", Time: start, Type: action.PlayContent, PositionMs: 90_000,
		Content: &action.Content{ID: "ep-1", Title: "Offred", SeriesID: "s-1", SeriesTitle: "The Handmaid's Tale", Season: 1, Episode: 1, DurationMs: 3_400_000},
	}
	data := play.Encode()
	expiresAfter := 120
	body, err := json.Marshal(adm.Message{Data: data, MD5: adm.DataMD5(data), ExpiresAfter: &expiresAfter})
	if err != nil {
		b.Fatal(err)
	}

	// raw: a prepared request body, so the figure is device-push's alone.
	b.Run("raw", func(b *testing.B) {
		e := newEnv(b, hub.ConnConfig{})
		token := e.token(b)
		d := e.dial(b, "")
		client := e.ts.Client()
		benchSend(b, d, func() {
			resp, err := client.Do(e.sendRequest(b, token, d.id, string(body)))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		})
	})

	// admclient: the skill Lambda's path, encoding and checksum included.
	b.Run("admclient", func(b *testing.B) {
		e := newEnv(b, hub.ConnConfig{})
		d := e.dial(b, "")
		c := admclient.New(admclient.Config{BaseURL: e.ts.URL, ClientID: clientID, ClientSecret: clientSecret},
			e.ts.Client(), e.clk.Now)
		ctx := context.Background()
		n := 0
		benchSend(b, d, func() {
			// A new action each time: the action id is the send's
			// idempotency key, and a repeat would be answered as a duplicate
			// without reaching the device.
			n++
			a := play
			a.ID = fmt.Sprintf("5f0c6a1e-6f7b-4f57-9d7f-%012d", n)
			if err := c.Notify(ctx, d.id, a); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkNotifyWithReceipt measures the skill's send as it runs: admclient
// asking for a receipt (wait=250ms;discard), answered once the device acked
// (the device acks every message as soon as it reads it). ns/op is the whole
// round trip the skill waits for: POST, frame to the device, ack back, 200.
//
//	go test -run '^$' -bench NotifyWithReceipt -benchtime 5000x ./device-push/server/
func BenchmarkNotifyWithReceipt(b *testing.B) {
	e := newEnv(b, hub.ConnConfig{})
	d := e.dial(b, "")
	c := admclient.New(admclient.Config{BaseURL: e.ts.URL, ClientID: clientID, ClientSecret: clientSecret, ReceiptWait: 250 * time.Millisecond},
		e.ts.Client(), e.clk.Now)
	// The device's only writer from here on.
	stop := make(chan struct{})
	acking := make(chan struct{})
	go func() {
		defer close(acking)
		for {
			select {
			case f := <-d.frames:
				d.ack(b, f.MessageID)
			case <-stop:
				return
			}
		}
	}()
	defer func() { close(stop); <-acking }()
	pause := action.Action{ID: "5f0c6a1e-6f7b-4f57-9d7f-3f2f0b8c1a2d", Time: start, Type: action.Pause}
	ctx := context.Background()
	if err := c.Notify(ctx, d.id, pause); err != nil { // warm up: token, keep-alive connection
		b.Fatal(err)
	}
	n := 0
	var lat []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n++
		pause.ID = fmt.Sprintf("5f0c6a1e-6f7b-4f57-9d7f-%012d", n) // a repeat would be a duplicate
		t0 := time.Now()
		if err := c.Notify(ctx, d.id, pause); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Nanoseconds()) }
	b.ReportMetric(pct(0.50), "p50-ns")
	b.ReportMetric(pct(0.99), "p99-ns")
}

func benchSend(b *testing.B, d *device, send func()) {
	send() // warm up: token, keep-alive connection
	d.ack(b, d.next(b).MessageID)

	var lat []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		send()
		f := d.next(b)
		lat = append(lat, time.Since(t0))
		d.ack(b, f.MessageID)
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Nanoseconds()) }
	b.ReportMetric(pct(0.50), "p50-ns")
	b.ReportMetric(pct(0.99), "p99-ns")
}
