package deviceapi_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"livingroom/internal/account"
	"livingroom/internal/account/accounttest"
	"livingroom/internal/device"
	"livingroom/internal/device/devicetest"
	"livingroom/internal/deviceapi"
)

type reqMetric struct {
	route  string
	status int
}

type reqMetrics struct{ got []reqMetric }

func (m *reqMetrics) Request(route string, status int, _ time.Duration) {
	m.got = append(m.got, reqMetric{route, status})
}

type tagKey struct{}

type tagging struct{ slog.Handler }

func (h tagging) Handle(ctx context.Context, r slog.Record) error {
	tags, _ := ctx.Value(tagKey{}).([]slog.Attr)
	r.AddAttrs(tags...)
	return h.Handler.Handle(ctx, r)
}

func tag(ctx context.Context, attrs ...slog.Attr) context.Context {
	prev, _ := ctx.Value(tagKey{}).([]slog.Attr)
	return context.WithValue(ctx, tagKey{}, append(slices.Clip(prev), attrs...))
}

// TestMetricsAndRequestID: one metric per request with a templated route
// (never the endpoint id from the path), every log line tagged with the
// request id, no bearer token in the log.
func TestMetricsAndRequestID(t *testing.T) {
	now := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	accounts := account.NewService(accounttest.NewStore(), clock)
	if err := accounts.Create(context.Background(), account.Account{ID: "acc-dev", Plan: "premium"}, "dev-token", time.Hour); err != nil {
		t.Fatal(err)
	}
	devices := device.NewService(devicetest.NewStore(), nil, clock, func() string { return "id" }).WithStates(devicetest.NewStateStore())
	var buf bytes.Buffer
	m := &reqMetrics{}
	h := deviceapi.NewHandler(accounts, devices, slog.New(tagging{slog.NewJSONHandler(&buf, nil)})).WithObservability(m, tag, clock)
	cases := []struct {
		method, path, token, body string
		route                     string
		status                    int
	}{
		{"POST", "/v1/devices", "dev-token", `{"endpointId":"tv-1","registrationId":"reg-1"}`, "POST /v1/devices", 201},
		{"GET", "/v1/devices/", "dev-token", "", "GET /v1/devices", 200},
		{"GET", "/v1/devices/tv-1/state", "dev-token", "", "GET /v1/devices/{endpointId}/state", 404},
		{"PUT", "/v1/devices/tv-9/state", "wrong-token", `{}`, "PUT /v1/devices/{endpointId}/state", 401},
		{"DELETE", "/v1/devices/tv-1", "dev-token", "", "DELETE /v1/devices/{endpointId}", 204},
		{"PATCH", "/v1/devices/tv-1", "dev-token", "", "other", 405},
		{"GET", "/admin", "dev-token", "", "other", 404},
	}
	for i, c := range cases {
		req := request(c.method, c.path, c.token, c.body)
		req.RequestContext.RequestID = "req-" + strings.Repeat("x", i)
		resp, err := h.Handle(context.Background(), req)
		if err != nil || resp.StatusCode != c.status {
			t.Fatalf("%s %s = %d, %v; want %d", c.method, c.path, resp.StatusCode, err, c.status)
		}
		if got := m.got[len(m.got)-1]; got != (reqMetric{c.route, c.status}) {
			t.Errorf("%s %s: metric %+v, want %s %d", c.method, c.path, got, c.route, c.status)
		}
	}
	if len(m.got) != len(cases) {
		t.Errorf("metrics = %d, want %d", len(m.got), len(cases))
	}
	out := strings.TrimSpace(buf.String())
	if out == "" {
		t.Fatal("nothing logged")
	}
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, `"requestId":"req-`) {
			t.Errorf("line without requestId: %s", line)
		}
		if strings.Contains(line, "dev-token") || strings.Contains(line, "wrong-token") {
			t.Errorf("bearer token logged: %s", line)
		}
	}
}
