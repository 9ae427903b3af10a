package loadtest

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Stream sends messages to devices 0..Devices-1 in turn from Senders
// concurrent workers, one HTTP request per message, and keeps count of what
// the server accepted. Sequence numbers run on across phases.
type Stream struct {
	Sender  Sender
	Senders int
	Devices int
	Size    int // payload bytes (128)

	seq                 atomic.Uint64
	accepted            seqSet
	acceptedN, refusedN atomic.Uint64
	firstErr            atomic.Value // string
}

// run sends until stop is closed: at rate messages/s, or as fast as the
// senders go when rate is 0. It returns when every request has finished.
func (s *Stream) run(ctx context.Context, rate int, stop <-chan struct{}) {
	jobs := make(chan struct{}, s.Senders*4)
	var wg sync.WaitGroup
	for range s.Senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if rate > 0 {
					if _, ok := <-jobs; !ok {
						return
					}
				} else {
					select {
					case <-stop:
						return
					default:
					}
				}
				s.sendOne(ctx)
			}
		}()
	}
	if rate > 0 {
		// Open loop: every millisecond issue what is due since the start.
		tick := time.NewTicker(time.Millisecond)
		start, issued := time.Now(), 0
	pace:
		for {
			select {
			case <-stop:
				break pace
			case <-tick.C:
			}
			for due := int(float64(rate)*time.Since(start).Seconds()) - issued; due > 0; due-- {
				select {
				case jobs <- struct{}{}:
					issued++
				case <-stop:
					break pace
				}
			}
		}
		tick.Stop()
		close(jobs)
	}
	wg.Wait()
}

func (s *Stream) sendOne(ctx context.Context) {
	seq := s.seq.Add(1)
	m := Message{Device: int(seq % uint64(s.Devices)), Seq: seq, SentAt: time.Now(), Size: s.Size}
	rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	err := s.Sender.Send(rctx, m)
	cancel()
	if err != nil {
		s.refusedN.Add(1)
		s.firstErr.CompareAndSwap(nil, err.Error())
		return
	}
	s.accepted.add(seq)
	s.acceptedN.Add(1)
}

// missing counts messages numbered from..to (inclusive) that the server
// accepted and p has not seen delivered.
func (s *Stream) missing(p *Pool, from, to uint64) uint64 {
	var n uint64
	for q := from; q <= to; q++ {
		if s.accepted.has(q) && !p.Delivered(q) {
			n++
		}
	}
	return n
}

// PhaseConfig is one measured send phase.
type PhaseConfig struct {
	Rate     int           // messages/s; 0: as fast as the senders go
	Warmup   time.Duration // sent but not measured
	Duration time.Duration // the measured window
	Drain    time.Duration // longest wait for the last deliveries
}

// PhaseResult is what one phase measured. Latencies are from the start of
// the send request to the device reading the push, for messages sent in the
// window; CPU figures are over the window.
type PhaseResult struct {
	Rate             int     `json:"rate"` // target msgs/s, 0 = max
	WindowS          float64 `json:"windowS"`
	AcceptedPerS     float64 `json:"acceptedPerS"`
	DeliveredPerS    float64 `json:"deliveredPerS"`
	Accepted         uint64  `json:"accepted"`
	Refused          uint64  `json:"refused"`
	Delivered        uint64  `json:"delivered"`
	Undelivered      uint64  `json:"undelivered"`
	Duplicates       uint64  `json:"duplicates"`
	FirstError       string  `json:"firstError,omitempty"`
	LatencyN         uint64  `json:"latencyN"`
	P50Ms            float64 `json:"p50Ms"`
	P90Ms            float64 `json:"p90Ms"`
	P99Ms            float64 `json:"p99Ms"`
	MaxMs            float64 `json:"maxMs"`
	ServerCores      float64 `json:"serverCores"`
	ServerCPUPerMsMs float64 `json:"serverCpuPerMsgMs"`
	ToolCores        float64 `json:"toolCores"`
	ServerRSSKB      int64   `json:"serverRssKB"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Phase runs one send phase against the devices of p.
func (s *Stream) Phase(ctx context.Context, p *Pool, srv Servers, cfg PhaseConfig, tick func(done, total time.Duration)) PhaseResult {
	first := s.seq.Load() + 1
	acc0, ref0, dup0 := s.acceptedN.Load(), s.refusedN.Load(), p.dupes.Load()
	stop := make(chan struct{})
	sent := make(chan struct{})
	go func() { s.run(ctx, cfg.Rate, stop); close(sent) }()

	wait(ctx, cfg.Warmup, tick)
	w := &window{from: time.Now().UnixNano()}
	w.to.Store(math.MaxInt64)
	p.win.Store(w)
	a0, d0 := s.acceptedN.Load(), p.unique.Load()
	cpu0, _ := srv.CPU()
	self0 := SelfCPU()
	t0 := time.Now()
	wait(ctx, cfg.Duration, tick)
	el := time.Since(t0)
	a1, d1 := s.acceptedN.Load(), p.unique.Load()
	cpu1, _ := srv.CPU()
	self1 := SelfCPU()
	w.to.Store(time.Now().UnixNano()) // latencies of messages sent after this are not counted
	rss, _ := srv.RSS()
	close(stop)
	<-sent
	last := s.seq.Load()

	// Drain: wait until every accepted message arrived, or the bound.
	deadline := time.Now().Add(cfg.Drain)
	for time.Now().Before(deadline) && ctx.Err() == nil && s.missing(p, first, last) > 0 {
		time.Sleep(50 * time.Millisecond)
	}
	p.win.Store(nil)
	r := PhaseResult{
		Rate:          cfg.Rate,
		WindowS:       el.Seconds(),
		AcceptedPerS:  float64(a1-a0) / el.Seconds(),
		DeliveredPerS: float64(d1-d0) / el.Seconds(),
		Accepted:      s.acceptedN.Load() - acc0,
		Refused:       s.refusedN.Load() - ref0,
		Undelivered:   s.missing(p, first, last),
		Duplicates:    p.dupes.Load() - dup0,
		LatencyN:      w.hist.Count(),
		P50Ms:         ms(w.hist.Quantile(0.50)),
		P90Ms:         ms(w.hist.Quantile(0.90)),
		P99Ms:         ms(w.hist.Quantile(0.99)),
		MaxMs:         ms(w.hist.Max()),
		ServerCores:   (cpu1 - cpu0).Seconds() / el.Seconds(),
		ToolCores:     (self1 - self0).Seconds() / el.Seconds(),
		ServerRSSKB:   rss / 1024,
	}
	r.Delivered = r.Accepted - r.Undelivered
	if d1 > d0 && len(srv.PIDs) > 0 {
		r.ServerCPUPerMsMs = ms(cpu1-cpu0) / float64(d1-d0)
	}
	if e, ok := s.firstErr.Load().(string); ok && r.Refused > 0 {
		r.FirstError = e
	}
	return r
}

// wait sleeps d (or until ctx ends), calling tick every 250 ms with the
// time waited so far.
func wait(ctx context.Context, d time.Duration, tick func(done, total time.Duration)) {
	start := time.Now()
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	end := time.NewTimer(d)
	defer end.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-end.C:
			if tick != nil {
				tick(d, d)
			}
			return
		case <-t.C:
			if tick != nil {
				tick(time.Since(start), d)
			}
		}
	}
}

// IdleResult is the memory the server holds for idle devices: its RSS after
// the devices stayed connected for Hold, less its RSS before they came.
type IdleResult struct {
	Devices      int     `json:"devices"`
	Connected    int64   `json:"connected"`
	Failed       int64   `json:"failedDials"`
	ConnectS     float64 `json:"connectS"`
	HoldS        float64 `json:"holdS"`
	BaseRSSKB    int64   `json:"baseRssKB"`
	RSSKB        int64   `json:"rssKB"`
	KBPerConn    float64 `json:"kbPerConn"`
	IdleCores    float64 `json:"serverCoresIdle"`
	LastError    string  `json:"lastError,omitempty"`
	ServerCount  int     `json:"servers"`
	ProcessCount int     `json:"processes"`
}

// Idle connects n devices, holds them for hold and measures the servers.
func Idle(ctx context.Context, p *Pool, srv Servers, n, conc int, hold time.Duration, progress func(), tick func(done, total time.Duration)) (IdleResult, error) {
	base, err := srv.RSS()
	if err != nil && len(srv.PIDs) > 0 {
		return IdleResult{}, err
	}
	t0 := time.Now()
	if err := p.Connect(ctx, 0, n, conc, progress); err != nil {
		return IdleResult{}, err
	}
	took := time.Since(t0)
	cpu0, _ := srv.CPU()
	h0 := time.Now()
	wait(ctx, hold, tick)
	cpu1, _ := srv.CPU()
	rss, _ := srv.RSS()
	c := p.Counts()
	r := IdleResult{
		Devices: n, Connected: c.Connected, Failed: c.Failed, ConnectS: took.Seconds(), HoldS: time.Since(h0).Seconds(),
		BaseRSSKB: base / 1024, RSSKB: rss / 1024, IdleCores: (cpu1 - cpu0).Seconds() / time.Since(h0).Seconds(),
		LastError: c.LastError, ServerCount: len(srv.PIDs), ProcessCount: 1,
	}
	if c.Connected > 0 {
		r.KBPerConn = float64(rss-base) / 1024 / float64(c.Connected)
	}
	return r, ctx.Err()
}
