package skill_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"livingroom/internal/vsk/vsktest"
)

// seedDirectives returns Amazon's sample directives when the official
// examples are beside the schema, and the project's golden requests always.
func seedDirectives(t testing.TB) [][]byte {
	var files []string
	if schema, err := vsktest.SchemaPath(); err == nil {
		official, _ := filepath.Glob(filepath.Join(filepath.Dir(filepath.Dir(schema)), "examples", "*.request.json"))
		files = append(files, official...)
	}
	ours, _ := filepath.Glob("testdata/*.request.json")
	files = append(files, ours...)
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzInvoke: whatever bytes arrive, the skill answers with one bounded,
// valid Alexa message and never a Lambda error.
func FuzzInvoke(f *testing.F) {
	for _, seed := range seedDirectives(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		h, _ := newHandler(t)
		out, err := h.Invoke(context.Background(), raw)
		if err != nil {
			t.Fatalf("Lambda error: %v", err)
		}
		if err := vsktest.CheckAvailable(out); err != nil {
			t.Fatalf("invalid reply: %v\n%s", err, out)
		}
		if len(out) > 32<<10 {
			t.Fatalf("reply of %d bytes", len(out))
		}
	})
}
