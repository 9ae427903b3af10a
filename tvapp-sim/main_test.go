package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"livingroom/internal/action"
	"livingroom/internal/adm"
	"livingroom/internal/push"
	"livingroom/internal/vsk/vsktest"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		env     map[string]string
		want    config
		wantErr string
	}{
		{
			name: "defaults",
			want: config{
				Addr: "127.0.0.1:8400", DevicePushURL: "http://127.0.0.1:8200", AppKey: "dev-app-key", DeviceAPIURL: "http://127.0.0.1:3000",
				AlexaURL: "http://127.0.0.1:8300", AccountToken: "dev-token", DeviceID: "sim-0001",
				EndpointID: "livingroom-tv-sim-0001", FriendlyName: "Living Room TV", MaxActionAge: 5 * time.Second,
			},
		},
		{
			name: "overrides; endpoint derived from the device id",
			env: map[string]string{
				"TVAPP_ADDR": ":9000", "DEVICE_PUSH_URL": "http://push:1", "DEVICE_API_URL": "https://api",
				"ALEXA_SIM_URL": "http://alexa:2", "TVAPP_ACCOUNT_TOKEN": "tok", "TVAPP_DEVICE_ID": "den.tv",
				"TVAPP_FRIENDLY_NAME": "Den", "TVAPP_MAX_ACTION_AGE": "1500ms", "DEVICE_PUSH_APP_KEY": "k",
			},
			want: config{
				Addr: ":9000", DevicePushURL: "http://push:1", AppKey: "k", DeviceAPIURL: "https://api", AlexaURL: "http://alexa:2",
				AccountToken: "tok", DeviceID: "den.tv", EndpointID: "livingroom-tv-den-tv", FriendlyName: "Den",
				MaxActionAge: 1500 * time.Millisecond,
			},
		},
		{name: "explicit endpoint id", env: map[string]string{"TVAPP_ENDPOINT_ID": "tv#1"}, want: config{EndpointID: "tv#1"}},
		{name: "invalid endpoint id", env: map[string]string{"TVAPP_ENDPOINT_ID": "tv.1"}, wantErr: "TVAPP_ENDPOINT_ID"},
		{name: "invalid device API URL", env: map[string]string{"DEVICE_API_URL": "127.0.0.1:3000"}, wantErr: "DEVICE_API_URL"},
		{name: "long friendly name", env: map[string]string{"TVAPP_FRIENDLY_NAME": strings.Repeat("x", 129)}, wantErr: "TVAPP_FRIENDLY_NAME"},
		{name: "max action age not a duration", env: map[string]string{"TVAPP_MAX_ACTION_AGE": "5"}, wantErr: "TVAPP_MAX_ACTION_AGE"},
		{name: "max action age zero", env: map[string]string{"TVAPP_MAX_ACTION_AGE": "0s"}, wantErr: "TVAPP_MAX_ACTION_AGE"},
		{name: "max action age negative", env: map[string]string{"TVAPP_MAX_ACTION_AGE": "-1s"}, wantErr: "TVAPP_MAX_ACTION_AGE"},
		{name: "max action age too long", env: map[string]string{"TVAPP_MAX_ACTION_AGE": "1h"}, wantErr: "TVAPP_MAX_ACTION_AGE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := loadConfig(func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.want.Addr == "" { // only the endpoint id is checked
				if got.EndpointID != tc.want.EndpointID {
					t.Fatalf("EndpointID = %q, want %q", got.EndpointID, tc.want.EndpointID)
				}
				return
			}
			if got != tc.want {
				t.Fatalf("config = %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestRun starts the whole simulator against fakes of device-push, the
// device API and alexa-sim, waits for /healthz, delivers an action and
// checks the state.
func TestRun(t *testing.T) {
	t.Parallel()
	const regID = "amzn1.adm-registration.v3.run"

	reports := make(chan map[string]any, 100)
	deviceAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && r.URL.Path == "/v1/devices/livingroom-tv-sim-0001/state" {
			var report map[string]any
			if err := json.NewDecoder(r.Body).Decode(&report); err != nil || r.Header.Get("Authorization") != "Bearer tok" {
				t.Errorf("state report %v %v", report, err)
			}
			select {
			case reports <- report:
			default:
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		var body map[string]string
		_ = json.NewDecoder(r.Body).Decode(&body)
		if r.URL.Path != "/v1/devices" || r.Header.Get("Authorization") != "Bearer tok" || body["registrationId"] != regID {
			t.Errorf("device API got %s %v %v", r.URL.Path, r.Header, body)
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"accountId":"a","endpointId":"livingroom-tv-sim-0001","registrationId":"`+regID+`","friendlyName":"Living Room TV","registeredAt":"2026-11-25T20:00:00Z"}`)
	}))
	t.Cleanup(deviceAPI.Close)
	alexa := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		// The TV also reports its trace hops (tracing, not an Alexa event).
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/v1/endpoints/livingroom-tv-sim-0001/hops") {
			if !json.Valid(b) {
				t.Errorf("hops: not JSON: %s", b)
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if r.URL.Path != "/v3/events" || r.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("alexa got %s %v", r.URL.Path, r.Header)
		}
		if err := vsktest.CheckAvailable(b); err != nil {
			t.Errorf("event: %v", err)
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(alexa.Close)
	conns := make(chan *websocket.Conn, 1)
	devicePush := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("upgrade: %v", err)
			return
		}
		b, _ := push.Encode(push.Frame{Type: push.TypeRegistered, RegistrationID: regID})
		_ = conn.WriteMessage(websocket.TextMessage, b)
		conns <- conn
	}))
	t.Cleanup(devicePush.Close)

	env := map[string]string{
		"TVAPP_ADDR": "127.0.0.1:0", "DEVICE_PUSH_URL": devicePush.URL, "DEVICE_API_URL": deviceAPI.URL,
		"ALEXA_SIM_URL": alexa.URL, "TVAPP_ACCOUNT_TOKEN": "tok",
	}
	stdoutR, stdoutW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, func(k string) string { return env[k] }, stdoutW, slog.New(slog.DiscardHandler))
		stdoutW.Close()
	}()
	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		t.Fatalf("read the listening line: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdoutR) }()
	base := strings.Fields(line[strings.Index(line, "http://"):])[0]
	base = strings.TrimSuffix(base, "/")

	waitHealthy(t, base+"/healthz")

	conn := <-conns
	t.Cleanup(func() { conn.Close() })
	data := action.Action{
		ID: "act-1", Time: time.Now(), Type: action.PlayContent, PositionMs: 1000,
		Content: &action.Content{ID: "c1", Title: "Late", DurationMs: 3_600_000},
	}.Encode()
	b, _ := push.Encode(push.Frame{Type: push.TypeMessage, MessageID: "m1", Data: data, MD5: adm.DataMD5(data)})
	if err := conn.WriteMessage(websocket.TextMessage, b); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, ack, err := conn.ReadMessage()
	if err != nil || !strings.Contains(string(ack), `"messageId":"m1"`) {
		t.Fatalf("ack %s, %v", ack, err)
	}

	var st struct {
		PlaybackState, Screen, RegistrationID string
		Content                               struct{ Title string }
	}
	getJSON(t, base+"/v1/state", &st)
	if st.PlaybackState != "PLAYING" || st.Screen != "player" || st.Content.Title != "Late" || st.RegistrationID != regID {
		t.Fatalf("state %+v", st)
	}

	// The change reaches the device API as a state report.
	for deadline := time.After(10 * time.Second); ; {
		select {
		case r := <-reports:
			if r["lastActionId"] != "act-1" {
				continue // the start-up report
			}
			if r["playbackState"] != "PLAYING" || r["registrationId"] != regID || r["screen"] != "player" {
				t.Fatalf("state report %v", r)
			}
		case <-deadline:
			t.Fatal("no state report for act-1")
		}
		break
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run = %v", err)
	}
}

// waitHealthy polls the readiness endpoint, as the stack runner does.
func waitHealthy(t *testing.T, url string) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%s not healthy in time (last: %v)", url, err)
		}
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestParseFlags(t *testing.T) {
	cases := []struct {
		args []string
		ok   bool
		size int
	}{
		{nil, true, 0},
		{[]string{"--fleet", "10000"}, true, 10000},
		{[]string{"--fleet", "3", "--fleet-first", "99997"}, true, 3},
		{[]string{"--fleet", "-1"}, false, 0},
		{[]string{"--fleet", "100000"}, false, 0},
		{[]string{"--fleet", "3", "--fleet-first", "99998"}, false, 0},
		{[]string{"--fleet", "3", "--fleet-first", "0"}, false, 0},
		{[]string{"--fleet", "ten"}, false, 0},
		{[]string{"--fleet-registering", "0"}, false, 0},
		{[]string{"--fleet-registering", "10001"}, false, 0},
		{[]string{"--nope"}, false, 0},
		{[]string{"extra"}, false, 0},
	}
	for _, tc := range cases {
		f, err := parseFlags(tc.args, io.Discard)
		if (err == nil) != tc.ok || (tc.ok && f.size != tc.size) {
			t.Errorf("parseFlags(%q) = %+v, %v", tc.args, f, err)
		}
	}
}
