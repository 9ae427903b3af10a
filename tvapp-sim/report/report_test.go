package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"livingroom/internal/action"
	"livingroom/internal/clocktest"
	"livingroom/internal/goldentest"
	"livingroom/tvapp-sim/backoff"
	"livingroom/tvapp-sim/player"
	"livingroom/tvapp-sim/register"
)

var t0 = time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)

const (
	token    = "dev-token"
	endpoint = "livingroom-tv-sim-0001"
	regID    = "amzn1.adm-registration.v3.sim"
	wait     = 10 * time.Second // bound on waiting for an event, never a timing assertion
)

// fakeRegistration is a register.Service stand-in whose status the test sets.
type fakeRegistration struct {
	mu      sync.Mutex
	st      register.Status
	changed chan struct{}
}

func newFakeRegistration(registered bool) *fakeRegistration {
	f := &fakeRegistration{changed: make(chan struct{})}
	if registered {
		f.st = register.Status{RegistrationID: regID, DeviceRegistered: true, AlexaRegistered: true}
	}
	return f
}

func (f *fakeRegistration) Watch() (register.Status, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st, f.changed
}

func (f *fakeRegistration) set(st register.Status) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st = st
	close(f.changed)
	f.changed = make(chan struct{})
}

// request is what the fake API received.
type request struct {
	method, path, auth, contentType string
	body                            Body
	raw                             []byte
}

// api is a fake device API: answer decides each reply (by request number,
// from 0); requests are delivered on got.
type api struct {
	t        *testing.T
	srv      *httptest.Server
	got      chan request
	answer   func(n int, w http.ResponseWriter) // nil: 204
	mu       sync.Mutex
	n        int
	inFlight int
	maxIn    int
}

func newAPI(t *testing.T, answer func(n int, w http.ResponseWriter)) *api {
	a := &api{t: t, got: make(chan request, 100), answer: answer}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *api) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	req := request{method: r.Method, path: r.URL.EscapedPath(), auth: r.Header.Get("Authorization"), contentType: r.Header.Get("Content-Type"), raw: raw}
	if err := json.Unmarshal(raw, &req.body); err != nil {
		a.t.Errorf("report is not JSON: %v: %s", err, raw)
	}
	a.mu.Lock()
	n := a.n
	a.n++
	a.inFlight++
	a.maxIn = max(a.maxIn, a.inFlight)
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.inFlight--
		a.mu.Unlock()
	}()
	select {
	case a.got <- req:
	default: // a reporter that spins must fail the test, not block the server
		a.t.Errorf("more than %d reports queued: the reporter spins", cap(a.got))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if a.answer == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	a.answer(n, w)
}

func (a *api) next(t *testing.T) request {
	t.Helper()
	select {
	case r := <-a.got:
		return r
	case <-time.After(wait):
		t.Fatal("no state report arrived")
		return request{}
	}
}

func (a *api) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n
}

type fixture struct {
	clock    *clocktest.Clock
	player   *player.Player
	reg      *fakeRegistration
	reporter *Reporter
	logs     *syncBuffer
	cancel   context.CancelFunc
	done     chan struct{}
}

// start runs a reporter against a. Zero-valued cfg durations get
// test-friendly values: long intervals, fast retries.
func start(t *testing.T, a *api, registered bool, cfg Config) *fixture {
	t.Helper()
	f := &fixture{clock: clocktest.New(t0), reg: newFakeRegistration(registered), logs: &syncBuffer{}}
	var rep *Reporter
	f.player = player.New(f.clock.Now, player.Options{MaxAge: 24 * time.Hour, OnChange: func() { rep.Changed() }})
	cfg.DeviceAPIURL = a.srv.URL
	cfg.EndpointID = endpoint
	cfg.AccountToken = token
	if cfg.Player == nil {
		cfg.Player = f.player
	}
	cfg.Registration = f.reg
	cfg.Now = f.clock.Now
	cfg.Logger = slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if cfg.Progress == 0 {
		cfg.Progress = time.Hour
	}
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = time.Hour
	}
	if cfg.Backoff.Base == 0 {
		cfg.Backoff = backoff.Policy{Base: time.Millisecond, Cap: 5 * time.Millisecond}
	}
	rep = New(cfg)
	f.reporter = rep
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel, f.done = cancel, make(chan struct{})
	go func() {
		defer close(f.done)
		if err := rep.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	t.Cleanup(f.stop)
	return f
}

func (f *fixture) stop() {
	f.cancel()
	<-f.done
}

func (f *fixture) apply(a action.Action) {
	if a.Time.IsZero() {
		a.Time = f.clock.Now()
	}
	f.player.Apply(a)
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func episode(id string) action.Action {
	return action.Action{ID: id, Type: action.PlayContent, PositionMs: 60_000, Content: &action.Content{
		ID: "hm-s1e2", Title: "Late", SeriesID: "hm", SeriesTitle: "The Handmaid's Tale", Season: 1, Episode: 2, DurationMs: 3_000_000,
	}}
}

func TestReportRequest(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	f := start(t, a, true, Config{})
	first := a.next(t) // the start-up report
	if first.body.LastActionID != "" || first.body.PlaybackState != "STOPPED" || first.body.Content != nil {
		t.Errorf("start-up report %+v", first.body)
	}
	f.apply(episode("act-1"))
	f.clock.Advance(90 * time.Second)
	f.apply(action.Action{ID: "act-2", Type: action.TuneChannel, Channel: &action.Channel{
		Number: "1234", CallSign: "KTVX", Name: "Channel Four", ProgramID: "prog-9", ProgramTitle: "Evening News"}})
	var got request
	for got.body.LastActionID != "act-2" {
		got = a.next(t)
	}
	if got.method != http.MethodPut || got.path != "/v1/devices/"+endpoint+"/state" ||
		got.auth != "Bearer "+token || got.contentType != "application/json" {
		t.Errorf("request %s %s auth %q type %q", got.method, got.path, got.auth, got.contentType)
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, got.raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	goldentest.Assert(t, filepath.Join("testdata", "report-live.json"), append(indented.Bytes(), '\n'))
}

func TestReportBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		golden string
		setup  func(f *fixture)
	}{
		{"playing an episode", "report-playing.json", func(f *fixture) {
			f.apply(episode("act-1"))
			f.clock.Advance(30 * time.Second)
		}},
		{"off", "report-off.json", func(f *fixture) {
			f.apply(episode("act-1"))
			f.apply(action.Action{ID: "act-2", Type: action.PowerSet, Power: action.PowerOff})
		}},
		{"results", "report-results.json", func(f *fixture) {
			f.apply(action.Action{ID: "act-1", Type: action.ShowResults, Query: "q", Results: []action.Result{{ID: "m", Title: "M", Kind: action.KindMovie}}})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The player is driven before the reporter starts, so the
			// start-up report is the one to check.
			f := &fixture{clock: clocktest.New(t0)}
			f.player = player.New(f.clock.Now, player.Options{MaxAge: time.Hour})
			tc.setup(f)
			a := newAPI(t, nil)
			start(t, a, true, Config{Player: f.player})
			var indented bytes.Buffer
			if err := json.Indent(&indented, a.next(t).raw, "", "  "); err != nil {
				t.Fatal(err)
			}
			goldentest.Assert(t, filepath.Join("testdata", tc.golden), append(indented.Bytes(), '\n'))
		})
	}
}

func TestNothingIsSentBeforeRegistration(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	f := start(t, a, false, Config{Heartbeat: time.Millisecond, Progress: time.Millisecond})
	f.apply(episode("act-1"))
	f.reporter.Changed()
	// Registered with device messaging and Alexa but not yet the device API: still nothing.
	f.reg.set(register.Status{RegistrationID: regID, AlexaRegistered: true})
	if n := a.count(); n != 0 {
		t.Fatalf("%d reports before the device API knew the device", n)
	}
	f.reg.set(register.Status{RegistrationID: regID, DeviceRegistered: true, AlexaRegistered: true})
	got := a.next(t)
	if got.body.RegistrationID != regID || got.body.LastActionID != "act-1" {
		t.Fatalf("first report %+v", got.body)
	}
}

func TestNewRegistrationIsReported(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	f := start(t, a, true, Config{})
	if got := a.next(t); got.body.RegistrationID != regID {
		t.Fatalf("first report %+v", got.body)
	}
	f.reg.set(register.Status{RegistrationID: "amzn1.adm-registration.v3.new", DeviceRegistered: true, AlexaRegistered: true})
	if got := a.next(t); got.body.RegistrationID != "amzn1.adm-registration.v3.new" {
		t.Fatalf("report after re-registration %+v", got.body)
	}
}

func TestBurstsCoalesce(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	a := newAPI(t, func(n int, w http.ResponseWriter) {
		if n == 1 {
			<-release // hold the report of act-0 while the burst happens
		}
		w.WriteHeader(http.StatusNoContent)
	})
	f := start(t, a, true, Config{})
	a.next(t) // start-up
	f.apply(action.Action{ID: "act-0", Type: action.Pause})
	if got := a.next(t); got.body.LastActionID != "act-0" {
		t.Fatalf("report %+v", got.body)
	}
	for i := 1; i <= 20; i++ {
		f.apply(action.Action{ID: fmt.Sprintf("burst-%d", i), Type: action.Pause})
	}
	close(release)
	got := a.next(t)
	if got.body.LastActionID != "burst-20" {
		t.Errorf("after the burst the report carries %q, want the newest", got.body.LastActionID)
	}
	// Prove nothing else was queued: one more change gives exactly one more report.
	f.apply(action.Action{ID: "act-last", Type: action.Pause})
	if got := a.next(t); got.body.LastActionID != "act-last" {
		t.Fatalf("report %+v", got.body)
	}
	if n := a.count(); n != 4 {
		t.Errorf("%d requests for start-up, act-0, a burst of 20 and act-last; want 4", n)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.maxIn != 1 {
		t.Errorf("%d reports in flight at once, want 1", a.maxIn)
	}
}

func TestRetries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		fail     func(w http.ResponseWriter, hang <-chan struct{})
		attempts int // failures before the success
	}{
		{"5xx", func(w http.ResponseWriter, _ <-chan struct{}) { w.WriteHeader(http.StatusServiceUnavailable) }, 3},
		{"500 with a body", func(w http.ResponseWriter, _ <-chan struct{}) {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(strings.Repeat("trace ", 10_000)))
		}, 1},
		{"429", func(w http.ResponseWriter, _ <-chan struct{}) { w.WriteHeader(http.StatusTooManyRequests) }, 2},
		{"network failure", func(w http.ResponseWriter, _ <-chan struct{}) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}, 2},
		{"answer past the call deadline", func(_ http.ResponseWriter, hang <-chan struct{}) { <-hang }, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hang := make(chan struct{})
			a := newAPI(t, func(n int, w http.ResponseWriter) {
				if n >= 1 && n <= tc.attempts { // request 0 is the start-up report
					tc.fail(w, hang)
					return
				}
				w.WriteHeader(http.StatusNoContent)
			})
			t.Cleanup(func() { close(hang) }) // before the server closes: it waits for its handlers
			f := start(t, a, true, Config{CallTimeout: 100 * time.Millisecond})
			a.next(t)
			f.apply(action.Action{ID: "act-1", Type: action.Pause})
			for range tc.attempts {
				if got := a.next(t); got.body.LastActionID != "act-1" {
					t.Fatalf("failing attempt carried %+v", got.body)
				}
			}
			// A change while retrying: the retry carries the newest state.
			f.apply(action.Action{ID: "act-2", Type: action.Pause})
			var got request
			for got.body.LastActionID != "act-2" {
				got = a.next(t)
			}
			waitFor(t, func() bool { return f.reporter.Stats().Sent >= 2 })
			st := f.reporter.Stats()
			if st.Retried != tc.attempts || st.Refused != 0 || st.LastError != "" {
				t.Errorf("stats %+v, want %d retried", st, tc.attempts)
			}
			if logs := f.logs.String(); !strings.Contains(logs, "retrying=true") || !strings.Contains(logs, "accepted again") {
				t.Errorf("logs lack the retry and the recovery:\n%s", logs)
			}
			if logs := f.logs.String(); strings.Contains(logs, strings.Repeat("trace ", 50)) {
				t.Errorf("an unbounded answer body reached the logs")
			}
		})
	}
}

func TestRefusalsAreNotRetried(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusNotFound, http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			a := newAPI(t, func(_ int, w http.ResponseWriter) {
				http.Error(w, `{"error":"not here"}`, status)
			})
			f := start(t, a, true, Config{})
			a.next(t)
			waitFor(t, func() bool { return f.reporter.Stats().Refused == 1 })
			// A retry would come within milliseconds (backoff 1-5 ms); the
			// next request must instead be the one the next change asks for.
			f.apply(action.Action{ID: "act-1", Type: action.Pause})
			if got := a.next(t); got.body.LastActionID != "act-1" {
				t.Fatalf("request after a %d carried %+v: it was retried", status, got.body)
			}
			waitFor(t, func() bool { return f.reporter.Stats().Refused == 2 })
			if n := a.count(); n != 2 {
				t.Errorf("%d requests, want 2", n)
			}
			st := f.reporter.Stats()
			if st.Retried != 0 || st.Sent != 0 || !strings.Contains(st.LastError, "status") {
				t.Errorf("stats %+v", st)
			}
			// Logged once at Warn, the repeat at Debug.
			logs := f.logs.String()
			if w := strings.Count(logs, "level=WARN msg=\"state report failed\""); w != 1 {
				t.Errorf("%d warnings, want 1:\n%s", w, logs)
			}
			if d := strings.Count(logs, "level=DEBUG msg=\"state report failed\""); d != 1 {
				t.Errorf("%d debug lines, want 1:\n%s", d, logs)
			}
		})
	}
}

func TestPeriodicReports(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		cfg   Config
		setup func(f *fixture)
	}{
		{"progress while playing", Config{Progress: 5 * time.Millisecond}, func(f *fixture) { f.apply(episode("act-1")) }},
		{"heartbeat while stopped", Config{Heartbeat: 5 * time.Millisecond}, func(*fixture) {}},
		{"heartbeat while off", Config{Heartbeat: 5 * time.Millisecond}, func(f *fixture) {
			f.apply(action.Action{ID: "act-1", Type: action.PowerSet, Power: action.PowerOff})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newAPI(t, nil)
			f := start(t, a, true, tc.cfg)
			tc.setup(f)
			for range 4 {
				a.next(t) // no Changed calls after setup: these are periodic
			}
		})
	}
}

func TestEndOfContentIsReported(t *testing.T) {
	t.Parallel()
	a := newAPI(t, nil)
	// A real clock: the content below ends 50 ms after it starts.
	p := player.New(time.Now, player.Options{})
	f := start(t, a, true, Config{Player: p})
	a.next(t)
	p.Apply(action.Action{ID: "act-1", Time: time.Now(), Type: action.PlayContent, Content: &action.Content{ID: "short", DurationMs: 50}})
	f.reporter.Changed()
	for {
		got := a.next(t)
		if got.body.PlaybackState == "STOPPED" && got.body.LastActionID == "act-1" {
			if got.body.PositionMs != 50 || got.body.Screen != "home" {
				t.Errorf("end report %+v", got.body)
			}
			return
		}
	}
}

func TestRunStopsWithItsContext(t *testing.T) {
	t.Parallel()
	hang := make(chan struct{})
	defer close(hang)
	a := newAPI(t, func(_ int, _ http.ResponseWriter) { <-hang })
	f := start(t, a, true, Config{CallTimeout: time.Hour})
	a.next(t) // a request is in flight and hangs
	f.stop()  // returns only when Run does
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	cases := map[string]time.Duration{"": 0, "3": 3 * time.Second, " 2 ": 2 * time.Second, "-1": 0, "soon": 0,
		"Wed, 21 Oct 2026 07:28:00 GMT": 0, "99999": 10 * time.Second}
	for in, want := range cases {
		if got := retryAfter(in, 10*time.Second); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestEndpointIsEscapedInThePath(t *testing.T) {
	t.Parallel()
	r := New(Config{DeviceAPIURL: "http://127.0.0.1:3000/", EndpointID: "tv#1?x"})
	if want := "http://127.0.0.1:3000/v1/devices/tv%231%3Fx/state"; r.url != want {
		t.Fatalf("url %q, want %q", r.url, want)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(time.Millisecond)
	}
}
