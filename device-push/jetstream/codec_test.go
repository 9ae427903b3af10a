package jetstream

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"livingroom/device-push/hub"
)

func TestTokenRoundTrip(t *testing.T) {
	issued := hub.RegistrationPrefix + strings.Repeat("A", 42) + "Q"
	if !hub.ValidRegistrationID(issued) {
		t.Fatalf("test id %q is not valid", issued)
	}
	tests := []struct {
		id, token string
	}{
		{id: issued, token: strings.Repeat("A", 42) + "Q"},
		{id: "reg-a", token: "=cmVnLWE"},
		{id: "", token: "="},
		{id: "has.dots and spaces>*", token: "=aGFzLmRvdHMgYW5kIHNwYWNlcz4q"},
		// The prefix without a valid tail is not shortened.
		{id: hub.RegistrationPrefix + "short", token: "=YW16bjEuYWRtLXJlZ2lzdHJhdGlvbi52My5zaG9ydA"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			tok := token(tt.id)
			if tok != tt.token {
				t.Errorf("token(%q) = %q, want %q", tt.id, tok, tt.token)
			}
			if strings.ContainsAny(tok, ".*> \t") {
				t.Errorf("token %q is not one subject token", tok)
			}
			id, err := idOf(tok)
			if err != nil || id != tt.id {
				t.Errorf("idOf(%q) = %q, %v; want %q", tok, id, err, tt.id)
			}
			for _, ck := range []string{"", "volume", "a.b>c"} {
				subj := messageSubject(tt.id, ck)
				if got, err := idFromSubject(subj); err != nil || got != tt.id {
					t.Errorf("idFromSubject(%q) = %q, %v", subj, got, err)
				}
				if !strings.HasPrefix(subj, strings.TrimSuffix(deviceFilter(tt.id), ">")) {
					t.Errorf("subject %q is outside the device filter %q", subj, deviceFilter(tt.id))
				}
			}
		})
	}
}

func TestBadTokensAndSubjects(t *testing.T) {
	for _, tok := range []string{"=!!", "short", strings.Repeat("A", 44)} {
		if id, err := idOf(tok); err == nil {
			t.Errorf("idOf(%q) = %q, want an error", tok, id)
		}
	}
	for _, subj := range []string{"", "adm.msg", "adm.msg.00.=cmVnLWE", "other.msg.00.=cmVnLWE.m", "adm.msg.00.!!.m"} {
		if id, err := idFromSubject(subj); err == nil {
			t.Errorf("idFromSubject(%q) = %q, want an error", subj, id)
		}
	}
}

func TestPayloadRoundTrip(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	m := hub.Message{ID: "req-1", ConsolidationKey: "volume", SentAt: t0, ExpiresAt: t0.Add(time.Hour), Frame: []byte(`{"type":"message"}`)}
	got, err := decodePayload(encodePayload(m))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != m.ID || got.ConsolidationKey != m.ConsolidationKey || !got.SentAt.Equal(m.SentAt) ||
		!got.ExpiresAt.Equal(m.ExpiresAt) || !bytes.Equal(got.Frame, m.Frame) {
		t.Errorf("decoded %+v, want %+v", got, m)
	}
}

func TestBadPayloads(t *testing.T) {
	good := encodePayload(hub.Message{ID: "id", ConsolidationKey: "k", Frame: []byte("f")})
	tests := map[string][]byte{
		"empty":         nil,
		"short":         good[:10],
		"version":       append([]byte{9}, good[1:]...),
		"id cut":        good[:18],
		"id too long":   append(append([]byte{}, good[:17]...), 0xff, 0xff, 0x03),
		"key past end":  append(append([]byte{}, good[:20]...), 50),
		"varint broken": append(append([]byte{}, good[:17]...), 0x80),
	}
	for name, b := range tests {
		if m, err := decodePayload(b); err == nil {
			t.Errorf("%s: decoded %+v, want an error", name, m)
		}
	}
}

func TestTTL(t *testing.T) {
	t0 := time.Now()
	for _, tt := range []struct {
		life time.Duration
		want time.Duration
	}{
		{-time.Hour, time.Second}, {0, time.Second}, {time.Millisecond, time.Second},
		{1500 * time.Millisecond, 2 * time.Second}, {time.Hour, time.Hour}, {31 * 24 * time.Hour, 31 * 24 * time.Hour},
	} {
		if got := ttl(hub.Message{SentAt: t0, ExpiresAt: t0.Add(tt.life)}); got != tt.want {
			t.Errorf("ttl(%v) = %v, want %v", tt.life, got, tt.want)
		}
	}
}

// FuzzDecodePayload: whatever is in the stream, decoding neither panics nor
// returns a frame outside the input.
func FuzzDecodePayload(f *testing.F) {
	f.Add(encodePayload(hub.Message{ID: "id", ConsolidationKey: "k", Frame: []byte("frame")}))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodePayload(b)
		if err != nil {
			return
		}
		if len(m.Frame) > len(b) || len(m.ID) > maxIDBytes || len(m.ConsolidationKey) > maxIDBytes {
			t.Fatalf("decoded beyond the input: %+v", m)
		}
		if again, err := decodePayload(encodePayload(m)); err != nil || again.ID != m.ID || !bytes.Equal(again.Frame, m.Frame) {
			t.Fatalf("re-encoding %+v: %+v, %v", m, again, err)
		}
	})
}
