package device

import (
	"time"

	"livingroom/internal/ttlcache"
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
	s.cache = &deviceCache{ttl: ttl, entries: ttlcache.New[[2]string, Device](max)}
	return s
}

// Cached returns an account's device when it is in the cache, without any
// I/O. Without a cache it always reports false.
func (s *Service) Cached(accountID, endpointID string) (Device, bool) {
	if s.cache == nil {
		return Device{}, false
	}
	return s.cache.entries.Get([2]string{accountID, endpointID}, s.now())
}

func (s *Service) remember(d Device) {
	if s.cache != nil {
		now := s.now()
		s.cache.entries.Put([2]string{d.AccountID, d.EndpointID}, d, now.Add(s.cache.ttl), now)
	}
}

// forget drops a device from the cache: it was deregistered, or a send
// could not reach it (its registration may have changed).
func (s *Service) forget(accountID, endpointID string) {
	if s.cache != nil {
		s.cache.entries.Delete([2]string{accountID, endpointID})
	}
}

type deviceCache struct {
	ttl     time.Duration
	entries *ttlcache.Cache[[2]string, Device] // by (account, endpoint)
}
