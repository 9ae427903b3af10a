package gateway

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"livingroom/internal/vsk"
	"livingroom/internal/vsk/vsktest"
)

var (
	officialOnce sync.Once
	official     *SchemaValidator
	officialErr  error
)

// officialSchema loads the official schema, or nil when it is absent (a
// clone without the reference folder).
func officialSchema(t *testing.T) *SchemaValidator {
	t.Helper()
	officialOnce.Do(func() {
		path, err := vsktest.SchemaPath()
		if err != nil {
			officialErr = err
			return
		}
		official, officialErr = LoadSchema(path)
	})
	if officialErr != nil {
		if os.Getenv(vsktest.EnvSchema) != "" {
			t.Fatalf("%s is set but the schema does not load: %v", vsktest.EnvSchema, officialErr)
		}
		return nil
	}
	return official
}

func TestOfficialSchemaFound(t *testing.T) {
	if officialSchema(t) == nil {
		t.Skipf("official Alexa schema not found (%v): the gateway's schema checks are not exercised; set %s to enable them", officialErr, vsktest.EnvSchema)
	}
}

// sample reads one of Amazon's sample messages beside the schema.
func sample(t *testing.T, name string) string {
	t.Helper()
	path, err := vsktest.SchemaPath()
	if err != nil {
		t.Skip("official samples not found")
	}
	b, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(path)), "examples", name))
	if err != nil {
		t.Skipf("official sample %s not found", name)
	}
	return string(b)
}

func withEndpoint(t *testing.T, tok string, mutate func(*vsk.DiscoveryEndpoint)) string {
	t.Helper()
	ep := tv("tv-1", "Living Room TV", "reg-1")
	mutate(&ep)
	return report(t, tok, ep)
}

const (
	ts         = `"timeOfSample":"2017-09-27T18:30:30.45Z","uncertaintyInMilliseconds":200`
	changeHead = `{"event":{"header":{"namespace":"Alexa","name":"ChangeReport","messageId":"5f8a426e-01e4-4cc9-8b79-65f8bd0fd8a4","payloadVersion":"3"},` +
		`"endpoint":{"scope":{"type":"BearerToken","token":"tok-a"},"endpointId":"tv-1"},"payload":{"change":`
)

func change(cause, props string) string {
	return changeHead + `{"cause":{"type":"` + cause + `"},"properties":[` + props + `]}}}}`
}

func TestEventRules(t *testing.T) {
	t.Parallel()
	power := `{"namespace":"Alexa.PowerController","name":"powerState","value":"ON",` + ts + `}`
	playback := `{"namespace":"Alexa.PlaybackStateReporter","name":"playbackState","value":{"state":"PLAYING"},` + ts + `}`
	response := func(fields, payload string) string {
		return `{"event":{"header":{"namespace":"Alexa",` + fields + `,"messageId":"m-1","payloadVersion":"3"},` + payload + `}}`
	}
	tests := []struct {
		name   string
		body   string
		status int
		desc   string
		schema bool // decided by the official schema (skipped without it)
	}{
		{"ChangeReport", change("PHYSICAL_INTERACTION", power), 202, "", false},
		{"ChangeReport with playbackState", change("VOICE_INTERACTION", playback), 202, "", false},
		{"client library ChangeReport", strings.Replace(change("APP_INTERACTION", `{"namespace":"Alexa.Application","name":"isDownChannelReady","value":"True",`+ts+`}`), `"namespace":"Alexa","name":"ChangeReport"`, `"namespace":"Alexa.Application","name":"ChangeReport"`, 1), 202, "", false},
		{"DeferredResponse", response(`"name":"DeferredResponse","correlationToken":"abc"`, `"payload":{"estimatedDeferralInSeconds":20}`), 202, "", false},
		{"async Response", response(`"name":"Response","correlationToken":"abc"`, `"endpoint":{"scope":{"type":"BearerToken","token":"tok-a"},"endpointId":"tv-1"},"payload":{}`), 202, "", false},
		{"async ErrorResponse", response(`"name":"ErrorResponse","correlationToken":"abc"`, `"endpoint":{"endpointId":"tv-1"},"payload":{"type":"ENDPOINT_UNREACHABLE","message":"offline"}`), 202, "", false},
		{"KeypadController capability", withEndpoint(t, "tok-a", func(e *vsk.DiscoveryEndpoint) {
			e.Capabilities = append(e.Capabilities, vsk.Capability{Type: "AlexaInterface", Interface: "Alexa.KeypadController", Version: "3"})
		}), 202, "", false},
		{"APPLICATION category", withEndpoint(t, "tok-a", func(e *vsk.DiscoveryEndpoint) { e.DisplayCategories = []string{"APPLICATION"} }), 202, "", false},

		{"unknown cause", change("MAGIC", power), 400, "cause.type", false},
		{"no change", changeHead + `{}}}}`, 400, "payload.change", false},
		{"nanosecond timeOfSample", change("PERIODIC_POLL", `{"namespace":"Alexa.PowerController","name":"powerState","value":"ON","timeOfSample":"2017-09-27T18:30:30.123456789Z","uncertaintyInMilliseconds":1}`), 400, "timeOfSample", false},
		{"negative uncertainty", change("PERIODIC_POLL", `{"namespace":"Alexa.PowerController","name":"powerState","value":"ON","timeOfSample":"2017-09-27T18:30:30Z","uncertaintyInMilliseconds":-1}`), 400, "uncertainty", false},
		{"property without value", change("PERIODIC_POLL", `{"namespace":"Alexa.PowerController","name":"powerState",`+ts+`}`), 400, "value", false},
		{"ChangeReport without endpoint", `{"event":{"header":{"namespace":"Alexa","name":"ChangeReport","messageId":"m","payloadVersion":"3"},"payload":{}}}`, 400, "endpointId", false},
		{"ChangeReport without scope", strings.Replace(change("PERIODIC_POLL", power), `"scope":{"type":"BearerToken","token":"tok-a"},`, "", 1), 400, "scope.token", false},
		{"Response without correlationToken", response(`"name":"Response"`, `"payload":{}`), 400, "correlationToken", false},
		{"empty correlationToken", response(`"name":"Response","correlationToken":""`, `"payload":{}`), 400, "correlationToken is empty", false},
		{"ErrorResponse without message", response(`"name":"ErrorResponse","correlationToken":"c"`, `"payload":{"type":"INTERNAL_ERROR"}`), 400, "payload.message", false},
		{"negative deferral", response(`"name":"DeferredResponse","correlationToken":"c"`, `"payload":{"estimatedDeferralInSeconds":-5}`), 400, "estimatedDeferral", false},
		{"DeferredResponse with endpoint", response(`"name":"DeferredResponse","correlationToken":"c"`, `"endpoint":{"endpointId":"tv-1"},"payload":{}`), 400, "no endpoint", false},
		{"messageId with dots", strings.Replace(change("PERIODIC_POLL", power), "5f8a426e-01e4-4cc9-8b79-65f8bd0fd8a4", "a.b", 1), 400, "messageId", false},
		{"endpointId with a dot", withEndpoint(t, "tok-a", func(e *vsk.DiscoveryEndpoint) { e.EndpointID = "tv.1" }), 400, "endpointId", false},
		{"long friendlyName", withEndpoint(t, "tok-a", func(e *vsk.DiscoveryEndpoint) { e.FriendlyName = strings.Repeat("x", 129) }), 400, "friendlyName", false},
		{"no manufacturer", withEndpoint(t, "tok-a", func(e *vsk.DiscoveryEndpoint) { e.ManufacturerName = "" }), 400, "manufacturerName", false},
		{"no display category", withEndpoint(t, "tok-a", func(e *vsk.DiscoveryEndpoint) { e.DisplayCategories = nil }), 400, "displayCategories", false},
		{"no capabilities", withEndpoint(t, "tok-a", func(e *vsk.DiscoveryEndpoint) { e.Capabilities = nil }), 400, "capabilities", false},
		{"capability without version", withEndpoint(t, "tok-a", func(e *vsk.DiscoveryEndpoint) { e.Capabilities[0].Version = "" }), 400, "version", false},
		{"301 endpoints", report(t, "tok-a", func() []vsk.DiscoveryEndpoint {
			eps := make([]vsk.DiscoveryEndpoint, 301)
			for i := range eps {
				eps[i] = tv("tv-"+strings.Repeat("x", i%5+1)+string(rune('a'+i%26)), "TV", "r")
			}
			return eps
		}()...), 400, "at most 300", false},
		{"unknown display category", withEndpoint(t, "tok-a", func(e *vsk.DiscoveryEndpoint) { e.DisplayCategories = []string{"TOASTER"} }), 400, "schema", true},
		{"unknown playback operation", withEndpoint(t, "tok-a", func(e *vsk.DiscoveryEndpoint) { e.Capabilities[1].SupportedOperations = []string{"Dance"} }), 400, "schema", true},
		{"ChangeReport power value", change("PERIODIC_POLL", `{"namespace":"Alexa.PowerController","name":"powerState","value":"MAYBE",`+ts+`}`), 400, "schema", true},
	}
	schema := officialSchema(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.schema && schema == nil {
				t.Skip("needs the official schema")
			}
			h, _ := newHandler(t)
			if schema != nil {
				h.Validator = schema
			}
			rec := post(t, h, "Bearer lwa", tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.desc != "" && !strings.Contains(rec.Body.String(), tt.desc) {
				t.Errorf("reply %s does not mention %q", rec.Body, tt.desc)
			}
		})
	}
}

// Amazon's own sample events pass the gateway, official schema and all.
func TestOfficialSampleEventsAccepted(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"ChangeReport.json", "DeferredResponse.json"} {
		t.Run(name, func(t *testing.T) {
			body := sample(t, name)
			h, _ := newHandler(t)
			if v := officialSchema(t); v != nil {
				h.Validator = v
			}
			if rec := post(t, h, "Bearer lwa", body); rec.Code != http.StatusAccepted {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
}

func TestOtherAccountsEndpointsForbidden(t *testing.T) {
	t.Parallel()
	h, reg := newHandler(t)
	if rec := post(t, h, "Bearer lwa-a", report(t, "tok-a", tv("tv-1", "A's TV", "reg-a"))); rec.Code != 202 {
		t.Fatal(rec.Body)
	}
	del := `{"event":{"header":{"namespace":"Alexa.Discovery","name":"DeleteReport","messageId":"m-2","payloadVersion":"3"},
		"payload":{"endpoints":[{"endpointId":"tv-1"}],"scope":{"type":"BearerToken","token":"tok-b"}}}}`
	for name, body := range map[string]string{
		"re-register":   report(t, "tok-b", tv("tv-1", "B's TV", "reg-b")),
		"delete":        del,
		"change report": strings.Replace(change("PHYSICAL_INTERACTION", ""), `"token":"tok-a"`, `"token":"tok-b"`, 1),
	} {
		rec := post(t, h, "Bearer lwa-b", body)
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), CodeInsufficientPerm) {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	if ep, ok := reg.Endpoint("tv-1"); !ok || ep.Token != "tok-a" || ep.Cookie["applicationInstanceId"] != "reg-a" {
		t.Errorf("A's endpoint changed: %+v", ep)
	}
	// Its own account may update and delete it.
	if rec := post(t, h, "Bearer lwa-a", strings.Replace(del, "tok-b", "tok-a", 1)); rec.Code != 202 || reg.Len() != 0 {
		t.Errorf("owner delete: %d %s", rec.Code, rec.Body)
	}
}

func TestMalformedTokens(t *testing.T) {
	t.Parallel()
	for name, auth := range map[string]string{
		"control character": "Bearer abc\x01def",
		"space inside":      "Bearer abc def",
		"too long":          "Bearer " + strings.Repeat("a", 2049),
		"non-ASCII":         "Bearer tökén",
	} {
		h, _ := newHandler(t)
		rec := post(t, h, auth, report(t, "tok", tv("tv-1", "TV", "r")))
		if rec.Code != 401 || !strings.Contains(rec.Body.String(), CodeInvalidAccessToken) {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
}

func TestEventLog(t *testing.T) {
	t.Parallel()
	h, _ := newHandler(t)
	h.Events = NewEventLog(func() time.Time { return epoch }, 3)
	post(t, h, "", `{}`)
	post(t, h, "Bearer t", report(t, "tok", tv("tv-1", "TV", "r")))
	post(t, h, "Bearer t", change("PHYSICAL_INTERACTION", ""))
	post(t, h, "Bearer t", `{"event":`)
	got := h.Events.List(EventFilter{})
	if len(got) != 3 || got[0].Name != "AddOrUpdateReport" || got[0].Status != 202 || got[2].Status != 400 || got[2].Code != CodeInvalidRequest {
		b, _ := json.Marshal(got)
		t.Errorf("log %s", b)
	}
	if f := h.Events.List(EventFilter{Name: "ChangeReport", EndpointID: "tv-1"}); len(f) != 1 {
		t.Errorf("filtered %+v", f)
	}
	if f := h.Events.List(EventFilter{Limit: 1}); len(f) != 1 || f[0].Status != 400 {
		t.Errorf("limit 1 %+v", f)
	}
}
