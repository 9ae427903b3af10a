package localstack

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as a supervised child: with childAddrEnv set it
// serves /healthz there until killed, or exits at once (status 3) while the
// file named by childCrashEnv exists.
const (
	childAddrEnv  = "LOCALSTACK_TEST_CHILD_ADDR"
	childCrashEnv = "LOCALSTACK_TEST_CHILD_CRASH"
)

func TestMain(m *testing.M) {
	if addr := os.Getenv(childAddrEnv); addr != "" {
		if _, err := os.Stat(os.Getenv(childCrashEnv)); err == nil {
			os.Exit(3)
		}
		http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {})
		_ = http.ListenAndServe(addr, nil)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// childStack starts a stack whose only service is the test binary as a
// child, restarted quickly.
func childStack(t *testing.T, policy restartPolicy) (*Stack, *service, *syncBuffer, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	s := newStack(Config{RunDir: dir}, slog.New(slog.NewTextHandler(logs, nil)), policy)
	crash := filepath.Join(dir, "crash")
	v := &service{name: "child", path: exe, env: map[string]string{childAddrEnv: addr, childCrashEnv: crash},
		ready: httpReady("http://" + addr + "/healthz")}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.supervise(ctx, v); err != nil {
		s.Stop()
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s, v, logs, crash
}

var fastRestarts = restartPolicy{first: time.Millisecond, max: 10 * time.Millisecond, stableAfter: time.Hour, readyTimeout: time.Minute, maxFailures: 3}

func TestSupervisorRestartsAKilledService(t *testing.T) {
	s, v, logs, _ := childStack(t, fastRestarts)
	for round := 1; round <= 2; round++ {
		before, _ := v.current()
		if err := syscall.Kill(before.pid(), syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-before.exited()
		// Back once another process is the service's and answers /healthz.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		for {
			p, n := v.current()
			if p != before && n == round {
				if err := waitReady(ctx, p, "child", v.ready); err != nil {
					t.Fatalf("round %d: %v\n%s", round, err, logs)
				}
				break
			}
			select {
			case <-ctx.Done():
				t.Fatalf("round %d: not restarted\n%s", round, logs)
			case <-time.After(5 * time.Millisecond):
			}
		}
		cancel()
	}
	// The restart is logged, and so is the service coming back.
	waitLogged(t, logs, "service restarted and ready")
	if out := logs.String(); !strings.Contains(out, "service exited; restarting") || !strings.Contains(out, "signal: killed") {
		t.Errorf("log lacks the restart:\n%s", out)
	}
	select {
	case p := <-s.Crashed():
		t.Fatalf("crash reported for %s", p.name)
	default:
	}
	// Stopping ends the service for good: nothing restarts it.
	s.Stop()
	p, n := v.current()
	<-p.exited()
	if _, m := v.current(); m != n {
		t.Errorf("restarted while stopping (%d → %d)", n, m)
	}
}

func TestSupervisorGivesUpOnAServiceThatKeepsExiting(t *testing.T) {
	s, v, logs, crash := childStack(t, fastRestarts)
	if err := os.WriteFile(crash, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	p, _ := v.current()
	if err := syscall.Kill(p.pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-s.Crashed():
		if got.name != "child" || !strings.Contains(Describe(got), "exit status 3") {
			t.Errorf("crashed %s", Describe(got))
		}
	case <-time.After(time.Minute):
		t.Fatalf("no crash reported\n%s", logs)
	}
	if _, n := v.current(); n != fastRestarts.maxFailures {
		t.Errorf("%d restarts, want %d", n, fastRestarts.maxFailures)
	}
	// The log file keeps each run's output, with a marker per restart.
	b, err := os.ReadFile(p.log)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(b), "restarted by the stack"); got != fastRestarts.maxFailures {
		t.Errorf("%d restart markers in the log, want %d:\n%s", got, fastRestarts.maxFailures, b)
	}
}

func TestRestartDelayDoublesUpToTheCap(t *testing.T) {
	r := restartPolicy{first: 100 * time.Millisecond, max: time.Second}
	for n, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 40: time.Second} {
		if got := r.delay(n); got != want {
			t.Errorf("delay(%d) = %v, want %v", n, got, want)
		}
	}
}

func waitLogged(t *testing.T, logs *syncBuffer, what string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(logs.String(), what) {
		if time.Now().After(deadline) {
			t.Fatalf("never logged %q:\n%s", what, logs)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
