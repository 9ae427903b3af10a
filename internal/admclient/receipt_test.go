package admclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"livingroom/internal/action"
	"livingroom/internal/adm"
	"livingroom/internal/admclient"
	"livingroom/internal/clocktest"
	"livingroom/internal/device"
	"livingroom/internal/push"
)

// dialAcking connects as a new device that acknowledges every message, as
// a TV does; its reader is its only writer. It returns the registration id.
func (dp *devicePush) dialAcking(t *testing.T) string {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(dp.ts.URL, "http")+push.ConnectPath,
		http.Header{push.HeaderAppKey: {push.DevelopmentAppKey}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	registered := make(chan string, 1)
	go func() {
		for {
			_, b, err := ws.ReadMessage()
			if err != nil {
				return
			}
			for line := range bytes.SplitSeq(b, []byte("\n")) {
				f, err := push.Decode(line)
				if err != nil {
					return
				}
				switch f.Type {
				case push.TypeRegistered:
					registered <- f.RegistrationID
				case push.TypeMessage:
					ack, _ := push.Encode(push.Frame{Type: push.TypeAck, MessageID: f.MessageID})
					if ws.WriteMessage(websocket.TextMessage, ack) != nil {
						return
					}
				}
			}
		}
	}()
	select {
	case id := <-registered:
		return id
	case <-time.After(waitLimit):
		t.Fatal("no registered frame")
	}
	return ""
}

// register issues a registration whose device never connects (a TV that
// is off) and returns it.
func (dp *devicePush) register(t *testing.T) push.Registration {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, dp.ts.URL+push.RegistrationsPath, nil)
	req.Header.Set(push.HeaderAppKey, push.DevelopmentAppKey)
	resp, err := dp.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r push.Registration
	if resp.StatusCode != http.StatusCreated || json.NewDecoder(resp.Body).Decode(&r) != nil {
		t.Fatalf("register: status %d", resp.StatusCode)
	}
	return r
}

// The contract with device-push's receipts: a TV that acks, one that is
// connected but slow, one that is off.
func TestNotifyWithReceipt(t *testing.T) {
	dp := newDevicePush(t)
	c := dp.client(clocktest.New(start), admclient.Config{ReceiptWait: 2 * time.Second})

	t.Run("the TV acks", func(t *testing.T) {
		if err := c.Notify(context.Background(), dp.dialAcking(t), pause("a")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the TV holds it without acking", func(t *testing.T) {
		slow := dp.client(clocktest.New(start), admclient.Config{ReceiptWait: 20 * time.Millisecond})
		id, frames := dp.connect(t)
		if err := slow.Notify(context.Background(), id, pause("b")); err != nil {
			t.Fatalf("a message on the TV's connection is a success: %v", err)
		}
		if f := next(t, frames); f.Type != push.TypeMessage {
			t.Errorf("frame %+v", f)
		}
	})
	t.Run("the same action twice reaches the TV once", func(t *testing.T) {
		c := dp.client(clocktest.New(start), admclient.Config{ReceiptWait: 20 * time.Millisecond})
		id, frames := dp.connect(t)
		for range 2 {
			if err := c.Notify(context.Background(), id, pause("lr-0123456789abcdef")); err != nil {
				t.Fatalf("a repeat is a success: %v", err)
			}
		}
		if err := c.Notify(context.Background(), id, pause("lr-next")); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for len(ids) < 2 {
			if f := next(t, frames); f.Type == push.TypeMessage {
				a, err := action.Decode(f.Data)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, a.ID)
			}
		}
		if ids[0] != "lr-0123456789abcdef" || ids[1] != "lr-next" {
			t.Errorf("the TV got actions %v, want the repeated one once, then the next", ids)
		}
	})
	t.Run("the TV is off", func(t *testing.T) {
		off := dp.client(clocktest.New(start), admclient.Config{ReceiptWait: 20 * time.Millisecond})
		reg := dp.register(t)
		err := off.Notify(context.Background(), reg.RegistrationID, pause("c"))
		if !errors.Is(err, device.ErrNotDelivered) || !errors.Is(err, device.ErrUnreachable) {
			t.Fatalf("err = %v, want ErrNotDelivered (an ErrUnreachable)", err)
		}
		// The TV comes on: the discarded pause never reaches it, a later
		// message does.
		q := url.Values{"registrationId": {reg.RegistrationID}}
		ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(dp.ts.URL, "http")+push.ConnectPath+"?"+q.Encode(),
			http.Header{push.HeaderAppKey: {push.DevelopmentAppKey}, push.HeaderSecret: {reg.Secret}})
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		var got []push.Frame
		for len(got) < 2 {
			if len(got) == 1 {
				// After the registered frame (and any replay) was written.
				if _, err := c.Send(context.Background(), reg.RegistrationID, adm.Message{Data: map[string]string{"later": "1"}}); err != nil {
					t.Fatal(err)
				}
			}
			_ = ws.SetReadDeadline(time.Now().Add(waitLimit))
			_, b, err := ws.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			for line := range bytes.SplitSeq(b, []byte("\n")) {
				f, _ := push.Decode(line)
				got = append(got, f)
			}
		}
		if got[0].Type != push.TypeRegistered || got[1].Data["later"] != "1" {
			t.Errorf("the TV got %+v, want registered then the later message only", got)
		}
	})
}

// The receipt header: the configured wait, shortened by the context's
// deadline; a server that gives no receipt (ADM) means success.
func TestReceiptHeader(t *testing.T) {
	tests := []struct {
		name     string
		wait     time.Duration
		deadline time.Duration // 0: none
		delivery string        // answered
		maxWait  time.Duration // of the header sent
		wantErr  bool
	}{
		{name: "off", wait: 0},
		{name: "plain ADM answers", wait: 250 * time.Millisecond, maxWait: 250 * time.Millisecond},
		{name: "acked", wait: 250 * time.Millisecond, delivery: adm.DeliveryAcked, maxWait: 250 * time.Millisecond},
		{name: "delivered", wait: 250 * time.Millisecond, delivery: adm.DeliveryDelivered, maxWait: 250 * time.Millisecond},
		{name: "queued", wait: 250 * time.Millisecond, delivery: adm.DeliveryQueued, maxWait: 250 * time.Millisecond, wantErr: true},
		{name: "discarded", wait: 250 * time.Millisecond, delivery: adm.DeliveryDiscarded, maxWait: 250 * time.Millisecond, wantErr: true},
		{name: "capped", wait: time.Hour, maxWait: adm.MaxReceiptWait},
		{name: "deadline near", wait: 250 * time.Millisecond, deadline: 150 * time.Millisecond, maxWait: 50 * time.Millisecond},
		{name: "deadline nearer than the margin", wait: 250 * time.Millisecond, deadline: 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var header []string
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == adm.TokenPath {
					writeJSON(w, 200, adm.Token{AccessToken: "Atc|x", ExpiresIn: 3600})
					return
				}
				header = r.Header.Values(adm.HeaderReceipt)
				if tt.delivery != "" {
					w.Header().Set(adm.HeaderDelivery, tt.delivery)
				}
				writeJSON(w, 200, adm.SendResult{RegistrationID: "r"})
			}))
			defer ts.Close()
			c := admclient.New(admclient.Config{BaseURL: ts.URL, ReceiptWait: tt.wait}, ts.Client(), time.Now)
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			err := c.Notify(ctx, "r", pause("a"))
			if got := errors.Is(err, device.ErrNotDelivered); got != tt.wantErr || (!tt.wantErr && err != nil) {
				t.Fatalf("err = %v, want not delivered: %v", err, tt.wantErr)
			}
			if tt.wait == 0 {
				if len(header) != 0 {
					t.Errorf("receipt asked for without ReceiptWait: %q", header)
				}
				return
			}
			if len(header) != 1 {
				t.Fatalf("receipt header %q", header)
			}
			rc, err := adm.ParseReceipt(header[0])
			if err != nil || !rc.Discard || rc.Wait > tt.maxWait || rc.Wait < 0 {
				t.Errorf("receipt header %q: %+v, %v; want discard and wait ≤ %v", header[0], rc, err, tt.maxWait)
			}
		})
	}
}

func TestParseReceiptWait(t *testing.T) {
	for in, want := range map[string]time.Duration{"": admclient.DefaultReceiptWait, "0": 0, "300ms": 300 * time.Millisecond, "2s": 2 * time.Second} {
		if got, err := admclient.ParseReceiptWait(in); err != nil || got != want {
			t.Errorf("ParseReceiptWait(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"-1ms", "2001ms", "soon", "250"} {
		if got, err := admclient.ParseReceiptWait(in); err == nil {
			t.Errorf("ParseReceiptWait(%q) = %v, want an error", in, got)
		}
	}
}
