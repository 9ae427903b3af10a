// Package memtrim hands memory the Go heap keeps but no longer uses back to
// the operating system, so device-push's resident memory follows its live
// connections after a burst (a reconnect storm, a backlog replay).
//
// The runtime returns free heap at its own slow pace and collects only when
// the heap doubles, so after 10,000 devices connect device-push held 16.3 KB
// of RSS per idle connection at 30 s; checking every 5 s and releasing what
// a forced GC would free brought it to 9.5–10.6 KB (docs/BENCHMARKS.md).
// The cost is a forced GC at most once per interval, only when at least
// MinFree would be handed back and the GC has been (nearly) idle since the
// last check: under load the GC runs often by itself, and forcing more of
// it cost 6% more CPU per message.
package memtrim

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Defaults for Config.
const (
	DefaultEvery = 5 * time.Second
	// DefaultMinFree: less retained memory than this is not worth a GC.
	DefaultMinFree = 4 << 20
)

// The runtime metrics Check reads: heap memory that is free and still held
// from the operating system; memory of heap objects, garbage included; and
// the live heap as of the last GC. Free memory plus the garbage made since
// the last GC is what a forced GC and release would hand back: idle
// connections make garbage slowly (pings), so the GC's own pace lets it
// pile up for minutes.
const (
	freeMetric    = "/memory/classes/heap/free:bytes"
	objectsMetric = "/memory/classes/heap/objects:bytes"
	liveMetric    = "/gc/heap/live:bytes"
	cyclesMetric  = "/gc/cycles/total:gc-cycles"
)

// Config tunes a Trimmer. Zero values take the defaults; Retained and
// Release are the runtime's unless replaced (tests).
type Config struct {
	Every    time.Duration
	MinFree  uint64
	Retained func() uint64 // free heap held from the OS plus garbage since the last GC
	Release  func()        // hand them back
	Cycles   func() uint64 // GC cycles so far
}

// busyCycles: more GC cycles than this between two checks means the heap
// is busy, and the GC's own work will do.
const busyCycles = 2

func (c Config) withDefaults() Config {
	if c.Every <= 0 {
		c.Every = DefaultEvery
	}
	if c.MinFree == 0 {
		c.MinFree = DefaultMinFree
	}
	if c.Retained == nil {
		c.Retained = retained
	}
	if c.Release == nil {
		c.Release = debug.FreeOSMemory
	}
	if c.Cycles == nil {
		c.Cycles = cycles
	}
	return c
}

// Trimmer checks, now and then, whether to release memory.
type Trimmer struct {
	cfg        Config
	lastCycles uint64
}

// New returns a Trimmer for c.
func New(c Config) *Trimmer {
	c = c.withDefaults()
	return &Trimmer{cfg: c, lastCycles: c.Cycles()}
}

// Check releases retained memory if there is at least MinFree of it and the
// GC was idle since the last check, and reports whether it did.
func (t *Trimmer) Check() bool {
	n := t.cfg.Cycles()
	busy := n-t.lastCycles > busyCycles
	t.lastCycles = n
	if busy || t.cfg.Retained() < t.cfg.MinFree {
		return false
	}
	t.cfg.Release()
	t.lastCycles = t.cfg.Cycles() // the release's own GC is not load
	return true
}

// Run checks every interval until ctx ends.
func Run(ctx context.Context, c Config) {
	t := New(c)
	tick := time.NewTicker(t.cfg.Every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			t.Check()
		}
	}
}

func cycles() uint64 {
	s := []metrics.Sample{{Name: cyclesMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// retained is the free heap held from the OS plus the garbage made since
// the last GC.
func retained() uint64 {
	s := []metrics.Sample{{Name: freeMetric}, {Name: objectsMetric}, {Name: liveMetric}}
	metrics.Read(s)
	var v [3]uint64
	for i := range s {
		if s[i].Value.Kind() != metrics.KindUint64 {
			return 0 // a runtime without the metric: never trim
		}
		v[i] = s[i].Value.Uint64()
	}
	free, objects, live := v[0], v[1], v[2]
	if objects < live {
		return free
	}
	return free + objects - live
}
