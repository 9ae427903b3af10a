// Command pushload is device-push's load tool: simulated TVs on websockets,
// ADM senders over HTTP, and the server's memory, CPU, throughput, latency
// and accepted-vs-delivered counts. See device-push/loadtest/README.md.
//
//	pushload run   -target device-push|centrifugo -opt k=v ... [-server-pid P,...] [flags]
//	pushload fleet -server-bin bin/device-push -nodes 6 -devices 100000 -procs 6 [-node-env K=V ...]
//	pushload compare BASELINE.json DEVICE-PUSH.json   (the bars as a Markdown table)
//	pushload fault -server-bin bin/device-push [-nodes N] [-node-env K=V ...] [flags]
//	pushload floor [-addr A] [-store none|memory|files] [-dir D]   (the least any server does per message)
//
// The JSON summary goes to stdout (and -out FILE); progress goes to stderr.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"livingroom/device-push/loadtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "pushload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: pushload run [flags] (pushload run -h lists them)")
	}
	switch args[0] {
	case "run":
		return runBench(ctx, args[1:], stdout, stderr)
	case "fault":
		return runFault(ctx, args[1:], stdout, stderr)
	case "fleet":
		return runFleet(ctx, args[1:], stdout, stderr)
	case "worker":
		return runWorker(ctx, args[1:], stdout, stderr)
	case "compare":
		return runCompare(args[1:], stdout)
	case "floor":
		return runFloor(ctx, args[1:], stderr)
	default:
		return fmt.Errorf("unknown command %q (want run, fault, fleet, floor or compare)", args[0])
	}
}

// options collects repeated -opt key=value flags.
type options loadtest.Options

func (o options) String() string { return fmt.Sprint(map[string]string(o)) }
func (o options) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("want key=value, got %q", s)
	}
	o[k] = v
	return nil
}

func parsePIDs(s string) ([]int, error) {
	var pids []int
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		pid, err := strconv.Atoi(f)
		if err != nil || pid <= 0 {
			return nil, fmt.Errorf("bad pid %q", f)
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

// parseRates reads "5000,10000,max" (max: as fast as the senders go).
func parseRates(s string) ([]int, error) {
	var rates []int
	for f := range strings.SplitSeq(s, ",") {
		switch f = strings.TrimSpace(f); f {
		case "":
		case "max":
			rates = append(rates, 0)
		default:
			r, err := strconv.Atoi(f)
			if err != nil || r <= 0 || r > 1_000_000 {
				return nil, fmt.Errorf("bad rate %q (want msgs/s or max)", f)
			}
			rates = append(rates, r)
		}
	}
	return rates, nil
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	opts := options{}
	fs.Var(opts, "opt", "adapter option key=value (repeatable); device-push: url, client_id, client_secret; centrifugo: ws, api, secret, apikey")
	target := fs.String("target", "device-push", "server: "+strings.Join(loadtest.Targets(), " | "))
	pids := fs.String("server-pid", "", "comma-separated pids of the server processes (RSS and CPU from /proc)")
	devices := fs.Int("devices", 10_000, "devices (websockets)")
	dialConc := fs.Int("dial-conc", 64, "concurrent dials")
	srcFirst := fs.Int("src-first", 2, "first loopback source address 127.0.0.N")
	srcN := fs.Int("src-n", 4, "loopback source addresses")
	hold := fs.Duration("hold", 30*time.Second, "idle hold before reading the server's RSS (0: no idle figure)")
	rates := fs.String("rates", "5000,10000,max", "send phases: msgs/s or max, comma-separated (empty: none)")
	senders := fs.Int("senders", 8, "concurrent HTTP senders")
	size := fs.Int("size", 128, "payload bytes")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured lead-in of each phase")
	dur := fs.Duration("dur", 10*time.Second, "measured window of each phase")
	drain := fs.Duration("drain", 10*time.Second, "longest wait for the last deliveries of a phase")
	settle := fs.Duration("settle", 2*time.Second, "pause between phases")
	out := fs.String("out", "", "also write the JSON summary to this file")
	bar := fs.String("progress", "auto", "progress bars on stderr: auto (on a terminal) | always | never")
	maxTime := fs.Duration("max-time", 15*time.Minute, "bound on the whole run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	tgt, err := loadtest.NewTarget(*target, loadtest.Options(opts))
	if err != nil {
		return err
	}
	pl, err := parsePIDs(*pids)
	if err != nil {
		return err
	}
	rl, err := parseRates(*rates)
	if err != nil {
		return err
	}
	if *senders < 1 || *senders > 1000 || *size < 32 || *size > 6000 {
		return errors.New("senders must be 1..1000 and size 32..6000")
	}
	cfg := loadtest.BenchConfig{
		TargetName: *target, Target: tgt, Servers: loadtest.Servers{PIDs: pl},
		Pool:    loadtest.PoolConfig{SourceFirst: *srcFirst, Sources: *srcN},
		Devices: *devices, DialConc: *dialConc, Hold: *hold, Senders: *senders, Size: *size,
		Settle: *settle, Progress: newBars(stderr, *bar),
	}
	for _, r := range rl {
		cfg.Phases = append(cfg.Phases, loadtest.PhaseConfig{Rate: r, Warmup: *warmup, Duration: *dur, Drain: *drain})
	}
	ctx, cancel := context.WithTimeout(ctx, *maxTime)
	defer cancel()
	sum, err := loadtest.Bench(ctx, cfg)
	if werr := writeJSON(sum, stdout, *out); werr != nil {
		return errors.Join(err, werr)
	}
	return err
}

func writeJSON(v any, stdout io.Writer, path string) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if _, err := stdout.Write(b); err != nil {
		return err
	}
	if path != "" {
		return os.WriteFile(path, b, 0o644)
	}
	return nil
}

// bars draws loadtest progress with schollz/progressbar.
type bars struct {
	w  io.Writer
	on bool
}

func newBars(w io.Writer, mode string) bars {
	on := mode == "always"
	if f, ok := w.(*os.File); ok && mode == "auto" {
		on = term.IsTerminal(int(f.Fd()))
	}
	return bars{w: w, on: on}
}

func (b bars) Step(desc string, total int64) func(int64) {
	if !b.on {
		return func(int64) {}
	}
	pb := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(b.w),
		progressbar.OptionSetDescription(fmt.Sprintf("%-12s", desc)),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(b.w) }),
	)
	return func(n int64) { _ = pb.Set64(n) }
}

// envList collects repeated -node-env K=V flags.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }
func (e *envList) Set(s string) error {
	if !strings.Contains(s, "=") {
		return fmt.Errorf("want KEY=VALUE, got %q", s)
	}
	*e = append(*e, s)
	return nil
}

func runFault(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fault", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("server-bin", "bin/device-push", "device-push binary; the tool starts, kills and restarts its nodes")
	nodes := fs.Int("nodes", 1, "device-push nodes")
	var env envList
	fs.Var(&env, "node-env", "KEY=VALUE for every node ({i}: node index, {port}: its port); repeatable")
	logDir := fs.String("log-dir", os.TempDir(), "nodes' logs (node-<i>.log)")
	devices := fs.Int("devices", 2000, "devices")
	dialConc := fs.Int("dial-conc", 64, "concurrent dials")
	srcFirst := fs.Int("src-first", 2, "first loopback source address 127.0.0.N")
	srcN := fs.Int("src-n", 4, "loopback source addresses")
	senders := fs.Int("senders", 8, "concurrent HTTP senders")
	size := fs.Int("size", 128, "payload bytes")
	rate := fs.Int("rate", 1000, "msgs/s of the steady stream")
	dur := fs.Duration("dur", 30*time.Second, "length of the stream")
	every := fs.Duration("disrupt-every", time.Second, "how often random devices drop their connection (0: never)")
	count := fs.Int("disrupt-count", 20, "devices dropped each time")
	killAt := fs.Duration("kill-at", 10*time.Second, "kill -9 a node this far into the stream (0: no kill)")
	killNode := fs.Int("kill-node", 0, "which node")
	restart := fs.Duration("restart-after", 2*time.Second, "the killed node stays down this long")
	drain := fs.Duration("drain", 30*time.Second, "longest wait for deliveries after the stream")
	out := fs.String("out", "", "also write the JSON summary to this file")
	bar := fs.String("progress", "auto", "progress bars on stderr: auto | always | never")
	maxTime := fs.Duration("max-time", 10*time.Minute, "bound on the whole run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *nodes < 1 || *nodes > 16 || *killNode < 0 || *killNode >= *nodes || *rate < 1 || *senders < 1 {
		return errors.New("need 1..16 nodes, a kill-node among them, a positive rate and senders")
	}
	ctx, cancel := context.WithTimeout(ctx, *maxTime)
	defer cancel()
	ns, err := loadtest.StartNodes(ctx, loadtest.NodesConfig{Bin: *bin, Count: *nodes, Env: env, LogDir: *logDir})
	if err != nil {
		return err
	}
	defer ns.Stop()
	tgt, err := loadtest.NewTarget("device-push", loadtest.Options{"url": strings.Join(ns.URLs(), ",")})
	if err != nil {
		return err
	}
	res, err := loadtest.Fault(ctx, loadtest.FaultConfig{
		Target: tgt, Nodes: ns, Pool: loadtest.PoolConfig{SourceFirst: *srcFirst, Sources: *srcN},
		Devices: *devices, DialConc: *dialConc, Senders: *senders, Size: *size, Rate: *rate, Duration: *dur,
		DisruptEvery: *every, DisruptCount: *count, KillAt: *killAt, KillNode: *killNode, RestartAfter: *restart,
		Drain: *drain, Progress: newBars(stderr, *bar),
	})
	if werr := writeJSON(res, stdout, *out); werr != nil {
		return errors.Join(err, werr)
	}
	return err
}

// runFloor serves loadtest's floor server. Its defaults come from the
// environment ab.sh gives a device-push binary, so ab.sh can run it as one.
func runFloor(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr("DEVICE_PUSH_ADDR", "127.0.0.1:8290"), "listen address (loopback)")
	store := fs.String("store", "none", "none, memory or files: append each send to device-push's JetStream store first")
	dir := fs.String("dir", os.Getenv("DEVICE_PUSH_DATA_DIR"), "the store's directory for -store files")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return loadtest.RunFloor(ctx, loadtest.FloorConfig{Addr: *addr, Store: *store, Dir: *dir}, logger)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func runCompare(args []string, stdout io.Writer) error {
	if len(args) != 2 {
		return errors.New("usage: pushload compare BASELINE.json DEVICE-PUSH.json")
	}
	var sums [2]loadtest.Summary
	for i, path := range args {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &sums[i]); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	loadtest.WriteComparison(stdout, sums[0], sums[1])
	return nil
}

func runFleet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fleet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("server-bin", "bin/device-push", "device-push binary; the tool starts its nodes")
	nodes := fs.Int("nodes", 6, "device-push nodes")
	var env envList
	fs.Var(&env, "node-env", "KEY=VALUE for every node ({i}: node index, {port}: its port); repeatable")
	logDir := fs.String("log-dir", os.TempDir(), "nodes' logs (node-<i>.log)")
	devices := fs.Int("devices", 100_000, "idle devices in all")
	procs := fs.Int("procs", 6, "worker processes (each holds at most 19,000 devices)")
	dialConc := fs.Int("dial-conc", 32, "concurrent dials per worker")
	hold := fs.Duration("hold", 30*time.Second, "idle hold before reading the nodes' RSS")
	out := fs.String("out", "", "also write the JSON summary to this file")
	bar := fs.String("progress", "auto", "progress bars on stderr: auto | always | never")
	maxTime := fs.Duration("max-time", 20*time.Minute, "bound on the whole run")
	self, _ := os.Executable()
	workerBin := fs.String("worker-bin", self, "the pushload binary the workers run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *nodes < 1 || *nodes > 16 || *procs < 1 || *procs > 60 || *devices < 1 ||
		(*devices+*procs-1) / *procs > loadtest.MaxDevicesPerProcess {
		return fmt.Errorf("need 1..16 nodes, 1..60 processes and at most %d devices per process", loadtest.MaxDevicesPerProcess)
	}
	ctx, cancel := context.WithTimeout(ctx, *maxTime)
	defer cancel()
	ns, err := loadtest.StartNodes(ctx, loadtest.NodesConfig{Bin: *bin, Count: *nodes, Env: env, LogDir: *logDir})
	if err != nil {
		return err
	}
	defer ns.Stop()
	urls := strings.Join(ns.URLs(), ",")
	res, err := loadtest.Fleet(ctx, loadtest.FleetConfig{
		Nodes: ns, Devices: *devices, Procs: *procs, DialConc: *dialConc, Hold: *hold, Progress: newBars(stderr, *bar),
		Worker: func(from, to, srcFirst int) []string {
			return []string{*workerBin, "worker", "-opt", "url=" + urls, "-from", strconv.Itoa(from), "-to", strconv.Itoa(to),
				"-src-first", strconv.Itoa(srcFirst), "-dial-conc", strconv.Itoa(*dialConc)}
		},
	})
	if werr := writeJSON(res, stdout, *out); werr != nil {
		return errors.Join(err, werr)
	}
	return err
}

// runWorker is a fleet's child process: it holds devices from..to-1 of
// device-push until its stdin closes, reporting on stdout.
func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	opts := options{}
	fs.Var(opts, "opt", "device-push adapter option key=value")
	from := fs.Int("from", 0, "first device")
	to := fs.Int("to", 0, "device after the last")
	srcFirst := fs.Int("src-first", 2, "first loopback source address 127.0.0.N")
	srcN := fs.Int("src-n", 4, "loopback source addresses")
	dialConc := fs.Int("dial-conc", 32, "concurrent dials")
	if err := fs.Parse(args); err != nil {
		return err
	}
	tgt, err := loadtest.NewTarget("device-push", loadtest.Options(opts))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); cancel() }() // the fleet closes stdin to end us
	return loadtest.Worker(ctx, tgt.Device(), loadtest.PoolConfig{SourceFirst: *srcFirst, Sources: *srcN}, *from, *to, *dialConc, stdout)
}
