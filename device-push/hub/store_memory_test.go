package hub_test

import (
	"testing"

	"livingroom/device-push/hub"
	"livingroom/device-push/hub/hubtest"
)

func TestMemoryStore(t *testing.T) {
	hubtest.RunStoreSuite(t, func(*testing.T) hub.Store { return hub.NewMemoryStore(hubtest.Limit) })
}
