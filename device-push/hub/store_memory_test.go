package hub_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"livingroom/device-push/hub"
	"livingroom/device-push/hub/hubtest"
)

func TestMemoryStore(t *testing.T) {
	hubtest.RunStoreSuite(t, func(_ *testing.T, ttl time.Duration) hub.Store {
		return hub.NewMemoryStore(hubtest.Limit, ttl, nil)
	})
}

// TestMemoryStoreDedupWindow: a key is a duplicate within the window and a
// new message after it (JetStream's window runs on the server's clock, so
// only the memory store can show it in a test).
func TestMemoryStoreDedupWindow(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := hub.NewMemoryStore(0, 0, func() time.Time { return now })
	ctx := context.Background()
	if err := s.CreateRegistration(ctx, hubtest.Reg("r")); err != nil {
		t.Fatal(err)
	}
	m := hubtest.Msg("1", 0, 2*hub.DefaultDedupWindow, "")
	m.IdempotencyKey = "k"
	steps := []struct {
		after   time.Duration
		wantDup bool
	}{
		{0, false},
		{hub.DefaultDedupWindow - time.Second, true},
		{time.Second, false}, // the window of the first copy ended
	}
	for i, st := range steps {
		now = now.Add(st.after)
		_, err := s.Append(ctx, "r", m)
		if got := errors.Is(err, hub.ErrDuplicate); got != st.wantDup || (err != nil && !got) {
			t.Errorf("step %d: err = %v, want duplicate %v", i, err, st.wantDup)
		}
	}
}
