package nlu

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzParse: whatever is said, Parse answers an intent whose directive
// encodes, or one of its two errors; it never panics, and it refuses
// anything over its bounds.
func FuzzParse(f *testing.F) {
	for _, ph := range Phrases() {
		f.Add(ph.Example)
	}
	for _, s := range []string{"", "alexa", "watch the handmaid's tale s2e10", "tune to two oh six", "fast forward 999999 hours",
		"watch prey for the devil", "show me tom hanks movies", strings.Repeat("watch ", 50), "s1e1 s2e2 2x3 season season episode",
		"channel 00000000", "rewind a minute and a half and", "\xff\xfe", "watch 💀 & 💀", "go up 999 channels"} {
		f.Add(s)
	}
	p := New("livingroom")
	x := testIndex()
	f.Fuzz(func(t *testing.T, utterance string) {
		in, err := p.Parse(context.Background(), utterance, x)
		if err != nil {
			if !errors.Is(err, ErrNotUnderstood) && !errors.Is(err, ErrTooLong) {
				t.Fatalf("Parse(%q): unexpected error %v", utterance, err)
			}
			return
		}
		if len(utterance) > MaxUtteranceBytes {
			t.Fatalf("Parse accepted %d bytes", len(utterance))
		}
		req, err := in.Directive(testTarget, RandomIDs())
		if err != nil {
			t.Fatalf("Directive(%q): %v", utterance, err)
		}
		if _, err := json.Marshal(req); err != nil {
			t.Fatalf("marshal(%q): %v", utterance, err)
		}
		if in.Namespace == "" || in.Name == "" || in.Family == "" {
			t.Fatalf("Parse(%q) = incomplete intent %+v", utterance, in)
		}
	})
}
