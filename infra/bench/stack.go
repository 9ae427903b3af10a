package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// runningStack is bin/stack started by a step.
type runningStack struct {
	cmd  *exec.Cmd
	done chan error
}

// startStack runs bin/stack with env and returns once it prints READY. Its
// output goes to WORK/stack.log.
func startStack(ctx context.Context, cfg config, env []string) (*runningStack, error) {
	logf, err := os.Create(filepath.Join(cfg.Work, "stack.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(filepath.Join(cfg.Bin, "stack"))
	cmd.Dir = cfg.Root
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	st := &runningStack{cmd: cmd, done: make(chan error, 1)}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		signalled := false
		for sc.Scan() {
			fmt.Fprintln(logf, sc.Text())
			if sc.Text() == "READY" && !signalled {
				signalled = true
				close(ready)
			}
		}
		_, _ = io.Copy(logf, stdout)
		st.done <- cmd.Wait()
		logf.Close()
	}()
	select {
	case <-ready:
		return st, nil
	case err := <-st.done:
		st.done <- err
		return nil, fmt.Errorf("bin/stack exited before READY: %v (see %s)", err, logf.Name())
	case <-ctx.Done():
		st.stop()
		return nil, errors.New("bin/stack not READY in time")
	}
}

// stop interrupts the stack (it stops its children in reverse order) and
// kills its process group if it has not exited after 30 s.
func (s *runningStack) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	t := time.NewTimer(30 * time.Second)
	defer t.Stop()
	select {
	case err := <-s.done:
		s.done <- err
	case <-t.C:
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		s.done <- <-s.done
	}
}
