package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"livingroom/internal/vsk"
)

// MaxEventBytes is the event gateway's size limit (AddOrUpdateReport: 256 KB).
const MaxEventBytes = 256 << 10

// Error codes of the event gateway, as Alexa spells them.
const (
	CodeInvalidRequest     = "INVALID_REQUEST_EXCEPTION"
	CodeInvalidAccessToken = "INVALID_ACCESS_TOKEN_EXCEPTION"
	CodeTooLarge           = "REQUEST_ENTITY_TOO_LARGE_EXCEPTION"
)

// Handler serves POST /v3/events.
type Handler struct {
	reg   *Registry
	log   *slog.Logger
	newID func() string
}

// NewHandler returns the event gateway over reg. newID makes the messageId
// of error replies.
func NewHandler(reg *Registry, log *slog.Logger, newID func() string) *Handler {
	return &Handler{reg: reg, log: log, newID: newID}
}

// envelope is any event posted to the gateway.
type envelope struct {
	Event *struct {
		Header   vsk.Header      `json:"header"`
		Endpoint *vsk.Endpoint   `json:"endpoint"`
		Payload  json.RawMessage `json:"payload"`
	} `json:"event"`
}

// discoveryPayload is the payload of AddOrUpdateReport and DeleteReport;
// capabilities stay raw so nothing the app declared is lost.
type discoveryPayload struct {
	Endpoints []struct {
		EndpointID   string            `json:"endpointId"`
		FriendlyName string            `json:"friendlyName"`
		Cookie       map[string]string `json:"cookie"`
		Capabilities []json.RawMessage `json:"capabilities"`
	} `json:"endpoints"`
	Scope *vsk.Scope `json:"scope"`
}

// badRequest is a client error the gateway reports with a code.
type badRequest struct {
	status int
	code   string
	msg    string
}

func (e *badRequest) Error() string { return e.code + ": " + e.msg }

func invalid(format string, args ...any) error {
	return &badRequest{status: http.StatusBadRequest, code: CodeInvalidRequest, msg: fmt.Sprintf(format, args...)}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.serve(w, r); err != nil {
		var bad *badRequest
		if !errors.As(err, &bad) {
			bad = &badRequest{status: http.StatusInternalServerError, code: "INTERNAL_SERVICE_EXCEPTION", msg: err.Error()}
		}
		h.log.Warn("event rejected", "status", bad.status, "code", bad.code, "reason", bad.msg)
		h.writeError(w, bad)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) error {
	if _, err := bearer(r.Header.Get("Authorization")); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxEventBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &badRequest{status: http.StatusRequestEntityTooLarge, code: CodeTooLarge, msg: fmt.Sprintf("event larger than %d bytes", MaxEventBytes)}
	}
	if err != nil {
		return invalid("read body: %v", err)
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return invalid("body is not a JSON event: %v", err)
	}
	if env.Event == nil {
		return invalid("missing event")
	}
	hd := env.Event.Header
	for _, f := range []struct{ name, value string }{
		{"namespace", hd.Namespace}, {"name", hd.Name}, {"messageId", hd.MessageID}, {"payloadVersion", hd.PayloadVersion},
	} {
		if f.value == "" {
			return invalid("missing event.header.%s", f.name)
		}
	}
	if hd.PayloadVersion != vsk.PayloadVersion {
		return invalid("event.header.payloadVersion %q, want %q", hd.PayloadVersion, vsk.PayloadVersion)
	}

	switch {
	case hd.Namespace == "Alexa.Discovery" && hd.Name == "AddOrUpdateReport":
		return h.addOrUpdate(env.Event.Payload)
	case hd.Namespace == "Alexa.Discovery" && hd.Name == "DeleteReport":
		return h.delete(env.Event.Payload)
	case hd.Name == "ChangeReport": // Alexa and the client library's Alexa.Application
		var endpointID string
		if env.Event.Endpoint != nil {
			endpointID = env.Event.Endpoint.EndpointID
		}
		h.reg.AddChangeReport(Event{Namespace: hd.Namespace, Name: hd.Name, EndpointID: endpointID, Body: compact(body)})
		h.log.Info("change report", "namespace", hd.Namespace, "endpointId", endpointID)
		return nil
	}
	h.log.Info("event accepted and dropped", "namespace", hd.Namespace, "name", hd.Name, "messageId", hd.MessageID)
	return nil
}

func (h *Handler) addOrUpdate(raw json.RawMessage) error {
	p, err := decodeDiscovery(raw)
	if err != nil {
		return err
	}
	eps := make([]Endpoint, 0, len(p.Endpoints))
	for _, e := range p.Endpoints {
		eps = append(eps, Endpoint{
			EndpointID:   e.EndpointID,
			FriendlyName: e.FriendlyName,
			Cookie:       e.Cookie,
			Token:        p.Scope.Token,
			Capabilities: e.Capabilities,
		})
	}
	h.reg.Put(eps...)
	for _, ep := range eps {
		h.log.Info("endpoint registered", "endpointId", ep.EndpointID, "friendlyName", ep.FriendlyName,
			"applicationInstanceId", ep.Cookie["applicationInstanceId"])
	}
	return nil
}

func (h *Handler) delete(raw json.RawMessage) error {
	p, err := decodeDiscovery(raw)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(p.Endpoints))
	for _, e := range p.Endpoints {
		ids = append(ids, e.EndpointID)
	}
	h.reg.Delete(ids...)
	h.log.Info("endpoints deleted", "endpointIds", ids)
	return nil
}

// decodeDiscovery reads and checks a Discovery report payload: at least one
// endpoint, every endpoint with an id, and the user's token in the scope.
func decodeDiscovery(raw json.RawMessage) (discoveryPayload, error) {
	var p discoveryPayload
	if len(raw) == 0 || string(raw) == "null" {
		return p, invalid("missing event.payload")
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, invalid("event.payload: %v", err)
	}
	if len(p.Endpoints) == 0 {
		return p, invalid("event.payload.endpoints is empty")
	}
	for i, e := range p.Endpoints {
		if e.EndpointID == "" {
			return p, invalid("event.payload.endpoints[%d].endpointId is missing", i)
		}
	}
	if p.Scope == nil || p.Scope.Token == "" {
		return p, invalid("event.payload.scope.token is missing: the report must carry the user's token")
	}
	return p, nil
}

// bearer reads "Bearer <token>".
func bearer(header string) (string, error) {
	scheme, token, _ := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", &badRequest{status: http.StatusUnauthorized, code: CodeInvalidAccessToken, msg: "missing bearer token in the Authorization header"}
	}
	return token, nil
}

func compact(b []byte) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return b
	}
	return buf.Bytes()
}

// exception is the gateway's error body.
type exception struct {
	Header struct {
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
		MessageID string `json:"messageId"`
	} `json:"header"`
	Payload struct {
		Code        string `json:"code"`
		Description string `json:"description"`
	} `json:"payload"`
}

func (h *Handler) writeError(w http.ResponseWriter, bad *badRequest) {
	var e exception
	e.Header.Namespace = "System"
	e.Header.Name = "Exception"
	e.Header.MessageID = h.newID()
	e.Payload.Code = bad.code
	e.Payload.Description = bad.msg
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(bad.status)
	if err := json.NewEncoder(w).Encode(e); err != nil {
		h.log.Debug("write error reply", "err", err)
	}
}
