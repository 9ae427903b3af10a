// Package deviceapi is the partner's HTTP API for TV apps, served by the
// DeviceApiFunction Lambda behind API Gateway (HTTP API, payload 2.0): an
// app registers itself (account, endpoint, registration id) and lists the
// account's devices. It translates requests into domain calls and domain
// errors into HTTP statuses in one table.
package deviceapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
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

// Devices registers and lists devices.
type Devices interface {
	Register(ctx context.Context, d device.Device) (device.Device, error)
	List(ctx context.Context, accountID string) ([]device.Device, error)
}

// Handler serves the device API.
type Handler struct {
	accounts Authenticator
	devices  Devices
	logger   *slog.Logger
}

// NewHandler wires a Handler.
func NewHandler(accounts Authenticator, devices Devices, logger *slog.Logger) *Handler {
	return &Handler{accounts: accounts, devices: devices, logger: logger}
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
	status, body, err := h.route(ctx, req)
	if err != nil {
		return h.errorReply(ctx, req, err), nil
	}
	return reply(status, body), nil
}

func (h *Handler) route(ctx context.Context, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	path := strings.TrimSuffix(req.RawPath, "/")
	if path != "/v1/devices" {
		return 0, nil, fmt.Errorf("%s: %w", req.RawPath, errNoRoute)
	}
	acct, err := h.authenticate(ctx, req.Headers)
	if err != nil {
		return 0, nil, err
	}
	switch req.RequestContext.HTTP.Method {
	case http.MethodPost:
		return h.register(ctx, acct, req)
	case http.MethodGet:
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
	default:
		return 0, nil, fmt.Errorf("%s %s: %w", req.RequestContext.HTTP.Method, req.RawPath, errBadMethod)
	}
}

func (h *Handler) register(ctx context.Context, acct account.Account, req events.APIGatewayV2HTTPRequest) (int, any, error) {
	var in DeviceJSON
	dec := json.NewDecoder(strings.NewReader(req.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return 0, nil, fmt.Errorf("device body: %v: %w", err, errBadRequest)
	}
	if in.AccountID != "" && in.AccountID != acct.ID {
		return 0, nil, fmt.Errorf("accountId %q is not the token's account: %w", in.AccountID, errBadRequest)
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
	if !ok || strings.TrimSpace(token) == "" {
		return account.Account{}, fmt.Errorf("missing bearer token: %w", errUnauthorized)
	}
	return h.accounts.Authenticate(ctx, strings.TrimSpace(token))
}

func (h *Handler) errorReply(ctx context.Context, req events.APIGatewayV2HTTPRequest, err error) events.APIGatewayV2HTTPResponse {
	for _, row := range statusTable {
		if errors.Is(err, row.err) {
			return reply(row.status, ErrorJSON{Error: row.code, Message: err.Error()})
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

func reply(status int, body any) events.APIGatewayV2HTTPResponse {
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
