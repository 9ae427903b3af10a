package deviceapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"livingroom/internal/account"
	"livingroom/internal/account/accounttest"
	"livingroom/internal/device"
	"livingroom/internal/device/devicetest"
	"livingroom/internal/deviceapi"
)

func request(method, path, token, body string) events.APIGatewayV2HTTPRequest {
	r := events.APIGatewayV2HTTPRequest{RawPath: path, Body: body, Headers: map[string]string{}}
	r.RequestContext.HTTP.Method = method
	if token != "" {
		r.Headers["authorization"] = "Bearer " + token
	}
	return r
}

func TestDeviceAPI(t *testing.T) {
	now := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ctx := context.Background()
	accounts := account.NewService(accounttest.NewStore(), clock)
	if err := accounts.Create(ctx, account.Account{ID: "acc-dev", Plan: "premium"}, "dev-token", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := accounts.Create(ctx, account.Account{ID: "acc-old"}, "old-token", -time.Hour); err != nil {
		t.Fatal(err)
	}
	devices := device.NewService(devicetest.NewStore(), &devicetest.Notifier{}, clock, func() string { return "id" })
	h := deviceapi.NewHandler(accounts, devices, slog.New(slog.NewTextHandler(io.Discard, nil)))

	register := `{"endpointId":"tv-1","registrationId":"amzn1.adm-registration.v3.abc","friendlyName":"Living Room TV"}`
	cases := []struct {
		name     string
		req      events.APIGatewayV2HTTPRequest
		status   int
		wantBody string
	}{
		{"register", request("POST", "/v1/devices", "dev-token", register), 201,
			`{"accountId":"acc-dev","endpointId":"tv-1","registrationId":"amzn1.adm-registration.v3.abc","friendlyName":"Living Room TV","registeredAt":"2026-11-25T20:00:00Z"}`},
		{"list", request("GET", "/v1/devices", "dev-token", ""), 200,
			`{"devices":[{"accountId":"acc-dev","endpointId":"tv-1","registrationId":"amzn1.adm-registration.v3.abc","friendlyName":"Living Room TV","registeredAt":"2026-11-25T20:00:00Z"}]}`},
		{"no token", request("POST", "/v1/devices", "", register), 401, ""},
		{"unknown token", request("POST", "/v1/devices", "nope", register), 401, ""},
		{"expired token", request("POST", "/v1/devices", "old-token", register), 401, ""},
		{"malformed body", request("POST", "/v1/devices", "dev-token", `{"endpointId":`), 400, ""},
		{"unknown field", request("POST", "/v1/devices", "dev-token", `{"endpointId":"x","registrationId":"y","color":"red"}`), 400, ""},
		{"missing registration id", request("POST", "/v1/devices", "dev-token", `{"endpointId":"tv-2"}`), 400, ""},
		{"other account", request("POST", "/v1/devices", "dev-token", `{"accountId":"acc-x","endpointId":"tv-2","registrationId":"r"}`), 400, ""},
		{"unknown path", request("GET", "/v1/nothing", "dev-token", ""), 404, ""},
		{"bad method", request("DELETE", "/v1/devices", "dev-token", ""), 405, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := h.Handle(ctx, c.req)
			if err != nil {
				t.Fatalf("Lambda error: %v", err)
			}
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, resp.Body)
			}
			if resp.Headers["Content-Type"] != "application/json" {
				t.Fatalf("content type %q", resp.Headers["Content-Type"])
			}
			if c.wantBody != "" && resp.Body != c.wantBody {
				t.Fatalf("body %s\nwant %s", resp.Body, c.wantBody)
			}
			if c.status >= 400 {
				var e deviceapi.ErrorJSON
				if err := json.Unmarshal([]byte(resp.Body), &e); err != nil || e.Error == "" || e.Message == "" {
					t.Fatalf("error body %s: %v", resp.Body, err)
				}
			}
		})
	}
}
