// Package client is the app's websocket connection to device-push (the ADM
// stand-in). It receives the registration id and ADM messages, hands each
// message to a handler and acknowledges it afterwards, answers pings, and
// reconnects with exponential backoff and full jitter, presenting the
// registration id it has so it keeps it.
//
// Each connection has exactly one reader (the goroutine running Run) and one
// writer goroutine (acks and the close frame); pongs go out through
// WriteControl, which gorilla allows concurrently.
package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"livingroom/internal/adm"
	"livingroom/internal/push"
	"livingroom/tvapp-sim/backoff"
)

// Handler handles one ADM message. It runs on the reader goroutine; the
// message is acknowledged when it returns.
type Handler func(ctx context.Context, f push.Frame)

// Config wires a Client.
type Config struct {
	URL            string // device-push base URL: http, https, ws or wss
	RegistrationID string // an id to keep from an earlier run; "" to get a new one
	Secret         string // the secret issued with RegistrationID
	AppKey         string // the app's key device-push requires (DEVICE_PUSH_APP_KEY)
	// OnRegistered is called with the first registration id of the process
	// and whenever device-push hands out a different one. It must not block.
	OnRegistered func(registrationID string)
	Handle       Handler
	Backoff      backoff.Policy    // reconnect delays
	Dialer       *websocket.Dialer // websocket.DefaultDialer when nil
	// ReadTimeout bounds the silence (no frame, no ping) before the
	// connection is considered dead; 90 s when zero.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration // per write; 10 s when zero
	Now          func() time.Time
	Logger       *slog.Logger
}

// maxFrameSize bounds an incoming websocket message (ADM data is at most 6 KB).
const maxFrameSize = 64 << 10

// Client keeps the connection. Create it with New and start it with Run.
type Client struct {
	cfg       Config
	wsURL     *url.URL
	connected atomic.Bool

	mu        sync.Mutex
	regID     string
	secret    string
	announced bool // OnRegistered was called for regID
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("device-push URL %q: %w", cfg.URL, err)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return nil, fmt.Errorf("device-push URL %q: scheme must be http, https, ws or wss", cfg.URL)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("device-push URL %q: no host", cfg.URL)
	}
	u.Path = strings.TrimRight(u.Path, "/") + push.ConnectPath
	u.RawQuery, u.Fragment = "", ""
	if cfg.Dialer == nil {
		cfg.Dialer = websocket.DefaultDialer
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 90 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.OnRegistered == nil {
		cfg.OnRegistered = func(string) {}
	}
	if cfg.Handle == nil {
		cfg.Handle = func(context.Context, push.Frame) {}
	}
	return &Client{cfg: cfg, wsURL: u, regID: cfg.RegistrationID, secret: cfg.Secret}, nil
}

// RegistrationID returns the current registration id ("" before the first).
func (c *Client) RegistrationID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.regID
}

// Connected reports whether a connection is up and registered.
func (c *Client) Connected() bool {
	return c.connected.Load()
}

// ErrForbidden: device-push refused the app key or the registration's
// secret (close code push.CloseForbidden); retrying cannot help.
var ErrForbidden = errors.New("device-push refused the app's credentials")

// Run connects and reconnects until ctx is done, then closes the connection
// cleanly and returns nil. It stops with ErrForbidden when device-push says
// the credentials are wrong; when it says the registration is unknown
// (expired), the client forgets it and registers anew at once.
func (c *Client) Run(ctx context.Context) error {
	attempt := 0
	for {
		registered, err := c.session(ctx)
		c.connected.Store(false)
		if ctx.Err() != nil {
			return nil
		}
		var closed *websocket.CloseError
		code := 0
		if errors.As(err, &closed) {
			code = closed.Code
		}
		switch code {
		case push.CloseForbidden:
			c.cfg.Logger.Error("device-push refused this app; not reconnecting", "err", err)
			return ErrForbidden
		case push.CloseUnknownRegistration:
			c.cfg.Logger.Warn("device-push forgot the registration; registering anew", "old", c.RegistrationID())
			c.mu.Lock()
			c.regID, c.secret = "", ""
			c.mu.Unlock()
			continue
		}
		if registered {
			attempt = 0
		}
		delay := c.cfg.Backoff.Delay(attempt)
		attempt++
		c.cfg.Logger.Warn("device-push connection ended; reconnecting", "err", err, "attempt", attempt, "retryIn", delay)
		if backoff.Wait(ctx, delay) != nil {
			return nil
		}
	}
}

// dialURL is the websocket URL with the registration id to keep, if any,
// and the handshake headers proving the app and the registration.
func (c *Client) dialURL() (string, http.Header) {
	u := *c.wsURL
	h := http.Header{push.HeaderAppKey: {c.cfg.AppKey}}
	c.mu.Lock()
	id, secret := c.regID, c.secret
	c.mu.Unlock()
	if id != "" {
		u.RawQuery = url.Values{"registrationId": {id}}.Encode()
		h.Set(push.HeaderSecret, secret)
	}
	return u.String(), h
}

// session runs one connection. registered reports whether device-push
// accepted the device (so the backoff can start over).
func (c *Client) session(ctx context.Context) (registered bool, err error) {
	target, header := c.dialURL()
	conn, resp, err := c.cfg.Dialer.DialContext(ctx, target, header)
	if err != nil {
		if resp != nil {
			return false, fmt.Errorf("dial %s: %w (HTTP %d)", target, err, resp.StatusCode)
		}
		return false, fmt.Errorf("dial %s: %w", target, err)
	}
	defer conn.Close()
	conn.SetReadLimit(maxFrameSize)
	c.extendRead(conn)
	conn.SetPingHandler(func(data string) error {
		c.extendRead(conn)
		err := conn.WriteControl(websocket.PongMessage, []byte(data), c.cfg.Now().Add(c.cfg.WriteTimeout))
		if err != nil && !errors.Is(err, websocket.ErrCloseSent) {
			return fmt.Errorf("send pong: %w", err)
		}
		return nil
	})

	first, rest, err := c.readRegistered(conn)
	if err != nil {
		return false, err
	}
	c.connected.Store(true)
	c.cfg.Logger.Info("connected to device-push", "url", c.wsURL.String(), "registrationId", first.RegistrationID)
	if first.Secret != "" {
		c.mu.Lock()
		c.secret = first.Secret
		c.mu.Unlock()
	}
	c.setRegistrationID(first.RegistrationID)

	sessCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	acks := make(chan string, 64)
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		c.writePump(sessCtx, cancel, conn, acks)
	}()
	err = c.readPump(sessCtx, conn, acks, rest)
	cancel()
	<-writerDone
	return true, err
}

// readRegistered reads the first websocket message, which must start with
// a registered frame. Frames packed after it are returned for handling.
func (c *Client) readRegistered(conn *websocket.Conn) (push.Frame, []push.Frame, error) {
	_, b, err := conn.ReadMessage()
	if err != nil {
		return push.Frame{}, nil, fmt.Errorf("read registered frame: %w", err)
	}
	frames, err := decodeFrames(b)
	if len(frames) == 0 {
		return push.Frame{}, nil, fmt.Errorf("read registered frame: %w", err)
	}
	if err != nil {
		c.cfg.Logger.Warn("ignoring undecodable frames", "err", err)
	}
	f := frames[0]
	if f.Type != push.TypeRegistered || f.RegistrationID == "" {
		return push.Frame{}, nil, fmt.Errorf("first frame is %q without a registration id, want %q", f.Type, push.TypeRegistered)
	}
	return f, frames[1:], nil
}

func (c *Client) readPump(ctx context.Context, conn *websocket.Conn, acks chan<- string, pending []push.Frame) error {
	for {
		for _, f := range pending {
			if !c.handleFrame(ctx, f, acks) {
				return nil
			}
		}
		_, b, err := conn.ReadMessage()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("read: %w", err)
		}
		c.extendRead(conn)
		pending, err = decodeFrames(b)
		if err != nil {
			c.cfg.Logger.Warn("ignoring undecodable websocket message", "err", err, "size", len(b))
		}
	}
}

// handleFrame handles one frame and reports whether the session goes on.
func (c *Client) handleFrame(ctx context.Context, f push.Frame, acks chan<- string) bool {
	switch f.Type {
	case push.TypeRegistered:
		if f.RegistrationID == "" {
			c.cfg.Logger.Warn("ignoring registered frame without a registration id")
			return true
		}
		c.setRegistrationID(f.RegistrationID)
		return true
	case push.TypeMessage:
	default:
		c.cfg.Logger.Warn("ignoring frame of unknown type", "type", f.Type)
		return true
	}
	if f.MessageID == "" {
		c.cfg.Logger.Error("message frame without messageId; cannot acknowledge it", "data", f.Data)
		return true
	}
	if f.MD5 != "" && adm.DataMD5(f.Data) != f.MD5 {
		c.cfg.Logger.Error("message checksum mismatch; dropping it", "messageId", f.MessageID, "md5", f.MD5, "computed", adm.DataMD5(f.Data))
	} else {
		c.cfg.Handle(ctx, f)
	}
	select {
	case acks <- f.MessageID:
		return true
	case <-ctx.Done():
		return false
	}
}

func (c *Client) writePump(ctx context.Context, cancel context.CancelFunc, conn *websocket.Conn, acks <-chan string) {
	defer conn.Close() // unblocks the reader
	for {
		select {
		case <-ctx.Done():
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
			_ = conn.WriteControl(websocket.CloseMessage, msg, c.cfg.Now().Add(c.cfg.WriteTimeout))
			return
		case id := <-acks:
			b, err := push.Encode(push.Frame{Type: push.TypeAck, MessageID: id})
			if err != nil {
				c.cfg.Logger.Error("encode ack", "messageId", id, "err", err)
				continue
			}
			if err := conn.SetWriteDeadline(c.cfg.Now().Add(c.cfg.WriteTimeout)); err != nil {
				c.cfg.Logger.Warn("set write deadline", "err", err)
			}
			if err := conn.WriteMessage(websocket.TextMessage, b); err != nil {
				c.cfg.Logger.Warn("send ack failed; closing connection", "messageId", id, "err", err)
				cancel()
				return
			}
		}
	}
}

func (c *Client) extendRead(conn *websocket.Conn) {
	if err := conn.SetReadDeadline(c.cfg.Now().Add(c.cfg.ReadTimeout)); err != nil {
		c.cfg.Logger.Warn("set read deadline", "err", err)
	}
}

// setRegistrationID records id and announces it when it is new to this process.
func (c *Client) setRegistrationID(id string) {
	c.mu.Lock()
	changed := id != c.regID || !c.announced
	old := c.regID
	c.regID, c.announced = id, true
	c.mu.Unlock()
	if !changed {
		return
	}
	if old != "" && old != id {
		c.cfg.Logger.Info("device-push assigned a new registration id", "old", old, "new", id)
	}
	c.cfg.OnRegistered(id)
}

// decodeFrames decodes a websocket message holding one frame, or several
// separated by newlines.
func decodeFrames(b []byte) ([]push.Frame, error) {
	var frames []push.Frame
	var errs []error
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		f, err := push.Decode(line)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		frames = append(frames, f)
	}
	if len(frames) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("empty message"))
	}
	if len(frames) == 0 {
		return nil, errors.Join(errs...)
	}
	return frames, errors.Join(errs...)
}
