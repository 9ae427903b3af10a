//go:build !linux

package samlocal

import "syscall"

func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// markedPIDs needs /proc; elsewhere Stop can only kill the emulator's group.
func markedPIDs(string) []int { return nil }

func processRunning(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}
