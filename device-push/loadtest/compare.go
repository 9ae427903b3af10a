package loadtest

import (
	"fmt"
	"io"
)

// The bars device-push is held to (issue 7), against the baseline server
// measured in the same run.
const (
	BarKBPerConn      = 10.0 // server RSS per idle connection, at most
	BarThroughputX    = 1.3  // sustained msgs/s, at least this times the baseline's
	BarCPUPerMsgMs    = 0.05 // server CPU per delivered message, at most
	BarP99Ms          = 3.0  // p99 send→delivery at 5k/s and 10k/s, under
	barRateLow        = 5000
	barRateHigh       = 10000
	sustainedRateMode = 0 // the max-rate phase
)

func phase(s Summary, rate int) *PhaseResult {
	for i := range s.Phases {
		if s.Phases[i].Rate == rate {
			return &s.Phases[i]
		}
	}
	return nil
}

func yesNo(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

// WriteComparison writes the bars as a Markdown table: base (Centrifugo)
// against dp (device-push), both from one side-by-side run.
func WriteComparison(w io.Writer, base, dp Summary) {
	fmt.Fprintf(w, "| | %s | %s | bar | |\n|---|---|---|---|---|\n", base.Target, dp.Target)
	if base.Idle != nil && dp.Idle != nil {
		fmt.Fprintf(w, "| server RSS per idle connection (%d devices, %.0f s) | %.1f KB | %.1f KB | ≤ %.0f KB | %s |\n",
			dp.Idle.Connected, dp.Idle.HoldS, base.Idle.KBPerConn, dp.Idle.KBPerConn, BarKBPerConn, yesNo(dp.Idle.KBPerConn <= BarKBPerConn))
	}
	if b, d := phase(base, sustainedRateMode), phase(dp, sustainedRateMode); b != nil && d != nil {
		fmt.Fprintf(w, "| sustained messages/s (max rate, delivered) | %.0f | %.0f (%.2f×) | ≥ %.1f× | %s |\n",
			b.DeliveredPerS, d.DeliveredPerS, d.DeliveredPerS/b.DeliveredPerS, BarThroughputX, yesNo(d.DeliveredPerS >= BarThroughputX*b.DeliveredPerS))
		fmt.Fprintf(w, "| server CPU per delivered message (max rate) | %.3f ms | %.3f ms | ≤ %.2f ms | %s |\n",
			b.ServerCPUPerMsMs, d.ServerCPUPerMsMs, BarCPUPerMsgMs, yesNo(d.ServerCPUPerMsMs > 0 && d.ServerCPUPerMsMs <= BarCPUPerMsgMs))
	}
	bl, dl := phase(base, barRateLow), phase(dp, barRateLow)
	bh, dh := phase(base, barRateHigh), phase(dp, barRateHigh)
	if bl != nil && dl != nil && bh != nil && dh != nil {
		fmt.Fprintf(w, "| p99 delivery at 5k/s and 10k/s | %.1f / %.1f ms | %.1f / %.1f ms | < %.0f ms | %s |\n",
			bl.P99Ms, bh.P99Ms, dl.P99Ms, dh.P99Ms, BarP99Ms, yesNo(dl.P99Ms < BarP99Ms && dh.P99Ms < BarP99Ms))
		fmt.Fprintf(w, "| achieved rate at 5k/s and 10k/s (accepted) | %.0f / %.0f | %.0f / %.0f | | |\n",
			bl.AcceptedPerS, bh.AcceptedPerS, dl.AcceptedPerS, dh.AcceptedPerS)
	}
	var ba, bd, da, dd uint64
	for _, p := range base.Phases {
		ba, bd = ba+p.Accepted, bd+p.Delivered
	}
	for _, p := range dp.Phases {
		da, dd = da+p.Accepted, dd+p.Delivered
	}
	fmt.Fprintf(w, "| accepted / delivered (all phases) | %d / %d | %d / %d | equal | %s |\n", ba, bd, da, dd, yesNo(da == dd))
}
