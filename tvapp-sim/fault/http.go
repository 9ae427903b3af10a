package fault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Path is where faults are injected (POST), read (GET) and cleared (DELETE,
// or DELETE Path/{fault} for one).
const Path = "/v1/faults"

// maxBody bounds a POST body: a request is a few dozen bytes.
const maxBody = 1 << 10

// SettleTimeout bounds how long a POST or DELETE waits for the TV to act
// on the change (connection closed or back, power-off reported).
const SettleTimeout = 5 * time.Second

// Settler waits until the TV has acted on the faults as they are now.
type Settler interface {
	Settle(ctx context.Context) error
}

// List is the document every fault request answers with.
type List struct {
	Faults []Active `json:"faults"`
}

// ErrorBody is an error answer: a code and a fixed text.
type ErrorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// Fixed error answers.
var (
	errTooLarge   = ErrorBody{"body_too_large", "The request body is over 1 KB."}
	errBadJSON    = ErrorBody{"invalid_json", "The body must be one JSON object with known fields."}
	errUnknown    = ErrorBody{"unknown_fault", "Faults: offline, slow_ack, background, connection_drop, power_off, clock_skew."}
	errParameter  = ErrorBody{"invalid_parameter", "A parameter is missing, out of range or not used by this fault."}
	errNotActive  = ErrorBody{"not_active", "That fault is not active."}
	errNotSettled = ErrorBody{"not_settled", "The fault is set but the TV did not act on it in time."}
)

// NewHandler serves Path. settle may be nil (tests of the API alone).
func NewHandler(c *Controller, settle Settler, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{c: c, settle: settle, logger: logger}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Path, h.list)
	mux.HandleFunc("POST "+Path, h.inject)
	mux.HandleFunc("DELETE "+Path, h.clearAll)
	mux.HandleFunc("DELETE "+Path+"/{fault}", h.clearOne)
	return mux
}

type handler struct {
	c      *Controller
	settle Settler
	logger *slog.Logger
}

func (h *handler) list(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, List{Faults: h.c.List()})
}

func (h *handler) inject(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeJSON(w, http.StatusRequestEntityTooLarge, errTooLarge)
		return
	}
	req, err := decodeRequest(body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errBadJSON)
		return
	}
	switch err := h.c.Inject(req); {
	case errors.Is(err, ErrUnknownFault):
		writeJSON(w, http.StatusBadRequest, errUnknown)
		return
	case err != nil:
		writeJSON(w, http.StatusBadRequest, errParameter)
		return
	}
	h.logger.Info("fault injected", "fault", req.Fault, "delayMs", req.DelayMs, "durationMs", req.DurationMs, "skewMs", req.SkewMs)
	h.answer(w, r)
}

func (h *handler) clearAll(w http.ResponseWriter, r *http.Request) {
	h.c.ClearAll()
	h.logger.Info("faults cleared")
	h.answer(w, r)
}

func (h *handler) clearOne(w http.ResponseWriter, r *http.Request) {
	k, ok := ParseKind(r.PathValue("fault"))
	if !ok {
		writeJSON(w, http.StatusBadRequest, errUnknown)
		return
	}
	if !h.c.Clear(k) {
		writeJSON(w, http.StatusNotFound, errNotActive)
		return
	}
	h.logger.Info("fault cleared", "fault", k)
	h.answer(w, r)
}

// answer waits for the TV to act, so that a QA script's next step sees
// the fault in effect, then lists the faults.
func (h *handler) answer(w http.ResponseWriter, r *http.Request) {
	if h.settle != nil {
		ctx, cancel := context.WithTimeout(r.Context(), SettleTimeout)
		defer cancel()
		if err := h.settle.Settle(ctx); err != nil {
			h.logger.Warn("fault not settled", "err", err)
			writeJSON(w, http.StatusGatewayTimeout, errNotSettled)
			return
		}
	}
	writeJSON(w, http.StatusOK, List{Faults: h.c.List()})
}

// decodeRequest reads exactly one JSON object with known fields.
func decodeRequest(body []byte) (Request, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var req Request
	if err := dec.Decode(&req); err != nil {
		return Request{}, err
	}
	if dec.More() {
		return Request{}, errors.New("data after the object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return Request{}, errors.New("data after the object")
	}
	return req, nil
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
