package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"livingroom/internal/clocktest"

	"github.com/gorilla/websocket"

	"livingroom/device-push/hub"
	"livingroom/device-push/lwa"
	"livingroom/device-push/server"
	"livingroom/internal/adm"
	"livingroom/internal/push"
)

const (
	clientID     = "test-client"
	clientSecret = "test-secret"
	appKey       = "test-app-key"
	// waitLimit only turns a hang into a failure; nothing waits for it.
	waitLimit = 10 * time.Second
)

var start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// env is a device-push behind httptest, with its clock and hooks.
type env struct {
	clk      *clocktest.Clock
	hub      *hub.Hub
	store    hub.Store
	srv      *server.Server
	ts       *httptest.Server
	detached chan string
	dialer   *websocket.Dialer // devices' (websocket.DefaultDialer when nil)

	mu      sync.Mutex
	secrets map[string]string // of the registrations issued to devices
}

func newEnv(t testing.TB, conn hub.ConnConfig) *env {
	t.Helper()
	return newEnvConfig(t, server.Config{Conn: conn})
}

// newEnvConfig is newEnv with the server's configuration (its clock is
// the env's) and optionally the hub's observer.
func newEnvConfig(t testing.TB, cfg server.Config, observer ...hub.Observer) *env {
	t.Helper()
	return newEnvStore(t, cfg, nil, observer...)
}

// newEnvStore is newEnvConfig with the memory store wrapped by wrap (nil:
// as it is), to fail store calls on purpose.
func newEnvStore(t testing.TB, cfg server.Config, wrap func(hub.Store) hub.Store, observer ...hub.Observer) *env {
	t.Helper()
	e := &env{clk: clocktest.New(start), detached: make(chan string, 1000), secrets: map[string]string{}}
	e.store = hub.NewMemoryStore(0, 0, e.clk.Now)
	if wrap != nil {
		e.store = wrap(e.store)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	hc := hub.Config{Now: e.clk.Now, OnDetach: func(id string) { e.detached <- id }}
	if len(observer) > 0 {
		hc.Observer = observer[0]
	}
	e.hub = hub.New(e.store, hc, logger)
	hubCtx, stopHub := context.WithCancel(context.Background())
	t.Cleanup(stopHub)
	if err := e.hub.Start(hubCtx); err != nil {
		t.Fatal(err)
	}
	issuer := lwa.NewIssuer(clientID, clientSecret, 0, e.clk.Now)
	cfg.Now = e.clk.Now
	cfg.AppKey = appKey
	e.srv = server.New(e.hub, issuer, cfg, logger)
	e.ts = httptest.NewServer(e.srv)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		if err := e.srv.Close(ctx); err != nil {
			t.Errorf("close server: %v", err)
		}
		e.ts.Close()
	})
	return e
}

// token gets an access token from the token endpoint.
func (e *env) token(t testing.TB) string {
	t.Helper()
	form := url.Values{
		"grant_type": {adm.GrantClientCredentials}, "scope": {adm.ScopeMessagingPush},
		"client_id": {clientID}, "client_secret": {clientSecret},
	}
	resp, err := http.PostForm(e.ts.URL+adm.TokenPath, form)
	if err != nil {
		t.Fatal(err)
	}
	var tok adm.Token
	decode(t, resp, http.StatusOK, &tok)
	return tok.AccessToken
}

// sendRequest builds an ADM send request as a well-behaved sender would.
func (e *env) sendRequest(t testing.TB, token, id, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+adm.SendPath(id), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set(adm.HeaderTypeVersion, adm.TypeVersion)
	req.Header.Set(adm.HeaderAcceptType, adm.AcceptType)
	return req
}

// send posts msg and requires a 200; it returns the request id.
func (e *env) send(t testing.TB, token, id string, msg adm.Message) string {
	t.Helper()
	b, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(e.sendRequest(t, token, id, string(b)))
	if err != nil {
		t.Fatal(err)
	}
	var res adm.SendResult
	decode(t, resp, http.StatusOK, &res)
	return resp.Header.Get(adm.HeaderRequestID)
}

func (e *env) status(t testing.TB, id string) hub.Status {
	t.Helper()
	resp, err := http.Get(e.ts.URL + "/v1/registrations/" + id)
	if err != nil {
		t.Fatal(err)
	}
	var st hub.Status
	decode(t, resp, http.StatusOK, &st)
	return st
}

// waitDetached returns once the hub let go of a connection of id.
func (e *env) waitDetached(t testing.TB, id string) {
	t.Helper()
	timeout := time.After(waitLimit)
	for {
		select {
		case got := <-e.detached:
			if got == id {
				return
			}
		case <-timeout:
			t.Fatalf("%s never detached", id)
		}
	}
}

func decode(t testing.TB, resp *http.Response, status int, v any) {
	t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// device is a websocket client standing in for a TV app. One goroutine
// reads; the test goroutine is the only writer.
type device struct {
	id     string
	ws     *websocket.Conn
	frames chan push.Frame
	pings  chan struct{}
	pongs  chan string
	done   chan struct{} // closed when reading ended; err says why
	err    error
	syncs  int
}

// dial connects with a registration id ("" for a new one) and returns after
// the registered frame.
func (e *env) dial(t testing.TB, id string) *device {
	t.Helper()
	d, resp, err := e.tryDial(t, id, false)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	f := d.next(t)
	if f.Type != push.TypeRegistered || !hub.ValidRegistrationID(f.RegistrationID) {
		t.Fatalf("first frame = %+v, want registered", f)
	}
	if id != "" && f.RegistrationID != id {
		t.Fatalf("registered as %s, asked for %s", f.RegistrationID, id)
	}
	if (id == "") != (f.Secret != "") {
		t.Fatalf("registered frame %+v: a secret comes with a new id only", f)
	}
	d.id = f.RegistrationID
	if f.Secret != "" {
		e.mu.Lock()
		e.secrets[d.id] = f.Secret
		e.mu.Unlock()
	}
	return d
}

// tryDial connects. Every ping the device gets is counted on pings, and
// answered unless silent.
func (e *env) tryDial(t testing.TB, id string, silent bool) (*device, *http.Response, error) {
	h := http.Header{push.HeaderAppKey: {appKey}}
	query := ""
	if id != "" {
		query = "registrationId=" + url.QueryEscape(id)
		e.mu.Lock()
		h.Set(push.HeaderSecret, e.secrets[id])
		e.mu.Unlock()
	}
	return e.dialWith(t, query, h, silent)
}

// dialWith connects with the raw query and headers given.
func (e *env) dialWith(t testing.TB, query string, h http.Header, silent bool) (*device, *http.Response, error) {
	u := "ws" + strings.TrimPrefix(e.ts.URL, "http") + push.ConnectPath
	if query != "" {
		u += "?" + query
	}
	dialer := websocket.DefaultDialer
	if e.dialer != nil {
		dialer = e.dialer
	}
	ws, resp, err := dialer.Dial(u, h)
	if err != nil {
		return nil, resp, err
	}
	d := &device{
		ws: ws, frames: make(chan push.Frame, 1000), pings: make(chan struct{}, 1000),
		pongs: make(chan string, 10), done: make(chan struct{}),
	}
	ws.SetPongHandler(func(s string) error { d.pongs <- s; return nil })
	ws.SetPingHandler(func(s string) error {
		select {
		case d.pings <- struct{}{}:
		default:
		}
		if silent {
			return nil
		}
		return ws.WriteControl(websocket.PongMessage, []byte(s), time.Now().Add(waitLimit))
	})
	go func() {
		defer close(d.done)
		for {
			_, b, err := ws.ReadMessage()
			if err != nil {
				d.err = err
				return
			}
			// device-push may pack several frames, one a line.
			for line := range bytes.SplitSeq(b, []byte("\n")) {
				f, err := push.Decode(line)
				if err != nil {
					d.err = err
					return
				}
				d.frames <- f
			}
		}
	}()
	t.Cleanup(func() { ws.Close() })
	return d, resp, nil
}

func (d *device) next(t testing.TB) push.Frame {
	t.Helper()
	select {
	case f := <-d.frames:
		return f
	case <-d.done:
		t.Fatalf("connection ended waiting for a frame: %v", d.err)
	case <-time.After(waitLimit):
		t.Fatal("no frame")
	}
	return push.Frame{}
}

// nextMessages reads n message frames and returns their ids.
func (d *device) nextMessages(t testing.TB, n int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	for range n {
		f := d.next(t)
		if f.Type != push.TypeMessage {
			t.Fatalf("frame %+v, want a message", f)
		}
		ids = append(ids, f.MessageID)
	}
	return ids
}

func (d *device) ack(t testing.TB, messageID string) {
	t.Helper()
	b, _ := push.Encode(push.Frame{Type: push.TypeAck, MessageID: messageID})
	if err := d.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		t.Fatal(err)
	}
}

// sync returns once the server has handled every frame sent before it: the
// server reads frames in order and answers a ping only after the frames
// before it were handled.
func (d *device) sync(t testing.TB) {
	t.Helper()
	d.syncs++
	token := "sync-" + string(rune('a'+d.syncs%26))
	if err := d.ws.WriteControl(websocket.PingMessage, []byte(token), time.Now().Add(waitLimit)); err != nil {
		t.Fatal(err)
	}
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

// hangUp closes the connection cleanly and waits until the reader is done.
func (d *device) hangUp(t testing.TB) {
	t.Helper()
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye")
	_ = d.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(waitLimit))
	d.waitClosed(t)
	d.ws.Close()
}

// waitClosed waits for the connection to end and returns the close code the
// server sent (0 when none).
func (d *device) waitClosed(t testing.TB) int {
	t.Helper()
	select {
	case <-d.done:
	case <-time.After(waitLimit):
		t.Fatal("connection still open")
	}
	if ce, ok := d.err.(*websocket.CloseError); ok {
		return ce.Code
	}
	return 0
}

// registered stores a registration whose device never connects (a TV that
// is off) and returns its id.
func (e *env) registered(t testing.TB) string {
	t.Helper()
	id := mustID(t, 1)
	if err := e.store.CreateRegistration(context.Background(), hub.Registration{ID: id}); err != nil {
		t.Fatal(err)
	}
	return id
}
