package server_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"livingroom/device-push/hub"
	"livingroom/device-push/server"
	"livingroom/internal/adm"
	"livingroom/internal/push"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixedRequestID makes X-Amzn-RequestId stable for golden files.
func fixedRequestID() string { return "00000000-0000-4000-8000-000000000001" }

// wire renders a response as the golden files hold it: status, the ADM
// headers, body.
func wire(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", resp.Status)
	for _, h := range []string{"Content-Type", adm.HeaderRequestID, adm.HeaderDataMD5, "Retry-After", adm.HeaderDelivery} {
		if v := resp.Header.Get(h); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", h, v)
		}
	}
	fmt.Fprintf(&b, "\n%s", body)
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "wire", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestSendWireGolden pins the exact bytes of one response per outcome.
func TestSendWireGolden(t *testing.T) {
	e := newEnvConfig(t, server.Config{NewRequestID: fixedRequestID, Rate: 1, Burst: 4})
	id := e.registered(t)
	token := e.token(t) // not a send: takes nothing from the bucket
	tests := []struct{ name, id, body string }{
		{"accepted", id, `{"data":{"a":"1","b":"2"}}`},
		{"accepted-notification", id, `{"notification":{"title":"Now playing","body":"The Handmaid's Tale"},"priority":"high"}`},
		{"invalid-data", id, `{"data":{"a":1}}`},
		{"unregistered", mustID(t, 2), `{"data":{}}`},
		{"max-rate-exceeded", id, `{"data":{}}`}, // the fifth send in the same instant
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(e.sendRequest(t, token, tt.id, tt.body))
			if err != nil {
				t.Fatal(err)
			}
			// A plain ADM sender sees plain ADM: no extension header.
			for h := range resp.Header {
				if strings.HasPrefix(strings.ToLower(h), "x-livingroom-") {
					t.Errorf("plain ADM answer carries %s", h)
				}
			}
			golden(t, tt.name, wire(t, resp))
		})
	}
}

func TestSendParityRejections(t *testing.T) {
	e := newEnv(t, hub.ConnConfig{})
	id := e.registered(t)
	token := e.token(t)
	tooManyKeys := map[string]string{}
	for i := range 33 {
		tooManyKeys[fmt.Sprintf("k%d", i)] = "v"
	}
	many, _ := json.Marshal(tooManyKeys)
	tests := []struct {
		name, body string
		status     int
		reason     string
	}{
		{"neither data nor notification", `{"priority":"high"}`, 400, "InvalidData"},
		{"data key twice", `{"data":{"a":"1","a":"2"}}`, 400, "InvalidData"},
		{"data not UTF-8", "{\"data\":{\"a\":\"\xff\"}}", 400, "InvalidData"},
		{"data nested object", `{"data":{"a":{"b":"c"}}}`, 400, "InvalidData"},
		{"notification null and no data", `{"notification":null}`, 400, "InvalidData"},
		{"notification a string", `{"notification":"hello"}`, 400, "InvalidData"},
		{"notification an array", `{"notification":["title"]}`, 400, "InvalidData"},
		{"notification empty", `{"notification":{}}`, 400, "InvalidData"},
		{"notification number value", `{"notification":{"title":5}}`, 400, "InvalidData"},
		{"notification null value", `{"notification":{"title":null}}`, 400, "InvalidData"},
		{"notification nested object", `{"notification":{"title":{"text":"t"}}}`, 400, "InvalidData"},
		{"notification loc args not an array", `{"notification":{"body_loc_key":"k","body_loc_args":"a"}}`, 400, "InvalidData"},
		{"notification loc args with a number", `{"notification":{"body_loc_key":"k","body_loc_args":["a",1]}}`, 400, "InvalidData"},
		{"notification loc args with null", `{"notification":{"title_loc_args":[null]}}`, 400, "InvalidData"},
		{"notification 17 loc args", `{"notification":{"title_loc_args":["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","16","17"]}}`, 400, "InvalidData"},
		{"notification 33 keys", `{"notification":` + string(many) + `}`, 400, "InvalidData"},
		{"notification key over 64 bytes", fmt.Sprintf(`{"notification":{%q:"v"}}`, strings.Repeat("k", 65)), 400, "InvalidData"},
		{"notification empty key", `{"notification":{"":"v"}}`, 400, "InvalidData"},
		{"notification with bad data", `{"notification":{"title":"t"},"data":{"a":1}}`, 400, "InvalidData"},
		{"notification and data over 6 KB", fmt.Sprintf(`{"notification":{"body":%q},"data":{"k":%q}}`, strings.Repeat("n", 3000), strings.Repeat("d", 3200)), 413, "MessageTooLarge"},
		{"priority unknown", `{"data":{},"priority":"urgent"}`, 400, "InvalidData"},
		{"priority upper case", `{"data":{},"priority":"HIGH"}`, 400, "InvalidData"},
		{"priority a number", `{"data":{},"priority":10}`, 400, "InvalidData"},
		{"priority empty", `{"data":{},"priority":""}`, 200, ""},
		{"expiresAfter 60.5", `{"data":{},"expiresAfter":60.5}`, 400, "InvalidExpiration"},
		{"expiresAfter 1e9", `{"data":{},"expiresAfter":1e9}`, 400, "InvalidExpiration"},
		{"expiresAfter true", `{"data":{},"expiresAfter":true}`, 400, "InvalidExpiration"},
		{"expiresAfter object", `{"data":{},"expiresAfter":{"s":60}}`, 400, "InvalidExpiration"},
		{"expiresAfter empty string", `{"data":{},"expiresAfter":""}`, 400, "InvalidExpiration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(e.sendRequest(t, token, id, tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Header.Get(adm.HeaderRequestID) == "" {
				t.Errorf("no %s", adm.HeaderRequestID)
			}
			if tt.reason == "" {
				var res adm.SendResult
				decode(t, resp, tt.status, &res)
				return
			}
			var eb adm.ErrorBody
			decode(t, resp, tt.status, &eb)
			if eb.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", eb.Reason, tt.reason)
			}
		})
	}
}

// TestExpiresAfterForms: every JSON form of a whole number of seconds, and
// absent or null for the default, sets the message's expiry.
func TestExpiresAfterForms(t *testing.T) {
	tests := []struct {
		field string
		want  time.Duration
	}{
		{``, adm.DefaultExpiresAfter * time.Second},
		{`,"expiresAfter":null`, adm.DefaultExpiresAfter * time.Second},
		{`,"expiresAfter":60`, time.Minute},
		{`,"expiresAfter":60.0`, time.Minute},
		{`,"expiresAfter":6e1`, time.Minute},
		{`,"expiresAfter":6E+1`, time.Minute},
		{`,"expiresAfter":1`, time.Second},
		{`,"expiresAfter":2678400`, adm.MaxExpiresAfter * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			e := newEnv(t, hub.ConnConfig{})
			id := e.registered(t)
			resp, err := http.DefaultClient.Do(e.sendRequest(t, e.token(t), id, `{"data":{}`+tt.field+`}`))
			if err != nil {
				t.Fatal(err)
			}
			decode(t, resp, http.StatusOK, &adm.SendResult{})
			pending, err := e.store.Pending(context.Background(), id, start)
			if err != nil || len(pending) != 1 {
				t.Fatalf("pending %v, %v", pending, err)
			}
			if got := pending[0].ExpiresAt.Sub(pending[0].SentAt); got != tt.want {
				t.Errorf("expires after %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNotificationAndPriorityReachTheDevice(t *testing.T) {
	e := newEnv(t, hub.ConnConfig{})
	d := e.dial(t, "")
	token := e.token(t)
	sends := []struct {
		body         string
		notification string
		priority     string
		data         map[string]string
	}{
		{`{"notification":{"title":"Now playing", "body_loc_args":["a","b"]},"priority":"high"}`, `{"title":"Now playing","body_loc_args":["a","b"]}`, "high", nil},
		{`{"data":{"a":"1"},"notification":{"title":"t"},"priority":"normal"}`, `{"title":"t"}`, "", map[string]string{"a": "1"}},
		{`{"data":{"a":"1"}}`, ``, "", map[string]string{"a": "1"}},
	}
	for _, s := range sends {
		resp, err := http.DefaultClient.Do(e.sendRequest(t, token, d.id, s.body))
		if err != nil {
			t.Fatal(err)
		}
		decode(t, resp, http.StatusOK, &adm.SendResult{})
		f := d.next(t)
		if f.Type != push.TypeMessage || string(f.Notification) != s.notification || f.Priority != s.priority || len(f.Data) != len(s.data) || f.Data["a"] != s.data["a"] {
			t.Errorf("sent %s, device got %+v (notification %s)", s.body, f, f.Notification)
		}
		d.ack(t, f.MessageID)
	}
}

func TestSenderRateLimit(t *testing.T) {
	e := newEnvConfig(t, server.Config{Rate: 2, Burst: 3})
	id := e.registered(t)
	token := e.token(t)
	send := func() *http.Response {
		resp, err := http.DefaultClient.Do(e.sendRequest(t, token, id, `{"data":{}}`))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for i := range 3 { // the burst
		if resp := send(); resp.StatusCode != http.StatusOK {
			t.Fatalf("send %d: %s", i, resp.Status)
		}
	}
	resp := send()
	var eb adm.ErrorBody
	decode(t, resp, http.StatusTooManyRequests, &eb)
	if eb.Reason != adm.ReasonMaxRateExceeded || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("over the rate: reason %q, Retry-After %q", eb.Reason, resp.Header.Get("Retry-After"))
	}
	// A bad token does not spend the sender's allowance, nor is it told
	// about it: 401 comes first.
	bad := e.sendRequest(t, "Atc|forged", id, `{"data":{}}`)
	if resp, err := http.DefaultClient.Do(bad); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged token: %v %v", resp.Status, err)
	}
	// Half a second refills one send at 2 per second.
	e.clk.Set(start.Add(500 * time.Millisecond))
	if resp := send(); resp.StatusCode != http.StatusOK {
		t.Fatalf("after refill: %s", resp.Status)
	}
	if resp := send(); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("bucket empty again: %s", resp.Status)
	}
}

func TestRequestIDOnEveryResponse(t *testing.T) {
	e := newEnv(t, hub.ConnConfig{})
	for _, path := range []string{"/healthz", "/nowhere", adm.TokenPath, "/v1/registrations/x"} {
		resp, err := http.Get(e.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get(adm.HeaderRequestID) == "" {
			t.Errorf("GET %s (%s): no %s", path, resp.Status, adm.HeaderRequestID)
		}
	}
}
