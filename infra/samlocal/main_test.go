package samlocal

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Binaries built once by TestMain: the real emulator and the test function.
var (
	riePath string
	fnPath  string
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "samlocal-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "samlocal tests:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	riePath = filepath.Join(dir, "aws-lambda-rie")
	fnPath = filepath.Join(dir, "fn", "bootstrap")
	builds := [][]string{
		{"build", "-o", riePath, "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"},
		{"build", "-tags", "lambda.norpc", "-o", fnPath, "./testdata/fn"},
	}
	for _, args := range builds {
		cmd := exec.Command("go", args...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "samlocal tests: go %s: %v\n", strings.Join(args, " "), err)
			return 1
		}
	}
	return m.Run()
}

// outputLog collects emulator output and lets a test wait for a line.
type outputLog struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newOutputLog() *outputLog {
	return &outputLog{changed: make(chan struct{})}
}

func (l *outputLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

func (l *outputLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitFor blocks until substr has appeared n times in the output.
func (l *outputLog) waitFor(t testing.TB, substr string, n int) {
	t.Helper()
	timeout := time.NewTimer(15 * time.Second)
	defer timeout.Stop()
	for {
		l.mu.Lock()
		count := strings.Count(l.buf.String(), substr)
		changed := l.changed
		l.mu.Unlock()
		if count >= n {
			return
		}
		select {
		case <-changed:
		case <-timeout.C:
			t.Fatalf("emulator output never showed %q %d times; output:\n%s", substr, n, l.String())
		}
	}
}

type emulatorOption func(*EmulatorConfig)

// startEmulator runs the test function under the real emulator until the
// test ends. The emulator's output is printed if the test fails.
func startEmulator(t testing.TB, name string, opts ...emulatorOption) (*Emulator, *outputLog) {
	t.Helper()
	out := newOutputLog()
	cfg := EmulatorConfig{
		Name:      name,
		RIEPath:   riePath,
		Bootstrap: fnPath,
		Env:       map[string]string{"GREETING": "hello"},
		Timeout:   3 * time.Second,
		Stdout:    out,
		Stderr:    out,
		Logger:    slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, o := range opts {
		o(&cfg)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("emulator %s output:\n%s", name, out.String())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	e, err := Start(ctx, cfg)
	if err != nil {
		t.Fatalf("Start(%s): %v", name, err)
	}
	t.Cleanup(e.Stop)
	return e, out
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// testWriter sends log lines to t.Log so they show with the failing test.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
