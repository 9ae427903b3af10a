package ttlcache

import (
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 2, 18, 0, 0, 0, time.UTC)

func TestGet(t *testing.T) {
	tests := []struct {
		name   string
		until  time.Duration // entry's deadline after t0
		at     time.Duration // when it is read
		wantOK bool
	}{
		{"fresh", time.Second, 0, true},
		{"just before its deadline", time.Second, time.Second - time.Nanosecond, true},
		{"at its deadline", time.Second, time.Second, false},
		{"after", time.Second, time.Minute, false},
		{"already lapsed when put", -time.Second, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New[string, int](4)
			c.Put("k", 7, t0.Add(tt.until), t0)
			v, ok := c.Get("k", t0.Add(tt.at))
			if ok != tt.wantOK || (ok && v != 7) {
				t.Errorf("Get = %d, %v; want ok %v", v, ok, tt.wantOK)
			}
			if _, ok := c.Get("other", t0); ok {
				t.Error("an unknown key was found")
			}
		})
	}
}

func TestBounded(t *testing.T) {
	c := New[int, int](3)
	for i := range 10 {
		c.Put(i, i, t0.Add(time.Hour), t0)
		if c.Len() > 3 {
			t.Fatalf("after %d puts the cache holds %d entries, bound 3", i+1, c.Len())
		}
	}
	if v, ok := c.Get(9, t0); !ok || v != 9 {
		t.Errorf("the last put is gone: %d, %v", v, ok)
	}
	// Full of live entries plus lapsed ones: the lapsed go first.
	c = New[int, int](3)
	c.Put(1, 1, t0.Add(time.Second), t0)
	c.Put(2, 2, t0.Add(time.Hour), t0)
	c.Put(3, 3, t0.Add(time.Hour), t0)
	c.Put(4, 4, t0.Add(time.Hour), t0.Add(time.Minute))
	for _, k := range []int{2, 3, 4} {
		if _, ok := c.Get(k, t0.Add(time.Minute)); !ok {
			t.Errorf("live entry %d was dropped to make room", k)
		}
	}
}

func TestDelete(t *testing.T) {
	c := New[string, string](2)
	c.Put("a", "x", t0.Add(time.Hour), t0)
	c.Delete("a")
	c.Delete("never there")
	if _, ok := c.Get("a", t0); ok {
		t.Error("deleted entry found")
	}
}

func TestConcurrent(t *testing.T) {
	c := New[string, int](100)
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 1000 {
				k := fmt.Sprint(g, i%50)
				c.Put(k, i, t0.Add(time.Hour), t0)
				c.Get(k, t0)
				if i%7 == 0 {
					c.Delete(k)
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}
