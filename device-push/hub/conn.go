package hub

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"syscall"
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
// one reader and one writer, only the read pump reads and only one writer at
// a time writes; everyone else talks to it through the send queue and Close.
//
// An idle connection holds as little as possible (issue 7: memory per idle
// device): the read pump's goroutine, a ping timer and the socket. There is
// no writer goroutine while nothing is to be written: Send, the ping timer
// and Close start one, which writes what is queued and exits; the queue is
// allocated when a frame waits and dropped once written.
type Conn struct {
	ws     *websocket.Conn
	cfg    ConnConfig
	logger *slog.Logger
	id     string // registration, in the debug logs (LogAs)
	ping   *time.Timer

	mu      sync.Mutex
	running bool     // Run was called: until then frames only queue
	queue   [][]byte // frames waiting for the writer, at most cfg.SendQueue
	writing bool     // a writer runs; it exits only with the queue empty
	pingDue bool
	closed  bool       // by Close; nothing more is queued
	why     Disconnect // set once, with closed
	gone    bool       // the socket is closed: the last writer finished

	finished chan struct{} // closed with gone

	// idle, when set, is the buffered reader the websocket reads from and
	// its socket: the read pump waits for the device's next frame with a
	// shallow stack (see IdleReader).
	idle *idleReader

	onFrame   func(push.Frame)
	onEnd     func()
	stopWatch func() bool

	// batchBytes bounds one coalesced websocket message (maxBatchBytes; a
	// benchmark sets 0 to write one frame per message, as a baseline).
	batchBytes int
}

// NewConn wraps an upgraded websocket. Call Run to start it.
func NewConn(ws *websocket.Conn, cfg ConnConfig, logger *slog.Logger) *Conn {
	return &Conn{ws: ws, cfg: cfg.withDefaults(), logger: logger, finished: make(chan struct{}), batchBytes: maxBatchBytes}
}

// LogAs names the registration in c's logs; call it before Start. (A
// logger with the attribute would cost each idle connection a handler.)
func (c *Conn) LogAs(registrationID string) { c.id = registrationID }

func (c *Conn) debug(msg string, args ...any) {
	if c.logger.Enabled(context.Background(), slog.LevelDebug) {
		c.logger.Debug(msg, append(args, "registrationId", c.id)...)
	}
}

// Send implements Transport.
func (c *Conn) Send(frame []byte) bool {
	c.mu.Lock()
	if c.closed || len(c.queue) >= c.cfg.SendQueue {
		c.mu.Unlock()
		return false
	}
	c.queue = append(c.queue, frame)
	start := c.claimWriter()
	c.mu.Unlock()
	if start {
		go c.write()
	}
	return true
}

// Close implements Transport.
func (c *Conn) Close(d Disconnect) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed, c.why = true, d
	start := c.claimWriter()
	c.mu.Unlock()
	if start {
		go c.write()
	}
}

// claimWriter says whether the caller must start the writer: there is
// work and none runs. c.mu is held.
func (c *Conn) claimWriter() bool {
	if !c.running || c.writing || c.gone {
		return false
	}
	c.writing = true
	return true
}

// pingNow is the ping timer's: the writer sends a ping, on this goroutine
// when none runs.
func (c *Conn) pingNow() {
	c.mu.Lock()
	c.pingDue = true
	start := c.claimWriter()
	c.mu.Unlock()
	if start {
		c.write()
	}
}

// Run pumps frames until the connection ends: when the device goes away or
// stops answering pings, when Close is called, or when ctx ends (which says
// DisconnectShutdown). Frames the device sends are passed to onFrame, one at
// a time, in order. Run returns once reading and writing have stopped and
// the socket is closed.
func (c *Conn) Run(ctx context.Context, onFrame func(push.Frame)) {
	ended := make(chan struct{})
	c.Start(ctx, onFrame, func() { close(ended) })
	<-ended
}

// Start is Run without waiting: it returns at once, and onEnd is called
// (on the read pump's goroutine) once the connection has ended as Run
// returns. With IdleReader, no goroutine of the connection stays parked
// with a deep stack.
func (c *Conn) Start(ctx context.Context, onFrame func(push.Frame), onEnd func()) {
	c.onFrame, c.onEnd = onFrame, onEnd
	c.stopWatch = context.AfterFunc(ctx, func() { c.Close(DisconnectShutdown) })
	c.mu.Lock()
	c.running = true
	if !c.closed {
		// The first ping comes at a random point of the second half of the
		// period, so devices that connected together (a reconnect storm)
		// are not all pinged, and do not all answer, in one wave.
		c.ping = time.AfterFunc(c.cfg.PingPeriod/2+rand.N(c.cfg.PingPeriod/2+1), c.pingNow)
	}
	start := (len(c.queue) > 0 || c.closed) && c.claimWriter()
	c.mu.Unlock()
	if start {
		go c.write()
	}
	c.ws.SetReadLimit(c.cfg.MaxFrameBytes)
	c.ws.SetPongHandler(func(string) error { return c.alive() })
	if err := c.alive(); err != nil {
		go c.end()
		return
	}
	go c.read()
}

// alive moves the read deadline: the device answered.
func (c *Conn) alive() error { return c.ws.SetReadDeadline(time.Now().Add(c.cfg.PongWait)) }

// read is the read pump. With an idle reader it first waits for the
// device's next frame in a shallow call, reads what is buffered, then hands
// the waiting over to a fresh goroutine and returns, so the goroutine that
// waits never grew its stack.
func (c *Conn) read() {
	if c.idle != nil {
		for {
			if err := c.idle.wait(); err != nil {
				c.debug("websocket read ended", "err", err)
				c.end()
				return
			}
			// A pong (what an idle device sends) is taken here: inside
			// the websocket reader the goroutine would go on waiting for
			// the next data frame deep in its stack, and every idle
			// connection would hold a grown stack after the first ping.
			if !c.idle.skipPong() {
				break
			}
			if err := c.alive(); err != nil {
				c.end()
				return
			}
		}
	}
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) &&
				!errors.Is(err, websocket.ErrCloseSent) {
				c.debug("websocket read ended", "err", err)
			}
			c.end()
			return
		}
		// Any frame proves the device is alive, not only a pong.
		if err := c.alive(); err != nil {
			c.end()
			return
		}
		if id, ok := push.DecodeAck(b); ok {
			c.onFrame(push.Frame{Type: push.TypeAck, MessageID: id})
		} else if f, err := push.Decode(b); err != nil {
			c.debug("dropping undecodable frame", "err", err)
		} else {
			c.onFrame(f)
		}
		if c.idle != nil && c.idle.br.Buffered() == 0 {
			go c.read()
			return
		}
	}
}

// end ends the connection once reading stopped: whatever ends reading ends
// the connection (a read error means the peer is gone: no close frame); the
// writer closes the socket, then onEnd is told.
func (c *Conn) end() {
	c.Close(Disconnect{})
	<-c.finished
	c.stopWatch()
	c.onEnd()
}

// IdleReader tells c the buffered reader its websocket reads from (the
// upgrade's, see the server), so that while it is empty the read pump waits
// for the socket to become readable in a shallow call instead of deep in the
// websocket reader: an idle device's goroutine then fits the smallest stack.
// Without it, or when the socket has no raw access, the pump just reads.
func (c *Conn) IdleReader(br *bufio.Reader) {
	if !canPeekSocket {
		return
	}
	sc, ok := c.ws.NetConn().(syscall.Conn)
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	c.idle = &idleReader{br: br, raw: raw}
}

type idleReader struct {
	br  *bufio.Reader
	raw syscall.RawConn
}

// Websocket frame bits (RFC 6455 section 5.2) for skipPong.
const (
	wsFinPong    = 0x8A // FIN set, opcode 0xA (pong)
	wsMasked     = 0x80 // frames from a client are masked
	wsMaxControl = 125  // a control frame's payload limit
	wsMaskKey    = 4
)

// skipPong takes a whole pong frame from the head of the buffered reader
// and reports whether it did. Anything else (another frame, a pong not yet
// all in, an unmasked or oversized one, a read error) is left for the
// websocket reader, which handles and reports it as it always does. It is
// called only at a frame boundary: between messages, where the websocket
// reader expects a frame header.
func (r *idleReader) skipPong() bool {
	h, err := r.br.Peek(2)
	if err != nil || h[0] != wsFinPong || h[1]&wsMasked == 0 {
		return false
	}
	n := int(h[1] &^ wsMasked)
	size := 2 + wsMaskKey + n
	if n > wsMaxControl || r.br.Buffered() < size {
		return false
	}
	_, err = r.br.Discard(size)
	return err == nil
}

// wait returns once the socket may be read: at once when bytes are
// buffered or waiting in the socket, else when the socket becomes readable
// (or its read deadline passed, or it closed: an error).
//
//go:noinline
func (r *idleReader) wait() error {
	if r.br.Buffered() > 0 {
		return nil
	}
	// The socket may hold bytes the buffer did not take (it fills at most
	// its size): look before parking, since the poller only wakes on new
	// ones.
	return r.raw.Read(socketHasData)
}

// write is the writer: it writes what is queued, and a due ping, until
// nothing is left, then exits. Once the connection is closed it writes
// the goodbye and closes the socket. Only one runs at a time.
func (c *Conn) write() {
	for {
		c.mu.Lock()
		batch, ping, closed := c.queue, c.pingDue, c.closed
		c.queue, c.pingDue = nil, false
		if !closed && len(batch) == 0 && !ping {
			c.writing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		if closed {
			c.finish(batch)
			return
		}
		if ping {
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.cfg.WriteWait)); err != nil {
				c.debug("websocket ping failed", "err", err)
				c.fail()
				continue
			}
			c.ping.Reset(c.cfg.PingPeriod)
		}
		for len(batch) > 0 {
			var err error
			if batch, err = c.writeBatch(batch); err != nil {
				c.debug("websocket write failed", "err", err)
				c.fail()
				break
			}
		}
	}
}

// fail ends the connection after a failed write: no close frame.
func (c *Conn) fail() {
	c.mu.Lock()
	if !c.closed {
		c.closed, c.why = true, Disconnect{}
	}
	c.mu.Unlock()
}

// finish ends the connection: on a shutdown it first writes what is queued,
// so a drain delivers what the hub handed over (the device acks it and does
// not get it again); other closes drop the queue (the messages stay pending
// and are replayed). Then the close frame for the reason given to Close, if
// any, without waiting for the device's reply, and the socket closes, which
// also ends a read pump waiting for the device.
func (c *Conn) finish(batch [][]byte) {
	c.mu.Lock()
	if c.ping != nil {
		c.ping.Stop()
	}
	batch = append(batch, c.queue...)
	c.queue = nil
	why := c.why
	c.mu.Unlock()
	if why == DisconnectShutdown {
		for len(batch) > 0 {
			var err error
			if batch, err = c.writeBatch(batch); err != nil {
				break
			}
		}
	}
	if why.Code != 0 {
		msg := websocket.FormatCloseMessage(why.Code, why.Reason)
		if err := c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(c.cfg.WriteWait)); err != nil {
			c.debug("websocket close frame failed", "err", err)
		}
	}
	c.ws.Close()
	c.mu.Lock()
	c.gone = true
	c.mu.Unlock()
	close(c.finished)
}

// maxBatchBytes bounds one websocket message made of queued frames.
const maxBatchBytes = 64 << 10

// writeBatch writes frames from the head of batch as one websocket
// message, separated by newlines, up to c.batchBytes: one write and one
// syscall for a backlog or a burst instead of one per frame. It returns the
// frames left.
func (c *Conn) writeBatch(batch [][]byte) ([][]byte, error) {
	if err := c.ws.SetWriteDeadline(time.Now().Add(c.cfg.WriteWait)); err != nil {
		return nil, err
	}
	w, err := c.ws.NextWriter(websocket.TextMessage)
	if err != nil {
		return nil, err
	}
	n, size := 0, 0
	for ; n < len(batch) && (n == 0 || size < c.batchBytes); n++ {
		if n > 0 {
			if _, err := w.Write(newline); err != nil {
				return nil, err
			}
			size++
		}
		if _, err := w.Write(batch[n]); err != nil {
			return nil, err
		}
		size += len(batch[n])
	}
	return batch[n:], w.Close()
}

var newline = []byte{'\n'}
