package customskill_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzInvoke: whatever arrives, the handler answers a well-formed response
// and never a Lambda error.
func FuzzInvoke(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.request.json")
	for _, file := range files {
		if raw, err := os.ReadFile(file); err == nil && len(raw) < 8<<10 {
			f.Add(raw)
		}
	}
	h, _ := newHandler(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := h.Invoke(context.Background(), raw)
		if err != nil {
			t.Fatalf("Lambda error: %v", err)
		}
		checkResponse(t, out)
	})
}
