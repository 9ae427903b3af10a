// Package hubtest holds the contract suite every hub.Store must pass, so the
// in-memory store and a durable one cannot drift apart.
package hubtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
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
		ConsolidationKey: ck,
		SentAt:           t0.Add(at),
		ExpiresAt:        t0.Add(at + ttl),
		Frame:            []byte(`{"type":"message","messageId":"` + id + `"}`),
	}
}

// Reg returns a registration whose secret is "secret-"+id.
func Reg(id string) hub.Registration {
	return hub.Registration{ID: id, SecretHash: hub.HashSecret("secret-" + id), CreatedAt: t0}
}

// NewStore returns an empty store bounded to Limit messages per registration
// that forgets registrations not touched for ttl.
type NewStore func(t *testing.T, ttl time.Duration) hub.Store

// RunStoreSuite runs the Store contract.
func RunStoreSuite(t *testing.T, newStore NewStore) {
	const (
		reg   = "reg-a"
		other = "reg-b"
		hour  = time.Hour
		day   = 24 * time.Hour
	)
	type op struct {
		append  *hub.Message
		ack     string
		through bool // ack with AckThrough
	}
	app := func(m hub.Message) op { return op{append: &m} }
	ack := func(id string) op { return op{ack: id} }
	ackThrough := func(id string) op { return op{ack: id, through: true} }
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
			name: "ack through removes that message and the older ones",
			ops: []op{
				app(Msg("1", 0, hour, "")), app(Msg("2", 1, hour, "k")), app(Msg("3", 2, hour, "")),
				app(Msg("4", 3, hour, "")), ackThrough("3"),
			},
			want: []string{"4"},
		},
		{
			name: "ack through again, or lower, removes nothing more",
			ops: []op{
				app(Msg("1", 0, hour, "")), app(Msg("2", 1, hour, "")), app(Msg("3", 2, hour, "")),
				ackThrough("2"), ackThrough("2"), ackThrough("1"),
			},
			want: []string{"3"},
		},
		{
			name: "messages after an ack through stay",
			ops: []op{
				app(Msg("1", 0, hour, "")), ackThrough("1"), app(Msg("2", 1, hour, "")),
				app(Msg("3", 2, hour, "k")),
			},
			want: []string{"2", "3"},
		},
		{
			name: "single acks and acks through mixed",
			ops: []op{
				app(Msg("1", 0, hour, "")), app(Msg("2", 1, hour, "")), app(Msg("3", 2, hour, "")),
				app(Msg("4", 3, hour, "")), ack("3"), ackThrough("1"),
			},
			want: []string{"2", "4"},
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
			s := newStore(t, day)
			for _, id := range []string{reg, other} {
				must(t, s.CreateRegistration(ctx, Reg(id)))
			}
			// Traffic for another registration must not leak into reg.
			if _, err := s.Append(ctx, other, Msg("x", 0, hour, "k")); err != nil {
				t.Fatalf("Append(other): %v", err)
			}
			seqs := map[string]uint64{}
			var last uint64
			for _, o := range tt.ops {
				if o.append != nil {
					seq, err := s.Append(ctx, reg, *o.append)
					if err != nil {
						t.Fatalf("append %s: %v", o.append.ID, err)
					}
					if seq <= last {
						t.Fatalf("append %s: sequence %d after %d", o.append.ID, seq, last)
					}
					seqs[o.append.ID], last = seq, seq
					continue
				}
				seq, ok := seqs[o.ack]
				if !ok {
					seq = 1 << 40 // never issued
				}
				if o.through {
					must(t, s.AckThrough(ctx, reg, seq, seq))
					continue
				}
				must(t, s.Ack(ctx, reg, seq))
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
		s := newStore(t, day)
		if _, err := s.Append(ctx, reg, Msg("1", 0, hour, "")); !errors.Is(err, hub.ErrUnregistered) {
			t.Errorf("Append = %v, want ErrUnregistered", err)
		}
		if _, err := s.Pending(ctx, reg, t0); !errors.Is(err, hub.ErrUnregistered) {
			t.Errorf("Pending = %v, want ErrUnregistered", err)
		}
		if _, err := s.Registration(ctx, reg); !errors.Is(err, hub.ErrUnregistered) {
			t.Errorf("Registration = %v, want ErrUnregistered", err)
		}
		if err := s.TouchRegistration(ctx, Reg(reg)); !errors.Is(err, hub.ErrUnregistered) {
			t.Errorf("TouchRegistration = %v, want ErrUnregistered", err)
		}
		if err := s.Ack(ctx, reg, 1); err != nil {
			t.Errorf("Ack = %v, want nil", err)
		}
		if err := s.AckThrough(ctx, reg, 1, 1); err != nil {
			t.Errorf("AckThrough = %v, want nil", err)
		}
	})

	t.Run("registration round trip and no second create", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t, day)
		must(t, s.CreateRegistration(ctx, Reg(reg)))
		must(t, s.TouchRegistration(ctx, Reg(reg)))
		got, err := s.Registration(ctx, reg)
		must(t, err)
		if got.ID != reg || got.SecretHash != Reg(reg).SecretHash || !got.CreatedAt.Equal(t0) {
			t.Errorf("registration = %+v, want %+v", got, Reg(reg))
		}
		if err := s.CreateRegistration(ctx, Reg(reg)); !errors.Is(err, hub.ErrRegistrationExists) {
			t.Errorf("second create = %v, want ErrRegistrationExists", err)
		}
	})

	t.Run("registration expires with its messages", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t, time.Second)
		must(t, s.CreateRegistration(ctx, Reg(reg)))
		_, err := s.Append(ctx, reg, Msg("1", 0, hour, ""))
		must(t, err)
		deadline := time.Now().Add(30 * time.Second)
		for {
			_, err := s.Registration(ctx, reg)
			if errors.Is(err, hub.ErrUnregistered) {
				break
			}
			must(t, err)
			if time.Now().After(deadline) {
				t.Fatal("registration never expired")
			}
			time.Sleep(50 * time.Millisecond) // polling a condition, not timing it
		}
		if _, err := s.Pending(ctx, reg, t0); !errors.Is(err, hub.ErrUnregistered) {
			t.Errorf("Pending after expiry = %v, want ErrUnregistered", err)
		}
		// The id can be issued again, starting empty.
		must(t, s.CreateRegistration(ctx, Reg(reg)))
		got, err := s.Pending(ctx, reg, t0)
		must(t, err)
		if len(got) != 0 {
			t.Errorf("pending of a re-created registration = %v, want none", messageIDs(got))
		}
	})

	t.Run("message fields round trip", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t, day)
		must(t, s.CreateRegistration(ctx, Reg(reg)))
		m := Msg("1", time.Second, hour, "k")
		seq, err := s.Append(ctx, reg, m)
		must(t, err)
		got, err := s.Pending(ctx, reg, t0)
		must(t, err)
		if len(got) != 1 || got[0].ID != m.ID || got[0].ConsolidationKey != m.ConsolidationKey ||
			!got[0].SentAt.Equal(m.SentAt) || !got[0].ExpiresAt.Equal(m.ExpiresAt) ||
			string(got[0].Frame) != string(m.Frame) || got[0].Seq != seq {
			t.Errorf("pending = %+v, want [%+v] with seq %d", got, m, seq)
		}
	})

	t.Run("subscribers get every append in order", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := newStore(t, day)
		type got struct {
			id  string
			msg string
			seq uint64
		}
		ch := make(chan got, 100)
		must(t, s.Subscribe(ctx, func(id string, m hub.Message) { ch <- got{id, m.ID, m.Seq} }))
		must(t, s.CreateRegistration(ctx, Reg(reg)))
		must(t, s.CreateRegistration(ctx, Reg(other)))
		var want []got
		for i, id := range []string{reg, other, reg, reg} {
			m := Msg(fmt.Sprint(i), 0, hour, "")
			seq, err := s.Append(ctx, id, m)
			must(t, err)
			want = append(want, got{id, m.ID, seq})
		}
		for _, w := range want {
			select {
			case g := <-ch:
				if g != w {
					t.Fatalf("delivered %+v, want %+v", g, w)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("%+v never delivered", w)
			}
		}
	})

	t.Run("concurrent appends reach subscribers in sequence order", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := newStore(t, day)
		const n = Limit // within the bound: a consumer may skip what the bound removed before it read it
		seqs := make(chan uint64, n)
		must(t, s.Subscribe(ctx, func(_ string, m hub.Message) { seqs <- m.Seq }))
		must(t, s.CreateRegistration(ctx, Reg(reg)))
		var appends sync.WaitGroup
		defer appends.Wait()
		for i := range n {
			appends.Go(func() {
				if _, err := s.Append(ctx, reg, Msg(fmt.Sprint(i), 0, hour, "")); err != nil {
					t.Error(err)
				}
			})
		}
		var last uint64
		for range n {
			select {
			case seq := <-seqs:
				if seq <= last {
					t.Fatalf("delivered sequence %d after %d", seq, last)
				}
				last = seq
			case <-time.After(30 * time.Second):
				t.Fatalf("an append never reached the subscriber (after %d)", last)
			}
		}
	})

	t.Run("concurrent appends and acks", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t, day)
		must(t, s.CreateRegistration(ctx, Reg(reg)))
		done := make(chan error)
		const n = 20
		for i := range n {
			go func() {
				seq, err := s.Append(ctx, reg, Msg(fmt.Sprint(i), 0, hour, ""))
				if err == nil {
					err = s.Ack(ctx, reg, seq)
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

	t.Run("concurrent appends, then one ack through the last", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t, day)
		must(t, s.CreateRegistration(ctx, Reg(reg)))
		seqs := make(chan uint64)
		const n = 20
		for i := range n {
			go func() {
				seq, err := s.Append(ctx, reg, Msg(fmt.Sprint(i), 0, hour, ""))
				if err != nil {
					t.Error(err)
				}
				seqs <- seq
			}()
		}
		var last uint64
		for range n {
			last = max(last, <-seqs)
		}
		must(t, s.AckThrough(ctx, reg, last, last))
		got, err := s.Pending(ctx, reg, t0)
		must(t, err)
		if len(got) != 0 {
			t.Errorf("pending = %v, want none", messageIDs(got))
		}
	})

	t.Run("idempotency keys", func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t, day)
		must(t, s.CreateRegistration(ctx, Reg(reg)))
		must(t, s.CreateRegistration(ctx, Reg(other)))
		keyed := func(id, key string) hub.Message {
			m := Msg(id, 0, hour, "")
			m.IdempotencyKey = key
			return m
		}
		steps := []struct {
			name    string
			reg     string
			m       hub.Message
			wantDup bool
		}{
			{"first copy", reg, keyed("1", "k1"), false},
			{"second copy: nothing stored, the first's sequence", reg, keyed("2", "k1"), true},
			{"another key", reg, keyed("3", "k2"), false},
			{"the same key for another device is its own", other, keyed("4", "k1"), false},
			{"no key is never a duplicate", reg, Msg("5", 0, hour, ""), false},
			{"no key again", reg, Msg("6", 0, hour, ""), false},
			{"after an ack the key is still remembered", reg, keyed("7", "k2"), true},
		}
		seqs := map[string]uint64{}
		for _, st := range steps {
			seq, err := s.Append(ctx, st.reg, st.m)
			if st.wantDup {
				if !errors.Is(err, hub.ErrDuplicate) {
					t.Fatalf("%s: err = %v, want ErrDuplicate", st.name, err)
				}
				if first := seqs[st.reg+"/"+st.m.IdempotencyKey]; seq != first {
					t.Errorf("%s: seq = %d, want the first copy's %d", st.name, seq, first)
				}
				continue
			}
			must(t, err)
			if st.m.IdempotencyKey != "" {
				seqs[st.reg+"/"+st.m.IdempotencyKey] = seq
			}
			if st.m.ID == "3" {
				must(t, s.Ack(ctx, reg, seq))
			}
		}
		got, err := s.Pending(ctx, reg, t0)
		must(t, err)
		if ids := messageIDs(got); !slices.Equal(ids, []string{"1", "5", "6"}) {
			t.Errorf("pending = %v, want [1 5 6]", ids)
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
