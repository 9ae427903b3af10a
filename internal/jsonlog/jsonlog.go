// Package jsonlog is the Lambdas' log/slog adapter: one JSON object per
// line, with the attributes a request put in its context (its messageId and
// correlation token) added to every line logged under that context, and
// credentials redacted by key wherever they appear.
//
// Domain packages do not import it: they log with *slog.Logger and, to tag
// a request, call a func(ctx, ...slog.Attr) context.Context they declare
// themselves, which the Lambda wires to With.
package jsonlog

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
)

// Redacted replaces the value of a credential-named attribute.
const Redacted = "[redacted]"

// secretKeys are attribute keys (compared case-insensitively, ignoring
// '_' and '-') whose values never reach a log line.
var secretKeys = []string{
	"token", "accesstoken", "refreshtoken", "bearertoken", "authorization",
	"clientsecret", "secret", "password", "code", "grantcode", "apikey", "cookie",
}

type ctxKey struct{}

// With returns ctx carrying attrs, which every line logged with a context
// derived from it adds (after the line's own attributes; a key the line
// already has is not repeated). Later calls add to earlier ones.
func With(ctx context.Context, attrs ...slog.Attr) context.Context {
	if len(attrs) == 0 {
		return ctx
	}
	prev, _ := ctx.Value(ctxKey{}).([]slog.Attr)
	return context.WithValue(ctx, ctxKey{}, append(slices.Clip(prev), attrs...))
}

// FromContext returns the attributes With put in ctx.
func FromContext(ctx context.Context) []slog.Attr {
	attrs, _ := ctx.Value(ctxKey{}).([]slog.Attr)
	return attrs
}

// New returns a JSON logger writing to w at level.
func New(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(NewHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: redact})))
}

// ParseLevel reads a level name (debug, info, warn, error; any case); an
// empty or unknown name is info.
func ParseLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		return slog.LevelInfo
	}
	return l
}

// redact is the JSON handler's ReplaceAttr: credential-named keys lose
// their value, in any group.
func redact(_ []string, a slog.Attr) slog.Attr {
	if isSecret(a.Key) && a.Value.Kind() != slog.KindGroup {
		return slog.String(a.Key, Redacted)
	}
	return a
}

func isSecret(key string) bool {
	k := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(key))
	return slices.Contains(secretKeys, k)
}

// Handler adds the context's attributes to each record.
type Handler struct {
	inner slog.Handler
	keys  []string // top-level keys added by WithAttrs, not repeated
	group bool     // WithGroup was called: context attributes would nest
}

// NewHandler wraps inner.
func NewHandler(inner slog.Handler) *Handler { return &Handler{inner: inner} }

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	extra := FromContext(ctx)
	if len(extra) > 0 {
		have := slices.Clone(h.keys)
		r.Attrs(func(a slog.Attr) bool {
			have = append(have, a.Key)
			return true
		})
		r = r.Clone()
		for _, a := range extra {
			if !slices.Contains(have, a.Key) {
				r.AddAttrs(a)
				have = append(have, a.Key)
			}
		}
	}
	return h.inner.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	keys := slices.Clone(h.keys)
	if !h.group {
		for _, a := range attrs {
			keys = append(keys, a.Key)
		}
	}
	return &Handler{inner: h.inner.WithAttrs(attrs), keys: keys, group: h.group}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &Handler{inner: h.inner.WithGroup(name), keys: h.keys, group: true}
}
