// Package server is device-push's HTTP face: ADM's token and send API
// (wire-compatible with api.amazon.com), the websocket devices connect to,
// a health check and a QA view of registrations.
package server

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/websocket"

	"livingroom/device-push/hub"
	"livingroom/device-push/lwa"
	"livingroom/internal/adm"
	"livingroom/internal/push"
)

// Config holds the server's injected dependencies. Zero fields take the
// production defaults.
type Config struct {
	Now          func() time.Time // time.Now
	NewRequestID func() string    // uuid.NewString; also the message id
	Conn         hub.ConnConfig
	// AppKey is the key the TV app presents to register and connect, as
	// ADM's api_key.txt; required.
	AppKey string
	// Rate and Burst limit the sender's sends (token bucket); a send over
	// it is 429 MaxRateExceeded with Retry-After. Zero Rate: DefaultRate;
	// negative: unlimited.
	Rate  float64
	Burst int
	// Sends, when set, is told each send request's result: "accepted", "duplicate" or
	// the ADM reason of the refusal; if it also has Receipt(delivery string),
	// what each receipt said.
	Sends interface{ Sent(result string) }
	// Metrics, when set, is served at GET /metrics.
	Metrics http.Handler
}

// Server serves device-push's HTTP API. Close it to end the websockets.
type Server struct {
	hub    *hub.Hub
	issuer *lwa.Issuer
	cfg    Config
	logger *slog.Logger
	mux    *http.ServeMux
	limits senderLimit

	upgrader websocket.Upgrader

	// life outlives requests: a websocket's pumps run after its handler
	// returned (which frees the handler's stack and net/http's buffers).
	life     context.Context
	shutdown context.CancelFunc
	mu       sync.Mutex // guards closed, so no conns.Add races conns.Wait
	closed   bool
	conns    sync.WaitGroup
}

// New returns the HTTP handler of device-push.
func New(h *hub.Hub, issuer *lwa.Issuer, cfg Config, logger *slog.Logger) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewRequestID == nil {
		cfg.NewRequestID = uuid.NewString
	}
	if cfg.Rate == 0 {
		cfg.Rate, cfg.Burst = DefaultRate, cmp.Or(cfg.Burst, DefaultBurst)
	}
	life, shutdown := context.WithCancel(context.Background())
	s := &Server{
		hub:    h,
		issuer: issuer,
		cfg:    cfg,
		logger: logger,
		mux:    http.NewServeMux(),
		limits: newSenderLimit(cfg.Rate, cmp.Or(cfg.Burst, DefaultBurst)),
		upgrader: websocket.Upgrader{
			// 0: the upgrader reads through the hijacked reader, which
			// handleConnect makes a small one (readBufferSize).
			ReadBufferSize:  0,
			WriteBufferSize: 4096,
			// Idle devices hold no write buffer between messages.
			WriteBufferPool: &sync.Pool{},
			// Devices are not browsers and no cookie or credential rides on
			// the handshake, so there is nothing for a foreign origin to abuse;
			// a QA page served from another port may connect.
			CheckOrigin: func(*http.Request) bool { return true },
		},
		life:     life,
		shutdown: shutdown,
	}
	s.mux.HandleFunc("GET /healthz", s.handleHealth)
	s.mux.HandleFunc("GET /readyz", s.handleReady)
	if cfg.Metrics != nil {
		s.mux.Handle("GET /metrics", cfg.Metrics)
	}
	s.mux.HandleFunc("POST "+adm.TokenPath, s.handleToken)
	s.mux.HandleFunc("POST "+adm.SendPathPrefix+"{registrationId}"+adm.SendPathSuffix, s.handleSend)
	s.mux.HandleFunc("GET "+push.ConnectPath, s.handleConnect)
	s.mux.HandleFunc("POST "+push.RegistrationsPath, s.handleRegister)
	s.mux.HandleFunc("GET /v1/registrations/{registrationId}", s.handleRegistration)
	return s
}

// ServeHTTP implements http.Handler. Every response carries a fresh
// X-Amzn-RequestId, as ADM's do; a send's is also its message id.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(adm.HeaderRequestID, s.cfg.NewRequestID())
	s.mux.ServeHTTP(w, r)
}

// Close ends every websocket with a going-away close frame and waits for
// their goroutines, or for ctx. Call it after http.Server.Shutdown, which
// does not see hijacked connections.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.shutdown()
	s.hub.CloseAll(hub.DisconnectShutdown)
	done := make(chan struct{})
	go func() {
		s.conns.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("close websockets: %w", ctx.Err())
	}
}

// track counts a websocket in, unless the server is closing.
func (s *Server) track() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns.Add(1)
	return true
}

func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyTimeout bounds the store check behind /readyz.
const readyTimeout = 2 * time.Second

// handleReady answers 200 while device-push takes messages: not draining,
// and its store answering.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	draining := s.closed
	s.mu.Unlock()
	if draining {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.hub.Ready(ctx); err != nil {
		s.logger.Warn("not ready: store", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "store unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) handleRegistration(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("registrationId")
	if !hub.ValidRegistrationID(id) {
		writeJSON(w, http.StatusNotFound, adm.ErrorBody{Reason: adm.ReasonUnregistered})
		return
	}
	st, err := s.hub.Status(r.Context(), id)
	switch {
	case errors.Is(err, hub.ErrUnregistered):
		writeJSON(w, http.StatusNotFound, adm.ErrorBody{Reason: adm.ReasonUnregistered})
	case err != nil:
		s.logger.Error("registration status", "registrationId", id, "err", err)
		writeJSON(w, http.StatusInternalServerError, adm.ErrorBody{Reason: reasonInternal})
	default:
		writeJSON(w, http.StatusOK, st)
	}
}

// reasonInternal is device-push's reason for a 500; ADM sends none.
const reasonInternal = "InternalError"

// reasonUnavailable comes with a 503 when the message store cannot take a
// send (ADM's 503 carries no reason; a client reads the status).
const reasonUnavailable = "ServiceUnavailable"

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own fixed types are written: a programming error.
		status, b = http.StatusInternalServerError, []byte(`{"reason":"`+reasonInternal+`"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// A failed write means the client left; there is no one to tell.
	_, _ = w.Write(append(b, '\n'))
}
