package server

import (
	"bytes"
	"encoding/json"
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
		// The frame carries the validated data bytes: they read back as
		// the data the checksum and the size were computed on.
		var back map[string]string
		if m.RawData == nil && len(m.Data) > 0 || m.RawData != nil && (json.Unmarshal(m.RawData, &back) != nil || len(back) != len(m.Data)) {
			t.Fatalf("raw data %q for %v", m.RawData, m.Data)
		}
		for k, v := range back {
			if m.Data[k] != v {
				t.Fatalf("raw data %q for %v", m.RawData, m.Data)
			}
		}
		if utf8.RuneCountInString(m.ConsolidationKey) > adm.MaxConsolidationKeyLen || (m.Priority != "" && m.Priority != adm.PriorityHigh) {
			t.Fatalf("accepted %+v", m)
		}
	})
}

// FuzzParseData: the hand-written scanner agrees with encoding/json on
// which data objects are accepted and what they hold, and its compact
// bytes are json.Compact's.
func FuzzParseData(f *testing.F) {
	for _, seed := range []string{
		`{"a":"1"}`, `{}`, ` { "a" : "\u00e9\"" , "b":"" } `, `{"a":"1","a":"2"}`, `{"a":1}`, `{"a":"\x01"}`,
		`{"a":"1",}`, `{"a":"1"} x`, `{"\ud800":"\\"}`, `{"a":"b\`, `null`, `[]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		data, compact, ok := parseData(raw)
		want, wantOK := referenceData(raw)
		if ok != wantOK {
			t.Fatalf("parseData(%q) ok = %v, encoding/json says %v", raw, ok, wantOK)
		}
		if !ok {
			return
		}
		if len(data) != len(want) {
			t.Fatalf("parseData(%q) = %v, want %v", raw, data, want)
		}
		for k, v := range want {
			if data[k] != v {
				t.Fatalf("parseData(%q) = %v, want %v", raw, data, want)
			}
		}
		var c bytes.Buffer
		if err := json.Compact(&c, raw); err != nil || c.String() != string(compact) {
			t.Fatalf("compact %q, want %q (%v)", compact, c.String(), err)
		}
	})
}

// referenceData is parseData by encoding/json's tokenizer.
func referenceData(raw []byte) (map[string]string, bool) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" || !utf8.Valid(raw) || !json.Valid(raw) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	data := map[string]string{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, false
		}
		v, err := dec.Token()
		if err != nil {
			return nil, false
		}
		value, isString := v.(string)
		if _, dup := data[k.(string)]; dup || !isString {
			return nil, false
		}
		data[k.(string)] = value
	}
	return data, true
}
