package samlocal

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"
)

// ErrStopped is returned by Invoke once Stop has been called.
var ErrStopped = errors.New("emulator stopped")

// FunctionErrorUnhandled is the value of Result.FunctionError (and of the Lambda
// X-Amz-Function-Error header) when the function failed.
const FunctionErrorUnhandled = "Unhandled"

const (
	defaultTimeout      = 3 * time.Second // Lambda's default function timeout
	defaultStartTimeout = 10 * time.Second
	// invokeGrace covers init and the emulator's own bookkeeping on top of the
	// function timeout before we give up on the emulator.
	invokeGrace = 10 * time.Second
	// markerVar tags every process of one emulator (the RIE forwards its
	// environment to the runtime) so Stop can find runtimes that live in
	// their own process group or were orphaned by a crashed RIE.
	markerVar  = "SAMLOCAL_EMULATOR_ID"
	invokePath = "/2015-03-31/functions/function/invocations"
)

// Invoker invokes one Lambda function. *Emulator implements it; so does
// InvokerFunc.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) (Result, error)
}

// InvokerFunc adapts a function to Invoker.
type InvokerFunc func(ctx context.Context, payload []byte) (Result, error)

// Invoke calls f.
func (f InvokerFunc) Invoke(ctx context.Context, payload []byte) (Result, error) {
	return f(ctx, payload)
}

// Result is the outcome of one invocation that reached the function.
type Result struct {
	// Payload is the function's response, or its error document
	// ({"errorMessage":…,"errorType":…}) when FunctionError is set.
	Payload []byte
	// FunctionError is "" on success and FunctionErrorUnhandled when the
	// function returned an error, crashed or timed out.
	FunctionError string
	// ErrorType is the errorType of the error document, for example
	// "errorString", "Runtime.ExitError" or "Sandbox.Timedout".
	ErrorType string
	// RequestID is the Lambda request id the function saw.
	RequestID string
}

// EmulatorConfig describes one function to run under aws-lambda-rie.
type EmulatorConfig struct {
	Name      string // function name (AWS_LAMBDA_FUNCTION_NAME), usually the template's logical ID
	RIEPath   string // path to the aws-lambda-rie binary
	Bootstrap string // path to the function's bootstrap binary
	// Env is the function's environment (template Variables, env.local.json).
	// It is laid over a clean base like sam local's: PATH, HOME, TMPDIR, TZ
	// and LANG from this process, AWS_REGION=us-east-1, placeholder
	// credentials (defaultkey/defaultsecret), AWS_SAM_LOCAL=true.
	// AWS_LAMBDA_FUNCTION_NAME and AWS_LAMBDA_FUNCTION_TIMEOUT always come
	// from Name and Timeout.
	Env     map[string]string
	Timeout time.Duration // function timeout, rounded up to whole seconds; 0 means 3s
	// StartTimeout bounds how long Start waits for the emulator to listen; 0 means 10s.
	StartTimeout time.Duration
	Stdout       io.Writer // emulator and function output; nil discards
	Stderr       io.Writer
	Logger       *slog.Logger // nil discards
}

// Emulator is one aws-lambda-rie process running one function. Invoke calls
// are serialised because the emulator crashes on concurrent invokes. If the
// process dies it is restarted on the next Invoke.
type Emulator struct {
	cfg     EmulatorConfig
	logger  *slog.Logger
	env     []string
	marker  string
	timeout time.Duration
	client  *http.Client

	// sem holds one token while an invoke is at the emulator.
	sem chan struct{}
	// stopCtx is cancelled by Stop and bounds every request to the emulator.
	stopCtx    context.Context
	stopCancel context.CancelFunc
	stopOnce   sync.Once

	mu       sync.Mutex
	proc     *process // nil after a failed invoke retired it
	stopped  bool
	restarts int
}

// Start launches aws-lambda-rie for cfg on free loopback ports and returns
// once it accepts connections. The function itself initialises on the first
// Invoke, as under sam local.
func Start(ctx context.Context, cfg EmulatorConfig) (*Emulator, error) {
	if cfg.Name == "" {
		return nil, errors.New("start emulator: empty function name")
	}
	for _, f := range []struct{ what, path string }{{"aws-lambda-rie", cfg.RIEPath}, {"bootstrap", cfg.Bootstrap}} {
		if err := checkExecutable(f.path); err != nil {
			return nil, fmt.Errorf("start emulator %s: %s: %w", cfg.Name, f.what, err)
		}
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	// The emulator only takes whole seconds.
	timeout = time.Duration((timeout+time.Second-1)/time.Second) * time.Second
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = defaultStartTimeout
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	marker := randomHex(16)
	stopCtx, stopCancel := context.WithCancel(context.Background())
	e := &Emulator{
		cfg:     cfg,
		logger:  logger.With("function", cfg.Name),
		env:     functionEnv(cfg.Name, timeout, cfg.Env, marker),
		marker:  marker,
		timeout: timeout,
		// One connection is enough: calls are serialised.
		client:     &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}},
		sem:        make(chan struct{}, 1),
		stopCtx:    stopCtx,
		stopCancel: stopCancel,
	}
	p, err := e.spawn(ctx)
	if err != nil {
		stopCancel()
		return nil, fmt.Errorf("start emulator %s: %w", cfg.Name, err)
	}
	e.proc = p
	e.logger.Debug("emulator ready", "addr", p.addr, "pid", p.cmd.Process.Pid)
	return e, nil
}

// Name is the function name the emulator was started with.
func (e *Emulator) Name() string { return e.cfg.Name }

// Restarts reports how many times the emulator process was replaced.
func (e *Emulator) Restarts() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.restarts
}

// Invoke sends payload to the function and waits for its result. Callers
// queue for the emulator; a caller whose ctx ends while queued or while the
// function runs gets ctx's error, and the function still runs to completion
// (or its timeout) before the next caller goes in, as the emulator requires.
// A non-nil error means the invoke did not produce a function result.
func (e *Emulator) Invoke(ctx context.Context, payload []byte) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("invoke %s: %w", e.cfg.Name, err)
	}
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return Result{}, fmt.Errorf("invoke %s: waiting for the emulator: %w", e.cfg.Name, ctx.Err())
	case <-e.stopCtx.Done():
		return Result{}, fmt.Errorf("invoke %s: %w", e.cfg.Name, ErrStopped)
	}
	type outcome struct {
		res Result
		err error
	}
	done := make(chan outcome, 1)
	// The caller may leave before the emulator answers, so the call owns a
	// copy of the payload and releases the emulator itself.
	payload = bytes.Clone(payload)
	clientContext := ClientContextFrom(ctx)
	go func() {
		defer func() { <-e.sem }()
		res, err := e.invokeLocked(payload, clientContext)
		done <- outcome{res, err}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-ctx.Done():
		return Result{}, fmt.Errorf("invoke %s: %w", e.cfg.Name, ctx.Err())
	}
}

func (e *Emulator) invokeLocked(payload []byte, clientContext string) (Result, error) {
	p, err := e.running()
	if err != nil {
		return Result{}, fmt.Errorf("invoke %s: %w", e.cfg.Name, err)
	}
	ctx, cancel := context.WithTimeout(e.stopCtx, e.timeout+invokeGrace)
	defer cancel()
	requestID := newRequestID()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+p.addr+invokePath, bytes.NewReader(payload))
	if err != nil {
		return Result{}, fmt.Errorf("invoke %s: build request: %w", e.cfg.Name, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amzn-RequestId", requestID)
	if clientContext != "" {
		req.Header.Set(clientContextHeader, clientContext)
	}
	resp, err := e.client.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err != nil {
		if e.stopCtx.Err() != nil {
			return Result{}, fmt.Errorf("invoke %s: %w", e.cfg.Name, ErrStopped)
		}
		// The emulator died or is stuck mid-invoke; either way it cannot
		// take another call, so retire it and start afresh next time.
		select {
		case <-p.exited:
			err = fmt.Errorf("aws-lambda-rie exited (%v): %w", p.waitErr, err)
		default:
		}
		e.retire(p)
		return Result{}, fmt.Errorf("invoke %s: %w", e.cfg.Name, err)
	}
	res, err := parseEmulatorResponse(resp.StatusCode, body, requestID)
	if err != nil {
		return Result{}, fmt.Errorf("invoke %s: %w", e.cfg.Name, err)
	}
	return res, nil
}

// running returns the live process, restarting the emulator if it died.
func (e *Emulator) running() (*process, error) {
	e.mu.Lock()
	if e.stopped {
		e.mu.Unlock()
		return nil, ErrStopped
	}
	p := e.proc
	e.mu.Unlock()
	if p != nil {
		select {
		case <-p.exited:
			e.logger.Warn("aws-lambda-rie exited; restarting", "err", p.waitErr)
		default:
			return p, nil
		}
	}
	// Runtimes of the previous process may still hang on; they must not
	// outlive it.
	if p != nil {
		e.kill(p)
	} else {
		killMarked(e.marker)
	}
	np, err := e.spawn(e.stopCtx)
	if err != nil {
		return nil, fmt.Errorf("restart: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		// Stop ran while we were starting; it could not see np.
		e.kill(np)
		return nil, ErrStopped
	}
	e.proc = np
	e.restarts++
	return np, nil
}

// retire kills p and forgets it so the next invoke starts a new emulator.
func (e *Emulator) retire(p *process) {
	e.kill(p)
	e.mu.Lock()
	if e.proc == p {
		e.proc = nil
	}
	e.mu.Unlock()
}

// Stop kills the emulator and the function's processes and waits for them to
// exit. Pending and later invokes fail with ErrStopped. It is safe to call
// more than once.
func (e *Emulator) Stop() {
	e.stopOnce.Do(func() {
		e.mu.Lock()
		e.stopped = true
		p := e.proc
		e.mu.Unlock()
		e.stopCancel()
		if p != nil {
			e.kill(p)
		}
		// Wait out an invoke still at the emulator (it fails fast now), then
		// sweep anything a concurrent restart may have left.
		e.sem <- struct{}{}
		killMarked(e.marker)
		e.client.CloseIdleConnections()
		e.logger.Debug("emulator stopped")
	})
}

// timedOut matches the plain-text body aws-lambda-rie answers with (status
// 200) when the function outlives its timeout.
var timedOut = regexp.MustCompile(`^Task timed out after ([0-9.]+) seconds$`)

// parseEmulatorResponse turns the emulator's answer into a Result. The
// emulator drops the runtime's error headers, so a function error is
// recognised by its body, as sam local does: a JSON object made of
// errorMessage, errorType and optionally stackTrace/cause. A crashed runtime
// or failed init comes back as 502 with such a body; real Lambda reports both
// as Unhandled function errors.
func parseEmulatorResponse(status int, body []byte, requestID string) (Result, error) {
	res := Result{Payload: body, RequestID: requestID}
	switch status {
	case http.StatusOK:
		if m := timedOut.FindSubmatch(bytes.TrimSpace(body)); m != nil {
			res.FunctionError = FunctionErrorUnhandled
			res.ErrorType = "Sandbox.Timedout"
			res.Payload = errorDocument(res.ErrorType, fmt.Sprintf("RequestId: %s Error: Task timed out after %s seconds", requestID, m[1]))
			return res, nil
		}
		if t, ok := errorType(body); ok {
			res.FunctionError = FunctionErrorUnhandled
			res.ErrorType = t
		}
		return res, nil
	case http.StatusBadGateway:
		res.FunctionError = FunctionErrorUnhandled
		if t, ok := errorType(body); ok {
			res.ErrorType = t
			return res, nil
		}
		// An init failure comes back with an empty body.
		msg := string(bytes.TrimSpace(body))
		if msg == "" {
			msg = "Runtime failed without details (init error or crash); see the function's output"
		}
		res.ErrorType = "Runtime.Unknown"
		res.Payload = errorDocument(res.ErrorType, fmt.Sprintf("RequestId: %s Error: %s", requestID, msg))
		return res, nil
	}
	return Result{}, fmt.Errorf("aws-lambda-rie answered %d: %.200s", status, body)
}

var errorKeys = []string{"errorMessage", "errorType", "stackTrace", "cause", "requestId"}

// errorType reports whether body is a Lambda error document and its type.
func errorType(body []byte) (string, bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return "", false
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", false
	}
	var t string
	if err := json.Unmarshal(doc["errorType"], &t); err != nil {
		return "", false
	}
	if _, ok := doc["errorMessage"]; !ok {
		return "", false
	}
	for k := range doc {
		if !slices.Contains(errorKeys, k) {
			return "", false
		}
	}
	return t, true
}

func errorDocument(errType, message string) []byte {
	b, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{message, errType}) // cannot fail: two strings
	return b
}

// functionEnv builds the emulator's (and so the function's) environment the
// way sam local does: a clean environment with Lambda's variables and
// placeholder credentials, then the function's own, then what the emulator
// needs to agree with us on.
func functionEnv(name string, timeout time.Duration, fnEnv map[string]string, marker string) []string {
	env := map[string]string{
		"AWS_SAM_LOCAL":                   "true",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"AWS_ACCESS_KEY_ID":               "defaultkey",
		"AWS_SECRET_ACCESS_KEY":           "defaultsecret",
	}
	// The process basics, so the runtime (and tools it runs) behave.
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "TZ", "LANG"} {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	maps.Copy(env, fnEnv)
	env["AWS_LAMBDA_FUNCTION_NAME"] = name
	env["AWS_LAMBDA_FUNCTION_TIMEOUT"] = strconv.Itoa(int(timeout / time.Second))
	env[markerVar] = marker
	// Setting it switches the emulator into Lambda Managed Instances mode.
	delete(env, "AWS_LAMBDA_MAX_CONCURRENCY")
	out := make([]string, 0, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		out = append(out, k+"="+env[k])
	}
	return out
}

func checkExecutable(path string) error {
	if path == "" {
		return errors.New("no path given")
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", path)
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// newRequestID returns a random UUID (version 4), the shape of Lambda request ids.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// clientContextHeader carries Lambda's client context (base64 JSON); the
// emulator hands it to the runtime as the invoke's ClientContext.
const clientContextHeader = "X-Amz-Client-Context"

// MaxClientContextBytes is Lambda's limit on the encoded client context.
const MaxClientContextBytes = 3583

type clientContextKey struct{}

// WithClientContext returns ctx carrying an invoke's client context.
func WithClientContext(ctx context.Context, encoded string) context.Context {
	return context.WithValue(ctx, clientContextKey{}, encoded)
}

// ClientContextFrom returns the client context WithClientContext stored.
func ClientContextFrom(ctx context.Context) string {
	s, _ := ctx.Value(clientContextKey{}).(string)
	return s
}
