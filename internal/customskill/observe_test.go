package customskill_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"livingroom/internal/customskill"
)

type tagKey struct{}

// tagging is a JSON handler that adds the attributes tag put in the context.
type tagging struct{ slog.Handler }

func (h tagging) Handle(ctx context.Context, r slog.Record) error {
	tags, _ := ctx.Value(tagKey{}).([]slog.Attr)
	r.AddAttrs(tags...)
	return h.Handler.Handle(ctx, r)
}
func (h tagging) WithAttrs(as []slog.Attr) slog.Handler { return tagging{h.Handler.WithAttrs(as)} }

func tag(ctx context.Context, attrs ...slog.Attr) context.Context {
	prev, _ := ctx.Value(tagKey{}).([]slog.Attr)
	return context.WithValue(ctx, tagKey{}, append(slices.Clip(prev), attrs...))
}

type counted struct{ names, failures []string }

func (c *counted) Directive(name, failure string, _ time.Duration) {
	c.names = append(c.names, name)
	c.failures = append(c.failures, failure)
}

// TestEveryLineCarriesTheRequest: each log line of a decoded request names
// its requestId, no access token is logged, and one metric per request
// with a bounded name.
func TestEveryLineCarriesTheRequest(t *testing.T) {
	files, err := filepath.Glob("testdata/*.request.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no requests: %v", err)
	}
	bounded := []string{"invalid", "unknown", "LaunchRequest", "SessionEndedRequest", "AMAZON.FallbackIntent", "AMAZON.HelpIntent",
		"AMAZON.StopIntent", "AMAZON.CancelIntent", customskill.IntentWhatsPlaying, customskill.IntentPlayTitle, customskill.IntentPause,
		customskill.IntentResume, customskill.IntentWhatsNew, customskill.IntentContinue, customskill.IntentChooseTV}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".request.json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			c := &counted{}
			h, _ := newHandler(t, func(cfg *customskill.Config) {
				cfg.Logger = slog.New(tagging{slog.NewJSONHandler(&buf, nil)})
				cfg.Metrics = c
				cfg.Tag = tag
			})
			if _, err := h.Invoke(context.Background(), raw); err != nil {
				t.Fatal(err)
			}
			var req struct {
				Request struct{ RequestID string }
			}
			_ = json.Unmarshal(raw, &req)
			for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				if line == "" {
					continue
				}
				if req.Request.RequestID != "" && strings.Count(line, `"requestId":"`+req.Request.RequestID+`"`) == 0 {
					t.Errorf("line lacks requestId %q: %s", req.Request.RequestID, line)
				}
				if strings.Contains(line, `"tok-`) || strings.Contains(line, ` tok-`) {
					t.Errorf("access token logged: %s", line)
				}
			}
			if len(c.names) != 1 || !slices.Contains(bounded, c.names[0]) {
				t.Errorf("metrics = %v, want one with a bounded name", c.names)
			}
		})
	}
}
