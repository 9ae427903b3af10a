package export

import (
	"fmt"
	"testing"
)

func TestBloomNeverForgets(t *testing.T) {
	t.Parallel()
	b := newBloom()
	const n = 3 * bloomFirst // spans three filters
	falseMaybe := 0
	for i := range n {
		if b.add(fmt.Sprintf("movie-%d", i)) {
			falseMaybe++
		}
	}
	if len(b.filters) != 2 {
		t.Fatalf("%d filters for %d ids, want 2 (64k + 128k)", len(b.filters), n)
	}
	size := b.bytes()
	for i := 0; i < n; i += 997 {
		if !b.add(fmt.Sprintf("movie-%d", i)) {
			t.Fatalf("movie-%d added before, but the filter says no", i)
		}
	}
	// The rate is about 0.3% per filter; allow a wide margin.
	if rate := float64(falseMaybe) / n; rate > 0.01 {
		t.Fatalf("false maybe rate %.4f", rate)
	}
	if got, want := size, 3*bloomFirst*bloomBitsPerID/8; got != want {
		t.Fatalf("bloom holds %d bytes, want %d", got, want)
	}
}
