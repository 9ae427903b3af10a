package hub

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"livingroom/internal/push"
)

// BenchmarkBacklogWrite measures a device's backlog of 100 message frames
// (about 200 B each, a replay after a reconnect or a burst) going out on a
// real websocket over loopback until the device has read them all: written
// one frame per websocket message, or coalesced by the write pump (frames
// one a line, as many as fit in 64 KB per message). Run with:
//
//	go test -run '^$' -bench BacklogWrite -benchtime 2000x ./device-push/hub/
func BenchmarkBacklogWrite(b *testing.B) {
	const backlog = 100
	frame := push.EncodeMessage(nil, push.Message{
		MessageID: "5f0c6a1e-6f7b-4f57-9d7f-3f2f0b8c1a2d",
		Data:      []byte(`{"type":"PLAY_CONTENT","id":"a-1","time":"2026-01-02T03:04:05Z","contentId":"ep-1","title":"Offred","positionMs":"90000"}`),
		MD5:       "Xvb142mSeo7pSjdDDASyeA==", SentAtMs: 1767323045000,
	})
	for _, bc := range []struct {
		name  string
		batch int
	}{{"one-write-per-frame", 0}, {"coalesced", maxBatchBytes}} {
		b.Run(bc.name, func(b *testing.B) {
			conns := make(chan *Conn, 1)
			upgrader := websocket.Upgrader{WriteBufferPool: nil}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ws, err := upgrader.Upgrade(w, r, nil)
				if err != nil {
					return
				}
				c := NewConn(ws, ConnConfig{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
				c.batchBytes = bc.batch
				conns <- c
				c.Run(ctx, func(push.Frame) {})
			}))
			defer ts.Close()
			ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http"), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer ws.Close()
			c := <-conns
			defer c.Close(DisconnectShutdown)

			messages := 0
			b.SetBytes(int64(backlog * len(frame)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				for range backlog {
					if !c.Send(frame) {
						b.Fatal("send queue full")
					}
				}
				for got := 0; got < backlog; {
					_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
					_, msg, err := ws.ReadMessage()
					if err != nil {
						b.Fatal(err)
					}
					messages++
					got += bytes.Count(msg, []byte{'\n'}) + 1
				}
			}
			b.ReportMetric(float64(messages)/float64(b.N), "wsmsgs/op")
		})
	}
}
