package loadtest

// The floor: the least a server that pushes ADM sends to websockets must do
// per message, to tell how much of device-push's CPU per message any server
// on this box would spend anyway. It speaks just enough of device-push's
// protocol for the device-push target (a token, the send path, /ws with a
// registered frame) and does only the unavoidable per message: read and
// answer the HTTP request, find the data in the body, write one frame to the
// device's websocket (from the sender's goroutine: no hand-off) and read the
// device's ack (dropped undecoded). Optionally it also stores each send with
// device-push's own JetStream store before answering, the persistence the
// issue-7 bars require. No auth check, no validation, no limits: a
// measuring instrument for loopback, never a server to deploy.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"livingroom/device-push/hub"
	"livingroom/device-push/jetstream"
	"livingroom/internal/adm"
	"livingroom/internal/push"
)

// FloorConfig configures RunFloor.
type FloorConfig struct {
	Addr     string
	Listener net.Listener // when set, served instead of listening on Addr
	// Store: "none" (default), "memory" or "files" (in Dir): each send is
	// appended to device-push's JetStream store on an embedded server
	// before it is answered.
	Store string
	Dir   string
}

// floorAppender is the one store call the floor makes.
type floorAppender interface {
	AppendLive(ctx context.Context, id string, m hub.Message) (uint64, error)
}

type floorServer struct {
	store     floorAppender
	upgrader  websocket.Upgrader
	nextID    atomic.Uint64 // registrations
	nextMsgID atomic.Uint64
	mu        sync.RWMutex
	conns     map[string]*floorConn
	bodies    sync.Pool // *bytes.Buffer
}

type floorConn struct {
	mu sync.Mutex // one writer at a time
	ws *websocket.Conn
}

// RunFloor serves the floor on cfg.Addr until ctx ends.
func RunFloor(ctx context.Context, cfg FloorConfig, logger *slog.Logger) error {
	s := &floorServer{
		conns:    make(map[string]*floorConn),
		upgrader: websocket.Upgrader{WriteBufferSize: 4096, WriteBufferPool: &sync.Pool{}},
	}
	switch cfg.Store {
	case "", "none":
	case "memory", "files":
		ec := jetstream.EmbeddedConfig{}
		if cfg.Store == "files" {
			if cfg.Dir == "" {
				return errors.New("floor: -store files needs a directory")
			}
			ec.Dir = cfg.Dir
		}
		e, err := jetstream.StartEmbedded(ec, logger)
		if err != nil {
			return fmt.Errorf("floor: %w", err)
		}
		defer e.Shutdown()
		nc, err := e.Connect("floor")
		if err != nil {
			return fmt.Errorf("floor: %w", err)
		}
		defer nc.Close()
		st, err := jetstream.Open(ctx, nc, jetstream.Config{Memory: cfg.Store == "memory", Exclusive: true}, logger)
		if err != nil {
			return fmt.Errorf("floor: %w", err)
		}
		defer st.Close()
		s.store = st
	default:
		return fmt.Errorf("floor: unknown store %q (want none, memory or files)", cfg.Store)
	}
	mux := http.NewServeMux()
	ok := func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }
	mux.HandleFunc("GET /healthz", ok)
	mux.HandleFunc("GET /readyz", ok)
	mux.HandleFunc("POST "+adm.TokenPath, s.token)
	mux.HandleFunc("POST "+adm.SendPathPrefix+"{id}"+adm.SendPathSuffix, s.send)
	mux.HandleFunc("GET "+push.ConnectPath, s.connect)
	ln := cfg.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return fmt.Errorf("floor: %w", err)
		}
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	logger.Info("floor server listening", "addr", ln.Addr().String(), "store", cfg.Store)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("floor: %w", err)
	}
	return nil
}

func (s *floorServer) token(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(adm.Token{AccessToken: "floor", ExpiresIn: 3600, TokenType: "bearer", Scope: adm.ScopeMessagingPush})
}

func (s *floorServer) connect(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("registrationId")
	if id == "" {
		id = "floor-" + strconv.FormatUint(s.nextID.Add(1), 10)
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	reg, _ := push.Encode(push.Frame{Type: push.TypeRegistered, RegistrationID: id, Secret: "floor"})
	// In the map before the registered frame goes out (and holding the
	// write lock until it has): a send that follows the device's handshake
	// finds the connection, and its frame follows the registered one.
	c := &floorConn{ws: ws}
	c.mu.Lock()
	s.mu.Lock()
	s.conns[id] = c
	s.mu.Unlock()
	err = ws.WriteMessage(websocket.TextMessage, reg)
	c.mu.Unlock()
	for err == nil {
		var rd io.Reader
		if _, rd, err = ws.NextReader(); err == nil {
			_, err = io.Copy(io.Discard, rd)
		}
	}
	s.mu.Lock()
	if s.conns[id] == c {
		delete(s.conns, id)
	}
	s.mu.Unlock()
	ws.Close()
}

func (s *floorServer) send(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	buf, _ := s.bodies.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer s.bodies.Put(buf)
	buf.Reset()
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, 8<<10))
	var m struct {
		Data json.RawMessage `json:"data"`
	}
	if err == nil {
		err = json.Unmarshal(buf.Bytes(), &m)
	}
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	now := time.Now()
	frame := push.EncodeMessage(nil, push.Message{
		MessageID: strconv.FormatUint(s.nextMsgID.Add(1), 10),
		Data:      m.Data,
		SentAtMs:  now.UnixMilli(),
	})
	if s.store != nil {
		hm := hub.Message{ID: "floor", Frame: frame, SentAt: now, ExpiresAt: now.Add(time.Hour)}
		if _, err := s.store.AppendLive(r.Context(), id, hm); err != nil {
			http.Error(w, "store", http.StatusInternalServerError)
			return
		}
	}
	s.mu.RLock()
	c := s.conns[id]
	s.mu.RUnlock()
	if c != nil {
		c.mu.Lock()
		_ = c.ws.WriteMessage(websocket.TextMessage, frame)
		c.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(adm.SendResult{RegistrationID: id})
}
