package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressWaitsASecondAndStaysOffTheTerminalOnly(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var out bytes.Buffer
	p := newProgress(&out, "always", clock)
	p.update("validate", 4096, 0)
	if out.Len() != 0 {
		t.Fatalf("drew before a second had passed: %q", out.String())
	}
	now = now.Add(2 * time.Second)
	p.update("write", 50_000, 100_000)
	p.finish()
	if !strings.Contains(out.String(), "write") || !strings.Contains(out.String(), "50000/100000") {
		t.Fatalf("bar: %q", out.String())
	}
	var quiet bytes.Buffer
	for _, mode := range []string{"auto", "never"} { // a buffer is not a terminal
		q := newProgress(&quiet, mode, clock)
		now = now.Add(2 * time.Second)
		q.update("write", 1, 2)
		q.finish()
	}
	if quiet.Len() != 0 {
		t.Fatalf("drew off a terminal: %q", quiet.String())
	}
}
