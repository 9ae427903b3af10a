package infra_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"livingroom/infra/samlocal"
	"livingroom/internal/account"
	"livingroom/internal/adm"
	"livingroom/internal/device"
	"livingroom/internal/dynamo"
	"livingroom/internal/dynamotest"
	"livingroom/internal/s3test"
	"livingroom/internal/skill"
	"livingroom/internal/vsk/vsktest"
)

// The seeded development account, its TV and the buckets, as the sample
// events and lambdas/env.local.json name them.
const (
	sampleAccount  = "dev-account"
	sampleToken    = "dev-token"
	sampleEndpoint = "livingroom-tv-sim-0001"
	metadataBucket = "livingroom-metadata"
	amazonBucket   = "livingroom-catalog"
)

// sampleEvent is one lambdas/events file and the function it is for,
// told by its shape: a directive (SkillFunction), an HTTP API 2.0 request
// (DeviceApiFunction), an Alexa custom-skill request (CustomSkillFunction)
// or an EventBridge scheduled event (CatalogExportFunction).
type sampleEvent struct {
	name     string
	function string
	payload  []byte
}

func loadSampleEvents(t *testing.T) []sampleEvent {
	t.Helper()
	paths, err := filepath.Glob("../lambdas/events/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no sample events: %v", err)
	}
	var out []sampleEvent
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var shape struct {
			Directive      json.RawMessage `json:"directive"`
			RouteKey       string          `json:"routeKey"`
			Version        string          `json:"version"`
			Request        json.RawMessage `json:"request"`
			Source         string          `json:"source"`
			DetailType     string          `json:"detail-type"`
			RequestContext struct {
				HTTP struct {
					Method string `json:"method"`
				} `json:"http"`
			} `json:"requestContext"`
		}
		if err := json.Unmarshal(b, &shape); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		ev := sampleEvent{name: filepath.Base(p), payload: b}
		switch {
		case shape.Directive != nil:
			ev.function = "SkillFunction"
		case shape.Version == "2.0" && shape.RouteKey != "" && shape.RequestContext.HTTP.Method != "":
			ev.function = "DeviceApiFunction"
		case shape.Version == "1.0" && shape.Request != nil:
			ev.function = "CustomSkillFunction"
		case shape.Source == "aws.events" && shape.DetailType == "Scheduled Event":
			ev.function = "CatalogExportFunction"
		default:
			t.Fatalf("%s: not a directive, HTTP API, custom-skill or scheduled event", p)
		}
		out = append(out, ev)
	}
	return out
}

// TestSampleEventsCoverage checks lambdas/events has one event per
// directive the skill answers, per device API route, per custom-skill
// request type, and the schedule.
func TestSampleEventsCoverage(t *testing.T) {
	have := map[string]bool{}
	for _, ev := range loadSampleEvents(t) {
		var m map[string]any
		_ = json.Unmarshal(ev.payload, &m)
		switch ev.function {
		case "SkillFunction":
			have[str(dig(m, "directive", "header", "namespace"))+"."+str(dig(m, "directive", "header", "name"))] = true
		case "DeviceApiFunction":
			have[str(dig(m, "routeKey"))] = true
		case "CustomSkillFunction":
			have[str(dig(m, "request", "type"))] = true
		case "CatalogExportFunction":
			have["schedule"] = true
		}
	}
	want := append(skillDirectives(t), "POST /v1/devices", "GET /v1/devices", "DELETE /v1/devices/{endpointId}",
		"PUT /v1/devices/{endpointId}/state", "GET /v1/devices/{endpointId}/state",
		"LaunchRequest", "IntentRequest", "SessionEndedRequest", "schedule")
	for _, w := range want {
		if !have[w] {
			t.Errorf("lambdas/events has no sample for %s", w)
		}
	}
}

// TestSampleEventsUnderEmulator sends every lambdas/events file to its
// function: the host-built bootstrap under aws-lambda-rie (as `sam local
// invoke -e` would), with the environment of lambdas/env.local.json pointed
// at dynalite, an in-memory S3 and stand-ins for ADM and Login with Amazon.
// The catalog export runs first (it fills the catalog index the skills
// read); then the device API routes in the order a TV uses them, the
// directives and the custom-skill requests, one invoke at a time. Each reply
// must be valid: directives' against the Alexa schema (and no
// INTERNAL_ERROR), HTTP responses well formed with the route's status,
// custom-skill responses well formed, the export a summary with no error.
func TestSampleEventsUnderEmulator(t *testing.T) {
	bin := os.Getenv("LIVINGROOM_BIN")
	if bin == "" {
		t.Skip("LIVINGROOM_BIN not set: run `make build` and set it to bin/ (make test does)")
	}
	db := dynamotest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	accounts := dynamo.NewAccounts(db.Client, db.Tables["accounts"])
	if err := account.NewService(accounts, time.Now).Create(ctx, account.Account{ID: sampleAccount, Name: "Developer", Plan: account.PlanLiveTVDVR}, sampleToken, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := accounts.PutDevice(ctx, device.Device{AccountID: sampleAccount, EndpointID: sampleEndpoint,
		RegistrationID: "amzn1.adm-registration.v3.sample-0001", FriendlyName: "Living Room TV", RegisteredAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	s3srv := s3test.New(t, metadataBucket)
	s3srv.CreateBucket(t, amazonBucket)
	sample, err := os.ReadFile("../catalog-exporter/source/sample.jsonl")
	if err != nil {
		t.Fatal(err)
	}

	admSrv := httptest.NewServer(fakeADM())
	t.Cleanup(admSrv.Close)
	amazonSrv := httptest.NewServer(fakeAmazon())
	t.Cleanup(amazonSrv.Close)

	var local map[string]map[string]string
	b, err := os.ReadFile("../lambdas/env.local.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &local); err != nil {
		t.Fatal(err)
	}
	endpoint := os.Getenv(dynamotest.EnvEndpoint)
	overrides := map[string]string{
		"DYNAMODB_ENDPOINT": endpoint, "S3_ENDPOINT": s3srv.URL,
		"ACCOUNTS_TABLE": db.Tables["accounts"], "CATALOG_TABLE": db.Tables["catalog"],
		"ADM_ENDPOINT": admSrv.URL, "ADM_RECEIPT_WAIT": "0",
		"LWA_TOKEN_URL": amazonSrv.URL + "/auth/o2/token", "EVENT_GATEWAY_URL": amazonSrv.URL + "/v3/events",
	}
	srcKey := local["CatalogExportFunction"]["SOURCE_KEY"]
	if _, err := s3srv.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(metadataBucket), Key: aws.String(srcKey), Body: bytes.NewReader(sample)}); err != nil {
		t.Fatal(err)
	}

	evs := loadSampleEvents(t)
	sort.SliceStable(evs, func(i, j int) bool { return eventOrder(evs[i]) < eventOrder(evs[j]) })
	emulators := map[string]*samlocal.Emulator{}
	logs := map[string]*syncBuffer{}
	t.Cleanup(func() {
		for _, e := range emulators {
			e.Stop()
		}
		if t.Failed() {
			for fn, l := range logs {
				t.Logf("%s output:\n%s", fn, l.String())
			}
		}
	})
	for _, ev := range evs {
		emu, ok := emulators[ev.function]
		if !ok {
			env := map[string]string{}
			for k, v := range local[ev.function] {
				env[k] = v
				if o, ok := overrides[k]; ok {
					env[k] = o
				}
			}
			env["ADM_RECEIPT_WAIT"] = "0"
			logs[ev.function] = &syncBuffer{}
			timeout := 8 * time.Second
			if ev.function == "CatalogExportFunction" {
				timeout = 60 * time.Second
			}
			emu, err = samlocal.Start(ctx, samlocal.EmulatorConfig{
				Name: ev.function, RIEPath: filepath.Join(bin, "aws-lambda-rie"),
				Bootstrap: filepath.Join(bin, "lambdas", functions[ev.function], "bootstrap"),
				Env:       env, Timeout: timeout, Stdout: logs[ev.function], Stderr: logs[ev.function],
			})
			if err != nil {
				t.Fatal(err)
			}
			emulators[ev.function] = emu
		}
		t.Run(ev.function+"/"+ev.name, func(t *testing.T) {
			res, err := emu.Invoke(ctx, ev.payload)
			if err != nil {
				t.Fatal(err)
			}
			if res.FunctionError != "" {
				t.Fatalf("function error %s: %s", res.ErrorType, res.Payload)
			}
			checkReply(t, ev, res.Payload)
		})
	}
}

// eventOrder puts the export first, then the device API in the order a TV
// calls it, then the directives and custom-skill requests by name.
func eventOrder(ev sampleEvent) int {
	switch ev.function {
	case "CatalogExportFunction":
		return 0
	case "DeviceApiFunction":
		for i, route := range []string{"RegisterDevice", "ListDevices", "ReportDeviceState", "GetDeviceState", "DeregisterDevice"} {
			if strings.Contains(ev.name, "."+route+".") {
				return 1 + i
			}
		}
		return 9
	case "SkillFunction":
		return 10
	}
	return 11
}

// routeStatus is each device API sample's expected status.
var routeStatus = map[string]int{
	"POST /v1/devices": 201, "GET /v1/devices": 200, "PUT /v1/devices/{endpointId}/state": 204,
	"GET /v1/devices/{endpointId}/state": 200, "DELETE /v1/devices/{endpointId}": 204,
}

func checkReply(t *testing.T, ev sampleEvent, reply []byte) {
	t.Helper()
	switch ev.function {
	case "SkillFunction":
		vsktest.Validate(t, reply)
		var m map[string]any
		_ = json.Unmarshal(reply, &m)
		if typ := str(dig(m, "event", "payload", "type")); typ == "INTERNAL_ERROR" {
			t.Errorf("INTERNAL_ERROR: %s", reply)
		}
		t.Logf("%s → %s %s", ev.name, str(dig(m, "event", "header", "name")), str(dig(m, "event", "payload", "type")))
	case "DeviceApiFunction":
		var req events.APIGatewayV2HTTPRequest
		_ = json.Unmarshal(ev.payload, &req)
		var resp events.APIGatewayV2HTTPResponse
		dec := json.NewDecoder(bytes.NewReader(reply))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&resp); err != nil {
			t.Fatalf("not an HTTP API response: %v: %s", err, reply)
		}
		if want := routeStatus[req.RouteKey]; resp.StatusCode != want {
			t.Errorf("status %d, want %d: %s", resp.StatusCode, want, resp.Body)
		}
		if resp.Body != "" {
			if !json.Valid([]byte(resp.Body)) {
				t.Errorf("body is not JSON: %s", resp.Body)
			}
			if ct := resp.Headers["Content-Type"]; !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
		}
	case "CustomSkillFunction":
		var resp struct {
			Version  string `json:"version"`
			Response *struct {
				OutputSpeech *struct {
					Type string `json:"type"`
					SSML string `json:"ssml"`
					Text string `json:"text"`
				} `json:"outputSpeech"`
			} `json:"response"`
		}
		if err := json.Unmarshal(reply, &resp); err != nil || resp.Version != "1.0" || resp.Response == nil {
			t.Fatalf("not a custom-skill response (%v): %s", err, reply)
		}
		if o := resp.Response.OutputSpeech; o != nil {
			if o.Type == "SSML" && !(strings.HasPrefix(o.SSML, "<speak>") && strings.HasSuffix(o.SSML, "</speak>")) ||
				o.Type == "PlainText" && o.Text == "" || o.Type != "SSML" && o.Type != "PlainText" {
				t.Errorf("bad outputSpeech: %s", reply)
			}
		} else if !strings.Contains(ev.name, "SessionEnded") {
			t.Errorf("no outputSpeech: %s", reply)
		}
	case "CatalogExportFunction":
		var res struct {
			Works    map[string]int `json:"works"`
			Error    string         `json:"error"`
			Refused  string         `json:"refused"`
			Channels int            `json:"channels"`
		}
		if err := json.Unmarshal(reply, &res); err != nil {
			t.Fatalf("not an export summary: %v: %s", err, reply)
		}
		n := 0
		for _, c := range res.Works {
			n += c
		}
		if res.Error != "" || res.Refused != "" || n == 0 {
			t.Errorf("export: %s", reply)
		}
	}
}

// fakeADM answers ADM's token and send calls.
func fakeADM() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+adm.TokenPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(adm.Token{AccessToken: "Atc|sample", ExpiresIn: 3600, Scope: adm.ScopeMessagingPush, TokenType: "bearer"})
	})
	mux.HandleFunc("POST "+adm.SendPathPrefix+"{id}"+adm.SendPathSuffix, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set(adm.HeaderRequestID, "sample-request")
		_ = json.NewEncoder(w).Encode(adm.SendResult{RegistrationID: r.PathValue("id")})
	})
	return mux
}

// fakeAmazon answers Login with Amazon's token exchange and the event
// gateway.
func fakeAmazon() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/o2/token", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"Atza|sample","refresh_token":"Atzr|sample","token_type":"bearer","expires_in":3600}`))
	})
	mux.HandleFunc("POST /v3/events", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	})
	return mux
}

// syncBuffer collects an emulator's output from its pipe goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// skillDirectives lists what the skill's handler answers.
func skillDirectives(t *testing.T) []string {
	t.Helper()
	ds := skill.NewHandler(skill.Config{}).Directives()
	if len(ds) < 20 {
		t.Fatalf("only %d directives: %v", len(ds), ds)
	}
	return ds
}
