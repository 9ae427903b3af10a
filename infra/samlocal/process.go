package samlocal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

const (
	readyPollInterval = 5 * time.Millisecond
	spawnAttempts     = 3
	killWait          = 5 * time.Second
)

// process is one running aws-lambda-rie.
type process struct {
	cmd     *exec.Cmd
	addr    string        // host:port of the invoke endpoint
	exited  chan struct{} // closed once cmd.Wait has returned
	waitErr error         // cmd.Wait's result, readable after exited is closed
}

// spawn starts an emulator on fresh ports and waits until it listens. A port
// picked free can be taken by someone else before the emulator binds it, so
// a failed start is retried on new ports.
func (e *Emulator) spawn(ctx context.Context) (*process, error) {
	var errs []error
	for range spawnAttempts {
		p, err := e.spawnOnce(ctx)
		if err == nil {
			return p, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

func (e *Emulator) spawnOnce(ctx context.Context) (*process, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	addr, apiAddr := ports[0], ports[1]
	cmd := exec.Command(e.cfg.RIEPath,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", apiAddr,
		e.cfg.Bootstrap) // one argument only: a second one would be taken as the handler
	cmd.Env = e.env
	// Like /var/task in Lambda: the function runs in its code directory.
	cmd.Dir = filepath.Dir(e.cfg.Bootstrap)
	cmd.Stdout = e.cfg.Stdout
	cmd.Stderr = e.cfg.Stderr
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", e.cfg.RIEPath, err)
	}
	p := &process{cmd: cmd, addr: addr, exited: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	if err := waitListening(ctx, p, e.cfg.StartTimeout); err != nil {
		e.kill(p)
		return nil, err
	}
	return p, nil
}

// waitListening polls p's invoke port until it accepts a connection.
func waitListening(ctx context.Context, p *process, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(readyPollInterval)
	defer tick.Stop()
	dialer := net.Dialer{Timeout: time.Second}
	for {
		conn, err := dialer.DialContext(ctx, "tcp", p.addr)
		if err == nil {
			conn.Close()
			select {
			case <-p.exited:
				// Someone else answered on our port and ours failed to bind.
				return fmt.Errorf("aws-lambda-rie exited at start: %v", p.waitErr)
			default:
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("aws-lambda-rie exited at start: %v", p.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("wait for aws-lambda-rie on %s: %w", p.addr, ctx.Err())
		case <-deadline.C:
			return fmt.Errorf("aws-lambda-rie not listening on %s after %s: %w", p.addr, timeout, err)
		case <-tick.C:
		}
	}
}

// kill stops p and every process of this emulator. The emulator starts the
// runtime in a process group of its own, so killing the emulator's group is
// not enough: the runtime is found by the marker in its environment.
func (e *Emulator) kill(p *process) {
	pgid := p.cmd.Process.Pid // started with Setpgid, so its pid is its group id
	// Freeze the emulator first so it cannot start a runtime while we look.
	_ = syscall.Kill(-pgid, syscall.SIGSTOP)
	killMarked(e.marker)
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	select {
	case <-p.exited:
	case <-time.After(killWait):
		e.logger.Error("aws-lambda-rie did not exit after SIGKILL", "pid", pgid)
	}
}

// killMarked kills every process carrying marker, with its process group,
// and waits until they are gone.
func killMarked(marker string) {
	pids := markedPIDs(marker)
	for _, pid := range pids {
		_ = syscall.Kill(-pid, syscall.SIGKILL) // the runtime leads its own group
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	waitGone(pids, killWait)
}

// waitGone polls until none of pids is running (reaped or a zombie), or
// until timeout: only their parent can wait for them.
func waitGone(pids []int, timeout time.Duration) {
	if len(pids) == 0 {
		return
	}
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(readyPollInterval)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		alive := false
		for _, pid := range pids {
			if processRunning(pid) {
				alive = true
				break
			}
		}
		if !alive {
			return
		}
		<-tick.C
	}
}

// freePorts returns n distinct free loopback addresses. All listeners stay
// open until every port is chosen so the kernel cannot hand out one twice.
func freePorts(n int) ([]string, error) {
	addrs := make([]string, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		defer l.Close()
		addrs = append(addrs, l.Addr().String())
	}
	return addrs, nil
}
