// Package invoke calls the skill Lambda through the real AWS Lambda Invoke
// API, as Alexa does; locally the endpoint is a `sam local start-lambda`
// style server, so static dummy credentials do.
package invoke

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// Config says which function to call and where.
type Config struct {
	Endpoint string // e.g. http://127.0.0.1:3001
	Function string // e.g. SkillFunction
	Region   string
	// Timeout bounds one invocation; Alexa gives a skill about 8 s.
	Timeout time.Duration
}

// FunctionError is a failure inside the function: the invocation worked
// and the handler returned an error (X-Amz-Function-Error).
type FunctionError struct {
	Type    string // "Unhandled" or "Handled"
	Payload []byte // the error document, e.g. {"errorMessage":…,"errorType":…}
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("function error (%s): %s", e.Type, e.Payload)
}

// Client invokes one function synchronously.
type Client struct {
	api      *lambda.Client
	function string
	timeout  time.Duration
}

// New builds a client from cfg alone: no shared config files, no
// environment, so the simulator cannot pick up a real AWS account.
func New(cfg Config) (*Client, error) {
	if cfg.Function == "" {
		return nil, errors.New("new lambda client: function name is required")
	}
	if cfg.Endpoint == "" {
		return nil, errors.New("new lambda client: endpoint is required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	awsCfg := aws.Config{
		Region:      cfg.Region,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
		HTTPClient:  &http.Client{Timeout: cfg.Timeout},
		// A retried directive would reach the TV twice; Alexa does not retry either.
		Retryer: func() aws.Retryer { return aws.NopRetryer{} },
	}
	api := lambda.NewFromConfig(awsCfg, func(o *lambda.Options) {
		o.BaseEndpoint = aws.String(cfg.Endpoint)
	})
	return &Client{api: api, function: cfg.Function, timeout: cfg.Timeout}, nil
}

// Invoke sends payload and returns the function's reply. clientContext,
// when not empty, is the base64 client context (X-Amz-Client-Context) the
// function sees; alexa-sim passes the trace id in it. A function error is
// returned as *FunctionError.
func (c *Client) Invoke(ctx context.Context, payload []byte, clientContext string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	in := &lambda.InvokeInput{FunctionName: aws.String(c.function), Payload: payload}
	if clientContext != "" {
		in.ClientContext = aws.String(clientContext)
	}
	out, err := c.api.Invoke(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", c.function, err)
	}
	if out.FunctionError != nil {
		return nil, fmt.Errorf("invoke %s: %w", c.function, &FunctionError{Type: *out.FunctionError, Payload: out.Payload})
	}
	return out.Payload, nil
}
