package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

// BenchmarkVoiceToTV measures, on the real local stack, the time from
// POST /v1/say to the TV's state showing the change (tv-*), and to the
// skill's reply reaching the caller (reply-*), alternating "pause" and
// "play" (warm Lambda). The TV's change is seen on its event stream
// (GET /v1/events, as the TV page sees it), which tvapp-sim writes at every
// change: polling GET /v1/state every half millisecond would take CPU from
// the very path it measures on this two-core box (about 1 ms more at p50).
// The TV changes before the skill has saved its reply.
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
	events := s.stateEvents(b)
	defer events.close() // b.N runs call this again: one stream a run
	steps := []struct{ utterance, state string }{{"pause", "PAUSED"}, {"play", "PLAYING"}}
	tv := make([]time.Duration, 0, b.N)
	reply := make([]time.Duration, 0, b.N)
	traces := make([]string, b.N)
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
			status, r := s.say(b, step.utterance)
			reply = append(reply, time.Since(began))
			traces[i] = r.TraceID
			said <- status
		}()
		tv = append(tv, events.wait(b, began, step.state, func(st tvState) bool { return st.PlaybackState == step.state }))
		if status := <-said; status != http.StatusOK {
			b.Fatalf("%s: status %d", step.utterance, status)
		}
	}
	b.StopTimer()
	s.logSlowest(b, tv, traces, 3)
	report := func(unit string, took []time.Duration) {
		sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
		pct := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000 }
		b.ReportMetric(pct(0.50), unit+"-p50-ms")
		b.ReportMetric(pct(0.99), unit+"-p99-ms")
	}
	report("tv", tv)
	report("reply", reply)
}

// stateStream is the TV's event stream, decoded: each state it sends, with
// when it arrived.
type stateStream struct {
	states chan seenState
	close  context.CancelFunc
}

type seenState struct {
	at time.Time
	st tvState
}

// stateEvents opens the TV's event stream until close.
func (s *stack) stateEvents(tb testing.TB) *stateStream {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url("TVAPP_ADDR", "/v1/events"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		tb.Fatalf("events: status %d", resp.StatusCode)
	}
	ss := &stateStream{states: make(chan seenState, 1024), close: cancel}
	go func() {
		defer resp.Body.Close()
		defer close(ss.states)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			at := time.Now()
			var st tvState
			if json.Unmarshal([]byte(data), &st) != nil {
				continue
			}
			select {
			case ss.states <- seenState{at: at, st: st}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ss
}

// wait returns how long after since the TV first sent a state for which
// cond holds (states that arrived before since are skipped).
func (ss *stateStream) wait(tb testing.TB, since time.Time, what string, cond func(tvState) bool) time.Duration {
	tb.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		select {
		case e, ok := <-ss.states:
			if !ok {
				tb.Fatalf("TV event stream ended before %s", what)
			}
			if e.at.After(since) && cond(e.st) {
				return e.at.Sub(since)
			}
		case <-deadline.C:
			tb.Fatalf("TV never reached %s", what)
		}
	}
}

// logSlowest logs (go test -v) the hops of the n commands whose TV change
// took longest, from alexa-sim's traces: where a tail comes from.
func (s *stack) logSlowest(tb testing.TB, took []time.Duration, traces []string, n int) {
	idx := make([]int, len(took))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return took[idx[a]] > took[idx[b]] })
	for _, i := range idx[:min(n, len(idx))] {
		resp, err := http.Get(s.url("ALEXA_SIM_ADDR", "/v1/traces/"+traces[i]))
		if err != nil {
			continue
		}
		var t struct {
			Hops []struct {
				Name       string  `json:"name"`
				OffsetMs   float64 `json:"offsetMs"`
				DurationMs float64 `json:"durationMs"`
			} `json:"hops"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&t)
		resp.Body.Close()
		var b strings.Builder
		for _, h := range t.Hops {
			fmt.Fprintf(&b, "\n\t%7.2f +%6.2f ms  %s", h.OffsetMs, h.DurationMs, h.Name)
		}
		tb.Logf("command %d: TV after %.2f ms%s", i, float64(took[i].Microseconds())/1000, b.String())
	}
}
