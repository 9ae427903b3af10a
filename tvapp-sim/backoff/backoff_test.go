package backoff

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestDelay(t *testing.T) {
	t.Parallel()
	maxJitter := func(n int64) int64 { return n - 1 }
	cases := []struct {
		name    string
		policy  Policy
		attempt int
		want    time.Duration
	}{
		{"first attempt uses base", Policy{Base: 100 * time.Millisecond, Cap: 5 * time.Second, Jitter: maxJitter}, 0, 100 * time.Millisecond},
		{"doubles", Policy{Base: 100 * time.Millisecond, Cap: 5 * time.Second, Jitter: maxJitter}, 3, 800 * time.Millisecond},
		{"capped", Policy{Base: 100 * time.Millisecond, Cap: 5 * time.Second, Jitter: maxJitter}, 10, 5 * time.Second},
		{"huge attempt does not overflow", Policy{Base: 100 * time.Millisecond, Cap: 5 * time.Second, Jitter: maxJitter}, 1000, 5 * time.Second},
		{"zero value defaults", Policy{Jitter: maxJitter}, 100, 5 * time.Second},
		{"full jitter can be zero", Policy{Jitter: func(int64) int64 { return 0 }}, 4, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.policy.Delay(tc.attempt); got != tc.want {
				t.Fatalf("Delay(%d) = %v, want %v", tc.attempt, got, tc.want)
			}
		})
	}
}

func TestDelayDefaultJitterInRange(t *testing.T) {
	t.Parallel()
	p := Policy{Base: time.Millisecond, Cap: 8 * time.Millisecond}
	for attempt := range 10 {
		for range 50 {
			if d := p.Delay(attempt); d < 0 || d > 8*time.Millisecond {
				t.Fatalf("Delay(%d) = %v out of [0, 8ms]", attempt, d)
			}
		}
	}
}

func TestWaitStopsOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Wait(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want context.Canceled", err)
	}
	if err := Wait(context.Background(), 0); err != nil {
		t.Fatalf("Wait(0) = %v", err)
	}
}
