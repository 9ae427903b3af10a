package jetstream

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// Options choose where the store lives: a NATS server (cluster) by URL, or
// one embedded in the process.
type Options struct {
	// URL of the NATS server or cluster (comma-separated URLs, credentials
	// as user:password@ in the URL); empty runs the embedded server.
	URL      string
	Embedded EmbeddedConfig // when URL is empty
	Store    Config         // Store.Memory and Store.Exclusive are set for an embedded server
}

// connectTimeout bounds the first connection to an external NATS.
const connectTimeout = 5 * time.Second

// Backend is the opened store and what it runs on.
type Backend struct {
	Store *Store
	nc    *nats.Conn
	emb   *Embedded // nil with an external NATS
}

// Start connects (starting the embedded server first when opts.URL is
// empty) and opens the store.
func Start(ctx context.Context, opts Options, logger *slog.Logger) (*Backend, error) {
	b := &Backend{}
	var err error
	if opts.URL == "" {
		if b.emb, err = StartEmbedded(opts.Embedded, logger); err != nil {
			return nil, err
		}
		opts.Store.Memory = opts.Embedded.Dir == ""
		// Nobody else reaches a server that does not listen.
		opts.Store.Exclusive = opts.Embedded.Listen == ""
		b.nc, err = b.emb.Connect("device-push")
	} else {
		b.nc, err = nats.Connect(opts.URL, nats.Name("device-push"), nats.Timeout(connectTimeout), nats.MaxReconnects(-1),
			nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { logger.Warn("nats disconnected", "err", err) }),
			nats.ReconnectHandler(func(nc *nats.Conn) { logger.Info("nats reconnected", "url", nc.ConnectedUrlRedacted()) }))
		if err != nil {
			err = fmt.Errorf("nats %s: %w", redact(opts.URL), err)
		}
	}
	if err != nil {
		b.Close()
		return nil, err
	}
	if b.Store, err = Open(ctx, b.nc, opts.Store, logger); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// Where says what the store runs on, for the log.
func (b *Backend) Where() string {
	switch {
	case b.emb == nil:
		return "nats " + b.nc.ConnectedUrlRedacted()
	case b.Store.cfg.Memory:
		return "embedded nats, in memory"
	default:
		return "embedded nats, on disk"
	}
}

// ClientURL is where other nodes reach the embedded server ("" when it does
// not listen or is not embedded).
func (b *Backend) ClientURL() string {
	if b.emb == nil || b.emb.srv.Addr() == nil {
		return ""
	}
	return b.emb.ClientURL()
}

// Close flushes the connection (acks on their way go out) and stops the
// embedded server.
func (b *Backend) Close() {
	if b.Store != nil {
		b.Store.Close()
	}
	if b.nc != nil {
		_ = b.nc.FlushTimeout(time.Second)
		b.nc.Close()
	}
	if b.emb != nil {
		b.emb.Shutdown()
	}
}

// redact hides passwords in a NATS URL list, for error messages.
func redact(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		if u, err := url.Parse(strings.TrimSpace(p)); err == nil {
			parts[i] = u.Redacted()
		} else {
			parts[i] = "(unparsable url)"
		}
	}
	return strings.Join(parts, ",")
}
