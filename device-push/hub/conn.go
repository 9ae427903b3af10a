package hub

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"livingroom/internal/push"
)

// ConnConfig tunes a websocket connection. Zero fields take the defaults.
type ConnConfig struct {
	WriteWait     time.Duration // deadline of every write (10 s)
	PongWait      time.Duration // a device silent this long is gone (45 s)
	PingPeriod    time.Duration // must be below PongWait (30 s)
	MaxFrameBytes int64         // read limit; devices only send acks (4 KB)
	SendQueue     int           // frames queued before the device counts as slow (256)
}

// DefaultSendQueue leaves room for a full replay (DefaultPendingLimit plus
// the registered frame) with live traffic on top.
const DefaultSendQueue = 256

func (c ConnConfig) withDefaults() ConnConfig {
	if c.WriteWait <= 0 {
		c.WriteWait = 10 * time.Second
	}
	if c.PongWait <= 0 {
		c.PongWait = 45 * time.Second
	}
	if c.PingPeriod <= 0 || c.PingPeriod >= c.PongWait {
		c.PingPeriod = c.PongWait * 2 / 3
	}
	if c.MaxFrameBytes <= 0 {
		c.MaxFrameBytes = 4096
	}
	if c.SendQueue <= 0 {
		c.SendQueue = DefaultSendQueue
	}
	return c
}

// Conn is a device's websocket as a Transport. Following gorilla's rule of
// one reader and one writer, only the read pump reads and only the write
// pump writes; everyone else talks to it through the send queue and Close.
type Conn struct {
	ws     *websocket.Conn
	cfg    ConnConfig
	logger *slog.Logger

	send chan []byte
	stop chan struct{} // closed by Close; send is never closed, so Send cannot panic
	// batchBytes bounds one coalesced websocket message (maxBatchBytes; a
	// benchmark sets 0 to write one frame per message, as a baseline).
	batchBytes int

	closeOnce sync.Once
	why       Disconnect // set once, before stop is closed
}

// NewConn wraps an upgraded websocket. Call Run to start it.
func NewConn(ws *websocket.Conn, cfg ConnConfig, logger *slog.Logger) *Conn {
	cfg = cfg.withDefaults()
	return &Conn{
		ws:     ws,
		cfg:    cfg,
		logger: logger,
		send:   make(chan []byte, cfg.SendQueue),
		stop:   make(chan struct{}),

		batchBytes: maxBatchBytes,
	}
}

// Send implements Transport.
func (c *Conn) Send(frame []byte) bool {
	select {
	case <-c.stop:
		return false
	default:
	}
	select {
	case c.send <- frame:
		return true
	default:
		return false
	}
}

// Close implements Transport.
func (c *Conn) Close(d Disconnect) {
	c.closeOnce.Do(func() {
		c.why = d
		close(c.stop)
	})
}

// Run pumps frames until the connection ends: when the device goes away or
// stops answering pings, when Close is called, or when ctx ends (which says
// DisconnectShutdown). Frames the device sends are passed to onFrame, one at
// a time, in order. Run returns once both pumps have stopped and the socket
// is closed.
func (c *Conn) Run(ctx context.Context, onFrame func(push.Frame)) {
	written := make(chan struct{})
	go func() {
		defer close(written)
		c.writePump(ctx)
	}()
	c.readPump(onFrame)
	<-written
}

func (c *Conn) readPump(onFrame func(push.Frame)) {
	// Whatever ends reading ends the connection; the write pump then
	// returns. A read error means the peer is gone: no close frame.
	defer c.Close(Disconnect{})

	c.ws.SetReadLimit(c.cfg.MaxFrameBytes)
	alive := func() error { return c.ws.SetReadDeadline(time.Now().Add(c.cfg.PongWait)) }
	if err := alive(); err != nil {
		return
	}
	c.ws.SetPongHandler(func(string) error { return alive() })
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) &&
				!errors.Is(err, websocket.ErrCloseSent) {
				c.logger.Debug("websocket read ended", "err", err)
			}
			return
		}
		// Any frame proves the device is alive, not only a pong.
		if err := alive(); err != nil {
			return
		}
		f, err := push.Decode(b)
		if err != nil {
			c.logger.Debug("dropping undecodable frame", "err", err)
			continue
		}
		onFrame(f)
	}
}

func (c *Conn) writePump(ctx context.Context) {
	ticker := time.NewTicker(c.cfg.PingPeriod)
	defer func() {
		ticker.Stop()
		// Closing the socket also unblocks the read pump.
		c.ws.Close()
	}()
	write := func(kind int, b []byte) error {
		if err := c.ws.SetWriteDeadline(time.Now().Add(c.cfg.WriteWait)); err != nil {
			return err
		}
		return c.ws.WriteMessage(kind, b)
	}
	for {
		select {
		case f := <-c.send:
			if err := c.writeBatch(f); err != nil {
				c.logger.Debug("websocket write failed", "err", err)
				return
			}
		case <-ticker.C:
			if err := write(websocket.PingMessage, nil); err != nil {
				c.logger.Debug("websocket ping failed", "err", err)
				return
			}
		case <-ctx.Done():
			c.Close(DisconnectShutdown)
			c.flush(write)
			c.sayGoodbye(write)
			return
		case <-c.stop:
			c.flush(write)
			c.sayGoodbye(write)
			return
		}
	}
}

// flush writes what is queued before a shutdown's close frame, so a drain
// delivers what the hub handed over (the device acks it and does not get it
// again); the first failed write ends it. Other closes drop the queue: the
// messages stay pending and are replayed.
func (c *Conn) flush(write func(int, []byte) error) {
	if c.why != DisconnectShutdown {
		return
	}
	for {
		select {
		case f := <-c.send:
			if err := write(websocket.TextMessage, f); err != nil {
				return
			}
		default:
			return
		}
	}
}

// sayGoodbye sends the close frame for the reason given to Close, if any.
// It does not wait for the device's reply: the socket closes right after.
func (c *Conn) sayGoodbye(write func(int, []byte) error) {
	if c.why.Code == 0 {
		return
	}
	msg := websocket.FormatCloseMessage(c.why.Code, c.why.Reason)
	if err := write(websocket.CloseMessage, msg); err != nil {
		c.logger.Debug("websocket close frame failed", "err", err)
	}
}

// maxBatchBytes bounds one websocket message made of queued frames.
const maxBatchBytes = 64 << 10

// writeBatch writes first and whatever else is queued (a backlog, a burst)
// as one websocket message, frames separated by newlines: one write and one
// syscall instead of one per frame.
func (c *Conn) writeBatch(first []byte) error {
	if err := c.ws.SetWriteDeadline(time.Now().Add(c.cfg.WriteWait)); err != nil {
		return err
	}
	w, err := c.ws.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	if _, err := w.Write(first); err != nil {
		return err
	}
	for size := len(first); size < c.batchBytes; {
		var f []byte
		select {
		case f = <-c.send:
		default:
			return w.Close()
		}
		size += len(f) + 1
		if _, err := w.Write(newline); err != nil {
			return err
		}
		if _, err := w.Write(f); err != nil {
			return err
		}
	}
	return w.Close()
}

var newline = []byte{'\n'}
