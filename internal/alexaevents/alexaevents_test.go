package alexaevents_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"livingroom/internal/alexaevents"
	"livingroom/internal/alexaevents/alexaeventstest"
	"livingroom/internal/clocktest"
	"livingroom/internal/device"
	"livingroom/internal/goldentest"
	"livingroom/internal/vsk/vsktest"
)

var start = time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)

// lwa hands out numbered tokens valid for an hour.
type lwa struct {
	now     func() time.Time
	mu      sync.Mutex
	issued  int
	refused bool
}

func (l *lwa) Exchange(_ context.Context, code string) (alexaevents.Tokens, error) {
	if code != "good-code" {
		return alexaevents.Tokens{}, fmt.Errorf("code %q: %w", code, alexaevents.ErrGrant)
	}
	return l.issue(), nil
}

func (l *lwa) Refresh(_ context.Context, refresh string) (alexaevents.Tokens, error) {
	if l.refused {
		return alexaevents.Tokens{}, errors.New("lwa: invalid_grant")
	}
	return l.issue(), nil
}

func (l *lwa) issue() alexaevents.Tokens {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.issued++
	return alexaevents.Tokens{Access: fmt.Sprintf("Atza|%d", l.issued), Refresh: fmt.Sprintf("Atzr|%d", l.issued), ExpiresAt: l.now().Add(time.Hour)}
}

// gateway records events and answers with the next queued error.
type gateway struct {
	mu     sync.Mutex
	events [][]byte
	tokens []string
	errs   []error
}

func (g *gateway) Send(_ context.Context, token string, event []byte) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.errs) > 0 {
		err := g.errs[0]
		g.errs = g.errs[1:]
		if err != nil {
			return err
		}
	}
	g.events = append(g.events, event)
	g.tokens = append(g.tokens, token)
	return nil
}

func newService(t *testing.T) (*alexaevents.Service, *clocktest.Clock, *lwa, *gateway, *alexaeventstest.Store) {
	clock := clocktest.New(start)
	l := &lwa{now: clock.Now}
	g := &gateway{}
	store := alexaeventstest.NewStore()
	n := 0
	svc := alexaevents.NewService(store, l, g, clock.Now, func() string { n++; return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }, nil)
	return svc, clock, l, g, store
}

func TestAcceptGrantAndRefresh(t *testing.T) {
	svc, clock, _, g, store := newService(t)
	ctx := context.Background()
	if err := svc.AcceptGrant(ctx, "acc", "bad-code"); !errors.Is(err, alexaevents.ErrGrant) {
		t.Fatalf("bad code: %v", err)
	}
	if err := svc.AcceptGrant(ctx, "acc", "good-code"); err != nil {
		t.Fatal(err)
	}
	playing := device.State{Power: "ON", Playback: "PLAYING", ReceivedAt: start}
	svc.StateChanged(ctx, "acc", "tv", nil, playing)
	// 58 minutes on the token expires within RefreshBefore: refreshed first.
	clock.Advance(58 * time.Minute)
	paused := playing
	paused.Playback, paused.ReceivedAt = "PAUSED", clock.Now()
	svc.StateChanged(ctx, "acc", "tv", &playing, paused)
	if len(g.tokens) != 2 || g.tokens[0] != "Atza|1" || g.tokens[1] != "Atza|2" {
		t.Fatalf("tokens used %v", g.tokens)
	}
	if tok, _ := store.GetTokens(ctx, "acc"); tok.Access != "Atza|2" {
		t.Fatalf("refreshed tokens not kept: %+v", tok)
	}
}

func TestGatewayRefusals(t *testing.T) {
	ctx := context.Background()
	msgChange := func(svc *alexaevents.Service) {
		svc.StateChanged(ctx, "acc", "tv", nil, device.State{Power: "ON", Playback: "PLAYING", ReceivedAt: start})
	}
	t.Run("a refused token is refreshed and the event sent once more", func(t *testing.T) {
		svc, _, _, g, _ := newService(t)
		if err := svc.AcceptGrant(ctx, "acc", "good-code"); err != nil {
			t.Fatal(err)
		}
		g.errs = []error{alexaevents.ErrInvalidToken}
		msgChange(svc)
		if len(g.tokens) != 1 || g.tokens[0] != "Atza|2" {
			t.Fatalf("sent with %v", g.tokens)
		}
	})
	t.Run("twice refused gives up", func(t *testing.T) {
		svc, _, _, g, _ := newService(t)
		if err := svc.AcceptGrant(ctx, "acc", "good-code"); err != nil {
			t.Fatal(err)
		}
		g.errs = []error{alexaevents.ErrInvalidToken, alexaevents.ErrInvalidToken}
		msgChange(svc)
		if len(g.events) != 0 {
			t.Fatalf("sent %d", len(g.events))
		}
	})
	t.Run("a disabled skill forgets the tokens", func(t *testing.T) {
		svc, _, _, g, store := newService(t)
		if err := svc.AcceptGrant(ctx, "acc", "good-code"); err != nil {
			t.Fatal(err)
		}
		g.errs = []error{alexaevents.ErrSkillDisabled}
		msgChange(svc)
		if _, err := store.GetTokens(ctx, "acc"); !errors.Is(err, alexaevents.ErrNoTokens) {
			t.Fatalf("tokens kept: %v", err)
		}
	})
	t.Run("no grant, nothing sent", func(t *testing.T) {
		svc, _, _, g, _ := newService(t)
		msgChange(svc)
		if len(g.events) != 0 {
			t.Fatalf("sent %d", len(g.events))
		}
	})
	t.Run("refresh refused", func(t *testing.T) {
		svc, clock, l, g, _ := newService(t)
		if err := svc.AcceptGrant(ctx, "acc", "good-code"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(2 * time.Hour)
		l.refused = true
		msgChange(svc)
		if len(g.events) != 0 {
			t.Fatalf("sent %d with an expired token", len(g.events))
		}
	})
}

// TestChangeReports: what changed goes in the payload, the rest in the
// context; nothing is sent when neither power nor playback changed. Every
// event is a valid Alexa message (golden files).
func TestChangeReports(t *testing.T) {
	ctx := context.Background()
	on := device.State{Power: "ON", Playback: "PLAYING", ReceivedAt: start}
	paused := device.State{Power: "ON", Playback: "PAUSED", ReceivedAt: start}
	off := device.State{Power: "OFF", Playback: "STOPPED", ReceivedAt: start}
	moved := on
	moved.PositionMs = 99_000
	cases := []struct {
		name string
		prev *device.State
		cur  device.State
		sent bool
	}{
		{"first-report", nil, on, true},
		{"paused", &on, paused, true},
		{"turned-off", &paused, off, true},
		{"position-only", &on, moved, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc, _, _, g, _ := newService(t)
			if err := svc.AcceptGrant(ctx, "acc", "good-code"); err != nil {
				t.Fatal(err)
			}
			svc.StateChanged(ctx, "acc", "livingroom-tv", c.prev, c.cur)
			if (len(g.events) == 1) != c.sent {
				t.Fatalf("sent %d events", len(g.events))
			}
			if !c.sent {
				return
			}
			vsktest.Validate(t, g.events[0])
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, g.events[0], "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			goldentest.Assert(t, filepath.Join("testdata", "change-report-"+c.name+".json"), pretty.Bytes())
		})
	}
}
