package skill_test

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkSearchAndPlay measures one SearchAndPlay by title through the
// whole handler (decode, bounds, idempotency claim and save, token, device,
// title resolution, send, encode) over the in-memory stores. Each iteration
// has its own message id, so none is a replay.
func BenchmarkSearchAndPlay(b *testing.B) {
	h, _ := newHandler(b)
	raws := make([][]byte, b.N)
	for i := range raws {
		raws[i] = directive("Alexa.RemoteVideoPlayer", "SearchAndPlay", fmt.Sprintf("bench-%d", i), "c",
			bearer("access-token-from-skill", "endpoint-001"), searchTitle("The Handmaid's Tale"))
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := h.Invoke(ctx, raws[i]); err != nil {
			b.Fatal(err)
		}
	}
}
