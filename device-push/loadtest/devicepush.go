package loadtest

// device-push, driven as the skill and the TVs drive it: senders use the
// project's ADM client (token from /auth/O2/token, one POST per message);
// devices speak internal/push, keep the registration id they were given and
// ack every message. With several nodes (-opt url=A,B,...) device n connects
// to node n mod nodes and message seq is sent through node seq mod nodes, so
// most messages cross from one node to another.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"livingroom/internal/adm"
	"livingroom/internal/admclient"
	"livingroom/internal/push"
)

type devicePush struct {
	urls         []string // http://host:port of each node
	clientID     string
	clientSecret string
	appKey       string

	mu      sync.RWMutex
	regs    map[int]string // device number → registration id
	secrets map[int]string // device number → its registration's secret
}

func newDevicePush(o Options) (Target, error) {
	t := &devicePush{
		clientID:     o.get("client_id", "dev-client"),
		clientSecret: o.get("client_secret", "dev-secret"),
		appKey:       o.get("app_key", push.DevelopmentAppKey),
		regs:         make(map[int]string),
		secrets:      make(map[int]string),
	}
	for _, raw := range strings.Split(o.get("url", "http://127.0.0.1:8200"), ",") {
		raw = strings.TrimRight(strings.TrimSpace(raw), "/")
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || u.Scheme != "http" {
			return nil, fmt.Errorf("device-push: bad url %q (want http://host:port)", raw)
		}
		t.urls = append(t.urls, raw)
	}
	return t, nil
}

func (t *devicePush) Device() Device { return t }

func (t *devicePush) registration(n int) (string, string) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.regs[n], t.secrets[n]
}

func (t *devicePush) Connect(ctx context.Context, d *websocket.Dialer, n int) (*websocket.Conn, []byte, error) {
	u := "ws" + strings.TrimPrefix(t.urls[n%len(t.urls)], "http") + push.ConnectPath
	h := http.Header{push.HeaderAppKey: {t.appKey}}
	if id, secret := t.registration(n); id != "" {
		u += "?" + url.Values{"registrationId": {id}}.Encode()
		h.Set(push.HeaderSecret, secret)
	}
	c, resp, err := d.DialContext(ctx, u, h)
	if err != nil {
		if resp != nil {
			return nil, nil, fmt.Errorf("dial: %w (HTTP %d)", err, resp.StatusCode)
		}
		return nil, nil, fmt.Errorf("dial: %w", err)
	}
	_ = c.SetReadDeadline(time.Now().Add(15 * time.Second))
	_, b, err := c.ReadMessage()
	_ = c.SetReadDeadline(time.Time{})
	if err != nil {
		c.Close()
		return nil, nil, fmt.Errorf("read registered frame: %w", err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	f, err := push.Decode([]byte(first))
	if err != nil || f.Type != push.TypeRegistered || f.RegistrationID == "" {
		c.Close()
		return nil, nil, fmt.Errorf("first frame is not a registered frame: %.100s", b)
	}
	t.mu.Lock()
	t.regs[n] = f.RegistrationID
	if f.Secret != "" {
		t.secrets[n] = f.Secret
	}
	t.mu.Unlock()
	// Messages replayed on a reconnect may follow in the same websocket message.
	return c, b, nil
}

func (t *devicePush) Handle(_ int, msg []byte, deliver func(Delivery), reply func([]byte) error) error {
	for line := range strings.SplitSeq(string(msg), "\n") {
		if line == "" {
			continue
		}
		f, err := push.Decode([]byte(line))
		if err != nil {
			return err
		}
		if f.Type != push.TypeMessage {
			continue
		}
		ts, err1 := strconv.ParseInt(f.Data["ts"], 10, 64)
		seq, err2 := strconv.ParseUint(f.Data["seq"], 10, 64)
		if err1 == nil && err2 == nil {
			deliver(Delivery{Seq: seq, SentAt: ts})
		}
		ack, err := push.Encode(push.Frame{Type: push.TypeAck, MessageID: f.MessageID})
		if err != nil {
			return err
		}
		if err := reply(ack); err != nil {
			return err
		}
	}
	return nil
}

type devicePushSender struct {
	t       *devicePush
	clients []*admclient.Client
}

func (t *devicePush) Sender(conc int) (Sender, error) {
	s := &devicePushSender{t: t}
	for _, u := range t.urls {
		tr := &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConns:        conc,
			MaxIdleConnsPerHost: conc,
			IdleConnTimeout:     time.Minute,
		}
		hc := &http.Client{Transport: tr, Timeout: 15 * time.Second}
		s.clients = append(s.clients, admclient.New(admclient.Config{
			BaseURL: u, ClientID: t.clientID, ClientSecret: t.clientSecret,
		}, hc, time.Now))
	}
	return s, nil
}

func (s *devicePushSender) Send(ctx context.Context, m Message) error {
	id, _ := s.t.registration(m.Device)
	if id == "" {
		return errors.New("device has no registration id yet")
	}
	ts, seq, pad := payloadFields(m)
	c := s.clients[m.Seq%uint64(len(s.clients))]
	_, err := c.Send(ctx, id, adm.Message{Data: map[string]string{"ts": ts, "seq": seq, "pad": pad}})
	return err
}
