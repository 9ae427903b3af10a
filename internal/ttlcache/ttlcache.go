// Package ttlcache is a bounded in-memory map whose entries lapse: what a
// warm Lambda keeps between invocations (authenticated tokens, devices) to
// skip a store read. It does no I/O and reads no clock: callers pass the
// time, so tests are exact.
package ttlcache

import (
	"sync"
	"time"
)

// Cache maps K to V until each entry's own deadline, holding a bounded
// number of entries. It is safe for concurrent use.
type Cache[K comparable, V any] struct {
	mu      sync.Mutex
	max     int
	entries map[K]entry[V]
}

type entry[V any] struct {
	value V
	until time.Time
}

// New returns an empty cache of at most size entries (at least 1).
func New[K comparable, V any](size int) *Cache[K, V] {
	return &Cache[K, V]{max: max(size, 1), entries: make(map[K]entry[V])}
}

// Get returns k's value if it has not lapsed at now; a lapsed entry is
// dropped.
func (c *Cache[K, V]) Get(k K, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || !now.Before(e.until) {
		delete(c.entries, k)
		var zero V
		return zero, false
	}
	return e.value, true
}

// Put keeps v for k until until. When the cache is full it first drops the
// entries lapsed at now, or all of them if none has: a bound without
// bookkeeping on every read.
func (c *Cache[K, V]) Put(k K, v V, until, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for key, e := range c.entries {
			if !now.Before(e.until) {
				delete(c.entries, key)
			}
		}
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
	}
	c.entries[k] = entry[V]{value: v, until: until}
}

// Delete drops k.
func (c *Cache[K, V]) Delete(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, k)
}

// Len is how many entries are held, lapsed ones included.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
