// Package viewing is the domain of what an account has watched and
// recorded: watch progress per series (kept from the TV's state reports, so
// that "watch <series>" continues where the viewer left off) and cloud DVR
// recordings. It declares the Store it needs; adapters implement it.
package viewing

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// Errors the domain reports.
var (
	ErrNotFound        = errors.New("not found")
	ErrRecordingExists = errors.New("recording exists")
	ErrStorageFull     = errors.New("recording storage full")
)

// Progress is where an account is in a series.
type Progress struct {
	SeriesID   string
	EpisodeID  string
	Season     int
	Episode    int
	PositionMs int64
	DurationMs int64
	UpdatedAt  time.Time
}

// Finished reports whether the episode was watched to its end (the credits
// are not waited for: the last minute, or the last 5%).
func (p Progress) Finished() bool {
	if p.DurationMs <= 0 {
		return false
	}
	return p.PositionMs >= p.DurationMs-60_000 || p.PositionMs >= p.DurationMs*95/100
}

// Recording is one cloud DVR recording of an account: a work or the
// programme of a channel.
type Recording struct {
	ID            string // the work id, or "channel-<call sign or number>" for a channel
	ContentID     string
	Title         string
	ChannelNumber string
	CallSign      string
	CreatedAt     time.Time
}

// MaxRecordings is what the cloud DVR holds per account.
const MaxRecordings = 200

// MaxListedProgress bounds what ListProgress reads of an account's progress
// (one item per series ever watched): the newest of that many is enough to
// answer "continue watching" and "what's new".
const MaxListedProgress = 500

// Store keeps progress and recordings per account. GetProgress returns an
// error wrapping ErrNotFound for a series never watched. ListProgress returns
// up to limit of the account's series, most recently watched first (an
// empty list for an account that watched nothing), reading at most
// MaxListedProgress of them. AddRecording returns
// ErrRecordingExists for an id already recorded and ErrStorageFull past
// MaxRecordings; DeleteRecording of an unknown id is ErrNotFound.
type Store interface {
	PutProgress(ctx context.Context, accountID string, p Progress) error
	GetProgress(ctx context.Context, accountID, seriesID string) (Progress, error)
	ListProgress(ctx context.Context, accountID string, limit int) ([]Progress, error)
	AddRecording(ctx context.Context, accountID string, r Recording) error
	DeleteRecording(ctx context.Context, accountID, id string) error
	ListRecordings(ctx context.Context, accountID string) ([]Recording, error)
}

// SortProgress orders progress most recently watched first (ties by series
// id, so lists are stable).
func SortProgress(ps []Progress) {
	slices.SortFunc(ps, func(a, b Progress) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.SeriesID, b.SeriesID)
	})
}
