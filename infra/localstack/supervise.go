package localstack

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"
)

// restartPolicy says how the stack restarts a service that exits on its
// own: after first, doubling up to max, back to first once a run lasted
// stableAfter; after maxFailures short runs in a row it gives up and the
// stack stops (something is wrong that a restart does not fix).
type restartPolicy struct {
	first, max   time.Duration
	stableAfter  time.Duration
	readyTimeout time.Duration
	maxFailures  int
}

var defaultRestartPolicy = restartPolicy{
	first: 200 * time.Millisecond, max: 10 * time.Second,
	stableAfter: 30 * time.Second, readyTimeout: time.Minute, maxFailures: 8,
}

// delay is the wait before the n-th restart in a row (n ≥ 1).
func (r restartPolicy) delay(n int) time.Duration {
	d := r.first
	for i := 1; i < n && d < r.max; i++ {
		d *= 2
	}
	return min(d, r.max)
}

// service is a long-running child the stack keeps up.
type service struct {
	name  string
	path  string
	args  []string
	env   map[string]string
	ready func(context.Context) error
	// restarted, if set, runs once a restarted process is ready (dynalite:
	// the tables and accounts again).
	restarted func(context.Context) error

	mu       sync.Mutex
	proc     *process
	restarts int
}

func (v *service) current() (*process, int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.proc, v.restarts
}

var errStopping = errors.New("the stack is stopping")

// supervise starts v, waits until it is ready, and then restarts it
// whenever it exits until the stack stops.
func (s *Stack) supervise(ctx context.Context, v *service) error {
	s.services = append(s.services, v)
	p, err := s.launch(v, false)
	if err != nil {
		return err
	}
	if err := waitReady(ctx, p, v.name, v.ready); err != nil {
		return err
	}
	s.watchers.Add(1)
	go func() {
		defer s.watchers.Done()
		s.watch(v)
	}()
	return nil
}

// launch starts v's process unless the stack is stopping; Stop takes the
// same lock, so a process started here is always one Stop sees.
func (s *Stack) launch(v *service, restart bool) (*process, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	select {
	case <-s.stopping:
		return nil, errStopping
	default:
	}
	p, err := startProcess(v.name, v.path, v.args, v.env, filepath.Join(s.cfg.RunDir, "logs", v.name+".log"), restart)
	if err != nil {
		return nil, err
	}
	v.proc = p
	if restart {
		v.restarts++
	}
	return p, nil
}

// watch restarts v each time it exits, with backoff.
func (s *Stack) watch(v *service) {
	policy := s.restart
	failures := 0
	for {
		p, _ := v.current()
		select {
		case <-p.exited():
		case <-s.stopping:
			return
		}
		select {
		case <-s.stopping:
			return // Stop ended it
		default:
		}
		if time.Since(p.started) >= policy.stableAfter {
			failures = 0
		}
		failures++
		if failures > policy.maxFailures {
			s.logger.Error("service keeps exiting; giving up", "service", v.name, "failures", failures-1, "log", p.log)
			s.crashed <- p
			return
		}
		wait := policy.delay(failures)
		s.logger.Warn("service exited; restarting", "service", v.name, "pid", p.pid(), "exit", fmt.Sprint(p.err), "in", wait, "log", p.log)
		select {
		case <-time.After(wait):
		case <-s.stopping:
			return
		}
		np, err := s.launch(v, true)
		if errors.Is(err, errStopping) {
			return
		}
		if err != nil {
			s.logger.Error("service cannot be restarted; giving up", "service", v.name, "err", err)
			s.crashed <- p
			return
		}
		if err := s.waitRestarted(v, np, policy.readyTimeout); err != nil {
			s.logger.Warn("restarted service not ready", "service", v.name, "err", err)
			np.stop(5 * time.Second) // counted as the next failure
			continue
		}
		_, n := v.current()
		s.logger.Warn("service restarted and ready", "service", v.name, "pid", np.pid(), "restarts", n)
	}
}

// waitRestarted waits for a restarted process's readiness, or the stack
// stopping, or timeout.
func (s *Stack) waitRestarted(v *service, p *process, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	go func() {
		select {
		case <-s.stopping:
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := waitReady(ctx, p, v.name, v.ready); err != nil {
		return err
	}
	if v.restarted != nil {
		return v.restarted(ctx)
	}
	return nil
}

// stop stops v's current process; the caller has closed s.stopping, so
// it is not restarted.
func (v *service) stop(grace time.Duration) {
	if p, _ := v.current(); p != nil {
		p.stop(grace)
	}
}
