package e2e

import (
	"net/http"
	"sort"
	"testing"
	"time"
)

// BenchmarkVoiceToTV measures, on the real local stack, the time from
// POST /v1/say to the TV's state showing the change, alternating "pause"
// and "play" (warm Lambda). It reports p50, p90 and p99 besides ns/op.
//
//	make build && LIVINGROOM_BIN=$PWD/bin go test -run '^$' -bench VoiceToTV -benchtime 200x ./e2e/
func BenchmarkVoiceToTV(b *testing.B) {
	s := startStack(b)
	if status, _ := s.say(b, "watch The Handmaid's Tale"); status != http.StatusOK {
		b.Fatalf("watch: status %d", status)
	}
	s.waitState(b, time.Now(), "playing", func(st tvState) bool { return st.PlaybackState == "PLAYING" })
	steps := []struct{ utterance, state string }{{"pause", "PAUSED"}, {"play", "PLAYING"}}
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step := steps[i%2]
		began := time.Now()
		if status, _ := s.say(b, step.utterance); status != http.StatusOK {
			b.Fatalf("%s: status %d", step.utterance, status)
		}
		took = append(took, s.waitState(b, began, step.state, func(st tvState) bool { return st.PlaybackState == step.state }))
	}
	b.StopTimer()
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	pct := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.90), "p90-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
