package e2e

import (
	"net/http"
	"sort"
	"testing"
	"time"
)

// BenchmarkVoiceToTV measures, on the real local stack, the time from
// POST /v1/say to the TV's state showing the change (tv-*), and to the
// skill's reply reaching the caller (reply-*), alternating "pause" and
// "play" (warm Lambda). The TV's state is polled while the utterance is in
// flight: the TV changes before the skill has saved its reply.
//
// "settled" waits, between commands, until the TV's state report for the
// last one has reached the Device API, as when a person speaks; in
// "back-to-back" the next command races the last one's state report and
// ChangeReport for the same two cores.
//
//	make build && LIVINGROOM_BIN=$PWD/bin go test -run '^$' -bench VoiceToTV -benchtime 1000x ./e2e/
func BenchmarkVoiceToTV(b *testing.B) {
	s := startStack(b)
	if status, _ := s.say(b, "watch The Handmaid's Tale"); status != http.StatusOK {
		b.Fatalf("watch: status %d", status)
	}
	s.waitState(b, time.Now(), "playing", func(st tvState) bool { return st.PlaybackState == "PLAYING" })
	for _, settle := range []bool{true, false} {
		name := "back-to-back"
		if settle {
			name = "settled"
		}
		b.Run(name, func(b *testing.B) { voiceToTV(b, s, settle) })
	}
}

func voiceToTV(b *testing.B, s *stack, settle bool) {
	steps := []struct{ utterance, state string }{{"pause", "PAUSED"}, {"play", "PLAYING"}}
	tv := make([]time.Duration, 0, b.N)
	reply := make([]time.Duration, 0, b.N)
	for i := 0; i < b.N; i++ {
		step := steps[i%2]
		if settle {
			b.StopTimer()
			s.waitReported(b, s.state(b))
			b.StartTimer()
		}
		began := time.Now()
		said := make(chan int, 1)
		go func() {
			status, _ := s.say(b, step.utterance)
			reply = append(reply, time.Since(began))
			said <- status
		}()
		tv = append(tv, s.waitState(b, began, step.state, func(st tvState) bool { return st.PlaybackState == step.state }))
		if status := <-said; status != http.StatusOK {
			b.Fatalf("%s: status %d", step.utterance, status)
		}
	}
	b.StopTimer()
	report := func(unit string, took []time.Duration) {
		sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
		pct := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000 }
		b.ReportMetric(pct(0.50), unit+"-p50-ms")
		b.ReportMetric(pct(0.99), unit+"-p99-ms")
	}
	report("tv", tv)
	report("reply", reply)
}
