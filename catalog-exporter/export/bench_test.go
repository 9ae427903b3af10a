package export_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"livingroom/catalog-exporter/dirsink"
	"livingroom/catalog-exporter/export"
	"livingroom/catalog-exporter/source"
)

var benchWorks = flag.Int("bench.works", 0, "also benchmark a catalog of this many works, e.g. 1000000")

// BenchmarkExport exports synthetic catalogs of growing size to a temp dir
// and reports the heap high-water marks, to show that memory stays flat:
//
//	go test -run '^$' -bench Export -benchtime 3x ./catalog-exporter/export
//
// peak-heap-B is the largest heap (live objects and garbage not yet
// collected) seen while exporting; peak-live-B the largest heap still live
// after a collection, which is what the exporter actually keeps. Add
// -bench.works=1000000 for a million works.
func BenchmarkExport(b *testing.B) {
	sizes := []int{1_000, 10_000, 100_000}
	if *benchWorks > 0 {
		sizes = append(sizes, *benchWorks)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("works=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			sink, err := dirsink.New(dir)
			if err != nil {
				b.Fatal(err)
			}
			e := export.Exporter{Now: time.Now, Sink: sink, StateDir: filepath.Join(dir, ".state")}
			var peak heapPeaks
			var fileBytes int64
			var before, after runtime.MemStats
			b.ReportAllocs()
			runtime.ReadMemStats(&before)
			for b.Loop() {
				runtime.GC() // start every run from the same heap
				stop := peak.watch()
				os.RemoveAll(e.StateDir) // a full export every time
				sum, err := e.Export(context.Background(), source.Synthetic{Works: n, Seed: 1})
				stop()
				if err != nil {
					b.Fatal(err)
				}
				fileBytes = sum.Files[0].Bytes + sum.Files[1].Bytes
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(peak.heap), "peak-heap-B")
			b.ReportMetric(float64(peak.live), "peak-live-B")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(n), "alloc-B/work")
			b.ReportMetric(float64(fileBytes), "file-B")
		})
	}
}

// heapPeaks samples the runtime's heap metrics while an export runs.
type heapPeaks struct{ heap, live uint64 }

func (p *heapPeaks) watch() (stop func()) {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	sample := func() {
		metrics.Read(samples)
		p.heap = max(p.heap, samples[0].Value.Uint64())
		p.live = max(p.live, samples[1].Value.Uint64())
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		sample()
	}
}
