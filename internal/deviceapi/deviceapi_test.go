package deviceapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strconv"
	"strings"
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
	if err := accounts.Create(ctx, account.Account{ID: "acc-b", Plan: "premium"}, "token-b", time.Hour); err != nil {
		t.Fatal(err)
	}
	store := devicetest.NewStore()
	devices := device.NewService(store, &devicetest.Notifier{}, clock, func() string { return "id" })
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
		// Another account presenting a registration id taken by dev-token's TV.
		{"registration of another account", request("POST", "/v1/devices", "token-b",
			`{"endpointId":"tv-b","registrationId":"amzn1.adm-registration.v3.abc"}`), 409, ""},
		{"2 KB registration id", request("POST", "/v1/devices", "dev-token",
			`{"endpointId":"tv-3","registrationId":"`+strings.Repeat("r", 2048)+`"}`), 400, ""},
		{"registration id with spaces", request("POST", "/v1/devices", "dev-token", `{"endpointId":"tv-3","registrationId":"a b"}`), 400, ""},
		{"300-character endpoint id", request("POST", "/v1/devices", "dev-token",
			`{"endpointId":"`+strings.Repeat("e", 300)+`","registrationId":"r3"}`), 400, ""},
		{"endpoint id with a slash", request("POST", "/v1/devices", "dev-token", `{"endpointId":"a/b","registrationId":"r3"}`), 400, ""},
		{"500 KB name", request("POST", "/v1/devices", "dev-token",
			`{"endpointId":"tv-3","registrationId":"r3","friendlyName":"`+strings.Repeat("n", 500<<10)+`"}`), 400, ""},
		{"200-character name", request("POST", "/v1/devices", "dev-token",
			`{"endpointId":"tv-3","registrationId":"r3","friendlyName":"`+strings.Repeat("n", 200)+`"}`), 400, ""},
		{"name with control characters", request("POST", "/v1/devices", "dev-token",
			`{"endpointId":"tv-3","registrationId":"r3","friendlyName":"a\u0000b"}`), 400, ""},
		{"trailing garbage", request("POST", "/v1/devices", "dev-token", register+`garbage`), 400, ""},
		{"two objects", request("POST", "/v1/devices", "dev-token", register+register), 400, ""},
		{"array body", request("POST", "/v1/devices", "dev-token", `[]`), 400, ""},
		{"oversized token", request("GET", "/v1/devices", strings.Repeat("t", 5000), ""), 401, ""},
		{"deregister unknown", request("DELETE", "/v1/devices/tv-nope", "dev-token", ""), 404, ""},
		{"deregister another account's TV", request("DELETE", "/v1/devices/tv-1", "token-b", ""), 404, ""},
		{"deregister bad id", request("DELETE", "/v1/devices/a%2Fb", "dev-token", ""), 404, ""},
		// Ids may hold # ? ; : @ & =; clients escape them in the path.
		{"register id with reserved characters", request("POST", "/v1/devices", "dev-token",
			`{"endpointId":"tv#2?a=b;c:d@e&f","registrationId":"r-reserved"}`), 201, ""},
		{"state of escaped id", request("GET", "/v1/devices/tv%232%3Fa=b%3Bc:d@e&f/state", "dev-token", ""), 404, ""},
		{"deregister escaped id", request("DELETE", "/v1/devices/tv%232%3Fa=b%3Bc:d@e&f", "dev-token", ""), 204, ""},
		{"deregister it again", request("DELETE", "/v1/devices/tv%232%3Fa=b%3Bc:d@e&f", "dev-token", ""), 404, ""},
		{"broken escape", request("DELETE", "/v1/devices/tv%zz", "dev-token", ""), 404, ""},
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
			if strings.Contains(resp.Body, "rrrrrrrr") || strings.Contains(resp.Body, "nnnnnnnn") || strings.Contains(resp.Body, "eeeeeeee") || len(resp.Body) > 512 {
				t.Fatalf("reply echoes input: %.200s", resp.Body)
			}
			if c.status != 204 && resp.Headers["Content-Type"] != "application/json" {
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

// Nothing is written for a refused registration, and deregistering frees
// the registration id for another account.
func TestRegistrationOwnership(t *testing.T) {
	now := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ctx := context.Background()
	accounts := account.NewService(accounttest.NewStore(), clock)
	for token, id := range map[string]string{"token-a": "acc-a", "token-b": "acc-b"} {
		if err := accounts.Create(ctx, account.Account{ID: id, Plan: "premium"}, token, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	store := devicetest.NewStore()
	h := deviceapi.NewHandler(accounts, device.NewService(store, nil, clock, nil), slog.New(slog.DiscardHandler))
	steps := []struct {
		name   string
		req    events.APIGatewayV2HTTPRequest
		status int
	}{
		{"A registers its TV", request("POST", "/v1/devices", "token-a", `{"endpointId":"tv-a","registrationId":"reg-a"}`), 201},
		{"B claims A's registration", request("POST", "/v1/devices", "token-b", `{"endpointId":"tv-b","registrationId":"reg-a"}`), 409},
		{"B's list is empty", request("GET", "/v1/devices", "token-b", ""), 200},
		{"A deregisters", request("DELETE", "/v1/devices/tv-a", "token-a", ""), 204},
		{"B may now register it", request("POST", "/v1/devices", "token-b", `{"endpointId":"tv-b","registrationId":"reg-a"}`), 201},
	}
	for _, s := range steps {
		resp, err := h.Handle(ctx, s.req)
		if err != nil || resp.StatusCode != s.status {
			t.Fatalf("%s: status %d (%v), want %d: %s", s.name, resp.StatusCode, err, s.status, resp.Body)
		}
		if s.name == "B's list is empty" && resp.Body != `{"devices":[]}` {
			t.Fatalf("refused device was written: %s", resp.Body)
		}
	}
	d, err := store.GetByRegistration(ctx, "reg-a")
	if err != nil || d.AccountID != "acc-b" {
		t.Fatalf("registration holder = %+v, %v", d, err)
	}
}

// TestManyAccountsSeeOnlyTheirDevices: with many accounts registered, each
// token lists, claims and deregisters only its own devices.
func TestManyAccountsSeeOnlyTheirDevices(t *testing.T) {
	const n = 10
	now := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ctx := context.Background()
	accounts := account.NewService(accounttest.NewStore(), clock)
	h := deviceapi.NewHandler(accounts, device.NewService(devicetest.NewStore(), nil, clock, nil), slog.New(slog.DiscardHandler))
	token := func(i int) string { return "token-" + strconv.Itoa(i) }
	for i := range n {
		if err := accounts.Create(ctx, account.Account{ID: "acc-" + strconv.Itoa(i), Plan: "on-demand"}, token(i), time.Hour); err != nil {
			t.Fatal(err)
		}
		body := `{"endpointId":"tv-` + strconv.Itoa(i) + `","registrationId":"reg-` + strconv.Itoa(i) + `"}`
		if resp, _ := h.Handle(ctx, request("POST", "/v1/devices", token(i), body)); resp.StatusCode != 201 {
			t.Fatalf("register %d: %d %s", i, resp.StatusCode, resp.Body)
		}
	}
	for i := range n {
		resp, _ := h.Handle(ctx, request("GET", "/v1/devices", token(i), ""))
		var list struct{ Devices []deviceapi.DeviceJSON }
		if err := json.Unmarshal([]byte(resp.Body), &list); err != nil || len(list.Devices) != 1 || list.Devices[0].EndpointID != "tv-"+strconv.Itoa(i) {
			t.Fatalf("account %d lists %s", i, resp.Body)
		}
		for j := range n {
			if i == j {
				continue
			}
			other := strconv.Itoa(j)
			if resp, _ := h.Handle(ctx, request("POST", "/v1/devices", token(i), `{"endpointId":"x-`+other+`","registrationId":"reg-`+other+`"}`)); resp.StatusCode != 409 {
				t.Fatalf("account %d claimed reg-%s: %d", i, other, resp.StatusCode)
			}
			if resp, _ := h.Handle(ctx, request("DELETE", "/v1/devices/tv-"+other, token(i), "")); resp.StatusCode != 404 {
				t.Fatalf("account %d deregistered tv-%s: %d", i, other, resp.StatusCode)
			}
		}
	}
}

// TestStateReports: a TV reports its state for its own endpoint only, in
// bounds; the last report is what the backend keeps.
func TestStateReports(t *testing.T) {
	now := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ctx := context.Background()
	accounts := account.NewService(accounttest.NewStore(), clock)
	for token, id := range map[string]string{"token-a": "acc-a", "token-b": "acc-b"} {
		if err := accounts.Create(ctx, account.Account{ID: id, Plan: "on-demand"}, token, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	states := devicetest.NewStateStore()
	devices := device.NewService(devicetest.NewStore(), nil, clock, nil).WithStates(states)
	h := deviceapi.NewHandler(accounts, devices, slog.New(slog.DiscardHandler))
	if resp, _ := h.Handle(ctx, request("POST", "/v1/devices", "token-a", `{"endpointId":"tv-a","registrationId":"reg-a"}`)); resp.StatusCode != 201 {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	good := `{"registrationId":"reg-a","power":"ON","playbackState":"PLAYING","content":{"id":"ep-1","title":"Offred","seriesId":"s","seriesTitle":"The Handmaid's Tale","season":1,"episode":1},"positionMs":5000,"durationMs":3420000,"channel":null,"screen":"player","lastActionId":"a1","reportedAt":"2026-11-25T19:59:59.900Z"}`
	cases := []struct {
		name   string
		req    events.APIGatewayV2HTTPRequest
		status int
	}{
		{"own TV", request("PUT", "/v1/devices/tv-a/state", "token-a", good), 204},
		{"another account's TV", request("PUT", "/v1/devices/tv-a/state", "token-b", good), 404},
		{"unknown TV", request("PUT", "/v1/devices/tv-x/state", "token-a", good), 404},
		{"no token", request("PUT", "/v1/devices/tv-a/state", "", good), 401},
		{"bad power", request("PUT", "/v1/devices/tv-a/state", "token-a", strings.Replace(good, `"ON"`, `"MAYBE"`, 1)), 400},
		{"bad playback", request("PUT", "/v1/devices/tv-a/state", "token-a", strings.Replace(good, `"PLAYING"`, `"DANCING"`, 1)), 400},
		{"negative position", request("PUT", "/v1/devices/tv-a/state", "token-a", strings.Replace(good, `5000`, `-5`, 1)), 400},
		{"bad time", request("PUT", "/v1/devices/tv-a/state", "token-a", strings.Replace(good, `2026-11-25T19:59:59.900Z`, `yesterday`, 1)), 400},
		{"huge title", request("PUT", "/v1/devices/tv-a/state", "token-a", strings.Replace(good, `Offred`, strings.Repeat("o", 1000), 1)), 400},
		{"body over 4 KB", request("PUT", "/v1/devices/tv-a/state", "token-a", strings.Replace(good, `Offred`, strings.Repeat("o", 5000), 1)), 400},
		{"unknown field", request("PUT", "/v1/devices/tv-a/state", "token-a", strings.Replace(good, `"screen"`, `"colour":3,"screen"`, 1)), 400},
		{"volume without muted", request("PUT", "/v1/devices/tv-a/state", "token-a", strings.Replace(good, `"screen"`, `"volume":3,"screen"`, 1)), 400},
		{"volume over 100", request("PUT", "/v1/devices/tv-a/state", "token-a", strings.Replace(good, `"screen"`, `"volume":101,"muted":false,"screen"`, 1)), 400},
		{"muted not a boolean", request("PUT", "/v1/devices/tv-a/state", "token-a", strings.Replace(good, `"screen"`, `"volume":1,"muted":"no","screen"`, 1)), 400},
		{"input over 64 bytes", request("PUT", "/v1/devices/tv-a/state", "token-a", strings.Replace(good, `"screen"`, `"input":"`+strings.Repeat("h", 65)+`","screen"`, 1)), 400},
		{"with sound and input", request("PUT", "/v1/devices/tv-a/state", "token-a", strings.Replace(good, `"screen"`, `"volume":0,"muted":true,"input":"HDMI 1","screen"`, 1)), 204},
		{"trailing data", request("PUT", "/v1/devices/tv-a/state", "token-a", good+"{}"), 400},
		{"DELETE is not allowed", request("DELETE", "/v1/devices/tv-a/state", "token-a", ""), 405},
		{"another account reads it", request("GET", "/v1/devices/tv-a/state", "token-b", ""), 404},
	}
	for _, c := range cases {
		resp, err := h.Handle(ctx, c.req)
		if err != nil || resp.StatusCode != c.status {
			t.Errorf("%s: status %d (%v), want %d: %s", c.name, resp.StatusCode, err, c.status, resp.Body)
		}
	}
	st, err := states.GetState(ctx, "acc-a", "tv-a")
	if err != nil || st.Playback != "PLAYING" || st.Content == nil || st.Content.Episode != 1 || !st.ReceivedAt.Equal(now) ||
		st.Sound == nil || st.Sound.Volume != 0 || !st.Sound.Muted || st.Input != "HDMI 1" {
		t.Fatalf("stored state = %+v, %v", st, err)
	}
	if _, err := states.GetState(ctx, "acc-b", "tv-a"); err == nil {
		t.Fatal("a refused report was stored")
	}
	resp, _ := h.Handle(ctx, request("GET", "/v1/devices/tv-a/state", "token-a", ""))
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"lastActionId":"a1"`) || !strings.Contains(resp.Body, `"volume":0,"muted":true,"input":"HDMI 1"`) || !strings.Contains(resp.Body, `"receivedAt":"2026-11-25T20:00:00Z"`) {
		t.Fatalf("GET state: %d %s", resp.StatusCode, resp.Body)
	}
}
