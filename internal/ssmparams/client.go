package ssmparams

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Client calls Parameter Store's GetParameters (the JSON 1.1 protocol,
// signed with SigV4). It is written here rather than taken from
// service/ssm because that package's initialisation alone costs a Lambda
// about 7 ms of every cold start (GODEBUG=inittrace=1: ssm/schemas 7.4 ms),
// which put the functions over the 50 ms cold-start bar, for one call made
// once at start.
type Client struct {
	endpoint string
	region   string
	creds    aws.CredentialsProvider
	http     *http.Client
	now      func() time.Time
}

// maxResponseBytes bounds a GetParameters answer: ten parameters of at most
// 8 KB each, with their metadata.
const maxResponseBytes = 256 << 10

// NewClient reads region, credentials, HTTP client and, when set, the base
// endpoint from an SDK configuration.
func NewClient(cfg aws.Config) *Client {
	c := &Client{region: cfg.Region, creds: cfg.Credentials, now: time.Now, http: http.DefaultClient}
	c.endpoint = "https://ssm." + cfg.Region + ".amazonaws.com/"
	if cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != "" {
		c.endpoint = *cfg.BaseEndpoint
	}
	if hc, ok := cfg.HTTPClient.(*http.Client); ok && hc != nil {
		c.http = hc
	}
	return c
}

// ErrService is an error answer of Parameter Store.
var ErrService = errors.New("parameter store refused")

// GetParameters reads names with decryption.
func (c *Client) GetParameters(ctx context.Context, names []string) (map[string]string, []string, error) {
	if c.creds == nil {
		return nil, nil, errors.New("get parameters: no credentials")
	}
	body, err := json.Marshal(struct {
		Names          []string `json:"Names"`
		WithDecryption bool     `json:"WithDecryption"`
	}{names, true})
	if err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("get parameters: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonSSM.GetParameters")
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("get parameters: credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ssm", c.region, c.now()); err != nil {
		return nil, nil, fmt.Errorf("get parameters: sign: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("get parameters: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("get parameters: read answer: %w", err)
	}
	if len(raw) > maxResponseBytes {
		return nil, nil, fmt.Errorf("get parameters: answer over %d bytes", maxResponseBytes)
	}
	if resp.StatusCode != http.StatusOK {
		var fail struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(raw, &fail)
		return nil, nil, fmt.Errorf("%w: HTTP %d %s %.200s", ErrService, resp.StatusCode, fail.Type, fail.Message)
	}
	var answer struct {
		Parameters []struct {
			Name  string `json:"Name"`
			Value string `json:"Value"`
		} `json:"Parameters"`
		InvalidParameters []string `json:"InvalidParameters"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return nil, nil, fmt.Errorf("get parameters: answer: %w", err)
	}
	values := make(map[string]string, len(answer.Parameters))
	for _, p := range answer.Parameters {
		values[p.Name] = p.Value
	}
	return values, answer.InvalidParameters, nil
}
