package report

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"livingroom/internal/account"
	"livingroom/internal/account/accounttest"
	"livingroom/internal/action"
	"livingroom/internal/clocktest"
	"livingroom/internal/device"
	"livingroom/internal/device/devicetest"
	"livingroom/internal/deviceapi"
	"livingroom/tvapp-sim/player"
)

func TestBodyLimitIsTheDeviceAPIs(t *testing.T) {
	t.Parallel()
	if MaxBodyBytes != deviceapi.MaxBodyBytes {
		t.Fatalf("MaxBodyBytes = %d, the device API accepts %d", MaxBodyBytes, deviceapi.MaxBodyBytes)
	}
}

// TestTheDeviceAPIAcceptsEveryState drives the player through every action
// type and sends each resulting state to the real device API handler (over
// in-memory stores), which must accept and store it.
func TestTheDeviceAPIAcceptsEveryState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := clocktest.New(t0)
	accounts := account.NewService(accounttest.NewStore(), clock.Now)
	if err := accounts.Create(ctx, account.Account{ID: "acc-1", Plan: "premium"}, token, time.Hour); err != nil {
		t.Fatal(err)
	}
	states := devicetest.NewStateStore()
	devices := device.NewService(devicetest.NewStore(), nil, clock.Now, nil).WithStates(states)
	h := deviceapi.NewHandler(accounts, devices, slog.New(slog.DiscardHandler))
	statuses := make(chan int, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := events.APIGatewayV2HTTPRequest{RawPath: r.URL.EscapedPath(), Body: string(body), // as samlocal and API Gateway pass it
			Headers: map[string]string{"authorization": r.Header.Get("Authorization")}}
		req.RequestContext.HTTP.Method = r.Method
		resp, err := h.Handle(r.Context(), req)
		if err != nil {
			t.Errorf("handler: %v", err)
		}
		if r.Method == http.MethodPut {
			statuses <- resp.StatusCode
			if resp.StatusCode != http.StatusNoContent {
				t.Errorf("the device API refused a report (%d: %s): %s", resp.StatusCode, resp.Body, body)
			}
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.WriteString(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	if _, err := devices.Register(ctx, device.Device{AccountID: "acc-1", EndpointID: endpoint, RegistrationID: regID}); err != nil {
		t.Fatal(err)
	}

	p := player.New(clock.Now, player.Options{})
	rep := New(Config{DeviceAPIURL: srv.URL, EndpointID: endpoint, AccountToken: token, Player: p,
		Registration: newFakeRegistration(true), Now: clock.Now})
	long := func(n int) string { return strings.Repeat("é<", n/3) } // three bytes a unit; "<" is escaped by default JSON
	steps := []action.Action{
		{Type: action.PlayContent, PositionMs: 1_000, Content: &action.Content{ID: "ep", Title: long(512), SeriesID: "s", SeriesTitle: long(512), Season: 1, Episode: 2, DurationMs: 60_000}},
		{Type: action.Seek, DeltaMs: 30_000},
		{Type: action.Pause},
		{Type: action.StartOver},
		{Type: action.TuneChannel, Channel: &action.Channel{Number: "1234567890123456", CallSign: strings.Repeat("K", 64), Name: long(512), ProgramID: strings.Repeat("p", 256), ProgramTitle: long(512)}},
		{Type: action.TuneChannel, Channel: &action.Channel{CallSign: "PBS", ProgramTitle: "no id"}},
		{Type: action.ShowResults, Query: "q", Results: []action.Result{{ID: "m", Title: "M", Kind: action.KindMovie}}},
		{Type: action.Keystroke, Key: action.KeySelect},
		{Type: action.Launch, Target: action.TargetGuide},
		{Type: action.Record, Recording: &action.Recording{ContentID: "m", Title: "M"}},
		{Type: action.Keystroke, Key: action.KeyBack},
		{Type: action.PowerSet, Power: action.PowerOff},
		{Type: action.PowerSet, Power: action.PowerOn},
		{Type: action.Stop},
	}
	for i, a := range steps {
		a.ID = strings.Repeat("a", 250) + string(rune('A'+i))
		a.Time = clock.Now()
		if got := p.Apply(a); got != player.Applied {
			t.Fatalf("step %d (%s): %v", i, a.Type, got)
		}
		if res, _, err := rep.send(ctx, regID, p.Snapshot()); res != accepted {
			t.Fatalf("step %d (%s): %v", i, a.Type, err)
		}
		st, err := states.GetState(ctx, "acc-1", endpoint)
		if err != nil || st.LastActionID != a.ID {
			t.Fatalf("step %d (%s): stored %+v, %v", i, a.Type, st, err)
		}
		clock.Advance(time.Second)
	}
	if n := len(statuses); n != len(steps) {
		t.Fatalf("%d reports for %d steps", n, len(steps))
	}
}
