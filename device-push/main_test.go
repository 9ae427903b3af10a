package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"livingroom/device-push/memtrim"
	"livingroom/internal/push"
)

// run listens where DEVICE_PUSH_ADDR says, logs the address, and on
// cancellation says goodbye to its devices and returns nil.
func TestRunServesAndShutsDown(t *testing.T) {
	env := map[string]string{"DEVICE_PUSH_ADDR": "127.0.0.1:0", "ADM_CLIENT_SECRET": "s"}
	logR, logW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() {
		ran <- run(ctx, func(k string) string { return env[k] }, logW)
		logW.Close()
	}()

	lines := bufio.NewScanner(logR)
	listening := regexp.MustCompile(`msg="device-push listening" addr=(\S+) clientId=dev-client`)
	var addr string
	for addr == "" && lines.Scan() {
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		t.Fatalf("no listening line: %v", <-ran)
	}
	go io.Copy(io.Discard, logR) // keep the logger from blocking

	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+push.ConnectPath, http.Header{push.HeaderAppKey: {push.DevelopmentAppKey}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if _, _, err := ws.ReadMessage(); err != nil { // registered
		t.Fatal(err)
	}

	cancel()
	_, _, err = ws.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("device saw %v, want a going-away close", err)
	}
	select {
	case err := <-ran:
		if err != nil {
			t.Errorf("run = %v", err)
		}
	case <-time.After(shutdownTimeout + 5*time.Second):
		t.Fatal("run did not return")
	}
}

func TestRunReportsListenErrors(t *testing.T) {
	env := map[string]string{"DEVICE_PUSH_ADDR": "256.0.0.1:1"}
	err := run(context.Background(), func(k string) string { return env[k] }, io.Discard)
	if err == nil {
		t.Fatal("run with a bad address succeeded")
	}
}

func TestStoreFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{name: "defaults: embedded in memory", env: nil},
		{name: "embedded on disk, listening", env: map[string]string{"DEVICE_PUSH_DATA_DIR": "/d", "DEVICE_PUSH_NATS_LISTEN": "127.0.0.1:4222"}},
		{name: "external", env: map[string]string{"DEVICE_PUSH_NATS_URL": "nats://a:4222,nats://b:4222", "DEVICE_PUSH_NATS_REPLICAS": "3"}},
		{name: "url and data dir", env: map[string]string{"DEVICE_PUSH_NATS_URL": "nats://a", "DEVICE_PUSH_DATA_DIR": "/d"}, wantErr: "DEVICE_PUSH_NATS_URL"},
		{name: "url and listen", env: map[string]string{"DEVICE_PUSH_NATS_URL": "nats://a", "DEVICE_PUSH_NATS_LISTEN": ":4222"}, wantErr: "DEVICE_PUSH_NATS_URL"},
		{name: "replicas not a number", env: map[string]string{"DEVICE_PUSH_NATS_REPLICAS": "three"}, wantErr: "DEVICE_PUSH_NATS_REPLICAS"},
		{name: "replicas zero", env: map[string]string{"DEVICE_PUSH_NATS_REPLICAS": "0"}, wantErr: "DEVICE_PUSH_NATS_REPLICAS"},
		{name: "replicas too many", env: map[string]string{"DEVICE_PUSH_NATS_REPLICAS": "7"}, wantErr: "DEVICE_PUSH_NATS_REPLICAS"},
		{name: "sync not a bool", env: map[string]string{"DEVICE_PUSH_NATS_SYNC_ALWAYS": "yes please"}, wantErr: "DEVICE_PUSH_NATS_SYNC_ALWAYS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := storeFromEnv(func(k string) string { return tt.env[k] }, time.Hour)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.URL != tt.env["DEVICE_PUSH_NATS_URL"] || o.Embedded.Dir != tt.env["DEVICE_PUSH_DATA_DIR"] ||
				o.Embedded.Listen != tt.env["DEVICE_PUSH_NATS_LISTEN"] || o.Store.RegistrationTTL != time.Hour {
				t.Errorf("options = %+v from %v", o, tt.env)
			}
		})
	}
}

func TestTrimFromEnv(t *testing.T) {
	tests := []struct {
		value   string
		want    time.Duration
		wantErr bool
	}{
		{"", memtrim.DefaultEvery, false},
		{"0", 0, false},
		{"30s", 30 * time.Second, false},
		{"1m", time.Minute, false},
		{"500ms", 0, true},
		{"-10s", 0, true},
		{"often", 0, true},
		{"10", 0, true},
	}
	for _, tt := range tests {
		got, err := trimFromEnv(func(string) string { return tt.value })
		if (err != nil) != tt.wantErr || (err == nil && got != tt.want) {
			t.Errorf("DEVICE_PUSH_MEMORY_TRIM=%q: %v, %v; want %v (error %v)", tt.value, got, err, tt.want, tt.wantErr)
		}
	}
}
