// Package tv assembles one simulated TV: the player, its device-push
// connection, its registrations, its state reports, the faults QA injects
// and the screen. tvapp-sim runs one; `tvapp-sim --fleet N` runs N in one
// process.
package tv

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"livingroom/internal/action"
	"livingroom/internal/push"
	"livingroom/tvapp-sim/client"
	"livingroom/tvapp-sim/fault"
	"livingroom/tvapp-sim/inbox"
	"livingroom/tvapp-sim/player"
	"livingroom/tvapp-sim/register"
	"livingroom/tvapp-sim/report"
	"livingroom/tvapp-sim/screen"
)

// Config is one TV.
type Config struct {
	DevicePushURL string
	AppKey        string // device-push's app key; push.DevelopmentAppKey when empty
	DeviceAPIURL  string
	AlexaURL      string
	AccountToken  string
	DeviceID      string
	EndpointID    string
	FriendlyName  string
	MaxActionAge  time.Duration
	RememberIDs   int // action ids kept for de-duplication; the player's default when zero

	// ReportProgress and ReportHeartbeat space the state reports; the
	// reporter's defaults when zero (a fleet spaces them further).
	ReportProgress  time.Duration
	ReportHeartbeat time.Duration

	HTTPClient *http.Client      // shared by a fleet; one per TV when nil
	Dialer     *websocket.Dialer // websocket.DefaultDialer when nil
	Now        func() time.Time  // the real clock; time.Now when nil
	Logger     *slog.Logger
	// Quiet logs applied actions at debug level (a fleet of thousands).
	Quiet bool
	// Headless: no screen is expected to be watched, so fault and
	// registration changes are not forwarded to event streams (one
	// goroutine less per TV); the player's changes still are.
	Headless bool
	// NoReports turns the state reports off (a fleet measuring messaging).
	NoReports bool
}

// TV is one simulated TV. Create it with New, then call Run.
type TV struct {
	cfg      Config
	Faults   *fault.Controller
	Player   *player.Player
	reg      *register.Service
	reporter *report.Reporter
	conn     *client.Client
	logger   *slog.Logger

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced at every change
	last     *screen.Command
	inbox    *inbox.Inbox // the last messages received, for GET /v1/messages
	holding  int
	received int64 // commands received, for the fleet summary
	applied  int64
	// powerOffsDone counts the power_off events acted on.
	powerOffsDone int

	handlerOnce sync.Once
	handler     http.Handler
}

// New builds a TV.
func New(cfg Config) (*TV, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	t := &TV{cfg: cfg, Faults: fault.New(cfg.Now), logger: cfg.Logger, changed: make(chan struct{}), inbox: inbox.New()}
	// The player reads the TV's clock, which a clock_skew fault moves.
	t.Player = player.New(t.Faults.Now, player.Options{MaxAge: cfg.MaxActionAge, RememberIDs: cfg.RememberIDs, OnChange: t.playerChanged})
	t.reg = register.New(register.Config{
		DeviceAPIURL: cfg.DeviceAPIURL,
		AlexaURL:     cfg.AlexaURL,
		AccountToken: cfg.AccountToken,
		Endpoint:     register.Endpoint{EndpointID: cfg.EndpointID, FriendlyName: cfg.FriendlyName, DeviceID: cfg.DeviceID},
		HTTPClient:   cfg.HTTPClient,
		Logger:       cfg.Logger.With("component", "register"),
	})
	t.reporter = report.New(report.Config{
		DeviceAPIURL: cfg.DeviceAPIURL,
		EndpointID:   cfg.EndpointID,
		AccountToken: cfg.AccountToken,
		Player:       t.Player,
		Registration: t.reg,
		HTTPClient:   cfg.HTTPClient,
		Progress:     cfg.ReportProgress,
		Heartbeat:    cfg.ReportHeartbeat,
		Logger:       cfg.Logger.With("component", "report"),
	})
	conn, err := client.New(client.Config{
		URL:          cfg.DevicePushURL,
		AppKey:       cmp.Or(cfg.AppKey, push.DevelopmentAppKey),
		OnRegistered: t.reg.SetRegistrationID,
		Handle:       t.handle,
		Dialer:       cfg.Dialer,
		Logger:       cfg.Logger.With("component", "client"),
	})
	if err != nil {
		return nil, fmt.Errorf("device-push client: %w", err)
	}
	t.conn = conn
	return t, nil
}

// Run connects, registers and reports until ctx is done.
func (t *TV) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { _ = t.reg.Run(ctx) })
	if !t.cfg.NoReports {
		wg.Go(func() { _ = t.reporter.Run(ctx) })
	}
	wg.Go(func() { t.runLink(ctx) })
	if !t.cfg.Headless {
		wg.Go(func() { t.forwardChanges(ctx) })
	}
	wg.Wait()
	return nil
}

// Handler serves the TV's screen, state, events, health and faults.
func (t *TV) Handler() http.Handler {
	t.handlerOnce.Do(func() { t.handler = t.newHandler() })
	return t.handler
}

func (t *TV) newHandler() http.Handler {
	mux := http.NewServeMux()
	faults := fault.NewHandler(t.Faults, t, t.logger.With("component", "faults"))
	mux.Handle(fault.Path, faults)
	mux.Handle(fault.Path+"/", faults)
	mux.Handle(inbox.Path, t.inbox)
	mux.Handle("/", screen.NewHandler(screen.Config{
		EndpointID: t.cfg.EndpointID, FriendlyName: t.cfg.FriendlyName,
		Player: t.Player, Registration: t.reg, Connection: t.conn, App: t, Changes: t,
		Logger: t.logger.With("component", "screen"),
	}))
	return mux
}

// DeviceID is the TV's device id.
func (t *TV) DeviceID() string { return t.cfg.DeviceID }

// EndpointID is the TV's Alexa endpoint id.
func (t *TV) EndpointID() string { return t.cfg.EndpointID }

// Registration reports where registration stands.
func (t *TV) Registration() register.Status { return t.reg.Status() }

// Connected reports whether the device-push connection is up.
func (t *TV) Connected() bool { return t.conn.Connected() }

// Counts returns the commands received and applied so far.
func (t *TV) Counts() (received, applied int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.received, t.applied
}

// AppStatus is the screen's view of the app.
func (t *TV) AppStatus() screen.AppStatus {
	t.mu.Lock()
	st := screen.AppStatus{Buffering: t.holding > 0}
	if t.last != nil {
		c := *t.last
		st.LastCommand = &c
	}
	t.mu.Unlock()
	st.Faults = t.Faults.Names()
	return st
}

// Changed returns a channel closed at the next change of what the screen
// shows: the player, the last command, the faults, the registration.
func (t *TV) Changed() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.changed
}

func (t *TV) notify() {
	t.mu.Lock()
	close(t.changed)
	t.changed = make(chan struct{})
	t.mu.Unlock()
}

func (t *TV) playerChanged() {
	t.reporter.Changed()
	t.notify()
}

// forwardChanges turns fault and registration changes into screen changes.
func (t *TV) forwardChanges(ctx context.Context) {
	for {
		_, regChanged := t.reg.Watch()
		select {
		case <-ctx.Done():
			return
		case <-t.Faults.Changed():
		case <-regChanged:
		}
		t.notify()
	}
}

// handle receives one device-push message: it is held under slow_ack,
// ignored in the background, applied otherwise. The client acknowledges it
// when handle returns.
func (t *TV) handle(ctx context.Context, f push.Frame) {
	cmd := describe(f)
	arrived := t.Faults.Now()
	cmd.ReceivedAt = screen.FormatTime(arrived)
	if d := t.Faults.AckDelay(); d > 0 {
		cmd.Outcome = "held"
		t.record(&cmd, +1, false)
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
		case <-timer.C:
		}
		timer.Stop()
		t.record(nil, -1, false)
	}
	if t.Faults.Background() {
		cmd.Outcome = "background"
		t.inbox.Add(f.MessageID, cmd.ReceivedAt, f.Data, cmd.Outcome)
		t.record(&cmd, 0, true)
		t.logger.Info("action ignored: app in background", "messageId", f.MessageID, "type", cmd.Type)
		return
	}
	a, outcome, err := t.Player.ApplyData(f.Data)
	if err != nil {
		cmd.Outcome = "invalid"
		t.inbox.Add(f.MessageID, cmd.ReceivedAt, f.Data, cmd.Outcome)
		t.record(&cmd, 0, true)
		t.logger.Error("invalid action; dropping it", "messageId", f.MessageID, "err", err)
		return
	}
	cmd.Outcome = outcome.String()
	applied := t.Faults.Now()
	t.inbox.Add(f.MessageID, cmd.ReceivedAt, f.Data, cmd.Outcome)
	t.record(&cmd, 0, true) // the screen and its watchers first, then the trace
	t.postHops(f, string(a.Type), a.ID, cmd.Outcome, arrived, applied)
	attrs := []any{"messageId", f.MessageID, "actionId", a.ID, "type", a.Type, "outcome", cmd.Outcome}
	if f.SentAtMs > 0 {
		attrs = append(attrs, "deliveryMs", t.cfg.Now().UnixMilli()-f.SentAtMs)
	}
	if t.cfg.Quiet {
		t.logger.Debug("action", attrs...)
	} else {
		t.logger.Info("action", attrs...)
	}
}

// record sets the last command (when cmd is set), moves the count of held
// messages, counts a finished command, and tells the screen.
func (t *TV) record(cmd *screen.Command, holding int, done bool) {
	t.mu.Lock()
	if cmd != nil {
		c := *cmd
		t.last = &c
	}
	t.holding += holding
	if done {
		t.received++
		if cmd != nil && cmd.Outcome == player.Applied.String() {
			t.applied++
		}
	}
	t.mu.Unlock()
	t.notify()
}

// describe names a message for the toast, from its data alone.
func describe(f push.Frame) screen.Command {
	c := screen.Command{MessageID: f.MessageID}
	a, err := action.Decode(f.Data)
	if err != nil {
		c.Type, c.Text = "INVALID", "Unreadable command"
		return c
	}
	c.Type, c.Text = string(a.Type), commandText(a)
	return c
}

// commandText is what the toast says for an action.
func commandText(a action.Action) string {
	switch a.Type {
	case action.PlayContent:
		if a.Content != nil {
			return "Play · " + a.Content.Title
		}
		return "Play"
	case action.Pause:
		return "Pause"
	case action.Resume:
		return "Resume"
	case action.Stop:
		return "Stop"
	case action.StartOver:
		return "Start over"
	case action.Seek:
		sign := "+"
		if a.DeltaMs < 0 {
			sign = "−"
		}
		return fmt.Sprintf("Seek %s%d s", sign, abs(a.DeltaMs)/1000)
	case action.TuneChannel:
		if c := a.Channel; c != nil {
			return strings.TrimSpace("Channel " + c.Number + " " + c.CallSign)
		}
		return "Channel"
	case action.ShowResults:
		if a.Query != "" {
			return fmt.Sprintf("Search “%s” · %d results", a.Query, len(a.Results))
		}
		return fmt.Sprintf("%d results", len(a.Results))
	case action.Launch:
		return "Open " + string(a.Target)
	case action.Keystroke:
		return "Key " + string(a.Key)
	case action.PowerSet:
		return "Power " + strings.ToLower(string(a.Power))
	case action.Record:
		if a.Recording != nil {
			return "Record · " + a.Recording.Title
		}
		return "Record"
	case action.Volume:
		if a.SetVolume {
			return fmt.Sprintf("Volume %d", a.VolumeLevel)
		}
		if a.VolumeDelta < 0 {
			return fmt.Sprintf("Volume −%d", -a.VolumeDelta)
		}
		return fmt.Sprintf("Volume +%d", a.VolumeDelta)
	case action.Mute:
		if a.Muted {
			return "Mute"
		}
		return "Unmute"
	case action.Input:
		return "Input " + a.InputName
	}
	return string(a.Type)
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// runLink holds the device-push connection while the faults allow it:
// offline closes it until cleared, connection_drop closes it for a while.
func (t *TV) runLink(ctx context.Context) {
	for ctx.Err() == nil {
		changed := t.Faults.Changed()
		online, recheckAt := t.Faults.Online()
		if online {
			t.holdLink(ctx)
			continue
		}
		t.waitOffline(ctx, changed, recheckAt)
	}
}

// waitOffline waits for a fault change, or for recheckAt when set.
func (t *TV) waitOffline(ctx context.Context, changed <-chan struct{}, recheckAt time.Time) {
	var timer <-chan time.Time
	if !recheckAt.IsZero() {
		tm := time.NewTimer(max(recheckAt.Sub(t.cfg.Now()), 0))
		defer tm.Stop()
		timer = tm.C
	}
	select {
	case <-ctx.Done():
	case <-changed:
	case <-timer:
	}
}

// holdLink runs the client until ctx is done or a fault takes the TV off.
func (t *TV) holdLink(ctx context.Context) {
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = t.conn.Run(lctx)
	}()
	for ctx.Err() == nil {
		changed := t.Faults.Changed()
		if on, _ := t.Faults.Online(); !on {
			break
		}
		select {
		case <-ctx.Done():
		case <-changed:
		}
	}
	cancel()
	<-done
	if ctx.Err() == nil {
		t.logger.Info("device-push connection closed by a fault")
	}
	t.notify()
}

// Settle acts on the faults as they are now and waits until that shows:
// the connection closed or back, a power_off applied and reported to the
// backend (so the skill's next answer knows the TV is off).
func (t *TV) Settle(ctx context.Context) error {
	if n := t.Faults.PowerOffs(); n > 0 && t.takePowerOff(n) {
		t.Player.TurnOff()
		if err := t.waitReportedOff(ctx); err != nil {
			return err
		}
	}
	online, _ := t.Faults.Online()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for t.conn.Connected() != online {
		select {
		case <-ctx.Done():
			return fmt.Errorf("connection still %v: %w", !online, ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}

// takePowerOff claims the power_off events up to n; false when done already.
func (t *TV) takePowerOff(n int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n <= t.powerOffsDone {
		return false
	}
	t.powerOffsDone = n
	return true
}

// waitReportedOff reads the backend's copy of the TV's state until it says
// OFF (GET /v1/devices/{endpointId}/state on the device API).
func (t *TV) waitReportedOff(ctx context.Context) error {
	u := strings.TrimRight(t.cfg.DeviceAPIURL, "/") + "/v1/devices/" + url.PathEscape(t.cfg.EndpointID) + "/state"
	hc := t.cfg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		off, err := t.reportedOff(ctx, hc, u)
		if off {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(fmt.Errorf("power off not reported: %w", ctx.Err()), err)
		case <-tick.C:
		}
	}
}

func (t *TV) reportedOff(ctx context.Context, hc *http.Client, u string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false, fmt.Errorf("state request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+t.cfg.AccountToken)
	resp, err := hc.Do(req)
	if err != nil {
		return false, fmt.Errorf("read reported state: %w", err)
	}
	defer resp.Body.Close()
	var st struct {
		Power string `json:"power"`
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("read reported state: status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 16<<10)).Decode(&st); err != nil {
		return false, fmt.Errorf("read reported state: %w", err)
	}
	return st.Power == string(player.PowerOff), nil
}
