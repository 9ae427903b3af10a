package device

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// State is what a TV last reported about itself (the state back channel:
// the app reports after every change, Amazon's own design has none).
type State struct {
	RegistrationID string
	Power          string // PowerOn or PowerOff
	Playback       string // PLAYING, PAUSED or STOPPED
	Content        *StateContent
	PositionMs     int64
	DurationMs     int64
	Channel        *StateChannel
	Screen         string
	LastActionID   string
	ReportedAt     time.Time   // the TV's clock
	ReceivedAt     time.Time   // the backend's clock: positions are estimated from it
	Sound          *StateSound // nil when the TV did not report it
	Input          string      // the input shown; "" when not reported
}

// StateSound is the TV's volume (0..100) and mute.
type StateSound struct {
	Volume int
	Muted  bool
}

// StateContent is the work in the TV's player.
type StateContent struct {
	ID          string
	Title       string
	SeriesID    string
	SeriesTitle string
	Season      int
	Episode     int
}

// StateChannel is the live channel the TV shows.
type StateChannel struct {
	Number       string
	CallSign     string
	Name         string
	ProgramID    string
	ProgramTitle string
}

// Values of State fields.
const (
	PowerOn         = "ON"
	PowerOff        = "OFF"
	PlaybackPlaying = "PLAYING"
	PlaybackPaused  = "PAUSED"
	PlaybackStopped = "STOPPED"
)

// ErrNoState reports a device that has not reported its state yet.
var ErrNoState = errors.New("device has not reported its state")

// StateStore keeps each device's last reported state. GetState returns an
// error wrapping ErrNoState when there is none. PutState returns the state
// it replaced (nil when there was none) in the same call, which saves the
// report a read.
type StateStore interface {
	PutState(ctx context.Context, accountID, endpointID string, s State) (prev *State, err error)
	GetState(ctx context.Context, accountID, endpointID string) (State, error)
}

// Bounds of a state report.
const (
	maxStateText = 512
	maxStateID   = 256
)

// ValidateState checks a reported state; its errors wrap ErrInvalid and
// never quote the input.
func ValidateState(s State) error {
	switch {
	case s.Power != PowerOn && s.Power != PowerOff:
		return fmt.Errorf("power must be ON or OFF: %w", ErrInvalid)
	case s.Playback != PlaybackPlaying && s.Playback != PlaybackPaused && s.Playback != PlaybackStopped:
		return fmt.Errorf("playbackState must be PLAYING, PAUSED or STOPPED: %w", ErrInvalid)
	case s.PositionMs < 0 || s.DurationMs < 0 || s.PositionMs > 1e11 || s.DurationMs > 1e11:
		return fmt.Errorf("positionMs and durationMs must be non-negative and bounded: %w", ErrInvalid)
	case len(s.Screen) > 32 || len(s.LastActionID) > maxStateID || len(s.RegistrationID) > MaxRegistrationIDLen:
		return fmt.Errorf("screen, lastActionId or registrationId over bounds: %w", ErrInvalid)
	}
	if c := s.Content; c != nil {
		if c.ID == "" || len(c.ID) > maxStateID || len(c.SeriesID) > maxStateID || len(c.Title) > maxStateText ||
			len(c.SeriesTitle) > maxStateText || c.Season < 0 || c.Episode < 0 || c.Season > 10_000 || c.Episode > 100_000 {
			return fmt.Errorf("content over bounds: %w", ErrInvalid)
		}
	}
	if s.Sound != nil && (s.Sound.Volume < 0 || s.Sound.Volume > 100) {
		return fmt.Errorf("volume must be 0..100: %w", ErrInvalid)
	}
	if len(s.Input) > 64 {
		return fmt.Errorf("input over bounds: %w", ErrInvalid)
	}
	if c := s.Channel; c != nil {
		if len(c.Number) > 16 || len(c.CallSign) > 64 || len(c.Name) > maxStateText || len(c.ProgramID) > maxStateID || len(c.ProgramTitle) > maxStateText {
			return fmt.Errorf("channel over bounds: %w", ErrInvalid)
		}
	}
	return nil
}

// PositionAt estimates the playback position at now: a playing TV has moved
// on since it reported, by the backend's clock (the TV's may be skewed).
func (s State) PositionAt(now time.Time) int64 {
	pos := s.PositionMs
	if s.Playback == PlaybackPlaying && !s.ReceivedAt.IsZero() && now.After(s.ReceivedAt) {
		pos += now.Sub(s.ReceivedAt).Milliseconds()
	}
	if s.DurationMs > 0 && pos > s.DurationMs {
		pos = s.DurationMs
	}
	return pos
}
