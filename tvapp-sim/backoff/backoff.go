// Package backoff computes retry delays: exponential growth capped at a
// maximum, with full jitter (a uniformly random delay between zero and the
// exponential ceiling), as recommended for clients that reconnect in herds.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Policy describes the delays. The zero value is usable: it backs off from
// 100 ms up to 5 s with random jitter.
type Policy struct {
	Base time.Duration // ceiling of the first delay; 100 ms when zero
	Cap  time.Duration // largest ceiling; 5 s when zero
	// Jitter returns a number in [0, n). rand.Int64N when nil; tests
	// inject a deterministic function.
	Jitter func(n int64) int64
}

// Delay returns how long to wait before retry number attempt (0-based).
func (p Policy) Delay(attempt int) time.Duration {
	base, ceiling := p.Base, p.Cap
	if base <= 0 {
		base = 100 * time.Millisecond
	}
	if ceiling <= 0 {
		ceiling = 5 * time.Second
	}
	d := base
	for i := 0; i < attempt && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	jitter := p.Jitter
	if jitter == nil {
		jitter = rand.Int64N
	}
	return time.Duration(jitter(int64(d) + 1))
}

// Wait blocks for d or until ctx is done, whichever comes first, and returns
// ctx's error in the latter case.
func Wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
