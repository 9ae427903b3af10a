package server

import (
	"encoding/json"
	"testing"

	"livingroom/internal/push"
)

// BenchmarkMessageFrame measures turning a send's data (a play action, 10
// fields) into the device's message frame, validation included: decoded to
// a map and re-encoded (the way before), or validated and its bytes copied
// into the frame (EncodeMessage). Run with:
//
//	go test -run '^$' -bench MessageFrame ./device-push/server/
func BenchmarkMessageFrame(b *testing.B) {
	raw := json.RawMessage(`{"type":"PLAY_CONTENT","id":"5f0c6a1e-6f7b-4f57-9d7f-3f2f0b8c1a2d","time":"2026-01-02T03:04:05Z","contentId":"ep-1","title":"Offred","seriesId":"s-1","seriesTitle":"The Handmaid's Tale","season":"1","episode":"1","positionMs":"90000"}`)
	const id, md5 = "00000000-0000-4000-8000-000000000001", "Xvb142mSeo7pSjdDDASyeA=="
	b.Run("decode-and-re-encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(raw, &fields); err != nil {
				b.Fatal(err)
			}
			data := make(map[string]string, len(fields))
			for k, v := range fields {
				var s string
				if err := json.Unmarshal(v, &s); err != nil {
					b.Fatal(err)
				}
				data[k] = s
			}
			if _, err := push.Encode(push.Frame{Type: push.TypeMessage, MessageID: id, Data: data, MD5: md5, SentAtMs: 1767323045000}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("validated-bytes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, compact, ok := parseData(raw)
			if !ok {
				b.Fatal("refused")
			}
			push.EncodeMessage(make([]byte, 0, 256+len(compact)), push.Message{MessageID: id, Data: compact, MD5: md5, SentAtMs: 1767323045000})
		}
	})
}
