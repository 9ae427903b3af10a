// Package deviceapi is the partner's HTTP API for TV apps, served by the
// DeviceApiFunction Lambda behind API Gateway (HTTP API, payload 2.0): an
// app registers itself (account, endpoint, registration id) and lists the
// account's devices. It translates requests into domain calls and domain
// errors into HTTP statuses in one table.
package deviceapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"livingroom/internal/account"
	"livingroom/internal/device"
)

// Authenticator finds the account behind a bearer token.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (account.Account, error)
}

// Devices registers, lists and deregisters devices.
type Devices interface {
	Register(ctx context.Context, d device.Device) (device.Device, error)
	List(ctx context.Context, accountID string) ([]device.Device, error)
	Deregister(ctx context.Context, accountID, endpointID string) error
	ReportState(ctx context.Context, accountID, endpointID string, s device.State) (device.State, error)
	State(ctx context.Context, accountID, endpointID string) (device.State, error)
}

// MaxBodyBytes bounds a request body; a device record is far smaller.
const MaxBodyBytes = 4 << 10

// maxTokenLen bounds the bearer token read from a request.
const maxTokenLen = 4096

// DefaultBudget bounds one request, every call it makes included (the
// store, and the ChangeReport a state report may send).
const DefaultBudget = 1500 * time.Millisecond

// Metrics counts requests for the operations dashboards (CloudWatch EMF
// in the Lambda): route is the method and templated path.
type Metrics interface {
	Request(route string, status int, took time.Duration)
}

// Tagger returns ctx carrying attrs that every log line written under it
// adds (the Lambda's log handler), so the lines of the services a request
// calls carry its requestId too.
type Tagger func(ctx context.Context, attrs ...slog.Attr) context.Context

// Handler serves the device API.
type Handler struct {
	accounts Authenticator
	devices  Devices
	logger   *slog.Logger
	budget   time.Duration
	metrics  Metrics
	tag      Tagger
	now      func() time.Time
}

// NewHandler wires a Handler.
func NewHandler(accounts Authenticator, devices Devices, logger *slog.Logger) *Handler {
	return &Handler{accounts: accounts, devices: devices, logger: logger, budget: DefaultBudget, now: time.Now}
}

// WithObservability sets the request metrics, the log tagger and the clock
// that times requests; nil keeps each as it is.
func (h *Handler) WithObservability(m Metrics, tag Tagger, now func() time.Time) *Handler {
	if m != nil {
		h.metrics = m
	}
	if tag != nil {
		h.tag = tag
	}
	if now != nil {
		h.now = now
	}
	return h
}

// routeName is a request's route for the metrics, from a bounded set.
func routeName(req events.APIGatewayV2HTTPRequest) string {
	path := strings.TrimSuffix(req.RawPath, "/")
	rest, hasID := strings.CutPrefix(path, devicesPath+"/")
	tmpl := devicesPath
	switch {
	case hasID && strings.HasSuffix(rest, "/state"):
		tmpl += "/{endpointId}/state"
	case hasID:
		tmpl += "/{endpointId}"
	case path != devicesPath:
		return "other"
	}
	switch m := req.RequestContext.HTTP.Method; m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete:
		return m + " " + tmpl
	}
	return "other"
}

// WithBudget sets the time one request may take.
func (h *Handler) WithBudget(d time.Duration) *Handler {
	h.budget = d
	return h
}

// DeviceJSON is a device as the API shows it.
type DeviceJSON struct {
	AccountID      string `json:"accountId"`
	EndpointID     string `json:"endpointId"`
	RegistrationID string `json:"registrationId"`
	FriendlyName   string `json:"friendlyName"`
	RegisteredAt   string `json:"registeredAt,omitempty"`
}

// ErrorJSON is the body of every error reply.
type ErrorJSON struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

var (
	errUnauthorized = errors.New("unauthorized")
	errBadRequest   = errors.New("invalid request")
	errNoRoute      = errors.New("not found")
	errBadMethod    = errors.New("method not allowed")
)

// statusTable maps errors to HTTP replies; the first match wins.
var statusTable = []struct {
	err    error
	status int
	code   string
}{
	{errUnauthorized, http.StatusUnauthorized, "unauthorized"},
	{device.ErrRegistrationTaken, http.StatusConflict, "registration_taken"},
	{device.ErrNotFound, http.StatusNotFound, "not_found"},
	{account.ErrNotFound, http.StatusUnauthorized, "unauthorized"},
	{account.ErrExpired, http.StatusUnauthorized, "token_expired"},
	{errBadRequest, http.StatusBadRequest, "invalid_request"},
	{device.ErrInvalid, http.StatusBadRequest, "invalid_request"},
	{errNoRoute, http.StatusNotFound, "not_found"},
	{errBadMethod, http.StatusMethodNotAllowed, "method_not_allowed"},
}

// Handle answers one HTTP API request. Failures become JSON error replies;
// a Lambda error is returned for nothing.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, h.budget)
	defer cancel()
	if h.tag != nil {
		ctx = h.tag(ctx, slog.String("requestId", clip(req.RequestContext.RequestID)))
	}
	began := h.now()
	resp := h.serve(ctx, req)
	if h.metrics != nil {
		h.metrics.Request(routeName(req), resp.StatusCode, h.now().Sub(began))
	}
	return resp, nil
}

func (h *Handler) serve(ctx context.Context, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	status, body, err := h.route(ctx, req)
	if err != nil {
		return h.errorReply(ctx, req, err)
	}
	return reply(status, body)
}

// clip bounds a logged value taken from the request.
func clip(s string) string {
	const max = 100
	if len(s) <= max {
		return s
	}
	return s[:max]
}

// Routes of the API.
const devicesPath = "/v1/devices"

func (h *Handler) route(ctx context.Context, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	path := strings.TrimSuffix(req.RawPath, "/")
	method := req.RequestContext.HTTP.Method
	endpointID, hasID := strings.CutPrefix(path, devicesPath+"/")
	if path != devicesPath && !hasID {
		return 0, nil, errNoRoute
	}
	endpointID, isState := strings.CutSuffix(endpointID, "/state")
	if hasID {
		if strings.Contains(endpointID, "/") {
			return 0, nil, errNoRoute
		}
		// The raw path keeps the client's escapes: endpoint ids may hold
		// # ? ; : @ & =, which a client must escape in a path segment.
		id, err := url.PathUnescape(endpointID)
		if err != nil || !device.ValidEndpointID(id) {
			return 0, nil, errNoRoute
		}
		endpointID = id
	}
	acct, err := h.authenticate(ctx, req.Headers)
	if err != nil {
		return 0, nil, err
	}
	switch {
	case !hasID && method == http.MethodPost:
		return h.register(ctx, acct, req)
	case !hasID && method == http.MethodGet:
		ds, err := h.devices.List(ctx, acct.ID)
		if err != nil {
			return 0, nil, err
		}
		out := struct {
			Devices []DeviceJSON `json:"devices"`
		}{Devices: []DeviceJSON{}}
		for _, d := range ds {
			out.Devices = append(out.Devices, toJSON(d))
		}
		return http.StatusOK, out, nil
	case isState && method == http.MethodPut:
		return h.reportState(ctx, acct, endpointID, req)
	case isState && method == http.MethodGet:
		return h.lastState(ctx, acct, endpointID)
	case hasID && !isState && method == http.MethodDelete:
		if err := h.devices.Deregister(ctx, acct.ID, endpointID); err != nil {
			return 0, nil, err
		}
		h.logger.InfoContext(ctx, "device deregistered", "account", acct.ID, "endpointId", endpointID)
		return http.StatusNoContent, nil, nil
	default:
		return 0, nil, errBadMethod
	}
}

// decodeBody reads a JSON body strictly: bounded, no unknown fields, one
// value and nothing after it. Its errors never quote the input.
func decodeBody(req events.APIGatewayV2HTTPRequest, v any) error {
	body := req.Body
	if req.IsBase64Encoded {
		if base64.StdEncoding.DecodedLen(len(body)) > MaxBodyBytes {
			return fmt.Errorf("body over %d bytes: %w", MaxBodyBytes, errBadRequest)
		}
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return fmt.Errorf("body is not base64: %w", errBadRequest)
		}
		body = string(b)
	}
	if len(body) > MaxBodyBytes {
		return fmt.Errorf("body over %d bytes: %w", MaxBodyBytes, errBadRequest)
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("body is not the expected JSON object: %w", errBadRequest)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("body has data after the JSON object: %w", errBadRequest)
	}
	return nil
}

// StateJSON is a state report: what the TV shows now. Its names are the
// ones of tvapp-sim's /v1/state.
type StateJSON struct {
	RegistrationID string            `json:"registrationId"`
	Power          string            `json:"power"`
	PlaybackState  string            `json:"playbackState"`
	Content        *StateContentJSON `json:"content"`
	PositionMs     int64             `json:"positionMs"`
	DurationMs     int64             `json:"durationMs"`
	Channel        *StateChannelJSON `json:"channel"`
	Screen         string            `json:"screen"`
	LastActionID   string            `json:"lastActionId"`
	ReportedAt     string            `json:"reportedAt"`
	Volume         *int              `json:"volume,omitempty"` // 0..100; with muted, or neither
	Muted          *bool             `json:"muted,omitempty"`
	Input          string            `json:"input,omitempty"`
}

// StateContentJSON is the work in the player.
type StateContentJSON struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	SeriesID    string `json:"seriesId"`
	SeriesTitle string `json:"seriesTitle"`
	Season      int    `json:"season"`
	Episode     int    `json:"episode"`
}

// StateChannelJSON is the live channel tuned.
type StateChannelJSON struct {
	Number       string `json:"number"`
	CallSign     string `json:"callSign"`
	Name         string `json:"name"`
	ProgramID    string `json:"programId"`
	ProgramTitle string `json:"programTitle"`
}

func (h *Handler) reportState(ctx context.Context, acct account.Account, endpointID string, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	var in StateJSON
	if err := decodeBody(req, &in); err != nil {
		return 0, nil, err
	}
	reported, err := time.Parse(time.RFC3339Nano, in.ReportedAt)
	if err != nil {
		return 0, nil, fmt.Errorf("reportedAt is not an RFC 3339 time: %w", errBadRequest)
	}
	st := device.State{
		RegistrationID: in.RegistrationID, Power: in.Power, Playback: in.PlaybackState,
		PositionMs: in.PositionMs, DurationMs: in.DurationMs, Screen: in.Screen, LastActionID: in.LastActionID,
		ReportedAt: reported.UTC(),
	}
	if c := in.Content; c != nil {
		st.Content = &device.StateContent{ID: c.ID, Title: c.Title, SeriesID: c.SeriesID, SeriesTitle: c.SeriesTitle, Season: c.Season, Episode: c.Episode}
	}
	if c := in.Channel; c != nil {
		st.Channel = &device.StateChannel{Number: c.Number, CallSign: c.CallSign, Name: c.Name, ProgramID: c.ProgramID, ProgramTitle: c.ProgramTitle}
	}
	switch {
	case in.Volume != nil && in.Muted != nil:
		st.Sound = &device.StateSound{Volume: *in.Volume, Muted: *in.Muted}
	case in.Volume != nil || in.Muted != nil:
		return 0, nil, fmt.Errorf("volume and muted come together: %w", errBadRequest)
	}
	st.Input = in.Input
	if _, err := h.devices.ReportState(ctx, acct.ID, endpointID, st); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// lastState answers what the backend last heard from one of the account's
// TVs, as the TV reported it, with receivedAt (the backend's clock).
func (h *Handler) lastState(ctx context.Context, acct account.Account, endpointID string) (int, any, error) {
	// Keyed by the token's account: another account's TV is not found.
	st, err := h.devices.State(ctx, acct.ID, endpointID)
	if errors.Is(err, device.ErrNoState) {
		return 0, nil, fmt.Errorf("no state: %w", errNoRoute)
	}
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		StateJSON
		ReceivedAt string `json:"receivedAt"`
	}{StateJSON: StateJSON{
		RegistrationID: st.RegistrationID, Power: st.Power, PlaybackState: st.Playback, PositionMs: st.PositionMs,
		DurationMs: st.DurationMs, Screen: st.Screen, LastActionID: st.LastActionID, ReportedAt: st.ReportedAt.UTC().Format(time.RFC3339Nano),
	}, ReceivedAt: st.ReceivedAt.UTC().Format(time.RFC3339Nano)}
	if c := st.Content; c != nil {
		out.Content = &StateContentJSON{ID: c.ID, Title: c.Title, SeriesID: c.SeriesID, SeriesTitle: c.SeriesTitle, Season: c.Season, Episode: c.Episode}
	}
	if c := st.Channel; c != nil {
		out.Channel = &StateChannelJSON{Number: c.Number, CallSign: c.CallSign, Name: c.Name, ProgramID: c.ProgramID, ProgramTitle: c.ProgramTitle}
	}
	if s := st.Sound; s != nil {
		out.Volume, out.Muted = &s.Volume, &s.Muted
	}
	out.Input = st.Input
	return http.StatusOK, out, nil
}

func (h *Handler) register(ctx context.Context, acct account.Account, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	var in DeviceJSON
	if err := decodeBody(req, &in); err != nil {
		return 0, nil, err
	}
	if in.AccountID != "" && in.AccountID != acct.ID {
		return 0, nil, fmt.Errorf("accountId is not the token's account: %w", errBadRequest)
	}
	d, err := h.devices.Register(ctx, device.Device{
		AccountID: acct.ID, EndpointID: in.EndpointID, RegistrationID: in.RegistrationID, FriendlyName: in.FriendlyName,
	})
	if err != nil {
		return 0, nil, err
	}
	h.logger.InfoContext(ctx, "device registered", "account", acct.ID, "endpointId", d.EndpointID, "registrationId", d.RegistrationID)
	return http.StatusCreated, toJSON(d), nil
}

func (h *Handler) authenticate(ctx context.Context, headers map[string]string) (account.Account, error) {
	auth := headers["authorization"]
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" || len(token) > maxTokenLen {
		return account.Account{}, fmt.Errorf("missing or oversized bearer token: %w", errUnauthorized)
	}
	return h.accounts.Authenticate(ctx, strings.TrimSpace(token))
}

func (h *Handler) errorReply(ctx context.Context, req events.APIGatewayV2HTTPRequest, err error) events.APIGatewayV2HTTPResponse {
	for _, row := range statusTable {
		if errors.Is(err, row.err) {
			// Domain errors may carry ids and input; only the fixed text
			// for the status goes out, the detail goes to the log.
			h.logger.InfoContext(ctx, "device api refused", "method", req.RequestContext.HTTP.Method, "status", row.status, "err", err)
			return reply(row.status, ErrorJSON{Error: row.code, Message: publicMessage[row.code]})
		}
	}
	h.logger.ErrorContext(ctx, "device api failed", "method", req.RequestContext.HTTP.Method, "path", req.RawPath, "err", err)
	return reply(http.StatusInternalServerError, ErrorJSON{Error: "internal_error", Message: "internal error"})
}

func toJSON(d device.Device) DeviceJSON {
	out := DeviceJSON{AccountID: d.AccountID, EndpointID: d.EndpointID, RegistrationID: d.RegistrationID, FriendlyName: d.FriendlyName}
	if !d.RegisteredAt.IsZero() {
		out.RegisteredAt = d.RegisteredAt.UTC().Format(time.RFC3339)
	}
	return out
}

// publicMessage is the fixed text sent with each error code.
var publicMessage = map[string]string{
	"unauthorized":       "a valid bearer token is required",
	"token_expired":      "the bearer token has expired",
	"registration_taken": "this registration id belongs to another account",
	"invalid_request":    "the request is not valid; see the API documentation",
	"not_found":          "no such resource",
	"method_not_allowed": "method not allowed on this resource",
}

func reply(status int, body any) events.APIGatewayV2HTTPResponse {
	if body == nil {
		return events.APIGatewayV2HTTPResponse{StatusCode: status}
	}
	b, err := json.Marshal(body)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal_error","message":"encode reply"}`)
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}
}
