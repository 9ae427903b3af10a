package loadtest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The floor server must carry the device-push target's sends to its
// devices, or what it measures is not the same work.
func TestFloorCarriesSends(t *testing.T) {
	for _, store := range []string{"none", "memory", "files"} {
		t.Run(store, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				done <- RunFloor(ctx, FloorConfig{Listener: ln, Store: store, Dir: t.TempDir()}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			}()
			t.Cleanup(func() {
				cancel()
				if err := <-done; err != nil {
					t.Error(err)
				}
			})
			target, err := NewTarget("device-push", Options{"url": "http://" + ln.Addr().String()})
			if err != nil {
				t.Fatal(err)
			}
			dev := target.Device()
			const devices, perDevice = 3, 4
			conns := make([]*websocket.Conn, devices)
			for n := range conns {
				c, _, err := dev.Connect(ctx, websocket.DefaultDialer, n)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				conns[n] = c
			}
			sender, err := target.Sender(1)
			if err != nil {
				t.Fatal(err)
			}
			var seq uint64
			for range perDevice {
				for n := range conns {
					seq++
					if err := sender.Send(ctx, Message{Device: n, Seq: seq, SentAt: time.Now(), Size: 128}); err != nil {
						t.Fatal(err)
					}
				}
			}
			for n, c := range conns {
				var got []uint64
				for len(got) < perDevice {
					_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
					_, b, err := c.ReadMessage()
					if err != nil {
						t.Fatalf("device %d after %v: %v", n, got, err)
					}
					err = dev.Handle(n, b, func(d Delivery) { got = append(got, d.Seq) }, func(ack []byte) error {
						return c.WriteMessage(websocket.TextMessage, ack)
					})
					if err != nil {
						t.Fatal(err)
					}
				}
				for i, s := range got {
					if want := uint64(i*devices + n + 1); s != want {
						t.Errorf("device %d got %v, want seq %d at %d", n, got, want, i)
					}
				}
			}
		})
	}
}

func TestFloorRefusesUnknownStore(t *testing.T) {
	err := RunFloor(context.Background(), FloorConfig{Addr: "127.0.0.1:0", Store: "disk"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		t.Fatal("RunFloor accepted store \"disk\"")
	}
}
