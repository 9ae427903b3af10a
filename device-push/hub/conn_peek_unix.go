//go:build unix

package hub

import "syscall"

const canPeekSocket = true

// socketHasData says whether the socket fd has bytes to read (or an error
// or end to report), without taking them and without blocking.
func socketHasData(fd uintptr) bool {
	var b [1]byte
	n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	return n > 0 || (err != syscall.EAGAIN && err != syscall.EWOULDBLOCK && err != syscall.EINTR)
}
