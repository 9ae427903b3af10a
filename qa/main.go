// Command qa runs the QA scenarios (YAML, qa/scenarios) against the local
// stack: the one running (`make run`) when its TV answers, else a fresh one
// it starts on free ports and stops at the end. It prints a readable diff
// for each failure and writes JUnit XML. `make qa` runs it.
//
// Usage: qa [--start|--no-start] [--junit FILE] [--run REGEXP] [PATH ...]
//
// Environment (the README's QA contract): ALEXA_SIM_ADDR, TVAPP_ADDR,
// LAMBDA_ADDR, DEV_ACCOUNT_TOKEN, DEV_ACCOUNT_2_TOKEN; LIVINGROOM_BIN and
// LIVINGROOM_ROOT to start a stack.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"livingroom/infra/localstack"
	"livingroom/qa/scenario"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	switch {
	case errors.Is(err, scenario.ErrFailed):
		os.Exit(1)
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "qa:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("qa", flag.ContinueOnError)
	start := fs.Bool("start", false, "always start a fresh stack on free ports (make test does)")
	noStart := fs.Bool("no-start", false, "never start a stack: fail when none answers")
	junit := fs.String("junit", filepath.Join(cmp.Or(getenv("LIVINGROOM_RUN_DIR"), ".run"), "qa", "junit.xml"), "where to write JUnit XML")
	filter := fs.String("run", "", "run only the scenarios whose name matches this regular expression")
	verbose := fs.Bool("v", false, "print every step as it runs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *start && *noStart {
		return errors.New("--start and --no-start exclude each other")
	}
	paths := fs.Args()
	if len(paths) == 0 {
		paths = []string{filepath.Join(cmp.Or(getenv("LIVINGROOM_ROOT"), "."), "qa", "scenarios")}
	}
	scs, err := scenario.Load(paths)
	if err != nil {
		return err
	}
	if *filter != "" {
		re, err := regexp.Compile(*filter)
		if err != nil {
			return fmt.Errorf("--run: %w", err)
		}
		var kept []scenario.Scenario
		for _, sc := range scs {
			if re.MatchString(sc.Name) {
				kept = append(kept, sc)
			}
		}
		scs = kept
	}

	cfg := localstack.ConfigFromEnv(getenv)
	running := !*start && healthy(ctx, "http://"+cfg.TVAppAddr+"/healthz")
	fleetURL := ""
	switch {
	case running:
		fmt.Fprintf(out, "qa: using the stack at %s (TV) and %s (Alexa)\n", cfg.TVAppAddr, cfg.AlexaSimAddr)
		if healthy(ctx, "http://"+cfg.FleetAddr+"/healthz") {
			fleetURL = "http://" + cfg.FleetAddr
		}
	case *noStart:
		return fmt.Errorf("no TV answers at %s and --no-start is set", cfg.TVAppAddr)
	default:
		stack, err := startStack(ctx, &cfg, out)
		if err != nil {
			return err
		}
		defer stack.Stop()
		fleetURL = "http://" + cfg.FleetAddr
	}
	if fleetURL != "" {
		if err := fleetRegistered(ctx, fleetURL); err != nil {
			return err
		}
	}

	var log io.Writer = io.Discard
	if *verbose {
		log = out
	}
	r := scenario.NewRunner(scenario.Config{
		AlexaURL:     "http://" + cfg.AlexaSimAddr,
		TVURL:        "http://" + cfg.TVAppAddr,
		LambdaURL:    "http://" + cfg.LambdaAddr,
		DeviceAPIURL: "http://" + cfg.DeviceAPIAddr,
		FleetURL:     fleetURL,
		Vars:         map[string]string{"TOKEN": cfg.DevToken, "TOKEN_2": cfg.Dev2Token},
		Log:          log,
	})
	began := time.Now()
	results := r.RunAll(ctx, scs)
	for _, res := range results {
		status := "ok  "
		switch {
		case res.Failure != nil:
			status = "FAIL"
		case res.Skipped != "":
			status = "skip"
		}
		fmt.Fprintf(out, "%s %-48s %6.2fs  %s\n", status, res.Scenario.Name, res.Duration.Seconds(), res.Scenario.File)
	}
	if err := writeJUnit(*junit, results, began); err != nil {
		return err
	}
	fmt.Fprintf(out, "JUnit XML: %s\n", *junit)
	return scenario.Summarise(out, results)
}

func writeJUnit(path string, results []scenario.Result, began time.Time) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("JUnit directory: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("JUnit file: %w", err)
	}
	if err := scenario.WriteJUnit(f, results, began); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// startStack starts a fresh stack on free ports and points cfg at it. A port
// picked free can be taken before the stack binds it (another process's
// outgoing connection gets it as its ephemeral port): then it starts again
// on other ports, at most three times in all.
func startStack(ctx context.Context, cfg *localstack.Config, out io.Writer) (*localstack.Stack, error) {
	cfg.RunDir = filepath.Join(cfg.RunDir, "qa", "stack")
	const attempts = 3
	for attempt := 1; ; attempt++ {
		s, err := startStackOnce(ctx, cfg, out)
		if err == nil || attempt == attempts || !addressInUse(err) {
			return s, err
		}
		fmt.Fprintf(out, "qa: a port was taken before the stack bound it (%v); again on other ports\n", err)
	}
}

func addressInUse(err error) bool {
	return errors.Is(err, syscall.EADDRINUSE) || strings.Contains(err.Error(), "address already in use")
}

func startStackOnce(ctx context.Context, cfg *localstack.Config, out io.Writer) (*localstack.Stack, error) {
	for _, a := range []*string{&cfg.DynamoDBAddr, &cfg.LambdaAddr, &cfg.DeviceAPIAddr, &cfg.DevicePushAddr, &cfg.AlexaSimAddr, &cfg.TVAppAddr, &cfg.PartnerAddr} {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		*a = addr
	}
	cfg.S3Addr = ""
	// A fleet of two: TV 2's account is on plan on-demand, so scenarios can
	// see a plan refuse live TV on a TV of its own.
	cfg.FleetTVs = max(cfg.FleetTVs, 2)
	fleetAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cfg.FleetAddr = fleetAddr
	fmt.Fprintf(out, "qa: starting a stack (logs in %s) ...\n", filepath.Join(cfg.RunDir, "logs"))
	startCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	began := time.Now()
	s, err := localstack.Start(startCtx, *cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return nil, fmt.Errorf("start the stack: %w", err)
	}
	fmt.Fprintf(out, "qa: stack ready in %.1fs\n", time.Since(began).Seconds())
	return s, nil
}

// fleetRegistered waits (at most a minute) until every fleet TV registered.
func fleetRegistered(ctx context.Context, fleetURL string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		var s struct{ Size, Registered int }
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fleetURL+"/v1/fleet", nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&s)
			resp.Body.Close()
		}
		if err == nil && s.Size > 0 && s.Registered == s.Size {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the fleet at %s did not register within a minute (%d of %d): %v", fleetURL, s.Registered, s.Size, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func healthy(ctx context.Context, url string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
