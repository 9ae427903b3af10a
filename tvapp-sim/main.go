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
// HTTP: GET / (the TV screen), GET /v1/state (state JSON), GET /healthz
// (200 once registered with device-push, the device API and Alexa; 503 before).
package main

import (
	"context"
	"errors"
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

	"livingroom/internal/push"
	"livingroom/tvapp-sim/client"
	"livingroom/tvapp-sim/player"
	"livingroom/tvapp-sim/register"
	"livingroom/tvapp-sim/report"
	"livingroom/tvapp-sim/screen"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout, logger); err != nil {
		logger.Error("tvapp-sim failed", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout io.Writer, logger *slog.Logger) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var reporter *report.Reporter // set below, before any action can arrive
	p := player.New(time.Now, player.Options{MaxAge: cfg.MaxActionAge, OnChange: func() { reporter.Changed() }})
	reg := register.New(register.Config{
		DeviceAPIURL: cfg.DeviceAPIURL,
		AlexaURL:     cfg.AlexaURL,
		AccountToken: cfg.AccountToken,
		Endpoint:     register.Endpoint{EndpointID: cfg.EndpointID, FriendlyName: cfg.FriendlyName, DeviceID: cfg.DeviceID},
		Logger:       logger.With("component", "register"),
	})
	reporter = report.New(report.Config{
		DeviceAPIURL: cfg.DeviceAPIURL,
		EndpointID:   cfg.EndpointID,
		AccountToken: cfg.AccountToken,
		Player:       p,
		Registration: reg,
		Logger:       logger.With("component", "report"),
	})
	conn, err := client.New(client.Config{
		URL:          cfg.DevicePushURL,
		OnRegistered: reg.SetRegistrationID,
		Handle:       applyActions(p, time.Now, logger.With("component", "player")),
		Logger:       logger.With("component", "client"),
	})
	if err != nil {
		return fmt.Errorf("device-push client: %w", err)
	}
	srv := &http.Server{
		Handler: screen.NewHandler(screen.Config{
			EndpointID: cfg.EndpointID, FriendlyName: cfg.FriendlyName,
			Player: p, Registration: reg, Connection: conn, Logger: logger.With("component", "screen"),
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	fmt.Fprintf(stdout, "tvapp-sim: TV screen at http://%s/ (state %s, health %s)\n", ln.Addr(), screen.StatePath, screen.HealthPath)
	logger.Info("starting", "addr", ln.Addr().String(), "endpointId", cfg.EndpointID, "devicePush", cfg.DevicePushURL,
		"deviceAPI", cfg.DeviceAPIURL, "alexa", cfg.AlexaURL, "maxActionAge", cfg.MaxActionAge)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { _ = reg.Run(ctx) })
	wg.Go(func() { _ = conn.Run(ctx) })
	wg.Go(func() { _ = reporter.Run(ctx) })
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

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
		err = errors.Join(err, fmt.Errorf("shutdown: %w", serr))
	}
	wg.Wait()
	logger.Info("stopped")
	return err
}

// applyActions decodes each device-push message as an action and applies
// it. Invalid data is logged and dropped; the client acknowledges either way.
func applyActions(p *player.Player, now func() time.Time, logger *slog.Logger) client.Handler {
	return func(_ context.Context, f push.Frame) {
		a, outcome, err := p.ApplyData(f.Data)
		if err != nil {
			logger.Error("invalid action; dropping it", "messageId", f.MessageID, "err", err)
			return
		}
		attrs := []any{"messageId", f.MessageID, "actionId", a.ID, "type", a.Type, "outcome", outcome.String()}
		if f.SentAtMs > 0 {
			attrs = append(attrs, "deliveryMs", now().UnixMilli()-f.SentAtMs)
		}
		logger.Info("action", attrs...)
	}
}
