package loadtest

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Progress shows how far a long step is. Step starts a step of total units
// and returns the function that reports units done so far.
type Progress interface {
	Step(desc string, total int64) func(done int64)
}

type noProgress struct{}

func (noProgress) Step(string, int64) func(int64) { return func(int64) {} }

// BenchConfig is one run against one server: connect the devices, measure
// them idle, then run the send phases over the same connections.
type BenchConfig struct {
	TargetName string
	Target     Target
	Servers    Servers
	Pool       PoolConfig
	Devices    int
	DialConc   int
	Hold       time.Duration // idle hold before reading RSS; 0 skips the idle figure
	Senders    int
	Size       int
	Phases     []PhaseConfig
	Settle     time.Duration // pause between phases
	Progress   Progress
}

// Summary is a run's machine-readable result.
type Summary struct {
	Target  string        `json:"target"`
	Started time.Time     `json:"started"`
	Devices int           `json:"devices"`
	Senders int           `json:"senders"`
	Size    int           `json:"payloadBytes"`
	Idle    *IdleResult   `json:"idle,omitempty"`
	Phases  []PhaseResult `json:"phases"`
	Pool    Counts        `json:"pool"`
}

// Bench runs cfg.
func Bench(ctx context.Context, cfg BenchConfig) (Summary, error) {
	if cfg.Devices < 1 || cfg.Devices > MaxDevicesPerProcess {
		return Summary{}, fmt.Errorf("devices must be 1..%d in one process (use the fleet command for more)", MaxDevicesPerProcess)
	}
	prog := cfg.Progress
	if prog == nil {
		prog = noProgress{}
	}
	sum := Summary{Target: cfg.TargetName, Started: time.Now().UTC(), Devices: cfg.Devices, Senders: cfg.Senders, Size: cfg.Size}
	p := NewPool(cfg.Target.Device(), cfg.Pool)
	defer p.Close()

	var done int64
	set := prog.Step("connect", int64(cfg.Devices))
	progress := func() { done++; set(done) }
	hold := cfg.Hold
	idle, err := Idle(ctx, p, cfg.Servers, cfg.Devices, cfg.DialConc, hold, serial(progress), holdTick(prog, "idle hold"))
	if err != nil {
		return sum, err
	}
	if idle.Connected < int64(cfg.Devices) {
		return sum, fmt.Errorf("connected %d of %d devices (last error: %s)", idle.Connected, cfg.Devices, idle.LastError)
	}
	if hold > 0 {
		sum.Idle = &idle
	}
	if len(cfg.Phases) == 0 {
		sum.Pool = p.Counts()
		return sum, nil
	}
	sender, err := cfg.Target.Sender(cfg.Senders)
	if err != nil {
		return sum, err
	}
	st := &Stream{Sender: sender, Senders: cfg.Senders, Devices: cfg.Devices, Size: cfg.Size}
	for i, ph := range cfg.Phases {
		if i > 0 {
			wait(ctx, cfg.Settle, nil)
		}
		name := "max rate"
		if ph.Rate > 0 {
			name = fmt.Sprintf("%d/s", ph.Rate)
		}
		r := st.Phase(ctx, p, cfg.Servers, ph, holdTick(prog, name))
		sum.Phases = append(sum.Phases, r)
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
		if r.Accepted == 0 {
			return sum, errors.New("the server accepted no message: " + r.FirstError)
		}
	}
	sum.Pool = p.Counts()
	return sum, nil
}

// serial makes f safe to call from the dialing goroutines.
func serial(f func()) func() {
	ch := make(chan struct{}, 1)
	return func() {
		ch <- struct{}{}
		f()
		<-ch
	}
}

// holdTick turns a timed wait into a progress bar in tenths of a second.
func holdTick(prog Progress, desc string) func(done, total time.Duration) {
	var set func(int64)
	return func(done, total time.Duration) {
		if total <= 0 {
			return
		}
		if set == nil {
			set = prog.Step(desc, int64(total/(100*time.Millisecond)))
		}
		set(int64(done / (100 * time.Millisecond)))
	}
}
