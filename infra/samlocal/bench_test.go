package samlocal

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

var benchPayload = []byte(`{"directive":{"header":{"namespace":"Alexa.PlaybackController","name":"Pause","payloadVersion":"3"},"endpoint":{"endpointId":"tv-1"},"payload":{}}}`)

// BenchmarkInvoke measures one echo invoke through the real emulator:
// directly, through LambdaAPI with the SDK client, and through HTTPAPI with
// net/http. The differences are the overhead of each front.
func BenchmarkInvoke(b *testing.B) {
	emu, _ := startEmulator(b, "ApiFunction", func(c *EmulatorConfig) {
		c.Stdout, c.Stderr, c.Logger = nil, nil, nil // keep the pipes out of the numbers
	})
	ctx := context.Background()
	if _, err := emu.Invoke(ctx, benchPayload); err != nil { // init outside the loop
		b.Fatal(err)
	}

	b.Run("emulator", func(b *testing.B) {
		for b.Loop() {
			res, err := emu.Invoke(ctx, benchPayload)
			if err != nil || res.FunctionError != "" {
				b.Fatalf("invoke: %v %+v", err, res)
			}
		}
	})

	b.Run("lambda-api", func(b *testing.B) {
		srv := httptest.NewServer(NewLambdaAPI(map[string]Invoker{"ApiFunction": emu}, nil))
		defer srv.Close()
		client := newLambdaClient(srv.URL)
		in := &lambda.InvokeInput{FunctionName: aws.String("ApiFunction"), Payload: benchPayload}
		for b.Loop() {
			out, err := client.Invoke(ctx, in)
			if err != nil || out.FunctionError != nil || !bytes.Equal(out.Payload, benchPayload) {
				b.Fatalf("invoke: %v %+v", err, out)
			}
		}
	})

	b.Run("http-api", func(b *testing.B) {
		api, err := NewHTTPAPI([]Route{{"ApiFunction", "GET", "/items/{id}"}}, map[string]Invoker{"ApiFunction": emu}, nil)
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(api)
		defer srv.Close()
		client := srv.Client()
		for b.Loop() {
			resp, err := client.Get(srv.URL + "/items/42?color=red")
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}

// BenchmarkHandler measures the fronts alone: request parsing, event
// building and response translation, with an in-process echo function and
// no network.
func BenchmarkHandler(b *testing.B) {
	echo := InvokerFunc(func(_ context.Context, payload []byte) (Result, error) {
		return Result{Payload: payload}, nil
	})
	httpEcho := InvokerFunc(func(context.Context, []byte) (Result, error) {
		return Result{Payload: []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"ok\":true}"}`)}, nil
	})

	b.Run("lambda-api", func(b *testing.B) {
		api := NewLambdaAPI(map[string]Invoker{"SkillFunction": echo}, nil)
		for b.Loop() {
			req := httptest.NewRequest(http.MethodPost, "/2015-03-31/functions/SkillFunction/invocations", bytes.NewReader(benchPayload))
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})

	b.Run("http-api", func(b *testing.B) {
		api, err := NewHTTPAPI([]Route{{"ApiFunction", "GET", "/items/{id}"}}, map[string]Invoker{"ApiFunction": httpEcho}, nil)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			req := httptest.NewRequest(http.MethodGet, "/items/42?color=red", nil)
			req.Header.Set("User-Agent", "bench")
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
}
