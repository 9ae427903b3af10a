package skill_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"livingroom/internal/account"
	"livingroom/internal/account/accounttest"
	"livingroom/internal/action"
	"livingroom/internal/catalog"
	"livingroom/internal/catalog/catalogtest"
	"livingroom/internal/device"
	"livingroom/internal/idempotency/idempotencytest"
	"livingroom/internal/skill"
	"livingroom/internal/vsk"
	"livingroom/internal/vsk/vsktest"
)

// directive builds a raw directive from its parts.
func directive(namespace, name, messageID, correlation string, endpoint any, payload any) []byte {
	d := map[string]any{
		"header":  map[string]any{"namespace": namespace, "name": name, "messageId": messageID, "correlationToken": correlation, "payloadVersion": "3"},
		"payload": payload,
	}
	if endpoint != nil {
		d["endpoint"] = endpoint
	}
	b, err := json.Marshal(map[string]any{"directive": d})
	if err != nil {
		panic(err)
	}
	return b
}

func bearer(token, endpointID string) map[string]any {
	return map[string]any{"scope": map[string]any{"type": "BearerToken", "token": token}, "endpointId": endpointID}
}

func searchTitle(title string) map[string]any {
	return map[string]any{"entities": []any{map[string]any{"type": "Video", "value": title}}}
}

// TestBadInput is the table of hostile and broken directives: each gets the
// documented Alexa error, sends nothing, and echoes no unbounded input.
func TestBadInput(t *testing.T) {
	const token = "access-token-from-skill"
	huge := strings.Repeat("a", 1100<<10)
	cases := []struct {
		name     string
		raw      []byte
		wantType string
	}{
		{"1.1 MB title", directive("Alexa.RemoteVideoPlayer", "SearchAndPlay", "m1", "c", bearer(token, "endpoint-001"), searchTitle(huge)), vsk.ErrorInvalidValue},
		{"title of punctuation", directive("Alexa.RemoteVideoPlayer", "SearchAndPlay", "m2", "c", bearer(token, "endpoint-001"), searchTitle("?!...;-")), vsk.ErrorInvalidValue},
		{"title of emoji", directive("Alexa.RemoteVideoPlayer", "SearchAndPlay", "m3", "c", bearer(token, "endpoint-001"), searchTitle("🎬🍿🎥")), vsk.ErrorInvalidValue},
		{"title of control characters", directive("Alexa.RemoteVideoPlayer", "SearchAndPlay", "m4", "c", bearer(token, "endpoint-001"), searchTitle("\x00\x01\x1b[2J")), vsk.ErrorInvalidValue},
		{"title with a control character", directive("Alexa.RemoteVideoPlayer", "SearchAndPlay", "m5", "c", bearer(token, "endpoint-001"), searchTitle("June\x00")), vsk.ErrorInvalidValue},
		{"invalid UTF-8 title", directive("Alexa.RemoteVideoPlayer", "SearchAndPlay", "m6", "c", bearer(token, "endpoint-001"), searchTitle("\xff\xfe")), vsk.ErrorInvalidValue},
		{"blank title", directive("Alexa.RemoteVideoPlayer", "SearchAndPlay", "m7", "c", bearer(token, "endpoint-001"), searchTitle("   ")), vsk.ErrorInvalidValue},
		{"too many entities", directive("Alexa.RemoteVideoPlayer", "SearchAndPlay", "m8", "c", bearer(token, "endpoint-001"),
			map[string]any{"entities": manyEntities(1000)}), vsk.ErrorInvalidValue},
		{"huge external id", directive("Alexa.RemoteVideoPlayer", "SearchAndPlay", "m9", "c", bearer(token, "endpoint-001"),
			map[string]any{"entities": []any{map[string]any{"type": "Video", "value": "June", "externalIds": map[string]string{"imdb": huge[:4096]}}}}), vsk.ErrorInvalidValue},
		{"season out of range", directive("Alexa.RemoteVideoPlayer", "SearchAndPlay", "m10", "c", bearer(token, "endpoint-001"),
			map[string]any{"entities": []any{map[string]any{"type": "Video", "value": "The Handmaid's Tale"}, map[string]any{"type": "Season", "value": "-3"}}}), vsk.ErrorInvalidValue},
		{"payload not an object", directive("Alexa.RemoteVideoPlayer", "SearchAndPlay", "m11", "c", bearer(token, "endpoint-001"), "a string"), vsk.ErrorInvalidDirective},
		{"huge correlation token", directive("Alexa.PlaybackController", "Pause", "m12", huge[:20000], bearer(token, "endpoint-001"), map[string]any{}), vsk.ErrorInvalidDirective},
		{"correlation token with newline", directive("Alexa.PlaybackController", "Pause", "m13", "a\nb", bearer(token, "endpoint-001"), map[string]any{}), vsk.ErrorInvalidDirective},
		{"huge endpoint id", directive("Alexa.PlaybackController", "Pause", "m14", "c", bearer(token, huge[:5000]), map[string]any{}), vsk.ErrorInvalidDirective},
		{"endpoint id with a space", directive("Alexa.PlaybackController", "Pause", "m15", "c", bearer(token, "endpoint 001"), map[string]any{}), vsk.ErrorInvalidDirective},
		{"huge token", directive("Alexa.PlaybackController", "Pause", "m16", "c", bearer(huge[:9000], "endpoint-001"), map[string]any{}), vsk.ErrorInvalidCredential},
		{"huge message id", directive("Alexa.PlaybackController", "Pause", huge[:500], "c", bearer(token, "endpoint-001"), map[string]any{}), vsk.ErrorInvalidDirective},
		{"no message id", directive("Alexa.PlaybackController", "Pause", "", "c", bearer(token, "endpoint-001"), map[string]any{}), vsk.ErrorInvalidDirective},
		{"huge name", directive("Alexa.PlaybackController", huge[:300], "m17", "c", bearer(token, "endpoint-001"), map[string]any{}), vsk.ErrorInvalidDirective},
		{"huge cookie", directive("Alexa.PlaybackController", "Pause", "m18", "c",
			map[string]any{"scope": map[string]any{"type": "DirectedUserId", "directedUserId": "x"}, "endpointId": "endpoint-001", "cookie": map[string]string{"applicationInstanceId": huge[:3000]}},
			map[string]any{}), vsk.ErrorInvalidCredential},
		// Fire TV path: the cookie names acc-dev's TV, the endpoint id another device.
		{"cookie of one device, endpoint of another", directive("Alexa.PlaybackController", "Pause", "m19", "c",
			map[string]any{"scope": map[string]any{"type": "DirectedUserId", "directedUserId": "x"}, "endpointId": "offline-tv", "cookie": map[string]string{"applicationInstanceId": "reg-living-room"}},
			map[string]any{}), vsk.ErrorNoSuchEndpoint},
		{"cookie of a device, any endpoint id", directive("Alexa.PlaybackController", "Pause", "m20", "c",
			map[string]any{"scope": map[string]any{"type": "DirectedUserId", "directedUserId": "x"}, "endpointId": "anything", "cookie": map[string]string{"applicationInstanceId": "reg-free"}},
			map[string]any{}), vsk.ErrorNoSuchEndpoint},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, notifier := newHandler(t)
			out, err := h.Invoke(context.Background(), c.raw)
			if err != nil {
				t.Fatalf("Lambda error: %v", err)
			}
			vsktest.Validate(t, out)
			var msg vsk.Message
			if err := json.Unmarshal(out, &msg); err != nil {
				t.Fatal(err)
			}
			payload, _ := json.Marshal(msg.Event.Payload)
			if msg.Event.Header.Name != "ErrorResponse" || !strings.Contains(string(payload), `"type":"`+c.wantType+`"`) {
				t.Fatalf("reply %s, want %s", out, c.wantType)
			}
			if len(out) > 2048 {
				t.Fatalf("reply of %d bytes echoes input: %.300s", len(out), out)
			}
			if n := len(notifier.Sent()); n != 0 {
				t.Fatalf("sent %d actions", n)
			}
		})
	}
}

func manyEntities(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"type": "Genre", "value": "drama"}
	}
	return out
}

// TestErrorMessagesAreFixed: the message Alexa gets names no account,
// registration, endpoint or URL, whatever went wrong.
func TestErrorMessagesAreFixed(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.response.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Event struct {
				Payload struct{ Message string } `json:"payload"`
			} `json:"event"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, leak := range []string{"acc-", "reg-", "endpoint-", "http", "not found", ": "} {
			if strings.Contains(m.Event.Payload.Message, leak) {
				t.Errorf("%s: message %q leaks %q", f, m.Event.Payload.Message, leak)
			}
		}
	}
}

// TestSameMessageIDActsOnce: Alexa's retries of one directive get the same
// reply, and the TV gets one action. Another account's replay of the same
// message id is a directive of its own.
func TestSameMessageIDActsOnce(t *testing.T) {
	h, notifier := newHandler(t)
	raw := directive("Alexa.PlaybackController", "Pause", "retry-1", "c", bearer("access-token-from-skill", "endpoint-001"), map[string]any{})
	first, _ := h.Invoke(context.Background(), raw)
	for range 2 {
		again, _ := h.Invoke(context.Background(), raw)
		if !bytes.Equal(first, again) {
			t.Fatalf("replayed reply differs:\n%s\n%s", first, again)
		}
	}
	if n := len(notifier.Sent()); n != 1 {
		t.Fatalf("sent %d actions, want 1", n)
	}
	other := directive("Alexa.PlaybackController", "Pause", "retry-1", "c", bearer("token-without-plan", "endpoint-001"), map[string]any{})
	out, _ := h.Invoke(context.Background(), other)
	if bytes.Equal(out, first) {
		t.Fatal("another account got the first account's reply")
	}
	if n := len(notifier.Sent()); n != 2 {
		t.Fatalf("sent %d actions, want 2", n)
	}
}

// blockingDevices hangs every call until the directive's deadline, as a
// stopped DynamoDB or device-push would.
type blockingDevices struct{}

func (blockingDevices) Find(ctx context.Context, _, _ string) (device.Device, error) {
	<-ctx.Done()
	return device.Device{}, fmt.Errorf("get device: %w", ctx.Err())
}
func (blockingDevices) FindWithState(ctx context.Context, _, _ string) (device.Device, *device.State, error) {
	<-ctx.Done()
	return device.Device{}, nil, fmt.Errorf("get device: %w", ctx.Err())
}
func (blockingDevices) Cached(_, _ string) (device.Device, bool) { return device.Device{}, false }
func (blockingDevices) FindByRegistration(ctx context.Context, _ string) (device.Device, error) {
	<-ctx.Done()
	return device.Device{}, ctx.Err()
}
func (blockingDevices) List(ctx context.Context, _ string) ([]device.Device, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}
func (blockingDevices) State(ctx context.Context, _, _ string) (device.State, error) {
	<-ctx.Done()
	return device.State{}, ctx.Err()
}
func (blockingDevices) Send(ctx context.Context, _ device.Device, _ action.Action) (action.Action, error) {
	<-ctx.Done()
	return action.Action{}, ctx.Err()
}

// TestHungDependencyAnswersInsideBudget: when a dependency hangs, the
// directive still gets an ErrorResponse, because every call runs under the
// directive's budget (the test would time out otherwise).
func TestHungDependencyAnswersInsideBudget(t *testing.T) {
	accounts := account.NewService(accounttest.NewStore(), time.Now)
	if err := accounts.Create(context.Background(), account.Account{ID: "a", Plan: "premium"}, "tok", time.Hour); err != nil {
		t.Fatal(err)
	}
	replies := idempotencytest.NewStore()
	h := skill.NewHandler(skill.Config{
		Accounts: accounts, Devices: blockingDevices{}, Content: catalog.NewResolver(catalogtest.New(), "livingroom"),
		Replies: replies, NewID: func() string { return "00000000-0000-4000-8000-000000000001" }, Budget: 50 * time.Millisecond,
	})
	raw := directive("Alexa.PlaybackController", "Pause", "hung-1", "c", bearer("tok", "tv"), map[string]any{})
	out, err := h.Invoke(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	vsktest.Validate(t, out)
	if !strings.Contains(string(out), `"type":"INTERNAL_ERROR"`) {
		t.Fatalf("reply %s, want INTERNAL_ERROR", out)
	}
	// The failure is released: Alexa's retry is handled afresh, not
	// answered from a stored failure.
	if claimed, _, err := replies.Claim(context.Background(), "probe", time.Now(), time.Now().Add(time.Minute)); err != nil || !claimed {
		t.Fatal("store unusable")
	}
	out2, _ := h.Invoke(context.Background(), raw)
	if !strings.Contains(string(out2), `"type":"INTERNAL_ERROR"`) {
		t.Fatalf("retry reply %s", out2)
	}
}
