package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"livingroom/alexa-sim/linking"
	"livingroom/alexa-sim/trace"
	"livingroom/internal/vsk"
)

// refuse answers like a skill that says no: an Alexa.Video ErrorResponse.
func refuse(payload []byte) ([]byte, error) {
	var req vsk.Request
	if err := json.Unmarshal(payload, &req); err != nil {
		return nil, err
	}
	return json.Marshal(vsk.ErrorResponse(req.Directive, "5f8a426e-01e4-4cc9-8b79-65f8bd0fd8a4",
		vsk.Error{Namespace: "Alexa.Video", Type: "NOT_SUBSCRIBED", Message: "The account has no plan for this content."}))
}

func TestSayReportsRefusal(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "testdata/catalog", refuse)
	f.register(t, "tv-a", "TV", "reg-a", "token-a")
	status, body, raw := f.do(t, http.MethodPost, "/v1/say", "", `{"utterance":"watch the handmaid's tale"}`)
	if status != http.StatusOK {
		t.Fatalf("%d %s", status, raw)
	}
	e, _ := body["error"].(map[string]any)
	if e["type"] != "NOT_SUBSCRIBED" || e["message"] != "The account has no plan for this content." || e["namespace"] != "Alexa.Video" {
		t.Errorf("error = %v", body["error"])
	}
	for _, k := range []string{"directive", "response", "intent", "traceId", "trace"} {
		if _, ok := body[k]; !ok {
			t.Errorf("reply lacks %s: %s", k, raw)
		}
	}
	// An accepted directive has no error field.
	f2 := newFixture(t, "testdata/catalog", skillReply)
	f2.register(t, "tv-a", "TV", "reg-a", "token-a")
	if _, body, raw := f2.do(t, http.MethodPost, "/v1/say", "", `{"utterance":"pause"}`); body["error"] != nil {
		t.Errorf("error on success: %s", raw)
	}
}

func TestSayTrace(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "testdata/catalog", skillReply)
	f.srv.cfg.BaseURL = "http://127.0.0.1:8300"
	f.register(t, "tv-a", "TV", "reg-a", "token-a")
	status, body, raw := f.do(t, http.MethodPost, "/v1/say", "", `{"utterance":"watch the handmaid's tale"}`)
	if status != http.StatusOK {
		t.Fatalf("%d %s", status, raw)
	}
	id, _ := body["traceId"].(string)
	if len(id) != 32 {
		t.Fatalf("traceId %q", id)
	}
	var reply struct {
		Trace trace.Trace `json:"trace"`
	}
	if err := json.Unmarshal(raw, &reply); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range reply.Trace.Hops {
		names = append(names, h.Name)
		if h.Process != "alexa-sim" || h.DurationMs < 0 {
			t.Errorf("hop %+v", h)
		}
	}
	if strings.Join(names, ",") != "parse,resolve,lambda invoke" {
		t.Errorf("hops %v", names)
	}
	if reply.Trace.EndpointID != "tv-a" || reply.Trace.MessageID == "" || reply.Trace.Utterance != "watch the handmaid's tale" {
		t.Errorf("trace %+v", reply.Trace)
	}

	// The skill learns the trace from the invoke's client context.
	cc, err := base64.StdEncoding.DecodeString(f.invoker.contexts[0])
	if err != nil {
		t.Fatal(err)
	}
	var ctx struct{ Custom map[string]string }
	if err := json.Unmarshal(cc, &ctx); err != nil || ctx.Custom[trace.ContextTraceID] != id ||
		ctx.Custom[trace.ContextHopsURL] != "http://127.0.0.1:8300/v1/traces/"+id+"/hops" {
		t.Errorf("client context %s", cc)
	}

	// Another process adds its hops; GET shows them in time order.
	start := reply.Trace.Start
	hops := `{"hops":[{"name":"dynamodb GetItem","process":"skill","start":"` + start.Add(40*time.Millisecond).Format(time.RFC3339Nano) +
		`","end":"` + start.Add(42*time.Millisecond).Format(time.RFC3339Nano) + `","detail":"accounts"},` +
		`{"name":"adm send","process":"skill","start":"` + start.Add(45*time.Millisecond).Format(time.RFC3339Nano) +
		`","end":"` + start.Add(46*time.Millisecond).Format(time.RFC3339Nano) + `"}]}`
	if status, _, raw := f.do(t, http.MethodPost, "/v1/traces/"+id+"/hops", "", hops); status != http.StatusNoContent {
		t.Fatalf("add hops: %d %s", status, raw)
	}
	status, _, raw = f.do(t, http.MethodGet, "/v1/traces/"+id, "", "")
	var got trace.Trace
	if err := json.Unmarshal(raw, &got); status != 200 || err != nil {
		t.Fatalf("%d %s", status, raw)
	}
	if len(got.Hops) != 5 || got.Hops[3].Name != "dynamodb GetItem" || got.Hops[3].OffsetMs != 40 || got.Hops[3].DurationMs != 2 {
		t.Errorf("hops %+v", got.Hops)
	}
	if status, body, _ := f.do(t, http.MethodGet, "/v1/traces", "", ""); status != 200 || len(body["traces"].([]any)) != 1 {
		t.Errorf("list %d %v", status, body)
	}
}

func TestAddHopsRejects(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "testdata/catalog", skillReply)
	f.register(t, "tv-a", "TV", "reg-a", "token-a")
	_, body, _ := f.do(t, http.MethodPost, "/v1/say", "", `{"utterance":"pause"}`)
	id := body["traceId"].(string)
	at := func(d time.Duration) string {
		return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(d).Format(time.RFC3339Nano)
	}
	hop := func(name, process, start, end string) string {
		return `{"hops":[{"name":"` + name + `","process":"` + process + `","start":"` + start + `","end":"` + end + `"}]}`
	}
	tests := []struct {
		name, id, body string
		status         int
	}{
		{"unknown trace", "nope", hop("x", "skill", at(0), at(time.Millisecond)), 404},
		{"not json", id, `{"hops":`, 400},
		{"no hops", id, `{"hops":[]}`, 400},
		{"unknown field", id, `{"hops":[],"x":1}`, 400},
		{"trailing data", id, hop("x", "skill", at(0), at(0)) + `{}`, 400},
		{"no name", id, hop("", "skill", at(0), at(0)), 400},
		{"no process", id, hop("x", "", at(0), at(0)), 400},
		{"long name", id, hop(strings.Repeat("n", 65), "skill", at(0), at(0)), 400},
		{"end before start", id, hop("x", "skill", at(time.Second), at(0)), 400},
		{"an hour away", id, hop("x", "skill", at(time.Hour), at(time.Hour)), 400},
		{"no times", id, `{"hops":[{"name":"x","process":"skill"}]}`, 400},
		{"too many in one post", id, `{"hops":[` + strings.TrimSuffix(strings.Repeat(`{"name":"x","process":"p","start":"`+at(0)+`","end":"`+at(0)+`"},`, 33), ",") + `]}`, 400},
		{"too large", id, `{"hops":[{"name":"` + strings.Repeat("x", 70<<10) + `"}]}`, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, _, raw := f.do(t, http.MethodPost, "/v1/traces/"+tt.id+"/hops", "", tt.body); status != tt.status {
				t.Errorf("status %d, want %d: %s", status, tt.status, raw)
			}
		})
	}
	// A trace holds a bounded number of hops.
	var many []string
	for range 32 {
		many = append(many, `{"name":"x","process":"p","start":"`+at(0)+`","end":"`+at(0)+`"}`)
	}
	var last int
	for range 5 {
		last, _, _ = f.do(t, http.MethodPost, "/v1/traces/"+id+"/hops", "", `{"hops":[`+strings.Join(many, ",")+`]}`)
	}
	if last != http.StatusConflict {
		t.Errorf("5 × 32 hops: last status %d, want 409", last)
	}
}

func TestSayTooLongIsRefusedBeforeWork(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "testdata/catalog", skillReply)
	f.register(t, "tv-a", "TV", "reg-a", "token-a")
	for name, body := range map[string]string{
		"2,000 words":    `{"utterance":"` + strings.Repeat("watch ", 2000) + `"}`,
		"41 words":       `{"utterance":"watch ` + strings.Repeat("a ", 40) + `"}`,
		"body over 8 KB": `{"utterance":"` + strings.Repeat("x", 9<<10) + `"}`,
	} {
		status, resp, raw := f.do(t, http.MethodPost, "/v1/say", "", body)
		if status != http.StatusRequestEntityTooLarge || resp["error"] != "utterance_too_long" {
			t.Errorf("%s: %d %s", name, status, raw)
		}
	}
	if f.invoker.count() != 0 {
		t.Error("the skill was invoked")
	}
}

func TestSayStopsWhenClientLeaves(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "testdata/catalog", skillReply)
	f.register(t, "tv-a", "TV", "reg-a", "token-a")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/v1/say", strings.NewReader(`{"utterance":"watch fargo"}`))
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	if f.invoker.count() != 0 {
		t.Error("the skill was invoked for a client that left")
	}
}

func TestPhrasesAndConsole(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "testdata/catalog", skillReply)
	status, body, raw := f.do(t, http.MethodGet, "/v1/phrases", "", "")
	phrases, _ := body["phrases"].([]any)
	if status != 200 || len(phrases) < 30 {
		t.Fatalf("%d %s", status, raw)
	}
	for _, p := range phrases {
		m := p.(map[string]any)
		for _, k := range []string{"family", "say", "example", "directive"} {
			if s, _ := m[k].(string); s == "" {
				t.Errorf("phrase %v lacks %s", m, k)
			}
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") ||
		!strings.Contains(rec.Body.String(), "/v1/say") || !strings.Contains(rec.Body.String(), "waterfall") {
		t.Errorf("console: %d %s", rec.Code, rec.Header())
	}
	// Only the root is the console.
	req = httptest.NewRequest(http.MethodGet, "/nope", nil)
	rec = httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	if rec.Code != 404 {
		t.Errorf("/nope: %d", rec.Code)
	}
}

func TestEventsListed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "testdata/catalog", skillReply)
	f.register(t, "tv-a", "TV", "reg-a", "token-a")
	f.do(t, http.MethodPost, "/v3/events", "", `{}`) // 401, kept too
	cr := `{"event":{"header":{"namespace":"Alexa","name":"ChangeReport","messageId":"c1","payloadVersion":"3"},"endpoint":{"scope":{"type":"BearerToken","token":"token-a"},"endpointId":"tv-a"},"payload":{"change":{"cause":{"type":"VOICE_INTERACTION"},"properties":[]}}}}`
	if status, _, raw := f.do(t, http.MethodPost, "/v3/events", "Bearer lwa", cr); status != 202 {
		t.Fatalf("%d %s", status, raw)
	}
	_, body, raw := f.do(t, http.MethodGet, "/v1/events", "", "")
	evs, _ := body["events"].([]any)
	if len(evs) != 3 {
		t.Fatalf("events %s", raw)
	}
	first, last := evs[0].(map[string]any), evs[2].(map[string]any)
	if first["name"] != "AddOrUpdateReport" || first["status"] != 202.0 || evs[1].(map[string]any)["status"] != 401.0 ||
		last["name"] != "ChangeReport" || last["endpointId"] != "tv-a" || last["messageId"] != "c1" {
		t.Errorf("events %s", raw)
	}
	_, body, _ = f.do(t, http.MethodGet, "/v1/events?name=ChangeReport&endpointId=tv-a", "", "")
	if evs, _ := body["events"].([]any); len(evs) != 1 {
		t.Errorf("filtered %v", body)
	}
	if status, _, _ := f.do(t, http.MethodGet, "/v1/events?limit=x", "", ""); status != 400 {
		t.Errorf("bad limit: %d", status)
	}
	// The ChangeReport lands on the trace of the last directive to tv-a.
	_, say, _ := f.do(t, http.MethodPost, "/v1/say", "", `{"utterance":"pause"}`)
	// The TV adds its hops by endpoint, not knowing the trace id.
	tvHops := `{"hops":[{"name":"TV apply PAUSE","process":"tvapp-sim","start":"2026-01-02T03:04:06Z","end":"2026-01-02T03:04:06.002Z","detail":"action a-1"}]}`
	if status, _, raw := f.do(t, http.MethodPost, "/v1/endpoints/tv-a/hops", "", tvHops); status != 204 {
		t.Fatalf("endpoint hops: %d %s", status, raw)
	}
	if status, body, _ := f.do(t, http.MethodPost, "/v1/endpoints/tv-b/hops", "", tvHops); status != 404 || body["error"] != "unknown_trace" {
		t.Errorf("hops for an endpoint without a directive: %d %v", status, body)
	}
	if status, _, _ := f.do(t, http.MethodPost, "/v1/endpoints/tv-a/hops", "", `{"hops":[]}`); status != 400 {
		t.Errorf("no hops: %d", status)
	}
	withSample := strings.Replace(strings.Replace(cr, `"c1"`, `"c2"`, 1), `"properties":[]`,
		`"properties":[{"namespace":"Alexa.PlaybackStateReporter","name":"playbackState","value":{"state":"PAUSED"},"timeOfSample":"2026-01-02T03:04:06.010Z","uncertaintyInMilliseconds":0}]`, 1)
	if status, _, raw := f.do(t, http.MethodPost, "/v3/events", "Bearer lwa", withSample); status != 202 {
		t.Fatalf("%d %s", status, raw)
	}
	_, tr, raw := f.do(t, http.MethodGet, "/v1/traces/"+say["traceId"].(string), "", "")
	hops, _ := tr["hops"].([]any)
	names := map[string]string{}
	for _, h := range hops {
		h := h.(map[string]any)
		names[h["name"].(string)] = h["process"].(string) + " " + fmt.Sprint(h["start"])
	}
	for name, want := range map[string]string{
		"TV apply PAUSE":         "tvapp-sim 2026-01-02T03:04:06Z",
		"state report received":  "device-api 2026-01-02T03:04:06.01Z",
		"change report received": "alexa-sim",
	} {
		if !strings.HasPrefix(names[name], want) {
			t.Errorf("hop %q = %q, want %q; trace %s", name, names[name], want, raw)
		}
	}
}

func TestSendDirective(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "testdata/catalog", skillReply)
	f.register(t, "tv-a", "TV", "reg-a", "token-a")

	status, body, raw := f.do(t, http.MethodPost, "/v1/directive", "", `{"namespace":"Alexa","name":"ReportState"}`)
	if status != 200 || body["intent"] != "Alexa.ReportState" || body["traceId"] == nil {
		t.Fatalf("%d %s", status, raw)
	}
	var req vsk.Request
	if err := json.Unmarshal(f.invoker.calls[0], &req); err != nil {
		t.Fatal(err)
	}
	d := req.Directive
	if d.Header.CorrelationToken == "" || d.Endpoint == nil || d.Endpoint.EndpointID != "tv-a" || d.Endpoint.Scope.Token != "token-a" ||
		d.Endpoint.Cookie["applicationInstanceId"] != "reg-a" || string(d.Payload) != "{}" {
		t.Errorf("ReportState %s", f.invoker.calls[0])
	}

	// Discover: no endpoint, no correlation token, the token in payload.scope.
	if status, _, raw := f.do(t, http.MethodPost, "/v1/directive", "", `{"namespace":"Alexa.Discovery","name":"Discover"}`); status != 200 {
		t.Fatalf("%d %s", status, raw)
	}
	var discover vsk.Request
	if err := json.Unmarshal(f.invoker.calls[1], &discover); err != nil {
		t.Fatal(err)
	}
	d = discover.Directive
	if d.Endpoint != nil || d.Header.CorrelationToken != "" || string(d.Payload) != `{"scope":{"type":"BearerToken","token":"token-a"}}` {
		t.Errorf("Discover %s", f.invoker.calls[1])
	}

	for name, tt := range map[string]struct {
		body   string
		status int
	}{
		"not json":           {`{"namespace":`, 400},
		"unknown field":      {`{"namespace":"Alexa","name":"ReportState","x":1}`, 400},
		"bad name":           {`{"namespace":"Alexa","name":"Report State"}`, 400},
		"no namespace":       {`{"name":"ReportState"}`, 400},
		"payload not object": {`{"namespace":"Alexa","name":"ReportState","payload":[1]}`, 400},
		"trailing data":      {`{"namespace":"Alexa","name":"ReportState"}{}`, 400},
		"unknown endpoint":   {`{"namespace":"Alexa","name":"ReportState","endpointId":"tv-z"}`, 404},
		"too large":          {`{"namespace":"Alexa","name":"X","payload":{"a":"` + strings.Repeat("x", 17<<10) + `"}}`, 413},
	} {
		if status, _, raw := f.do(t, http.MethodPost, "/v1/directive", "", tt.body); status != tt.status {
			t.Errorf("%s: %d %s", name, status, raw)
		}
	}
}

// Linking an account sends AcceptGrant; the skill exchanges its code for
// an LWA token, which the event gateway then accepts.
func TestLinkAccountAcceptGrant(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "testdata/catalog", skillReply)
	status, body, raw := f.do(t, http.MethodPost, "/v1/accounts/link", "", `{"token":"dev-token-2"}`)
	if status != 200 || body["intent"] != "Alexa.Authorization.AcceptGrant" {
		t.Fatalf("%d %s", status, raw)
	}
	var req struct {
		Directive struct {
			Header   vsk.Header    `json:"header"`
			Endpoint *vsk.Endpoint `json:"endpoint"`
			Payload  struct {
				Grant   struct{ Type, Code string } `json:"grant"`
				Grantee vsk.Scope                   `json:"grantee"`
			} `json:"payload"`
		} `json:"directive"`
	}
	if err := json.Unmarshal(f.invoker.calls[0], &req); err != nil {
		t.Fatal(err)
	}
	d := req.Directive
	if d.Endpoint != nil || d.Header.CorrelationToken == "" || d.Payload.Grant.Type != "OAuth2.AuthorizationCode" || d.Payload.Grant.Code == "" ||
		d.Payload.Grantee.Type != "BearerToken" || d.Payload.Grantee.Token != "dev-token-2" {
		t.Fatalf("AcceptGrant %s", f.invoker.calls[0])
	}

	// The skill exchanges the code.
	form := "grant_type=authorization_code&code=" + d.Payload.Grant.Code + "&client_id=skill&client_secret=secret"
	hreq := httptest.NewRequest(http.MethodPost, "/auth/o2/token", strings.NewReader(form))
	hreq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, hreq)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); rec.Code != 200 || err != nil || !strings.HasPrefix(tok.AccessToken, "Atza|") {
		t.Fatalf("token exchange: %d %s", rec.Code, rec.Body)
	}

	// The gateway accepts that token and refuses a forged one.
	ev := `{"event":{"header":{"namespace":"Alexa","name":"DeferredResponse","messageId":"m1","correlationToken":"c","payloadVersion":"3"},"payload":{}}}`
	if status, _, raw := f.do(t, http.MethodPost, "/v3/events", "Bearer "+tok.AccessToken, ev); status != 202 {
		t.Errorf("with the LWA token: %d %s", status, raw)
	}
	if status, body, _ := f.do(t, http.MethodPost, "/v3/events", "Bearer Atza|forged", ev); status != 401 ||
		body["payload"].(map[string]any)["code"] != "INVALID_ACCESS_TOKEN_EXCEPTION" {
		t.Errorf("forged LWA token: %d %v", status, body)
	}

	// A ChangeReport about the account's TV in the skill's LWA token is the
	// account's; about another account's TV it is refused.
	f.register(t, "tv-2", "TV", "reg-2", "dev-token-2")
	f.register(t, "tv-other", "TV", "reg-o", "someone-else")
	cr := `{"event":{"header":{"namespace":"Alexa","name":"ChangeReport","messageId":"c1","payloadVersion":"3"},"endpoint":{"scope":{"type":"BearerToken","token":"` + tok.AccessToken + `"},"endpointId":"tv-2"},"payload":{"change":{"cause":{"type":"APP_INTERACTION"},"properties":[]}}}}`
	if status, _, raw := f.do(t, http.MethodPost, "/v3/events", "Bearer "+tok.AccessToken, cr); status != 202 {
		t.Errorf("ChangeReport in the granted LWA token: %d %s", status, raw)
	}
	if status, body, _ := f.do(t, http.MethodPost, "/v3/events", "Bearer "+tok.AccessToken, strings.Replace(cr, `"tv-2"`, `"tv-other"`, 1)); status != 403 ||
		body["payload"].(map[string]any)["code"] != "INSUFFICIENT_PERMISSION_EXCEPTION" {
		t.Errorf("ChangeReport about another account's TV: %d %v", status, body)
	}

	for name, tt := range map[string]struct {
		body   string
		status int
	}{
		"no token, no endpoint": {`{}`, 409},
		"bad token":             {`{"token":"a b"}`, 400},
		"unknown field":         {`{"tok":"x"}`, 400},
		"not json":              {`{`, 400},
	} {
		if status, _, raw := f.do(t, http.MethodPost, "/v1/accounts/link", "", tt.body); status != tt.status {
			t.Errorf("%s: %d %s", name, status, raw)
		}
	}
}

// Linking at the partner: start sends the user to the partner, the
// callback exchanges the code, AcceptGrant follows, and directives to the
// account's TV carry its current token, refreshed when due.
func TestLinkingAtThePartner(t *testing.T) {
	t.Parallel()
	issued := 0
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if id, secret, _ := r.BasicAuth(); id != "alexa" || secret != "cs" {
			w.WriteHeader(401)
			return
		}
		if r.PostForm.Get("grant_type") == "authorization_code" && r.PostForm.Get("code") != "good-code" {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_grant"}`)
			return
		}
		issued++
		// A token that lives one second: every use refreshes it.
		fmt.Fprintf(w, `{"access_token":"acct-token-%d","token_type":"bearer","expires_in":1,"refresh_token":"r"}`, issued)
	}))
	defer partner.Close()
	f := newFixture(t, "testdata/catalog", skillReply)
	f.srv.cfg.Linker = linking.New(linking.Config{AuthorizeURL: "http://partner.example/authorize", TokenURL: partner.URL,
		ClientID: "alexa", ClientSecret: "cs", RedirectURL: "http://127.0.0.1:8300/v1/accounts/link/callback", Now: f.srv.cfg.Now})

	req := httptest.NewRequest(http.MethodGet, "/v1/accounts/link/start", nil)
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusFound || loc.Host != "partner.example" || loc.Query().Get("state") == "" {
		t.Fatalf("start: %d %s", rec.Code, rec.Header())
	}
	state := loc.Query().Get("state")
	if status, body, raw := f.do(t, http.MethodGet, "/v1/accounts/link/callback?state="+state+"&code=bad-code", "", ""); status != 502 || body["error"] != "link_failed" {
		t.Errorf("bad code: %d %s", status, raw)
	}
	start := httptest.NewRecorder()
	f.srv.ServeHTTP(start, httptest.NewRequest(http.MethodGet, "/v1/accounts/link/start", nil))
	loc, _ = url.Parse(start.Header().Get("Location"))
	status, body, raw := f.do(t, http.MethodGet, "/v1/accounts/link/callback?state="+loc.Query().Get("state")+"&code=good-code", "", "")
	if status != 200 || body["intent"] != "Alexa.Authorization.AcceptGrant" {
		t.Fatalf("callback: %d %s", status, raw)
	}
	if !strings.Contains(string(f.invoker.calls[0]), `"grantee":{"type":"BearerToken","token":"acct-token-1"}`) {
		t.Errorf("AcceptGrant %s", f.invoker.calls[0])
	}
	if status, body, _ := f.do(t, http.MethodGet, "/v1/accounts", "", ""); status != 200 || len(body["accounts"].([]any)) != 1 {
		t.Errorf("accounts %v", body)
	}

	// The TV registers with the account's token; a directive gets a fresh one.
	f.register(t, "tv-linked", "TV", "reg-l", "acct-token-1")
	if status, _, raw := f.do(t, http.MethodPost, "/v1/say", "", `{"utterance":"pause"}`); status != 200 {
		t.Fatalf("say: %d %s", status, raw)
	}
	var d vsk.Request
	json.Unmarshal(f.invoker.calls[1], &d)
	if d.Directive.Endpoint.Scope.Token != "acct-token-2" {
		t.Errorf("directive token %q, want the refreshed acct-token-2", d.Directive.Endpoint.Scope.Token)
	}

	for name, path := range map[string]string{
		"partner refused": "/v1/accounts/link/callback?error=access_denied",
		"unknown state":   "/v1/accounts/link/callback?state=nope&code=good-code",
	} {
		if status, body, raw := f.do(t, http.MethodGet, path, "", ""); status != 400 || body["error"] != "link_failed" {
			t.Errorf("%s: %d %s", name, status, raw)
		}
	}
	// Without the partner's URLs linking says how to turn it on.
	f2 := newFixture(t, "testdata/catalog", skillReply)
	f2.srv.cfg.Linker = linking.New(linking.Config{})
	if status, body, _ := f2.do(t, http.MethodGet, "/v1/accounts/link/start", "", ""); status != 409 || body["error"] != "linking_not_configured" {
		t.Errorf("unconfigured: %d %v", status, body)
	}
}
