// Package hubtest holds the contract suite every hub.Store must pass, so the
// in-memory store and a durable one cannot drift apart.
package hubtest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"livingroom/device-push/hub"
)

// Limit is the per-registration bound the suite expects newStore to use.
const Limit = 5

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// Msg returns a message accepted at t0+at that lives ttl, with consolidation
// key ck.
func Msg(id string, at, ttl time.Duration, ck string) hub.Message {
	return hub.Message{
		ID:               id,
		Data:             map[string]string{"id": id},
		MD5:              "md5-" + id,
		ConsolidationKey: ck,
		SentAt:           t0.Add(at),
		ExpiresAt:        t0.Add(at + ttl),
	}
}

// RunStoreSuite runs the Store contract. newStore must return an empty store
// bounded to Limit messages per registration.
func RunStoreSuite(t *testing.T, newStore func(t *testing.T) hub.Store) {
	const (
		reg   = "reg-a"
		other = "reg-b"
		hour  = time.Hour
	)
	type op struct {
		append *hub.Message
		ack    string
	}
	app := func(m hub.Message) op { return op{append: &m} }
	ack := func(id string) op { return op{ack: id} }

	tests := []struct {
		name string
		ops  []op
		at   time.Duration // when Pending is asked
		want []string
	}{
		{name: "empty", want: nil},
		{
			name: "order kept",
			ops:  []op{app(Msg("1", 0, hour, "")), app(Msg("2", 1, hour, "")), app(Msg("3", 2, hour, ""))},
			want: []string{"1", "2", "3"},
		},
		{
			name: "ack removes one",
			ops:  []op{app(Msg("1", 0, hour, "")), app(Msg("2", 1, hour, "")), ack("1")},
			want: []string{"2"},
		},
		{
			name: "unknown and repeated acks ignored",
			ops:  []op{app(Msg("1", 0, hour, "")), ack("nope"), ack("1"), ack("1")},
			want: nil,
		},
		{
			name: "consolidation replaces and moves to the end",
			ops: []op{
				app(Msg("1", 0, hour, "k")), app(Msg("2", 1, hour, "")),
				app(Msg("3", 2, hour, "other")), app(Msg("4", 3, hour, "k")),
			},
			want: []string{"2", "3", "4"},
		},
		{
			name: "empty key never consolidates",
			ops:  []op{app(Msg("1", 0, hour, "")), app(Msg("2", 1, hour, ""))},
			want: []string{"1", "2"},
		},
		{
			name: "bound drops the oldest",
			ops: []op{
				app(Msg("1", 0, hour, "")), app(Msg("2", 1, hour, "")), app(Msg("3", 2, hour, "")),
				app(Msg("4", 3, hour, "")), app(Msg("5", 4, hour, "")), app(Msg("6", 5, hour, "")),
				app(Msg("7", 6, hour, "")),
			},
			want: []string{"3", "4", "5", "6", "7"},
		},
		{
			name: "expired messages are not pending",
			ops:  []op{app(Msg("1", 0, 10*time.Second, "")), app(Msg("2", 0, 100*time.Second, ""))},
			at:   50 * time.Second,
			want: []string{"2"},
		},
		{
			name: "expiry is exclusive of the instant",
			ops:  []op{app(Msg("1", 0, 10*time.Second, ""))},
			at:   10 * time.Second,
			want: nil,
		},
		{
			name: "expired messages do not count against the bound",
			ops: []op{
				app(Msg("1", 0, time.Second, "")), app(Msg("2", 0, time.Second, "")),
				app(Msg("3", 0, time.Second, "")), app(Msg("4", 0, time.Second, "")),
				app(Msg("5", 0, hour, "")), app(Msg("6", 2*time.Second, hour, "")),
			},
			at:   2 * time.Second,
			want: []string{"5", "6"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t)
			for _, id := range []string{reg, other} {
				if err := s.Register(ctx, id); err != nil {
					t.Fatalf("Register(%s): %v", id, err)
				}
			}
			// Traffic for another registration must not leak into reg.
			if err := s.Append(ctx, other, Msg("x", 0, hour, "k")); err != nil {
				t.Fatalf("Append(other): %v", err)
			}
			for _, o := range tt.ops {
				var err error
				if o.append != nil {
					err = s.Append(ctx, reg, *o.append)
				} else {
					err = s.Ack(ctx, reg, o.ack)
				}
				if err != nil {
					t.Fatalf("op %+v: %v", o, err)
				}
			}
			got, err := s.Pending(ctx, reg, t0.Add(tt.at))
			if err != nil {
				t.Fatalf("Pending: %v", err)
			}
			if ids := messageIDs(got); !slices.Equal(ids, tt.want) {
				t.Errorf("pending = %v, want %v", ids, tt.want)
			}
			if o, _ := s.Pending(ctx, other, t0); len(o) != 1 || o[0].ID != "x" {
				t.Errorf("other registration pending = %v, want [x]", messageIDs(o))
			}
		})
	}

	t.Run("unknown registration", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		if err := s.Append(ctx, reg, Msg("1", 0, hour, "")); !errors.Is(err, hub.ErrUnregistered) {
			t.Errorf("Append = %v, want ErrUnregistered", err)
		}
		if _, err := s.Pending(ctx, reg, t0); !errors.Is(err, hub.ErrUnregistered) {
			t.Errorf("Pending = %v, want ErrUnregistered", err)
		}
		if err := s.Ack(ctx, reg, "1"); err != nil {
			t.Errorf("Ack = %v, want nil", err)
		}
	})

	t.Run("register twice keeps pending", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		must(t, s.Register(ctx, reg))
		must(t, s.Append(ctx, reg, Msg("1", 0, hour, "")))
		must(t, s.Register(ctx, reg))
		got, err := s.Pending(ctx, reg, t0)
		must(t, err)
		if ids := messageIDs(got); !slices.Equal(ids, []string{"1"}) {
			t.Errorf("pending = %v, want [1]", ids)
		}
	})

	t.Run("message fields round trip", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		must(t, s.Register(ctx, reg))
		m := Msg("1", time.Second, hour, "k")
		must(t, s.Append(ctx, reg, m))
		got, err := s.Pending(ctx, reg, t0)
		must(t, err)
		if len(got) != 1 || got[0].ID != m.ID || !maps.Equal(got[0].Data, m.Data) || got[0].MD5 != m.MD5 ||
			got[0].ConsolidationKey != m.ConsolidationKey ||
			!got[0].SentAt.Equal(m.SentAt) || !got[0].ExpiresAt.Equal(m.ExpiresAt) {
			t.Errorf("pending = %+v, want [%+v]", got, m)
		}
	})

	t.Run("concurrent appends and acks", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		must(t, s.Register(ctx, reg))
		done := make(chan error)
		const n = 20
		for i := range n {
			go func() {
				id := fmt.Sprint(i)
				err := s.Append(ctx, reg, Msg(id, 0, hour, ""))
				if err == nil {
					err = s.Ack(ctx, reg, id)
				}
				done <- err
			}()
		}
		for range n {
			must(t, <-done)
		}
		got, err := s.Pending(ctx, reg, t0)
		must(t, err)
		if len(got) != 0 {
			t.Errorf("pending = %v, want none", messageIDs(got))
		}
	})
}

func messageIDs(ms []hub.Message) []string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
