package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"livingroom/alexa-sim/askskill"
	"livingroom/alexa-sim/invoke"
)

// withCustomSkill gives the fixture the custom skill, answered by reply.
func withCustomSkill(t *testing.T, f *fixture, reply func([]byte) ([]byte, error)) *fakeInvoker {
	t.Helper()
	m, err := askskill.LoadModel("../../lambdas/custom-skill/interaction-model.json")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	f.srv.cfg.CustomSkill = askskill.NewConversation(askskill.Config{
		Model: m, SkillID: "amzn1.ask.skill.test", Now: func() time.Time { return time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC) },
		NewID: func() string { n++; return fmt.Sprint(n) },
	})
	inv := &fakeInvoker{reply: reply}
	f.srv.cfg.CustomSkillInvoker = inv
	return inv
}

// speak answers every request with speech; open keeps the session.
func speak(text string, open bool) func([]byte) ([]byte, error) {
	return func([]byte) ([]byte, error) {
		return []byte(fmt.Sprintf(`{"version":"1.0","response":{"outputSpeech":{"type":"SSML","ssml":"<speak>%s</speak>"},"card":{"type":"Simple","title":"Living Room","content":"%s"},"shouldEndSession":%v}}`, text, text, !open)), nil
	}
}

func TestSayCustomSkill(t *testing.T) {
	type request struct {
		Session struct {
			New bool `json:"new"`
		} `json:"session"`
		Context struct {
			System struct {
				User struct {
					AccessToken string `json:"accessToken"`
				} `json:"user"`
			} `json:"System"`
		} `json:"context"`
		Request struct {
			Type   string `json:"type"`
			Intent struct {
				Name string `json:"name"`
			} `json:"intent"`
		} `json:"request"`
	}
	for _, tc := range []struct {
		name      string
		tvs       [][2]string // endpoint id, token
		body      string
		reply     func([]byte) ([]byte, error)
		status    int
		wantError string // the /v1/say error code
		intent    string // what the skill was asked
		token     string
		speech    string
		videoSkil bool // the video skill got it instead
	}{
		{name: "ask, one account", tvs: [][2]string{{"tv-1", "tok-a"}}, body: `{"utterance":"Alexa, ask Living Room what's playing"}`,
			reply: speak("Nothing is playing.", false), status: 200, intent: "WhatsPlayingIntent", token: "tok-a", speech: "Nothing is playing."},
		{name: "tell with a TV named", tvs: [][2]string{{"tv-1", "tok-a"}}, body: `{"utterance":"tell living room to play this is us on the living room tv"}`,
			reply: speak("Playing This Is Us.", false), status: 200, intent: "PlayTitleIntent", token: "tok-a", speech: "Playing This Is Us."},
		{name: "open", tvs: nil, body: `{"utterance":"open living room"}`,
			reply: speak("Welcome.", true), status: 200, intent: "LaunchRequest", token: "", speech: "Welcome."},
		{name: "nobody linked: no token", tvs: nil, body: `{"utterance":"ask living room what's new"}`,
			reply: speak("Link your account.", false), status: 200, intent: "WhatsNewIntent", token: ""},
		{name: "two accounts, endpoint named", tvs: [][2]string{{"tv-1", "tok-a"}, {"tv-2", "tok-b"}}, body: `{"utterance":"ask living room what's new","endpointId":"tv-2"}`,
			reply: speak("Nothing new.", false), status: 200, intent: "WhatsNewIntent", token: "tok-b"},
		{name: "two accounts, none named", tvs: [][2]string{{"tv-1", "tok-a"}, {"tv-2", "tok-b"}}, body: `{"utterance":"ask living room what's new"}`,
			reply: speak("x", false), status: http.StatusConflict, wantError: "ambiguous_account"},
		{name: "unknown endpoint", tvs: [][2]string{{"tv-1", "tok-a"}}, body: `{"utterance":"ask living room what's new","endpointId":"tv-9"}`,
			reply: speak("x", false), status: http.StatusNotFound, wantError: "unknown_endpoint"},
		{name: "reply is a video skill message", tvs: [][2]string{{"tv-1", "tok-a"}}, body: `{"utterance":"ask living room what's new"}`,
			reply: func([]byte) ([]byte, error) { return []byte(`{"event":{}}`), nil }, status: http.StatusBadGateway, wantError: "lambda_invalid_response", intent: "WhatsNewIntent", token: "tok-a"},
		{name: "reply is not JSON", tvs: [][2]string{{"tv-1", "tok-a"}}, body: `{"utterance":"ask living room what's new"}`,
			reply: func([]byte) ([]byte, error) { return []byte(`oops`), nil }, status: http.StatusBadGateway, wantError: "lambda_invalid_response", intent: "WhatsNewIntent", token: "tok-a"},
		{name: "function error", tvs: [][2]string{{"tv-1", "tok-a"}}, body: `{"utterance":"ask living room what's new"}`,
			reply: func([]byte) ([]byte, error) {
				return nil, &invoke.FunctionError{Type: "Runtime.ExitError", Payload: []byte(`{"errorMessage":"boom"}`)}
			}, status: http.StatusBadGateway, wantError: "lambda_function_error", intent: "WhatsNewIntent", token: "tok-a"},
		{name: "invoke fails", tvs: [][2]string{{"tv-1", "tok-a"}}, body: `{"utterance":"ask living room what's new"}`,
			reply: func([]byte) ([]byte, error) { return nil, errors.New("connection refused") }, status: http.StatusBadGateway, wantError: "lambda_invoke_failed", intent: "WhatsNewIntent", token: "tok-a"},
		{name: "not addressed: the video skill", tvs: [][2]string{{"tv-1", "tok-a"}}, body: `{"utterance":"pause"}`,
			reply: speak("x", false), status: 200, videoSkil: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, "testdata/catalog", skillReply)
			for _, tv := range tc.tvs {
				f.register(t, tv[0], "Living Room TV", "amzn1.adm-registration.v3."+tv[0], tv[1])
			}
			inv := withCustomSkill(t, f, tc.reply)
			status, body, raw := f.do(t, http.MethodPost, "/v1/say", "", tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, raw)
			}
			if tc.videoSkil {
				if inv.count() != 0 || f.invoker.count() != 1 {
					t.Fatalf("custom skill calls %d, video skill calls %d", inv.count(), f.invoker.count())
				}
				return
			}
			if f.invoker.count() != 0 {
				t.Fatalf("the video skill was invoked for %s", tc.body)
			}
			if tc.wantError != "" {
				if body["error"] != tc.wantError {
					t.Fatalf("error %v, want %s: %s", body["error"], tc.wantError, raw)
				}
			} else if body["family"] != customSkillFamily || body["intent"] != tc.intent || body["sessionOpen"] == nil ||
				(tc.speech != "" && body["speech"] != tc.speech) || body["traceId"] == "" {
				t.Fatalf("reply = %s", raw)
			}
			if tc.intent == "" {
				if inv.count() != 0 {
					t.Fatal("custom skill invoked")
				}
				return
			}
			if inv.count() != 1 {
				t.Fatalf("custom skill invoked %d times", inv.count())
			}
			var req request
			if err := json.Unmarshal(inv.calls[0], &req); err != nil {
				t.Fatal(err)
			}
			name := req.Request.Intent.Name
			if req.Request.Type != "IntentRequest" {
				name = req.Request.Type
			}
			if name != tc.intent || req.Context.System.User.AccessToken != tc.token || !req.Session.New {
				t.Fatalf("request = %+v", req)
			}
		})
	}
}

// A question keeps the session: the answer, not addressed to the skill,
// goes to it with the same account, and then plain commands go to the
// video skill again.
func TestSayCustomSkillSession(t *testing.T) {
	f := newFixture(t, "testdata/catalog", skillReply)
	f.register(t, "tv-1", "Bedroom TV", "amzn1.adm-registration.v3.one", "tok-a")
	f.register(t, "tv-2", "Kitchen TV", "amzn1.adm-registration.v3.two", "tok-a")
	turns := 0
	inv := withCustomSkill(t, f, func([]byte) ([]byte, error) {
		turns++
		if turns == 1 {
			return speak("Which TV?", true)(nil)
		}
		return speak("Pausing Bedroom TV.", false)(nil)
	})
	for _, step := range []struct{ say, intent, family string }{
		{"ask living room to pause", "PauseIntent", customSkillFamily},
		{"the bedroom", "ChooseTVIntent", customSkillFamily},
	} {
		status, body, raw := f.do(t, http.MethodPost, "/v1/say", "", `{"utterance":"`+step.say+`"}`)
		if status != 200 || body["intent"] != step.intent || body["family"] != step.family {
			t.Fatalf("%s: %d %s", step.say, status, raw)
		}
	}
	if inv.count() != 2 || !json.Valid(inv.calls[1]) {
		t.Fatalf("custom skill calls = %d", inv.count())
	}
	var second struct {
		Session struct {
			New bool `json:"new"`
		} `json:"session"`
	}
	if err := json.Unmarshal(inv.calls[1], &second); err != nil || second.Session.New {
		t.Fatalf("the answer started a new session: %s", inv.calls[1])
	}
	status, _, raw := f.do(t, http.MethodPost, "/v1/say", "", `{"utterance":"pause","endpointId":"tv-1"}`)
	if status != 200 || f.invoker.count() != 1 {
		t.Fatalf("after the session, pause: %d %s (video skill calls %d)", status, raw, f.invoker.count())
	}
}
