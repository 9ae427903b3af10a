// Command fn is the Lambda used by the samlocal tests. It runs under the real
// aws-lambda-rie and plays three parts, chosen by the event:
//   - an API Gateway HTTP API (payload 2.0) handler when the event has version "2.0";
//   - a test helper when the event has a "do" field (fail, exit, hang, env);
//   - an echo otherwise: the event comes back unchanged.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type command struct {
	Do      string `json:"do"`
	Message string `json:"message"`
	Name    string `json:"name"`
}

func handle(ctx context.Context, event json.RawMessage) (any, error) {
	var probe struct {
		Version  string `json:"version"`
		RouteKey string `json:"routeKey"`
		Do       string `json:"do"`
	}
	// Events that are not JSON objects (strings, arrays) are echoed.
	_ = json.Unmarshal(event, &probe)
	switch {
	case probe.Version == "2.0" && probe.RouteKey != "":
		var req events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(event, &req); err != nil {
			return nil, fmt.Errorf("decode http event: %w", err)
		}
		return handleHTTP(req)
	case probe.Do != "":
		var cmd command
		if err := json.Unmarshal(event, &cmd); err != nil {
			return nil, fmt.Errorf("decode command: %w", err)
		}
		return handleCommand(ctx, cmd)
	}
	return event, nil
}

func handleCommand(ctx context.Context, cmd command) (any, error) {
	switch cmd.Do {
	case "fail":
		return nil, errors.New(cmd.Message)
	case "exit":
		os.Exit(3)
	case "hang":
		// Outlive the function timeout so the emulator has to time the invoke out.
		<-ctx.Done()
		select {}
	case "env":
		return map[string]string{"value": os.Getenv(cmd.Name)}, nil
	case "clientcontext":
		// The custom key Name of the invoke's client context.
		lc, _ := lambdacontext.FromContext(ctx)
		if lc == nil {
			return map[string]string{"value": ""}, nil
		}
		return map[string]string{"value": lc.ClientContext.Custom[cmd.Name]}, nil
	}
	return nil, fmt.Errorf("unknown command %q", cmd.Do)
}

// handleHTTP answers by the route the request matched, so the tests can
// exercise every response shape API Gateway accepts.
func handleHTTP(req events.APIGatewayV2HTTPRequest) (any, error) {
	switch req.RawPath {
	case "/raw":
		return "just a string", nil
	case "/nostatus":
		return map[string]any{"hello": "world"}, nil
	case "/fail":
		return nil, errors.New("http handler failed")
	case "/invalid":
		return map[string]any{"statusCode": "teapot"}, nil
	case "/binary":
		return events.APIGatewayV2HTTPResponse{
			StatusCode:      200,
			Headers:         map[string]string{"Content-Type": "application/octet-stream"},
			Body:            base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 0xff, 0xfe}),
			IsBase64Encoded: true,
		}, nil
	case "/cookies":
		return events.APIGatewayV2HTTPResponse{
			StatusCode:        201,
			Headers:           map[string]string{"X-Single": "one", "Content-Type": "text/plain"},
			MultiValueHeaders: map[string][]string{"X-Multi": {"a", "b"}},
			Cookies:           []string{"session=abc; Path=/", "theme=dark"},
			Body:              "cookies set",
		}, nil
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encode echo: %w", err)
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: 200,
		Headers: map[string]string{
			"Content-Type": "application/json",
			"X-Function":   os.Getenv("AWS_LAMBDA_FUNCTION_NAME"),
		},
		Body: string(body),
	}, nil
}

func main() {
	lambda.Start(handle)
}
