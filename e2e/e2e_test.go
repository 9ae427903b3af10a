// Package e2e starts the whole local stack as real processes (the stack
// runner, dynalite, the Lambdas' bootstrap binaries under aws-lambda-rie,
// device-push, alexa-sim, tvapp-sim) and drives it as a user would.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"livingroom/internal/vsk/vsktest"
)

// stack is a running stack runner and its addresses.
type stack struct {
	addrs  map[string]string // env var → host:port
	cmd    *exec.Cmd
	output *syncBuffer
	runDir string
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startStack runs bin/stack on free ports and waits for its READY line. A
// port picked free can be taken before the stack binds it (another
// process's outgoing connection gets it as its ephemeral port): then the
// stack is started again on other ports, at most three times in all.
func startStack(t testing.TB) *stack {
	t.Helper()
	bin := os.Getenv("LIVINGROOM_BIN")
	if bin == "" {
		if os.Getenv("DYNAMODB_TEST_REQUIRED") == "1" {
			t.Fatal("LIVINGROOM_BIN is not set; run through `make test`")
		}
		t.Skip("LIVINGROOM_BIN not set; run through `make test`, which builds the binaries")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	const attempts = 3
	for attempt := 1; ; attempt++ {
		s, exited, ok := launchStack(t, bin, root)
		if ok {
			t.Cleanup(func() { s.stop(t, exited) })
			return s
		}
		err := <-exited
		if attempt < attempts && strings.Contains(s.output.String(), "address already in use") {
			t.Logf("stack start %d: a port was taken before the stack bound it; again on other ports", attempt)
			continue
		}
		t.Fatalf("stack exited before READY (%v):\n%s", err, s.output)
	}
}

// launchStack starts the stack on free ports and reports whether it became
// READY; if not, exited yields its exit.
func launchStack(t testing.TB, bin, root string) (*stack, chan error, bool) {
	t.Helper()
	s := &stack{addrs: map[string]string{}, output: &syncBuffer{}, runDir: t.TempDir()}
	for _, k := range []string{"DYNAMODB_ADDR", "LAMBDA_ADDR", "DEVICE_API_ADDR", "DEVICE_PUSH_ADDR", "ALEXA_SIM_ADDR", "TVAPP_ADDR", "PARTNER_ADDR"} {
		s.addrs[k] = freeAddr(t)
	}
	s.cmd = exec.Command(filepath.Join(bin, "stack"))
	s.cmd.Env = append(os.Environ(), "LIVINGROOM_ROOT="+root, "LIVINGROOM_BIN="+bin, "LIVINGROOM_RUN_DIR="+s.runDir)
	for k, v := range s.addrs {
		s.cmd.Env = append(s.cmd.Env, k+"="+v)
	}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stderr = s.output
	began := time.Now()
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		signalled := false
		for sc.Scan() {
			fmt.Fprintln(s.output, sc.Text())
			if sc.Text() == "READY" && !signalled {
				signalled = true
				close(ready)
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	select {
	case <-ready:
		t.Logf("stack ready in %v", time.Since(began).Round(time.Millisecond))
		return s, exited, true
	case err := <-exited:
		exited <- err
		return s, exited, false
	case <-time.After(2 * time.Minute):
		_ = s.cmd.Process.Kill()
		t.Fatalf("stack not READY after 2 minutes:\n%s", s.output)
		return nil, nil, false
	}
}

// stop interrupts the stack as Ctrl-C would and checks that nothing it
// started is still listening.
func (s *stack) stop(t testing.TB, exited chan error) {
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("stack exit: %v\n%s", err, s.output)
		}
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		t.Errorf("stack did not stop within 30 s:\n%s", s.output)
	}
	for name, addr := range s.addrs {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			t.Errorf("%s (%s) still accepts connections after the stack stopped", name, addr)
		}
	}
	if t.Failed() {
		logs, _ := filepath.Glob(filepath.Join(s.runDir, "logs", "*.log"))
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			t.Logf("==== %s\n%s", filepath.Base(l), tail(b, 3000))
		}
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func (s *stack) url(key, path string) string { return "http://" + s.addrs[key] + path }

type sayReply struct {
	TraceID   string          `json:"traceId"`
	Directive json.RawMessage `json:"directive"`
	Response  json.RawMessage `json:"response"`
	Error     *struct {
		Type string `json:"type"`
	} `json:"error"`
}

func (s *stack) say(t testing.TB, utterance string) (int, sayReply) {
	t.Helper()
	status, raw := s.sayRaw(t, utterance)
	var r sayReply
	if status == http.StatusOK {
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("say %q: %v: %s", utterance, err, raw)
		}
	}
	return status, r
}

// sayRaw posts an utterance to alexa-sim and returns the status and body.
func (s *stack) sayRaw(t testing.TB, utterance string) (int, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"utterance": utterance})
	resp, err := http.Post(s.url("ALEXA_SIM_ADDR", "/v1/say"), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

type tvState struct {
	RegistrationID string `json:"registrationId"`
	EndpointID     string `json:"endpointId"`
	Power          string `json:"power"`
	PlaybackState  string `json:"playbackState"`
	Content        *struct {
		ID          string `json:"id"`
		Title       string `json:"title"`
		SeriesTitle string `json:"seriesTitle"`
		Season      int    `json:"season"`
		Episode     int    `json:"episode"`
	} `json:"content"`
	PositionMs int64  `json:"positionMs"`
	Screen     string `json:"screen"`
	Channel    *struct {
		Number   string `json:"number"`
		CallSign string `json:"callSign"`
	} `json:"channel"`
	Results      []struct{ ID, Title string } `json:"results"`
	Recordings   []struct{ Title string }     `json:"recordings"`
	LastActionID string                       `json:"lastActionId"`
	Volume       int                          `json:"volume"`
	Muted        bool                         `json:"muted"`
	Input        string                       `json:"input"`
}

func (s *stack) state(t testing.TB) tvState {
	t.Helper()
	resp, err := http.Get(s.url("TVAPP_ADDR", "/v1/state"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st tvState
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// waitState polls the TV until cond holds, for at most 10 s, and returns
// how long it took from since.
func (s *stack) waitState(t testing.TB, since time.Time, what string, cond func(tvState) bool) time.Duration {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(500 * time.Microsecond)
	defer tick.Stop()
	for {
		st := s.state(t)
		if cond(st) {
			return time.Since(since)
		}
		if time.Now().After(deadline) {
			t.Fatalf("TV never reached %s; last state %+v", what, st)
		}
		<-tick.C // poll the TV's state again
	}
}

func responseName(t testing.TB, msg json.RawMessage) string {
	t.Helper()
	var m struct {
		Event struct {
			Header  struct{ Namespace, Name string } `json:"header"`
			Payload struct{ Type string }            `json:"payload"`
		} `json:"event"`
	}
	if err := json.Unmarshal(msg, &m); err != nil {
		t.Fatalf("reply is not JSON: %v: %s", err, msg)
	}
	if m.Event.Payload.Type != "" {
		return m.Event.Header.Namespace + "." + m.Event.Header.Name + ":" + m.Event.Payload.Type
	}
	return m.Event.Header.Namespace + "." + m.Event.Header.Name
}

func TestVoiceReachesTheTV(t *testing.T) {
	s := startStack(t)
	// The TV screen is open in a real browser before anyone speaks, so the
	// page must follow the state live.
	page := openBrowser(t, s.url("TVAPP_ADDR", "/"))

	steps := []struct {
		utterance string
		want      string
		onScreen  string // the page's playback badge
		reached   func(tvState) bool
	}{
		{"watch The Handmaid's Tale", "an episode of The Handmaid's Tale playing", "PLAYING", func(st tvState) bool {
			return st.PlaybackState == "PLAYING" && st.Content != nil && st.Content.SeriesTitle == "The Handmaid's Tale" && st.Screen == "player"
		}},
		{"pause", "paused", "PAUSED", func(st tvState) bool { return st.PlaybackState == "PAUSED" }},
		{"play", "playing again", "PLAYING", func(st tvState) bool { return st.PlaybackState == "PLAYING" && st.Content != nil }},
	}
	for _, step := range steps {
		began := time.Now()
		status, reply := s.say(t, step.utterance)
		if status != http.StatusOK {
			t.Fatalf("say %q: status %d", step.utterance, status)
		}
		vsktest.Validate(t, reply.Response)
		if got := responseName(t, reply.Response); got != "Alexa.Response" {
			t.Fatalf("say %q: skill replied %s: %s", step.utterance, got, reply.Response)
		}
		took := s.waitState(t, began, step.want, step.reached)
		t.Logf("%q → TV %s in %v (say → state change)", step.utterance, step.want, took.Round(time.Microsecond))
		page.waitText(t, "playback-state", step.onScreen)
	}
	page.waitText(t, "title", "Offred")
	st := s.state(t)
	if st.Content.Season != 1 || st.Content.Episode != 1 {
		t.Errorf("a series should start at its first episode, got S%dE%d", st.Content.Season, st.Content.Episode)
	}

	t.Run("not understood", func(t *testing.T) {
		if status, _ := s.say(t, "make me a sandwich"); status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", status)
		}
	})
	t.Run("raw directive through the Lambda invoke API", func(t *testing.T) { rawInvoke(t, s) })
	t.Run("device API lists the TV", func(t *testing.T) { deviceAPI(t, s) })
	t.Run("custom skill on an Echo", func(t *testing.T) { customSkillOnEcho(t, s) })
}

type endpoint struct {
	EndpointID   string            `json:"endpointId"`
	FriendlyName string            `json:"friendlyName"`
	Cookie       map[string]string `json:"cookie"`
	Token        string            `json:"token"`
}

// rawInvoke builds directives from /v1/endpoints, as a QA script would, and
// invokes SkillFunction with the AWS SDK against the local Lambda endpoint.
func rawInvoke(t *testing.T, s *stack) {
	resp, err := http.Get(s.url("ALEXA_SIM_ADDR", "/v1/endpoints"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Endpoints []endpoint `json:"endpoints"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || len(list.Endpoints) != 1 {
		t.Fatalf("endpoints %+v, %v", list, err)
	}
	ep := list.Endpoints[0]
	if ep.Cookie["applicationInstanceId"] == "" || ep.Token == "" || ep.FriendlyName == "" {
		t.Fatalf("endpoint %+v lacks cookie, token or name", ep)
	}
	client := lambda.New(lambda.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.url("LAMBDA_ADDR", "")),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	registration := ep.Cookie["applicationInstanceId"]
	cases := []struct {
		name, endpointID, token, registration, want string
	}{
		{"pause", ep.EndpointID, ep.Token, registration, "Alexa.Response"},
		{"unknown endpoint", "no-such-tv", ep.Token, "amzn1.adm-registration.v3.unknown", "Alexa.ErrorResponse:NO_SUCH_ENDPOINT"},
		{"endpoint id changed, registration known", "old-endpoint-id", ep.Token, registration, "Alexa.Response"},
		{"bad token", ep.EndpointID, "not-a-token", registration, "Alexa.ErrorResponse:INVALID_AUTHORIZATION_CREDENTIAL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			directive := fmt.Sprintf(`{"directive":{"header":{"namespace":"Alexa.PlaybackController","name":"Pause","messageId":"e2e-%d","correlationToken":"ZTJl","payloadVersion":"3"},"endpoint":{"scope":{"type":"BearerToken","token":%q},"endpointId":%q,"cookie":{"applicationInstanceId":%q}},"payload":{}}}`,
				time.Now().UnixNano(), c.token, c.endpointID, c.registration)
			out, err := client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("SkillFunction"), Payload: []byte(directive)})
			if err != nil {
				t.Fatal(err)
			}
			if out.FunctionError != nil {
				t.Fatalf("function error %s: %s", *out.FunctionError, out.Payload)
			}
			vsktest.Validate(t, out.Payload)
			if got := responseName(t, out.Payload); got != c.want {
				t.Fatalf("reply %s, want %s: %s", got, c.want, out.Payload)
			}
		})
	}
	t.Run("sample events", func(t *testing.T) {
		// lambdas/events/*.json are what a user passes to `aws lambda invoke`
		// or `sam local invoke -e`. These leave the TV as the rest of this
		// test expects; infra/events_test.go sends every one of them (each
		// directive, Device API route, custom-skill request and the catalog
		// export) to its function under the emulator.
		for _, name := range []string{"PlaybackController.Pause.json", "PlaybackController.Play.json", "RemoteVideoPlayer.SearchAndPlay.json"} {
			path := filepath.Join("../lambdas/events", name)
			payload, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			out, err := client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("SkillFunction"), Payload: payload})
			if err != nil {
				t.Fatal(err)
			}
			vsktest.Validate(t, out.Payload)
			if got := responseName(t, out.Payload); got != "Alexa.Response" {
				t.Errorf("%s: reply %s: %s", filepath.Base(path), got, out.Payload)
			}
		}
	})
	t.Run("offline TV", func(t *testing.T) {
		// A device whose registration id device-push never issued cannot be
		// reached: the skill must say ENDPOINT_UNREACHABLE, not succeed.
		register(t, s, ep.Token, `{"endpointId":"offline-tv","registrationId":"amzn1.adm-registration.v3.never-connected","friendlyName":"Bedroom TV"}`)
		directive := fmt.Sprintf(`{"directive":{"header":{"namespace":"Alexa.PlaybackController","name":"Pause","messageId":"e2e-offline","correlationToken":"ZTJl","payloadVersion":"3"},"endpoint":{"scope":{"type":"BearerToken","token":%q},"endpointId":"offline-tv","cookie":{}},"payload":{}}}`, ep.Token)
		out, err := client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("SkillFunction"), Payload: []byte(directive)})
		if err != nil {
			t.Fatal(err)
		}
		vsktest.Validate(t, out.Payload)
		if got := responseName(t, out.Payload); got != "Alexa.ErrorResponse:ENDPOINT_UNREACHABLE" {
			t.Fatalf("reply %s: %s", got, out.Payload)
		}
	})
}

func register(t *testing.T, s *stack, token, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.url("DEVICE_API_ADDR", "/v1/devices"), strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("register: %d %s", resp.StatusCode, b)
	}
}

func deviceAPI(t *testing.T, s *stack) {
	// Without a token the API refuses with the documented error.
	noToken, err := http.Get(s.url("DEVICE_API_ADDR", "/v1/devices"))
	if err != nil {
		t.Fatal(err)
	}
	noToken.Body.Close()
	if noToken.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: status %d, want 401", noToken.StatusCode)
	}

	req, _ := http.NewRequest(http.MethodGet, s.url("DEVICE_API_ADDR", "/v1/devices"), nil)
	req.Header.Set("Authorization", "Bearer dev-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Devices []struct {
			EndpointID     string `json:"endpointId"`
			RegistrationID string `json:"registrationId"`
		} `json:"devices"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	tv := s.state(t)
	for _, d := range out.Devices {
		if d.EndpointID == tv.EndpointID && d.RegistrationID == tv.RegistrationID {
			return
		}
	}
	t.Fatalf("device API lists %+v, not the TV %s/%s", out.Devices, tv.EndpointID, tv.RegistrationID)
}
