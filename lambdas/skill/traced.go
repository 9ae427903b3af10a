package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"livingroom/internal/skill"
	"livingroom/internal/tracehops"
)

// traced runs the skill and, when the invoke's client context names a trace
// (alexa-sim does locally), reports the directive's steps to it after the
// reply, so the report costs the voice command nothing.
type traced struct {
	skill    *skill.Handler
	reporter *tracehops.Reporter
	logger   *slog.Logger
}

func (t traced) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	hopsURL := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		hopsURL = lc.ClientContext.Custom[tracehops.ContextHopsURL]
	}
	if !t.reporter.Allowed(hopsURL) {
		return t.skill.Invoke(ctx, payload)
	}
	tl := &skill.Timeline{}
	out, err := t.skill.Invoke(skill.WithTimeline(ctx, tl), payload)
	spans := tl.Spans()
	hops := make([]tracehops.Hop, 0, len(spans))
	for _, s := range spans {
		h := tracehops.Hop{Name: s.Name, Process: "skill", Start: s.Start, End: s.End}
		if s.Failed {
			h.Detail = "failed"
		}
		hops = append(hops, h)
	}
	go func() {
		if err := t.reporter.Report(context.Background(), hopsURL, hops); err != nil {
			t.logger.Warn("trace hops not reported", "err", err)
		}
	}()
	return out, err
}

// hopsReporter reports to base (TRACE_HOPS_BASE); empty disables tracing.
func hopsReporter(base string) *tracehops.Reporter {
	return &tracehops.Reporter{Base: base, Client: &http.Client{}, Timeout: time.Second}
}
