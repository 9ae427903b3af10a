package screen

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"livingroom/internal/goldentest"

	"livingroom/internal/clocktest"

	"livingroom/internal/action"
	"livingroom/tvapp-sim/player"
	"livingroom/tvapp-sim/register"
)

var t0 = time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)

type fakeRegistration struct {
	mu sync.Mutex
	st register.Status
}

func (f *fakeRegistration) Status() register.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

func (f *fakeRegistration) set(st register.Status) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st = st
}

type fakeConnection bool

func (c fakeConnection) Connected() bool { return bool(c) }

var registered = register.Status{RegistrationID: "amzn1.adm-registration.v3.sim", DeviceRegistered: true, AlexaRegistered: true}

type fixture struct {
	clock   *clocktest.Clock
	player  *player.Player
	reg     *fakeRegistration
	handler http.Handler
}

func newFixture(st register.Status) *fixture {
	f := &fixture{clock: clocktest.New(t0), reg: &fakeRegistration{st: st}}
	f.player = player.New(f.clock.Now, player.Options{})
	f.handler = NewHandler(Config{
		EndpointID:   "livingroom-tv-sim-0001",
		FriendlyName: "Living Room TV",
		Player:       f.player,
		Registration: f.reg,
		Connection:   fakeConnection(true),
	})
	return f
}

func (f *fixture) get(t *testing.T, path string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Result()
}

func readBody(t *testing.T, r *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func episodeAction(id string, at time.Time, positionMs int64) action.Action {
	return action.Action{
		ID: id, Time: at, Type: action.PlayContent, PositionMs: positionMs,
		Content: &action.Content{
			ID: "hm-s1e2", Title: "Late", SeriesID: "hm", SeriesTitle: "The Handmaid's Tale",
			Season: 1, Episode: 2, DurationMs: 3_000_000,
		},
	}
}

func tuneAction(id string, at time.Time) action.Action {
	return action.Action{ID: id, Time: at, Type: action.TuneChannel, Channel: &action.Channel{
		Number: "1234", CallSign: "KTVX", Name: "Channel Four", ProgramID: "prog-9", ProgramTitle: "Evening News",
	}}
}

func resultsAction(id string, at time.Time) action.Action {
	return action.Action{ID: id, Time: at, Type: action.ShowResults, Query: "drama", Results: []action.Result{
		{ID: "hm", Title: "The Handmaid's Tale", Kind: action.KindSeries},
		{ID: "hm-s1e2", Title: "Late <b>", Kind: action.KindEpisode},
		{ID: "heat", Title: "Heat", Kind: action.KindMovie},
	}}
}

func recordAction(id string, at time.Time) action.Action {
	return action.Action{ID: id, Time: at, Type: action.Record, Recording: &action.Recording{
		ContentID: "prog-9", Title: "Evening News", ChannelNumber: "1234", CallSign: "KTVX",
	}}
}

func TestStateGolden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		golden string
		setup  func(f *fixture)
	}{
		{
			name:   "initial",
			golden: "state-initial.json",
			setup:  func(*fixture) {},
		},
		{
			name:   "playing",
			golden: "state-playing.json",
			setup: func(f *fixture) {
				f.player.Apply(episodeAction("act-1", t0, 60_000))
				f.clock.Advance(90 * time.Second)
			},
		},
		{
			name:   "paused",
			golden: "state-paused.json",
			setup: func(f *fixture) {
				f.player.Apply(episodeAction("act-1", t0, 0))
				f.clock.Advance(10 * time.Second)
				f.player.Apply(action.Action{ID: "act-2", Time: f.clock.Now(), Type: action.Pause})
				f.clock.Advance(time.Minute)
			},
		},
		{
			name:   "stopped",
			golden: "state-stopped.json",
			setup: func(f *fixture) {
				f.player.Apply(episodeAction("act-1", t0, 0))
				f.clock.Advance(10 * time.Second)
				f.player.Apply(action.Action{ID: "act-2", Time: f.clock.Now(), Type: action.Stop})
			},
		},
		{
			name:   "live TV",
			golden: "state-live.json",
			setup: func(f *fixture) {
				f.player.Apply(tuneAction("act-1", t0))
				f.clock.Advance(30 * time.Second)
			},
		},
		{
			name:   "results with a selection",
			golden: "state-results.json",
			setup: func(f *fixture) {
				f.player.Apply(resultsAction("act-1", t0))
				f.player.Apply(action.Action{ID: "act-2", Time: t0, Type: action.Keystroke, Key: action.KeyRight})
			},
		},
		{
			name:   "off",
			golden: "state-off.json",
			setup: func(f *fixture) {
				f.player.Apply(episodeAction("act-1", t0, 0))
				f.clock.Advance(10 * time.Second)
				f.player.Apply(action.Action{ID: "act-2", Time: f.clock.Now(), Type: action.PowerSet, Power: action.PowerOff})
			},
		},
		{
			name:   "recordings",
			golden: "state-recordings.json",
			setup: func(f *fixture) {
				f.player.Apply(recordAction("act-1", t0))
				f.clock.Advance(time.Second)
				f.player.Apply(action.Action{ID: "act-2", Time: f.clock.Now(), Type: action.Launch, Target: action.TargetRecordings})
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(registered)
			tc.setup(f)
			resp := f.get(t, StatePath)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			got := readBody(t, resp)
			var indented bytes.Buffer
			if err := json.Indent(&indented, got, "", "  "); err != nil {
				t.Fatalf("state is not JSON: %v: %s", err, got)
			}
			goldentest.Assert(t, filepath.Join("testdata", tc.golden), indented.Bytes())
		})
	}
}

func compact(t *testing.T, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return buf.String()
}

// The QA contract: these keys exist with these JSON types, always.
func TestStateContract(t *testing.T) {
	t.Parallel()
	f := newFixture(register.Status{})
	var doc map[string]any
	if err := json.Unmarshal(readBody(t, f.get(t, StatePath)), &doc); err != nil {
		t.Fatal(err)
	}
	for key, check := range map[string]func(any) bool{
		"registrationId": isString, "endpointId": isString, "power": func(v any) bool { return v == "ON" },
		"playbackState": isString, "content": func(v any) bool { return v == nil }, "positionMs": isNumber,
		"channel": func(v any) bool { return v == nil }, "screen": isString,
		"results":       func(v any) bool { r, ok := v.([]any); return ok && len(r) == 0 },
		"selectedIndex": isNumber,
		"recordings":    func(v any) bool { r, ok := v.([]any); return ok && len(r) == 0 },
		"lastActionId":  isString,
		"updatedAt":     isString,
		"friendlyName":  isString,
		"durationMs":    isNumber,
		"registered":    func(v any) bool { _, ok := v.(bool); return ok },
	} {
		v, ok := doc[key]
		if !ok || !check(v) {
			t.Errorf("%s = %#v (present %v)", key, v, ok)
		}
	}
}

func isString(v any) bool { _, ok := v.(string); return ok }
func isNumber(v any) bool { _, ok := v.(float64); return ok }

func TestHealth(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		status     register.Status
		wantCode   int
		wantStatus string
	}{
		{"no registration id", register.Status{}, 503, "starting"},
		{"id but nothing registered", register.Status{RegistrationID: "r", LastError: "dial tcp: refused"}, 503, "starting"},
		{"device API only", register.Status{RegistrationID: "r", DeviceRegistered: true}, 503, "starting"},
		{"alexa only", register.Status{RegistrationID: "r", AlexaRegistered: true}, 503, "starting"},
		{"both", registered, 200, "ok"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(tc.status)
			resp := f.get(t, HealthPath)
			var h Health
			if err := json.Unmarshal(readBody(t, resp), &h); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantCode || h.Status != tc.wantStatus || h.Registered != (tc.wantCode == 200) {
				t.Errorf("got %d %+v, want %d %q", resp.StatusCode, h, tc.wantCode, tc.wantStatus)
			}
			if h.LastError != tc.status.LastError || !h.Connected {
				t.Errorf("health details %+v", h)
			}
		})
	}
}

func TestHealthTurnsReady(t *testing.T) {
	t.Parallel()
	f := newFixture(register.Status{})
	if code := f.get(t, HealthPath).StatusCode; code != http.StatusServiceUnavailable {
		t.Fatalf("before registration: %d", code)
	}
	f.reg.set(registered)
	if code := f.get(t, HealthPath).StatusCode; code != http.StatusOK {
		t.Fatalf("after registration: %d", code)
	}
}

func TestPage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		setup   func(f *fixture)
		want    []string
		notWant []string
	}{
		{
			name:    "home",
			setup:   func(*fixture) {},
			want:    []string{`id="home-screen" class="screen home">`, `id="player-screen" class="screen player" hidden>`, `Living Room`},
			notWant: []string{`id="home-screen" class="screen home" hidden`},
		},
		{
			name: "player",
			setup: func(f *fixture) {
				a := episodeAction("act-1", t0, 0)
				a.Content.Title = `Late <script>alert(1)</script>`
				f.player.Apply(a)
				f.clock.Advance(750 * time.Second)
				f.player.Apply(action.Action{ID: "act-2", Time: f.clock.Now(), Type: action.Pause})
			},
			want: []string{
				`id="player-screen" class="screen player">`,
				`id="home-screen" class="screen home" hidden>`,
				`Late &lt;script&gt;alert(1)&lt;/script&gt;`,
				`The Handmaid&#39;s Tale · S1 E2`,
				`class="badge PAUSED">PAUSED<`,
				`<span id="position">12:30</span> / <span id="duration">50:00</span>`,
				`style="width: 25.0%"`,
			},
			notWant: []string{`<script>alert(1)`},
		},
		{
			name:  "live TV",
			setup: func(f *fixture) { f.player.Apply(tuneAction("act-1", t0)) },
			want: []string{
				`id="player-screen" class="screen player">`, `<p id="channel">`,
				`<span id="channel-name">1234 · KTVX · Channel Four</span>`, `Evening News`,
			},
			notWant: []string{`id="player-screen" class="screen player" hidden`},
		},
		{
			name: "results",
			setup: func(f *fixture) {
				f.player.Apply(resultsAction("act-1", t0))
				f.player.Apply(action.Action{ID: "act-2", Time: t0, Type: action.Keystroke, Key: action.KeyRight})
			},
			want: []string{
				`id="results-screen" class="screen results">`, `<p id="no-results" hidden>`,
				`<span class="label">The Handmaid&#39;s Tale</span><small>series</small></li>`,
				`<li class="selected"><div class="tile" style="background: linear-gradient(135deg, hsl(`,
				`>L&lt;</div><span class="label">Late &lt;b&gt;</span><small>episode</small></li>`,
				`id="player-screen" class="screen player" hidden>`,
			},
			notWant: []string{`Late <b>`},
		},
		{
			name: "recordings",
			setup: func(f *fixture) {
				f.player.Apply(recordAction("act-1", t0))
				f.player.Apply(action.Action{ID: "act-2", Time: t0, Type: action.Launch, Target: action.TargetRecordings})
			},
			want: []string{
				`id="menu-screen" class="screen menu">`, `<h2 id="menu-title">recordings</h2>`,
				`<ol id="recordings"><li>Evening News<small>KTVX 2026-11-25T20:00:00.000Z</small></li></ol>`,
			},
		},
		{
			name: "settings",
			setup: func(f *fixture) {
				f.player.Apply(action.Action{ID: "act-1", Time: t0, Type: action.Launch, Target: action.TargetSettings})
			},
			want: []string{`id="menu-screen" class="screen menu">`, `<h2 id="menu-title">settings</h2>`, `<ol id="recordings" hidden>`},
		},
		{
			name: "off",
			setup: func(f *fixture) {
				f.player.Apply(action.Action{ID: "act-1", Time: t0, Type: action.PowerSet, Power: action.PowerOff})
			},
			want: []string{
				`id="off-screen" class="screen off">`, `<code id="power">OFF</code>`,
				`id="home-screen" class="screen home" hidden>`, `id="menu-screen" class="screen menu" hidden>`,
			},
		},
	}
	common := []string{
		`<!doctype html>`, `id="tv"`, `aspect-ratio: 16 / 9`, `id="title"`, `id="subtitle"`, `id="playback-state"`,
		`id="progress"`, `id="progress-fill"`, `id="position"`, `id="duration"`,
		`<code id="registration-id">amzn1.adm-registration.v3.sim</code>`, `<code id="endpoint-id">livingroom-tv-sim-0001</code>`,
		`new EventSource("v1/events")`, `>registered<`, `id="toast"`, `id="fault-banner" class="fault" hidden>`,
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(registered)
			tc.setup(f)
			resp := f.get(t, "/")
			body := string(readBody(t, resp))
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			for _, s := range append(common, tc.want...) {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			// Offline machine: nothing may be loaded from elsewhere.
			for _, s := range append([]string{"http://", "https://", "src=", "<link", "@import"}, tc.notWant...) {
				if strings.Contains(body, s) {
					t.Errorf("page contains %q", s)
				}
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	f := newFixture(registered)
	cases := []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/nope", http.StatusNotFound},
		{http.MethodPost, StatePath, http.StatusMethodNotAllowed},
		{http.MethodHead, StatePath, http.StatusOK},
	}
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		f.handler.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.want {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.path, rec.Code, tc.want)
		}
	}
}

func TestFormatting(t *testing.T) {
	t.Parallel()
	clocks := map[int64]string{0: "0:00", -5: "0:00", 59_999: "0:59", 61_000: "1:01", 3_600_000: "1:00:00", 3_723_000: "1:02:03"}
	for ms, want := range clocks {
		if got := formatClock(ms); got != want {
			t.Errorf("formatClock(%d) = %q, want %q", ms, got, want)
		}
	}
	subtitles := []struct {
		c    Content
		want string
	}{
		{Content{SeriesTitle: "Show", Season: 1, Episode: 2}, "Show · S1 E2"},
		{Content{SeriesTitle: "Show"}, "Show"},
		{Content{Episode: 3}, "E3"},
		{Content{}, ""},
	}
	for _, tc := range subtitles {
		if got := subtitle(tc.c); got != tc.want {
			t.Errorf("subtitle(%+v) = %q, want %q", tc.c, got, tc.want)
		}
	}
}
