package screen

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"livingroom/internal/action"
	"livingroom/internal/clocktest"
	"livingroom/tvapp-sim/player"
)

// notifier is a Changes that tests fire by hand.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

func newNotifier() *notifier { return &notifier{ch: make(chan struct{})} }

func (n *notifier) Changed() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

func (n *notifier) fire() {
	n.mu.Lock()
	defer n.mu.Unlock()
	close(n.ch)
	n.ch = make(chan struct{})
}

type fakeApp struct{ st AppStatus }

func (a fakeApp) AppStatus() AppStatus { return a.st }

// readEvent reads one server-sent event and decodes its state.
func readEvent(t *testing.T, r *bufio.Reader) State {
	t.Helper()
	var name, data string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("read event: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "":
			if name == "" && data == "" {
				continue // the retry preamble
			}
			if name != EventName {
				t.Fatalf("event %q, want %q", name, EventName)
			}
			var st State
			if err := json.Unmarshal([]byte(data), &st); err != nil {
				t.Fatalf("event data %q: %v", data, err)
			}
			return st
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		case strings.HasPrefix(line, "retry: "):
		default:
			t.Fatalf("unexpected line %q", line)
		}
	}
}

func TestEventsPushChanges(t *testing.T) {
	clk := clocktest.New(t0)
	n := newNotifier()
	p := player.New(clk.Now, player.Options{OnChange: n.fire})
	cmd := &Command{MessageID: "m1", Type: "PAUSE", Text: "Pause", Outcome: "applied", ReceivedAt: "2026-11-25T20:00:00.000Z"}
	srv := httptest.NewServer(NewHandler(Config{
		EndpointID: "livingroom-tv-sim-0001", Player: p, Registration: &fakeRegistration{st: registered},
		Connection: fakeConnection(true), Changes: n, Heartbeat: time.Hour,
		App: fakeApp{st: AppStatus{LastCommand: cmd, Faults: []string{"slow_ack"}, Buffering: true}},
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+EventsPath, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	r := bufio.NewReader(resp.Body)
	first := readEvent(t, r)
	if first.Screen != "home" || first.LastCommand == nil || first.LastCommand.Text != "Pause" || !first.Buffering || first.Faults[0] != "slow_ack" {
		t.Fatalf("first event: %+v", first)
	}
	// A change is pushed at once (the heartbeat is an hour away).
	p.Apply(episodeAction("act-1", t0, 0))
	if st := readEvent(t, r); st.Screen != "player" || st.PlaybackState != "PLAYING" || st.Content.Title != "Late" {
		t.Fatalf("after play: %+v", st)
	}
	p.Apply(action.Action{ID: "act-2", Time: t0, Type: action.Pause})
	if st := readEvent(t, r); st.PlaybackState != "PAUSED" {
		t.Fatalf("after pause: %+v", st)
	}
}

func TestEventsBounded(t *testing.T) {
	f := newFixture(registered)
	h := NewHandler(Config{Player: f.player, Registration: f.reg, MaxStreams: 1, Heartbeat: time.Hour})
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+EventsPath, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	readEvent(t, bufio.NewReader(resp.Body)) // the one stream is open
	second, err := http.Get(srv.URL + EventsPath)
	if err != nil {
		t.Fatal(err)
	}
	second.Body.Close()
	if second.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("second stream: %d, want 503", second.StatusCode)
	}
}

func TestArtwork(t *testing.T) {
	cases := []struct{ title, initials string }{
		{"The Handmaid's Tale", "HT"},
		{"Heat", "H"},
		{"a quiet place", "QP"},
		{"", ""},
		{"  élan   vital extra ", "ÉV"},
	}
	for _, tc := range cases {
		if got := initials(tc.title); got != tc.initials {
			t.Errorf("initials(%q) = %q, want %q", tc.title, got, tc.initials)
		}
		if h := hue(tc.title); h < 0 || h >= 360 || h != hue(tc.title) {
			t.Errorf("hue(%q) = %d", tc.title, h)
		}
	}
	if hue("Heat") == hue("Late") {
		t.Error("two titles share a hue; the rule does not spread")
	}
}
