// Package tracehops reports the steps a process timed for one utterance to
// alexa-sim's trace store (POST /v1/traces/{id}/hops), so that the local
// stack shows where every millisecond of a voice command went. Only a hops
// URL under the configured base is ever called: the URL arrives in the
// invoke's client context, which the process must not trust further.
package tracehops

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Keys of the Lambda client context that carry a trace (alexa-sim sets them).
const (
	ContextTraceID = "livingroom-trace-id"
	ContextHopsURL = "livingroom-trace-hops-url"
)

// Hop is one timed step, as alexa-sim's trace API takes it.
type Hop struct {
	Name    string    `json:"name"`
	Process string    `json:"process"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Detail  string    `json:"detail,omitempty"`
}

// MaxHops bounds one report.
const MaxHops = 32

// Reporter posts hops. The zero Base disables it.
type Reporter struct {
	Base    string // only URLs under it are called, e.g. http://127.0.0.1:8300/v1/traces/
	Client  *http.Client
	Timeout time.Duration // one report's deadline
}

// Allowed reports whether hopsURL may be called.
func (r *Reporter) Allowed(hopsURL string) bool {
	if r == nil || r.Base == "" || !strings.HasPrefix(hopsURL, r.Base) {
		return false
	}
	rest := hopsURL[len(r.Base):]
	id, ok := strings.CutSuffix(rest, "/hops")
	if !ok || id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '-') {
			return false
		}
	}
	return true
}

// Report posts hops to hopsURL if it is allowed.
func (r *Reporter) Report(ctx context.Context, hopsURL string, hops []Hop) error {
	if !r.Allowed(hopsURL) {
		return fmt.Errorf("report hops: url not under %q", r.Base)
	}
	if len(hops) == 0 {
		return nil
	}
	if len(hops) > MaxHops {
		hops = hops[:MaxHops]
	}
	body, err := json.Marshal(struct {
		Hops []Hop `json:"hops"`
	}{hops})
	if err != nil {
		return fmt.Errorf("report hops: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hopsURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("report hops: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.Client.Do(req)
	if err != nil {
		return fmt.Errorf("report hops: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("report hops: status %d", resp.StatusCode)
	}
	return nil
}
