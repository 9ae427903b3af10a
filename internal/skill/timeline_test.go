package skill_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"livingroom/internal/skill"
)

// Every step of a directive shows in its timeline: what was read, what was
// sent, and the idempotency writes around them.
func TestTimelineNamesEveryStep(t *testing.T) {
	cases := []struct {
		request string
		want    []string
	}{
		{"pause", []string{"idempotency claim", "authenticate", "device and state read", "send PAUSE", "reply save"}},
		{"search-by-title", []string{"idempotency claim", "authenticate", "device and state read", "catalog resolve", "send PLAY_CONTENT", "reply save"}},
		{"report-state", []string{"authenticate", "device and state read"}},
	}
	for _, c := range cases {
		t.Run(c.request, func(t *testing.T) {
			h, notifier := newHandler(t)
			raw, err := os.ReadFile(filepath.Join("testdata", c.request+".request.json"))
			if err != nil {
				t.Fatal(err)
			}
			tl := &skill.Timeline{}
			if _, err := h.Invoke(skill.WithTimeline(context.Background(), tl), raw); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range tl.Spans() {
				if s.End.Before(s.Start) {
					t.Errorf("span %s ends before it starts", s.Name)
				}
				names = append(names, s.Name)
			}
			for _, w := range c.want {
				if !slices.Contains(names, w) {
					t.Errorf("timeline %v lacks %q", names, w)
				}
			}
			// The same directive again is answered from the stored reply;
			// a send it makes before its claim is lost carries the first
			// copy's action id, which device messaging delivers once.
			sent := len(notifier.Sent())
			tl = &skill.Timeline{}
			if _, err := h.Invoke(skill.WithTimeline(context.Background(), tl), raw); err != nil {
				t.Fatal(err)
			}
			if n := len(notifier.Sent()); n != sent {
				t.Errorf("replay reached the TV again: %d actions, want %d; timeline %v", n, sent, tl.Spans())
			}
		})
	}
}
