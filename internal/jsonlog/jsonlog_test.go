package jsonlog

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q is not JSON: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func TestContextAttributesOnEveryLine(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, slog.LevelDebug)
	ctx := With(context.Background(), slog.String("messageId", "m-1"), slog.String("correlationToken", "c-1"))
	ctx = With(ctx, slog.String("account", "a-1"))
	log.InfoContext(ctx, "first")
	log.With("directive", "Alexa.PowerController.TurnOn").WarnContext(ctx, "second", "n", 2)
	log.WithGroup("store").ErrorContext(ctx, "third", "table", "accounts")
	log.Info("no context") // context.Background: nothing added
	got := lines(t, &buf)
	if len(got) != 4 {
		t.Fatalf("lines = %d, want 4", len(got))
	}
	for _, l := range got[:2] {
		if l["messageId"] != "m-1" || l["correlationToken"] != "c-1" || l["account"] != "a-1" {
			t.Errorf("line %v lacks the context's attributes", l)
		}
	}
	if g, _ := got[2]["store"].(map[string]any); g == nil || g["messageId"] != "m-1" || g["table"] != "accounts" {
		t.Errorf("grouped line = %v, want the context's attributes in the group", got[2])
	}
	if _, ok := got[3]["messageId"]; ok {
		t.Errorf("line without context has messageId: %v", got[3])
	}
}

func TestKeysNotRepeated(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, slog.LevelInfo)
	ctx := With(context.Background(), slog.String("messageId", "ctx"), slog.String("correlationToken", "c"))
	log.With("messageId", "with").InfoContext(ctx, "a")
	log.InfoContext(ctx, "b", "correlationToken", "record")
	out := buf.String()
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.Count(l, `"messageId"`) != 1 || strings.Count(l, `"correlationToken"`) != 1 {
			t.Errorf("line repeats a key: %s", l)
		}
	}
	got := lines(t, &buf)
	if got[0]["messageId"] != "with" || got[1]["correlationToken"] != "record" || got[1]["messageId"] != "ctx" {
		t.Errorf("lines = %v", got)
	}
}

func TestRedaction(t *testing.T) {
	const secret = "Atza|do-not-log-me"
	tests := []struct {
		name string
		log  func(*slog.Logger)
	}{
		{"token", func(l *slog.Logger) { l.Info("x", "token", secret) }},
		{"access_token", func(l *slog.Logger) { l.Info("x", "access_token", secret) }},
		{"Authorization", func(l *slog.Logger) { l.Info("x", "Authorization", "Bearer "+secret) }},
		{"client-secret in a group", func(l *slog.Logger) { l.Info("x", slog.Group("lwa", "client-secret", secret)) }},
		{"code via With", func(l *slog.Logger) { l.With("code", secret).Info("x") }},
		{"in the context", func(l *slog.Logger) {
			l.InfoContext(With(context.Background(), slog.String("refreshToken", secret)), "x")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(New(&buf, slog.LevelInfo))
			if strings.Contains(buf.String(), "do-not-log-me") {
				t.Errorf("secret logged: %s", buf.String())
			}
			if !strings.Contains(buf.String(), Redacted) {
				t.Errorf("no redaction marker: %s", buf.String())
			}
		})
	}
	var buf bytes.Buffer
	New(&buf, slog.LevelInfo).Info("x", "correlationToken", "kept", "tokens", 3)
	if !strings.Contains(buf.String(), `"correlationToken":"kept"`) || !strings.Contains(buf.String(), `"tokens":3`) {
		t.Errorf("non-secret keys redacted: %s", buf.String())
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{
		"": slog.LevelInfo, "debug": slog.LevelDebug, "WARN": slog.LevelWarn, " error ": slog.LevelError, "loud": slog.LevelInfo,
	} {
		if got := ParseLevel(in); got != want {
			t.Errorf("ParseLevel(%q) = %v, want %v", in, got, want)
		}
	}
}
