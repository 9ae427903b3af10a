package admclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"livingroom/internal/clocktest"

	"github.com/gorilla/websocket"

	"livingroom/device-push/hub"
	"livingroom/device-push/lwa"
	"livingroom/device-push/server"
	"livingroom/internal/action"
	"livingroom/internal/adm"
	"livingroom/internal/admclient"
	"livingroom/internal/device"
	"livingroom/internal/push"
)

const (
	clientID     = "client"
	clientSecret = "secret"
	waitLimit    = 10 * time.Second // turns a hang into a failure; nothing waits for it
	unknownID    = hub.RegistrationPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)

var start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// devicePush runs the real device-push handler with its own clock and
// counts the requests per path.
type devicePush struct {
	clk    *clocktest.Clock
	ts     *httptest.Server
	tokens atomic.Int64
	sends  atomic.Int64
}

func newDevicePush(t *testing.T) *devicePush {
	t.Helper()
	dp := &devicePush{clk: clocktest.New(start)}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := hub.New(hub.NewMemoryStore(0, 0, dp.clk.Now), hub.Config{Now: dp.clk.Now}, logger)
	hubCtx, stopHub := context.WithCancel(context.Background())
	t.Cleanup(stopHub)
	if err := h.Start(hubCtx); err != nil {
		t.Fatal(err)
	}
	srv := server.New(h, lwa.NewIssuer(clientID, clientSecret, 0, dp.clk.Now),
		server.Config{Now: dp.clk.Now, AppKey: push.DevelopmentAppKey}, logger)
	dp.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == adm.TokenPath:
			dp.tokens.Add(1)
		case strings.HasPrefix(r.URL.Path, adm.SendPathPrefix):
			dp.sends.Add(1)
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Error(err)
		}
		dp.ts.Close()
	})
	return dp
}

// connect opens a device websocket and returns its registration id and a
// channel of the frames it receives.
func (dp *devicePush) connect(t *testing.T) (string, <-chan push.Frame) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(dp.ts.URL, "http")+push.ConnectPath,
		http.Header{push.HeaderAppKey: {push.DevelopmentAppKey}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	frames := make(chan push.Frame, 100)
	go func() {
		defer close(frames)
		for {
			_, b, err := ws.ReadMessage()
			if err != nil {
				return
			}
			for line := range bytes.SplitSeq(b, []byte("\n")) { // frames may be packed
				f, err := push.Decode(line)
				if err != nil {
					return
				}
				frames <- f
			}
		}
	}()
	f := next(t, frames)
	if f.Type != push.TypeRegistered {
		t.Fatalf("first frame %+v", f)
	}
	return f.RegistrationID, frames
}

func next(t *testing.T, frames <-chan push.Frame) push.Frame {
	t.Helper()
	select {
	case f, ok := <-frames:
		if !ok {
			t.Fatal("connection ended")
		}
		return f
	case <-time.After(waitLimit):
		t.Fatal("no frame")
	}
	return push.Frame{}
}

func (dp *devicePush) client(clk *clocktest.Clock, cfg admclient.Config) *admclient.Client {
	cfg.BaseURL = dp.ts.URL
	if cfg.ClientID == "" {
		cfg.ClientID, cfg.ClientSecret = clientID, clientSecret
	}
	return admclient.New(cfg, dp.ts.Client(), clk.Now)
}

func pause(id string) action.Action {
	return action.Action{ID: id, Time: start, Type: action.Pause}
}

var _ device.Notifier = (*admclient.Client)(nil)

// The contract test: what admclient sends, device-push accepts and delivers.
func TestNotifyReachesDevice(t *testing.T) {
	dp := newDevicePush(t)
	c := dp.client(clocktest.New(start), admclient.Config{})
	regID, frames := dp.connect(t)

	play := action.Action{
		ID: "act-1", Time: start, Type: action.PlayContent, PositionMs: 90_000,
		Content: &action.Content{ID: "ep-1", Title: "Offred", SeriesID: "s-1", SeriesTitle: "The Handmaid's Tale", Season: 1, Episode: 1, DurationMs: 3_400_000},
	}
	if err := c.Notify(context.Background(), regID, play); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	f := next(t, frames)
	got, err := action.Decode(f.Data)
	if err != nil {
		t.Fatalf("decode %v: %v", f.Data, err)
	}
	if got.ID != play.ID || !got.Time.Equal(play.Time) || got.Type != play.Type || *got.Content != *play.Content ||
		got.PositionMs != play.PositionMs {
		t.Errorf("device got %+v, want %+v", got, play)
	}
	if f.MD5 != adm.DataMD5(play.Encode()) {
		t.Errorf("md5 = %q", f.MD5)
	}

	res, err := c.Send(context.Background(), regID, adm.Message{Data: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	f = next(t, frames)
	if res.RegistrationID != regID || res.RequestID != f.MessageID || res.DataMD5 != adm.DataMD5(f.Data) {
		t.Errorf("result %+v for frame %+v", res, f)
	}
}

// Notify asks for a short expiry: a command for a TV that is off must not
// fire when it comes back, so device messaging keeps it no longer than the
// TV would still apply it.
func TestNotifyExpiresWithTheAction(t *testing.T) {
	var body adm.Message
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == adm.TokenPath {
			writeJSON(w, 200, adm.Token{AccessToken: "Atc|x", ExpiresIn: 3600})
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Error(err)
		}
		writeJSON(w, 200, adm.SendResult{RegistrationID: "r"})
	}))
	defer ts.Close()
	c := admclient.New(admclient.Config{BaseURL: ts.URL}, ts.Client(), time.Now)
	if err := c.Notify(context.Background(), "r", pause("a")); err != nil {
		t.Fatal(err)
	}
	if body.ExpiresAfter == nil || *body.ExpiresAfter != 5 || body.MD5 != adm.DataMD5(body.Data) {
		t.Errorf("sent %+v", body)
	}
}

func TestContractErrors(t *testing.T) {
	dp := newDevicePush(t)
	regID, _ := dp.connect(t)
	tests := []struct {
		name        string
		cfg         admclient.Config
		id          string
		msg         *adm.Message // sent as is; nil sends a Notify
		status      int
		reason      string
		unreachable bool
	}{
		{name: "unknown registration", id: unknownID, status: 400, reason: "Unregistered", unreachable: true},
		{name: "malformed registration", id: "nope", status: 400, reason: "InvalidRegistrationId", unreachable: true},
		{name: "registration with a slash", id: "a/b", status: 400, reason: "InvalidRegistrationId", unreachable: true},
		{name: "wrong secret", cfg: admclient.Config{ClientID: clientID, ClientSecret: "nope"}, status: 401, reason: "invalid_client"},
		{name: "bad checksum", msg: &adm.Message{Data: map[string]string{"a": "b"}, MD5: "x"}, status: 400, reason: "InvalidChecksum"},
		{name: "too large", msg: &adm.Message{Data: map[string]string{"a": strings.Repeat("b", 7000)}}, status: 413, reason: "MessageTooLarge"},
		{name: "bad expiry", msg: &adm.Message{Data: map[string]string{}, ExpiresAfter: new(int)}, status: 400, reason: "InvalidExpiration"},
		{name: "key too long", msg: &adm.Message{Data: map[string]string{}, ConsolidationKey: strings.Repeat("k", 65)}, status: 400, reason: "InvalidConsolidationKey"},
		{name: "no data", msg: &adm.Message{}, status: 400, reason: "InvalidData"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dp.client(clocktest.New(start), tt.cfg)
			id := tt.id
			if id == "" {
				id = regID
			}
			var err error
			if tt.msg == nil {
				err = c.Notify(context.Background(), id, pause("a"))
			} else {
				_, err = c.Send(context.Background(), id, *tt.msg)
			}
			checkError(t, err, tt.status, tt.reason, tt.unreachable)
		})
	}
}

func checkError(t *testing.T, err error, status int, reason string, unreachable bool) *admclient.SendError {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	var se *admclient.SendError
	if !errors.As(err, &se) {
		t.Fatalf("%v is not a *SendError", err)
	}
	if se.Status != status || se.Reason != reason {
		t.Errorf("SendError = %+v, want %d %s", se, status, reason)
	}
	if got := errors.Is(err, device.ErrUnreachable); got != unreachable {
		t.Errorf("errors.Is(%v, ErrUnreachable) = %v, want %v", err, got, unreachable)
	}
	return se
}

func TestTokenCachedAndRefreshed(t *testing.T) {
	dp := newDevicePush(t)
	regID, _ := dp.connect(t)
	clk := clocktest.New(start)
	c := dp.client(clk, admclient.Config{})
	ctx := context.Background()
	steps := []struct {
		advance    time.Duration // the client's and device-push's clocks
		wantTokens int64
	}{
		{0, 1},
		{0, 1},
		{58 * time.Minute, 1},           // 2 min before expiry: still good
		{time.Minute + time.Second, 2},  // inside the 60 s margin: refreshed
		{time.Hour - 61*time.Second, 2}, // new token, 1 s before its margin
		{2 * time.Second, 3},            // and into it
		{24 * time.Hour, 4},             // long idle
		{0, 4},
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		dp.clk.Advance(s.advance)
		if err := c.Notify(ctx, regID, pause("a")); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := dp.tokens.Load(); got != s.wantTokens {
			t.Errorf("step %d: %d token requests, want %d", i, got, s.wantTokens)
		}
	}
}

// device-push's clock runs ahead of ours, so the cached token is refused:
// the client refreshes once and retries once.
func TestRefusedTokenRefreshedOnce(t *testing.T) {
	dp := newDevicePush(t)
	regID, frames := dp.connect(t)
	c := dp.client(clocktest.New(start), admclient.Config{})
	ctx := context.Background()
	if err := c.Notify(ctx, regID, pause("a")); err != nil {
		t.Fatal(err)
	}
	next(t, frames)
	dp.clk.Advance(2 * time.Hour)
	if err := c.Notify(ctx, regID, pause("b")); err != nil {
		t.Fatalf("Notify after server-side expiry: %v", err)
	}
	if f := next(t, frames); f.Data["id"] != "b" {
		t.Errorf("got %v", f.Data)
	}
	if tokens, sends := dp.tokens.Load(), dp.sends.Load(); tokens != 2 || sends != 3 {
		t.Errorf("%d token requests and %d sends, want 2 and 3", tokens, sends)
	}
}

func TestColdCacheFetchesOneToken(t *testing.T) {
	dp := newDevicePush(t)
	regID, _ := dp.connect(t)
	c := dp.client(clocktest.New(start), admclient.Config{})
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if err := c.Notify(context.Background(), regID, pause("a")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := dp.tokens.Load(); got != 1 {
		t.Errorf("%d token requests, want 1", got)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// canned answers every send with the same status, reason and Retry-After,
// after checking the request carries ADM's headers.
func canned(t *testing.T, status int, body, retryAfter string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var sends atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == adm.TokenPath {
			writeJSON(w, 200, adm.Token{AccessToken: "Atc|canned", ExpiresIn: 3600, Scope: adm.ScopeMessagingPush, TokenType: "bearer"})
			return
		}
		sends.Add(1)
		want := map[string]string{
			"Authorization":       "Bearer Atc|canned",
			"Content-Type":        "application/json",
			"Accept":              "application/json",
			adm.HeaderTypeVersion: adm.TypeVersion,
			adm.HeaderAcceptType:  adm.AcceptType,
		}
		for k, v := range want {
			if got := r.Header.Get(k); got != v {
				t.Errorf("header %s = %q, want %q", k, got, v)
			}
		}
		if r.Method != http.MethodPost || r.URL.Path != adm.SendPath("reg") {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.Header().Set(adm.HeaderRequestID, "req-1")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	return ts, &sends
}

func TestErrorMapping(t *testing.T) {
	now := start
	tests := []struct {
		name        string
		status      int
		body        string
		retryAfter  string
		reason      string
		unreachable bool
		wantRetry   time.Duration
		wantSends   int64
	}{
		{name: "rate limited", status: 429, body: `{"reason":"MaxRateExceeded"}`, retryAfter: "2", reason: "MaxRateExceeded", unreachable: true, wantRetry: 2 * time.Second},
		{name: "rate limited, decimal", status: 429, body: `{"reason":"MaxRateExceeded"}`, retryAfter: "0.5", reason: "MaxRateExceeded", unreachable: true, wantRetry: 500 * time.Millisecond},
		{name: "unavailable, http date", status: 503, retryAfter: now.Add(30 * time.Second).Format(http.TimeFormat), unreachable: true, wantRetry: 30 * time.Second},
		{name: "internal error", status: 500, body: "oops", unreachable: true},
		{name: "bad gateway html", status: 502, body: "<html>", unreachable: true},
		{name: "unregistered", status: 400, body: `{"reason":"Unregistered"}`, reason: "Unregistered", unreachable: true},
		{name: "invalid registration", status: 400, body: `{"reason":"InvalidRegistrationId"}`, reason: "InvalidRegistrationId", unreachable: true},
		{name: "invalid data", status: 400, body: `{"reason":"InvalidData"}`, reason: "InvalidData"},
		{name: "invalid type", status: 400, body: `{"reason":"InvalidType"}`, reason: "InvalidType"},
		{name: "invalid checksum", status: 400, body: `{"reason":"InvalidChecksum"}`, reason: "InvalidChecksum"},
		{name: "too large", status: 413, body: `{"reason":"MessageTooLarge"}`, reason: "MessageTooLarge"},
		{name: "not found", status: 404, body: `not found`},
		{name: "token refused twice", status: 401, body: `{"reason":"AccessTokenExpired"}`, reason: "AccessTokenExpired", wantSends: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, sends := canned(t, tt.status, tt.body, tt.retryAfter)
			c := admclient.New(admclient.Config{BaseURL: ts.URL}, ts.Client(), func() time.Time { return now })
			err := c.Notify(context.Background(), "reg", pause("a"))
			se := checkError(t, err, tt.status, tt.reason, tt.unreachable)
			if se.RetryAfter != tt.wantRetry || se.RequestID != "req-1" {
				t.Errorf("RetryAfter %v, RequestID %q; want %v, req-1", se.RetryAfter, se.RequestID, tt.wantRetry)
			}
			if !strings.Contains(err.Error(), "adm send to reg") {
				t.Errorf("error %q lacks context", err)
			}
			if tt.wantRetry > 0 && !strings.Contains(err.Error(), "retry after "+tt.wantRetry.String()) {
				t.Errorf("error %q does not mention Retry-After", err)
			}
			want := tt.wantSends
			if want == 0 {
				want = 1
			}
			if got := sends.Load(); got != want {
				t.Errorf("%d sends, want %d", got, want)
			}
		})
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		body        string
		reason      string
		unreachable bool
	}{
		{name: "bad client", status: 401, body: `{"error":"invalid_client","error_description":"no"}`, reason: "invalid_client"},
		{name: "bad scope", status: 400, body: `{"error":"invalid_scope"}`, reason: "invalid_scope"},
		{name: "unavailable", status: 503, body: ``, unreachable: true},
		{name: "throttled", status: 429, body: `{"error":"slow_down"}`, reason: "slow_down", unreachable: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer ts.Close()
			c := admclient.New(admclient.Config{BaseURL: ts.URL}, ts.Client(), time.Now)
			checkError(t, c.Notify(context.Background(), "reg", pause("a")), tt.status, tt.reason, tt.unreachable)
		})
	}
}

// The token may live on another host (api.amazon.com's LWA), given as a
// base or as a full URL.
func TestSeparateTokenURL(t *testing.T) {
	lwaHost := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		ct := r.Header.Get("Content-Type")
		if r.URL.Path != adm.TokenPath || r.PostForm.Get("grant_type") != "client_credentials" ||
			r.PostForm.Get("scope") != "messaging:push" || r.PostForm.Get("client_id") != "id" ||
			r.PostForm.Get("client_secret") != "s3cret" || !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			t.Errorf("token request %s %v %q", r.URL.Path, r.PostForm, ct)
		}
		writeJSON(w, 200, adm.Token{AccessToken: "Atc|canned", ExpiresIn: 3600})
	}))
	defer lwaHost.Close()
	sendHost, sends := canned(t, 200, `{"registrationID":"reg"}`, "")
	for _, tokenURL := range []string{lwaHost.URL, lwaHost.URL + "/", lwaHost.URL + adm.TokenPath} {
		c := admclient.New(admclient.Config{BaseURL: sendHost.URL, TokenURL: tokenURL, ClientID: "id", ClientSecret: "s3cret"},
			http.DefaultClient, time.Now)
		if err := c.Notify(context.Background(), "reg", pause("a")); err != nil {
			t.Errorf("TokenURL %s: %v", tokenURL, err)
		}
	}
	if got := sends.Load(); got != 3 {
		t.Errorf("%d sends", got)
	}
}

func TestNetworkErrorsAreUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := "http://" + ln.Addr().String()
	ln.Close()

	sendHost, _ := canned(t, 200, `{"registrationID":"reg"}`, "")
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		cfg  admclient.Config
		also error
	}{
		{name: "send host down", ctx: context.Background(), cfg: admclient.Config{BaseURL: closedPort, TokenURL: sendHost.URL}},
		{name: "token host down", ctx: context.Background(), cfg: admclient.Config{BaseURL: sendHost.URL, TokenURL: closedPort}},
		{name: "caller gave up", ctx: canceled, cfg: admclient.Config{BaseURL: sendHost.URL}, also: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := admclient.New(tt.cfg, &http.Client{Timeout: waitLimit}, time.Now)
			err := c.Notify(tt.ctx, "reg", pause("a"))
			if !errors.Is(err, device.ErrUnreachable) {
				t.Errorf("%v does not wrap ErrUnreachable", err)
			}
			var se *admclient.SendError
			if errors.As(err, &se) {
				t.Errorf("%v is a SendError", err)
			}
			if tt.also != nil && !errors.Is(err, tt.also) {
				t.Errorf("%v does not wrap %v", err, tt.also)
			}
		})
	}
}
