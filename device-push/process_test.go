package main

// Tests of the real device-push binary on NATS JetStream: kill -9 and
// restart with the embedded server's data directory, and two nodes on one
// NATS. The binary is $LIVINGROOM_BIN/device-push (make test builds it), or
// built here with go build.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"livingroom/device-push/jetstream"
	"livingroom/internal/adm"
	"livingroom/internal/admclient"
	"livingroom/internal/push"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// binary returns the device-push binary to run.
func binary(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("LIVINGROOM_BIN"); dir != "" {
		return filepath.Join(dir, "device-push")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "device-push-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "device-push")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// node is one device-push process.
type node struct {
	cmd  *exec.Cmd
	addr string // host:port of its HTTP API
	done chan struct{}
}

var listeningLine = regexp.MustCompile(`msg="device-push listening" addr=(\S+)`)

// startNode runs the binary with env on a free port and waits for its
// listening line.
func startNode(t *testing.T, env ...string) *node {
	t.Helper()
	cmd := exec.Command(binary(t))
	cmd.Env = append(os.Environ(), "DEVICE_PUSH_ADDR=127.0.0.1:0", "ADM_CLIENT_ID=test-client", "ADM_CLIENT_SECRET=test-secret")
	cmd.Env = append(cmd.Env, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := &node{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			t.Logf("node %d: %s", cmd.Process.Pid, lines.Text())
			if m := listeningLine.FindStringSubmatch(lines.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	go func() { _ = cmd.Wait(); close(n.done) }()
	t.Cleanup(func() { n.kill(t) })
	select {
	case n.addr = <-addr:
	case <-n.done:
		t.Fatal("device-push exited before listening")
	case <-time.After(60 * time.Second):
		t.Fatal("device-push did not listen")
	}
	return n
}

// kill ends the process with SIGKILL: no shutdown code runs.
func (n *node) kill(t *testing.T) {
	t.Helper()
	select {
	case <-n.done:
		return
	default:
	}
	if err := n.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Logf("kill: %v", err)
	}
	<-n.done
}

func (n *node) url() string { return "http://" + n.addr }

// sender is an ADM client of node n.
func sender(n *node) *admclient.Client {
	return admclient.New(admclient.Config{BaseURL: n.url(), ClientID: "test-client", ClientSecret: "test-secret"}, nil, time.Now)
}

// register issues a registration over HTTP: the device is offline.
func register(t *testing.T, n *node) push.Registration {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, n.url()+push.RegistrationsPath, nil)
	req.Header.Set(push.HeaderAppKey, push.DevelopmentAppKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r push.Registration
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %v", resp.StatusCode, err)
	}
	return r
}

// send sends message i to id through n and returns its message id.
func send(t *testing.T, c *admclient.Client, id string, i int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := c.Send(ctx, id, adm.Message{Data: map[string]string{"n": strconv.Itoa(i)}})
	if err != nil {
		t.Fatalf("send %d: %v", i, err)
	}
	return res.RequestID
}

// device is a TV's websocket that acks every message it reads.
type device struct {
	ws     *websocket.Conn
	frames []push.Frame // read but not yet returned
}

func connectDevice(t *testing.T, n *node, r push.Registration) *device {
	t.Helper()
	h := http.Header{push.HeaderAppKey: {push.DevelopmentAppKey}, push.HeaderSecret: {r.Secret}}
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+n.addr+push.ConnectPath+"?registrationId="+url.QueryEscape(r.RegistrationID), h)
	if err != nil {
		t.Fatalf("connect to %s: %v", n.addr, err)
	}
	t.Cleanup(func() { ws.Close() })
	d := &device{ws: ws}
	if f := d.next(t); f.Type != push.TypeRegistered || f.RegistrationID != r.RegistrationID {
		t.Fatalf("first frame %+v, want registered as %s", f, r.RegistrationID)
	}
	return d
}

// next returns the next frame, acking a message.
func (d *device) next(t *testing.T) push.Frame {
	t.Helper()
	for len(d.frames) == 0 {
		_ = d.ws.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, b, err := d.ws.ReadMessage()
		if err != nil {
			t.Fatalf("device read: %v", err)
		}
		for line := range strings.SplitSeq(strings.TrimSpace(string(b)), "\n") {
			f, err := push.Decode([]byte(line))
			if err != nil {
				t.Fatalf("frame %q: %v", line, err)
			}
			d.frames = append(d.frames, f)
		}
	}
	f := d.frames[0]
	d.frames = d.frames[1:]
	if f.Type == push.TypeMessage {
		ack, _ := push.Encode(push.Frame{Type: push.TypeAck, MessageID: f.MessageID})
		if err := d.ws.WriteMessage(websocket.TextMessage, ack); err != nil {
			t.Fatalf("ack: %v", err)
		}
	}
	return f
}

// expect reads the messages ids, in this order, and nothing between them.
func (d *device) expect(t *testing.T, ids []string) {
	t.Helper()
	for i, want := range ids {
		f := d.next(t)
		if f.Type != push.TypeMessage || f.MessageID != want {
			t.Fatalf("frame %d: %s %s (data %v), want message %s", i, f.Type, f.MessageID, f.Data, want)
		}
	}
}

// waitAcked waits until n counts no pending message for id (the acks are
// stored).
func waitAcked(t *testing.T, n *node, id string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(n.url() + "/v1/registrations/" + url.PathEscape(id))
		if err != nil {
			t.Fatal(err)
		}
		var st struct{ Pending int }
		err = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if err == nil && st.Pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still pending", st.Pending)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, not timing it
	}
}

// A message accepted (200) while the TV is off survives kill -9 of
// device-push: restarted on the same data directory, it still knows the
// registration and delivers every accepted message once, in order; acked
// messages stay acked across the next kill -9.
func TestKill9KeepsMessagesAndRegistrations(t *testing.T) {
	dir := t.TempDir()
	a := startNode(t, "DEVICE_PUSH_DATA_DIR="+dir)
	reg := register(t, a)
	c := sender(a)
	var sent []string
	for i := range 20 {
		sent = append(sent, send(t, c, reg.RegistrationID, i))
	}
	a.kill(t)

	b := startNode(t, "DEVICE_PUSH_DATA_DIR="+dir)
	tv := connectDevice(t, b, reg) // the registration survived: no 4004
	tv.expect(t, sent)
	// Once: the next frame is a new message, not a replay.
	marker := send(t, sender(b), reg.RegistrationID, 100)
	tv.expect(t, []string{marker})
	waitAcked(t, b, reg.RegistrationID)
	b.kill(t)

	c3 := startNode(t, "DEVICE_PUSH_DATA_DIR="+dir)
	tv = connectDevice(t, c3, reg)
	last := send(t, sender(c3), reg.RegistrationID, 101)
	tv.expect(t, []string{last}) // nothing acked came back
}

// Two device-push nodes on one NATS: a send to node A reaches the TV
// connected to node B, in order with sends to B; a TV that is off gets what
// was sent through either node after node B was killed and restarted.
func TestTwoNodesOneNATS(t *testing.T) {
	ns, err := jetstream.StartEmbedded(jetstream.EmbeddedConfig{Dir: t.TempDir(), Listen: "127.0.0.1:0"},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Shutdown()
	env := "DEVICE_PUSH_NATS_URL=" + ns.ClientURL()
	a, b := startNode(t, env), startNode(t, env)
	sendA, sendB := sender(a), sender(b)

	reg := register(t, a)
	tv := connectDevice(t, b, reg)
	var want []string
	for i := range 10 {
		via := sendA
		if i%2 == 1 {
			via = sendB
		}
		want = append(want, send(t, via, reg.RegistrationID, i))
	}
	tv.expect(t, want)
	waitAcked(t, a, reg.RegistrationID)
	tv.ws.Close()

	// The TV is off; B dies and comes back; sends went through both.
	want = []string{send(t, sendA, reg.RegistrationID, 10)}
	b.kill(t)
	want = append(want, send(t, sendA, reg.RegistrationID, 11))
	b = startNode(t, env)
	want = append(want, send(t, sender(b), reg.RegistrationID, 12))
	tv = connectDevice(t, b, reg)
	tv.expect(t, want)
}
