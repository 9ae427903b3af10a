// Command tvapp-sim is the simulated Fire TV app: it connects to device-push,
// registers with the device API and Alexa, applies the actions it receives
// to a player, and serves the TV screen and its state over HTTP for QA.
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
	p := player.New(time.Now, player.Options{})
	reg := register.New(register.Config{
		DeviceAPIURL: cfg.DeviceAPIURL,
		AlexaURL:     cfg.AlexaURL,
		AccountToken: cfg.AccountToken,
		Endpoint:     register.Endpoint{EndpointID: cfg.EndpointID, FriendlyName: cfg.FriendlyName, DeviceID: cfg.DeviceID},
		Logger:       logger.With("component", "register"),
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
		"deviceAPI", cfg.DeviceAPIURL, "alexa", cfg.AlexaURL)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { _ = reg.Run(ctx) })
	wg.Go(func() { _ = conn.Run(ctx) })
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
