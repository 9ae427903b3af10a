package loadtest

import (
	"context"
	"fmt"
	"time"
)

// FaultConfig is a steady send stream while devices drop their connections
// at random (and reconnect) and, optionally, one node is killed with
// SIGKILL and restarted.
type FaultConfig struct {
	Target       Target
	Nodes        *Nodes // needed for the kill; nil: no kill
	Pool         PoolConfig
	Devices      int
	DialConc     int
	Senders      int
	Size         int
	Rate         int           // msgs/s
	Duration     time.Duration // of the send stream
	DisruptEvery time.Duration // how often DisruptCount random devices drop
	DisruptCount int
	KillAt       time.Duration // into the stream; 0: no kill
	KillNode     int
	RestartAfter time.Duration // the killed node is down this long
	Drain        time.Duration // longest wait for deliveries after the stream
	Progress     Progress
}

// FaultResult counts what the server accepted (answered 200) against what
// reached the devices, each message counted once however often it came.
type FaultResult struct {
	Devices     int     `json:"devices"`
	Nodes       int     `json:"nodes"`
	Rate        int     `json:"rate"`
	StreamS     float64 `json:"streamS"`
	Accepted    uint64  `json:"accepted"`
	Refused     uint64  `json:"refused"`
	Delivered   uint64  `json:"delivered"`
	Undelivered uint64  `json:"undelivered"`
	Duplicates  uint64  `json:"duplicates"`
	Disrupted   int     `json:"disruptedConnections"`
	Reconnects  int64   `json:"reconnects"`
	Killed      bool    `json:"nodeKilled"`
	DrainS      float64 `json:"drainS"`
	FirstError  string  `json:"firstSendError,omitempty"`
	LastError   string  `json:"lastDeviceError,omitempty"`
}

// Fault runs cfg.
func Fault(ctx context.Context, cfg FaultConfig) (FaultResult, error) {
	prog := cfg.Progress
	if prog == nil {
		prog = noProgress{}
	}
	res := FaultResult{Devices: cfg.Devices, Rate: cfg.Rate}
	if cfg.Nodes != nil {
		res.Nodes = len(cfg.Nodes.ports)
	}
	cfg.Pool.Reconnect = true
	p := NewPool(cfg.Target.Device(), cfg.Pool)
	defer p.Close()
	var n int64
	set := prog.Step("connect", int64(cfg.Devices))
	if err := p.Connect(ctx, 0, cfg.Devices, cfg.DialConc, serial(func() { n++; set(n) })); err != nil {
		return res, err
	}
	if c := p.Counts(); c.Connected < int64(cfg.Devices) {
		return res, fmt.Errorf("connected %d of %d devices (last error: %s)", c.Connected, cfg.Devices, c.LastError)
	}
	sender, err := cfg.Target.Sender(cfg.Senders)
	if err != nil {
		return res, err
	}
	st := &Stream{Sender: sender, Senders: cfg.Senders, Devices: cfg.Devices, Size: cfg.Size}
	stop := make(chan struct{})
	sent := make(chan struct{})
	go func() { st.run(ctx, cfg.Rate, stop); close(sent) }()

	start := time.Now()
	disrupt := time.NewTicker(max(cfg.DisruptEvery, time.Millisecond))
	defer disrupt.Stop()
	if cfg.DisruptEvery <= 0 {
		disrupt.Stop()
	}
	var kill <-chan time.Time
	if cfg.KillAt > 0 && cfg.Nodes != nil {
		kill = time.After(cfg.KillAt)
	}
	end := time.After(cfg.Duration)
	tick := holdTick(prog, "fault stream")
	progressTick := time.NewTicker(250 * time.Millisecond)
	defer progressTick.Stop()
	restarted := make(chan error, 1)
stream:
	for {
		select {
		case <-ctx.Done():
			break stream
		case <-end:
			break stream
		case <-progressTick.C:
			tick(time.Since(start), cfg.Duration)
		case <-disrupt.C:
			res.Disrupted += p.Disrupt(cfg.DisruptCount)
		case <-kill:
			if err := cfg.Nodes.Kill(cfg.KillNode); err != nil {
				return res, err
			}
			res.Killed = true
			go func() {
				time.Sleep(cfg.RestartAfter)
				restarted <- cfg.Nodes.Start(ctx, cfg.KillNode)
			}()
		}
	}
	close(stop)
	<-sent
	res.StreamS = time.Since(start).Seconds()
	if res.Killed {
		if err := <-restarted; err != nil {
			return res, fmt.Errorf("restart the killed node: %w", err)
		}
	}
	last := st.seq.Load()
	d0 := time.Now()
	for time.Since(d0) < cfg.Drain && ctx.Err() == nil && st.missing(p, 1, last) > 0 {
		time.Sleep(100 * time.Millisecond)
	}
	res.DrainS = time.Since(d0).Seconds()
	c := p.Counts()
	res.Accepted, res.Refused = st.acceptedN.Load(), st.refusedN.Load()
	res.Undelivered = st.missing(p, 1, last)
	res.Delivered = res.Accepted - res.Undelivered
	res.Duplicates, res.Reconnects, res.LastError = c.Duplicates, c.Reconnects, c.LastError
	if e, ok := st.firstErr.Load().(string); ok {
		res.FirstError = e
	}
	return res, ctx.Err()
}
