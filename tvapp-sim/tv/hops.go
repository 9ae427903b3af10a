package tv

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"livingroom/internal/push"
)

// hopTimeout bounds one post of trace hops; they are best effort.
const hopTimeout = time.Second

// traceHop is one hop of alexa-sim's trace of a voice command.
type traceHop struct {
	Name    string    `json:"name"`
	Process string    `json:"process"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Detail  string    `json:"detail,omitempty"`
}

// postHops tells alexa-sim, when the TV knows it (ALEXA_SIM_URL) and is
// not one of a quiet fleet, when device-push accepted the message (its own
// clock, carried in the frame) and when the TV received and applied it
// (the TV's clock): POST /v1/endpoints/{endpointId}/hops, which joins the
// trace of the last directive to this endpoint. In the background, once.
func (t *TV) postHops(f push.Frame, typ, actionID, outcome string, received, applied time.Time) {
	if t.cfg.AlexaURL == "" || t.cfg.Quiet {
		return
	}
	var hops []traceHop
	if f.SentAtMs > 0 {
		at := time.UnixMilli(f.SentAtMs).UTC()
		hops = append(hops, traceHop{Name: "device-push accepted", Process: "device-push", Start: at, End: at, Detail: "ADM message " + cut(f.MessageID, 64)})
	}
	hops = append(hops, traceHop{Name: "TV received and applied " + cut(typ, 32), Process: "tvapp-sim", Start: received.UTC(), End: applied.UTC(),
		Detail: "action " + cut(actionID, 64) + ": " + outcome})
	body, err := json.Marshal(struct {
		Hops []traceHop `json:"hops"`
	}{hops})
	if err != nil {
		return
	}
	u := strings.TrimSuffix(t.cfg.AlexaURL, "/") + "/v1/endpoints/" + url.PathEscape(t.cfg.EndpointID) + "/hops"
	client := t.cfg.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), hopTimeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.logger.Debug("trace hops not posted", "err", err)
			return
		}
		resp.Body.Close() // 404: no directive to this TV lately (a test, the console's buttons)
	}()
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
