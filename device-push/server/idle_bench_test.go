package server_test

import (
	"bytes"
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"

	"livingroom/device-push/hub"
	"livingroom/internal/push"
)

// BenchmarkIdleConn measures what an idle device costs the server: Go heap
// and goroutine stacks in use per connected, registered websocket, and
// goroutines per connection. The devices are raw sockets that did the
// handshake and read their registered frame, so the client side adds only a
// socket each. Run with:
//
//	go test -run '^$' -bench IdleConn -benchtime 1x ./device-push/server/
func BenchmarkIdleConn(b *testing.B) {
	const n = 2000
	for b.Loop() {
		e := newEnv(b, hub.ConnConfig{})
		go func() { // more devices leave than the env's channel holds
			for range e.detached {
			}
		}()
		addr := strings.TrimPrefix(e.ts.URL, "http://")
		heap0, stack0 := memInUse()
		g0 := runtime.NumGoroutine()
		conns := make([]net.Conn, 0, n)
		buf := make([]byte, 4096)
		for range n {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, c)
			fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
				"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n%s: %s\r\n\r\n",
				push.ConnectPath, addr, push.HeaderAppKey, appKey)
			// The handshake answer, then the registered frame (unmasked JSON).
			var got []byte
			for {
				k, err := c.Read(buf)
				if err != nil {
					b.Fatal(err)
				}
				got = append(got, buf[:k]...)
				if i := bytes.Index(got, []byte("\r\n\r\n")); i >= 0 && bytes.Contains(got[i:], []byte(`"registered"`)) &&
					bytes.HasSuffix(got, []byte("}")) {
					break
				}
			}
		}
		heap1, stack1 := memInUse()
		b.ReportMetric(float64(heap1-heap0+stack1-stack0)/n, "B/conn")
		b.ReportMetric(float64(heap1-heap0)/n, "heap-B/conn")
		b.ReportMetric(float64(stack1-stack0)/n, "stack-B/conn")
		b.ReportMetric(float64(runtime.NumGoroutine()-g0)/n, "goroutines/conn")
		for _, c := range conns {
			c.Close()
		}
	}
}

// memInUse is the heap and the goroutine stacks in use after a full
// collection.
func memInUse() (heap, stack int64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapInuse), int64(ms.StackInuse)
}
