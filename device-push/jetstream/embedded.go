package jetstream

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// EmbeddedConfig says how to run the NATS server inside device-push.
type EmbeddedConfig struct {
	// Dir keeps JetStream's files; what was accepted survives a restart
	// (kill -9 included) of a process given the same Dir. Empty: nothing is
	// written to disk and the store must be opened with Config.Memory.
	Dir string
	// Listen, when set (host:port), also serves NATS clients there, so that
	// other device-push nodes (DEVICE_PUSH_NATS_URL) or the nats CLI can use
	// this server. Empty: no socket, the process talks to it in memory.
	Listen string
	// SyncAlways fsyncs every write before acknowledging it, so accepted
	// messages also survive a host crash (JetStream's default flushes to the
	// OS at once and fsyncs every 2 minutes).
	SyncAlways bool
}

// readyTimeout bounds the embedded server's start.
const readyTimeout = 10 * time.Second

// Embedded is a NATS server with JetStream running in this process.
type Embedded struct {
	srv *server.Server
	tmp string // a scratch directory removed on Shutdown, when Dir is empty
}

// StartEmbedded starts the server and waits until it takes connections.
func StartEmbedded(cfg EmbeddedConfig, logger *slog.Logger) (*Embedded, error) {
	e := &Embedded{}
	dir := cfg.Dir
	if dir == "" {
		// JetStream wants a directory even when every stream is in memory.
		tmp, err := os.MkdirTemp("", "device-push-nats-")
		if err != nil {
			return nil, fmt.Errorf("embedded nats: %w", err)
		}
		dir, e.tmp = tmp, tmp
	}
	opts := &server.Options{
		ServerName: "device-push",
		JetStream:  true,
		StoreDir:   dir,
		SyncAlways: cfg.SyncAlways,
		DontListen: cfg.Listen == "",
		NoSigs:     true,
	}
	if cfg.Listen != "" {
		host, port, err := net.SplitHostPort(cfg.Listen)
		if err != nil {
			e.cleanup()
			return nil, fmt.Errorf("embedded nats listen %q: %w", cfg.Listen, err)
		}
		p, err := strconv.Atoi(port)
		if err != nil || p < 0 || p > 65535 {
			e.cleanup()
			return nil, fmt.Errorf("embedded nats listen %q: bad port", cfg.Listen)
		}
		opts.Host, opts.Port = host, p
		if p == 0 {
			opts.Port = server.RANDOM_PORT
		}
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		e.cleanup()
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	srv.SetLoggerV2(serverLogger{logger}, false, false, false)
	go srv.Start()
	if !srv.ReadyForConnections(readyTimeout) {
		srv.Shutdown()
		e.cleanup()
		return nil, errors.New("embedded nats: not ready in time (is the data directory used by another process?)")
	}
	e.srv = srv
	return e, nil
}

// Connect opens an in-process connection (no socket) to the server.
func (e *Embedded) Connect(name string) (*nats.Conn, error) {
	nc, err := nats.Connect("", nats.InProcessServer(e.srv), nats.Name(name), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("embedded nats: connect: %w", err)
	}
	return nc, nil
}

// ClientURL is where other processes reach the server, when it listens.
func (e *Embedded) ClientURL() string { return e.srv.ClientURL() }

// Shutdown stops the server (flushing JetStream to disk) and removes its
// scratch directory if it had one.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
	e.cleanup()
}

func (e *Embedded) cleanup() {
	if e.tmp != "" {
		_ = os.RemoveAll(e.tmp)
	}
}

// serverLogger passes the server's notices on to device-push's log.
type serverLogger struct{ l *slog.Logger }

func (s serverLogger) Noticef(format string, v ...any) {
	s.l.Debug("nats: " + fmt.Sprintf(format, v...))
}
func (s serverLogger) Warnf(format string, v ...any) { s.l.Warn("nats: " + fmt.Sprintf(format, v...)) }
func (s serverLogger) Fatalf(format string, v ...any) {
	s.l.Error("nats: " + fmt.Sprintf(format, v...))
}
func (s serverLogger) Errorf(format string, v ...any) {
	s.l.Error("nats: " + fmt.Sprintf(format, v...))
}
func (s serverLogger) Debugf(string, ...any) {}
func (s serverLogger) Tracef(string, ...any) {}
