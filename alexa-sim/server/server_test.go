package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"livingroom/alexa-sim/gateway"
	"livingroom/alexa-sim/ingest"
	"livingroom/alexa-sim/invoke"
	"livingroom/alexa-sim/lwa"
	"livingroom/alexa-sim/nlu"
	"livingroom/internal/vsk"
	"livingroom/internal/vsk/vsktest"
)

// fakeInvoker records directives and answers with reply.
type fakeInvoker struct {
	mu       sync.Mutex
	calls    [][]byte
	contexts []string
	reply    func(payload []byte) ([]byte, error)
}

func (f *fakeInvoker) Invoke(ctx context.Context, payload []byte, clientContext string) ([]byte, error) {
	f.mu.Lock()
	f.calls = append(f.calls, payload)
	f.contexts = append(f.contexts, clientContext)
	f.mu.Unlock()
	return f.reply(payload)
}

func (f *fakeInvoker) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// skillReply answers like the skill: an Alexa.Response to the directive.
func skillReply(payload []byte) ([]byte, error) {
	var req vsk.Request
	if err := json.Unmarshal(payload, &req); err != nil {
		return nil, fmt.Errorf("fake skill: %w", err)
	}
	return json.Marshal(vsk.Response(req.Directive, "5f8a426e-01e4-4cc9-8b79-65f8bd0fd8a4", nil))
}

type fixture struct {
	srv     *Server
	reg     *gateway.Registry
	invoker *fakeInvoker
}

func newFixture(t *testing.T, dir string, reply func([]byte) ([]byte, error)) *fixture {
	t.Helper()
	epoch := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var mu sync.Mutex
	tick := 0
	// Each reading of the clock is 5 ms after the last, so latency is 5 ms.
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		tick++
		return epoch.Add(time.Duration(tick) * 5 * time.Millisecond)
	}
	seq := 0
	ids := nlu.IDs{
		MessageID: func() string {
			mu.Lock()
			defer mu.Unlock()
			seq++
			return fmt.Sprintf("00000000-0000-4000-8000-%012d", seq)
		},
		CorrelationToken: func() string { return "dFMb0z+PgpgdDmluhJ1LddFvSqZ/jCc8ptlAKulUj90jSqg==" },
	}
	reg := gateway.NewRegistry(now, 5)
	inv := &fakeInvoker{reply: reply}
	srv := New(Config{
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry:      reg,
		Parser:        nlu.New("livingroom"),
		Invoker:       inv,
		LoadCatalog:   func(ctx context.Context) (*ingest.Catalog, error) { return ingest.LoadDir(ctx, dir) },
		CatalogSource: "test",
		IDs:           ids,
		Now:           now,
		LWA:           lwa.New(lwa.Config{ClientID: "skill", ClientSecret: "secret", Now: now}),
	})
	if _, err := srv.Reload(context.Background()); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	return &fixture{srv: srv, reg: reg, invoker: inv}
}

func (f *fixture) do(t *testing.T, method, path, auth, body string) (int, map[string]any, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	raw := rec.Body.Bytes()
	var m map[string]any
	// Replies of the API are JSON; the mux's own 404/405 are text.
	if rec.Header().Get("Content-Type") == "application/json" {
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s %s: reply is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return rec.Code, m, raw
}

func (f *fixture) register(t *testing.T, id, name, regID, token string) {
	t.Helper()
	ev := vsk.Message{Event: vsk.Event{
		Header: vsk.Header{Namespace: "Alexa.Discovery", Name: "AddOrUpdateReport", MessageID: "m-" + id, PayloadVersion: "3"},
		Payload: vsk.AddOrUpdateReportPayload{
			Endpoints: []vsk.DiscoveryEndpoint{{
				EndpointID: id, ManufacturerName: "Living Room", FriendlyName: name, Description: "sim", DisplayCategories: []string{"TV"},
				Cookie:       map[string]string{"applicationInstanceId": regID, "appPackageName": "com.livingroom.tv"},
				Capabilities: []vsk.Capability{{Type: "AlexaInterface", Interface: "Alexa.RemoteVideoPlayer", Version: "3"}},
			}},
			Scope: vsk.Scope{Type: vsk.ScopeBearerToken, Token: token},
		},
	}}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	if status, _, raw := f.do(t, http.MethodPost, "/v3/events", "Bearer "+token, string(b)); status != http.StatusAccepted {
		t.Fatalf("register %s: %d %s", id, status, raw)
	}
}

func TestSaySearchAndPlay(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "testdata/catalog", skillReply)
	f.register(t, "tv-living-room", "Living Room TV", "amzn1.adm-registration.v3.alice", "partner-token-alice")

	status, body, raw := f.do(t, http.MethodPost, "/v1/say", "", `{"utterance":"Alexa, watch The Handmaid's Tale season 2"}`)
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, raw)
	}
	var reply struct {
		Intent     string          `json:"intent"`
		EndpointID string          `json:"endpointId"`
		Directive  json.RawMessage `json:"directive"`
		Response   json.RawMessage `json:"response"`
		LatencyMs  float64         `json:"latencyMs"`
	}
	if err := json.Unmarshal(raw, &reply); err != nil {
		t.Fatal(err)
	}
	if reply.Intent != "Alexa.RemoteVideoPlayer.SearchAndPlay" || reply.EndpointID != "tv-living-room" || reply.LatencyMs != 5 {
		t.Errorf("reply %s", raw)
	}
	// The directive shown is exactly the one the skill received.
	if f.invoker.count() != 1 || !bytes.Equal(f.invoker.calls[0], reply.Directive) {
		t.Fatalf("invoked with %q, reply shows %s", f.invoker.calls, reply.Directive)
	}
	var req vsk.Request
	if err := json.Unmarshal(reply.Directive, &req); err != nil {
		t.Fatalf("directive: %v", err)
	}
	d := req.Directive
	if d.Header.Namespace != "Alexa.RemoteVideoPlayer" || d.Header.Name != "SearchAndPlay" || d.Header.PayloadVersion != "3" ||
		d.Header.MessageID == "" || d.Header.CorrelationToken == "" {
		t.Errorf("header %+v", d.Header)
	}
	if d.Endpoint.EndpointID != "tv-living-room" || d.Endpoint.Scope.Type != "BearerToken" || d.Endpoint.Scope.Token != "partner-token-alice" ||
		d.Endpoint.Cookie["applicationInstanceId"] != "amzn1.adm-registration.v3.alice" {
		t.Errorf("endpoint %+v scope %+v", d.Endpoint, d.Endpoint.Scope)
	}
	var p vsk.EntityPayload
	if err := json.Unmarshal(d.Payload, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Entities) != 3 || p.Entities[0].ExternalIDs["livingroom"] != "series-handmaids-tale" || p.Entities[2].Value != "2" ||
		p.SearchText.Transcribed != "The Handmaid's Tale season 2" {
		t.Errorf("payload %s", d.Payload)
	}
	// The skill's reply comes back untouched.
	vsktest.Validate(t, reply.Response)
	if resp := body["response"].(map[string]any)["event"].(map[string]any)["header"].(map[string]any); resp["correlationToken"] != d.Header.CorrelationToken {
		t.Errorf("response header %v", resp)
	}
}

func TestSayPlaybackToNamedEndpoint(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "testdata/catalog", skillReply)
	f.register(t, "tv-a", "Living Room", "reg-a", "token-a")
	f.register(t, "tv-b", "Bedroom", "reg-b", "token-b")
	status, body, raw := f.do(t, http.MethodPost, "/v1/say", "", `{"utterance":"pause","endpointId":"tv-b"}`)
	if status != http.StatusOK || body["intent"] != "Alexa.PlaybackController.Pause" {
		t.Fatalf("%d %s", status, raw)
	}
	var req vsk.Request
	if err := json.Unmarshal(f.invoker.calls[0], &req); err != nil {
		t.Fatal(err)
	}
	if e := req.Directive.Endpoint; e.EndpointID != "tv-b" || e.Scope.Token != "token-b" || e.Cookie["applicationInstanceId"] != "reg-b" {
		t.Errorf("endpoint %+v", e)
	}
	if string(req.Directive.Payload) != "{}" {
		t.Errorf("payload %s", req.Directive.Payload)
	}
}

func TestSayErrors(t *testing.T) {
	t.Parallel()
	refused := func([]byte) ([]byte, error) {
		return nil, errors.New(`invoke SkillFunction: dial tcp 127.0.0.1:3001: connect: connection refused`)
	}
	crashed := func([]byte) ([]byte, error) {
		return nil, fmt.Errorf("invoke SkillFunction: %w", &invoke.FunctionError{Type: "Unhandled", Payload: []byte(`{"errorMessage":"boom","errorType":"errorString"}`)})
	}
	garbage := func([]byte) ([]byte, error) { return []byte("Directive is not supported. Ignoring it"), nil }
	tests := []struct {
		name      string
		endpoints []string
		reply     func([]byte) ([]byte, error)
		body      string
		status    int
		code      string
		message   string // substring
		invoked   bool
		directive bool // the reply carries the directive
		response  bool // the reply carries the skill's (error) response
	}{
		{name: "no endpoint", body: `{"utterance":"pause"}`, status: 409, code: "no_endpoint", message: "no endpoint"},
		{name: "ambiguous", endpoints: []string{"tv-a", "tv-b"}, body: `{"utterance":"pause"}`, status: 409, code: "ambiguous_endpoint", message: "2 endpoints"},
		{name: "unknown endpoint", endpoints: []string{"tv-a"}, body: `{"utterance":"pause","endpointId":"tv-z"}`, status: 404, code: "unknown_endpoint", message: "tv-z"},
		{name: "not understood", endpoints: []string{"tv-a"}, body: `{"utterance":"what's the weather"}`, status: 422, code: "not_understood", message: "not understood"},
		{name: "watch nothing", endpoints: []string{"tv-a"}, body: `{"utterance":"watch"}`, status: 422, code: "not_understood", message: "what to play"},
		{name: "malformed json", endpoints: []string{"tv-a"}, body: `{"utterance":`, status: 400, code: "bad_request", message: "body must be JSON"},
		{name: "wrong type", endpoints: []string{"tv-a"}, body: `{"utterance":42}`, status: 400, code: "bad_request", message: "body must be JSON"},
		{name: "empty body", endpoints: []string{"tv-a"}, body: ``, status: 400, code: "bad_request", message: "body must be JSON"},
		{name: "no utterance", endpoints: []string{"tv-a"}, body: `{"endpointId":"tv-a"}`, status: 400, code: "bad_request", message: "utterance is required"},
		{name: "lambda unreachable", endpoints: []string{"tv-a"}, reply: refused, body: `{"utterance":"play"}`, status: 502, code: "lambda_invoke_failed", message: "connection refused", invoked: true, directive: true},
		{name: "function error", endpoints: []string{"tv-a"}, reply: crashed, body: `{"utterance":"stop"}`, status: 502, code: "lambda_function_error", message: "boom", invoked: true, directive: true, response: true},
		{name: "reply not json", endpoints: []string{"tv-a"}, reply: garbage, body: `{"utterance":"play palm springs"}`, status: 502, code: "lambda_invalid_response", message: "not JSON", invoked: true, directive: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reply := tt.reply
			if reply == nil {
				reply = skillReply
			}
			f := newFixture(t, "testdata/catalog", reply)
			for _, id := range tt.endpoints {
				f.register(t, id, "TV "+id, "reg-"+id, "token-"+id)
			}
			status, body, raw := f.do(t, http.MethodPost, "/v1/say", "", tt.body)
			if status != tt.status || body["error"] != tt.code {
				t.Fatalf("got %d %s, want %d %s", status, raw, tt.status, tt.code)
			}
			if msg, _ := body["message"].(string); !strings.Contains(msg, tt.message) {
				t.Errorf("message %q does not mention %q", msg, tt.message)
			}
			if got := f.invoker.count() > 0; got != tt.invoked {
				t.Errorf("invoked = %v, want %v", got, tt.invoked)
			}
			directive, _ := body["directive"].(map[string]any)
			if _, ok := directive["directive"]; ok != tt.directive {
				t.Errorf("directive in reply = %v, want %v: %s", ok, tt.directive, raw)
			}
			if _, ok := body["response"]; ok != tt.response {
				t.Errorf("response in reply = %v, want %v: %s", ok, tt.response, raw)
			}
			if tt.code == "ambiguous_endpoint" {
				eps, _ := body["endpoints"].([]any)
				if len(eps) != 2 || eps[0].(map[string]any)["endpointId"] != "tv-a" || eps[1].(map[string]any)["friendlyName"] != "TV tv-b" {
					t.Errorf("endpoints listed: %v", body["endpoints"])
				}
			}
		})
	}
}

func TestEndpointsContract(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "testdata/catalog", skillReply)
	status, body, raw := f.do(t, http.MethodGet, "/v1/endpoints", "", "")
	if status != 200 || string(raw) != "{\"endpoints\":[]}\n" {
		t.Fatalf("empty list: %d %s", status, raw)
	}
	f.register(t, "tv-a", "Living Room TV", "amzn1.adm-registration.v3.a", "partner-token-alice")
	status, body, raw = f.do(t, http.MethodGet, "/v1/endpoints", "", "")
	if status != 200 {
		t.Fatalf("%d %s", status, raw)
	}
	eps := body["endpoints"].([]any)
	if len(eps) != 1 {
		t.Fatalf("endpoints %s", raw)
	}
	ep := eps[0].(map[string]any)
	want := map[string]any{
		"endpointId":   "tv-a",
		"friendlyName": "Living Room TV",
		"token":        "partner-token-alice",
		"cookie":       map[string]any{"applicationInstanceId": "amzn1.adm-registration.v3.a", "appPackageName": "com.livingroom.tv"},
		"capabilities": []any{map[string]any{"type": "AlexaInterface", "interface": "Alexa.RemoteVideoPlayer", "version": "3"}},
		"registeredAt": "2026-01-02T03:04:05.015Z", // the third reading of the clock: the ingestion took two
	}
	for k, v := range want {
		if fmt.Sprint(ep[k]) != fmt.Sprint(v) {
			t.Errorf("%s = %v, want %v", k, ep[k], v)
		}
	}
	if len(ep) != len(want) {
		t.Errorf("fields %v, want exactly %d", ep, len(want))
	}
}

func TestChangeReportsListed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "testdata/catalog", skillReply)
	ev := `{"event":{"header":{"namespace":"Alexa","name":"ChangeReport","messageId":"c1","payloadVersion":"3"},"endpoint":{"scope":{"type":"BearerToken","token":"t"},"endpointId":"tv-a"},"payload":{"change":{"cause":{"type":"VOICE_INTERACTION"},"properties":[]}}}}`
	if status, _, raw := f.do(t, http.MethodPost, "/v3/events", "Bearer t", ev); status != 202 {
		t.Fatalf("%d %s", status, raw)
	}
	_, body, raw := f.do(t, http.MethodGet, "/v1/change-reports", "", "")
	reports, _ := body["changeReports"].([]any)
	if len(reports) != 1 || reports[0].(map[string]any)["endpointId"] != "tv-a" {
		t.Errorf("change reports %s", raw)
	}
}

func TestGatewayMounted(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "testdata/catalog", skillReply)
	status, body, raw := f.do(t, http.MethodPost, "/v3/events", "", `{}`)
	if status != 401 || body["payload"].(map[string]any)["code"] != "INVALID_ACCESS_TOKEN_EXCEPTION" {
		t.Fatalf("%d %s", status, raw)
	}
	if status, _, _ := f.do(t, http.MethodGet, "/v1/say", "", ""); status != http.StatusMethodNotAllowed {
		t.Errorf("GET /v1/say: %d", status)
	}
}

func TestHealthAndReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := newFixture(t, dir, skillReply)

	health := func() string {
		t.Helper()
		_, _, raw := f.do(t, http.MethodGet, "/healthz", "", "")
		return string(raw)
	}
	if got := health(); !strings.HasPrefix(got, `{"status":"ok","catalog":{"works":0,`) || !strings.Contains(got, `"channels":0`) || !strings.HasSuffix(got, `"endpoints":0}`+"\n") {
		t.Errorf("empty health %s", got)
	}
	// Nothing resolves yet, but the title is still passed as spoken.
	f.register(t, "tv-a", "TV", "reg-a", "token-a")
	_, body, _ := f.do(t, http.MethodPost, "/v1/say", "", `{"utterance":"watch palm springs"}`)
	if strings.Contains(fmt.Sprint(body["directive"]), "movie-palm-springs") {
		t.Errorf("resolved before ingestion: %v", body["directive"])
	}

	copyFile(t, "testdata/catalog/catalog.xml", filepath.Join(dir, ingest.CatalogFile))
	copyFile(t, "testdata/catalog/channels.xml", filepath.Join(dir, ingest.ChannelsFile))
	status, _, raw := f.do(t, http.MethodPost, "/v1/catalog/reload", "", "")
	want := `{"status":"ok","catalog":{"works":4,"movies":1,"shows":1,"seasons":1,"episodes":1,"channels":1,"skipped":0},"report":{"ingestionId":`
	if status != 200 || !strings.HasPrefix(string(raw), want) || !strings.Contains(string(raw), `"status":"SUCCESS","counts":{"added":4,"removed":0,"updated":0,"unchanged":0}`) {
		t.Fatalf("reload: %d %s, want %s", status, raw, want)
	}
	if got := health(); !strings.Contains(got, `"works":4`) || !strings.Contains(got, `"channels":1`) || !strings.Contains(got, `"endpoints":1`) {
		t.Errorf("health after reload %s", got)
	}
	_, body, _ = f.do(t, http.MethodPost, "/v1/say", "", `{"utterance":"watch palm springs"}`)
	if !strings.Contains(fmt.Sprint(body["directive"]), "movie-palm-springs") {
		t.Errorf("not resolved after ingestion: %v", body["directive"])
	}

	// A broken feed is refused and the previous catalog stays in service.
	if err := os.WriteFile(filepath.Join(dir, ingest.CatalogFile), []byte("<Catalog><Works><Movie>"), 0o644); err != nil {
		t.Fatal(err)
	}
	status, body, raw = f.do(t, http.MethodPost, "/v1/catalog/reload", "", "")
	if status != 500 || body["error"] != "catalog_invalid" || !strings.Contains(body["message"].(string), "catalog.xml") {
		t.Errorf("broken reload: %d %s", status, raw)
	}
	if got := health(); !strings.Contains(got, `"works":4`) {
		t.Errorf("previous catalog dropped: %s", got)
	}
	// So is a catalog that fails validation: its report names the works.
	copyFile(t, "testdata/catalog/catalog.xml", filepath.Join(dir, ingest.CatalogFile))
	doc, _ := os.ReadFile(filepath.Join(dir, ingest.CatalogFile))
	doc = []byte(strings.Replace(string(doc), "<ShowID>series-handmaids-tale</ShowID><SeasonID>", "<ShowID>series-gone</ShowID><SeasonID>", 1))
	if err := os.WriteFile(filepath.Join(dir, ingest.CatalogFile), doc, 0o644); err != nil {
		t.Fatal(err)
	}
	status, _, raw = f.do(t, http.MethodPost, "/v1/catalog/reload", "", "")
	if status != 500 || !strings.Contains(string(raw), `"message":"reload catalog: catalog rejected: 1 errors, the first: catalog.xml:7: TvEpisode episode-handmaids-tale-1-1 references an invalid ShowID \"series-gone\""`) ||
		!strings.Contains(string(raw), `"report":{"ingestionId":`) || !strings.Contains(string(raw), `"errors":[{"workId":"episode-handmaids-tale-1-1","type":"TvEpisode","file":"catalog.xml","line":7,`) {
		t.Errorf("invalid reload: %d %s", status, raw)
	}
	if got := health(); !strings.Contains(got, `"works":4`) {
		t.Errorf("previous catalog dropped: %s", got)
	}
	var ing struct {
		Active     string `json:"activeIngestionId"`
		Latest     ingest.Report
		Ingestions []ingest.Report
	}
	_, _, raw = f.do(t, http.MethodGet, "/v1/ingestion?limit=3", "", "")
	if err := json.Unmarshal(raw, &ing); err != nil {
		t.Fatal(err)
	}
	if len(ing.Ingestions) != 3 || ing.Latest.Status != ingest.StatusFailure || ing.Latest.ErrorCount != 1 ||
		ing.Ingestions[1].Status != ingest.StatusFailure || ing.Ingestions[2].Status != ingest.StatusSuccess ||
		ing.Active != ing.Ingestions[2].ID || ing.Ingestions[2].Counts.Added != 4 || ing.Ingestions[2].Source != "test" {
		t.Errorf("ingestion report %s", raw)
	}
	for _, q := range []string{"?limit=0", "?limit=x", "?limit=21"} {
		if status, _, _ := f.do(t, http.MethodGet, "/v1/ingestion"+q, "", ""); status != 400 {
			t.Errorf("GET /v1/ingestion%s: %d", q, status)
		}
	}

	// Files gone: an empty catalog, reported as such.
	os.Remove(filepath.Join(dir, ingest.CatalogFile))
	os.Remove(filepath.Join(dir, ingest.ChannelsFile))
	status, _, raw = f.do(t, http.MethodPost, "/v1/catalog/reload", "", "")
	if status != 200 || !strings.Contains(string(raw), `"works":0`) || !strings.Contains(string(raw), `"missing":["catalog.xml","channels.xml"]`) {
		t.Errorf("reload without files: %d %s", status, raw)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
