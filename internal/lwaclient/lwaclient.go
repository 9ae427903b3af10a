// Package lwaclient is the adapter to Login with Amazon and Alexa's event
// gateway: it implements alexaevents.LWA with golang.org/x/oauth2 (grant
// code and refresh token exchanges) and alexaevents.Gateway over HTTP.
package lwaclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"livingroom/internal/alexaevents"
)

// Default addresses of Amazon's services (North America).
const (
	DefaultTokenURL   = "https://api.amazon.com/auth/o2/token"
	DefaultGatewayURL = "https://api.amazonalexa.com/v3/events"
)

// Config names the skill's Alexa client credentials and the services.
type Config struct {
	ClientID     string
	ClientSecret string
	TokenURL     string
	GatewayURL   string
}

// Client talks to LWA and the event gateway with one HTTP client, whose
// timeout bounds each call; callers' contexts bound them further.
type Client struct {
	oauth   oauth2.Config
	gateway string
	http    *http.Client
}

// New returns a Client.
func New(cfg Config, httpClient *http.Client) *Client {
	if cfg.TokenURL == "" {
		cfg.TokenURL = DefaultTokenURL
	}
	if cfg.GatewayURL == "" {
		cfg.GatewayURL = DefaultGatewayURL
	}
	return &Client{
		oauth: oauth2.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			// LWA takes the client credentials in the form, as its docs show.
			Endpoint: oauth2.Endpoint{TokenURL: cfg.TokenURL, AuthStyle: oauth2.AuthStyleInParams},
		},
		gateway: cfg.GatewayURL,
		http:    httpClient,
	}
}

func (c *Client) context(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.http)
}

// Exchange implements alexaevents.LWA.
func (c *Client) Exchange(ctx context.Context, code string) (alexaevents.Tokens, error) {
	t, err := c.oauth.Exchange(c.context(ctx), code)
	if err != nil {
		return alexaevents.Tokens{}, fmt.Errorf("lwa: exchange grant code: %w: %w", alexaevents.ErrGrant, err)
	}
	return tokens(t)
}

// Refresh implements alexaevents.LWA.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (alexaevents.Tokens, error) {
	t, err := c.oauth.TokenSource(c.context(ctx), &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Unix(1, 0)}).Token()
	if err != nil {
		return alexaevents.Tokens{}, fmt.Errorf("lwa: refresh: %w", err)
	}
	return tokens(t)
}

func tokens(t *oauth2.Token) (alexaevents.Tokens, error) {
	if t.AccessToken == "" || t.RefreshToken == "" {
		return alexaevents.Tokens{}, fmt.Errorf("lwa: reply without access and refresh tokens: %w", alexaevents.ErrGrant)
	}
	return alexaevents.Tokens{Access: t.AccessToken, Refresh: t.RefreshToken, ExpiresAt: t.Expiry}, nil
}

// maxErrorBody bounds what is read of a gateway error.
const maxErrorBody = 4 << 10

// Send implements alexaevents.Gateway: 202 is success; the error code is
// read from payload.code or payload.type, whichever the gateway fills.
func (c *Client) Send(ctx context.Context, accessToken string, event []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.gateway, bytes.NewReader(event))
	if err != nil {
		return fmt.Errorf("event gateway: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("event gateway: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if resp.StatusCode == http.StatusAccepted || resp.StatusCode == http.StatusOK {
		return nil
	}
	var e struct {
		Payload struct{ Code, Type, Description, Message string } `json:"payload"`
	}
	_ = json.Unmarshal(body, &e)
	code := e.Payload.Code
	if code == "" {
		code = e.Payload.Type
	}
	err = fmt.Errorf("event gateway: %d %s", resp.StatusCode, code)
	switch {
	case resp.StatusCode == http.StatusUnauthorized || code == "INVALID_ACCESS_TOKEN_EXCEPTION":
		return errors.Join(err, alexaevents.ErrInvalidToken)
	case code == "SKILL_DISABLED_EXCEPTION":
		return errors.Join(err, alexaevents.ErrSkillDisabled)
	}
	return err
}
