package samlocal

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// maxHTTPAPIBody is API Gateway's payload limit.
const maxHTTPAPIBody = 10 * 1024 * 1024

// HTTPAPI serves API Gateway HTTP API routes with Lambda proxy integrations
// (payload format 2.0), as `sam local start-api` does.
type HTTPAPI struct {
	router    *router
	functions map[string]Invoker
	logger    *slog.Logger
}

// NewHTTPAPI serves routes (from LoadRoutes), invoking functions by the
// routes' function names. Every route's function must be in functions.
func NewHTTPAPI(routes []Route, functions map[string]Invoker, logger *slog.Logger) (*HTTPAPI, error) {
	var errs []error
	for _, r := range routes {
		if functions[r.Function] == nil {
			errs = append(errs, fmt.Errorf("route %s: no function %q", r.Key(), r.Function))
		}
	}
	rt, err := newRouter(routes)
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("new http api: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &HTTPAPI{router: rt, functions: maps.Clone(functions), logger: logger}, nil
}

// ServeHTTP implements http.Handler.
func (a *HTTPAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route, params, ok := a.router.find(r.Method, r.URL.Path)
	if !ok {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHTTPAPIBody))
	if err != nil {
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	event := newHTTPEvent(r, route.Key(), params, body, time.Now())
	payload, err := json.Marshal(event)
	if err != nil {
		a.logger.Error("encode http api event", "route", route.Key(), "err", err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	logger := a.logger.With("route", route.Key(), "function", route.Function, "requestId", event.RequestContext.RequestID)
	res, err := a.functions[route.Function].Invoke(r.Context(), payload)
	if err != nil {
		logger.Error("invoke failed", "err", err)
		writeMessage(w, http.StatusBadGateway, "Internal Server Error")
		return
	}
	if res.FunctionError != "" {
		logger.Warn("function error", "errorType", res.ErrorType, "payload", string(res.Payload))
		writeMessage(w, http.StatusBadGateway, "Internal Server Error")
		return
	}
	resp, err := decodeHTTPResponse(res.Payload)
	if err != nil {
		logger.Warn("invalid function response", "err", err)
		writeMessage(w, http.StatusBadGateway, "Internal Server Error")
		return
	}
	h := w.Header()
	for k, v := range resp.headers {
		h.Set(k, v)
	}
	for k, vs := range resp.multiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for _, c := range resp.cookies {
		h.Add("Set-Cookie", c)
	}
	if _, ok := h["Content-Type"]; !ok {
		// API Gateway passes the function's headers through; no sniffing.
		h["Content-Type"] = nil
	}
	h.Set("Apigw-Requestid", event.RequestContext.RequestID)
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// newHTTPEvent builds the payload format 2.0 event API Gateway would send.
func newHTTPEvent(r *http.Request, routeKey string, params map[string]string, body []byte, now time.Time) events.APIGatewayV2HTTPRequest {
	sourceIP, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		sourceIP = r.RemoteAddr
	}
	domain := r.Host
	if host, _, err := net.SplitHostPort(domain); err == nil {
		domain = host
	}
	domainPrefix, _, _ := strings.Cut(domain, ".")

	headers := make(map[string]string, len(r.Header)+4)
	var cookies []string
	for k, vs := range r.Header {
		k = strings.ToLower(k)
		if k == "cookie" {
			// Format 2.0 moves cookies out of the headers.
			for _, v := range vs {
				for c := range strings.SplitSeq(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[k] = strings.Join(vs, ",")
	}
	headers["host"] = r.Host
	if _, ok := headers["x-forwarded-for"]; !ok {
		headers["x-forwarded-for"] = sourceIP
	}
	headers["x-forwarded-proto"] = "http"
	if r.TLS != nil {
		headers["x-forwarded-proto"] = "https"
	}
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		headers["x-forwarded-port"] = port
	}

	var query map[string]string
	if q := r.URL.Query(); len(q) > 0 {
		query = make(map[string]string, len(q))
		for k, vs := range q {
			query[k] = strings.Join(vs, ",")
		}
	}

	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     routeKey,
			AccountID:    "123456789012",
			Stage:        "$default",
			RequestID:    newRequestID(),
			APIID:        "1234567890",
			DomainName:   domain,
			DomainPrefix: domainPrefix,
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.EscapedPath(),
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

type httpResponse struct {
	status            int
	headers           map[string]string
	multiValueHeaders map[string][]string
	cookies           []string
	body              []byte
}

// decodeHTTPResponse reads a function's answer by the format 2.0 rules: an
// object with statusCode is a response description; any other JSON value is
// a 200 application/json body.
func decodeHTTPResponse(payload []byte) (httpResponse, error) {
	payload = bytes.TrimSpace(payload)
	if !json.Valid(payload) {
		return httpResponse{}, errors.New("response is not JSON")
	}
	asBody := httpResponse{
		status:  http.StatusOK,
		headers: map[string]string{"Content-Type": "application/json"},
		body:    payload,
	}
	if payload[0] != '{' {
		return asBody, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(payload, &fields); err != nil {
		return httpResponse{}, fmt.Errorf("decode response: %w", err)
	}
	if _, ok := fields["statusCode"]; !ok {
		return asBody, nil
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(payload, &resp); err != nil {
		return httpResponse{}, fmt.Errorf("decode response: %w", err)
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return httpResponse{}, fmt.Errorf("invalid statusCode %d", resp.StatusCode)
	}
	out := httpResponse{
		status:            resp.StatusCode,
		headers:           resp.Headers,
		multiValueHeaders: resp.MultiValueHeaders,
		cookies:           resp.Cookies,
		body:              []byte(resp.Body),
	}
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return httpResponse{}, fmt.Errorf("decode base64 body: %w", err)
		}
		out.body = b
	}
	for k := range out.headers {
		if !validHeader(k) {
			return httpResponse{}, fmt.Errorf("invalid header name %q", k)
		}
	}
	for k := range out.multiValueHeaders {
		if !validHeader(k) {
			return httpResponse{}, fmt.Errorf("invalid header name %q", k)
		}
	}
	return out, nil
}

func validHeader(name string) bool {
	if name == "" {
		return false
	}
	return !slices.ContainsFunc([]byte(name), func(c byte) bool {
		return c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0
	})
}

// writeMessage answers like API Gateway does for its own errors.
func writeMessage(w http.ResponseWriter, status int, message string) {
	b, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{message}) // cannot fail: one string
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
