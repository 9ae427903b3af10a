package server_test

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"livingroom/device-push/hub"
	"livingroom/internal/adm"
	"livingroom/internal/push"
)

func ptr[T any](v T) *T { return &v }

func TestConnectRegisters(t *testing.T) {
	e := newEnv(t, hub.ConnConfig{})
	fresh := e.dial(t, "")
	other := e.dial(t, "")
	if fresh.id == other.id {
		t.Fatalf("two devices got the same id %s", fresh.id)
	}
	if st := e.status(t, fresh.id); !st.Connected || st.Pending != 0 {
		t.Errorf("status = %+v", st)
	}

	// The same device reconnects with its secret and keeps its id.
	fresh.hangUp(t)
	e.waitDetached(t, fresh.id)
	if kept := e.dial(t, fresh.id); kept.id != fresh.id {
		t.Errorf("registered as %s, want %s", kept.id, fresh.id)
	}

	_, resp, err := e.tryDial(t, "not-an-id", false)
	if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("dial with a malformed id: err %v, resp %v", err, resp)
	}
	var eb adm.ErrorBody
	decode(t, resp, http.StatusBadRequest, &eb)
	if eb.Reason != "InvalidRegistrationId" {
		t.Errorf("reason = %q", eb.Reason)
	}
}

func TestDeliveryAndAck(t *testing.T) {
	e := newEnv(t, hub.ConnConfig{})
	token := e.token(t)
	d := e.dial(t, "")
	e.clk.Advance(1234 * time.Millisecond)
	data := map[string]string{"type": "PAUSE", "id": "m-1"}
	reqID := e.send(t, token, d.id, adm.Message{Data: data, ConsolidationKey: "playback"})

	f := d.next(t)
	if f.Type != push.TypeMessage || f.MessageID != reqID || !maps.Equal(f.Data, data) ||
		f.MD5 != adm.DataMD5(data) || f.ConsolidationKey != "playback" ||
		f.SentAtMs != start.Add(1234*time.Millisecond).UnixMilli() {
		t.Errorf("frame = %+v", f)
	}
	if st := e.status(t, d.id); st.Pending != 1 {
		t.Errorf("before ack: %+v", st)
	}

	// Frames the server cannot use are ignored, not fatal.
	for _, junk := range []string{"not json", `{"messageId":"x"}`, `{"type":"ack"}`, `{"type":"hello"}`} {
		if err := d.ws.WriteMessage(websocket.TextMessage, []byte(junk)); err != nil {
			t.Fatal(err)
		}
	}
	d.ack(t, reqID)
	d.ack(t, reqID) // a duplicate ack is harmless
	d.sync(t)
	if st := e.status(t, d.id); !st.Connected || st.Pending != 0 {
		t.Errorf("after ack: %+v", st)
	}
}

func TestOrderPreserved(t *testing.T) {
	e := newEnv(t, hub.ConnConfig{})
	token := e.token(t)
	d := e.dial(t, "")
	const n = 50
	var sent []string
	for i := range n {
		sent = append(sent, e.send(t, token, d.id, adm.Message{Data: map[string]string{"n": strconv.Itoa(i)}}))
	}
	if got := d.nextMessages(t, n); !slices.Equal(got, sent) {
		t.Errorf("received %v\nsent     %v", got, sent)
	}
}

// The offline cases: a device connects, leaves, messages are sent (and
// maybe time passes), and the device comes back.
func TestOfflineThenReconnect(t *testing.T) {
	type send struct {
		name         string // label used in want
		ck           string
		expiresAfter *int
	}
	tests := []struct {
		name    string
		online  []send   // sent while connected; received but not acked
		acked   []string // of online, acked before leaving
		offline []send
		advance time.Duration // after the offline sends
		want    []string
	}{
		{
			name:    "queued while offline, delivered in order",
			offline: []send{{name: "a"}, {name: "b"}, {name: "c"}},
			want:    []string{"a", "b", "c"},
		},
		{
			name:   "unacked messages are redelivered",
			online: []send{{name: "a"}, {name: "b"}, {name: "c"}},
			acked:  []string{"a"},
			want:   []string{"b", "c"},
		},
		{
			name:    "redelivered before queued",
			online:  []send{{name: "a"}},
			offline: []send{{name: "b"}},
			want:    []string{"a", "b"},
		},
		{
			name:    "consolidation keeps the newest",
			offline: []send{{name: "a", ck: "k"}, {name: "b"}, {name: "c", ck: "k"}, {name: "d", ck: "j"}},
			want:    []string{"b", "c", "d"},
		},
		{
			name:    "consolidation replaces an unacked delivered one",
			online:  []send{{name: "a", ck: "k"}},
			offline: []send{{name: "b", ck: "k"}},
			want:    []string{"b"},
		},
		{
			name: "expired messages are dropped",
			offline: []send{
				{name: "short", expiresAfter: ptr(10)}, {name: "long", expiresAfter: ptr(100)},
				{name: "default"},
			},
			advance: 50 * time.Second,
			want:    []string{"long", "default"},
		},
		{
			name:    "default expiry is 7 days",
			offline: []send{{name: "a"}},
			advance: 7*24*time.Hour + time.Second,
			want:    nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, hub.ConnConfig{})
			token := e.token(t)
			names := map[string]string{} // request id -> label
			d := e.dial(t, "")
			sendAll := func(ss []send) {
				for _, s := range ss {
					id := e.send(t, token, d.id, adm.Message{
						Data: map[string]string{"label": s.name}, ConsolidationKey: s.ck, ExpiresAfter: s.expiresAfter,
					})
					names[id] = s.name
				}
			}
			sendAll(tt.online)
			got := d.nextMessages(t, len(tt.online))
			for _, id := range got {
				if slices.Contains(tt.acked, names[id]) {
					d.ack(t, id)
				}
			}
			d.sync(t)
			d.hangUp(t)
			e.waitDetached(t, d.id)
			if st := e.status(t, d.id); st.Connected {
				t.Fatalf("still connected: %+v", st)
			}

			sendAll(tt.offline)
			e.clk.Advance(tt.advance)
			token = e.token(t) // the old one may have expired meanwhile
			back := e.dial(t, d.id)
			// A marker sent now comes after everything replayed, so reading
			// up to it shows the replay exactly.
			marker := e.send(t, token, d.id, adm.Message{Data: map[string]string{"label": "marker"}})
			var replay []string
			for {
				f := back.next(t)
				if f.MessageID == marker {
					break
				}
				if f.Data["label"] != names[f.MessageID] {
					t.Errorf("frame %s carries %v", f.MessageID, f.Data)
				}
				replay = append(replay, names[f.MessageID])
			}
			if !slices.Equal(replay, tt.want) {
				t.Errorf("replay = %v, want %v", replay, tt.want)
			}
		})
	}
}

func TestSecondConnectionReplacesFirst(t *testing.T) {
	e := newEnv(t, hub.ConnConfig{})
	token := e.token(t)
	first := e.dial(t, "")
	second := e.dial(t, first.id)
	if code := first.waitClosed(t); code != push.CloseReplaced {
		t.Errorf("first closed with %d, want %d", code, push.CloseReplaced)
	}
	reqID := e.send(t, token, first.id, adm.Message{Data: map[string]string{"a": "1"}})
	if f := second.next(t); f.MessageID != reqID {
		t.Errorf("second got %+v", f)
	}
	if st := e.status(t, first.id); !st.Connected {
		t.Errorf("status = %+v", st)
	}
}

func TestKeepalive(t *testing.T) {
	cfg := hub.ConnConfig{PongWait: 300 * time.Millisecond, PingPeriod: 50 * time.Millisecond}

	t.Run("a device answering pings stays", func(t *testing.T) {
		e := newEnv(t, cfg)
		d := e.dial(t, "")
		// 12 pings span two pong waits; the device must still be there.
		for range 12 {
			select {
			case <-d.pings:
			case <-time.After(waitLimit):
				t.Fatal("no ping")
			}
		}
		reqID := e.send(t, e.token(t), d.id, adm.Message{Data: map[string]string{}})
		if f := d.next(t); f.MessageID != reqID {
			t.Errorf("got %+v", f)
		}
	})

	t.Run("a silent device is dropped", func(t *testing.T) {
		e := newEnv(t, cfg)
		d, _, err := e.tryDial(t, "", true) // reads, but never answers pings
		if err != nil {
			t.Fatal(err)
		}
		id := d.next(t).RegistrationID
		d.waitClosed(t)
		e.waitDetached(t, id)
		if st := e.status(t, id); st.Connected {
			t.Errorf("status = %+v", st)
		}
	})
}

func TestShutdownClosesDevices(t *testing.T) {
	e := newEnv(t, hub.ConnConfig{})
	devices := []*device{e.dial(t, ""), e.dial(t, "")}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := e.srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for i, d := range devices {
		if code := d.waitClosed(t); code != websocket.CloseGoingAway {
			t.Errorf("device %d closed with %d, want %d", i, code, websocket.CloseGoingAway)
		}
	}
	_, resp, err := e.tryDial(t, "", false)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("dial after close: err %v, resp %v", err, resp)
	}
	if resp != nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// A connection presenting someone else's registration is refused with a
// close code the device can act on, and the real TV keeps its connection and
// its messages.
func TestBadConnects(t *testing.T) {
	e := newEnv(t, hub.ConnConfig{})
	token := e.token(t)
	tv := e.dial(t, "")
	other := e.dial(t, "")
	e.mu.Lock()
	secret, otherSecret := e.secrets[tv.id], e.secrets[other.id]
	e.mu.Unlock()
	idQuery := "registrationId=" + url.QueryEscape(tv.id)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	long := strings.Repeat("A", 300)
	// wrong is the secret with its first character changed (a fixed
	// replacement would be the secret itself one time in 64).
	wrong := "A" + secret[1:]
	if secret[0] == 'A' {
		wrong = "B" + secret[1:]
	}
	tests := []struct {
		name   string
		query  string
		header http.Header
		status int // refused before the upgrade
		code   int // else the close code
	}{
		{name: "wrong secret", query: idQuery, header: hdr(push.HeaderAppKey, appKey, push.HeaderSecret, wrong), code: push.CloseForbidden},
		{name: "other device's secret", query: idQuery, header: hdr(push.HeaderAppKey, appKey, push.HeaderSecret, otherSecret), code: push.CloseForbidden},
		{name: "no secret", query: idQuery, header: hdr(push.HeaderAppKey, appKey), code: push.CloseForbidden},
		{name: "malformed secret", query: idQuery, header: hdr(push.HeaderAppKey, appKey, push.HeaderSecret, "x"), code: push.CloseForbidden},
		{name: "missing app key", query: idQuery, header: hdr(push.HeaderSecret, secret), code: push.CloseForbidden},
		{name: "wrong app key", query: idQuery, header: hdr(push.HeaderAppKey, "nope", push.HeaderSecret, secret), code: push.CloseForbidden},
		{name: "new device without app key", header: hdr(), code: push.CloseForbidden},
		{name: "unknown registration", query: "registrationId=" + url.QueryEscape(mustID(t, 9)), header: hdr(push.HeaderAppKey, appKey, push.HeaderSecret, secret), code: push.CloseUnknownRegistration},
		{name: "malformed id", query: "registrationId=not-an-id", header: hdr(push.HeaderAppKey, appKey), status: http.StatusBadRequest},
		{name: "id twice", query: idQuery + "&" + idQuery, header: hdr(push.HeaderAppKey, appKey, push.HeaderSecret, secret), status: http.StatusBadRequest},
		{name: "unknown parameter", query: idQuery + "&x=1", header: hdr(push.HeaderAppKey, appKey, push.HeaderSecret, secret), status: http.StatusBadRequest},
		{name: "oversized query", query: idQuery + long, header: hdr(push.HeaderAppKey, appKey), status: http.StatusBadRequest},
		{name: "oversized secret", query: idQuery, header: hdr(push.HeaderAppKey, appKey, push.HeaderSecret, long), status: http.StatusBadRequest},
		{name: "oversized app key", query: idQuery, header: hdr(push.HeaderAppKey, long, push.HeaderSecret, secret), status: http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, resp, err := e.dialWith(t, tt.query, tt.header, false)
			if tt.status != 0 {
				if err == nil || resp == nil || resp.StatusCode != tt.status {
					t.Fatalf("dial: err %v, resp %v, want HTTP %d", err, resp, tt.status)
				}
				resp.Body.Close()
				return
			}
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			if code := d.waitClosed(t); code != tt.code {
				t.Errorf("closed with %d, want %d", code, tt.code)
			}
			if len(d.frames) != 0 {
				t.Errorf("refused device got %d frames", len(d.frames))
			}
		})
	}
	// The real TV is still connected and gets what is sent to it.
	id := e.send(t, token, tv.id, adm.Message{Data: map[string]string{"a": "b"}})
	if got := tv.nextMessages(t, 1); got[0] != id {
		t.Errorf("real TV got %v, want %s", got, id)
	}
}

func TestRegisterOverHTTP(t *testing.T) {
	e := newEnv(t, hub.ConnConfig{})
	post := func(key string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+push.RegistrationsPath, nil)
		if key != "" {
			req.Header.Set(push.HeaderAppKey, key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	var eb adm.ErrorBody
	decode(t, post(""), http.StatusUnauthorized, &eb)
	decode(t, post("wrong"), http.StatusUnauthorized, &eb)
	var reg push.Registration
	decode(t, post(appKey), http.StatusCreated, &reg)
	if !hub.ValidRegistrationID(reg.RegistrationID) || !hub.ValidSecret(reg.Secret) {
		t.Fatalf("registration = %+v", reg)
	}
	e.mu.Lock()
	e.secrets[reg.RegistrationID] = reg.Secret
	e.mu.Unlock()
	e.dial(t, reg.RegistrationID)
}
