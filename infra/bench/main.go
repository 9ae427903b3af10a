// Command bench is `make bench`: it runs the project's benchmarks and load
// tools one step at a time, each under a deadline, and rewrites the marked
// summary section of docs/BENCHMARKS.md with one table (figure, measured,
// bar, the command that produced it) and the machine it ran on. The
// hand-written sections of the document are kept as they are.
//
// Tooling only: production code never imports it. Run from the repository
// root after `make build` (make bench does both):
//
//	go run ./infra/bench [-doc docs/BENCHMARKS.md] [-only step,…] [-skip step,…] [-budget 10m] [-dry-run]
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// config is what the steps need: where things are and how big to run.
type config struct {
	Root, Bin, Work string
	Centrifugo      string // the centrifugo binary; the comparison is "not run" without it
	PushDevices     int
	PushHold        time.Duration
	FleetTVs        int
	VoiceN          int
	ColdStarts      int
	Log             *log.Logger
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	doc := fs.String("doc", "docs/BENCHMARKS.md", "the document whose marked section is rewritten")
	only := fs.String("only", "", "run only these steps (comma-separated; see -list)")
	skip := fs.String("skip", "", "skip these steps")
	list := fs.Bool("list", false, "list the steps and exit")
	dry := fs.Bool("dry-run", false, "print the section instead of rewriting the document (always so with -only or -skip: the table is the whole run's)")
	budget := fs.Duration("budget", 10*time.Minute, "the whole run's deadline; steps that no longer fit are marked not run")
	cfg := config{}
	fs.StringVar(&cfg.Bin, "bin", "bin", "the binaries of `make build`")
	fs.StringVar(&cfg.Work, "work", ".run/bench", "scratch directory (logs of each step)")
	fs.StringVar(&cfg.Centrifugo, "centrifugo", "", "centrifugo v6 binary (default: $(go env GOPATH)/bin/centrifugo)")
	fs.IntVar(&cfg.PushDevices, "push-devices", 5000, "websocket devices per server in the device-push run")
	fs.DurationVar(&cfg.PushHold, "push-hold", 15*time.Second, "idle hold before the push RSS is read")
	fs.IntVar(&cfg.FleetTVs, "fleet-tvs", 500, "TVs in the fleet run")
	fs.IntVar(&cfg.VoiceN, "voice-n", 1000, "voice commands per VoiceToTV sub-benchmark")
	fs.IntVar(&cfg.ColdStarts, "cold-starts", 5, "cold starts per Lambda")
	if err := fs.Parse(args); err != nil {
		return err
	}
	steps := allSteps()
	if *list {
		for _, s := range steps {
			fmt.Fprintf(stdout, "%-12s %v\t%s\n", s.name, s.timeout, s.figure)
		}
		return nil
	}
	selected, err := selectSteps(steps, *only, *skip)
	if err != nil {
		return err
	}
	if len(selected) != len(steps) {
		*dry = true
	}
	if cfg.PushDevices < 1 || cfg.PushDevices > 19000 || cfg.FleetTVs < 1 || cfg.FleetTVs > 10000 ||
		cfg.VoiceN < 2 || cfg.ColdStarts < 1 || cfg.ColdStarts > 50 {
		return errors.New("sizes out of range: -push-devices 1..19000, -fleet-tvs 1..10000, -voice-n ≥ 2, -cold-starts 1..50")
	}
	if cfg.Root, err = os.Getwd(); err != nil {
		return err
	}
	for _, p := range []*string{&cfg.Bin, &cfg.Work} {
		if *p, err = filepath.Abs(*p); err != nil {
			return err
		}
	}
	if cfg.Centrifugo == "" {
		cfg.Centrifugo = filepath.Join(goEnv(ctx, "GOPATH"), "bin", "centrifugo")
	}
	if err := os.MkdirAll(cfg.Work, 0o755); err != nil {
		return err
	}
	cfg.Log = log.New(stderr, "bench: ", log.Ltime)

	started := time.Now()
	ctx, cancel := context.WithDeadline(ctx, started.Add(*budget))
	defer cancel()
	rep := report{Started: started, Machine: probeMachine(ctx, cfg.Root)}
	var failed []string
	for _, s := range selected {
		rows, err := runStep(ctx, cfg, s)
		if err != nil {
			failed = append(failed, s.name)
		}
		rep.Rows = append(rep.Rows, rows...)
	}
	rep.Took = time.Since(started)
	rep.Machine.Load[1] = loadAverage()

	section := render(rep)
	if *dry {
		fmt.Fprint(stdout, section)
	} else if err := rewriteFile(*doc, section); err != nil {
		return err
	}
	cfg.Log.Printf("done in %v", rep.Took.Round(time.Second))
	if len(failed) > 0 {
		return fmt.Errorf("steps failed: %s (see %s/*.log)", strings.Join(failed, ", "), cfg.Work)
	}
	return nil
}

// step is one measurement with its deadline. figure and command describe
// its row when it could not run.
type step struct {
	name    string
	timeout time.Duration
	figure  string
	command string
	run     func(ctx context.Context, cfg config) ([]row, error)
}

// runStep runs s inside its deadline and the run's. A step that fails
// still gets a row saying so.
func runStep(ctx context.Context, cfg config, s step) ([]row, error) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < s.timeout/4 {
		cfg.Log.Printf("%s: not run (out of time)", s.name)
		return []row{{Figure: s.figure, Value: "not run: the 10-minute budget was used up", Command: s.command}}, nil
	}
	cfg.Log.Printf("%s: start (deadline %v)", s.name, s.timeout)
	began := time.Now()
	sctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	rows, err := s.run(sctx, cfg)
	if err != nil {
		cfg.Log.Printf("%s: failed after %v: %v", s.name, time.Since(began).Round(time.Second), err)
		switch {
		case ctx.Err() != nil:
			err = fmt.Errorf("the run's budget ran out: %w", err)
		case sctx.Err() != nil:
			err = fmt.Errorf("the step's deadline of %v passed: %w", s.timeout, err)
		}
		// Rows measured before the failure stay; the failure gets its own.
		return append(rows, row{Figure: s.figure, Command: s.command, Value: "failed: " + shorten(err.Error(), 160)}), err
	}
	cfg.Log.Printf("%s: done in %v", s.name, time.Since(began).Round(time.Second))
	return rows, nil
}

func selectSteps(all []step, only, skip string) ([]step, error) {
	names := func(s string) []string {
		var out []string
		for _, n := range strings.Split(s, ",") {
			if n = strings.TrimSpace(n); n != "" {
				out = append(out, n)
			}
		}
		return out
	}
	known := map[string]bool{}
	for _, s := range all {
		known[s.name] = true
	}
	on, off := names(only), names(skip)
	for _, n := range slices.Concat(on, off) {
		if !known[n] {
			return nil, fmt.Errorf("unknown step %q (-list shows them)", n)
		}
	}
	var out []step
	for _, s := range all {
		if (len(on) == 0 || slices.Contains(on, s.name)) && !slices.Contains(off, s.name) {
			out = append(out, s)
		}
	}
	return out, nil
}

func rewriteFile(path, section string) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := rewrite(doc, section)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// probeMachine reads what the table's figures depend on.
func probeMachine(ctx context.Context, root string) machine {
	m := machine{CPUs: runtime.NumCPU(), CPUModel: cpuModel(), Load: [2]string{loadAverage(), ""}}
	m.GoVersion = strings.TrimPrefix(strings.TrimSpace(output(ctx, root, "go", "version")), "go version ")
	m.Commit = strings.TrimSpace(output(ctx, root, "git", "rev-parse", "--short", "HEAD"))
	if m.Commit != "" && strings.TrimSpace(output(ctx, root, "git", "status", "--porcelain", "--untracked-files=no")) != "" {
		m.Commit += " + local changes"
	}
	return m
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return ""
}

func goEnv(ctx context.Context, key string) string {
	return strings.TrimSpace(output(ctx, "", "go", "env", key))
}

// output runs a short command and returns its stdout ("" on error).
func output(ctx context.Context, dir, name string, args ...string) string {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return string(out)
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
