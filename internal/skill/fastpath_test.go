package skill_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"livingroom/internal/device"
	"livingroom/internal/skill"
)

// withDeviceCache gives the handler's device service a cache, as the
// skill's Lambda has.
func withDeviceCache(c *skill.Config) {
	c.Devices.(panicky).Devices.(*device.Service).WithCache(device.DefaultCacheTTL, device.DefaultCacheSize)
}

func spanNames(tl *skill.Timeline) []string {
	var names []string
	for _, s := range tl.Spans() {
		names = append(names, s.Name)
	}
	return names
}

// TestWarmDeviceCache: the second command to a TV in a warm Lambda reads no
// device record; its state is read beside the send; both reach the TV.
func TestWarmDeviceCache(t *testing.T) {
	h, notifier := newHandler(t, withDeviceCache)
	for i, want := range []struct{ has, lacks string }{
		{has: "device and state read", lacks: "state read"},
		{has: "state read", lacks: "device and state read"},
	} {
		raw := directive("Alexa.PlaybackController", "Pause", "warm-"+string(rune('a'+i)), "c", bearer("access-token-from-skill", "endpoint-001"), map[string]any{})
		tl := &skill.Timeline{}
		out, _ := h.Invoke(skill.WithTimeline(context.Background(), tl), raw)
		if !strings.Contains(string(out), `"name":"Response"`) {
			t.Fatalf("command %d: %s", i+1, out)
		}
		names := spanNames(tl)
		if !contains(names, want.has) || contains(names, want.lacks) {
			t.Errorf("command %d: timeline %v, want %q and not %q", i+1, names, want.has, want.lacks)
		}
	}
	if n := len(notifier.Sent()); n != 2 {
		t.Errorf("TV got %d actions, want 2", n)
	}
}

// TestWarmDeviceCacheTVOff: a cached TV that reported itself off still
// gets Alexa's "off" answer (the state read beside the send decides it).
func TestWarmDeviceCacheTVOff(t *testing.T) {
	h, _ := newHandler(t, withDeviceCache)
	for i := range 2 {
		raw := directive("Alexa.PlaybackController", "Pause", "off-"+string(rune('a'+i)), "c", bearer("access-token-from-skill", "tv-off"), map[string]any{})
		out, _ := h.Invoke(context.Background(), raw)
		if !strings.Contains(string(out), "NOT_IN_OPERATION") && !strings.Contains(string(out), "ENDPOINT_UNREACHABLE") {
			t.Fatalf("command %d to a TV that is off: %s", i+1, out)
		}
	}
}

// TestCopiesActOnce: copies of one directive running at once, in one warm
// Lambda or in two, name their send alike, so the TV acts once.
func TestCopiesActOnce(t *testing.T) {
	raw := directive("Alexa.PlaybackController", "Pause", "copies-1", "c", bearer("access-token-from-skill", "endpoint-001"), map[string]any{})
	h, notifier := newHandler(t)
	var wg sync.WaitGroup
	outs := make([]string, 4)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			b, _ := h.Invoke(ctx, raw)
			outs[i] = string(b)
		}()
	}
	wg.Wait()
	for i, o := range outs {
		if o != outs[0] {
			t.Errorf("copy %d answered differently:\n%s\n%s", i, o, outs[0])
		}
	}
	if n := len(notifier.Sent()); n != 1 {
		t.Fatalf("TV got %d actions, want 1", n)
	}
	// Another Lambda instance (its own stores) names the send alike.
	h2, notifier2 := newHandler(t)
	h2.Invoke(context.Background(), raw)
	a, b := notifier.Sent()[0].Action.ID, notifier2.Sent()[0].Action.ID
	if a != b || !strings.HasPrefix(a, "lr-") {
		t.Errorf("action ids %q and %q, want one lr- id", a, b)
	}
	// Another directive is another action.
	other := directive("Alexa.PlaybackController", "Pause", "copies-2", "c", bearer("access-token-from-skill", "endpoint-001"), map[string]any{})
	h.Invoke(context.Background(), other)
	if n := len(notifier.Sent()); n != 2 || notifier.Sent()[1].Action.ID == a {
		t.Errorf("a new directive: %d actions, ids %v", n, notifier.Sent())
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
