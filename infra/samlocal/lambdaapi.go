package samlocal

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"regexp"
	"sync"
)

// maxInvokePayload is Lambda's limit for a synchronous request payload.
const maxInvokePayload = 6 * 1024 * 1024

// functionName is the FunctionName pattern of the Lambda Invoke API: a name,
// a partial ARN (account:function:name) or a full ARN, each with an optional
// :qualifier.
var functionName = regexp.MustCompile(`^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$`)

// LambdaAPI serves the Lambda Invoke API
// (POST /2015-03-31/functions/{FunctionName}/invocations) in front of a set
// of functions, as `sam local start-lambda` does. Aliases and versions are
// accepted and ignored: every call runs $LATEST.
type LambdaAPI struct {
	functions map[string]Invoker
	logger    *slog.Logger
	mux       *http.ServeMux
	async     sync.WaitGroup // Event invocations still running
}

// NewLambdaAPI serves functions, keyed by function name.
func NewLambdaAPI(functions map[string]Invoker, logger *slog.Logger) *LambdaAPI {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	a := &LambdaAPI{functions: maps.Clone(functions), logger: logger, mux: http.NewServeMux()}
	a.mux.HandleFunc("/2015-03-31/functions/{name}/invocations", a.invoke)
	a.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeLambdaError(w, http.StatusNotFound, "PathNotFoundLocally", "User",
			fmt.Sprintf("no Lambda API operation at %s %s", r.Method, r.URL.Path))
	})
	return a
}

// ServeHTTP implements http.Handler.
func (a *LambdaAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mux.ServeHTTP(w, r)
}

// Wait blocks until every Event (asynchronous) invocation accepted so far has
// finished.
func (a *LambdaAPI) Wait() {
	a.async.Wait()
}

func (a *LambdaAPI) invoke(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeLambdaError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "User", "Invoke takes POST")
		return
	}
	raw := r.PathValue("name")
	m := functionName.FindStringSubmatch(raw)
	var fn Invoker
	var name string
	if m != nil {
		name = m[7]
		fn = a.functions[name]
	}
	if fn == nil {
		writeLambdaError(w, http.StatusNotFound, "ResourceNotFoundException", "User",
			"Function not found: "+functionARN(m, raw))
		return
	}
	payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInvokePayload))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			writeLambdaError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "User",
				fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", maxInvokePayload))
			return
		}
		writeLambdaError(w, http.StatusBadRequest, "InvalidRequestContentException", "User", "read request body: "+err.Error())
		return
	}
	// Like the CLI without --payload: Lambda hands the function an empty object.
	if len(bytes.TrimSpace(payload)) == 0 {
		payload = []byte("{}")
	}
	if !json.Valid(payload) {
		writeLambdaError(w, http.StatusBadRequest, "InvalidRequestContentException", "User",
			"Could not parse request body into json: the payload is not valid JSON")
		return
	}
	logger := a.logger.With("function", name)
	ctx := r.Context()
	if cc := r.Header.Get(clientContextHeader); cc != "" {
		// Lambda refuses a client context over its limit or not base64.
		if _, err := base64.StdEncoding.DecodeString(cc); err != nil || len(cc) > MaxClientContextBytes {
			writeLambdaError(w, http.StatusBadRequest, "InvalidParameterValueException", "User",
				fmt.Sprintf("client context must be base64 JSON of at most %d bytes", MaxClientContextBytes))
			return
		}
		ctx = WithClientContext(ctx, cc)
	}
	switch t := r.Header.Get("X-Amz-Invocation-Type"); t {
	case "", "RequestResponse":
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return
	case "Event":
		// The client is gone by the time the function runs.
		ctx := context.WithoutCancel(ctx)
		a.async.Add(1)
		go func() {
			defer a.async.Done()
			res, err := fn.Invoke(ctx, payload)
			switch {
			case err != nil:
				logger.Error("async invoke failed", "err", err)
			case res.FunctionError != "":
				logger.Warn("async invoke: function error", "errorType", res.ErrorType, "payload", string(res.Payload))
			}
		}()
		w.Header().Set("X-Amzn-RequestId", newRequestID())
		w.WriteHeader(http.StatusAccepted)
		return
	default:
		writeLambdaError(w, http.StatusBadRequest, "InvalidParameterValueException", "User",
			fmt.Sprintf("invalid X-Amz-Invocation-Type %q", t))
		return
	}
	res, err := fn.Invoke(ctx, payload)
	if err != nil {
		logger.Error("invoke failed", "err", err)
		writeLambdaError(w, http.StatusInternalServerError, "ServiceException", "Service", err.Error())
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amz-Executed-Version", "$LATEST")
	if res.RequestID != "" {
		h.Set("X-Amzn-RequestId", res.RequestID)
	}
	if res.FunctionError != "" {
		h.Set("X-Amz-Function-Error", res.FunctionError)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.Payload)
}

// functionARN spells the function the way Lambda's "not found" message does.
func functionARN(m []string, raw string) string {
	if m == nil {
		return raw
	}
	region, account := m[3], m[5]
	if region == "" {
		region = "us-east-1:"
	}
	if account == "" {
		account = "123456789012:"
	}
	return "arn:aws:lambda:" + region + account + "function:" + m[7] + m[8]
}

// writeLambdaError answers like the Lambda service: the SDKs read the error
// code from X-Amzn-ErrorType and the message from the body.
func writeLambdaError(w http.ResponseWriter, status int, code, kind, message string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-ErrorType", code)
	h.Set("X-Amzn-RequestId", newRequestID())
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Type    string `json:"Type"`
		Message string `json:"message"`
	}{kind, message})
}
