package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"livingroom/internal/action"
	"livingroom/internal/vsk/vsktest"
)

// TestOfflineTVNeverActsLater: with its TV offline, "pause" is answered
// ENDPOINT_UNREACHABLE (the skill asks device-push for a delivery receipt,
// and the message that reached no connection is discarded); when the TV is
// back it never applies that pause. The next "pause" works.
func TestOfflineTVNeverActsLater(t *testing.T) {
	s := startStack(t)
	if status, reply := s.say(t, "watch the handmaid's tale season 1 episode 1"); status != http.StatusOK || reply.Error != nil {
		t.Fatalf("say watch: status %d, %s", status, reply.Response)
	}
	s.waitState(t, time.Now(), "playing", func(st tvState) bool { return st.PlaybackState == "PLAYING" })
	regID := s.state(t).RegistrationID

	if status, body := s.post(t, "TVAPP_ADDR", "/v1/faults", `{"fault":"offline"}`); status != http.StatusOK {
		t.Fatalf("offline fault: %d %s", status, body)
	}
	// device-push has seen the TV go (the fault's answer says the TV's side).
	s.waitPush(t, regID, "disconnected", func(st pushStatus) bool { return !st.Connected })
	before := len(s.messages(t))

	status, reply := s.say(t, "pause")
	if status != http.StatusOK {
		t.Fatalf("say pause: status %d", status)
	}
	vsktest.Validate(t, reply.Response)
	if reply.Error == nil || reply.Error.Type != "ENDPOINT_UNREACHABLE" {
		t.Fatalf("pause with the TV offline: reply %s, want ENDPOINT_UNREACHABLE", reply.Response)
	}
	if st := s.pushStatus(t, regID); st.Pending != 0 {
		t.Errorf("device-push holds %d messages for the offline TV, want none", st.Pending)
	}

	clearFaults(t, s)
	s.waitPush(t, regID, "connected again", func(st pushStatus) bool { return st.Connected })
	status, reply = s.say(t, "pause")
	if status != http.StatusOK || reply.Error != nil {
		t.Fatalf("pause with the TV back: status %d, %s", status, reply.Response)
	}
	s.waitState(t, time.Now(), "paused", func(st tvState) bool { return st.PlaybackState == "PAUSED" })
	// device-push keeps each device's order and replays a backlog before
	// live messages: had the first pause been kept, it would have come first.
	got := s.messages(t)[before:]
	if len(got) != 1 || got[0].Outcome != "applied" || got[0].Data["type"] != string(action.Pause) {
		t.Fatalf("the TV received %+v since the fault, want only the second pause, applied", got)
	}
	if st := s.state(t); st.LastActionID != got[0].Data["id"] {
		t.Errorf("last action %s, want the second pause %s", st.LastActionID, got[0].Data["id"])
	}
}

type pushStatus struct {
	Connected bool `json:"connected"`
	Pending   int  `json:"pending"`
}

func (s *stack) pushStatus(t testing.TB, regID string) pushStatus {
	t.Helper()
	resp, err := http.Get(s.url("DEVICE_PUSH_ADDR", "/v1/registrations/"+url.PathEscape(regID)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st pushStatus
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&st) != nil {
		t.Fatalf("device-push registration %s: status %d", regID, resp.StatusCode)
	}
	return st
}

// waitPush polls device-push's view of the TV until cond holds (10 s at most).
func (s *stack) waitPush(t testing.TB, regID, what string, cond func(pushStatus) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		st := s.pushStatus(t, regID)
		if cond(st) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("device-push never saw the TV %s: %+v", what, st)
		}
		<-tick.C // poll device-push again
	}
}

type inboxEntry struct {
	MessageID string            `json:"messageId"`
	Data      map[string]string `json:"data"`
	Outcome   string            `json:"outcome"`
}

// messages is what the TV received (GET :8400/v1/messages), oldest first.
func (s *stack) messages(t testing.TB) []inboxEntry {
	t.Helper()
	resp, err := http.Get(s.url("TVAPP_ADDR", "/v1/messages"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var es []inboxEntry
	if err := json.NewDecoder(resp.Body).Decode(&es); err != nil {
		t.Fatal(err)
	}
	return es
}
