package loadtest

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestHistogramQuantiles(t *testing.T) {
	var h Histogram
	for i := 1; i <= 1000; i++ {
		h.Add(time.Duration(i) * 10 * time.Microsecond) // 10 µs … 10 ms
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 5 * time.Millisecond}, {0.99, 9900 * time.Microsecond}, {1, 10 * time.Millisecond}} {
		got := h.Quantile(tc.q)
		if d := got - tc.want; d < -tc.want/50 || d > tc.want/50 {
			t.Errorf("q%.2f = %v, want %v ± 2%%", tc.q, got, tc.want)
		}
	}
}

func TestScanNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{`{"ts":123,"seq":4}`, 123, true},
		{`{"data":{"seq":"4","ts":"987"}}`, 987, true},
		{`{"ts":"x"}`, 0, false},
		{`{"tsx":1}`, 0, false},
		{``, 0, false},
	} {
		got, ok := scanNumber([]byte(tc.in), "ts")
		if got != tc.want || ok != tc.ok {
			t.Errorf("scanNumber(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPayloadSize(t *testing.T) {
	ts, seq, pad := payloadFields(Message{Seq: 42, SentAt: time.Unix(1, 0), Size: 128})
	if n := len("ts") + len(ts) + len("seq") + len(seq) + len("pad") + len(pad); n != 128 {
		t.Errorf("payload is %d bytes, want 128", n)
	}
}

func TestSeqSetCountsOnce(t *testing.T) {
	var s seqSet
	for _, q := range []uint64{1, 2, 1 << 21, 1} {
		s.add(q)
	}
	if !s.has(1<<21) || s.has(3) || s.add(2) {
		t.Error("seqSet lost or invented a member")
	}
}

func TestComparisonMarksBars(t *testing.T) {
	base := Summary{Target: "centrifugo", Idle: &IdleResult{KBPerConn: 58}, Phases: []PhaseResult{
		{Rate: 5000, P99Ms: 4}, {Rate: 10000, P99Ms: 4}, {Rate: 0, DeliveredPerS: 10000, ServerCPUPerMsMs: 0.08, Accepted: 5, Delivered: 5}}}
	dp := Summary{Target: "device-push", Idle: &IdleResult{KBPerConn: 9}, Phases: []PhaseResult{
		{Rate: 5000, P99Ms: 2}, {Rate: 10000, P99Ms: 3.5}, {Rate: 0, DeliveredPerS: 12000, ServerCPUPerMsMs: 0.04, Accepted: 7, Delivered: 6}}}
	var b bytes.Buffer
	WriteComparison(&b, base, dp)
	out := b.String()
	for _, want := range []string{
		"| 58.0 KB | 9.0 KB | ≤ 10 KB | met |",
		"| 10000 | 12000 (1.20×) | ≥ 1.3× | **not met** |",
		"| 0.080 ms | 0.040 ms | ≤ 0.05 ms | met |",
		"| 4.0 / 4.0 ms | 2.0 / 3.5 ms | < 3 ms | **not met** |",
		"| 5 / 5 | 7 / 6 | equal | **not met** |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("comparison lacks %q:\n%s", want, out)
		}
	}
}
