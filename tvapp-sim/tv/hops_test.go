package tv

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"livingroom/internal/action"
	"livingroom/internal/push"
)

// The TV tells alexa-sim when device-push accepted an action and when the
// TV applied it, by endpoint; a quiet fleet TV does not.
func TestHopsPostedByEndpoint(t *testing.T) {
	type post struct {
		path string
		hops []traceHop
	}
	posts := make(chan post, 4)
	alexa := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Hops []traceHop }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("body: %v", err)
		}
		posts <- post{r.Method + " " + r.URL.EscapedPath(), body.Hops}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer alexa.Close()
	for _, quiet := range []bool{false, true} {
		tv, err := New(Config{
			DevicePushURL: "http://127.0.0.1:1", DeviceAPIURL: "http://127.0.0.1:1", AlexaURL: alexa.URL,
			AccountToken: "dev-token", DeviceID: "sim-test", EndpointID: "tv#1", FriendlyName: "Test TV", Quiet: quiet,
		})
		if err != nil {
			t.Fatal(err)
		}
		sent := time.Now().Add(-20 * time.Millisecond).Truncate(time.Millisecond)
		f := push.Frame{Type: push.TypeMessage, MessageID: "m1", SentAtMs: sent.UnixMilli(),
			Data: action.Action{ID: "a1", Time: time.Now(), Type: action.Pause}.Encode()}
		tv.handle(context.Background(), f)
		if quiet {
			// A marker post after the action: the quiet TV's hops would
			// have come first.
			tv.cfg.Quiet = false
			tv.handle(context.Background(), push.Frame{Type: push.TypeMessage, MessageID: "m2", Data: action.Action{ID: "a2", Time: time.Now(), Type: action.Resume}.Encode()})
			if p := <-posts; len(p.hops) != 1 || p.hops[0].Detail != "action a2: applied" {
				t.Fatalf("a quiet TV posted %+v", p)
			}
			continue
		}
		p := <-posts
		if p.path != "POST /v1/endpoints/tv%231/hops" || len(p.hops) != 2 {
			t.Fatalf("posted %+v", p)
		}
		push, tvHop := p.hops[0], p.hops[1]
		if push.Process != "device-push" || !push.Start.Equal(sent) || push.Detail != "ADM message m1" {
			t.Errorf("device-push hop %+v", push)
		}
		if tvHop.Process != "tvapp-sim" || tvHop.Name != "TV received and applied PAUSE" || tvHop.Detail != "action a1: applied" || tvHop.End.Before(tvHop.Start) {
			t.Errorf("TV hop %+v", tvHop)
		}
	}
}
