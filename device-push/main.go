// Command device-push is a stand-in for Amazon Device Messaging: ADM's token
// and send API, wire-compatible, delivering to devices over websockets.
//
// Environment:
//
//	DEVICE_PUSH_ADDR   listen address (127.0.0.1:8200)
//	ADM_CLIENT_ID      the one sender's client id (dev-client)
//	ADM_CLIENT_SECRET  its secret, which also signs access tokens (dev-secret)
//	DEVICE_PUSH_APP_KEY the TV app's key, required to register and connect (dev-app-key)
//	DEVICE_PUSH_REGISTRATION_TTL how long a registration lives without its device
//	                   connecting (720h)
//	DEVICE_PUSH_RATE   sends per second allowed to the sender (50000; 0: unlimited)
//	DEVICE_PUSH_BURST  sends allowed at once above that rate (10000)
//	DEVICE_PUSH_DATA_DIR the embedded NATS JetStream's directory: accepted
//	                   messages and registrations survive a restart (kill -9
//	                   included); empty keeps them in memory only
//	DEVICE_PUSH_NATS_URL an external NATS (cluster) instead of the embedded
//	                   server, shared by several device-push nodes
//	DEVICE_PUSH_NATS_LISTEN the embedded server also serves NATS clients
//	                   (other nodes) at this host:port (none: this node is
//	                   the only writer and delivers without a consumer)
//	DEVICE_PUSH_NATS_REPLICAS stream and bucket replicas on a NATS cluster (1)
//	DEVICE_PUSH_NATS_SYNC_ALWAYS fsync each write of the embedded server
//	                   before accepting (false: survives kill -9, not a host crash)
//	DEVICE_PUSH_MEMORY_TRIM how often to check whether to hand free heap
//	                   memory back to the OS (5s; 0: never, the Go runtime's
//	                   own pace; see device-push/memtrim)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"livingroom/device-push/hub"
	"livingroom/device-push/jetstream"
	"livingroom/device-push/lwa"
	"livingroom/device-push/memtrim"
	"livingroom/device-push/metrics"
	"livingroom/device-push/server"
	"livingroom/internal/push"
)

const shutdownTimeout = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "device-push:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	env := func(key, fallback string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return fallback
	}
	addr := env("DEVICE_PUSH_ADDR", "127.0.0.1:8200")
	clientID := env("ADM_CLIENT_ID", "dev-client")
	clientSecret := env("ADM_CLIENT_SECRET", "dev-secret")
	appKey := env("DEVICE_PUSH_APP_KEY", push.DevelopmentAppKey)
	regTTL := hub.DefaultRegistrationTTL
	if v := getenv("DEVICE_PUSH_REGISTRATION_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			return fmt.Errorf("DEVICE_PUSH_REGISTRATION_TTL %q: want a duration of at least 1s, such as 720h", v)
		}
		regTTL = d
	}

	limit, err := rateFromEnv(getenv)
	if err != nil {
		return err
	}
	trimEvery, err := trimFromEnv(getenv)
	if err != nil {
		return err
	}
	storeOpts, err := storeFromEnv(getenv, regTTL)
	if err != nil {
		return err
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	backend, err := jetstream.Start(ctx, storeOpts, logger)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer backend.Close()
	logger.Info("device-push store", "on", backend.Where(), "natsURL", backend.ClientURL())
	m := metrics.New()
	h := hub.New(backend.Store, hub.Config{Now: time.Now, Observer: m, RegistrationTTL: regTTL}, logger)
	m.Watch(h)
	hubCtx, stopHub := context.WithCancel(context.Background())
	defer stopHub()
	if err := h.Start(hubCtx); err != nil {
		return err
	}
	if trimEvery > 0 {
		go memtrim.Run(hubCtx, memtrim.Config{Every: trimEvery})
	}
	issuer := lwa.NewIssuer(clientID, clientSecret, lwa.DefaultTTL, time.Now)
	handler := server.New(h, issuer, server.Config{AppKey: appKey, Rate: limit.rate, Burst: limit.burst, Sends: m, Metrics: m.Handler()}, logger)

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("device-push listening", "addr", ln.Addr().String(), "clientId", clientID)

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("device-push shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	// Stop taking requests and finish the ones in flight, then say goodbye
	// to the websockets, which Shutdown does not track.
	err = srv.Shutdown(shutdownCtx)
	err = errors.Join(err, handler.Close(shutdownCtx))
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("device-push stopped")
	return nil
}

// storeFromEnv reads where the JetStream store lives.
func storeFromEnv(getenv func(string) string, regTTL time.Duration) (jetstream.Options, error) {
	o := jetstream.Options{
		URL:      getenv("DEVICE_PUSH_NATS_URL"),
		Embedded: jetstream.EmbeddedConfig{Dir: getenv("DEVICE_PUSH_DATA_DIR"), Listen: getenv("DEVICE_PUSH_NATS_LISTEN")},
		Store:    jetstream.Config{Limit: hub.DefaultPendingLimit, RegistrationTTL: regTTL},
	}
	if o.URL != "" && (o.Embedded.Dir != "" || o.Embedded.Listen != "") {
		return o, errors.New("DEVICE_PUSH_NATS_URL: set it or DEVICE_PUSH_DATA_DIR / DEVICE_PUSH_NATS_LISTEN (the embedded server), not both")
	}
	if v := getenv("DEVICE_PUSH_NATS_REPLICAS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5 {
			return o, fmt.Errorf("DEVICE_PUSH_NATS_REPLICAS %q: want 1 to 5", v)
		}
		o.Store.Replicas = n
	}
	if v := getenv("DEVICE_PUSH_NATS_SYNC_ALWAYS"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return o, fmt.Errorf("DEVICE_PUSH_NATS_SYNC_ALWAYS %q: want true or false", v)
		}
		o.Embedded.SyncAlways = b
	}
	return o, nil
}

type sendLimit struct {
	rate  float64 // server.Config.Rate: negative is unlimited
	burst int
}

// rateFromEnv reads DEVICE_PUSH_RATE (0: unlimited) and DEVICE_PUSH_BURST.
func rateFromEnv(getenv func(string) string) (sendLimit, error) {
	l := sendLimit{rate: server.DefaultRate, burst: server.DefaultBurst}
	if v := getenv("DEVICE_PUSH_RATE"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r < 0 || math.IsInf(r, 0) || math.IsNaN(r) {
			return l, fmt.Errorf("DEVICE_PUSH_RATE %q: want sends per second, 0 for unlimited", v)
		}
		l.rate = r
		if r == 0 {
			l.rate = -1
		}
	}
	if v := getenv("DEVICE_PUSH_BURST"); v != "" {
		b, err := strconv.Atoi(v)
		if err != nil || b < 1 {
			return l, fmt.Errorf("DEVICE_PUSH_BURST %q: want a count of at least 1", v)
		}
		l.burst = b
	}
	return l, nil
}

// trimFromEnv reads DEVICE_PUSH_MEMORY_TRIM (0: never trim).
func trimFromEnv(getenv func(string) string) (time.Duration, error) {
	v := getenv("DEVICE_PUSH_MEMORY_TRIM")
	if v == "" {
		return memtrim.DefaultEvery, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || (d != 0 && d < time.Second) {
		return 0, fmt.Errorf("DEVICE_PUSH_MEMORY_TRIM %q: want 0 or a duration of at least 1s, such as 10s", v)
	}
	return d, nil
}
