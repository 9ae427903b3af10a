package tv

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"livingroom/internal/action"
	"livingroom/internal/push"
	"livingroom/tvapp-sim/fault"
	"livingroom/tvapp-sim/inbox"
)

// TestMessagesOutcomes: GET /v1/messages lists each received message, oldest
// first, with what the TV did with it, garbage included.
func TestMessagesOutcomes(t *testing.T) {
	tv := newTestTV(t)
	ctx := context.Background()
	now := time.Now()
	play := action.Action{ID: "a1", Time: now, Type: action.PlayContent, Content: &action.Content{ID: "hm-1", Title: "Offred", DurationMs: 60_000}}
	older := action.Action{ID: "a0", Time: now.Add(-time.Second), Type: action.Pause}
	steps := []struct {
		frame   push.Frame
		setup   func()
		outcome string
	}{
		{frame: frame("m1", play), outcome: "applied"},
		{frame: frame("m1-again", play), outcome: "duplicate"},
		{frame: frame("m0", older), outcome: "stale"},
		{frame: push.Frame{Type: push.TypeMessage, MessageID: "m-garbage", Data: map[string]string{"v": "nope"}}, outcome: "invalid"},
		{frame: push.Frame{Type: push.TypeMessage, MessageID: "m-empty"}, outcome: "invalid"},
		{frame: frame("m2", action.Action{ID: "a2", Time: time.Now(), Type: action.Pause}), outcome: "background", setup: func() {
			if err := tv.Faults.Inject(fault.Request{Fault: fault.Background}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, s := range steps {
		if s.setup != nil {
			s.setup()
		}
		tv.handle(ctx, s.frame)
	}
	rec := httptest.NewRecorder()
	tv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, inbox.Path, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d", inbox.Path, rec.Code)
	}
	var got []inbox.Entry
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	if len(got) != len(steps) {
		t.Fatalf("%d messages, want %d: %s", len(got), len(steps), rec.Body)
	}
	for i, s := range steps {
		e := got[i]
		if e.MessageID != s.frame.MessageID || e.Outcome != s.outcome || e.ReceivedAt == "" || e.Data == nil {
			t.Errorf("message %d = %+v, want id %s outcome %s", i, e, s.frame.MessageID, s.outcome)
		}
		for k, v := range s.frame.Data {
			if e.Data[k] != v {
				t.Errorf("message %d data[%s] = %q, want %q", i, k, e.Data[k], v)
			}
		}
	}
}
