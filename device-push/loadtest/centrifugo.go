package loadtest

// Centrifugo v6 (JSON client protocol, HTTP server API), the yardstick.
// Device n connects with an HS256 JWT whose "channels" claim subscribes it
// server-side to channel dev:<n>; the server pings with "{}" frames and the
// device answers "{}". Several replies may share a websocket message,
// newline-separated. Senders POST /api/publish {"channel","data"} with
// X-API-Key, one request per message. Centrifugo's memory engine neither
// persists nor acks: it is the baseline without durability.
//
// Options: ws (ws://127.0.0.1:8000/connection/websocket), api
// (http://127.0.0.1:8000/api), secret (HMAC key, required), apikey.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
)

type centrifugo struct {
	wsURL, apiURL string
	apiKey        string
	secret        []byte
}

func newCentrifugo(o Options) (Target, error) {
	t := &centrifugo{
		wsURL:  o.get("ws", "ws://127.0.0.1:8000/connection/websocket"),
		apiURL: o.get("api", "http://127.0.0.1:8000/api"),
		apiKey: o["apikey"],
		secret: []byte(o["secret"]),
	}
	if len(t.secret) == 0 {
		return nil, errors.New("centrifugo: -opt secret=<HMAC key> is required")
	}
	return t, nil
}

func (t *centrifugo) Device() Device { return t }

func cfChannel(n int) string { return "dev:" + strconv.Itoa(n) }

// token is an HS256 JWT for device n, subscribed server-side to its channel.
func (t *centrifugo) token(n int) (string, error) {
	claims, err := json.Marshal(map[string]any{
		"sub": "dev-" + strconv.Itoa(n), "iat": time.Now().Unix(), "channels": []string{cfChannel(n)},
	})
	if err != nil {
		return "", err
	}
	s := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString(claims)
	mac := hmac.New(sha256.New, t.secret)
	mac.Write([]byte(s))
	return s + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}

var cfPing = []byte("{}")

func (t *centrifugo) Connect(ctx context.Context, d *websocket.Dialer, n int) (*websocket.Conn, []byte, error) {
	tok, err := t.token(n)
	if err != nil {
		return nil, nil, err
	}
	c, resp, err := d.DialContext(ctx, t.wsURL, nil)
	if err != nil {
		if resp != nil {
			return nil, nil, fmt.Errorf("dial: %w (HTTP %d)", err, resp.StatusCode)
		}
		return nil, nil, fmt.Errorf("dial: %w", err)
	}
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"id":1,"connect":{"token":"`+tok+`"}}`)); err != nil {
		c.Close()
		return nil, nil, fmt.Errorf("send connect: %w", err)
	}
	_ = c.SetReadDeadline(time.Now().Add(15 * time.Second))
	defer func() { _ = c.SetReadDeadline(time.Time{}) }()
	for {
		_, b, err := c.ReadMessage()
		if err != nil {
			c.Close()
			return nil, nil, fmt.Errorf("read connect reply: %w", err)
		}
		for line := range bytes.SplitSeq(b, []byte("\n")) {
			var r struct {
				ID    int `json:"id"`
				Error *struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
				Connect json.RawMessage `json:"connect"`
			}
			if len(line) == 0 || bytes.Equal(line, cfPing) || json.Unmarshal(line, &r) != nil || r.ID != 1 {
				continue
			}
			if r.Error != nil {
				c.Close()
				return nil, nil, fmt.Errorf("centrifugo connect error %d: %s", r.Error.Code, r.Error.Message)
			}
			if !bytes.Contains(r.Connect, []byte(`"`+cfChannel(n)+`"`)) {
				c.Close()
				return nil, nil, fmt.Errorf("connect reply lacks the server-side subscription: %.200s", r.Connect)
			}
			return c, nil, nil
		}
	}
}

func (t *centrifugo) Handle(_ int, msg []byte, deliver func(Delivery), reply func([]byte) error) error {
	for line := range bytes.SplitSeq(msg, []byte("\n")) {
		switch {
		case len(line) == 0:
		case bytes.Equal(line, cfPing):
			if err := reply(cfPing); err != nil {
				return err
			}
		case bytes.Contains(line, []byte(`"push":`)):
			ts, ok1 := scanNumber(line, "ts")
			seq, ok2 := scanNumber(line, "seq")
			if ok1 && ok2 {
				deliver(Delivery{Seq: seq, SentAt: int64(ts)})
			}
		}
	}
	return nil
}

type centrifugoSender struct {
	t    *centrifugo
	http *http.Client
}

func (t *centrifugo) Sender(conc int) (Sender, error) {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conc,
		MaxIdleConnsPerHost: conc,
		IdleConnTimeout:     time.Minute,
	}
	return &centrifugoSender{t: t, http: &http.Client{Transport: tr, Timeout: 15 * time.Second}}, nil
}

func (s *centrifugoSender) Send(ctx context.Context, m Message) error {
	ts, seq, pad := payloadFields(m)
	// The data object is the same size as device-push's data fields plus JSON punctuation.
	body := `{"channel":"` + cfChannel(m.Device) + `","data":{"ts":` + ts + `,"seq":` + seq + `,"pad":"` + pad + `"}}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.t.apiURL+"/publish", bytes.NewReader([]byte(body)))
	if err != nil {
		return err
	}
	req.Header.Set("X-API-Key", s.t.apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || bytes.Contains(b, []byte(`"error":`)) {
		return fmt.Errorf("centrifugo publish: HTTP %d: %.200s", resp.StatusCode, b)
	}
	return nil
}
