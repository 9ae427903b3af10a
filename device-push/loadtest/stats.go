package loadtest

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// Histogram is a lock-free log-linear latency histogram in microseconds:
// exact below 256 µs, then 128 sub-buckets per power of two (under 1 %
// error), up to about 36 minutes.
type Histogram struct {
	buckets [256 + 24*128]atomic.Uint64
	n       atomic.Uint64
	max     atomic.Uint64
}

func bucketOf(us uint64) int {
	if us < 256 {
		return int(us)
	}
	e := bits.Len64(us) - 8 // us >> e is in [128, 256)
	i := 256 + (e-1)*128 + int(us>>uint(e)) - 128
	if i >= 256+24*128 {
		return 256 + 24*128 - 1
	}
	return i
}

// bucketMid is the middle of bucket i, in microseconds.
func bucketMid(i int) uint64 {
	if i < 256 {
		return uint64(i)
	}
	e := (i-256)/128 + 1
	m := uint64((i-256)%128 + 128)
	return m<<uint(e) + (uint64(1)<<uint(e))/2
}

// Add records one latency.
func (h *Histogram) Add(d time.Duration) {
	us := uint64(max(d, 0) / time.Microsecond)
	h.buckets[bucketOf(us)].Add(1)
	h.n.Add(1)
	for {
		m := h.max.Load()
		if us <= m || h.max.CompareAndSwap(m, us) {
			return
		}
	}
}

// Count is the number of recorded latencies.
func (h *Histogram) Count() uint64 { return h.n.Load() }

// Quantile returns the q-quantile (0 < q ≤ 1); 0 when nothing was recorded.
func (h *Histogram) Quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	target := max(uint64(q*float64(n)+0.5), 1)
	var c uint64
	for i := range h.buckets {
		c += h.buckets[i].Load()
		if c >= target {
			return min(time.Duration(bucketMid(i)), time.Duration(h.max.Load())) * time.Microsecond
		}
	}
	return time.Duration(h.max.Load()) * time.Microsecond
}

// Max is the largest recorded latency.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) * time.Microsecond }

// seqSet is a growable-by-chunks bitset of message sequence numbers, safe
// for concurrent use, so that deliveries are counted once each however many
// times at-least-once delivery repeats them.
type seqSet struct {
	chunks [1 << 12]atomic.Pointer[[1 << 14]atomic.Uint64] // 4096 × 2^20 bits = 2^32 sequence numbers
}

// add marks seq and reports whether it was new.
func (s *seqSet) add(seq uint64) bool {
	ci, bit := seq>>20, seq&(1<<20-1)
	if ci >= uint64(len(s.chunks)) {
		return false
	}
	c := s.chunks[ci].Load()
	if c == nil {
		s.chunks[ci].CompareAndSwap(nil, new([1 << 14]atomic.Uint64))
		c = s.chunks[ci].Load()
	}
	w, m := &c[bit>>6], uint64(1)<<(bit&63)
	for {
		old := w.Load()
		if old&m != 0 {
			return false
		}
		if w.CompareAndSwap(old, old|m) {
			return true
		}
	}
}

// has reports whether seq was added.
func (s *seqSet) has(seq uint64) bool {
	ci, bit := seq>>20, seq&(1<<20-1)
	if ci >= uint64(len(s.chunks)) {
		return false
	}
	c := s.chunks[ci].Load()
	return c != nil && c[bit>>6].Load()&(uint64(1)<<(bit&63)) != 0
}
