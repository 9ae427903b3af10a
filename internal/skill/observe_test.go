package skill_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"livingroom/internal/skill"
	"livingroom/internal/vsk"
)

// recorder is a slog.Handler keeping each record's attributes, those of
// With and those the Tagger put in the context, flattened to key=value.
type recorder struct {
	mu    *sync.Mutex
	lines *[]map[string]string
	with  []slog.Attr
}

type tagKey struct{}

func tag(ctx context.Context, attrs ...slog.Attr) context.Context {
	prev, _ := ctx.Value(tagKey{}).([]slog.Attr)
	return context.WithValue(ctx, tagKey{}, append(slices.Clip(prev), attrs...))
}

func (r recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r recorder) WithGroup(string) slog.Handler            { return r }
func (r recorder) WithAttrs(as []slog.Attr) slog.Handler {
	return recorder{mu: r.mu, lines: r.lines, with: append(slices.Clip(r.with), as...)}
}
func (r recorder) Handle(ctx context.Context, rec slog.Record) error {
	line := map[string]string{"msg": rec.Message}
	add := func(a slog.Attr) bool { line[a.Key] = a.Value.String(); return true }
	for _, a := range r.with {
		add(a)
	}
	rec.Attrs(add)
	tags, _ := ctx.Value(tagKey{}).([]slog.Attr)
	for _, a := range tags {
		add(a)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	*r.lines = append(*r.lines, line)
	return nil
}

type metric struct {
	name, alexaError string
	took             time.Duration
}

type metrics struct {
	mu  sync.Mutex
	got []metric
}

func (m *metrics) Directive(name, alexaError string, took time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.got = append(m.got, metric{name, alexaError, took})
}

// TestEveryLineCarriesTheDirective runs every golden request and checks
// that each log line written while it ran names its messageId and
// correlation token, that no credential of the fixtures reaches the log,
// and that exactly one metric is recorded per directive, with the error
// type of the reply.
func TestEveryLineCarriesTheDirective(t *testing.T) {
	requests, err := filepath.Glob("testdata/*.request.json")
	if err != nil || len(requests) == 0 {
		t.Fatalf("no requests: %v", err)
	}
	secrets := []string{"access-token-from-skill", "token-without-plan", "token-on-demand", "expired-token", "good-code"}
	for _, reqPath := range requests {
		name := strings.TrimSuffix(filepath.Base(reqPath), ".request.json")
		t.Run(name, func(t *testing.T) {
			var lines []map[string]string
			m := &metrics{}
			h, _ := newHandler(t, func(c *skill.Config) {
				c.Logger = slog.New(recorder{mu: &sync.Mutex{}, lines: &lines})
				c.Metrics = m
				c.Tag = tag
			})
			raw, err := os.ReadFile(reqPath)
			if err != nil {
				t.Fatal(err)
			}
			var req vsk.Request
			_ = json.Unmarshal(raw, &req)
			msg, err := h.Handle(context.Background(), raw)
			if err != nil {
				t.Fatal(err)
			}
			hd := req.Directive.Header
			for _, l := range lines {
				if hd.Namespace != "" && (l["messageId"] != hd.MessageID || l["correlationToken"] != hd.CorrelationToken) {
					t.Errorf("line %v lacks messageId %q / correlationToken %q", l, hd.MessageID, hd.CorrelationToken)
				}
				for _, s := range secrets {
					if strings.Contains(fmt.Sprint(l), s) {
						t.Errorf("line %v holds the credential %q", l, s)
					}
				}
			}
			if len(m.got) != 1 {
				t.Fatalf("metrics = %v, want one", m.got)
			}
			wantErr := ""
			if msg.Event.Header.Name == vsk.ErrorResponseName {
				b, _ := json.Marshal(msg.Event.Payload)
				var p struct{ Type string }
				_ = json.Unmarshal(b, &p)
				wantErr = p.Type
			}
			if m.got[0].alexaError != wantErr {
				t.Errorf("metric error type = %q, want %q", m.got[0].alexaError, wantErr)
			}
			if hd.Namespace != "" && m.got[0].name != hd.Namespace+"."+hd.Name && m.got[0].name != "unsupported" {
				t.Errorf("metric name = %q", m.got[0].name)
			}
		})
	}
}
