package server_test

import (
	"net/http"
	"strings"
	"testing"

	"livingroom/device-push/hub"
	"livingroom/device-push/server"
	"livingroom/internal/adm"
	"livingroom/internal/push"
)

// sendReceipt posts body with the receipt header value given ("" for none)
// and returns the response, read.
func (e *env) sendReceipt(t testing.TB, token, id, receipt, body string) *http.Response {
	t.Helper()
	return e.sendWith(t, token, id, body, adm.HeaderReceipt, receipt)
}

// sendWith posts body with the extra headers given as name, value pairs
// (an empty value: not set) and returns the response.
func (e *env) sendWith(t testing.TB, token, id, body string, headers ...string) *http.Response {
	t.Helper()
	req := e.sendRequest(t, token, id, body)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] != "" {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestSendReceipts: what the receipt says in each device situation, and
// what becomes of the message afterwards.
func TestSendReceipts(t *testing.T) {
	tests := []struct {
		name     string
		device   string // "acking", "silent", "offline"
		receipt  string
		want     string
		pending  int  // messages stored afterwards
		replayed bool // an offline device gets it when it connects
	}{
		{name: "device acks within the wait", device: "acking", receipt: "wait=2000;discard", want: adm.DeliveryAcked},
		{name: "device acks, no discard", device: "acking", receipt: "wait=2000", want: adm.DeliveryAcked},
		{name: "device connected, no ack yet", device: "silent", receipt: "wait=20;discard", want: adm.DeliveryDelivered, pending: 1},
		{name: "device connected, no wait", device: "silent", receipt: "wait=0", want: adm.DeliveryDelivered, pending: 1},
		{name: "offline, kept", device: "offline", receipt: "wait=20", want: adm.DeliveryQueued, pending: 1, replayed: true},
		{name: "offline, no wait, kept", device: "offline", receipt: "wait=0", want: adm.DeliveryQueued, pending: 1, replayed: true},
		{name: "offline, discarded", device: "offline", receipt: "wait=20;discard", want: adm.DeliveryDiscarded},
		{name: "offline, no wait, discarded", device: "offline", receipt: "discard", want: adm.DeliveryDiscarded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, hub.ConnConfig{})
			token := e.token(t)
			d := e.dial(t, "")
			id := d.id
			switch tt.device {
			case "offline":
				d.hangUp(t)
				e.waitDetached(t, id)
			case "acking":
				// The device's only writer while the send waits.
				acked := make(chan struct{})
				go func() {
					defer close(acked)
					f := <-d.frames
					if f.Type == push.TypeMessage {
						d.ack(t, f.MessageID)
					}
				}()
				t.Cleanup(func() { <-acked })
			}
			resp := e.sendReceipt(t, token, id, tt.receipt, `{"data":{"a":"1"},"expiresAfter":60}`)
			var res adm.SendResult
			decode(t, resp, http.StatusOK, &res)
			if got := resp.Header.Get(adm.HeaderDelivery); got != tt.want {
				t.Errorf("%s = %q, want %q", adm.HeaderDelivery, got, tt.want)
			}
			msgID := resp.Header.Get(adm.HeaderRequestID)
			if tt.device == "acking" {
				d.sync(t) // the ack's store call is done
			}
			if st := e.status(t, id); st.Pending != tt.pending {
				t.Errorf("pending = %d, want %d", st.Pending, tt.pending)
			}
			if tt.device != "offline" {
				return
			}
			// Back online: a message kept is replayed first; a discarded
			// one never comes, so the next frame is a later message.
			back := e.dial(t, id)
			later := e.send(t, token, id, adm.Message{Data: map[string]string{"b": "2"}})
			want := []string{later}
			if tt.replayed {
				want = []string{msgID, later}
			}
			if got := back.nextMessages(t, len(want)); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("after reconnecting the device got %v, want %v", got, want)
			}
		})
	}
}

// TestSendReceiptRefusals: a malformed receipt header is refused before
// anything is stored.
func TestSendReceiptRefusals(t *testing.T) {
	testExtensionRefusals(t, adm.HeaderReceipt, adm.ReasonInvalidReceipt,
		[]string{" ", "wait=2001", "wait=-1", "wait=1;wait=1", "later", "wait=1," + strings.Repeat("9", 80)},
		[2]string{"wait=0", "discard"})
}

// testExtensionRefusals checks that each bad value of an extension header,
// and the header given twice, is a 400 with reason, no delivery header and
// nothing stored.
func testExtensionRefusals(t *testing.T, header, reason string, bad []string, twice [2]string) {
	e := newEnv(t, hub.ConnConfig{})
	id := e.registered(t)
	token := e.token(t)
	for _, v := range bad {
		t.Run(v, func(t *testing.T) {
			resp := e.sendWith(t, token, id, `{"data":{}}`, header, v)
			var eb adm.ErrorBody
			decode(t, resp, http.StatusBadRequest, &eb)
			if eb.Reason != reason {
				t.Errorf("reason = %q, want %q", eb.Reason, reason)
			}
			if v := resp.Header.Get(adm.HeaderDelivery); v != "" {
				t.Errorf("a refusal carries %s: %s", adm.HeaderDelivery, v)
			}
		})
	}
	t.Run("header twice", func(t *testing.T) {
		req := e.sendRequest(t, token, id, `{"data":{}}`)
		req.Header.Add(header, twice[0])
		req.Header.Add(header, twice[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var eb adm.ErrorBody
		decode(t, resp, http.StatusBadRequest, &eb)
	})
	if st := e.status(t, id); st.Pending != 0 {
		t.Errorf("refused sends left %d pending", st.Pending)
	}
}

// TestSendReceiptWireGolden pins the bytes of answers with a receipt; the
// plain ADM answers (TestSendWireGolden) carry no extension header.
func TestSendReceiptWireGolden(t *testing.T) {
	e := newEnvConfig(t, server.Config{NewRequestID: fixedRequestID})
	id := e.registered(t)
	token := e.token(t)
	tests := []struct{ name, receipt, body string }{
		{"receipt-queued", "wait=0", `{"data":{"a":"1","b":"2"}}`},
		{"receipt-discarded", "wait=1;discard", `{"data":{"a":"1","b":"2"}}`},
		{"receipt-invalid", "wait=5000", `{"data":{"a":"1","b":"2"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, tt.name, wire(t, e.sendReceipt(t, token, id, tt.receipt, tt.body)))
		})
	}
}
