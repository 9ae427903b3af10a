// Package clocktest provides a settable clock for tests of code that takes
// `now func() time.Time`: time moves only when the test says so.
package clocktest

import (
	"sync/atomic"
	"time"
)

// Clock is a concurrency-safe manual clock.
type Clock struct{ ns atomic.Int64 }

// New returns a clock showing t.
func New(t time.Time) *Clock {
	c := &Clock{}
	c.ns.Store(t.UnixNano())
	return c
}

// Now returns the clock's time, in UTC.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }
