// Package admclient sends actions to devices through Amazon Device
// Messaging's HTTP API: the real api.amazon.com or device-push, which speaks
// the same wire. It implements device.Notifier.
package admclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"livingroom/internal/action"
	"livingroom/internal/adm"
	"livingroom/internal/device"
)

// DefaultExpiresAfter is how long (seconds) ADM keeps an action for an
// offline device: no longer than the TV would still apply it.
const DefaultExpiresAfter = int(action.MaxAge / time.Second)

// refreshMargin: a token is replaced this long before it expires, so a
// request never leaves with a token about to lapse in flight.
const refreshMargin = 60 * time.Second

// maxResponseBody bounds what is read of an ADM or LWA answer.
const maxResponseBody = 64 << 10

// Config says where ADM is and who we are to it.
type Config struct {
	// BaseURL of the send API, e.g. https://api.amazon.com.
	BaseURL string
	// TokenURL of LWA; BaseURL when empty. A URL without a path gets
	// adm.TokenPath appended; one with a path is used as is.
	TokenURL     string
	ClientID     string
	ClientSecret string
	// ExpiresAfter in seconds; DefaultExpiresAfter when 0.
	ExpiresAfter int
	// ReceiptWait > 0 makes Notify ask device-push for a delivery receipt
	// (adm.HeaderReceipt "wait=<ms>;discard"), waiting at most this long for
	// the device's ack, less when ctx's deadline is nearer; keep it below
	// the HTTP client's timeout. An action no device connection took is
	// then discarded and Notify fails with device.ErrNotDelivered. The real
	// ADM ignores the header and answers without a receipt: Notify succeeds
	// as without one. 0: no receipt (plain ADM).
	ReceiptWait time.Duration
}

// DefaultReceiptWait is the receipt wait the Lambdas use when
// ADM_RECEIPT_WAIT is unset: inside the directive's budget, and long enough
// for a TV on the same continent to ack.
const DefaultReceiptWait = 250 * time.Millisecond

// ParseReceiptWait reads ADM_RECEIPT_WAIT: a Go duration from 0 (no
// receipt, plain ADM) to adm.MaxReceiptWait; empty is DefaultReceiptWait.
func ParseReceiptWait(v string) (time.Duration, error) {
	if v == "" {
		return DefaultReceiptWait, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > adm.MaxReceiptWait {
		return 0, fmt.Errorf("receipt wait %.20q: want a duration from 0 to %s", v, adm.MaxReceiptWait)
	}
	return d, nil
}

// receiptMargin is kept free of the receipt's wait before ctx's deadline,
// for the round trip and the answer.
const receiptMargin = 100 * time.Millisecond

// Client is an ADM sender. It is safe for concurrent use and shares one
// access token between all its requests.
type Client struct {
	cfg      Config
	sendBase string
	tokenURL string
	http     *http.Client
	now      func() time.Time

	// tokenSem (capacity 1) serialises token refreshes so a burst of
	// requests on a cold cache asks LWA once; unlike a mutex, waiting on it
	// honours ctx.
	tokenSem chan struct{}
	token    string // guarded by tokenSem
	expiry   time.Time
}

// New returns a client. httpClient nil means a client with a 10 s timeout.
func New(cfg Config, httpClient *http.Client, now func() time.Time) *Client {
	if cfg.ExpiresAfter == 0 {
		cfg.ExpiresAfter = DefaultExpiresAfter
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 10 * time.Second}
	}
	tokenURL := cfg.TokenURL
	if tokenURL == "" {
		tokenURL = cfg.BaseURL
	}
	tokenURL = strings.TrimRight(tokenURL, "/")
	if u, err := url.Parse(tokenURL); err == nil && u.Path == "" {
		tokenURL += adm.TokenPath
	}
	return &Client{
		cfg:      cfg,
		sendBase: strings.TrimRight(cfg.BaseURL, "/"),
		tokenURL: tokenURL,
		http:     httpClient,
		now:      now,
		tokenSem: make(chan struct{}, 1),
	}
}

// Result is ADM's answer to a successful send.
type Result struct {
	// RegistrationID is the id to use from now on. ADM may answer with a
	// new (canonical) id; the sender should then store it.
	RegistrationID string
	RequestID      string
	DataMD5        string
	// Delivery is device-push's receipt (adm.Delivery*) when one was asked
	// for and given; "" otherwise (plain ADM).
	Delivery string
}

// SendError is a refusal from ADM or LWA. Unwrap gives device.ErrUnreachable
// when the device cannot be reached (unknown registration) or ADM is
// unavailable for now (429, 5xx), and nil for a request we got wrong.
type SendError struct {
	Status     int
	Reason     string        // ADM's reason or LWA's error code; may be empty (5xx)
	RetryAfter time.Duration // from Retry-After; 0 when absent
	RequestID  string
}

func (e *SendError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "status %d", e.Status)
	if e.Reason != "" {
		b.WriteString(" " + e.Reason)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
	}
	if e.RequestID != "" {
		b.WriteString(", request id " + e.RequestID)
	}
	if e.Unreachable() {
		b.WriteString(": " + device.ErrUnreachable.Error())
	}
	return b.String()
}

// Unwrap lets errors.Is(err, device.ErrUnreachable) classify the error.
func (e *SendError) Unwrap() error {
	if e.Unreachable() {
		return device.ErrUnreachable
	}
	return nil
}

// Unreachable reports whether the device cannot be reached, now or ever,
// as opposed to a request ADM will never accept.
func (e *SendError) Unreachable() bool {
	switch {
	case e.Status == http.StatusTooManyRequests || e.Status >= 500:
		return true
	case e.Status == http.StatusBadRequest:
		return e.Reason == adm.ReasonUnregistered || e.Reason == adm.ReasonInvalidRegistrationID
	}
	return false
}

// Notify implements device.Notifier: it sends the encoded action as ADM data.
func (c *Client) Notify(ctx context.Context, registrationID string, a action.Action) error {
	data := a.Encode()
	expiresAfter := c.cfg.ExpiresAfter
	m := adm.Message{Data: data, MD5: adm.DataMD5(data), ExpiresAfter: &expiresAfter}
	// The action's id names the send, so a second copy of it (a directive
	// Alexa retried) never reaches the device twice.
	key := ""
	if adm.ValidIdempotencyKey(a.ID) {
		key = a.ID
	}
	if c.cfg.ReceiptWait <= 0 {
		if _, err := c.send(ctx, registrationID, m, "", key); err != nil {
			return fmt.Errorf("notify %s: %w", a.Type, err)
		}
		return nil
	}
	rc := adm.Receipt{Wait: c.receiptWait(ctx), Discard: true}
	res, err := c.send(ctx, registrationID, m, rc.String(), key)
	if err != nil {
		return fmt.Errorf("notify %s: %w", a.Type, err)
	}
	switch res.Delivery {
	case adm.DeliveryQueued, adm.DeliveryDiscarded:
		return fmt.Errorf("notify %s to %s (request id %s): %s: %w", a.Type, registrationID, res.RequestID, res.Delivery, device.ErrNotDelivered)
	}
	return nil
}

// receiptWait is the configured wait, shortened to leave receiptMargin
// before ctx's deadline, in whole milliseconds. Context deadlines are on
// the wall clock, so this reads it rather than the injected clock.
func (c *Client) receiptWait(ctx context.Context) time.Duration {
	wait := min(c.cfg.ReceiptWait, adm.MaxReceiptWait)
	if deadline, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(deadline)-receiptMargin)
	}
	return max(wait, 0).Truncate(time.Millisecond)
}

// Send sends one ADM message. On 401 it refreshes the token and retries
// once. Errors wrap *SendError for ADM's refusals, and device.ErrUnreachable
// for refusals and network failures meaning the device cannot be reached.
func (c *Client) Send(ctx context.Context, registrationID string, m adm.Message) (Result, error) {
	return c.send(ctx, registrationID, m, "", "")
}

// SendWithReceipt is Send asking device-push for a delivery receipt
// (Result.Delivery; empty when the server gives none, as ADM).
func (c *Client) SendWithReceipt(ctx context.Context, registrationID string, m adm.Message, rc adm.Receipt) (Result, error) {
	return c.send(ctx, registrationID, m, rc.String(), "")
}

func (c *Client) send(ctx context.Context, registrationID string, m adm.Message, receipt, key string) (Result, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return Result{}, fmt.Errorf("adm send to %s: encode: %w", registrationID, err)
	}
	token, err := c.accessToken(ctx, "")
	if err != nil {
		return Result{}, fmt.Errorf("adm send to %s: %w", registrationID, err)
	}
	res, err := c.post(ctx, registrationID, token, body, receipt, key)
	var se *SendError
	if errors.As(err, &se) && se.Status == http.StatusUnauthorized {
		if token, err = c.accessToken(ctx, token); err != nil {
			return Result{}, fmt.Errorf("adm send to %s: %w", registrationID, err)
		}
		res, err = c.post(ctx, registrationID, token, body, receipt, key)
	}
	if err != nil {
		return Result{}, fmt.Errorf("adm send to %s: %w", registrationID, err)
	}
	return res, nil
}

func (c *Client) post(ctx context.Context, registrationID, token string, body []byte, receipt, key string) (Result, error) {
	u := c.sendBase + adm.SendPath(url.PathEscape(registrationID))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return Result{}, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set(adm.HeaderTypeVersion, adm.TypeVersion)
	req.Header.Set(adm.HeaderAcceptType, adm.AcceptType)
	if receipt != "" {
		req.Header.Set(adm.HeaderReceipt, receipt)
	}
	if key != "" {
		req.Header.Set(adm.HeaderIdempotencyKey, key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %w", device.ErrUnreachable, err)
	}
	defer drainClose(resp.Body)
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return Result{}, fmt.Errorf("read answer: %w: %w", device.ErrUnreachable, err)
	}
	if resp.StatusCode != http.StatusOK {
		var eb adm.ErrorBody
		_ = json.Unmarshal(raw, &eb) // 5xx may carry no JSON; the status says enough
		return Result{}, c.sendError(resp, eb.Reason)
	}
	var sr adm.SendResult
	if err := json.Unmarshal(raw, &sr); err != nil {
		return Result{}, fmt.Errorf("decode answer: %w", err)
	}
	return Result{
		RegistrationID: sr.RegistrationID,
		RequestID:      resp.Header.Get(adm.HeaderRequestID),
		DataMD5:        resp.Header.Get(adm.HeaderDataMD5),
		Delivery:       resp.Header.Get(adm.HeaderDelivery),
	}, nil
}

// accessToken returns the cached token, fetching a new one when it is near
// expiry or when it is still stale, the token the server just refused.
func (c *Client) accessToken(ctx context.Context, stale string) (string, error) {
	select {
	case c.tokenSem <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("wait for access token: %w: %w", device.ErrUnreachable, ctx.Err())
	}
	defer func() { <-c.tokenSem }()
	if c.token != "" && c.token != stale && c.now().Before(c.expiry) {
		return c.token, nil
	}
	token, expiresIn, err := c.fetchToken(ctx)
	if err != nil {
		return "", err
	}
	margin := min(refreshMargin, expiresIn/2)
	c.token, c.expiry = token, c.now().Add(expiresIn-margin)
	return token, nil
}

func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{
		"grant_type":    {adm.GrantClientCredentials},
		"scope":         {adm.ScopeMessagingPush},
		"client_id":     {c.cfg.ClientID},
		"client_secret": {c.cfg.ClientSecret},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fmt.Errorf("access token: build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("access token: %w: %w", device.ErrUnreachable, err)
	}
	defer drainClose(resp.Body)
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return "", 0, fmt.Errorf("access token: read answer: %w: %w", device.ErrUnreachable, err)
	}
	if resp.StatusCode != http.StatusOK {
		var te adm.TokenError
		_ = json.Unmarshal(raw, &te) // 5xx may carry no JSON; the status says enough
		return "", 0, fmt.Errorf("access token: %w", c.sendError(resp, te.Error))
	}
	var t adm.Token
	if err := json.Unmarshal(raw, &t); err != nil {
		return "", 0, fmt.Errorf("access token: decode answer: %w", err)
	}
	if t.AccessToken == "" || t.ExpiresIn <= 0 {
		return "", 0, fmt.Errorf("access token: answer without token or expiry")
	}
	return t.AccessToken, time.Duration(t.ExpiresIn) * time.Second, nil
}

func (c *Client) sendError(resp *http.Response, reason string) *SendError {
	return &SendError{
		Status:     resp.StatusCode,
		Reason:     reason,
		RetryAfter: retryAfter(resp.Header.Get("Retry-After"), c.now()),
		RequestID:  resp.Header.Get(adm.HeaderRequestID),
	}
}

// retryAfter parses Retry-After as decimal seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 && secs < 1e9 {
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// drainClose lets the connection be reused for the next request.
func drainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxResponseBody))
	_ = body.Close()
}
