package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"livingroom/internal/vsk/vsktest"
)

// TestEveryDirectiveFamily drives each directive family through the real
// stack by voice (alexa-sim → SkillFunction under the emulator → dynalite →
// device-push → tvapp-sim) and asserts what the TV then shows. The TV's
// state reports reach the Device API, so ReportState and Next/Previous
// answer from them, and ChangeReports reach alexa-sim's gateway once the
// account granted events.
func TestEveryDirectiveFamily(t *testing.T) {
	s := startStack(t)
	// Link events first, as Alexa does after account linking.
	if status, body := s.post(t, "ALEXA_SIM_ADDR", "/v1/accounts/link", `{"token":"dev-token"}`); status != http.StatusOK {
		t.Fatalf("link: %d %s", status, body)
	}
	type step struct {
		say     string
		what    string
		errType string // the skill's ErrorResponse type, when it must refuse
		reached func(st tvState, before tvState) bool
	}
	steps := []step{
		{"watch The Handmaid's Tale", "S1E1 playing", "", func(st, _ tvState) bool {
			return st.PlaybackState == "PLAYING" && st.Content != nil && st.Content.Season == 1 && st.Content.Episode == 1
		}},
		{"next episode", "S1E2", "", func(st, _ tvState) bool { return st.Content != nil && st.Content.Episode == 2 }},
		{"previous episode", "S1E1 again", "", func(st, _ tvState) bool { return st.Content != nil && st.Content.Episode == 1 }},
		{"fast forward 30 seconds", "30 s further", "", func(st, b tvState) bool { return st.PositionMs >= b.PositionMs+25_000 }},
		{"rewind", "10 s back", "", func(st, b tvState) bool { return st.PositionMs <= b.PositionMs-5_000 }},
		{"start over", "from the start", "", func(st, _ tvState) bool { return st.PositionMs < 5_000 && st.PlaybackState == "PLAYING" }},
		{"pause", "paused", "", func(st, _ tvState) bool { return st.PlaybackState == "PAUSED" }},
		{"resume", "playing", "", func(st, _ tvState) bool { return st.PlaybackState == "PLAYING" }},
		{"record this", "a recording listed", "", func(st, b tvState) bool { return len(st.Recordings) == len(b.Recordings)+1 }},
		{"go to ESPN", "ESPN live", "", func(st, _ tvState) bool { return st.Channel != nil && st.Channel.CallSign == "ESPN" }},
		{"channel up", "the next channel", "", func(st, b tvState) bool { return st.Channel != nil && st.Channel.Number != b.Channel.Number }},
		{"show me dramas", "a results screen", "", func(st, _ tvState) bool { return st.Screen == "results" && len(st.Results) > 0 }},
		{"select", "the first result playing", "", func(st, _ tvState) bool { return st.Screen == "player" && st.PlaybackState == "PLAYING" }},
		{"go home", "home", "", func(st, _ tvState) bool { return st.Screen == "home" }},
		{"open settings", "settings", "", func(st, _ tvState) bool { return st.Screen == "settings" }},
		{"turn the TV off", "off", "", func(st, _ tvState) bool { return st.Power == "OFF" }},
		{"pause", "still off", "ENDPOINT_UNREACHABLE", func(st, _ tvState) bool { return st.Power == "OFF" }},
		{"turn on the TV", "on", "", func(st, _ tvState) bool { return st.Power == "ON" }},
		// Watch progress: the series continues at S1E1 where it stopped.
		{"watch The Handmaid's Tale", "S1E1 resumed", "", func(st, _ tvState) bool {
			return st.PlaybackState == "PLAYING" && st.Content != nil && st.Content.Episode == 1 && st.PositionMs > 0
		}},
	}
	for _, step := range steps {
		before := s.state(t)
		// The TV reports its state asynchronously; ReportState-driven
		// directives (next, rewind) read it, so let the report land.
		s.waitReported(t, before)
		began := time.Now()
		status, reply := s.say(t, step.say)
		if status != http.StatusOK {
			t.Fatalf("say %q: status %d", step.say, status)
		}
		vsktest.Validate(t, reply.Response)
		got := ""
		if reply.Error != nil {
			got = reply.Error.Type
		}
		if got != step.errType {
			t.Fatalf("say %q: skill error %q, want %q: %s", step.say, got, step.errType, reply.Response)
		}
		took := s.waitState(t, began, step.what, func(st tvState) bool { return step.reached(st, before) })
		t.Logf("%q → %s in %v", step.say, step.what, took.Round(time.Microsecond))
	}

	t.Run("sound and inputs", func(t *testing.T) {
		for _, c := range []struct {
			directive string
			what      string
			reached   func(tvState) bool
		}{
			{`{"namespace":"Alexa.Speaker","name":"SetVolume","payload":{"volume":12}}`, "volume 12", func(st tvState) bool { return st.Volume == 12 }},
			{`{"namespace":"Alexa.StepSpeaker","name":"AdjustVolume","payload":{"volumeSteps":5}}`, "volume 17", func(st tvState) bool { return st.Volume == 17 }},
			{`{"namespace":"Alexa.Speaker","name":"SetMute","payload":{"mute":true}}`, "muted", func(st tvState) bool { return st.Muted }},
			{`{"namespace":"Alexa.InputController","name":"SelectInput","payload":{"input":"HDMI2"}}`, "HDMI 2", func(st tvState) bool { return st.Input == "HDMI 2" }},
		} {
			status, body := s.post(t, "ALEXA_SIM_ADDR", "/v1/directive", c.directive)
			if status != http.StatusOK || !strings.Contains(body, `"name":"Response"`) {
				t.Fatalf("%s: %d %s", c.directive, status, body)
			}
			s.waitState(t, time.Now(), c.what, c.reached)
		}
		// And by voice.
		for _, c := range []struct {
			say     string
			reached func(tvState) bool
		}{
			{"unmute", func(st tvState) bool { return !st.Muted }},
			{"turn it up", func(st tvState) bool { return st.Volume == 27 }},
			{"set the volume to 17", func(st tvState) bool { return st.Volume == 17 }},
			{"mute", func(st tvState) bool { return st.Muted }},
			{"switch to hdmi 1", func(st tvState) bool { return st.Input == "HDMI 1" }},
			{"switch to hdmi 2", func(st tvState) bool { return st.Input == "HDMI 2" }},
		} {
			if status, reply := s.say(t, c.say); status != http.StatusOK || reply.Error != nil {
				t.Fatalf("say %q: %d %+v", c.say, status, reply.Error)
			}
			s.waitState(t, time.Now(), c.say, c.reached)
		}
		s.waitReported(t, s.state(t))
		status, body := s.post(t, "ALEXA_SIM_ADDR", "/v1/directive", `{"namespace":"Alexa","name":"ReportState"}`)
		for _, want := range []string{`"name":"volume","value":17`, `"name":"muted","value":true`, `"name":"input","value":"HDMI 2"`} {
			if status != http.StatusOK || !strings.Contains(body, want) {
				t.Fatalf("ReportState lacks %s: %d %s", want, status, body)
			}
		}
	})

	t.Run("ReportState answers from the TV's report", func(t *testing.T) {
		s.waitReported(t, s.state(t))
		status, body := s.post(t, "ALEXA_SIM_ADDR", "/v1/directive", `{"namespace":"Alexa","name":"ReportState"}`)
		if status != http.StatusOK || !strings.Contains(body, `"StateReport"`) || !strings.Contains(body, `"powerState","value":"ON"`) {
			t.Fatalf("ReportState: %d %s", status, body)
		}
	})
	t.Run("ChangeReports reached the event gateway", func(t *testing.T) {
		waitFor(t, 5*time.Second, "a ChangeReport", func() bool {
			resp, err := http.Get(s.url("ALEXA_SIM_ADDR", "/v1/events"))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return strings.Contains(string(b), "ChangeReport") && strings.Contains(string(b), "202")
		})
	})
}

// waitReported waits until the Device API holds the state the TV shows
// (the TV reports after every change): its lastActionId is the TV's.
func (s *stack) waitReported(t testing.TB, st tvState) {
	t.Helper()
	if st.LastActionID == "" {
		return
	}
	waitFor(t, 5*time.Second, "the TV's state report", func() bool {
		req, _ := http.NewRequest(http.MethodGet, s.url("DEVICE_API_ADDR", "/v1/devices/"+st.EndpointID+"/state"), nil)
		req.Header.Set("Authorization", "Bearer dev-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got struct{ LastActionID string }
		_ = json.NewDecoder(resp.Body).Decode(&got)
		return got.LastActionID == st.LastActionID
	})
}

func (s *stack) post(t testing.TB, key, path, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(s.url(key, path), "application/json", bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var compact bytes.Buffer
	if json.Compact(&compact, b) == nil {
		return resp.StatusCode, compact.String()
	}
	return resp.StatusCode, string(b)
}
