package jetstream

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// A node remembers the watermarks it published for at least marksTTL, the
// newest per device, and forgets them after two generations.
func TestMarks(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m := newMarks(func() time.Time { return now })
	steps := []struct {
		advance time.Duration
		note    string
		seq     uint64
		want    map[string]uint64
	}{
		{note: "a", seq: 5, want: map[string]uint64{"a": 5, "b": 0}},
		{note: "a", seq: 3, want: map[string]uint64{"a": 5}}, // never lower
		{advance: marksTTL, note: "b", seq: 7, want: map[string]uint64{"a": 5, "b": 7}},
		{advance: marksTTL, note: "b", seq: 8, want: map[string]uint64{"a": 0, "b": 8}},
		{advance: 2 * marksTTL, note: "c", seq: 1, want: map[string]uint64{"b": 0, "c": 1}},
	}
	for i, st := range steps {
		now = now.Add(st.advance)
		m.note(st.note, st.seq)
		for id, want := range st.want {
			if got := m.get(id); got != want {
				t.Errorf("step %d: mark of %s = %d, want %d", i, id, got, want)
			}
		}
	}
}

// The deleter deletes what it is given, newest first, counts it as waiting
// until done, and gives up the oldest rather than grow or block an ack.
func TestDeleter(t *testing.T) {
	var mu sync.Mutex
	var deleted []uint64
	release := make(chan struct{})
	d := startDeleter(func(_ context.Context, seq uint64) error {
		<-release
		mu.Lock()
		deleted = append(deleted, seq)
		mu.Unlock()
		return nil
	}, 1000000, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer d.stop()
	d.add(1)
	// Wait until the worker holds 1, so what follows stays in the backlog.
	for d.waiting() != 1 || func() bool { d.mu.Lock(); defer d.mu.Unlock(); return d.running == 0 }() {
		time.Sleep(time.Millisecond)
	}
	const extra = deleteBacklog + deleteBacklog/4
	for seq := range uint64(extra) {
		d.add(seq + 2)
	}
	if w, want := d.waiting(), 1+extra-deleteBacklog/4; w != want {
		t.Errorf("waiting = %d, want %d", w, want)
	}
	close(release)
	deadline := time.Now().Add(10 * time.Second)
	for d.waiting() > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if n := 1 + extra - deleteBacklog/4; len(deleted) != n {
		t.Fatalf("deleted %d messages, want %d", len(deleted), n)
	}
	// 1 first (the worker had it), then the newest, down to the oldest kept.
	if deleted[0] != 1 || deleted[1] != extra+1 || deleted[len(deleted)-1] != deleteBacklog/4+2 {
		t.Errorf("deleted %d, %d … %d; want 1, %d … %d", deleted[0], deleted[1], deleted[len(deleted)-1], extra+1, deleteBacklog/4+2)
	}
}
