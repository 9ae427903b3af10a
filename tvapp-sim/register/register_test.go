package register

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"livingroom/internal/vsk"
	"livingroom/internal/vsk/vsktest"
	"livingroom/tvapp-sim/backoff"
)

var testEndpoint = Endpoint{EndpointID: "livingroom-tv-sim-0001", FriendlyName: "Living Room TV", DeviceID: "sim-0001"}

const (
	testToken = "dev-token"
	testRegID = "amzn1.adm-registration.v3.abc"
)

func TestAddOrUpdateReportValidates(t *testing.T) {
	t.Parallel()
	msg := AddOrUpdateReport(testEndpoint, testRegID, testToken, "6b0a6b8e-8a1c-4b7c-9d2e-2f6c4a5e9d10")
	b, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	vsktest.Validate(t, b)

	var got struct {
		Event struct {
			Header  vsk.Header                   `json:"header"`
			Payload vsk.AddOrUpdateReportPayload `json:"payload"`
		} `json:"event"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	h := got.Event.Header
	if h.Namespace != "Alexa.Discovery" || h.Name != "AddOrUpdateReport" || h.PayloadVersion != "3" {
		t.Errorf("header = %+v", h)
	}
	p := got.Event.Payload
	if p.Scope != (vsk.Scope{Type: "BearerToken", Token: testToken}) {
		t.Errorf("scope = %+v", p.Scope)
	}
	if len(p.Endpoints) != 1 {
		t.Fatalf("%d endpoints, want 1", len(p.Endpoints))
	}
	ep := p.Endpoints[0]
	wantCookie := map[string]string{
		"applicationInstanceId": testRegID, "appPackageName": "com.livingroom.tv",
		"deviceId": "sim-0001", "VSKClientVersion": "sim-1",
	}
	if len(ep.Cookie) != len(wantCookie) {
		t.Errorf("cookie = %v, want %v", ep.Cookie, wantCookie)
	}
	for k, v := range wantCookie {
		if ep.Cookie[k] != v {
			t.Errorf("cookie[%s] = %q, want %q", k, ep.Cookie[k], v)
		}
	}
	if ep.EndpointID != testEndpoint.EndpointID || ep.FriendlyName != "Living Room TV" ||
		ep.ManufacturerName != "Living Room" || ep.Description != "Living Room simulated Fire TV app" ||
		len(ep.DisplayCategories) != 1 || ep.DisplayCategories[0] != "TV" {
		t.Errorf("endpoint = %+v", ep)
	}
	caps := map[string]vsk.Capability{}
	for _, c := range ep.Capabilities {
		if c.Version != "3" || c.Type != "AlexaInterface" {
			t.Errorf("capability %+v", c)
		}
		caps[c.Interface] = c
	}
	for _, name := range []string{"Alexa", "Alexa.RemoteVideoPlayer", "Alexa.PlaybackController", "Alexa.SeekController", "Alexa.ChannelController", "Alexa.EndpointHealth"} {
		if _, ok := caps[name]; !ok {
			t.Errorf("missing capability %s", name)
		}
	}
	if ops := caps["Alexa.PlaybackController"].SupportedOperations; len(ops) < 3 || ops[0] != "Play" || ops[1] != "Pause" || ops[2] != "Stop" {
		t.Errorf("PlaybackController operations = %v", ops)
	}
	if cp := caps["Alexa.ChannelController"].Properties; cp == nil || cp.Supported[0].Name != "channel" || cp.ProactivelyReported || cp.Retrievable {
		t.Errorf("ChannelController properties = %+v", cp)
	}
	if cp := caps["Alexa.EndpointHealth"].Properties; cp == nil || cp.Supported[0].Name != "connectivity" {
		t.Errorf("EndpointHealth properties = %+v", cp)
	}
}

func TestEndpointID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		deviceID string
		want     string
	}{
		{"sim-0001", "livingroom-tv-sim-0001"},
		{"fire.tv/1 2", "livingroom-tv-fire-tv-1-2"},
		{"ü", "livingroom-tv--"},
	}
	for _, tc := range cases {
		got := EndpointIDFor(tc.deviceID)
		if got != tc.want {
			t.Errorf("EndpointIDFor(%q) = %q, want %q", tc.deviceID, got, tc.want)
		}
		if !ValidEndpointID(got) {
			t.Errorf("EndpointIDFor(%q) = %q is not valid", tc.deviceID, got)
		}
	}
	for id, want := range map[string]bool{"a-b_c=#;:?@&": true, "": false, "a.b": false, strings.Repeat("a", 257): false} {
		if got := ValidEndpointID(id); got != want {
			t.Errorf("ValidEndpointID(%q) = %v, want %v", id, got, want)
		}
	}
}

// fakeBackend plays device-api and alexa-sim. Each serves the queued status
// codes first, then success, and records what it received.
type fakeBackend struct {
	t  *testing.T
	mu sync.Mutex

	deviceFailures []int
	alexaFailures  []int
	deviceBodies   []map[string]string
	alexaEvents    [][]byte
}

func (f *fakeBackend) checkHeaders(w http.ResponseWriter, r *http.Request, path string) bool {
	if r.Method != http.MethodPost || r.URL.Path != path {
		f.t.Errorf("%s %s, want POST %s", r.Method, r.URL.Path, path)
		http.Error(w, "not found", http.StatusNotFound)
		return false
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
		f.t.Errorf("Authorization = %q", got)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		f.t.Errorf("Content-Type = %q", got)
	}
	return true
}

func (f *fakeBackend) deviceAPI(w http.ResponseWriter, r *http.Request) {
	if !f.checkHeaders(w, r, "/v1/devices") {
		return
	}
	var body map[string]string
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		f.t.Errorf("device body: %v", err)
	}
	f.mu.Lock()
	f.deviceBodies = append(f.deviceBodies, body)
	fail := 0
	if len(f.deviceFailures) > 0 {
		fail, f.deviceFailures = f.deviceFailures[0], f.deviceFailures[1:]
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if fail != 0 {
		w.WriteHeader(fail)
		_, _ = io.WriteString(w, `{"error":"unauthorized","message":"unknown token"}`)
		return
	}
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"accountId": "acct-1", "endpointId": body["endpointId"], "registrationId": body["registrationId"],
		"friendlyName": body["friendlyName"], "registeredAt": "2026-11-25T20:00:00Z",
	})
}

func (f *fakeBackend) alexa(w http.ResponseWriter, r *http.Request) {
	if !f.checkHeaders(w, r, "/v3/events") {
		return
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("alexa body: %v", err)
	}
	f.mu.Lock()
	f.alexaEvents = append(f.alexaEvents, b)
	fail := 0
	if len(f.alexaFailures) > 0 {
		fail, f.alexaFailures = f.alexaFailures[0], f.alexaFailures[1:]
	}
	f.mu.Unlock()
	if fail != 0 {
		http.Error(w, "gateway starting", fail)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func newService(t *testing.T, f *fakeBackend) *Service {
	t.Helper()
	dev := httptest.NewServer(http.HandlerFunc(f.deviceAPI))
	t.Cleanup(dev.Close)
	alexa := httptest.NewServer(http.HandlerFunc(f.alexa))
	t.Cleanup(alexa.Close)
	return New(Config{
		DeviceAPIURL: dev.URL + "/",
		AlexaURL:     alexa.URL,
		AccountToken: testToken,
		Endpoint:     testEndpoint,
		NewID:        func() string { return "6b0a6b8e-8a1c-4b7c-9d2e-2f6c4a5e9d10" },
		Backoff:      backoff.Policy{Base: time.Millisecond, Cap: 2 * time.Millisecond},
	})
}

// waitFor blocks until cond holds for the service's status.
func waitFor(t *testing.T, s *Service, cond func(Status) bool) Status {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		st, changed := s.Watch()
		if cond(st) {
			return st
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("timed out; status %+v", st)
		}
	}
}

func TestRegisterDevice(t *testing.T) {
	t.Parallel()
	f := &fakeBackend{t: t}
	s := newService(t, f)
	d, err := s.RegisterDevice(context.Background(), testRegID)
	if err != nil {
		t.Fatal(err)
	}
	if d.AccountID != "acct-1" || d.RegistrationID != testRegID {
		t.Errorf("device = %+v", d)
	}
	want := map[string]string{"endpointId": "livingroom-tv-sim-0001", "registrationId": testRegID, "friendlyName": "Living Room TV"}
	if got := f.deviceBodies[0]; len(got) != len(want) || got["endpointId"] != want["endpointId"] ||
		got["registrationId"] != want["registrationId"] || got["friendlyName"] != want["friendlyName"] {
		t.Errorf("body = %v, want %v", got, want)
	}
}

func TestRegisterErrors(t *testing.T) {
	t.Parallel()
	f := &fakeBackend{t: t, deviceFailures: []int{http.StatusUnauthorized}, alexaFailures: []int{http.StatusServiceUnavailable}}
	s := newService(t, f)
	_, err := s.RegisterDevice(context.Background(), testRegID)
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 401 || he.Code != "unauthorized" || he.Message != "unknown token" {
		t.Fatalf("RegisterDevice error = %v", err)
	}
	err = s.ReportToAlexa(context.Background(), testRegID)
	if !errors.As(err, &he) || he.StatusCode != 503 || he.Message != "gateway starting" {
		t.Fatalf("ReportToAlexa error = %v", err)
	}

	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	unreachable := New(Config{DeviceAPIURL: closed.URL, AlexaURL: closed.URL, Endpoint: testEndpoint})
	if _, err := unreachable.RegisterDevice(context.Background(), testRegID); err == nil || !strings.Contains(err.Error(), "register device") {
		t.Fatalf("unreachable device API: %v", err)
	}
}

func TestRunRetriesUntilRegistered(t *testing.T) {
	t.Parallel()
	f := &fakeBackend{
		t:              t,
		deviceFailures: []int{http.StatusServiceUnavailable, http.StatusUnauthorized},
		alexaFailures:  []int{http.StatusBadGateway},
	}
	s := newService(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	if s.Status().Registered() {
		t.Fatal("registered before any registration id")
	}
	s.SetRegistrationID(testRegID)
	st := waitFor(t, s, Status.Registered)
	if st.RegistrationID != testRegID || st.LastError != "" {
		t.Errorf("status = %+v", st)
	}
	f.mu.Lock()
	if len(f.deviceBodies) != 3 || len(f.alexaEvents) != 2 {
		t.Errorf("device API called %d times (want 3), Alexa %d times (want 2)", len(f.deviceBodies), len(f.alexaEvents))
	}
	for _, ev := range f.alexaEvents {
		vsktest.Validate(t, ev)
	}
	f.mu.Unlock()

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
}

func TestRunReregistersOnNewID(t *testing.T) {
	t.Parallel()
	f := &fakeBackend{t: t}
	s := newService(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = s.Run(ctx) }()

	s.SetRegistrationID("reg-A")
	waitFor(t, s, func(st Status) bool { return st.Registered() && st.RegistrationID == "reg-A" })
	s.SetRegistrationID("reg-B")
	if st := s.Status(); st.Registered() {
		t.Fatalf("still registered right after the id changed: %+v", st)
	}
	waitFor(t, s, func(st Status) bool { return st.Registered() && st.RegistrationID == "reg-B" })

	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, b := range f.deviceBodies {
		ids = append(ids, b["registrationId"])
	}
	if strings.Join(ids, ",") != "reg-A,reg-B" {
		t.Errorf("device API registrations = %v", ids)
	}
	var last struct {
		Event struct {
			Payload vsk.AddOrUpdateReportPayload `json:"payload"`
		} `json:"event"`
	}
	if err := json.Unmarshal(f.alexaEvents[len(f.alexaEvents)-1], &last); err != nil {
		t.Fatal(err)
	}
	if got := last.Event.Payload.Endpoints[0].Cookie["applicationInstanceId"]; got != "reg-B" {
		t.Errorf("last Alexa cookie applicationInstanceId = %q, want reg-B", got)
	}
}
