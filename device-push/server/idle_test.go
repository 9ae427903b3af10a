package server_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"livingroom/device-push/hub"
	"livingroom/internal/adm"
)

// corkConn holds what is written while corked and writes it in one go on
// uncork, so that several websocket frames reach the server in one read.
type corkConn struct {
	net.Conn
	mu     sync.Mutex
	corked bool
	held   []byte
}

func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.corked {
		c.held = append(c.held, p...)
		return len(p), nil
	}
	return c.Conn.Write(p)
}

func (c *corkConn) cork() {
	c.mu.Lock()
	c.corked = true
	c.mu.Unlock()
}

func (c *corkConn) uncork(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = false
	if _, err := c.Conn.Write(c.held); err != nil {
		t.Fatal(err)
	}
	c.held = nil
}

// Frames that reach the server together are all handled: the read pump
// does not wait for the socket while its buffer, or the socket beyond what
// the buffer took, holds frames (the idle wait of hub.Conn).
func TestFramesArrivingTogether(t *testing.T) {
	e := newEnv(t, hub.ConnConfig{})
	conns := make(chan *corkConn, 1)
	e.dialer = &websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		cc := &corkConn{Conn: c}
		conns <- cc
		return cc, nil
	}}
	token := e.token(t)
	d := e.dial(t, "")
	cc := <-conns
	for round := range 3 {
		var ids []string
		for range 20 { // their acks fill more than the server's read buffer
			ids = append(ids, e.send(t, token, d.id, adm.Message{Data: map[string]string{"round": string(rune('a' + round))}}))
		}
		if got := d.nextMessages(t, len(ids)); len(got) != len(ids) {
			t.Fatalf("got %d messages", len(got))
		}
		cc.cork()
		for _, id := range ids {
			d.ack(t, id)
		}
		if err := d.ws.WriteControl(websocket.PingMessage, []byte("together"), time.Now().Add(waitLimit)); err != nil {
			t.Fatal(err)
		}
		cc.uncork(t)
		waitPong(t, d, "together")
		if st := e.status(t, d.id); !st.Connected || st.Pending != 0 {
			t.Fatalf("round %d: after the acks: %+v", round, st)
		}
	}
}

func waitPong(t *testing.T, d *device, token string) {
	t.Helper()
	for {
		select {
		case got := <-d.pongs:
			if got == token {
				return
			}
		case <-time.After(waitLimit):
			t.Fatal("no pong")
		}
	}
}
