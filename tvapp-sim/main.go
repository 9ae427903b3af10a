// Command tvapp-sim is the simulated Fire TV app: it connects to device-push,
// registers with the device API and Alexa, applies the actions it receives
// to a player, and serves the TV screen and its state over HTTP for QA.
//
// Environment:
//
//	TVAPP_ADDR           listen address (127.0.0.1:8400)
//	DEVICE_PUSH_URL      device-push base URL (http://127.0.0.1:8200); websocket at /ws
//	DEVICE_API_URL       partner device API (http://127.0.0.1:3000); POST /v1/devices
//	ALEXA_SIM_URL        Alexa event gateway (http://127.0.0.1:8300); POST /v3/events
//	TVAPP_ACCOUNT_TOKEN  account bearer token (dev-token)
//	TVAPP_DEVICE_ID      device id (sim-0001)
//	TVAPP_ENDPOINT_ID    Alexa endpoint id (livingroom-tv-<device id>)
//	TVAPP_FRIENDLY_NAME  name Alexa knows the TV by (Living Room TV)
//	TVAPP_MAX_ACTION_AGE actions older than this are dropped (5s)
//
// The TV reports its state to the device API (PUT /v1/devices/{endpointId}/state)
// after every change, every 15 s while playing and every 60 s.
//
// Flags: --fleet N runs N TVs in one process (see package fleet and
// fleetid for their identities), with --fleet-first, --fleet-token-prefix,
// --fleet-reports and --fleet-registering; the first TV is served at / and
// GET /v1/fleet summarises them, GET /v1/fleet/tvs lists them, and
// /tv/{endpointId}/ is any one's screen, state, events and faults.
//
// HTTP: GET / (the TV screen), GET /v1/state (state JSON), GET /v1/events
// (the state as server-sent events), POST|GET|DELETE /v1/faults (faults on
// demand), GET /healthz (200 once registered with device-push, the device
// API and Alexa; 503 before).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"livingroom/tvapp-sim/fault"
	"livingroom/tvapp-sim/fleet"
	"livingroom/tvapp-sim/fleetid"
	"livingroom/tvapp-sim/screen"
	"livingroom/tvapp-sim/tv"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fl, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	if fl.size > 0 {
		err = runFleet(ctx, os.Getenv, fl, os.Stdout, logger)
	} else {
		err = run(ctx, os.Getenv, os.Stdout, logger)
	}
	if err != nil {
		logger.Error("tvapp-sim failed", "err", err)
		os.Exit(1)
	}
}

// fleetFlags are the command line: --fleet N runs N TVs in this process.
type fleetFlags struct {
	size        int
	first       int
	tokenPrefix string
	reports     bool
	registering int
}

func parseFlags(args []string, stderr io.Writer) (fleetFlags, error) {
	var f fleetFlags
	fs := flag.NewFlagSet("tvapp-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&f.size, "fleet", 0, "run this many TVs in one process (fleet mode; 0: one TV)")
	fs.IntVar(&f.first, "fleet-first", 1, "index of the fleet's first TV (processes can split a range)")
	fs.StringVar(&f.tokenPrefix, "fleet-token-prefix", fleetid.DefaultTokenPrefix, "fleet TV i's account token is this prefix and i on five digits")
	fs.BoolVar(&f.reports, "fleet-reports", true, "fleet TVs send state reports (after each change and every 10 min)")
	fs.IntVar(&f.registering, "fleet-registering", fleet.DefaultRegistering, "at most this many fleet TVs registering at once")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	switch {
	case fs.NArg() > 0:
		err := fmt.Errorf("unexpected arguments %q", fs.Args())
		fmt.Fprintln(stderr, err)
		return f, err
	case f.size < 0 || f.size > fleetid.MaxSize || f.first < 1 || f.first+max(f.size, 1)-1 > fleetid.MaxSize:
		err := fmt.Errorf("--fleet %d --fleet-first %d: TV indexes must stay within 1 to %d", f.size, f.first, fleetid.MaxSize)
		fmt.Fprintln(stderr, err)
		return f, err
	case f.registering < 1 || f.registering > 10_000:
		err := fmt.Errorf("--fleet-registering %d: want 1 to 10000", f.registering)
		fmt.Fprintln(stderr, err)
		return f, err
	}
	return f, nil
}

// runFleet runs a fleet. The first TV's screen and state are served where
// the single TV's are; /v1/fleet summarises them all.
func runFleet(ctx context.Context, getenv func(string) string, fl fleetFlags, stdout io.Writer, logger *slog.Logger) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	f, err := fleet.New(fleet.Config{
		Size: fl.size, First: fl.first, TokenPrefix: fl.tokenPrefix, Reports: fl.reports, Registering: fl.registering,
		Base: tv.Config{
			DevicePushURL: cfg.DevicePushURL,
			AppKey:        cfg.AppKey,
			DeviceAPIURL:  cfg.DeviceAPIURL,
			AlexaURL:      cfg.AlexaURL,
			MaxActionAge:  cfg.MaxActionAge,
		},
		Logger: logger,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	fmt.Fprintf(stdout, "tvapp-sim: fleet of %d TVs; summary at http://%s%s, TV i at http://%s%s<endpointId>/\n",
		fl.size, ln.Addr(), fleet.Path, ln.Addr(), fleet.TVPrefix)
	logger.Info("starting fleet", "addr", ln.Addr().String(), "size", fl.size, "first", fl.first, "devicePush", cfg.DevicePushURL,
		"deviceAPI", cfg.DeviceAPIURL, "alexa", cfg.AlexaURL)
	return serve(ctx, ln, f.Handler(f.First().Handler()), f.Run, logger)
}

func run(ctx context.Context, getenv func(string) string, stdout io.Writer, logger *slog.Logger) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	t, err := tv.New(tv.Config{
		DevicePushURL: cfg.DevicePushURL,
		AppKey:        cfg.AppKey,
		DeviceAPIURL:  cfg.DeviceAPIURL,
		AlexaURL:      cfg.AlexaURL,
		AccountToken:  cfg.AccountToken,
		DeviceID:      cfg.DeviceID,
		EndpointID:    cfg.EndpointID,
		FriendlyName:  cfg.FriendlyName,
		MaxActionAge:  cfg.MaxActionAge,
		Logger:        logger,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	fmt.Fprintf(stdout, "tvapp-sim: TV screen at http://%s/ (state %s, events %s, faults %s, health %s)\n",
		ln.Addr(), screen.StatePath, screen.EventsPath, fault.Path, screen.HealthPath)
	logger.Info("starting", "addr", ln.Addr().String(), "endpointId", cfg.EndpointID, "devicePush", cfg.DevicePushURL,
		"deviceAPI", cfg.DeviceAPIURL, "alexa", cfg.AlexaURL, "maxActionAge", cfg.MaxActionAge)
	return serve(ctx, ln, t.Handler(), t.Run, logger)
}

// serve runs the TVs (run) and the HTTP server until ctx is done or the
// server fails, then shuts both down.
func serve(ctx context.Context, ln net.Listener, h http.Handler, run func(context.Context) error, logger *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Requests live in ctx, so open event streams end when it does and
	// Shutdown does not wait for them.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	var wg sync.WaitGroup
	wg.Go(func() { _ = run(ctx) })
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
		err = fmt.Errorf("serve: %w", err)
	}
	cancel()
	logger.Info("shutting down")
	shutdownCtx, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	if serr := srv.Shutdown(shutdownCtx); serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		_ = srv.Close()
		err = errors.Join(err, fmt.Errorf("shutdown: %w", serr))
	}
	wg.Wait()
	logger.Info("stopped")
	return err
}
