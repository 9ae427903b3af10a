package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// NodesConfig says how to start device-push nodes for the fleet and fault
// runs, which need to own the processes (to read them, kill -9 and restart).
type NodesConfig struct {
	Bin   string // the device-push binary
	Count int
	// Env is added to each node's environment; "{i}" (node index) and
	// "{port}" are replaced, e.g. a data directory per node or the NATS URL.
	Env    []string
	LogDir string // each node's output goes to LogDir/node-<i>.log
}

// Nodes are running device-push processes on loopback ports.
type Nodes struct {
	cfg   NodesConfig
	ports []int

	mu   sync.Mutex
	cmds []*exec.Cmd
	done []chan struct{} // closed when node i's process exited
}

// StartNodes starts cfg.Count nodes on free ports and waits until each
// answers /healthz.
func StartNodes(ctx context.Context, cfg NodesConfig) (*Nodes, error) {
	if cfg.Count < 1 {
		return nil, errors.New("nodes: count must be at least 1")
	}
	ns := &Nodes{cfg: cfg, cmds: make([]*exec.Cmd, cfg.Count), done: make([]chan struct{}, cfg.Count)}
	for range cfg.Count {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		ns.ports = append(ns.ports, port)
	}
	for i := range cfg.Count {
		if err := ns.Start(ctx, i); err != nil {
			ns.Stop()
			return nil, err
		}
	}
	return ns, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// URLs are the nodes' base URLs, in node order.
func (ns *Nodes) URLs() []string {
	urls := make([]string, len(ns.ports))
	for i, p := range ns.ports {
		urls[i] = "http://127.0.0.1:" + strconv.Itoa(p)
	}
	return urls
}

// PIDs are the running nodes' process ids.
func (ns *Nodes) PIDs() []int {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	var pids []int
	for _, c := range ns.cmds {
		if c != nil && c.Process != nil {
			pids = append(pids, c.Process.Pid)
		}
	}
	return pids
}

// Start (re)starts node i on its port and waits until it is healthy.
func (ns *Nodes) Start(ctx context.Context, i int) error {
	port := strconv.Itoa(ns.ports[i])
	cmd := exec.Command(ns.cfg.Bin)
	cmd.Env = append(os.Environ(), "DEVICE_PUSH_ADDR=127.0.0.1:"+port)
	for _, kv := range ns.cfg.Env {
		kv = strings.ReplaceAll(strings.ReplaceAll(kv, "{i}", strconv.Itoa(i)), "{port}", port)
		cmd.Env = append(cmd.Env, kv)
	}
	if ns.cfg.LogDir != "" {
		f, err := os.OpenFile(filepath.Join(ns.cfg.LogDir, fmt.Sprintf("node-%d.log", i)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("node %d log: %w", i, err)
		}
		defer f.Close() // the child holds its own descriptor
		cmd.Stdout, cmd.Stderr = f, f
	}
	// A node never outlives the tool, whatever ends it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start node %d: %w", i, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	ns.mu.Lock()
	ns.cmds[i], ns.done[i] = cmd, done
	ns.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	health := "http://127.0.0.1:" + port + "/healthz"
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, health, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-done:
			return fmt.Errorf("node %d exited while starting (see its log)", i)
		case <-ctx.Done():
			return fmt.Errorf("node %d not healthy: %w", i, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Kill ends node i with SIGKILL (kill -9) and waits for it to be gone.
func (ns *Nodes) Kill(i int) error {
	ns.mu.Lock()
	cmd, done := ns.cmds[i], ns.done[i]
	ns.mu.Unlock()
	if cmd == nil {
		return nil
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill node %d: %w", i, err)
	}
	<-done
	return nil
}

// Stop ends every node gracefully (SIGTERM), then with SIGKILL after 15 s.
func (ns *Nodes) Stop() {
	ns.mu.Lock()
	cmds, dones := append([]*exec.Cmd(nil), ns.cmds...), append([]chan struct{}(nil), ns.done...)
	ns.mu.Unlock()
	for _, c := range cmds {
		if c != nil {
			_ = c.Process.Signal(syscall.SIGTERM)
		}
	}
	for i, d := range dones {
		if d == nil {
			continue
		}
		select {
		case <-d:
		case <-time.After(15 * time.Second):
			_ = cmds[i].Process.Kill()
			<-d
		}
	}
}
