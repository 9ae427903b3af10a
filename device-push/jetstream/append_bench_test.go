package jetstream_test

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"livingroom/device-push/hub/hubtest"
	"livingroom/device-push/jetstream"
	"livingroom/device-push/loadtest"
)

// BenchmarkAppendLive measures what persisting one accepted send costs: the
// append a send makes for a connected device, stored by the embedded
// JetStream, 8 senders at once over 5,000 devices as in the load tool.
// cpu-µs/op is the whole process's CPU (server and client) per append; it
// is the part of device-push's CPU per message that a server without
// persistence (Centrifugo's memory engine) does not spend. See
// docs/BENCHMARKS.md.
func BenchmarkAppendLive(b *testing.B) {
	for _, c := range []struct {
		name   string
		memory bool
	}{{"files", false}, {"memory", true}} {
		b.Run(c.name, func(b *testing.B) {
			cfg := jetstream.EmbeddedConfig{}
			if !c.memory {
				cfg.Dir = b.TempDir()
			}
			e := startServer(b, cfg)
			s := open(b, connect(b, e), jetstream.Config{Memory: c.memory, Exclusive: true})
			ids := make([]string, 5000)
			for i := range ids {
				ids[i] = "bench-" + strconv.Itoa(i)
			}
			m := hubtest.Msg("m", 0, time.Hour, "")
			// The size of a device frame with a 128 B payload.
			m.Frame = []byte(`{"type":"message","messageId":"` + strings.Repeat("x", 36) + `","data":{"p":"` + strings.Repeat("y", 128) + `"}}`)
			ctx := context.Background()
			var next atomic.Int64
			b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0))) // 8 senders
			cpu := loadtest.SelfCPU()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.AppendLive(ctx, ids[next.Add(1)%int64(len(ids))], m); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(loadtest.SelfCPU()-cpu)/1e3/float64(b.N), "cpu-µs/op")
		})
	}
}
