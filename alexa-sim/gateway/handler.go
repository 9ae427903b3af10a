package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"livingroom/internal/vsk"
)

// MaxEventBytes is the event gateway's size limit (AddOrUpdateReport: 256 KB).
const MaxEventBytes = 256 << 10

// Error codes of the event gateway, as Alexa spells them.
const (
	CodeInvalidRequest     = "INVALID_REQUEST_EXCEPTION"
	CodeInvalidAccessToken = "INVALID_ACCESS_TOKEN_EXCEPTION"
	CodeInsufficientPerm   = "INSUFFICIENT_PERMISSION_EXCEPTION"
	CodeTooLarge           = "REQUEST_ENTITY_TOO_LARGE_EXCEPTION"
	CodeInternal           = "INTERNAL_SERVICE_EXCEPTION"
)

// maxTokenBytes bounds a bearer token; LWA tokens are a few hundred bytes.
const maxTokenBytes = 2048

// Handler serves POST /v3/events.
type Handler struct {
	reg   *Registry
	log   *slog.Logger
	newID func() string
	// Events, when set, keeps every event answered, accepted or not.
	Events *EventLog
	// Validator, when set, checks events against the official schema.
	Validator Validator
	// OnChangeReport, when set, is told of each accepted ChangeReport.
	OnChangeReport func(Event)
	// Tokens, when set, checks LWA access tokens (those starting "Atza|"):
	// unknown or expired ones get 401. Other tokens are the account tokens
	// the Fire TV client library registers with, accepted as they are.
	Tokens TokenChecker
}

// TokenChecker tells whether an LWA access token is valid.
type TokenChecker interface {
	Check(token string) (grantee string, err error)
}

// lwaPrefix marks an LWA access token.
const lwaPrefix = "Atza|"

// NewHandler returns the event gateway over reg. newID makes the messageId
// of error replies.
func NewHandler(reg *Registry, log *slog.Logger, newID func() string) *Handler {
	return &Handler{reg: reg, log: log, newID: newID}
}

// header is an event header as received.
type header struct {
	Namespace        string  `json:"namespace"`
	Name             string  `json:"name"`
	MessageID        string  `json:"messageId"`
	CorrelationToken *string `json:"correlationToken"`
	PayloadVersion   string  `json:"payloadVersion"`
}

// envelope is any event posted to the gateway.
type envelope struct {
	Event *struct {
		Header   header          `json:"header"`
		Endpoint *vsk.Endpoint   `json:"endpoint"`
		Payload  json.RawMessage `json:"payload"`
	} `json:"event"`
	Context *struct {
		Properties []property `json:"properties"`
	} `json:"context"`
}

// discoveryPayload is the payload of AddOrUpdateReport and DeleteReport;
// capabilities stay raw so nothing the app declared is lost.
type discoveryPayload struct {
	Endpoints []struct {
		EndpointID        string            `json:"endpointId"`
		ManufacturerName  string            `json:"manufacturerName"`
		FriendlyName      string            `json:"friendlyName"`
		Description       string            `json:"description"`
		DisplayCategories []string          `json:"displayCategories"`
		Cookie            map[string]string `json:"cookie"`
		Capabilities      []json.RawMessage `json:"capabilities"`
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

func forbidden(format string, args ...any) error {
	return &badRequest{status: http.StatusForbidden, code: CodeInsufficientPerm, msg: fmt.Sprintf(format, args...)}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ev, err := h.serve(w, r)
	if err != nil {
		var bad *badRequest
		if !errors.As(err, &bad) {
			h.log.Error("event gateway", "err", err)
			bad = &badRequest{status: http.StatusInternalServerError, code: CodeInternal, msg: "internal error"}
		}
		h.log.Warn("event rejected", "status", bad.status, "code", bad.code, "reason", bad.msg, "namespace", ev.Namespace, "name", ev.Name)
		ev.Status, ev.Code, ev.Description = bad.status, bad.code, bad.msg
		h.keep(ev)
		h.writeError(w, bad)
		return
	}
	ev.Status = http.StatusAccepted
	h.keep(ev)
	w.WriteHeader(http.StatusAccepted)
}

func (h *Handler) keep(ev Event) {
	if h.Events != nil {
		h.Events.Add(ev)
	}
}

// serve checks, in order: the token (401), the size (413), the envelope
// and the event's own rules (400), the official schema (400), then who
// owns the endpoints it names (403).
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) (Event, error) {
	var ev Event
	token, err := bearer(r.Header.Get("Authorization"))
	if err != nil {
		return ev, err
	}
	if h.Tokens != nil && strings.HasPrefix(token, lwaPrefix) {
		if _, err := h.Tokens.Check(token); err != nil {
			return ev, &badRequest{status: http.StatusUnauthorized, code: CodeInvalidAccessToken, msg: "the access token is unknown or expired"}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxEventBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return ev, &badRequest{status: http.StatusRequestEntityTooLarge, code: CodeTooLarge, msg: fmt.Sprintf("event larger than %d bytes", MaxEventBytes)}
	}
	if err != nil {
		return ev, invalid("read body: %v", err)
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return ev, invalid("body is not a JSON event")
	}
	if env.Event == nil {
		return ev, invalid("missing event")
	}
	ev.Body = compact(body)
	hd := env.Event.Header
	ev.Namespace, ev.Name, ev.MessageID = truncateText(hd.Namespace, 64), truncateText(hd.Name, 64), truncateText(hd.MessageID, 128)
	if hd.CorrelationToken != nil {
		ev.CorrelationToken = truncateText(*hd.CorrelationToken, 256)
	}
	if env.Event.Endpoint != nil {
		ev.EndpointID = truncateText(env.Event.Endpoint.EndpointID, 256)
	}
	if err := checkHeader(hd); err != nil {
		return ev, err
	}
	if env.Context != nil {
		if err := checkProperties("context.properties", env.Context.Properties); err != nil {
			return ev, err
		}
	}

	var apply func() error
	switch {
	case hd.Namespace == "Alexa.Discovery" && hd.Name == "AddOrUpdateReport":
		p, err := decodeDiscovery(env.Event.Payload, true)
		if err != nil {
			return ev, err
		}
		apply = func() error { return h.addOrUpdate(p) }
	case hd.Namespace == "Alexa.Discovery" && hd.Name == "DeleteReport":
		p, err := decodeDiscovery(env.Event.Payload, false)
		if err != nil {
			return ev, err
		}
		apply = func() error { return h.delete(p) }
	case hd.Name == "ChangeReport": // Alexa and the client library's Alexa.Application
		if err := checkChangeReport(env.Event.Endpoint, env.Event.Payload); err != nil {
			return ev, err
		}
		apply = func() error {
			if err := h.owned(env.Event.Endpoint.EndpointID, env.Event.Endpoint.Scope); err != nil {
				return err
			}
			ev.ReceivedAt = h.reg.now().UTC()
			h.reg.AddChangeReport(ev)
			if h.OnChangeReport != nil {
				h.OnChangeReport(ev)
			}
			h.log.Info("change report", "namespace", hd.Namespace, "endpointId", ev.EndpointID)
			return nil
		}
	case hd.Namespace == "Alexa" && (hd.Name == "Response" || hd.Name == "ErrorResponse" || hd.Name == "DeferredResponse" || hd.Name == "StateReport"),
		hd.Namespace == "Alexa.Video" && hd.Name == "ErrorResponse":
		if err := checkResponse(hd, env.Event.Endpoint, env.Event.Payload); err != nil {
			return ev, err
		}
		apply = func() error {
			if env.Event.Endpoint != nil && env.Event.Endpoint.EndpointID != "" {
				return h.owned(env.Event.Endpoint.EndpointID, env.Event.Endpoint.Scope)
			}
			return nil
		}
	default:
		apply = func() error {
			h.log.Info("event accepted and kept", "namespace", hd.Namespace, "name", hd.Name, "messageId", hd.MessageID)
			return nil
		}
	}
	if h.Validator != nil {
		if err := h.Validator.Validate(body); err != nil {
			return ev, invalid("%v", err)
		}
	}
	return ev, apply()
}

// checkHeader applies the header rules of every event.
func checkHeader(hd header) error {
	for _, f := range []struct{ name, value string }{
		{"namespace", hd.Namespace}, {"name", hd.Name}, {"messageId", hd.MessageID}, {"payloadVersion", hd.PayloadVersion},
	} {
		if f.value == "" {
			return invalid("missing event.header.%s", f.name)
		}
	}
	if hd.PayloadVersion != vsk.PayloadVersion {
		return invalid("event.header.payloadVersion %q, want %q", truncateText(hd.PayloadVersion, 16), vsk.PayloadVersion)
	}
	if !messageIDPattern.MatchString(hd.MessageID) {
		return invalid("event.header.messageId must be 1 to 127 letters, digits or dashes")
	}
	if hd.CorrelationToken != nil && *hd.CorrelationToken == "" {
		return invalid("event.header.correlationToken is empty")
	}
	return nil
}

// checkChangeReport: an endpoint with its scope, a known cause and
// well-formed properties.
func checkChangeReport(ep *vsk.Endpoint, raw json.RawMessage) error {
	if ep == nil || ep.EndpointID == "" {
		return invalid("ChangeReport needs event.endpoint.endpointId")
	}
	if ep.Scope == nil || ep.Scope.Token == "" {
		return invalid("ChangeReport needs event.endpoint.scope.token")
	}
	var p struct {
		Change *struct {
			Cause *struct {
				Type string `json:"type"`
			} `json:"cause"`
			Properties []property `json:"properties"`
		} `json:"change"`
	}
	if err := json.Unmarshal(raw, &p); err != nil || p.Change == nil {
		return invalid("ChangeReport needs event.payload.change")
	}
	if p.Change.Cause == nil || !slices.Contains(causeTypes, p.Change.Cause.Type) {
		return invalid("event.payload.change.cause.type must be one of %v", causeTypes)
	}
	return checkProperties("event.payload.change.properties", p.Change.Properties)
}

// checkResponse: asynchronous replies carry the directive's
// correlationToken; error responses say what went wrong.
func checkResponse(hd header, ep *vsk.Endpoint, raw json.RawMessage) error {
	if ep != nil && !endpointIDPattern.MatchString(ep.EndpointID) {
		return invalid("event.endpoint.endpointId has characters outside [a-zA-Z0-9_-=#;:?@&] or is over 256")
	}
	if hd.CorrelationToken == nil {
		return invalid("%s.%s sent to the gateway needs the directive's correlationToken", hd.Namespace, hd.Name)
	}
	switch hd.Name {
	case "ErrorResponse":
		var p struct {
			Type    string  `json:"type"`
			Message *string `json:"message"`
		}
		if err := json.Unmarshal(raw, &p); err != nil || p.Type == "" || p.Message == nil {
			return invalid("ErrorResponse needs event.payload.type and event.payload.message")
		}
	case "DeferredResponse":
		var p struct {
			Seconds *float64 `json:"estimatedDeferralInSeconds"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return invalid("DeferredResponse payload must be an object")
		}
		if p.Seconds != nil && (*p.Seconds < 0 || *p.Seconds != float64(int(*p.Seconds))) {
			return invalid("estimatedDeferralInSeconds must be an integer ≥ 0")
		}
		if ep != nil {
			return invalid("DeferredResponse has no endpoint")
		}
	}
	return nil
}

// owned refuses an event about an endpoint another account registered.
func (h *Handler) owned(endpointID string, scope *vsk.Scope) error {
	ep, ok := h.reg.Endpoint(endpointID)
	if !ok || scope == nil || ep.Token == scope.Token {
		return nil
	}
	// The skill's events carry the LWA token AcceptGrant gave it for the
	// account: the account's, if the grant was for the registering token.
	if h.Tokens != nil && strings.HasPrefix(scope.Token, lwaPrefix) {
		if grantee, err := h.Tokens.Check(scope.Token); err == nil && grantee == ep.Token {
			return nil
		}
	}
	return forbidden("endpoint %q belongs to another account", truncateText(endpointID, 64))
}

func (h *Handler) addOrUpdate(p discoveryPayload) error {
	eps := make([]Endpoint, 0, len(p.Endpoints))
	for _, e := range p.Endpoints {
		if err := h.owned(e.EndpointID, p.Scope); err != nil {
			return err
		}
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

func (h *Handler) delete(p discoveryPayload) error {
	ids := make([]string, 0, len(p.Endpoints))
	for _, e := range p.Endpoints {
		if err := h.owned(e.EndpointID, p.Scope); err != nil {
			return err
		}
		ids = append(ids, e.EndpointID)
	}
	h.reg.Delete(ids...)
	h.log.Info("endpoints deleted", "endpointIds", ids)
	return nil
}

// decodeDiscovery reads and checks a Discovery report payload: 1 to 300
// endpoints, each with a valid id (and, for AddOrUpdateReport, the
// descriptive fields), and the user's token in the scope.
func decodeDiscovery(raw json.RawMessage, full bool) (discoveryPayload, error) {
	var p discoveryPayload
	if len(raw) == 0 || string(raw) == "null" {
		return p, invalid("missing event.payload")
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, invalid("event.payload is not a Discovery payload")
	}
	if len(p.Endpoints) == 0 {
		return p, invalid("event.payload.endpoints is empty")
	}
	if len(p.Endpoints) > maxEndpointsPerReport {
		return p, invalid("event.payload.endpoints has %d endpoints, at most %d", len(p.Endpoints), maxEndpointsPerReport)
	}
	for i, e := range p.Endpoints {
		if e.EndpointID == "" {
			return p, invalid("event.payload.endpoints[%d].endpointId is missing", i)
		}
		if !endpointIDPattern.MatchString(e.EndpointID) {
			return p, invalid("event.payload.endpoints[%d].endpointId has characters outside [a-zA-Z0-9_-=#;:?@&] or is over 256", i)
		}
		if !full {
			continue
		}
		for _, f := range []struct{ name, value string }{
			{"manufacturerName", e.ManufacturerName}, {"friendlyName", e.FriendlyName}, {"description", e.Description},
		} {
			if n := utf8.RuneCountInString(f.value); n < 1 || n > 128 {
				return p, invalid("event.payload.endpoints[%d].%s must be 1 to 128 characters", i, f.name)
			}
		}
		if len(e.DisplayCategories) == 0 {
			return p, invalid("event.payload.endpoints[%d].displayCategories is empty", i)
		}
		if len(e.Capabilities) == 0 {
			return p, invalid("event.payload.endpoints[%d].capabilities is empty", i)
		}
		for j, c := range e.Capabilities {
			var cap struct{ Type, Interface, Version string }
			if err := json.Unmarshal(c, &cap); err != nil || cap.Type == "" || cap.Interface == "" || cap.Version == "" {
				return p, invalid("event.payload.endpoints[%d].capabilities[%d] needs type, interface and version", i, j)
			}
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
	if len(token) > maxTokenBytes || strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return "", &badRequest{status: http.StatusUnauthorized, code: CodeInvalidAccessToken, msg: "malformed bearer token"}
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
