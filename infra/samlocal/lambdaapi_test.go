package samlocal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// newLambdaClient is how a service (or alexa-sim) talks to the local stack:
// the real SDK client pointed at the server with dummy credentials.
func newLambdaClient(endpoint string) *lambda.Client {
	return lambda.New(lambda.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
		RetryMaxAttempts: 1,
	})
}

func TestLambdaAPIWithSDK(t *testing.T) {
	t.Parallel()
	emu, _ := startEmulator(t, "SkillFunction")
	async := make(chan Result, 1)
	api := NewLambdaAPI(map[string]Invoker{
		"SkillFunction": emu,
		// Records what an Event invocation produced; the caller never sees it.
		"AsyncFunction": InvokerFunc(func(ctx context.Context, payload []byte) (Result, error) {
			res, err := emu.Invoke(ctx, payload)
			async <- res
			return res, err
		}),
	}, testLogger(t))
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	client := newLambdaClient(srv.URL)
	ctx := context.Background()

	t.Run("request response", func(t *testing.T) {
		for _, name := range []string{
			"SkillFunction",
			"SkillFunction:$LATEST",
			"SkillFunction:live",
			"123456789012:function:SkillFunction",
			"arn:aws:lambda:us-east-1:123456789012:function:SkillFunction",
			"arn:aws:lambda:eu-west-1:123456789012:function:SkillFunction:$LATEST",
		} {
			out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"directive":{"header":{"name":"Pause"}}}`)})
			if err != nil {
				t.Fatalf("Invoke(%s): %v", name, err)
			}
			if out.StatusCode != 200 || out.FunctionError != nil || aws.ToString(out.ExecutedVersion) != "$LATEST" ||
				string(out.Payload) != `{"directive":{"header":{"name":"Pause"}}}` {
				t.Errorf("Invoke(%s) = status %d, function error %v, version %v, payload %s",
					name, out.StatusCode, aws.ToString(out.FunctionError), aws.ToString(out.ExecutedVersion), out.Payload)
			}
		}
	})

	t.Run("qualifier parameter", func(t *testing.T) {
		out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("SkillFunction"), Qualifier: aws.String("$LATEST"), Payload: []byte(`{}`)})
		if err != nil || string(out.Payload) != `{}` {
			t.Fatalf("Invoke with Qualifier: %v, %+v", err, out)
		}
	})

	t.Run("function error", func(t *testing.T) {
		out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("SkillFunction"), Payload: []byte(`{"do":"fail","message":"no such device"}`)})
		if err != nil {
			t.Fatalf("Invoke: %v", err)
		}
		var doc struct{ ErrorMessage, ErrorType string }
		_ = json.Unmarshal(out.Payload, &doc)
		if out.StatusCode != 200 || aws.ToString(out.FunctionError) != "Unhandled" || doc.ErrorMessage != "no such device" {
			t.Errorf("got status %d, function error %q, payload %s", out.StatusCode, aws.ToString(out.FunctionError), out.Payload)
		}
	})

	t.Run("unknown function", func(t *testing.T) {
		_, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("NoSuchFunction"), Payload: []byte(`{}`)})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) || !strings.Contains(nf.ErrorMessage(), "Function not found: arn:aws:lambda:us-east-1:123456789012:function:NoSuchFunction") {
			t.Errorf("err = %v, want ResourceNotFoundException with Lambda's message", err)
		}
	})

	t.Run("invalid payload", func(t *testing.T) {
		_, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("SkillFunction"), Payload: []byte(`not json`)})
		var bad *types.InvalidRequestContentException
		if !errors.As(err, &bad) {
			t.Errorf("err = %v, want InvalidRequestContentException", err)
		}
	})

	t.Run("dry run", func(t *testing.T) {
		out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("SkillFunction"), InvocationType: types.InvocationTypeDryRun})
		if err != nil || out.StatusCode != 204 {
			t.Fatalf("DryRun: %v, status %d", err, out.StatusCode)
		}
	})

	t.Run("event", func(t *testing.T) {
		out, err := client.Invoke(ctx, &lambda.InvokeInput{
			FunctionName:   aws.String("AsyncFunction"),
			InvocationType: types.InvocationTypeEvent,
			Payload:        []byte(`{"do":"env","name":"AWS_LAMBDA_FUNCTION_NAME"}`),
		})
		if err != nil || out.StatusCode != 202 || len(out.Payload) != 0 {
			t.Fatalf("Event: %v, %+v", err, out)
		}
		api.Wait()
		if res := <-async; string(res.Payload) != `{"value":"SkillFunction"}` {
			t.Errorf("async invoke produced %+v (payload %s)", res, res.Payload)
		}
	})
}

// TestLambdaAPICLIRequest sends what `aws lambda invoke --endpoint-url
// http://127.0.0.1:3001 --function-name SkillFunction out.json` sends: no
// payload at all, which Lambda hands to the function as {}.
func TestLambdaAPICLIRequest(t *testing.T) {
	t.Parallel()
	emu, _ := startEmulator(t, "SkillFunction")
	srv := httptest.NewServer(NewLambdaAPI(map[string]Invoker{"SkillFunction": emu}, testLogger(t)))
	t.Cleanup(srv.Close)

	resp, err := http.Post(srv.URL+"/2015-03-31/functions/SkillFunction/invocations", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{}` || resp.Header.Get("X-Amz-Executed-Version") != "$LATEST" {
		t.Errorf("got %d %q, headers %v", resp.StatusCode, body, resp.Header)
	}

	// Wrong method and unknown paths get Lambda-style errors.
	resp, err = http.Get(srv.URL + "/2015-03-31/functions/SkillFunction/invocations")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET invocations: status %d, want 405", resp.StatusCode)
	}
	resp, err = http.Post(srv.URL+"/2015-03-31/functions/NoSuchFunction/invocations", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("X-Amzn-ErrorType") != "ResourceNotFoundException" ||
		string(body) != `{"Type":"User","message":"Function not found: arn:aws:lambda:us-east-1:123456789012:function:NoSuchFunction"}`+"\n" {
		t.Errorf("unknown function: %d %s %v", resp.StatusCode, body, resp.Header)
	}

	// A client context Lambda would refuse is refused before the function runs.
	for name, cc := range map[string]string{
		"not base64":      "%%%",
		"over 3583 bytes": strings.Repeat("QUFB", 900),
	} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/2015-03-31/functions/SkillFunction/invocations", strings.NewReader(`{}`))
		req.Header.Set("X-Amz-Client-Context", cc)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") != "InvalidParameterValueException" {
			t.Errorf("client context %s: %d %v", name, resp.StatusCode, resp.Header)
		}
	}

	// The real CLI, where one is installed.
	if _, err := exec.LookPath("aws"); err != nil {
		t.Log("aws CLI not installed; skipping the CLI run")
		return
	}
	outFile := filepath.Join(t.TempDir(), "out.json")
	cmd := exec.Command("aws", "lambda", "invoke", "--endpoint-url", srv.URL, "--function-name", "SkillFunction", outFile)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
	stdout, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && bytes.Contains(ee.Stderr, []byte("No module named")) {
			t.Skipf("aws CLI is broken here: %s", ee.Stderr)
		}
		t.Fatalf("aws lambda invoke: %v\n%s", err, stdout)
	}
	got, err := os.ReadFile(outFile)
	if err != nil || string(got) != `{}` {
		t.Errorf("out.json = %q (%v), want {}", got, err)
	}
	var meta struct {
		StatusCode      int
		ExecutedVersion string
	}
	if err := json.Unmarshal(stdout, &meta); err != nil || meta.StatusCode != 200 || meta.ExecutedVersion != "$LATEST" {
		t.Errorf("aws lambda invoke printed %s (%v)", stdout, err)
	}
}

func TestFunctionNamePattern(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"SkillFunction":         "SkillFunction",
		"SkillFunction:$LATEST": "SkillFunction",
		"SkillFunction:prod":    "SkillFunction",
		"arn:aws:lambda:us-west-2:123456789012:function:my-fn":                "my-fn",
		"arn:aws:lambda:us-west-2:123456789012:function:my-fn:7":              "my-fn",
		"arn:aws-cn:lambda:cn-north-1:123456789012:function:my_fn.v2:$LATEST": "my_fn.v2",
		"123456789012:function:my-fn":                                         "my-fn",
		"bad/name":                                                            "",
		"":                                                                    "",
	} {
		m := functionName.FindStringSubmatch(in)
		got := ""
		if m != nil {
			got = m[7]
		}
		if got != want {
			t.Errorf("function name in %q = %q, want %q", in, got, want)
		}
	}
}
