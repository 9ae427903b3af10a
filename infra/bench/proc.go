package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// maxCaptured bounds the stdout a step keeps in memory.
const maxCaptured = 16 << 20

// cmdResult is what one command left behind.
type cmdResult struct {
	Stdout  []byte
	Wall    time.Duration
	MaxRSS  int64 // peak resident set of the process (getrusage ru_maxrss), KB
	ExitErr error
}

// runCmd runs name args in the repository root with extra environment, its
// output appended to WORK/logName.log. It runs in its own process group,
// killed whole when ctx ends, so nothing it started outlives the step.
func runCmd(ctx context.Context, cfg config, logName string, env []string, name string, args ...string) (cmdResult, error) {
	logf, err := os.OpenFile(filepath.Join(cfg.Work, logName+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return cmdResult{}, err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "$ %s %s\n", strings.Join(env, " "), strings.Join(append([]string{name}, args...), " "))
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = cfg.Root
	cmd.Env = append(os.Environ(), env...)
	var stdout capped
	var tail tailBuffer
	cmd.Stdout = io.MultiWriter(&stdout, logf)
	cmd.Stderr = io.MultiWriter(&tail, logf)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	began := time.Now()
	err = cmd.Run()
	res := cmdResult{Stdout: stdout.Bytes(), Wall: time.Since(began)}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			res.MaxRSS = ru.Maxrss
		}
	}
	if err != nil {
		res.ExitErr = err
		msg := strings.TrimSpace(tail.String())
		if msg == "" {
			msg = lastLines(string(res.Stdout), 2)
		}
		return res, fmt.Errorf("%s: %w: %s", name, err, lastLines(msg, 2))
	}
	return res, nil
}

// capped keeps the first maxCaptured bytes written to it.
type capped struct{ bytes.Buffer }

func (c *capped) Write(p []byte) (int, error) {
	if room := maxCaptured - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// tailBuffer keeps the last 4 KB written to it.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = t.b[len(t.b)-4096:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " / ")
}
