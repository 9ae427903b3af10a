// Package server is alexa-sim's HTTP API: the event gateway, the endpoint
// list, "say" (utterance → directive → skill Lambda), catalog reload and
// health.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"livingroom/alexa-sim/askskill"
	"livingroom/alexa-sim/gateway"
	"livingroom/alexa-sim/ingest"
	"livingroom/alexa-sim/invoke"
	"livingroom/alexa-sim/linking"
	"livingroom/alexa-sim/lwa"
	"livingroom/alexa-sim/nlu"
	"livingroom/alexa-sim/trace"
)

// Bounds of what the server keeps in memory.
const (
	tracesKept     = 200
	eventsKept     = 500
	ingestionsKept = 20
)

// Invoker calls the skill with a directive and returns its reply.
// clientContext is the Lambda client context (base64), carrying the trace.
// A failure inside the function is an *invoke.FunctionError.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte, clientContext string) ([]byte, error)
}

// Config wires a Server.
type Config struct {
	Logger   *slog.Logger
	Registry *gateway.Registry
	Parser   *nlu.Parser
	Invoker  Invoker
	// LoadCatalog reads the ingested catalog; called at Reload.
	LoadCatalog func(ctx context.Context) (*ingest.Catalog, error)
	// CatalogSource names where LoadCatalog reads, for ingestion reports.
	CatalogSource string
	// IDs makes directive ids; IDs.MessageID also names gateway errors.
	IDs nlu.IDs
	Now func() time.Time
	// Traces keeps the timeline of each /v1/say.
	Traces *trace.Store
	// Events keeps what the event gateway accepted.
	Events *gateway.EventLog
	// Validator checks events against the Alexa schema (nil: structure only).
	Validator gateway.Validator
	// BaseURL is where other processes reach this server (trace hops).
	BaseURL string
	// LWA is the Login with Amazon stand-in: grant codes for AcceptGrant,
	// the token endpoint, and the tokens the event gateway accepts.
	LWA *lwa.Service
	// Linker links accounts at the partner (OAuth 2.0) and keeps their
	// tokens fresh; nil or unconfigured: endpoints' tokens are used as
	// registered.
	Linker *linking.Linker
	// CustomSkill plays Alexa for the custom skill ("ask Living Room …")
	// and CustomSkillInvoker calls its function; either nil: every
	// utterance goes to the video skill.
	CustomSkill        *askskill.Conversation
	CustomSkillInvoker Invoker
}

// catalogState is an ingested catalog and the language index built on it;
// swapped whole on reload.
type catalogState struct {
	catalog *ingest.Catalog
	index   *nlu.Index
}

// Server serves the simulator's API.
type Server struct {
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	catalog  atomic.Pointer[catalogState]
	reloadMu sync.Mutex // one reload at a time
	// ingestions keeps the reports of the last ingestions.
	ingestions *ingest.History
}

// New builds the server with an empty catalog; call Reload to ingest.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), ingestions: ingest.NewHistory(ingestionsKept)}
	if s.cfg.Traces == nil {
		s.cfg.Traces = trace.NewStore(cfg.Now, tracesKept)
	}
	if s.cfg.Events == nil {
		s.cfg.Events = gateway.NewEventLog(cfg.Now, eventsKept)
	}
	s.catalog.Store(&catalogState{catalog: &ingest.Catalog{}, index: nlu.NewIndex(nil, nil)})
	gw := gateway.NewHandler(cfg.Registry, cfg.Logger, cfg.IDs.MessageID)
	gw.Events = s.cfg.Events
	gw.Validator = cfg.Validator
	gw.OnChangeReport = s.changeReportHop
	if cfg.LWA != nil {
		gw.Tokens = cfg.LWA
		s.mux.Handle("POST /auth/o2/token", cfg.LWA)
		s.mux.HandleFunc("POST /v1/accounts/link", s.linkAccount)
		s.mux.HandleFunc("GET /v1/accounts/link/start", s.linkStart)
		s.mux.HandleFunc("GET /v1/accounts/link/callback", s.linkCallback)
		s.mux.HandleFunc("GET /v1/accounts", s.linkedAccounts)
	}
	s.mux.Handle("POST /v3/events", gw)
	s.mux.HandleFunc("GET /v1/endpoints", s.endpoints)
	s.mux.HandleFunc("GET /v1/change-reports", s.changeReports)
	s.mux.HandleFunc("GET /v1/events", s.events)
	s.mux.HandleFunc("POST /v1/say", s.say)
	s.mux.HandleFunc("POST /v1/directive", s.sendDirective)
	s.mux.HandleFunc("GET /v1/phrases", s.phrases)
	s.mux.HandleFunc("GET /v1/traces", s.traces)
	s.mux.HandleFunc("GET /v1/traces/{id}", s.getTrace)
	s.mux.HandleFunc("POST /v1/traces/{id}/hops", s.addHops)
	s.mux.HandleFunc("POST /v1/endpoints/{endpointId}/hops", s.addEndpointHops)
	s.mux.HandleFunc("GET /{$}", s.console)
	s.mux.HandleFunc("POST /v1/catalog/reload", s.reload)
	s.mux.HandleFunc("GET /v1/ingestion", s.ingestion)
	s.mux.HandleFunc("GET /healthz", s.health)
	return s
}

// ServeHTTP routes to the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Reload ingests the catalog again, as Alexa does periodically. On error
// (an unreadable feed, or a catalog with errors: ingest.ValidationError)
// the previous catalog stays in service. Either way the ingestion's report
// is kept (GET /v1/ingestion).
func (s *Server) Reload(ctx context.Context) (*ingest.Catalog, error) {
	c, _, err := s.reloadReport(ctx)
	return c, err
}

func (s *Server) reloadReport(ctx context.Context) (*ingest.Catalog, ingest.Report, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	started := s.cfg.Now()
	c, err := s.cfg.LoadCatalog(ctx)
	report := s.ingestions.Add(ingest.NewReport(s.cfg.CatalogSource, started, s.cfg.Now(), s.catalog.Load().catalog, c, err))
	if err != nil {
		return nil, report, fmt.Errorf("reload catalog: %w", err)
	}
	s.catalog.Store(&catalogState{catalog: c, index: nlu.NewIndex(c.Works(), c.Channels())})
	for _, name := range c.Missing {
		s.log.Warn("catalog file missing; serving without it", "file", name)
	}
	for _, p := range c.Problems {
		s.log.Warn("catalog item skipped", "problem", p)
	}
	s.log.Info("catalog ingested", "ingestion", report.ID, "counts", c.Counts(), "changes", report.Counts, "warnings", report.WarningCount)
	return c, report, nil
}

type endpointSummary struct {
	EndpointID   string `json:"endpointId"`
	FriendlyName string `json:"friendlyName"`
}

// errorBody is every non-2xx reply of the /v1 API.
type errorBody struct {
	Error     string            `json:"error"`
	Message   string            `json:"message"`
	Endpoints []endpointSummary `json:"endpoints,omitempty"`
	Directive json.RawMessage   `json:"directive,omitempty"`
	Response  json.RawMessage   `json:"response,omitempty"`
	TraceID   string            `json:"traceId,omitempty"`
	Report    *ingest.Report    `json:"report,omitempty"`
}

func (s *Server) endpoints(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, struct {
		Endpoints []gateway.Endpoint `json:"endpoints"`
	}{s.cfg.Registry.Endpoints()})
}

func (s *Server) changeReports(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, struct {
		ChangeReports []gateway.Event `json:"changeReports"`
	}{s.cfg.Registry.ChangeReports()})
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, struct {
		Status    string        `json:"status"`
		Catalog   ingest.Counts `json:"catalog"`
		Endpoints int           `json:"endpoints"`
	}{"ok", s.catalog.Load().catalog.Counts(), s.cfg.Registry.Len()})
}

func (s *Server) reload(w http.ResponseWriter, r *http.Request) {
	c, report, err := s.reloadReport(r.Context())
	if err != nil {
		s.log.Error("catalog reload failed; keeping the previous catalog", "ingestion", report.ID, "err", err)
		s.writeJSON(w, http.StatusInternalServerError, errorBody{Error: "catalog_invalid", Message: err.Error(), Report: &report})
		return
	}
	s.writeJSON(w, http.StatusOK, struct {
		Status   string        `json:"status"`
		Catalog  ingest.Counts `json:"catalog"`
		Missing  []string      `json:"missing,omitempty"`
		Problems []string      `json:"problems,omitempty"`
		Report   ingest.Report `json:"report"`
	}{"ok", c.Counts(), c.Missing, c.Problems, report})
}

// ingestion reports the last ingestions, newest first, as Amazon's
// ingestion report does: ?limit= (default 5, at most ingestionsKept).
func (s *Server) ingestion(w http.ResponseWriter, r *http.Request) {
	limit := 5
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > ingestionsKept {
			s.writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad_request", Message: fmt.Sprintf("limit must be 1 to %d", ingestionsKept)})
			return
		}
		limit = n
	}
	reports, active := s.ingestions.List(limit)
	var latest *ingest.Report
	if len(reports) > 0 {
		latest = &reports[0]
	}
	s.writeJSON(w, http.StatusOK, struct {
		Active     string          `json:"activeIngestionId"`
		Catalog    ingest.Counts   `json:"catalog"`
		Latest     *ingest.Report  `json:"latest"`
		Ingestions []ingest.Report `json:"ingestions"`
	}{active, s.catalog.Load().catalog.Counts(), latest, reports})
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		s.log.Debug("write reply", "err", err) // the client went away
	}
}

// asFunctionError reports a failure inside the skill function.
func asFunctionError(err error) (*invoke.FunctionError, bool) {
	var fe *invoke.FunctionError
	ok := errors.As(err, &fe)
	return fe, ok
}
