package idempotency_test

import (
	"testing"

	"livingroom/internal/idempotency"
	"livingroom/internal/idempotency/idempotencytest"
)

func TestFakeStoreContract(t *testing.T) {
	idempotencytest.RunStoreSuite(t, func(t *testing.T) idempotency.Store { return idempotencytest.NewStore() })
}

func TestKeySeparatesCredentials(t *testing.T) {
	cases := []struct {
		name string
		a, b string
	}{
		{"other token", idempotency.Key("m1", "token-a", "tv"), idempotency.Key("m1", "token-b", "tv")},
		{"other endpoint", idempotency.Key("m1", "token-a", "tv-1"), idempotency.Key("m1", "token-a", "tv-2")},
		{"parts not concatenated", idempotency.Key("m1", "ab", "c"), idempotency.Key("m1", "a", "bc")},
		{"other message", idempotency.Key("m1", "t"), idempotency.Key("m2", "t")},
	}
	for _, c := range cases {
		if c.a == c.b {
			t.Errorf("%s: keys collide", c.name)
		}
	}
	if idempotency.Key("m1", "t", "e") != idempotency.Key("m1", "t", "e") {
		t.Error("key is not deterministic")
	}
}
