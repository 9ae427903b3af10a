package hub_test

import (
	"testing"
	"time"

	"livingroom/device-push/hub"
	"livingroom/device-push/hub/hubtest"
)

func TestMemoryStore(t *testing.T) {
	hubtest.RunStoreSuite(t, func(_ *testing.T, ttl time.Duration) hub.Store {
		return hub.NewMemoryStore(hubtest.Limit, ttl, nil)
	})
}
