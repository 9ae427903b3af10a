// Package fleet runs many simulated TVs in one process (`tvapp-sim --fleet
// N`) for load tests: each TV has its own device-push connection and
// registration id, its own account and endpoint, and registers with the
// device API and Alexa like the single TV. They share one HTTP client and
// start in a ramp so that the backend is not asked to register them all at
// once.
package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"livingroom/tvapp-sim/fleetid"
	"livingroom/tvapp-sim/register"
	"livingroom/tvapp-sim/tv"
)

// Config is the fleet.
type Config struct {
	Size        int    // how many TVs
	First       int    // the index of the first TV (1 when zero): processes can split a range
	TokenPrefix string // fleetid.DefaultTokenPrefix when empty
	// Base holds what every TV shares: URLs, the maximum action age. Its
	// identity fields are replaced per TV.
	Base tv.Config
	// Registering bounds the TVs started but not yet registered: the device
	// API is one Lambda that takes one call at a time. DefaultRegistering
	// when zero.
	Registering int
	// Reports turns the TVs' state reports on (each after every change and
	// every ReportHeartbeat); off, the fleet only loads device messaging
	// and registration.
	Reports         bool
	ReportHeartbeat time.Duration // DefaultReportHeartbeat when zero
	Logger          *slog.Logger
}

// Defaults.
const (
	DefaultRegistering     = 32
	DefaultReportHeartbeat = 10 * time.Minute
	rememberIDs            = 32 // a fleet TV keeps few action ids: memory per TV matters here
	maxListLimit           = 1000
)

// Fleet is the running fleet. Create it with New.
type Fleet struct {
	cfg     Config
	tvs     []*tv.TV
	byID    map[string]*tv.TV
	started atomic.Int64
	began   time.Time
	readyAt atomic.Int64 // unix ms when the last TV registered; 0 before
}

// New builds the TVs (nothing connects before Run).
func New(cfg Config) (*Fleet, error) {
	if cfg.Size < 1 || cfg.Size > fleetid.MaxSize {
		return nil, fmt.Errorf("fleet size %d: want 1 to %d", cfg.Size, fleetid.MaxSize)
	}
	if cfg.First < 1 {
		cfg.First = 1
	}
	if cfg.First+cfg.Size-1 > fleetid.MaxSize {
		return nil, fmt.Errorf("fleet TVs %d to %d: the last index is %d", cfg.First, cfg.First+cfg.Size-1, fleetid.MaxSize)
	}
	if cfg.TokenPrefix == "" {
		cfg.TokenPrefix = fleetid.DefaultTokenPrefix
	}
	if cfg.Registering <= 0 {
		cfg.Registering = DefaultRegistering
	}
	if cfg.ReportHeartbeat <= 0 {
		cfg.ReportHeartbeat = DefaultReportHeartbeat
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	// One client for all: connections to the device API and Alexa are reused.
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 256, MaxIdleConnsPerHost: 128, IdleConnTimeout: 90 * time.Second,
	}}
	// Small buffers: device messages are at most 6 KB and rare.
	dialer := &websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 512}
	f := &Fleet{cfg: cfg, tvs: make([]*tv.TV, 0, cfg.Size), byID: make(map[string]*tv.TV, cfg.Size)}
	for i := cfg.First; i < cfg.First+cfg.Size; i++ {
		id := fleetid.For(i, cfg.TokenPrefix)
		c := cfg.Base
		c.DeviceID, c.FriendlyName, c.AccountToken = id.DeviceID, id.FriendlyName, id.Token
		c.EndpointID = register.EndpointIDFor(id.DeviceID)
		c.RememberIDs = rememberIDs
		c.HTTPClient, c.Dialer = hc, dialer
		c.Quiet, c.Headless = true, true
		c.ReportProgress, c.ReportHeartbeat = cfg.ReportHeartbeat, cfg.ReportHeartbeat
		c.NoReports = !cfg.Reports
		c.Logger = cfg.Logger.With("endpointId", c.EndpointID)
		t, err := tv.New(c)
		if err != nil {
			return nil, fmt.Errorf("fleet TV %d: %w", i, err)
		}
		f.tvs = append(f.tvs, t)
		f.byID[c.EndpointID] = t
	}
	return f, nil
}

// First returns the fleet's first TV (whose screen tvapp-sim serves at /).
func (f *Fleet) First() *tv.TV { return f.tvs[0] }

// TV returns the TV with that endpoint id.
func (f *Fleet) TV(endpointID string) (*tv.TV, bool) {
	t, ok := f.byID[endpointID]
	return t, ok
}

// Run starts the TVs in a ramp (at most Registering unregistered at a
// time) and runs them until ctx is done.
func (f *Fleet) Run(ctx context.Context) error {
	f.began = time.Now()
	var wg sync.WaitGroup
	pending := make([]*tv.TV, 0, f.cfg.Registering)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for _, t := range f.tvs {
		for len(pending) >= f.cfg.Registering {
			pending = stillRegistering(pending)
			if len(pending) < f.cfg.Registering {
				break
			}
			select {
			case <-ctx.Done():
				wg.Wait()
				return nil
			case <-tick.C:
			}
		}
		wg.Go(func() { _ = t.Run(ctx) })
		f.started.Add(1)
		pending = append(pending, t)
	}
	f.cfg.Logger.Info("fleet: every TV started", "size", len(f.tvs), "took", time.Since(f.began).Round(time.Millisecond))
	wg.Go(func() { f.watchReady(ctx) })
	wg.Wait()
	return nil
}

func stillRegistering(ts []*tv.TV) []*tv.TV {
	kept := ts[:0]
	for _, t := range ts {
		if !t.Registration().Registered() {
			kept = append(kept, t)
		}
	}
	return kept
}

// watchReady notes when every TV is registered.
func (f *Fleet) watchReady(ctx context.Context) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if s := f.Summary(false); s.Registered == s.Size {
			f.readyAt.Store(time.Now().UnixMilli())
			f.cfg.Logger.Info("fleet: every TV registered", "size", s.Size, "took", time.Since(f.began).Round(time.Millisecond))
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Summary is the GET /v1/fleet document.
type Summary struct {
	Size             int     `json:"size"`
	First            int     `json:"first"`
	Started          int     `json:"started"`
	Registered       int     `json:"registered"`
	Connected        int     `json:"connected"`
	CommandsReceived int64   `json:"commandsReceived"`
	CommandsApplied  int64   `json:"commandsApplied"`
	ReadyAfterMs     int64   `json:"readyAfterMs,omitempty"` // from start to every TV registered
	Memory           *Memory `json:"memory,omitempty"`
}

// Memory is the process's, as the runtime and the kernel see it.
type Memory struct {
	RSSBytes       int64  `json:"rssBytes"` // VmRSS; 0 where /proc is missing
	HeapAllocBytes uint64 `json:"heapAllocBytes"`
	SysBytes       uint64 `json:"sysBytes"`
	Goroutines     int    `json:"goroutines"`
}

// Summary counts the fleet; withMemory adds the process's memory.
func (f *Fleet) Summary(withMemory bool) Summary {
	s := Summary{Size: len(f.tvs), First: f.cfg.First, Started: int(f.started.Load())}
	for _, t := range f.tvs {
		if t.Registration().Registered() {
			s.Registered++
		}
		if t.Connected() {
			s.Connected++
		}
		rcv, app := t.Counts()
		s.CommandsReceived += rcv
		s.CommandsApplied += app
	}
	if at := f.readyAt.Load(); at > 0 {
		s.ReadyAfterMs = at - f.began.UnixMilli()
	}
	if withMemory {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		s.Memory = &Memory{RSSBytes: rss(), HeapAllocBytes: ms.HeapAlloc, SysBytes: ms.Sys, Goroutines: runtime.NumGoroutine()}
	}
	return s
}

// rss reads VmRSS from /proc/self/status (Linux).
func rss() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// Member is one TV in GET /v1/fleet/tvs.
type Member struct {
	EndpointID       string `json:"endpointId"`
	DeviceID         string `json:"deviceId"`
	RegistrationID   string `json:"registrationId"`
	Registered       bool   `json:"registered"`
	Connected        bool   `json:"connected"`
	CommandsReceived int64  `json:"commandsReceived"`
	CommandsApplied  int64  `json:"commandsApplied"`
}

// Paths served.
const (
	Path     = "/v1/fleet"
	TVsPath  = "/v1/fleet/tvs"
	TVPrefix = "/tv/" // /tv/{endpointId}/… is that TV's screen, state, events and faults
)

// Handler serves the fleet paths; everything else goes to next (the first
// TV's handler).
func (f *Fleet) Handler(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Path, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, f.Summary(true)) })
	mux.HandleFunc("GET "+TVsPath, f.list)
	mux.HandleFunc(TVPrefix+"{endpointId}/", f.one)
	mux.Handle("/", next)
	return mux
}

// list pages through the TVs: ?offset=0&limit=100 (at most 1000).
func (f *Fleet) list(w http.ResponseWriter, r *http.Request) {
	offset, err1 := atoiOr(r.URL.Query().Get("offset"), 0)
	limit, err2 := atoiOr(r.URL.Query().Get("limit"), 100)
	if err1 != nil || err2 != nil || offset < 0 || limit < 1 || limit > maxListLimit {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "message": "offset ≥ 0 and limit 1 to 1000, please."})
		return
	}
	out := struct {
		Total int      `json:"total"`
		TVs   []Member `json:"tvs"`
	}{Total: len(f.tvs), TVs: []Member{}}
	for _, t := range f.tvs[min(offset, len(f.tvs)):min(offset+limit, len(f.tvs))] {
		st := t.Registration()
		rcv, app := t.Counts()
		out.TVs = append(out.TVs, Member{
			EndpointID: t.EndpointID(), DeviceID: t.DeviceID(), RegistrationID: st.RegistrationID, Registered: st.Registered(),
			Connected: t.Connected(), CommandsReceived: rcv, CommandsApplied: app,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// one serves a TV's own paths under /tv/{endpointId}/.
func (f *Fleet) one(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("endpointId")
	t, ok := f.byID[id]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found", "message": "No such TV in this fleet."})
		return
	}
	http.StripPrefix(TVPrefix+id, t.Handler()).ServeHTTP(w, r)
}

func atoiOr(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	return strconv.Atoi(s)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}
