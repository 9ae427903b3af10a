package server

import (
	"math"
	"time"

	"golang.org/x/time/rate"
)

// Default sender rate: far above one skill's traffic and above what one
// node delivers, so only a runaway sender meets it.
const (
	DefaultRate  = 50_000 // messages per second
	DefaultBurst = 10_000
)

// senderLimit is the send rate allowed to the sender (device-push has one,
// ADM_CLIENT_ID): a token bucket refilled at Config.Rate per second.
type senderLimit struct {
	bucket *rate.Limiter // nil: unlimited
}

func newSenderLimit(perSecond float64, burst int) senderLimit {
	if perSecond <= 0 {
		return senderLimit{}
	}
	return senderLimit{bucket: rate.NewLimiter(rate.Limit(perSecond), max(burst, 1))}
}

// allow takes one send from the bucket, or says in how many whole seconds
// (at least 1, for Retry-After) one will be there.
func (l senderLimit) allow(now time.Time) (retryAfter int, ok bool) {
	if l.bucket == nil || l.bucket.AllowN(now, 1) {
		return 0, true
	}
	r := l.bucket.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	return max(1, int(math.Ceil(wait.Seconds()))), false
}
