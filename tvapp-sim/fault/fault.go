// Package fault injects the failures a real TV has, on demand, so QA can
// see what the skill answers under each: the TV offline, a slow ack, the
// app in the background, the connection dropped and restored, the power
// turned off at the TV, and a skewed clock.
//
// The Controller only holds what is injected and tells the TV when that
// changes; the TV (tvapp-sim/tv) acts on it. It does no I/O and is safe for
// concurrent use.
package fault

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Kind names a fault, as the API spells it.
type Kind string

// Faults, as the API spells them. New ones are added, never renamed.
const (
	// Offline: the TV closes its device-push connection and stays away
	// until the fault is cleared. Messages sent meanwhile wait in
	// device-push; those older than the TV's maximum action age when they
	// arrive are dropped.
	Offline Kind = "offline"
	// SlowAck: the TV holds each message for DelayMs before applying and
	// acknowledging it (a busy app). Held longer than the maximum action
	// age, an action is dropped as expired.
	SlowAck Kind = "slow_ack"
	// Background: the app is not in the foreground; it receives and
	// acknowledges messages but the player does not act on them.
	Background Kind = "background"
	// ConnectionDrop: the connection drops now and comes back after
	// DurationMs; messages sent meanwhile are delivered on reconnection.
	ConnectionDrop Kind = "connection_drop"
	// PowerOff: someone turns the TV off with its remote. It is an event,
	// not a state: the TV is off until a TurnOn, and nothing is listed.
	PowerOff Kind = "power_off"
	// ClockSkew: the TV's clock runs SkewMs ahead (or behind, negative),
	// so the age of every action it receives is misjudged by as much.
	ClockSkew Kind = "clock_skew"
)

// Kinds lists every fault in the order the API documents them.
var Kinds = []Kind{Offline, SlowAck, Background, ConnectionDrop, PowerOff, ClockSkew}

// Bounds of the parameters.
const (
	MaxDelay    = 60 * time.Second // slow_ack delayMs
	MaxDuration = 10 * time.Minute // connection_drop durationMs
	MaxSkew     = 24 * time.Hour   // clock_skew |skewMs|
)

// Request is one fault to inject (POST /v1/faults).
type Request struct {
	Fault      Kind  `json:"fault"`
	DelayMs    int64 `json:"delayMs,omitempty"`    // slow_ack: how long each message is held (1 … 60000)
	DurationMs int64 `json:"durationMs,omitempty"` // connection_drop: how long the connection stays down (1 … 600000)
	SkewMs     int64 `json:"skewMs,omitempty"`     // clock_skew: the TV clock's error, ± 24 h, not 0
}

// Active is an injected fault (GET /v1/faults).
type Active struct {
	Fault      Kind   `json:"fault"`
	DelayMs    int64  `json:"delayMs,omitempty"`
	DurationMs int64  `json:"durationMs,omitempty"`
	SkewMs     int64  `json:"skewMs,omitempty"`
	Since      string `json:"since"`           // RFC 3339, UTC, by the real clock
	Until      string `json:"until,omitempty"` // connection_drop: when it is restored
}

// Errors of Validate and Inject. Their texts are fixed and sent to clients.
var (
	ErrUnknownFault = errors.New("unknown fault")
	ErrBadParameter = errors.New("parameter missing, out of range or not used by this fault")
)

// Validate checks a request against the bounds of its fault.
func (r Request) Validate() error {
	within := func(v int64, hi time.Duration) bool { return v >= 1 && v <= hi.Milliseconds() }
	switch r.Fault {
	case Offline, Background, PowerOff:
		if r.DelayMs != 0 || r.DurationMs != 0 || r.SkewMs != 0 {
			return fmt.Errorf("%s takes no parameter: %w", r.Fault, ErrBadParameter)
		}
	case SlowAck:
		if !within(r.DelayMs, MaxDelay) || r.DurationMs != 0 || r.SkewMs != 0 {
			return fmt.Errorf("slow_ack wants delayMs 1…%d only: %w", MaxDelay.Milliseconds(), ErrBadParameter)
		}
	case ConnectionDrop:
		if !within(r.DurationMs, MaxDuration) || r.DelayMs != 0 || r.SkewMs != 0 {
			return fmt.Errorf("connection_drop wants durationMs 1…%d only: %w", MaxDuration.Milliseconds(), ErrBadParameter)
		}
	case ClockSkew:
		if r.SkewMs == 0 || r.SkewMs > MaxSkew.Milliseconds() || r.SkewMs < -MaxSkew.Milliseconds() || r.DelayMs != 0 || r.DurationMs != 0 {
			return fmt.Errorf("clock_skew wants skewMs ±1…%d only: %w", MaxSkew.Milliseconds(), ErrBadParameter)
		}
	default:
		return ErrUnknownFault
	}
	return nil
}

// Controller holds the injected faults. Create it with New.
type Controller struct {
	now func() time.Time // the real clock

	mu      sync.Mutex
	active  map[Kind]Active
	until   time.Time // connection_drop's end
	skew    time.Duration
	delay   time.Duration
	changed chan struct{} // closed and replaced on every change
	powerN  int           // power_off events so far
}

// New returns a Controller with no fault, reading the real clock from now.
func New(now func() time.Time) *Controller {
	return &Controller{now: now, active: map[Kind]Active{}, changed: make(chan struct{})}
}

// Inject validates and records r. A fault injected again replaces its
// parameters. PowerOff is only counted (see PowerOffs): the TV acts on it.
func (c *Controller) Inject(r Request) error {
	if err := r.Validate(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	a := Active{Fault: r.Fault, DelayMs: r.DelayMs, DurationMs: r.DurationMs, SkewMs: r.SkewMs, Since: formatTime(now)}
	switch r.Fault {
	case PowerOff:
		c.powerN++
		c.notifyLocked()
		return nil
	case ConnectionDrop:
		c.until = now.Add(time.Duration(r.DurationMs) * time.Millisecond)
		a.Until = formatTime(c.until)
	case ClockSkew:
		c.skew = time.Duration(r.SkewMs) * time.Millisecond
	case SlowAck:
		c.delay = time.Duration(r.DelayMs) * time.Millisecond
	}
	c.active[r.Fault] = a
	c.notifyLocked()
	return nil
}

// Clear removes one fault; false when it was not active.
func (c *Controller) Clear(k Kind) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.active[k]; !ok {
		return false
	}
	c.clearLocked(k)
	c.notifyLocked()
	return true
}

// ClearAll removes every fault.
func (c *Controller) ClearAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.active {
		c.clearLocked(k)
	}
	c.notifyLocked()
}

func (c *Controller) clearLocked(k Kind) {
	delete(c.active, k)
	switch k {
	case ConnectionDrop:
		c.until = time.Time{}
	case ClockSkew:
		c.skew = 0
	case SlowAck:
		c.delay = 0
	}
}

// List returns the active faults in the documented order. A dropped
// connection whose time is up is no longer listed.
func (c *Controller) List() []Active {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expireLocked(c.now())
	out := make([]Active, 0, len(Kinds))
	for _, k := range Kinds {
		if a, ok := c.active[k]; ok {
			out = append(out, a)
		}
	}
	return out
}

// Names returns the active faults' names, for the TV screen.
func (c *Controller) Names() []string {
	var out []string
	for _, a := range c.List() {
		out = append(out, string(a.Fault))
	}
	return out
}

// Online reports whether the TV should hold its device-push connection now,
// and when that may next change by itself (zero: only by Inject or Clear).
func (c *Controller) Online() (online bool, recheckAt time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expireLocked(c.now())
	if _, off := c.active[Offline]; off {
		return false, time.Time{}
	}
	if _, drop := c.active[ConnectionDrop]; drop {
		return false, c.until
	}
	return true, time.Time{}
}

func (c *Controller) expireLocked(now time.Time) {
	if _, ok := c.active[ConnectionDrop]; ok && !now.Before(c.until) {
		c.clearLocked(ConnectionDrop)
		c.notifyLocked()
	}
}

// Background reports whether the app is in the background.
func (c *Controller) Background() bool { return c.has(Background) }

func (c *Controller) has(k Kind) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.active[k]
	return ok
}

// AckDelay is how long each message is held before it is applied (0: not).
func (c *Controller) AckDelay() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.delay
}

// Now is the TV's clock: the real one plus the injected skew.
func (c *Controller) Now() time.Time {
	c.mu.Lock()
	skew := c.skew
	c.mu.Unlock()
	return c.now().Add(skew)
}

// PowerOffs counts the power_off events injected so far.
func (c *Controller) PowerOffs() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.powerN
}

// Changed returns a channel closed at the next change.
func (c *Controller) Changed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}

func (c *Controller) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// ParseKind returns the fault named s.
func ParseKind(s string) (Kind, bool) {
	k := Kind(s)
	return k, slices.Contains(Kinds, k)
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }
