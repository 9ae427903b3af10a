package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// echoReply is /v1/say's answer for the custom skill (family custom-skill).
type echoReply struct {
	Intent      string          `json:"intent"`
	Family      string          `json:"family"`
	Directive   json.RawMessage `json:"directive"`
	Response    json.RawMessage `json:"response"`
	Speech      string          `json:"speech"`
	SessionOpen *bool           `json:"sessionOpen"`
	Card        *struct {
		Type, Title, Content string
	} `json:"card"`
}

func (s *stack) sayToEcho(t *testing.T, utterance string) echoReply {
	t.Helper()
	status, raw := s.sayRaw(t, utterance)
	var r echoReply
	if status != http.StatusOK {
		t.Fatalf("say %q: %d %s", utterance, status, raw)
	}
	if err := json.Unmarshal(raw, &r); err != nil || r.Family != "custom-skill" || r.SessionOpen == nil {
		t.Fatalf("say %q: not a custom skill reply (%v): %s", utterance, err, raw)
	}
	t.Logf("%q → %s: %q", utterance, r.Intent, r.Speech)
	return r
}

// customSkillOnEcho speaks to the custom skill as an Echo speaker would:
// alexa-sim routes "ask/tell Living Room …" to CustomSkillFunction, the
// real bootstrap under the emulator, which acts on the same TV. The
// account has several TVs by now (the earlier subtests add some), so each
// request names the living room's.
func customSkillOnEcho(t *testing.T, s *stack) {
	before := s.state(t)
	if before.Content == nil {
		t.Fatal("the TV plays nothing before the custom skill is asked")
	}
	r := s.sayToEcho(t, "Alexa, ask Living Room what's playing on the living room TV")
	if r.Intent != "WhatsPlayingIntent" || !strings.Contains(r.Speech, before.Content.SeriesTitle) || *r.SessionOpen {
		t.Fatalf("what's playing: %s %q, the TV plays %+v", r.Intent, r.Speech, before.Content)
	}

	began := time.Now()
	r = s.sayToEcho(t, "Alexa, tell Living Room to play This Is Us on the living room TV")
	if r.Intent != "PlayTitleIntent" || !strings.Contains(r.Speech, "This Is Us") || r.Card == nil {
		t.Fatalf("play: %s %q (session open %v)", r.Intent, r.Speech, *r.SessionOpen)
	}
	s.waitState(t, began, "This Is Us playing", func(st tvState) bool {
		return st.PlaybackState == "PLAYING" && st.Content != nil && st.Content.SeriesTitle == "This Is Us"
	})

	began = time.Now()
	if r = s.sayToEcho(t, "ask living room to pause the living room tv"); r.Intent != "PauseIntent" {
		t.Fatalf("pause: %s %q (session open %v)", r.Intent, r.Speech, *r.SessionOpen)
	}
	s.waitState(t, began, "paused", func(st tvState) bool { return st.PlaybackState == "PAUSED" })

	// A launch opens a session: the next turn needs no "ask Living Room".
	if r = s.sayToEcho(t, "open living room"); r.Intent != "LaunchRequest" || !*r.SessionOpen {
		t.Fatalf("launch: %s %q (session open %v)", r.Intent, r.Speech, *r.SessionOpen)
	}
	if r = s.sayToEcho(t, "help"); r.Intent != "AMAZON.HelpIntent" || r.Speech == "" {
		t.Fatalf("help in session: %s %q (session open %v)", r.Intent, r.Speech, *r.SessionOpen)
	}
	if r = s.sayToEcho(t, "stop"); r.Intent != "AMAZON.StopIntent" || *r.SessionOpen {
		t.Fatalf("stop: %s %q (session open %v)", r.Intent, r.Speech, *r.SessionOpen)
	}
}
