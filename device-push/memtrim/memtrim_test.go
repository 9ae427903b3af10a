package memtrim

import (
	"context"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
		retained uint64
		minFree  uint64
		gcs      uint64 // GC cycles since the last check
		want     bool
	}{
		{"nothing retained", 0, 0, 0, false},
		{"below the default", DefaultMinFree - 1, 0, 0, false},
		{"at the default", DefaultMinFree, 0, 0, true},
		{"far above", 1 << 30, 0, 1, true},
		{"far above, GC busy", 1 << 30, 0, busyCycles + 1, false},
		{"far above, GC at the busy line", 1 << 30, 0, busyCycles, true},
		{"below a raised floor", 64 << 20, 128 << 20, 0, false},
		{"above a lowered floor", 2 << 20, 1 << 20, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			released := 0
			var gcs uint64 = 100
			tr := New(Config{MinFree: tt.minFree, Retained: func() uint64 { return tt.retained },
				Release: func() { released++; gcs++ }, Cycles: func() uint64 { return gcs }})
			gcs += tt.gcs
			if got := tr.Check(); got != tt.want || (released == 1) != tt.want {
				t.Errorf("Check() = %v with %d releases, want %v", got, released, tt.want)
			}
			// The release's own GC does not make the next check look busy.
			if tt.want && !tr.Check() {
				t.Error("the check after a release saw the release's GC as load")
			}
		})
	}
}

// TestRunStops: Run checks on its interval and returns when ctx ends.
func TestRunStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var checks atomic.Int32
	checked := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, Config{Every: time.Millisecond, Cycles: func() uint64 { return 0 }, Retained: func() uint64 {
			checks.Add(1)
			select {
			case checked <- struct{}{}:
			default:
			}
			return 0
		}})
	}()
	<-checked
	cancel()
	<-done
	if checks.Load() == 0 {
		t.Fatal("never checked")
	}
}

// TestMetricsExist: the runtime of this Go still publishes the metrics
// Check reads (a rename would silently disable trimming).
func TestMetricsExist(t *testing.T) {
	have := map[string]metrics.ValueKind{}
	for _, d := range metrics.All() {
		have[d.Name] = d.Kind
	}
	for _, name := range []string{freeMetric, objectsMetric, liveMetric, cyclesMetric} {
		if k, ok := have[name]; !ok || k != metrics.KindUint64 {
			t.Errorf("runtime metric %s: present %v, kind %v; want a uint64", name, ok, k)
		}
	}
}
