// Package viewingtest provides an in-memory viewing.Store and the contract
// suite every viewing.Store must pass.
package viewingtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"livingroom/internal/viewing"
)

// Store is an in-memory, concurrency-safe viewing.Store.
type Store struct {
	mu         sync.Mutex
	progress   map[string]viewing.Progress             // account\x00series
	recordings map[string]map[string]viewing.Recording // account → id
}

// NewStore returns an empty Store.
func NewStore() *Store {
	return &Store{progress: map[string]viewing.Progress{}, recordings: map[string]map[string]viewing.Recording{}}
}

// PutProgress implements viewing.Store.
func (s *Store) PutProgress(_ context.Context, accountID string, p viewing.Progress) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.progress[accountID+"\x00"+p.SeriesID] = p
	return nil
}

// GetProgress implements viewing.Store.
func (s *Store) GetProgress(_ context.Context, accountID, seriesID string) (viewing.Progress, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.progress[accountID+"\x00"+seriesID]
	if !ok {
		return viewing.Progress{}, fmt.Errorf("progress in %s: %w", seriesID, viewing.ErrNotFound)
	}
	return p, nil
}

// ListProgress implements viewing.Store.
func (s *Store) ListProgress(_ context.Context, accountID string, limit int) ([]viewing.Progress, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []viewing.Progress{}
	for k, p := range s.progress {
		if acc, _, _ := strings.Cut(k, "\x00"); acc == accountID && len(out) < viewing.MaxListedProgress {
			out = append(out, p)
		}
	}
	viewing.SortProgress(out)
	if limit >= 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// AddRecording implements viewing.Store.
func (s *Store) AddRecording(_ context.Context, accountID string, r viewing.Recording) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.recordings[accountID]
	if m == nil {
		m = map[string]viewing.Recording{}
		s.recordings[accountID] = m
	}
	if _, ok := m[r.ID]; ok {
		return fmt.Errorf("recording %s: %w", r.ID, viewing.ErrRecordingExists)
	}
	if len(m) >= viewing.MaxRecordings {
		return fmt.Errorf("recording %s: %w", r.ID, viewing.ErrStorageFull)
	}
	m[r.ID] = r
	return nil
}

// DeleteRecording implements viewing.Store.
func (s *Store) DeleteRecording(_ context.Context, accountID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.recordings[accountID][id]; !ok {
		return fmt.Errorf("recording %s: %w", id, viewing.ErrNotFound)
	}
	delete(s.recordings[accountID], id)
	return nil
}

// ListRecordings implements viewing.Store: newest first.
func (s *Store) ListRecordings(_ context.Context, accountID string) ([]viewing.Recording, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]viewing.Recording, 0, len(s.recordings[accountID]))
	for _, r := range s.recordings[accountID] {
		out = append(out, r)
	}
	sortRecordings(out)
	return out, nil
}

func sortRecordings(rs []viewing.Recording) {
	slices.SortFunc(rs, func(a, b viewing.Recording) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// RunStoreSuite checks the behaviour every viewing.Store must have.
func RunStoreSuite(t *testing.T, newStore func(t *testing.T) viewing.Store) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	t.Run("progress per account and series, newest wins", func(t *testing.T) {
		s := newStore(t)
		p := viewing.Progress{SeriesID: "s-1", EpisodeID: "e-1-2", Season: 1, Episode: 2, PositionMs: 60_000, DurationMs: 2_820_000, UpdatedAt: at}
		if err := s.PutProgress(ctx, "acc-1", p); err != nil {
			t.Fatal(err)
		}
		p.PositionMs = 90_000
		if err := s.PutProgress(ctx, "acc-1", p); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetProgress(ctx, "acc-1", "s-1")
		if err != nil || got.EpisodeID != "e-1-2" || got.PositionMs != 90_000 || got.DurationMs != p.DurationMs || got.Season != 1 || got.Episode != 2 || !got.UpdatedAt.Equal(at) {
			t.Fatalf("GetProgress = %+v, %v", got, err)
		}
		if _, err := s.GetProgress(ctx, "acc-2", "s-1"); !errors.Is(err, viewing.ErrNotFound) {
			t.Fatalf("other account's progress err = %v", err)
		}
	})
	t.Run("progress listed per account, most recent first, bounded by limit", func(t *testing.T) {
		s := newStore(t)
		for i, series := range []string{"s-old", "s-new", "s-mid"} {
			at := at.Add([]time.Duration{0, 2 * time.Hour, time.Hour}[i])
			if err := s.PutProgress(ctx, "acc-list", viewing.Progress{SeriesID: series, EpisodeID: series + "-e", Season: 1, Episode: i + 1, PositionMs: 1000, DurationMs: 60_000, UpdatedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.PutProgress(ctx, "acc-other", viewing.Progress{SeriesID: "s-x", EpisodeID: "e", UpdatedAt: at.Add(3 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		got, err := s.ListProgress(ctx, "acc-list", 10)
		if err != nil || len(got) != 3 || got[0].SeriesID != "s-new" || got[1].SeriesID != "s-mid" || got[2].SeriesID != "s-old" || got[0].Episode != 2 || got[0].EpisodeID != "s-new-e" {
			t.Fatalf("ListProgress = %+v, %v", got, err)
		}
		if got, err := s.ListProgress(ctx, "acc-list", 1); err != nil || len(got) != 1 || got[0].SeriesID != "s-new" {
			t.Fatalf("ListProgress limit 1 = %+v, %v", got, err)
		}
		if got, err := s.ListProgress(ctx, "acc-none", 10); err != nil || len(got) != 0 {
			t.Fatalf("ListProgress of an account without progress = %+v, %v", got, err)
		}
	})
	t.Run("recordings: add, refuse a duplicate, list newest first, delete", func(t *testing.T) {
		s := newStore(t)
		a := viewing.Recording{ID: "m-1", ContentID: "m-1", Title: "Prey", CreatedAt: at}
		b := viewing.Recording{ID: "channel-ESPN", Title: "SportsCenter", CallSign: "ESPN", ChannelNumber: "206", CreatedAt: at.Add(time.Minute)}
		for _, r := range []viewing.Recording{a, b} {
			if err := s.AddRecording(ctx, "acc-1", r); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.AddRecording(ctx, "acc-1", a); !errors.Is(err, viewing.ErrRecordingExists) {
			t.Fatalf("duplicate err = %v", err)
		}
		got, err := s.ListRecordings(ctx, "acc-1")
		if err != nil || len(got) != 2 || got[0].ID != "channel-ESPN" || got[1].Title != "Prey" || got[0].CallSign != "ESPN" {
			t.Fatalf("ListRecordings = %+v, %v", got, err)
		}
		if other, err := s.ListRecordings(ctx, "acc-2"); err != nil || len(other) != 0 {
			t.Fatalf("other account lists %+v, %v", other, err)
		}
		if err := s.DeleteRecording(ctx, "acc-2", "m-1"); !errors.Is(err, viewing.ErrNotFound) {
			t.Fatalf("other account deleted: %v", err)
		}
		if err := s.DeleteRecording(ctx, "acc-1", "m-1"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ListRecordings(ctx, "acc-1"); len(got) != 1 {
			t.Fatalf("after delete: %+v", got)
		}
	})
}
