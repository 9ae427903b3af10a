package gateway

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"livingroom/internal/vsk"
)

// FuzzEvent: whatever is posted, the gateway answers one of its status
// codes with a well-formed body, never a 5xx, and registers endpoints only
// from an accepted AddOrUpdateReport.
func FuzzEvent(f *testing.F) {
	f.Add("Bearer t", `{"event":{"header":{"namespace":"Alexa.Discovery","name":"AddOrUpdateReport","messageId":"m","payloadVersion":"3"},"payload":{"endpoints":[{"endpointId":"tv-1","manufacturerName":"m","friendlyName":"f","description":"d","displayCategories":["TV"],"capabilities":[{"type":"AlexaInterface","interface":"Alexa","version":"3"}]}],"scope":{"type":"BearerToken","token":"x"}}}}`)
	f.Add("Bearer t", change("PHYSICAL_INTERACTION", `{"namespace":"Alexa.PowerController","name":"powerState","value":"ON",`+ts+`}`))
	f.Add("Bearer Atza|x", `{"event":{"header":{"namespace":"Alexa","name":"DeferredResponse","messageId":"m","correlationToken":"c","payloadVersion":"3"},"payload":{}}}`)
	f.Add("", `{}`)
	f.Add("Bearer t", `{"event":{"header":{}}}`)
	f.Add("Bearer t", `[`)
	if path, err := filepath.Glob(filepath.Join("..", "..", "..", "shared", "alexa", "examples", "*.json")); err == nil {
		for _, p := range path {
			if b, err := os.ReadFile(p); err == nil {
				f.Add("Bearer t", string(b))
			}
		}
	}
	f.Fuzz(func(t *testing.T, auth, body string) {
		reg := NewRegistry(func() time.Time { return epoch }, 3)
		h := NewHandler(reg, slog.New(slog.NewTextHandler(io.Discard, nil)), func() string { return "err-1" })
		h.Events = NewEventLog(func() time.Time { return epoch }, 3)
		req := httptest.NewRequest(http.MethodPost, "/v3/events", strings.NewReader(body))
		if auth != "" && !strings.ContainsAny(auth, "\r\n\x00") {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusAccepted:
			if rec.Body.Len() != 0 {
				t.Fatalf("202 with a body %q", rec.Body)
			}
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusRequestEntityTooLarge:
			var e exception
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Payload.Code == "" {
				t.Fatalf("%d with body %q", rec.Code, rec.Body)
			}
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		if reg.Len() > 0 {
			var env struct {
				Event struct{ Header vsk.Header } `json:"event"`
			}
			if json.Unmarshal([]byte(body), &env) != nil || env.Event.Header.Name != "AddOrUpdateReport" || rec.Code != http.StatusAccepted {
				t.Fatalf("registered from %d %q", rec.Code, body)
			}
		}
	})
}
