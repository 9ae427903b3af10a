//go:build !unix

package hub

// Elsewhere the read pump reads without the idle wait.
const canPeekSocket = false

func socketHasData(uintptr) bool { return true }
