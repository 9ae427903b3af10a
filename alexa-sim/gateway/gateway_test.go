package gateway

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"livingroom/internal/vsk"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newHandler(t *testing.T) (*Handler, *Registry) {
	t.Helper()
	reg := NewRegistry(func() time.Time { return epoch }, 3)
	return NewHandler(reg, slog.New(slog.NewTextHandler(io.Discard, nil)), func() string { return "err-1" }), reg
}

// report builds an AddOrUpdateReport the way the apps do, from vsk types.
func report(t *testing.T, token string, eps ...vsk.DiscoveryEndpoint) string {
	t.Helper()
	b, err := json.Marshal(vsk.Message{Event: vsk.Event{
		Header:  vsk.Header{Namespace: "Alexa.Discovery", Name: "AddOrUpdateReport", MessageID: "m-1", PayloadVersion: "3"},
		Payload: vsk.AddOrUpdateReportPayload{Endpoints: eps, Scope: vsk.Scope{Type: vsk.ScopeBearerToken, Token: token}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func tv(id, name, regID string) vsk.DiscoveryEndpoint {
	return vsk.DiscoveryEndpoint{
		EndpointID: id, ManufacturerName: "Living Room", FriendlyName: name, Description: "sim",
		DisplayCategories: []string{"TV"},
		Cookie:            map[string]string{"applicationInstanceId": regID},
		Capabilities: []vsk.Capability{
			{Type: "AlexaInterface", Interface: "Alexa.RemoteVideoPlayer", Version: "3"},
			{Type: "AlexaInterface", Interface: "Alexa.PlaybackController", Version: "3", SupportedOperations: []string{"Play", "Pause"}},
		},
	}
}

func post(t *testing.T, h http.Handler, auth, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/v3/events", strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestAddOrUpdateReportStored(t *testing.T) {
	t.Parallel()
	h, reg := newHandler(t)
	rec := post(t, h, "Bearer lwa-token", report(t, "partner-token-alice", tv("tv-1", "Living Room TV", "amzn1.adm-registration.v3.one")))
	if rec.Code != http.StatusAccepted || rec.Body.Len() != 0 {
		t.Fatalf("reply %d %q, want 202 and no body", rec.Code, rec.Body)
	}
	ep, ok := reg.Endpoint("tv-1")
	if !ok {
		t.Fatal("endpoint not stored")
	}
	if ep.FriendlyName != "Living Room TV" || ep.Token != "partner-token-alice" ||
		ep.Cookie["applicationInstanceId"] != "amzn1.adm-registration.v3.one" || !ep.RegisteredAt.Equal(epoch) {
		t.Errorf("stored %+v", ep)
	}
	if len(ep.Capabilities) != 2 || !strings.Contains(string(ep.Capabilities[1]), `"supportedOperations":["Play","Pause"]`) {
		t.Errorf("capabilities %s", ep.Capabilities)
	}

	// A new report replaces the endpoint (the app got a new registration id).
	post(t, h, "Bearer lwa-token", report(t, "partner-token-alice", tv("tv-1", "Living Room TV", "amzn1.adm-registration.v3.two"), tv("tv-2", "Bedroom", "r2")))
	if ep, _ := reg.Endpoint("tv-1"); ep.Cookie["applicationInstanceId"] != "amzn1.adm-registration.v3.two" {
		t.Errorf("cookie not updated: %v", ep.Cookie)
	}
	if got := reg.Endpoints(); len(got) != 2 || got[0].EndpointID != "tv-1" || got[1].EndpointID != "tv-2" {
		t.Errorf("endpoints %+v", got)
	}

	// DeleteReport removes endpoints; unknown ids are fine.
	del := `{"event":{"header":{"namespace":"Alexa.Discovery","name":"DeleteReport","messageId":"m-2","payloadVersion":"3"},
		"payload":{"endpoints":[{"endpointId":"tv-1"},{"endpointId":"nope"}],"scope":{"type":"BearerToken","token":"partner-token-alice"}}}}`
	if rec := post(t, h, "Bearer lwa-token", del); rec.Code != http.StatusAccepted {
		t.Fatalf("DeleteReport: %d %s", rec.Code, rec.Body)
	}
	if got := reg.Endpoints(); len(got) != 1 || got[0].EndpointID != "tv-2" {
		t.Errorf("after delete: %+v", got)
	}
}

func TestKeepsLastChangeReports(t *testing.T) {
	t.Parallel()
	h, reg := newHandler(t)
	for i, ns := range []string{"Alexa", "Alexa", "Alexa.Application", "Alexa"} {
		body := `{"event":{"header":{"namespace":"` + ns + `","name":"ChangeReport","messageId":"c` + string(rune('0'+i)) + `","payloadVersion":"3"},
			"endpoint":{"scope":{"type":"BearerToken","token":"t"},"endpointId":"tv-` + string(rune('0'+i)) + `"},"payload":{"change":{"cause":{"type":"APP_INTERACTION"},"properties":[]}}}}`
		if rec := post(t, h, "Bearer t", body); rec.Code != http.StatusAccepted {
			t.Fatalf("ChangeReport %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	got := reg.ChangeReports()
	if len(got) != 3 || got[0].EndpointID != "tv-1" || got[1].Namespace != "Alexa.Application" || got[2].EndpointID != "tv-3" {
		t.Fatalf("kept %+v", got)
	}
	if !strings.HasPrefix(string(got[2].Body), `{"event":{"header":{"namespace":"Alexa","name":"ChangeReport","messageId":"c3"`) {
		t.Errorf("body not kept compact: %s", got[2].Body)
	}
	if reg.Len() != 0 {
		t.Error("a ChangeReport registered an endpoint")
	}
}

func TestOtherEventsAccepted(t *testing.T) {
	t.Parallel()
	h, reg := newHandler(t)
	body := `{"event":{"header":{"namespace":"Alexa","name":"Response","messageId":"r1","correlationToken":"c","payloadVersion":"3"},"payload":{}}}`
	if rec := post(t, h, "Bearer t", body); rec.Code != http.StatusAccepted {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if reg.Len() != 0 || len(reg.ChangeReports()) != 0 {
		t.Error("an unrelated event changed the registry")
	}
}

func TestRejects(t *testing.T) {
	t.Parallel()
	valid := report(t, "partner-token", tv("tv-1", "TV", "r1"))
	hdr := func(fields string) string {
		return `{"event":{"header":{` + fields + `},"payload":{"endpoints":[{"endpointId":"tv-1"}],"scope":{"type":"BearerToken","token":"x"}}}}`
	}
	tests := []struct {
		name   string
		auth   string
		body   string
		status int
		code   string
		desc   string
	}{
		{"no authorization", "", valid, 401, CodeInvalidAccessToken, "bearer"},
		{"empty bearer", "Bearer ", valid, 401, CodeInvalidAccessToken, "bearer"},
		{"basic auth", "Basic dXNlcjpwYXNz", valid, 401, CodeInvalidAccessToken, "bearer"},
		{"not json", "Bearer t", `{"event":`, 400, CodeInvalidRequest, "not a JSON event"},
		{"not an object", "Bearer t", `[1,2]`, 400, CodeInvalidRequest, "not a JSON event"},
		{"no event", "Bearer t", `{"directive":{}}`, 400, CodeInvalidRequest, "missing event"},
		{"no namespace", "Bearer t", hdr(`"name":"AddOrUpdateReport","messageId":"m","payloadVersion":"3"`), 400, CodeInvalidRequest, "event.header.namespace"},
		{"no name", "Bearer t", hdr(`"namespace":"Alexa.Discovery","messageId":"m","payloadVersion":"3"`), 400, CodeInvalidRequest, "event.header.name"},
		{"no messageId", "Bearer t", hdr(`"namespace":"Alexa.Discovery","name":"AddOrUpdateReport","payloadVersion":"3"`), 400, CodeInvalidRequest, "event.header.messageId"},
		{"no payloadVersion", "Bearer t", hdr(`"namespace":"Alexa.Discovery","name":"AddOrUpdateReport","messageId":"m"`), 400, CodeInvalidRequest, "event.header.payloadVersion"},
		{"payloadVersion 2", "Bearer t", hdr(`"namespace":"Alexa.Discovery","name":"AddOrUpdateReport","messageId":"m","payloadVersion":"2"`), 400, CodeInvalidRequest, "payloadVersion"},
		{"no scope token", "Bearer t", report(t, "", tv("tv-1", "TV", "r1")), 400, CodeInvalidRequest, "scope.token"},
		{"no endpoints", "Bearer t", report(t, "tok"), 400, CodeInvalidRequest, "endpoints is empty"},
		{"endpoint without id", "Bearer t", report(t, "tok", tv("", "TV", "r1")), 400, CodeInvalidRequest, "endpointId"},
		{"no payload", "Bearer t", `{"event":{"header":{"namespace":"Alexa.Discovery","name":"DeleteReport","messageId":"m","payloadVersion":"3"}}}`, 400, CodeInvalidRequest, "missing event.payload"},
		{"bad payload", "Bearer t", `{"event":{"header":{"namespace":"Alexa.Discovery","name":"AddOrUpdateReport","messageId":"m","payloadVersion":"3"},"payload":{"endpoints":"x"}}}`, 400, CodeInvalidRequest, "event.payload"},
		{"too large", "Bearer t", `{"event":"` + strings.Repeat("x", MaxEventBytes) + `"}`, 413, CodeTooLarge, "larger"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, reg := newHandler(t)
			rec := post(t, h, tt.auth, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			var e exception
			dec := json.NewDecoder(rec.Body)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&e); err != nil {
				t.Fatalf("error body: %v", err)
			}
			if e.Header.Namespace != "System" || e.Header.Name != "Exception" || e.Header.MessageID != "err-1" {
				t.Errorf("header %+v", e.Header)
			}
			if e.Payload.Code != tt.code || !strings.Contains(e.Payload.Description, tt.desc) {
				t.Errorf("payload %+v, want code %s mentioning %q", e.Payload, tt.code, tt.desc)
			}
			if reg.Len() != 0 {
				t.Error("a rejected event registered an endpoint")
			}
		})
	}
}

func TestRegistryConcurrent(t *testing.T) {
	t.Parallel()
	reg := NewRegistry(time.Now, 10)
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			id := string(rune('a' + i))
			for range 100 {
				reg.Put(Endpoint{EndpointID: id})
				reg.AddChangeReport(Event{Name: "ChangeReport"})
				_ = reg.Endpoints()
				_ = reg.ChangeReports()
				reg.Delete(id)
			}
		}()
	}
	for range 8 {
		<-done
	}
	if reg.Len() != 0 || len(reg.ChangeReports()) != 10 {
		t.Errorf("len %d, changes %d", reg.Len(), len(reg.ChangeReports()))
	}
}
