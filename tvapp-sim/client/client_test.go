package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"livingroom/internal/adm"
	"livingroom/internal/push"
	"livingroom/tvapp-sim/backoff"
)

const waitTimeout = 10 * time.Second

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTimeout):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}

// serverConn is one device connection as the fake device-push sees it. The
// test goroutine is its only writer; a reader goroutine forwards acks.
type serverConn struct {
	conn      *websocket.Conn
	requested string // the registrationId query parameter
	acks      chan push.Frame
	pongs     chan string
	readErr   chan error // the error that ended the reader
}

func (sc *serverConn) send(t *testing.T, f push.Frame) {
	t.Helper()
	b, err := push.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	sc.sendRaw(t, b)
}

func (sc *serverConn) sendRaw(t *testing.T, b []byte) {
	t.Helper()
	if err := sc.conn.WriteMessage(websocket.TextMessage, b); err != nil {
		t.Fatalf("server write: %v", err)
	}
}

// fakePush speaks device-push's side of the protocol. assign chooses the
// registration id of connection n (0-based) given the id the device asked for.
type fakePush struct {
	t      *testing.T
	assign func(n int, requested string) string
	n      atomic.Int32
	conns  chan *serverConn
}

func newFakePush(t *testing.T, assign func(n int, requested string) string) (*fakePush, *httptest.Server) {
	f := &fakePush{t: t, assign: assign, conns: make(chan *serverConn, 8)}
	return f, startServer(t, f.serve)
}

func startServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func (f *fakePush) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != push.ConnectPath {
		f.t.Errorf("device connected to %s, want %s", r.URL.Path, push.ConnectPath)
	}
	up := websocket.Upgrader{}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		f.t.Errorf("upgrade: %v", err)
		return
	}
	f.t.Cleanup(func() { conn.Close() })
	sc := &serverConn{
		conn:      conn,
		requested: r.URL.Query().Get("registrationId"),
		acks:      make(chan push.Frame, 16),
		pongs:     make(chan string, 4),
		readErr:   make(chan error, 1),
	}
	conn.SetPongHandler(func(data string) error {
		sc.pongs <- data
		return nil
	})
	n := int(f.n.Add(1)) - 1
	sc.send(f.t, push.Frame{Type: push.TypeRegistered, RegistrationID: f.assign(n, sc.requested)})
	go func() {
		for {
			_, b, err := conn.ReadMessage()
			if err != nil {
				sc.readErr <- err
				return
			}
			fr, err := push.Decode(b)
			if err != nil || fr.Type != push.TypeAck {
				f.t.Errorf("device sent %s (%v), want an ack", b, err)
				continue
			}
			sc.acks <- fr
		}
	}()
	f.conns <- sc
}

type harness struct {
	client  *Client
	regs    chan string
	handled chan push.Frame
	stop    func() error // cancels Run and returns its result; safe to call twice
}

func startClient(t *testing.T, url string) *harness {
	t.Helper()
	h := &harness{regs: make(chan string, 8), handled: make(chan push.Frame, 16)}
	c, err := New(Config{
		URL:          url,
		OnRegistered: func(id string) { h.regs <- id },
		Handle:       func(_ context.Context, f push.Frame) { h.handled <- f },
		Backoff:      backoff.Policy{Base: time.Millisecond, Cap: 2 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.client = c
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	h.stop = sync.OnceValue(func() error {
		cancel()
		return <-done
	})
	t.Cleanup(func() { _ = h.stop() })
	return h
}

func message(id string, data map[string]string) push.Frame {
	return push.Frame{Type: push.TypeMessage, MessageID: id, Data: data, MD5: adm.DataMD5(data), SentAtMs: 1}
}

func TestMessageIsHandledThenAcked(t *testing.T) {
	t.Parallel()
	f, srv := newFakePush(t, func(int, string) string { return "amzn1.adm-registration.v3.one" })
	h := startClient(t, srv.URL)

	sc := recv(t, f.conns, "connection")
	if sc.requested != "" {
		t.Errorf("first connection asked for id %q, want none", sc.requested)
	}
	if id := recv(t, h.regs, "OnRegistered"); id != "amzn1.adm-registration.v3.one" {
		t.Fatalf("OnRegistered(%q)", id)
	}
	data := map[string]string{"v": "1", "id": "act-1", "type": "PAUSE", "ts": "1"}
	sc.send(t, message("m1", data))
	got := recv(t, h.handled, "handled message")
	if got.MessageID != "m1" || got.Data["id"] != "act-1" {
		t.Errorf("handled %+v", got)
	}
	if ack := recv(t, sc.acks, "ack"); ack.MessageID != "m1" {
		t.Errorf("ack for %q, want m1", ack.MessageID)
	}
	if !h.client.Connected() || h.client.RegistrationID() != "amzn1.adm-registration.v3.one" {
		t.Errorf("connected=%v id=%q", h.client.Connected(), h.client.RegistrationID())
	}
}

func TestReconnect(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		assign   func(n int, requested string) string
		wantRegs []string // OnRegistered calls
	}{
		{
			name: "keeps the registration id",
			assign: func(n int, requested string) string {
				if requested != "" {
					return requested
				}
				return "reg-1"
			},
			wantRegs: []string{"reg-1"},
		},
		{
			name:     "re-registers when the server hands out a new id",
			assign:   func(n int, _ string) string { return fmt.Sprintf("reg-%d", n+1) },
			wantRegs: []string{"reg-1", "reg-2"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, srv := newFakePush(t, tc.assign)
			h := startClient(t, srv.URL)

			first := recv(t, f.conns, "first connection")
			recv(t, h.regs, "first OnRegistered")
			first.conn.Close() // the server drops the device

			second := recv(t, f.conns, "second connection")
			if second.requested != "reg-1" {
				t.Errorf("reconnect asked for %q, want reg-1", second.requested)
			}
			// A message round trip on the new connection proves the
			// registration was processed (it happens before reading).
			second.send(t, message("m2", map[string]string{"k": "v"}))
			recv(t, h.handled, "handled message")
			recv(t, second.acks, "ack")

			regs := []string{"reg-1"}
			for len(h.regs) > 0 {
				regs = append(regs, <-h.regs)
			}
			if fmt.Sprint(regs) != fmt.Sprint(tc.wantRegs) {
				t.Errorf("OnRegistered calls %v, want %v", regs, tc.wantRegs)
			}
			if got, want := h.client.RegistrationID(), tc.wantRegs[len(tc.wantRegs)-1]; got != want {
				t.Errorf("RegistrationID() = %q, want %q", got, want)
			}
		})
	}
}

func TestBadFramesDoNotBreakTheConnection(t *testing.T) {
	t.Parallel()
	f, srv := newFakePush(t, func(int, string) string { return "reg-1" })
	h := startClient(t, srv.URL)
	sc := recv(t, f.conns, "connection")
	recv(t, h.regs, "OnRegistered")

	corrupt := message("bad-md5", map[string]string{"k": "v"})
	corrupt.MD5 = "AAAAAAAAAAAAAAAAAAAAAA=="
	sc.sendRaw(t, []byte("not json"))
	sc.sendRaw(t, []byte(`{"type":"message","data":{"k":"v"}}`)) // no messageId: cannot be acked
	sc.send(t, push.Frame{Type: "bogus"})
	sc.send(t, corrupt)
	noMD5 := push.Frame{Type: push.TypeMessage, MessageID: "no-md5", Data: map[string]string{"k": "v"}}
	sc.send(t, noMD5)
	sc.send(t, message("good", map[string]string{"k": "v"}))

	for _, want := range []string{"bad-md5", "no-md5", "good"} {
		if ack := recv(t, sc.acks, "ack "+want); ack.MessageID != want {
			t.Fatalf("ack %q, want %q", ack.MessageID, want)
		}
	}
	for _, want := range []string{"no-md5", "good"} {
		if got := recv(t, h.handled, "handled "+want); got.MessageID != want {
			t.Fatalf("handled %q, want %q", got.MessageID, want)
		}
	}
	if n := len(h.handled); n != 0 {
		t.Fatalf("%d more messages handled", n)
	}
}

func TestPackedFrames(t *testing.T) {
	t.Parallel()
	f, srv := newFakePush(t, func(int, string) string { return "reg-1" })
	h := startClient(t, srv.URL)
	sc := recv(t, f.conns, "connection")
	recv(t, h.regs, "OnRegistered")

	a, _ := push.Encode(message("p1", map[string]string{"n": "1"}))
	b, _ := push.Encode(message("p2", map[string]string{"n": "2"}))
	sc.sendRaw(t, append(append(a, '\n'), b...))
	for _, want := range []string{"p1", "p2"} {
		if ack := recv(t, sc.acks, "ack"); ack.MessageID != want {
			t.Fatalf("ack %q, want %q", ack.MessageID, want)
		}
	}
}

func TestAnswersPings(t *testing.T) {
	t.Parallel()
	f, srv := newFakePush(t, func(int, string) string { return "reg-1" })
	h := startClient(t, srv.URL)
	sc := recv(t, f.conns, "connection")
	recv(t, h.regs, "OnRegistered")

	if err := sc.conn.WriteControl(websocket.PingMessage, []byte("hello"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, sc.pongs, "pong"); got != "hello" {
		t.Fatalf("pong %q, want hello", got)
	}
}

func TestRunClosesCleanlyOnCancel(t *testing.T) {
	t.Parallel()
	f, srv := newFakePush(t, func(int, string) string { return "reg-1" })
	h := startClient(t, srv.URL)
	sc := recv(t, f.conns, "connection")
	recv(t, h.regs, "OnRegistered")

	if err := h.stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	err := recv(t, sc.readErr, "server read error")
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseNormalClosure {
		t.Fatalf("server saw %v, want a normal close", err)
	}
	if h.client.Connected() {
		t.Error("still connected after Run returned")
	}
}

func TestRetriesUntilServerAnswers(t *testing.T) {
	t.Parallel()
	// A server that rejects the first upgrade attempts, then accepts.
	var attempts atomic.Int32
	f := &fakePush{t: t, assign: func(int, string) string { return "reg-1" }, conns: make(chan *serverConn, 8)}
	srv := startServer(t, func(w http.ResponseWriter, r *http.Request) {
		if attempts.Add(1) <= 3 {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		f.serve(w, r)
	})
	h := startClient(t, srv.URL)
	recv(t, f.conns, "connection")
	if id := recv(t, h.regs, "OnRegistered"); id != "reg-1" {
		t.Fatalf("OnRegistered(%q)", id)
	}
	if n := attempts.Load(); n != 4 {
		t.Fatalf("%d attempts, want 4", n)
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url     string
		regID   string
		want    string
		wantErr bool
	}{
		{url: "http://127.0.0.1:8200", want: "ws://127.0.0.1:8200/ws"},
		{url: "https://push.example.com/base/", want: "wss://push.example.com/base/ws"},
		{url: "ws://h:1?x=1", regID: "amzn1.adm-registration.v3.a/b+c", want: "ws://h:1/ws?registrationId=amzn1.adm-registration.v3.a%2Fb%2Bc"},
		{url: "ftp://h", wantErr: true},
		{url: "127.0.0.1:8200", wantErr: true},
		{url: "http://", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			c, err := New(Config{URL: tc.url, RegistrationID: tc.regID})
			if (err != nil) != tc.wantErr {
				t.Fatalf("New(%q) err = %v, wantErr %v", tc.url, err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if got, _ := c.dialURL(); got != tc.want {
				t.Fatalf("dialURL() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDecodeFrames(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		in      string
		types   []string
		wantErr bool
	}{
		{"one", `{"type":"ack","messageId":"a"}`, []string{"ack"}, false},
		{"packed", "{\"type\":\"ack\"}\n{\"type\":\"message\"}\n", []string{"ack", "message"}, false},
		{"one bad among good", "{\"type\":\"ack\"}\nnope", []string{"ack"}, true},
		{"garbage", "nope", nil, true},
		{"no type", `{}`, nil, true},
		{"empty", "", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			frames, err := decodeFrames([]byte(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			var types []string
			for _, f := range frames {
				types = append(types, f.Type)
			}
			if fmt.Sprint(types) != fmt.Sprint(tc.types) {
				t.Fatalf("types %v, want %v", types, tc.types)
			}
		})
	}
}

// device-push's "do not reconnect" close codes: an unknown registration is
// dropped and a new one taken; wrong credentials stop the client.
func TestCloseCodesAreHonoured(t *testing.T) {
	type seen struct{ id, secret, key string }
	conns := make(chan seen, 8)
	var n atomic.Int32
	srv := startServer(t, func(w http.ResponseWriter, r *http.Request) {
		conns <- seen{r.URL.Query().Get("registrationId"), r.Header.Get(push.HeaderSecret), r.Header.Get(push.HeaderAppKey)}
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("upgrade: %v", err)
			return
		}
		defer conn.Close()
		closeWith := func(code int) {
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(time.Second))
		}
		switch n.Add(1) {
		case 1:
			closeWith(push.CloseUnknownRegistration)
		case 2:
			b, _ := push.Encode(push.Frame{Type: push.TypeRegistered, RegistrationID: "new", Secret: "new-secret"})
			_ = conn.WriteMessage(websocket.TextMessage, b)
			closeWith(websocket.CloseGoingAway)
		default:
			closeWith(push.CloseForbidden)
		}
	})
	regs := make(chan string, 8)
	c, err := New(Config{
		URL: srv.URL, RegistrationID: "old", Secret: "old-secret", AppKey: "key",
		OnRegistered: func(id string) { regs <- id },
		Backoff:      backoff.Policy{Base: time.Millisecond, Cap: 2 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Run(t.Context()); !errors.Is(err, ErrForbidden) {
		t.Fatalf("Run = %v, want ErrForbidden", err)
	}
	want := []seen{{"old", "old-secret", "key"}, {"", "", "key"}, {"new", "new-secret", "key"}}
	for i, w := range want {
		if got := <-conns; got != w {
			t.Errorf("connect %d presented %+v, want %+v", i, got, w)
		}
	}
	if id := <-regs; id != "new" {
		t.Errorf("OnRegistered(%q), want new", id)
	}
}
