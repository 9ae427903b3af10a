package loadtest

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Servers reads the memory and CPU time of the server processes under test
// from /proc (Linux). Several pids are summed: the nodes of one deployment.
type Servers struct {
	PIDs []int
}

// RSS is the resident memory of all the servers, in bytes.
func (s Servers) RSS() (int64, error) {
	var total int64
	for _, pid := range s.PIDs {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return 0, fmt.Errorf("server %d: %w", pid, err)
		}
		kb, ok := statusField(b, "VmRSS:")
		if !ok {
			return 0, fmt.Errorf("server %d: no VmRSS", pid)
		}
		total += kb * 1024
	}
	return total, nil
}

// CPU is the user+system CPU time all the servers used so far.
func (s Servers) CPU() (time.Duration, error) {
	var total time.Duration
	for _, pid := range s.PIDs {
		d, err := cpuTime(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, fmt.Errorf("server %d: %w", pid, err)
		}
		total += d
	}
	return total, nil
}

// SelfCPU is the CPU time this process (the load tool) used so far.
func SelfCPU() time.Duration {
	d, _ := cpuTime("/proc/self/stat")
	return d
}

func statusField(b []byte, name string) (int64, bool) {
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte(name)); ok {
			f := bytes.Fields(rest)
			if len(f) == 0 {
				return 0, false
			}
			v, err := strconv.ParseInt(string(f[0]), 10, 64)
			return v, err == nil
		}
	}
	return 0, false
}

// clockTicks is USER_HZ, 100 on every Linux this runs on.
const clockTicks = 100

func cpuTime(path string) (time.Duration, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces and parentheses: fields start after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 { // state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	u, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	st, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	return time.Duration(u+st) * time.Second / clockTicks, nil
}
