// Package action defines the versioned commands the backend sends to the TV
// app. An action travels as ADM `data`: a flat map of string keys to string
// values, at most 6 KB. The skill Lambda encodes actions and tvapp-sim decodes
// them, so both sides share this one definition.
package action

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Version is the protocol version written in every action. A decoder accepts
// this version only; a new incompatible layout gets a new number.
const Version = "1"

// Type names what the TV should do.
type Type string

// The action types. New types are added, never renamed.
const (
	PlayContent Type = "PLAY_CONTENT" // start a work (movie or episode) from PositionMs
	Pause       Type = "PAUSE"
	Resume      Type = "RESUME"
	Stop        Type = "STOP"
)

// Keys of the ADM data map.
const (
	keyVersion     = "v"
	keyID          = "id"
	keyTimestamp   = "ts"
	keyType        = "type"
	keyContentID   = "contentId"
	keyTitle       = "title"
	keySeriesID    = "seriesId"
	keySeriesTitle = "seriesTitle"
	keySeason      = "season"
	keyEpisode     = "episode"
	keyDurationMs  = "durationMs"
	keyPositionMs  = "positionMs"
)

// ErrInvalid reports data that is not a well-formed action.
var ErrInvalid = errors.New("invalid action")

// Content identifies what to play.
type Content struct {
	ID          string // catalog id of the movie or episode
	Title       string
	SeriesID    string // empty for a movie
	SeriesTitle string
	Season      int // 0 when not an episode
	Episode     int
	DurationMs  int64
}

// Action is one command for the TV.
type Action struct {
	ID         string    // unique per action; the app de-duplicates by it
	Time       time.Time // when the backend issued it; the app drops stale ones
	Type       Type
	Content    *Content // PlayContent only
	PositionMs int64    // PlayContent: where to start
}

// Encode turns the action into ADM data.
func (a Action) Encode() map[string]string {
	data := map[string]string{
		keyVersion:   Version,
		keyID:        a.ID,
		keyTimestamp: strconv.FormatInt(a.Time.UnixMilli(), 10),
		keyType:      string(a.Type),
	}
	if c := a.Content; c != nil {
		data[keyContentID] = c.ID
		data[keyTitle] = c.Title
		setIfNotEmpty(data, keySeriesID, c.SeriesID)
		setIfNotEmpty(data, keySeriesTitle, c.SeriesTitle)
		if c.Season > 0 {
			data[keySeason] = strconv.Itoa(c.Season)
		}
		if c.Episode > 0 {
			data[keyEpisode] = strconv.Itoa(c.Episode)
		}
		if c.DurationMs > 0 {
			data[keyDurationMs] = strconv.FormatInt(c.DurationMs, 10)
		}
	}
	if a.Type == PlayContent {
		data[keyPositionMs] = strconv.FormatInt(a.PositionMs, 10)
	}
	return data
}

// Decode parses ADM data into an action and checks that it is complete.
func Decode(data map[string]string) (Action, error) {
	if v := data[keyVersion]; v != Version {
		return Action{}, fmt.Errorf("%w: version %q, want %q", ErrInvalid, v, Version)
	}
	a := Action{ID: data[keyID], Type: Type(data[keyType])}
	if a.ID == "" {
		return Action{}, fmt.Errorf("%w: missing %s", ErrInvalid, keyID)
	}
	ms, err := strconv.ParseInt(data[keyTimestamp], 10, 64)
	if err != nil {
		return Action{}, fmt.Errorf("%w: %s %q: %v", ErrInvalid, keyTimestamp, data[keyTimestamp], err)
	}
	a.Time = time.UnixMilli(ms).UTC()
	switch a.Type {
	case Pause, Resume, Stop:
		return a, nil
	case PlayContent:
		return decodePlay(a, data)
	default:
		return Action{}, fmt.Errorf("%w: unknown type %q", ErrInvalid, a.Type)
	}
}

func decodePlay(a Action, data map[string]string) (Action, error) {
	c := &Content{
		ID:          data[keyContentID],
		Title:       data[keyTitle],
		SeriesID:    data[keySeriesID],
		SeriesTitle: data[keySeriesTitle],
	}
	if c.ID == "" {
		return Action{}, fmt.Errorf("%w: %s without %s", ErrInvalid, PlayContent, keyContentID)
	}
	var err error
	if c.Season, err = optionalInt(data, keySeason); err != nil {
		return Action{}, err
	}
	if c.Episode, err = optionalInt(data, keyEpisode); err != nil {
		return Action{}, err
	}
	duration, err := optionalInt(data, keyDurationMs)
	if err != nil {
		return Action{}, err
	}
	c.DurationMs = int64(duration)
	position, err := optionalInt(data, keyPositionMs)
	if err != nil {
		return Action{}, err
	}
	a.PositionMs = int64(position)
	a.Content = c
	return a, nil
}

func optionalInt(data map[string]string, key string) (int, error) {
	s, ok := data[key]
	if !ok || s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: %s %q is not a non-negative integer", ErrInvalid, key, s)
	}
	return n, nil
}

func setIfNotEmpty(data map[string]string, key, value string) {
	if value != "" {
		data[key] = value
	}
}
