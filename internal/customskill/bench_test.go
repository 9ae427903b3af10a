package customskill_test

import (
	"context"
	"os"
	"testing"
)

// BenchmarkInvoke measures the handler over in-memory stores: decoding,
// authentication (token cache off), the TV lookup, the state read and the
// SSML reply of "what's playing".
func BenchmarkInvoke(b *testing.B) {
	raw, err := os.ReadFile("testdata/whats-playing.request.json")
	if err != nil {
		b.Fatal(err)
	}
	h, _ := newHandler(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Invoke(ctx, raw); err != nil {
			b.Fatal(err)
		}
	}
}
