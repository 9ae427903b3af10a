package prompt

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestRun(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var said []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/phrases":
			io.WriteString(w, `{"phrases":[{"say":"pause","example":"pause"}]}`)
		case "/v1/say":
			var req struct{ Utterance string }
			json.NewDecoder(r.Body).Decode(&req)
			mu.Lock()
			said = append(said, req.Utterance)
			mu.Unlock()
			switch req.Utterance {
			case "what's the weather":
				w.WriteHeader(422)
				io.WriteString(w, `{"error":"not_understood","message":"utterance not understood"}`)
			case "watch fargo":
				io.WriteString(w, `{"intent":"Alexa.RemoteVideoPlayer.SearchAndPlay","latencyMs":3.2,"traceId":"t2","response":{"event":{"header":{"namespace":"Alexa.Video","name":"ErrorResponse"}}},"error":{"type":"NOT_SUBSCRIBED","message":"no plan"}}`)
			default:
				io.WriteString(w, `{"intent":"Alexa.PlaybackController.Pause","latencyMs":12.5,"traceId":"t1","notes":["n1"],"response":{"event":{"header":{"namespace":"Alexa","name":"Response"}}}}`)
			}
		}
	}))
	defer srv.Close()
	in := strings.NewReader("pause\n\nwhat's the weather\nwatch fargo\nhelp\n" + strings.Repeat("x", 10<<10) + "\nquit\npause\n")
	var out strings.Builder
	if err := Run(context.Background(), in, &out, srv.Client(), srv.URL); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"→ Alexa.PlaybackController.Pause ⇒ Alexa.Response in 12.5 ms (trace t1)", "    n1",
		"✗ 422 not_understood: utterance not understood",
		"✗ the skill refused: NOT_SUBSCRIBED (no plan)",
		"pause", "e.g. pause",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	// The long line is cut to maxLine; "quit" ends before the last "pause".
	if len(said) != 4 || len(said[3]) != maxLine || said[0] != "pause" {
		t.Errorf("said %d utterances: %.40q", len(said), said)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	r, w := io.Pipe()
	defer w.Close()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, r, io.Discard, http.DefaultClient, "http://127.0.0.1:1") }()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestAlexaSimDown(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	if err := Run(context.Background(), strings.NewReader("pause\n"), &out, http.DefaultClient, "http://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "alexa-sim did not answer") {
		t.Errorf("%s", out.String())
	}
}
