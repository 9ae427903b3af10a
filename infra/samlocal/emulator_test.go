package samlocal

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func invoke(t testing.TB, e *Emulator, payload string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := e.Invoke(ctx, []byte(payload))
	if err != nil {
		t.Fatalf("Invoke(%s): %v", payload, err)
	}
	return res
}

func requireEcho(t testing.TB, e *Emulator, payload string) {
	t.Helper()
	res := invoke(t, e, payload)
	if res.FunctionError != "" || string(res.Payload) != payload {
		t.Fatalf("Invoke(%s) = %+v (payload %s), want an echo", payload, res, res.Payload)
	}
}

func TestEmulatorInvoke(t *testing.T) {
	t.Parallel()
	e, _ := startEmulator(t, "EchoFunction")

	requireEcho(t, e, `{"hello":"world"}`)
	requireEcho(t, e, `["not","an","object"]`)

	for name, want := range map[string]string{
		"GREETING":                    "hello", // from EmulatorConfig.Env
		"AWS_LAMBDA_FUNCTION_NAME":    "EchoFunction",
		"AWS_LAMBDA_FUNCTION_TIMEOUT": "3",
		"AWS_REGION":                  "us-east-1",
		"AWS_SAM_LOCAL":               "true",
	} {
		res := invoke(t, e, fmt.Sprintf(`{"do":"env","name":%q}`, name))
		var got struct{ Value string }
		if err := json.Unmarshal(res.Payload, &got); err != nil || got.Value != want {
			t.Errorf("env %s = %s (err %v), want %q", name, res.Payload, err, want)
		}
	}
}

// The client context reaches the function, as Lambda's Invoke API passes it.
func TestEmulatorPassesClientContext(t *testing.T) {
	t.Parallel()
	e, _ := startEmulator(t, "EchoFunction")
	cc := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"trace":"abc123"}}`))
	ctx, cancel := context.WithTimeout(WithClientContext(context.Background(), cc), 20*time.Second)
	defer cancel()
	res, err := e.Invoke(ctx, []byte(`{"do":"clientcontext","name":"trace"}`))
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Value string }
	if err := json.Unmarshal(res.Payload, &got); err != nil || got.Value != "abc123" {
		t.Fatalf("client context seen by the function: %s (err %v)", res.Payload, err)
	}
	if res := invoke(t, e, `{"do":"clientcontext","name":"trace"}`); !strings.Contains(string(res.Payload), `"value":""`) {
		t.Fatalf("without a client context the function saw %s", res.Payload)
	}
}

func TestEmulatorFunctionErrors(t *testing.T) {
	t.Parallel()
	e, _ := startEmulator(t, "FailingFunction")

	res := invoke(t, e, `{"do":"fail","message":"boom"}`)
	var doc struct{ ErrorMessage, ErrorType string }
	if err := json.Unmarshal(res.Payload, &doc); err != nil {
		t.Fatalf("error payload %s: %v", res.Payload, err)
	}
	if res.FunctionError != FunctionErrorUnhandled || res.ErrorType != "errorString" || doc.ErrorMessage != "boom" {
		t.Errorf("returned error: got %+v (payload %s)", res, res.Payload)
	}
	requireEcho(t, e, `{"after":"error"}`)

	// A runtime that exits comes back from the emulator as a 502.
	res = invoke(t, e, `{"do":"exit"}`)
	if res.FunctionError != FunctionErrorUnhandled || res.ErrorType != "Runtime.ExitError" {
		t.Errorf("runtime exit: got %+v (payload %s)", res, res.Payload)
	}
	requireEcho(t, e, `{"after":"exit"}`)
	if n := e.Restarts(); n != 0 {
		t.Errorf("Restarts() = %d, want 0: the emulator re-inits the runtime itself", n)
	}
}

func TestEmulatorInitFailure(t *testing.T) {
	t.Parallel()
	bootstrap := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(bootstrap, []byte("#!/bin/sh\necho cannot start >&2\nexit 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	e, _ := startEmulator(t, "BrokenFunction", func(c *EmulatorConfig) { c.Bootstrap = bootstrap })
	for range 2 {
		res := invoke(t, e, `{}`)
		if res.FunctionError != FunctionErrorUnhandled || res.ErrorType != "Runtime.Unknown" {
			t.Errorf("init failure: got %+v (payload %s)", res, res.Payload)
		}
	}
}

func TestEmulatorSerialisesConcurrentInvokes(t *testing.T) {
	t.Parallel()
	e, _ := startEmulator(t, "BusyFunction")

	const callers = 20
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for i := range callers {
		wg.Go(func() {
			payload := fmt.Sprintf(`{"caller":%d}`, i)
			res, err := e.Invoke(context.Background(), []byte(payload))
			switch {
			case err != nil:
				errs <- fmt.Errorf("caller %d: %w", i, err)
			case res.FunctionError != "" || string(res.Payload) != payload:
				errs <- fmt.Errorf("caller %d: got %+v (payload %s)", i, res, res.Payload)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := e.Restarts(); n != 0 {
		t.Errorf("Restarts() = %d, want 0", n)
	}
}

func TestEmulatorTimeoutAndQueuedCaller(t *testing.T) {
	t.Parallel()
	e, out := startEmulator(t, "SlowFunction", func(c *EmulatorConfig) { c.Timeout = time.Second })

	hung := make(chan Result, 1)
	go func() {
		res, err := e.Invoke(context.Background(), []byte(`{"do":"hang"}`))
		if err != nil {
			t.Errorf("hanging invoke: %v", err)
		}
		hung <- res
	}()
	out.waitFor(t, "INVOKE START", 1)

	// A second caller queues behind the hanging one and gives up with its ctx.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := e.Invoke(ctx, []byte(`{}`)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("queued Invoke with expiring ctx: err = %v, want DeadlineExceeded", err)
	}

	res := <-hung
	if res.FunctionError != FunctionErrorUnhandled || res.ErrorType != "Sandbox.Timedout" ||
		!strings.Contains(string(res.Payload), "Task timed out after 1.00 seconds") {
		t.Errorf("timed out invoke: got %+v (payload %s)", res, res.Payload)
	}
	requireEcho(t, e, `{"after":"timeout"}`)
}

func TestEmulatorStopLeavesNoProcess(t *testing.T) {
	t.Parallel()
	e, out := startEmulator(t, "StoppedFunction")
	requireEcho(t, e, `{"warm":true}`)

	// The emulator and the runtime it started; the runtime is in a process
	// group of its own.
	pids := markedPIDs(e.marker)
	if len(pids) < 2 {
		t.Fatalf("processes of the emulator: %v, want the emulator and the runtime", pids)
	}

	hung := make(chan error, 1)
	go func() {
		_, err := e.Invoke(context.Background(), []byte(`{"do":"hang"}`))
		hung <- err
	}()
	out.waitFor(t, "INVOKE START", 2)
	e.Stop()

	if err := <-hung; !errors.Is(err, ErrStopped) {
		t.Errorf("invoke in flight during Stop: err = %v, want ErrStopped", err)
	}
	for _, pid := range pids {
		if processRunning(pid) {
			t.Errorf("process %d still running after Stop", pid)
		}
	}
	if left := markedPIDs(e.marker); len(left) != 0 {
		for _, pid := range left {
			if processRunning(pid) {
				t.Errorf("process %d of the emulator still running after Stop", pid)
			}
		}
	}
	if _, err := e.Invoke(context.Background(), []byte(`{}`)); !errors.Is(err, ErrStopped) {
		t.Errorf("Invoke after Stop: err = %v, want ErrStopped", err)
	}
	e.Stop() // idempotent
}

func TestEmulatorRestartsAfterCrash(t *testing.T) {
	t.Parallel()
	e, out := startEmulator(t, "CrashingFunction")
	requireEcho(t, e, `{"before":"crash"}`)

	// The emulator dies while idle: the next invoke starts a new one.
	killEmulator(t, e)
	requireEcho(t, e, `{"after":"idle crash"}`)
	if n := e.Restarts(); n != 1 {
		t.Errorf("Restarts() = %d, want 1", n)
	}

	// The emulator dies during an invoke: that invoke fails, the next works.
	hung := make(chan error, 1)
	go func() {
		_, err := e.Invoke(context.Background(), []byte(`{"do":"hang"}`))
		hung <- err
	}()
	out.waitFor(t, "INVOKE START", 3)
	killEmulator(t, e)
	if err := <-hung; err == nil || errors.Is(err, ErrStopped) {
		t.Errorf("invoke in flight when the emulator died: err = %v, want a failure", err)
	}
	requireEcho(t, e, `{"after":"crash in flight"}`)
	if n := e.Restarts(); n != 2 {
		t.Errorf("Restarts() = %d, want 2", n)
	}
	// The runtime orphaned by the second crash was hanging; it must be gone.
	e.Stop()
	for _, pid := range markedPIDs(e.marker) {
		if processRunning(pid) {
			t.Errorf("process %d of the emulator still running after Stop", pid)
		}
	}
}

// killEmulator kills the emulator process only, as a crash would.
func killEmulator(t *testing.T, e *Emulator) {
	t.Helper()
	e.mu.Lock()
	p := e.proc
	e.mu.Unlock()
	if err := syscall.Kill(p.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill emulator: %v", err)
	}
	<-p.exited
}

func TestStartRejectsBadConfig(t *testing.T) {
	t.Parallel()
	notExec := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]EmulatorConfig{
		"no name":           {RIEPath: riePath, Bootstrap: fnPath},
		"missing bootstrap": {Name: "F", RIEPath: riePath, Bootstrap: filepath.Join(t.TempDir(), "nope")},
		"not executable":    {Name: "F", RIEPath: riePath, Bootstrap: notExec},
		"missing emulator":  {Name: "F", RIEPath: "", Bootstrap: fnPath},
	} {
		if e, err := Start(context.Background(), cfg); err == nil {
			e.Stop()
			t.Errorf("%s: Start succeeded, want an error", name)
		}
	}
}

func TestParseEmulatorResponse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		status    int
		body      string
		fnErr     string
		errType   string
		payload   string // "" means unchanged
		wantError bool
	}{
		{name: "success", status: 200, body: `{"ok":true}`},
		{name: "success that looks a bit like an error", status: 200, body: `{"errorMessage":"x","errorType":"y","extra":1}`},
		{name: "function error", status: 200, body: `{"errorMessage":"boom","errorType":"errorString"}`, fnErr: "Unhandled", errType: "errorString"},
		{name: "panic with stack", status: 200, body: `{"errorMessage":"p","errorType":"runtime.Error","stackTrace":[]}`, fnErr: "Unhandled", errType: "runtime.Error"},
		{name: "timeout", status: 200, body: "Task timed out after 3.00 seconds", fnErr: "Unhandled", errType: "Sandbox.Timedout",
			payload: `{"errorMessage":"RequestId: rid Error: Task timed out after 3.00 seconds","errorType":"Sandbox.Timedout"}`},
		{name: "runtime exit", status: 502, body: `{"errorType":"Runtime.ExitError","errorMessage":"exit status 3"}`, fnErr: "Unhandled", errType: "Runtime.ExitError"},
		{name: "502 without document", status: 502, body: ``, fnErr: "Unhandled", errType: "Runtime.Unknown",
			payload: `{"errorMessage":"RequestId: rid Error: Runtime failed without details (init error or crash); see the function's output","errorType":"Runtime.Unknown"}`},
		{name: "emulator refused", status: 400, wantError: true},
		{name: "emulator internal error", status: 500, wantError: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := parseEmulatorResponse(tc.status, []byte(tc.body), "rid")
			if tc.wantError {
				if err == nil {
					t.Fatalf("got %+v, want an error", res)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tc.payload
			if want == "" {
				want = tc.body
			}
			if res.FunctionError != tc.fnErr || res.ErrorType != tc.errType || string(res.Payload) != want || res.RequestID != "rid" {
				t.Errorf("got %+v (payload %s), want FunctionError %q ErrorType %q payload %s", res, res.Payload, tc.fnErr, tc.errType, want)
			}
		})
	}
}
