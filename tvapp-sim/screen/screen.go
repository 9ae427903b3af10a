// Package screen serves the simulated TV over HTTP for QA: the state as JSON
// (GET /v1/state), readiness (GET /healthz) and the TV screen as a web page
// (GET /) kept current by server-sent events (GET /v1/events).
package screen

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"livingroom/tvapp-sim/player"
	"livingroom/tvapp-sim/register"
)

// Paths served.
const (
	StatePath  = "/v1/state"
	HealthPath = "/healthz"
	EventsPath = "/v1/events"
)

// Player is the state machine the screen shows.
type Player interface {
	Snapshot() player.State
}

// Registration reports where registration stands.
type Registration interface {
	Status() register.Status
}

// Connection reports whether the device-push connection is up.
type Connection interface {
	Connected() bool
}

// Config wires the handler.
type Config struct {
	EndpointID   string
	FriendlyName string
	Player       Player
	Registration Registration
	Connection   Connection
	// App, when set, adds what the app does around the player (the last
	// command, faults in effect) to the state.
	App App
	// Changes, when set, wakes the event streams at every change; without
	// it they send the state on their heartbeat only.
	Changes Changes
	// Heartbeat is how often an event stream resends the state when
	// nothing changed (it also keeps the position exact). DefaultHeartbeat
	// when zero.
	Heartbeat time.Duration
	// MaxStreams bounds the open event streams; DefaultMaxStreams when zero.
	MaxStreams int
	Logger     *slog.Logger
}

// App reports what the app does around the player.
type App interface {
	AppStatus() AppStatus
}

// AppStatus is the app's side of the state.
type AppStatus struct {
	LastCommand *Command // nil until a command arrived
	Buffering   bool     // a command arrived and is held before it is applied (slow_ack)
	Faults      []string // injected faults in effect
}

// Changes signals state changes.
type Changes interface {
	// Changed returns a channel closed at the next change.
	Changed() <-chan struct{}
}

// Command is the last command the TV received, for the toast on the screen
// and for QA scripts.
type Command struct {
	MessageID  string `json:"messageId"`
	Type       string `json:"type"`       // the action type, e.g. PLAY_CONTENT
	Text       string `json:"text"`       // what the toast says, e.g. "Play · Late"
	Outcome    string `json:"outcome"`    // applied, duplicate, stale, expired, unsupported, ignored, background, held, invalid
	ReceivedAt string `json:"receivedAt"` // RFC 3339, UTC, by the TV's clock
}

// State is the GET /v1/state document. QA scripts rely on these names:
// fields are added, never renamed.
type State struct {
	RegistrationID string      `json:"registrationId"`
	EndpointID     string      `json:"endpointId"`
	FriendlyName   string      `json:"friendlyName"`
	Power          string      `json:"power"` // ON or OFF
	PlaybackState  string      `json:"playbackState"`
	Content        *Content    `json:"content"`
	PositionMs     int64       `json:"positionMs"`
	DurationMs     int64       `json:"durationMs"`
	Channel        *Channel    `json:"channel"`
	Screen         string      `json:"screen"` // home, player, results, settings, search, guide, recordings, off
	Results        []Result    `json:"results"`
	SelectedIndex  int         `json:"selectedIndex"`
	Recordings     []Recording `json:"recordings"`
	LastActionID   string      `json:"lastActionId"`
	UpdatedAt      string      `json:"updatedAt"`
	Registered     bool        `json:"registered"` // as in /healthz
	Volume         int         `json:"volume"`     // 0..100
	Muted          bool        `json:"muted"`
	Input          string      `json:"input"`     // TV, HDMI 1, HDMI 2, HDMI 3
	Connected      bool        `json:"connected"` // the device-push connection is up
	Buffering      bool        `json:"buffering"` // a command is held before it is applied
	LastCommand    *Command    `json:"lastCommand"`
	Faults         []string    `json:"faults"` // injected faults in effect (details: GET /v1/faults)
}

// Content is the work in the player (on live TV, the programme on air).
type Content struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	SeriesID    string `json:"seriesId"`
	SeriesTitle string `json:"seriesTitle"`
	Season      int    `json:"season"`
	Episode     int    `json:"episode"`
}

// Channel is the live channel tuned.
type Channel struct {
	Number       string `json:"number"`
	CallSign     string `json:"callSign"`
	Name         string `json:"name"`
	ProgramID    string `json:"programId"`
	ProgramTitle string `json:"programTitle"`
}

// Result is one item on the results screen.
type Result struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Kind  string `json:"kind"`
}

// Recording is one entry of the TV's recordings list.
type Recording struct {
	ContentID     string `json:"contentId"`
	Title         string `json:"title"`
	ChannelNumber string `json:"channelNumber"`
	CallSign      string `json:"callSign"`
	RecordedAt    string `json:"recordedAt"`
}

// ContentView is the JSON form of the player's content; nil stays nil.
func ContentView(c *player.Content) *Content {
	if c == nil {
		return nil
	}
	return &Content{ID: c.ID, Title: c.Title, SeriesID: c.SeriesID, SeriesTitle: c.SeriesTitle, Season: c.Season, Episode: c.Episode}
}

// ChannelView is the JSON form of the player's channel; nil stays nil.
func ChannelView(c *player.Channel) *Channel {
	if c == nil {
		return nil
	}
	return &Channel{Number: c.Number, CallSign: c.CallSign, Name: c.Name, ProgramID: c.ProgramID, ProgramTitle: c.ProgramTitle}
}

// FormatTime is how the documents write times: RFC 3339, UTC, milliseconds.
func FormatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// Health is the GET /healthz document.
type Health struct {
	Status           string `json:"status"` // "ok" or "starting"
	Registered       bool   `json:"registered"`
	RegistrationID   string `json:"registrationId"`
	DeviceRegistered bool   `json:"deviceRegistered"`
	AlexaRegistered  bool   `json:"alexaRegistered"`
	Connected        bool   `json:"connected"`
	LastError        string `json:"lastError,omitempty"`
}

// timeLayout formats updatedAt: RFC 3339, UTC, milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

type handler struct {
	cfg     Config
	streams chan struct{} // one token per open event stream
}

// NewHandler returns the HTTP handler.
func NewHandler(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = DefaultHeartbeat
	}
	if cfg.MaxStreams <= 0 {
		cfg.MaxStreams = DefaultMaxStreams
	}
	h := &handler{cfg: cfg, streams: make(chan struct{}, cfg.MaxStreams)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+StatePath, h.state)
	mux.HandleFunc("GET "+HealthPath, h.health)
	mux.HandleFunc("GET /{$}", h.page)
	mux.HandleFunc("GET "+EventsPath, h.events)
	return mux
}

// Snapshot assembles the state document.
func (h *handler) snapshot() State {
	ps := h.cfg.Player.Snapshot()
	rs := h.cfg.Registration.Status()
	st := State{
		RegistrationID: rs.RegistrationID,
		Registered:     rs.Registered(),
		EndpointID:     h.cfg.EndpointID,
		FriendlyName:   h.cfg.FriendlyName,
		Power:          string(ps.Power),
		PlaybackState:  string(ps.Playback),
		Content:        ContentView(ps.Content),
		PositionMs:     ps.PositionMs,
		Channel:        ChannelView(ps.Channel),
		Screen:         string(ps.Screen),
		Results:        make([]Result, len(ps.Results)),
		SelectedIndex:  ps.SelectedIndex,
		Recordings:     make([]Recording, len(ps.Recordings)),
		LastActionID:   ps.LastActionID,
		UpdatedAt:      FormatTime(ps.UpdatedAt),
		Volume:         ps.Volume,
		Muted:          ps.Muted,
		Input:          ps.Input,
		Faults:         []string{},
	}
	if h.cfg.Connection != nil {
		st.Connected = h.cfg.Connection.Connected()
	}
	if h.cfg.App != nil {
		as := h.cfg.App.AppStatus()
		st.LastCommand, st.Buffering = as.LastCommand, as.Buffering
		if as.Faults != nil {
			st.Faults = as.Faults
		}
	}
	if c := ps.Content; c != nil {
		st.DurationMs = c.DurationMs
	}
	for i, r := range ps.Results {
		st.Results[i] = Result{ID: r.ID, Title: r.Title, Kind: r.Kind}
	}
	for i, r := range ps.Recordings {
		st.Recordings[i] = Recording{ContentID: r.ContentID, Title: r.Title, ChannelNumber: r.ChannelNumber, CallSign: r.CallSign, RecordedAt: FormatTime(r.RecordedAt)}
	}
	return st
}

func (h *handler) state(w http.ResponseWriter, _ *http.Request) {
	h.writeJSON(w, http.StatusOK, h.snapshot())
}

func (h *handler) health(w http.ResponseWriter, _ *http.Request) {
	rs := h.cfg.Registration.Status()
	hd := Health{
		Status:           "starting",
		Registered:       rs.Registered(),
		RegistrationID:   rs.RegistrationID,
		DeviceRegistered: rs.DeviceRegistered,
		AlexaRegistered:  rs.AlexaRegistered,
		LastError:        rs.LastError,
	}
	if h.cfg.Connection != nil {
		hd.Connected = h.cfg.Connection.Connected()
	}
	code := http.StatusServiceUnavailable
	if hd.Registered {
		hd.Status, code = "ok", http.StatusOK
	}
	h.writeJSON(w, code, hd)
}

func (h *handler) page(w http.ResponseWriter, _ *http.Request) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, newPageData(h.snapshot())); err != nil {
		h.cfg.Logger.Error("render TV page", "err", err)
		http.Error(w, "render failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// Everything is inline or same-origin: the page works offline.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'")
	if _, err := w.Write(buf.Bytes()); err != nil {
		h.cfg.Logger.Debug("write TV page", "err", err)
	}
}

func (h *handler) writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		h.cfg.Logger.Error("encode JSON", "err", err)
		http.Error(w, "encode failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if _, err := w.Write(append(b, '\n')); err != nil {
		h.cfg.Logger.Debug("write JSON", "err", err)
	}
}
