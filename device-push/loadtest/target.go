// Package loadtest drives a websocket push server the way a fleet of TVs and
// a skill's senders do, and measures it: server memory per idle connection,
// sustained messages per second, server CPU per delivered message, send →
// delivery latency, and messages accepted against messages delivered. It
// speaks to device-push (ADM's send API, the project's device protocol) and,
// for comparison, to Centrifugo. It is tooling: production code never
// imports it. The command is ./pushload.
package loadtest

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// Message is one push the tool sends: to device Device, numbered Seq (from
// 1, unique in a run), sent at SentAt. The payload the server carries is
// Size bytes and holds Seq and SentAt so the device can report both.
type Message struct {
	Device int
	Seq    uint64
	SentAt time.Time
	Size   int
}

// Device is the device side of a server's protocol. One value serves every
// simulated device and must be safe for concurrent use.
type Device interface {
	// Connect dials device n's websocket with d and completes the server's
	// handshake (registration, authentication, subscription). A reconnect
	// presents what the device was given the first time. rest is what the
	// handshake read beyond itself (pushes replayed on a reconnect), for Handle.
	Connect(ctx context.Context, d *websocket.Dialer, n int) (c *websocket.Conn, rest []byte, err error)
	// Handle reads one websocket message received by device n. It calls
	// deliver for each push found in it and reply for protocol answers (acks).
	Handle(n int, msg []byte, deliver func(Delivery), reply func([]byte) error) error
}

// Delivery is a push as a device received it.
type Delivery struct {
	Seq    uint64
	SentAt int64 // unix ns
}

// Sender is the sending side: one HTTP request per message. It must be safe
// for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Target is one server under test.
type Target interface {
	Device() Device
	// Sender returns a sender for conc concurrent requests.
	Sender(conc int) (Sender, error)
}

// Options are an adapter's settings, from -opt key=value.
type Options map[string]string

func (o Options) get(key, fallback string) string {
	if v := o[key]; v != "" {
		return v
	}
	return fallback
}

// targets are the servers the tool knows, by -target name.
var targets = map[string]func(Options) (Target, error){
	"device-push": newDevicePush,
	"centrifugo":  newCentrifugo,
}

// Targets lists the known target names.
func Targets() []string {
	names := make([]string, 0, len(targets))
	for n := range targets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// NewTarget builds the named target.
func NewTarget(name string, o Options) (Target, error) {
	mk, ok := targets[name]
	if !ok {
		return nil, fmt.Errorf("unknown target %q (known: %s)", name, strings.Join(Targets(), ", "))
	}
	return mk(o)
}

// payloadFields are the message's fields as strings, with a pad that makes
// the payload's keys plus values size bytes (at least the two numbers).
func payloadFields(m Message) (ts, seq, pad string) {
	ts = strconv.FormatInt(m.SentAt.UnixNano(), 10)
	seq = strconv.FormatUint(m.Seq, 10)
	n := m.Size - len("ts") - len(ts) - len("seq") - len(seq) - len("pad")
	return ts, seq, strings.Repeat("x", max(n, 0))
}

// scanNumber finds `"key":` in b and the decimal number after it, quoted
// or not.
func scanNumber(b []byte, key string) (uint64, bool) {
	k := `"` + key + `":`
	i := strings.Index(string(b), k) // no copy: the compiler converts in place
	if i < 0 {
		return 0, false
	}
	j := i + len(k)
	if j < len(b) && b[j] == '"' {
		j++
	}
	var v uint64
	start := j
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		v = v*10 + uint64(b[j]-'0')
		j++
	}
	return v, j > start
}
