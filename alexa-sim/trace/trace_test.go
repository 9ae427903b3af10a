package trace

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"livingroom/internal/clocktest"
)

func TestStoreKeepsTheLastTraces(t *testing.T) {
	t.Parallel()
	clock := clocktest.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s := NewStore(clock.Now, 3)
	for i := range 5 {
		s.Begin(fmt.Sprint("t", i), "pause")
	}
	if _, ok := s.Get("t1"); ok {
		t.Error("t1 kept beyond the limit")
	}
	recent := s.Recent(10)
	if len(recent) != 3 || recent[0].ID != "t4" || recent[2].ID != "t2" {
		t.Errorf("recent %+v", recent)
	}
	if err := s.AddHops("t0", Hop{Name: "x", Process: "p", Start: clock.Now(), End: clock.Now()}); !errors.Is(err, ErrUnknown) {
		t.Errorf("evicted trace: %v", err)
	}
}

func TestLatestFor(t *testing.T) {
	t.Parallel()
	clock := clocktest.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s := NewStore(clock.Now, 10)
	s.Begin("a", "pause")
	s.Address("a", "tv-1", "m1")
	s.Begin("b", "play")
	s.Address("b", "tv-2", "m2")
	if id, ok := s.LatestFor("tv-1", time.Minute); !ok || id != "a" {
		t.Errorf("LatestFor(tv-1) = %q, %v", id, ok)
	}
	clock.Advance(2 * time.Minute)
	if _, ok := s.LatestFor("tv-1", time.Minute); ok {
		t.Error("an old trace was found")
	}
	if _, ok := s.LatestFor("", time.Hour); ok {
		t.Error("empty endpoint matched")
	}
}

func TestConcurrentHops(t *testing.T) {
	t.Parallel()
	clock := clocktest.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s := NewStore(clock.Now, 10)
	s.Begin("a", "pause")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				s.AddHops("a", Hop{Name: "x", Process: "p", Start: clock.Now(), End: clock.Now()})
				s.Get("a")
			}
		})
	}
	wg.Wait()
	if tr, _ := s.Get("a"); len(tr.Hops) != 80 {
		t.Errorf("%d hops", len(tr.Hops))
	}
}

func TestClientContext(t *testing.T) {
	t.Parallel()
	b, err := base64.StdEncoding.DecodeString(ClientContext("abc", "http://127.0.0.1:8300"))
	if err != nil {
		t.Fatal(err)
	}
	var cc struct{ Custom map[string]string }
	if err := json.Unmarshal(b, &cc); err != nil || cc.Custom[ContextTraceID] != "abc" || cc.Custom[ContextHopsURL] != "http://127.0.0.1:8300/v1/traces/abc/hops" {
		t.Errorf("%s", b)
	}
	if id := NewID(); len(id) != 32 || id == NewID() {
		t.Errorf("NewID %q", id)
	}
}
