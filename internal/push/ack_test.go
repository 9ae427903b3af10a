package push_test

import (
	"testing"

	"livingroom/internal/push"
)

// DecodeAck takes exactly the acks Encode writes with a plain id, and leaves
// everything else (other frames, other spellings, escapes, garbage) to
// Decode.
func TestDecodeAck(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		wantID string
		wantOK bool
	}{
		{"as encoded", `{"type":"ack","messageId":"00000000-0000-4000-8000-000000000001"}`, "00000000-0000-4000-8000-000000000001", true},
		{"one character id", `{"type":"ack","messageId":"m"}`, "m", true},
		{"empty id", `{"type":"ack","messageId":""}`, "", false},
		{"no id", `{"type":"ack"}`, "", false},
		{"fields swapped", `{"messageId":"m","type":"ack"}`, "", false},
		{"spaces", `{"type": "ack", "messageId": "m"}`, "", false},
		{"escaped quote in id", `{"type":"ack","messageId":"a\"b"}`, "", false},
		{"escape in id", `{"type":"ack","messageId":"a\u0041"}`, "", false},
		{"utf-8 in id", `{"type":"ack","messageId":"é"}`, "", false},
		{"control in id", "{\"type\":\"ack\",\"messageId\":\"a\tb\"}", "", false},
		{"quote ends the id early", `{"type":"ack","messageId":"a","x":"b"}`, "", false},
		{"another type", `{"type":"message","messageId":"m"}`, "", false},
		{"trailing bytes", `{"type":"ack","messageId":"m"} `, "", false},
		{"truncated", `{"type":"ack","messageId":"m`, "", false},
		{"empty", ``, "", false},
		{"garbage", `not json at all, not json at all`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, ok := push.DecodeAck([]byte(tt.in))
			if id != tt.wantID || ok != tt.wantOK {
				t.Errorf("DecodeAck(%s) = %q, %v; want %q, %v", tt.in, id, ok, tt.wantID, tt.wantOK)
			}
		})
	}
}

// Whatever DecodeAck takes, Decode reads the same way: an ack of that id.
func FuzzDecodeAck(f *testing.F) {
	for _, s := range []string{
		`{"type":"ack","messageId":"m"}`, `{"type":"ack","messageId":"a\"b"}`, `{"type":"ack","messageId":""}`,
		`{"type":"message","messageId":"m"}`, `{"type":"ack","messageId":"a","x":"b"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		id, ok := push.DecodeAck(b)
		if !ok {
			return
		}
		fr, err := push.Decode(b)
		if err != nil || fr.Type != push.TypeAck || fr.MessageID != id {
			t.Fatalf("DecodeAck(%q) = %q, but Decode = %+v, %v", b, id, fr, err)
		}
	})
}
