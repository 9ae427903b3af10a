package viewing_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"livingroom/internal/viewing"
	"livingroom/internal/viewing/viewingtest"
)

func TestFakeStoreContract(t *testing.T) {
	viewingtest.RunStoreSuite(t, func(t *testing.T) viewing.Store { return viewingtest.NewStore() })
}

func TestFinished(t *testing.T) {
	cases := []struct {
		pos, dur int64
		want     bool
	}{
		{0, 0, false}, {1_000, 0, false}, {60_000, 2_820_000, false}, {2_760_000, 2_820_000, true},
		{2_820_000, 2_820_000, true}, {95_000, 100_000, true}, {10_000, 100_000, false}, {41_000, 100_000, true}, {1_000_000, 3_600_000, false},
	}
	for _, c := range cases {
		if got := (viewing.Progress{PositionMs: c.pos, DurationMs: c.dur}).Finished(); got != c.want {
			t.Errorf("Finished(%d of %d) = %v, want %v", c.pos, c.dur, got, c.want)
		}
	}
}

func TestStorageFull(t *testing.T) {
	s := viewingtest.NewStore()
	for i := range viewing.MaxRecordings {
		if err := s.AddRecording(t.Context(), "a", viewing.Recording{ID: fmt.Sprint(i), CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddRecording(t.Context(), "a", viewing.Recording{ID: "one-more"}); !errors.Is(err, viewing.ErrStorageFull) {
		t.Fatalf("err = %v, want ErrStorageFull", err)
	}
}
