package server

import (
	"testing"
	"time"
	"unicode/utf8"

	"livingroom/internal/adm"
)

// FuzzParseMessage: any body either is refused with one of ADM's reasons or
// yields a message within ADM's bounds.
func FuzzParseMessage(f *testing.F) {
	for _, seed := range []string{
		`{"data":{"a":"1"}}`, `{"data":{}}`, `{"notification":{"title":"t","body_loc_args":["a"]},"priority":"high"}`,
		`{"data":{"a":"1"},"expiresAfter":6e1,"consolidationKey":"k","md5":"x"}`, `{"data":null}`, `[`, ``,
		`{"notification":{"title_loc_args":[null]}}`, `{"data":{},"expiresAfter":"60"}`,
	} {
		f.Add([]byte(seed))
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		m, rej := parseMessage(body, now)
		if rej != nil {
			if rej.reason == "" || rej.status < 400 {
				t.Fatalf("refusal without a reason: %+v", rej)
			}
			return
		}
		if adm.DataSize(m.Data)+len(m.Notification) > adm.MaxDataBytes {
			t.Fatalf("accepted %d bytes", adm.DataSize(m.Data)+len(m.Notification))
		}
		if exp := m.ExpiresAt.Sub(now); exp < time.Second || exp > adm.MaxExpiresAfter*time.Second {
			t.Fatalf("expires after %v", exp)
		}
		if utf8.RuneCountInString(m.ConsolidationKey) > adm.MaxConsolidationKeyLen || (m.Priority != "" && m.Priority != adm.PriorityHigh) {
			t.Fatalf("accepted %+v", m)
		}
	})
}
