// Package report sends the TV's state to the partner device API:
// PUT {DEVICE_API_URL}/v1/devices/{endpointId}/state with the account token.
//
// A report goes out after every state change (an applied action, the end of
// the content), every Progress while playing, and every Heartbeat. Changes
// coalesce: one request at a time, and each request carries the state as it
// is when sent, so a burst of changes costs at most one more request.
// Answers 5xx, 429 and network failures are retried with backoff (a new
// change does not cut the wait short); other 4xx are logged and dropped, so
// an API without the endpoint (404) is reported once and never hammered.
// Nothing is sent until the device API accepted the registration.
package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"livingroom/tvapp-sim/backoff"
	"livingroom/tvapp-sim/player"
	"livingroom/tvapp-sim/register"
	"livingroom/tvapp-sim/screen"
)

// Defaults for Config.
const (
	DefaultProgress    = 15 * time.Second
	DefaultHeartbeat   = 60 * time.Second
	DefaultCallTimeout = 2 * time.Second
	DefaultRetryBase   = 250 * time.Millisecond
	DefaultRetryCap    = 30 * time.Second
)

// MaxBodyBytes is the device API's limit on a request body
// (deviceapi.MaxBodyBytes; a test keeps the two equal). Reports over it
// get their titles shortened.
const MaxBodyBytes = 4 << 10

// Body is the state report document.
type Body struct {
	RegistrationID string          `json:"registrationId"`
	Power          string          `json:"power"`
	PlaybackState  string          `json:"playbackState"`
	Content        *screen.Content `json:"content"`
	PositionMs     int64           `json:"positionMs"`
	DurationMs     int64           `json:"durationMs"`
	Channel        *screen.Channel `json:"channel"`
	Screen         string          `json:"screen"`
	LastActionID   string          `json:"lastActionId"`
	ReportedAt     string          `json:"reportedAt"` // RFC 3339, UTC, milliseconds
	Volume         *int            `json:"volume,omitempty"`
	Muted          *bool           `json:"muted,omitempty"`
	Input          string          `json:"input,omitempty"`
}

// Player gives the state to report.
type Player interface {
	Snapshot() player.State
}

// Registration says whether the device API knows the device yet, and
// signals changes.
type Registration interface {
	Watch() (register.Status, <-chan struct{})
}

// Config wires a Reporter. Zero durations take the defaults.
type Config struct {
	DeviceAPIURL string
	EndpointID   string
	AccountToken string
	Player       Player
	Registration Registration
	HTTPClient   *http.Client     // http.DefaultClient's transport when nil
	Now          func() time.Time // for reportedAt; time.Now when nil
	Logger       *slog.Logger

	Progress    time.Duration // between reports while playing
	Heartbeat   time.Duration // between reports in any state
	CallTimeout time.Duration // deadline of one request
	Backoff     backoff.Policy
}

// Reporter sends state reports. Create it with New, then call Run.
type Reporter struct {
	cfg     Config
	url     string
	changed chan struct{}

	mu    sync.Mutex
	stats Stats
}

// Stats counts what the reporter did, for the health page and tests.
type Stats struct {
	Sent      int    // accepted reports (2xx)
	Refused   int    // 4xx answers other than 429, not retried
	Retried   int    // failed attempts that were retried
	LastError string // the last failure, cleared by a success
}

// New returns a Reporter.
func New(cfg Config) *Reporter {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Progress <= 0 {
		cfg.Progress = DefaultProgress
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = DefaultHeartbeat
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	if cfg.Backoff.Base <= 0 {
		cfg.Backoff.Base = DefaultRetryBase
	}
	if cfg.Backoff.Cap <= 0 {
		cfg.Backoff.Cap = DefaultRetryCap
	}
	return &Reporter{
		cfg:     cfg,
		url:     strings.TrimRight(cfg.DeviceAPIURL, "/") + "/v1/devices/" + url.PathEscape(cfg.EndpointID) + "/state",
		changed: make(chan struct{}, 1),
	}
}

// Changed asks for a report of the current state. It never blocks; calls
// while a report is pending coalesce into one.
func (r *Reporter) Changed() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// Stats returns the counters so far.
func (r *Reporter) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// outcome of one attempt.
type outcome int

const (
	accepted outcome = iota
	refused          // not to be retried
	retry
)

// Run sends reports until ctx is done, then returns nil.
func (r *Reporter) Run(ctx context.Context) error {
	pending := true // the state after start-up, once registered
	var (
		attempt   int
		waitUntil time.Time // backing off until then
		lastSent  time.Time // last attempt that was not retried
		endsAt    time.Time // when the content reported as playing ends
		playing   bool      // the last report said PLAYING
		lastFail  string    // the last failure logged at Warn
	)
	for {
		status, regChanged := r.cfg.Registration.Watch()
		now := time.Now()
		if pending && status.DeviceRegistered && !now.Before(waitUntil) {
			snap := r.cfg.Player.Snapshot()
			res, retryAfter, err := r.send(ctx, status.RegistrationID, snap)
			if ctx.Err() != nil {
				return nil
			}
			now = time.Now()
			switch res {
			case accepted:
				if lastFail != "" {
					r.cfg.Logger.Info("state reports accepted again")
					lastFail = ""
				}
			case refused:
				lastFail = r.logFailure(err, lastFail, false)
			case retry:
				lastFail = r.logFailure(err, lastFail, true)
				waitUntil = now.Add(max(r.cfg.Backoff.Delay(attempt), retryAfter))
				attempt++
				continue
			}
			pending, attempt, lastSent = false, 0, now
			playing = snap.Playback == player.Playing
			endsAt = time.Time{}
			if c := snap.Content; playing && c != nil && c.DurationMs > 0 {
				endsAt = now.Add(time.Duration(c.DurationMs-snap.PositionMs) * time.Millisecond)
			}
		}

		var timer *time.Timer
		switch {
		case pending && !status.DeviceRegistered:
			// Wait for the registration: the API would not know the device.
		case pending:
			timer = time.NewTimer(max(time.Until(waitUntil), 0))
		default:
			wake := lastSent.Add(r.cfg.Heartbeat)
			if playing {
				wake = earliest(wake, lastSent.Add(r.cfg.Progress))
			}
			if !endsAt.IsZero() {
				wake = earliest(wake, endsAt)
			}
			timer = time.NewTimer(max(time.Until(wake), 0))
		}
		var fired <-chan time.Time
		if timer != nil {
			fired = timer.C
		}
		select {
		case <-ctx.Done():
			stopTimer(timer)
			return nil
		case <-r.changed:
			pending = true
		case <-regChanged:
			pending = true // a new registration: tell the API where things stand
		case <-fired:
			now := time.Now()
			due := !now.Before(lastSent.Add(r.cfg.Heartbeat)) ||
				(playing && !now.Before(lastSent.Add(r.cfg.Progress))) ||
				(!endsAt.IsZero() && !now.Before(endsAt))
			if due {
				pending = true
			}
		}
		stopTimer(timer)
	}
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// logFailure logs a failed attempt: at Warn when it differs from the last
// one logged, at Debug when it repeats, so a missing endpoint is one line.
func (r *Reporter) logFailure(err error, last string, retried bool) string {
	msg := err.Error()
	r.mu.Lock()
	r.stats.LastError = msg
	r.mu.Unlock()
	level := slog.LevelWarn
	if msg == last {
		level = slog.LevelDebug
	}
	r.cfg.Logger.Log(context.Background(), level, "state report failed", "err", err, "retrying", retried)
	return msg
}

// send makes one attempt within CallTimeout. retryAfter is the server's
// Retry-After on 429, zero otherwise.
func (r *Reporter) send(ctx context.Context, registrationID string, s player.State) (outcome, time.Duration, error) {
	body := Body{
		RegistrationID: registrationID,
		Power:          string(s.Power),
		PlaybackState:  string(s.Playback),
		Content:        screen.ContentView(s.Content),
		PositionMs:     s.PositionMs,
		Channel:        screen.ChannelView(s.Channel),
		Screen:         string(s.Screen),
		LastActionID:   s.LastActionID,
		ReportedAt:     screen.FormatTime(r.cfg.Now()),
		Volume:         &s.Volume,
		Muted:          &s.Muted,
		Input:          s.Input,
	}
	if s.Content != nil {
		body.DurationMs = s.Content.DurationMs
	}
	b, err := encodeBody(body)
	if err != nil {
		return refused, 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.CallTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, r.url, bytes.NewReader(b))
	if err != nil {
		return refused, 0, fmt.Errorf("state report: build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+r.cfg.AccountToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.cfg.HTTPClient.Do(req)
	if err != nil {
		r.count(retry)
		return retry, 0, fmt.Errorf("state report: %w", err) // names the method and URL
	}
	defer resp.Body.Close()
	// Keep a little of the answer for the log; drain a bounded rest so the
	// connection is reused.
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		r.count(accepted)
		return accepted, 0, nil
	}
	err = fmt.Errorf("state report: PUT %s: status %d: %s", r.url, resp.StatusCode, strings.TrimSpace(string(snippet)))
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		r.count(retry)
		return retry, retryAfter(resp.Header.Get("Retry-After"), r.cfg.Backoff.Cap), err
	}
	r.count(refused)
	return refused, 0, err
}

// encodeBody writes the report as JSON within MaxBodyBytes, shortening the
// titles (never the ids) when they make it too long.
func encodeBody(body Body) ([]byte, error) {
	for _, limit := range []int{-1, 128, 32, 0} {
		if limit >= 0 {
			if c := body.Content; c != nil {
				c.Title, c.SeriesTitle = cut(c.Title, limit), cut(c.SeriesTitle, limit)
			}
			if c := body.Channel; c != nil {
				c.Name, c.ProgramTitle = cut(c.Name, limit), cut(c.ProgramTitle, limit)
			}
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // "<" stays one byte
		if err := enc.Encode(body); err != nil {
			return nil, fmt.Errorf("encode state report: %w", err)
		}
		if b := bytes.TrimSuffix(buf.Bytes(), []byte("\n")); len(b) <= MaxBodyBytes {
			return b, nil
		}
	}
	return nil, fmt.Errorf("state report over %d bytes even without titles", MaxBodyBytes)
}

// cut shortens s to at most n bytes without splitting a character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 {
		if r, size := utf8.DecodeLastRuneInString(s); r != utf8.RuneError || size > 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}

func (r *Reporter) count(o outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch o {
	case accepted:
		r.stats.Sent++
		r.stats.LastError = ""
	case refused:
		r.stats.Refused++
	case retry:
		r.stats.Retried++
	}
}

// retryAfter reads a Retry-After of whole seconds, bounded by limit.
func retryAfter(v string, limit time.Duration) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0
	}
	return min(time.Duration(n)*time.Second, limit)
}
