package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"livingroom/internal/action"
	"livingroom/internal/vsk/vsktest"
)

// TestHardeningProbes runs the hardening issue's probes from outside, on the
// real stack: someone else's registration, a cookie naming another endpoint,
// a retried messageId, unbounded and unspeakable titles, and DynamoDB or
// device-push stopped mid-directive. Every reply is a schema-valid Alexa
// message; none is a Lambda error.
func TestHardeningProbes(t *testing.T) {
	s := startStack(t)
	if status, _ := s.say(t, "watch The Handmaid's Tale"); status != http.StatusOK {
		t.Fatalf("watch: status %d", status)
	}
	s.waitState(t, time.Now(), "playing", func(st tvState) bool { return st.PlaybackState == "PLAYING" })
	ep := firstEndpoint(t, s)
	registration := ep.Cookie["applicationInstanceId"]
	client := lambda.New(lambda.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.url("LAMBDA_ADDR", "")),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	seq := 0
	invoke := func(t *testing.T, namespace, name, messageID, endpointJSON, payload string) (string, []byte, time.Duration) {
		t.Helper()
		if messageID == "" {
			seq++
			messageID = fmt.Sprintf("probe-%d-%d", time.Now().UnixNano(), seq)
		}
		directive := fmt.Sprintf(`{"directive":{"header":{"namespace":%q,"name":%q,"messageId":%q,"correlationToken":"cHJvYmU=","payloadVersion":"3"},"endpoint":%s,"payload":%s}}`,
			namespace, name, messageID, endpointJSON, payload)
		began := time.Now()
		out, err := client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("SkillFunction"), Payload: []byte(directive)})
		took := time.Since(began)
		if err != nil {
			t.Fatal(err)
		}
		if out.FunctionError != nil {
			t.Fatalf("Lambda error %s: %.300s", *out.FunctionError, out.Payload)
		}
		vsktest.Validate(t, out.Payload)
		return responseName(t, out.Payload), out.Payload, took
	}
	withToken := fmt.Sprintf(`{"scope":{"type":"BearerToken","token":%q},"endpointId":%q,"cookie":{"applicationInstanceId":%q}}`, ep.Token, ep.EndpointID, registration)

	t.Run("another account registers the TV's registration id", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, s.url("DEVICE_API_ADDR", "/v1/devices"),
			strings.NewReader(fmt.Sprintf(`{"endpointId":"stolen-tv","registrationId":%q}`, registration)))
		req.Header.Set("Authorization", "Bearer dev-token-2")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("status %d, want 409", resp.StatusCode)
		}
	})

	t.Run("cookie of the TV with another endpoint id", func(t *testing.T) {
		noToken := fmt.Sprintf(`{"endpointId":"someone-elses-tv","cookie":{"applicationInstanceId":%q}}`, registration)
		if got, _, _ := invoke(t, "Alexa.PlaybackController", "Pause", "", noToken, `{}`); got != "Alexa.ErrorResponse:NO_SUCH_ENDPOINT" {
			t.Fatalf("reply %s", got)
		}
	})

	t.Run("the same messageId three times acts once", func(t *testing.T) {
		if got, _, _ := invoke(t, "Alexa.PlaybackController", "Pause", "", withToken, `{}`); got != "Alexa.Response" {
			t.Fatalf("pause: %s", got)
		}
		s.waitState(t, time.Now(), "paused", func(st tvState) bool { return st.PlaybackState == "PAUSED" })
		before := s.state(t)
		id := fmt.Sprintf("retried-%d", time.Now().UnixNano())
		var first []byte
		var applied tvState
		for i := range 3 {
			got, reply, _ := invoke(t, "Alexa.PlaybackController", "FastForward", id, withToken, `{}`)
			if got != "Alexa.Response" {
				t.Fatalf("fast forward %d: %s", i, got)
			}
			if i == 0 {
				first = reply
				s.waitState(t, time.Now(), "10 s ahead", func(st tvState) bool { return st.PositionMs == before.PositionMs+10_000 })
				applied = s.state(t)
			} else if string(reply) != string(first) {
				t.Fatalf("retry %d got another reply:\n%s\nfirst:\n%s", i, reply, first)
			}
		}
		// A marker after the retries: the TV applies actions in order, so
		// by the time anything newer than the first fast forward shows, a
		// retry that was sent would have shown first.
		if got, _, _ := invoke(t, "Alexa.PlaybackController", "Rewind", "", withToken, `{}`); got != "Alexa.Response" {
			t.Fatalf("rewind: %s", got)
		}
		s.waitState(t, time.Now(), "a newer action", func(st tvState) bool { return st.LastActionID != applied.LastActionID })
		if st := s.state(t); st.PositionMs != before.PositionMs {
			t.Fatalf("position %d ms after one fast forward and one rewind while paused, want %d: a retry acted again", st.PositionMs, before.PositionMs)
		}
	})

	t.Run("unbounded and unspeakable titles", func(t *testing.T) {
		for name, title := range map[string]string{
			"1.1 MB title":       strings.Repeat("The Handmaid's Tale ", 55_000),
			"punctuation only":   "?!.,;:-",
			"emoji only":         "🎬🍿📺",
			"control characters": "\u0001\u0002\u0003",
		} {
			t.Run(name, func(t *testing.T) {
				title, _ := json.Marshal(title)
				got, reply, _ := invoke(t, "Alexa.RemoteVideoPlayer", "SearchAndPlay", "", withToken,
					fmt.Sprintf(`{"entities":[{"type":"Video","value":%s}]}`, title))
				if got != "Alexa.ErrorResponse:INVALID_VALUE" || len(reply) > 4096 {
					t.Fatalf("reply %s (%d bytes)", got, len(reply))
				}
			})
		}
	})

	t.Run("2,000 words to /v1/say", func(t *testing.T) {
		words, _ := json.Marshal(map[string]string{"utterance": strings.Repeat("watch ", 2000)})
		began := time.Now()
		status, _ := s.post(t, "ALEXA_SIM_ADDR", "/v1/say", string(words))
		if status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", status)
		}
		t.Logf("2,000 words: %d after %v", status, time.Since(began).Round(time.Microsecond))
	})

	t.Run("DynamoDB stopped mid-directive", func(t *testing.T) {
		pid := pidListening(t, s.addrs["DYNAMODB_ADDR"])
		stopFor(t, pid)
		got, _, took := invoke(t, "Alexa.PlaybackController", "Play", "", withToken, `{}`)
		if got != "Alexa.ErrorResponse:INTERNAL_ERROR" && got != "Alexa.ErrorResponse:ENDPOINT_UNREACHABLE" {
			t.Fatalf("reply %s", got)
		}
		t.Logf("DynamoDB stopped: %s after %v", got, took.Round(time.Millisecond))
	})

	t.Run("device-push stopped: refused, and never applied later", func(t *testing.T) {
		if got, _, _ := invoke(t, "Alexa.PlaybackController", "Play", "", withToken, `{}`); got != "Alexa.Response" {
			t.Fatalf("play: %s", got)
		}
		s.waitState(t, time.Now(), "playing", func(st tvState) bool { return st.PlaybackState == "PLAYING" })
		pid := pidListening(t, s.addrs["DEVICE_PUSH_ADDR"])
		resume := stopFor(t, pid)
		got, _, took := invoke(t, "Alexa.PlaybackController", "Pause", "", withToken, `{}`)
		if got != "Alexa.ErrorResponse:ENDPOINT_UNREACHABLE" {
			t.Fatalf("reply %s", got)
		}
		t.Logf("device-push stopped: %s after %v", got, took.Round(time.Millisecond))
		// The outage outlasts the age at which an action is still applied.
		time.Sleep(action.MaxAge + 500*time.Millisecond)
		resume()
		before := s.state(t)
		if got, _, _ := invoke(t, "Alexa.PlaybackController", "FastForward", "", withToken, `{}`); got != "Alexa.Response" {
			t.Fatalf("fast forward after the outage: %s", got)
		}
		s.waitState(t, time.Now(), "the marker applied", func(st tvState) bool { return st.LastActionID != before.LastActionID })
		if st := s.state(t); st.PlaybackState != "PLAYING" {
			t.Fatalf("the TV is %s: the pause Alexa was told failed was applied", st.PlaybackState)
		}
	})

	t.Run("device-push killed: the stack restarts it", func(t *testing.T) {
		addr := s.addrs["DEVICE_PUSH_ADDR"]
		pid := pidListening(t, addr)
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		waitFor(t, time.Minute, "device-push back", func() bool {
			resp, err := http.Get("http://" + addr + "/healthz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		})
		if again := pidListening(t, addr); again == pid {
			t.Fatalf("pid %d still listens: not restarted", pid)
		}
		if out := s.output.String(); !strings.Contains(out, "service exited; restarting") {
			t.Errorf("the restart is not in the stack's output:\n%s", out)
		}
	})
}

func firstEndpoint(t *testing.T, s *stack) endpoint {
	t.Helper()
	resp, err := http.Get(s.url("ALEXA_SIM_ADDR", "/v1/endpoints"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Endpoints []endpoint `json:"endpoints"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || len(list.Endpoints) == 0 {
		t.Fatalf("endpoints %+v, %v", list, err)
	}
	return list.Endpoints[0]
}

// stopFor SIGSTOPs a process until the returned function (or the test's
// end) SIGCONTs it.
func stopFor(t *testing.T, pid int) func() {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("SIGSTOP %d: %v", pid, err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			_ = syscall.Kill(pid, syscall.SIGCONT)
		}
	}
	t.Cleanup(resume)
	return resume
}

// pidListening finds the process listening on addr (127.0.0.1:port) from
// /proc: the socket's inode in /proc/net/tcp, then the process holding it.
func pidListening(t *testing.T, addr string) int {
	t.Helper()
	_, portText, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(portText)
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		t.Skipf("no /proc/net/tcp: %v", err)
	}
	defer f.Close()
	inode := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// local_address is HEX_IP:HEX_PORT; state 0A is LISTEN.
		if len(fields) > 9 && fields[3] == "0A" && strings.HasSuffix(fields[1], fmt.Sprintf(":%04X", port)) {
			inode = fields[9]
		}
	}
	if inode == "" {
		t.Fatalf("nothing listens on %s", addr)
	}
	want := "socket:[" + inode + "]"
	procs, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range procs {
		if target, err := os.Readlink(fd); err == nil && target == want {
			pid, _ := strconv.Atoi(strings.Split(fd, "/")[2])
			return pid
		}
	}
	t.Fatalf("no process holds the socket of %s", addr)
	return 0
}
