package device

import (
	"errors"
	"sync"
	"time"
)

// Device cache defaults for a warm Lambda. The time is short: a device
// deregistered from an account can still be commanded by that account from
// a warm Lambda for up to this long (as a revoked token is honoured for the
// token cache's 30 s), and a re-registered TV is found by its new
// registration id no later than this.
const (
	DefaultCacheTTL  = 5 * time.Second
	DefaultCacheSize = 10000
)

// WithCache keeps the devices that Find and FindWithState read in memory for
// ttl (at most max of them), so a warm Lambda commands a TV it commanded a
// moment ago without reading its record again. Cached serves them; a send
// that cannot reach a cached device forgets it.
func (s *Service) WithCache(ttl time.Duration, max int) *Service {
	s.cache = &deviceCache{ttl: ttl, max: max, entries: map[[2]string]cachedDevice{}}
	return s
}

// Cached returns an account's device when it is in the cache, without any
// I/O. Without a cache it always reports false.
func (s *Service) Cached(accountID, endpointID string) (Device, bool) {
	if s.cache == nil {
		return Device{}, false
	}
	return s.cache.get(accountID, endpointID, s.now())
}

func (s *Service) remember(d Device) {
	if s.cache != nil {
		s.cache.put(d, s.now())
	}
}

// forgetUnreachable drops d from the cache after a send that could not reach
// it: its registration may have changed.
func (s *Service) forgetUnreachable(d Device, err error) {
	if s.cache != nil && errors.Is(err, ErrUnreachable) {
		s.cache.forget(d.AccountID, d.EndpointID)
	}
}

type cachedDevice struct {
	device Device
	until  time.Time
}

type deviceCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[[2]string]cachedDevice // (account, endpoint)
}

func (c *deviceCache) get(accountID, endpointID string, now time.Time) (Device, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := [2]string{accountID, endpointID}
	e, ok := c.entries[k]
	if !ok || !now.Before(e.until) {
		delete(c.entries, k)
		return Device{}, false
	}
	return e.device, true
}

func (c *deviceCache) put(d Device, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		// Full: drop what has lapsed, or everything if nothing has; a
		// bounded map without bookkeeping per read.
		for k, e := range c.entries {
			if !now.Before(e.until) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
	}
	c.entries[[2]string{d.AccountID, d.EndpointID}] = cachedDevice{device: d, until: now.Add(c.ttl)}
}

func (c *deviceCache) forget(accountID, endpointID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, [2]string{accountID, endpointID})
}
