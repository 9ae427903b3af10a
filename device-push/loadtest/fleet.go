package loadtest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// WorkerReport is a worker process's line on stdout, every half second.
type WorkerReport struct {
	Counts
	Done bool `json:"done"` // every device of the worker was tried
}

// Worker connects devices from..to-1 and reports on out until ctx ends
// (the fleet closes the worker's stdin). It is the child side of Fleet.
func Worker(ctx context.Context, dev Device, cfg PoolConfig, from, to, conc int, out io.Writer) error {
	if to-from > MaxDevicesPerProcess || to <= from {
		return fmt.Errorf("a worker holds 1..%d devices", MaxDevicesPerProcess)
	}
	p := NewPool(dev, cfg)
	defer p.Close()
	var mu sync.Mutex
	done := false
	enc := json.NewEncoder(out)
	report := func() error {
		mu.Lock()
		defer mu.Unlock()
		return enc.Encode(WorkerReport{Counts: p.Counts(), Done: done})
	}
	go func() {
		_ = p.Connect(ctx, from, to, conc, nil)
		mu.Lock()
		done = true
		mu.Unlock()
	}()
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := report(); err != nil {
				return err
			}
		}
	}
}

// FleetConfig is many idle devices over several worker processes and
// device-push nodes.
type FleetConfig struct {
	Nodes    *Nodes
	Devices  int
	Procs    int
	DialConc int // per worker
	Hold     time.Duration
	// Worker is the command line (program first) of the worker holding
	// devices from..to-1 from source addresses srcFirst….
	Worker   func(from, to, srcFirst int) []string
	Progress Progress
}

// FleetResult is the nodes' memory with every device connected and idle.
type FleetResult struct {
	Devices    int     `json:"devices"`
	Nodes      int     `json:"nodes"`
	Processes  int     `json:"processes"`
	Connected  int64   `json:"connected"`
	Failed     int64   `json:"failedDials"`
	Dropped    int64   `json:"dropped"`
	ConnectS   float64 `json:"connectS"`
	HoldS      float64 `json:"holdS"`
	BaseRSSKB  int64   `json:"baseRssKB"`
	RSSKB      int64   `json:"rssKB"`
	KBPerConn  float64 `json:"kbPerConn"`
	IdleCores  float64 `json:"serverCoresIdle"`
	LastError  string  `json:"lastError,omitempty"`
	NodeRSSKBs []int64 `json:"nodeRssKB"`
}

// Fleet runs cfg: it starts the workers, waits until they tried every
// device, holds, and reads the nodes.
func Fleet(ctx context.Context, cfg FleetConfig) (FleetResult, error) {
	prog := cfg.Progress
	if prog == nil {
		prog = noProgress{}
	}
	res := FleetResult{Devices: cfg.Devices, Nodes: len(cfg.Nodes.ports), Processes: cfg.Procs}
	srv := Servers{PIDs: cfg.Nodes.PIDs()}
	base, err := srv.RSS()
	if err != nil {
		return res, err
	}
	res.BaseRSSKB = base / 1024
	reports := make([]WorkerReport, cfg.Procs)
	var mu sync.Mutex
	var stdins []io.Closer
	var cmds []*exec.Cmd
	defer func() {
		for _, in := range stdins {
			in.Close()
		}
		for _, c := range cmds {
			_ = c.Wait()
		}
	}()
	per := (cfg.Devices + cfg.Procs - 1) / cfg.Procs
	t0 := time.Now()
	for w := range cfg.Procs {
		from, to := w*per, min((w+1)*per, cfg.Devices)
		argv := cfg.Worker(from, to, 2+w*4)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stderr = os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		in, err := cmd.StdinPipe()
		if err != nil {
			return res, err
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			return res, err
		}
		if err := cmd.Start(); err != nil {
			return res, fmt.Errorf("start worker %d: %w", w, err)
		}
		stdins, cmds = append(stdins, in), append(cmds, cmd)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				var r WorkerReport
				if json.Unmarshal(sc.Bytes(), &r) == nil {
					mu.Lock()
					reports[w] = r
					mu.Unlock()
				}
			}
		}()
	}
	total := func() (sum WorkerReport, all bool) {
		mu.Lock()
		defer mu.Unlock()
		all = true
		for _, r := range reports {
			sum.Connected += r.Connected
			sum.Failed += r.Failed
			sum.Dropped += r.Dropped
			if r.LastError != "" {
				sum.LastError = r.LastError
			}
			all = all && r.Done
		}
		return sum, all
	}
	set := prog.Step("connect", int64(cfg.Devices))
	for {
		s, all := total()
		set(s.Connected + s.Failed)
		if all {
			break
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	res.ConnectS = time.Since(t0).Seconds()
	cpu0, _ := srv.CPU()
	h0 := time.Now()
	wait(ctx, cfg.Hold, holdTick(prog, "idle hold"))
	cpu1, _ := srv.CPU()
	res.HoldS = time.Since(h0).Seconds()
	res.IdleCores = (cpu1 - cpu0).Seconds() / res.HoldS
	time.Sleep(time.Second) // one more report from every worker
	s, _ := total()
	res.Connected, res.Failed, res.Dropped, res.LastError = s.Connected, s.Failed, s.Dropped, s.LastError
	for _, pid := range srv.PIDs {
		kb, _ := Servers{PIDs: []int{pid}}.RSS()
		res.NodeRSSKBs = append(res.NodeRSSKBs, kb/1024)
		res.RSSKB += kb / 1024
	}
	if res.Connected > 0 {
		res.KBPerConn = float64(res.RSSKB-res.BaseRSSKB) / float64(res.Connected)
	}
	return res, ctx.Err()
}
