package askskill

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"livingroom/internal/customskill"
	"livingroom/internal/goldentest"
)

// The project's own interaction model, as pasted into the console.
const modelPath = "../../lambdas/custom-skill/interaction-model.json"

func loadModel(t testing.TB) *Model {
	t.Helper()
	m, err := LoadModel(modelPath)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestAddress(t *testing.T) {
	m := loadModel(t)
	for _, tc := range []struct {
		said   string
		rest   string
		launch bool
		ok     bool
	}{
		{"ask living room what's playing", "what's playing", false, true},
		{"Alexa, ask Living Room what's playing in the bedroom", "what's playing in the bedroom", false, true},
		{"alexa tell living room to play this is us on the living room tv", "to play this is us on the living room tv", false, true},
		{"please ask living room what's new please", "what's new", false, true},
		{"open living room", "", true, true},
		{"Alexa, launch Living Room.", "", true, true},
		{"ask living room", "", true, true},
		{"open living room and pause", "pause", false, true},
		{"play this is us using living room", "play this is us", false, true},
		// not for the skill
		{"play this is us on the living room tv", "", false, false},
		{"pause", "", false, false},
		{"start living room tv", "", false, false},
		{"ask kitchen what's playing", "", false, false},
		{"ask living", "", false, false},
		{"", "", false, false},
		{"living room", "", false, false},
		{"using living room", "", false, false},
	} {
		t.Run(tc.said, func(t *testing.T) {
			rest, launch, ok := m.Address(words(tc.said))
			if strings.Join(rest, " ") != tc.rest || launch != tc.launch || ok != tc.ok {
				t.Errorf("Address(%q) = %q, %v, %v; want %q, %v, %v", tc.said, rest, launch, ok, tc.rest, tc.launch, tc.ok)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	m := loadModel(t)
	for _, tc := range []struct {
		said  string
		want  string   // Turn.Name()
		slots []string // name=value[=resolved id]
	}{
		{"what's playing", "WhatsPlayingIntent", nil},
		{"whats playing in the bedroom", "WhatsPlayingIntent", []string{"tv=bedroom=bedroom"}},
		{"what is playing on the living room tv", "WhatsPlayingIntent", []string{"tv=living room tv=living room"}},
		{"to play this is us on the living room tv", "PlayTitleIntent", []string{"title=this is us=series-this-is-us", "tv=living room tv=living room"}},
		{"play the martian", "PlayTitleIntent", []string{"title=the martian=movie-the-martian"}},
		{"play martian", "PlayTitleIntent", []string{"title=martian=movie-the-martian"}},
		{"play spider man into the spider verse in the kids room", "PlayTitleIntent", []string{"title=spider man into the spider verse=movie-spider-man-into-the-spider-verse", "tv=kids room=kids room"}},
		{"play the handmaid's tale", "PlayTitleIntent", []string{"title=the handmaid's tale=series-handmaids-tale"}},
		{"play a show nobody made", "PlayTitleIntent", []string{"title=a show nobody made="}},
		{"pause the bedroom", "PauseIntent", []string{"tv=bedroom=bedroom"}},
		{"to pause", "PauseIntent", nil},
		{"resume", "ResumeIntent", nil},
		{"what's new", "WhatsNewIntent", nil},
		{"continue watching", "ContinueWatchingIntent", nil},
		{"the bedroom", "ChooseTVIntent", []string{"tv=bedroom=bedroom"}},
		{"kitchen", "ChooseTVIntent", []string{"tv=kitchen=kitchen"}},
		{"help", "AMAZON.HelpIntent", nil},
		{"what can i say", "AMAZON.HelpIntent", nil},
		{"stop", "AMAZON.StopIntent", nil},
		{"never mind", "AMAZON.CancelIntent", nil},
		{"go home", "AMAZON.NavigateHomeIntent", nil},
		{"exit", "SessionEndedRequest", nil},
		// a slot alone must resolve; anything else is the fallback
		{"the garage", "AMAZON.FallbackIntent", nil},
		{"order a pizza", "AMAZON.FallbackIntent", nil},
		{strings.Repeat("play ", 41), "AMAZON.FallbackIntent", nil},
	} {
		t.Run(tc.said, func(t *testing.T) {
			turn, ok := m.Match(words(tc.said))
			if !ok || turn.Name() != tc.want {
				t.Fatalf("Match(%q) = %+v, %v; want %s", tc.said, turn, ok, tc.want)
			}
			var got []string
			for _, s := range turn.Slots {
				id := ""
				if s.Resolved != nil {
					id = s.Resolved.ID
					if id == "" {
						id = s.Resolved.Name
					}
				}
				got = append(got, s.Name+"="+s.Value+"="+id)
			}
			if strings.Join(got, ",") != strings.Join(tc.slots, ",") {
				t.Errorf("slots = %q, want %q", got, tc.slots)
			}
		})
	}
}

func TestParseModelRejects(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model string
	}{
		{"not JSON", `{`},
		{"no invocation name", `{"interactionModel":{"languageModel":{"intents":[{"name":"A","samples":["a"]}]}}}`},
		{"no intents", `{"interactionModel":{"languageModel":{"invocationName":"x"}}}`},
		{"intent without a name", `{"interactionModel":{"languageModel":{"invocationName":"x","intents":[{"samples":["a"]}]}}}`},
		{"undeclared slot", `{"interactionModel":{"languageModel":{"invocationName":"x","intents":[{"name":"A","samples":["a {b}"]}]}}}`},
		{"undeclared type", `{"interactionModel":{"languageModel":{"invocationName":"x","intents":[{"name":"A","slots":[{"name":"b","type":"B"}],"samples":["a {b}"]}]}}}`},
		{"empty sample", `{"interactionModel":{"languageModel":{"invocationName":"x","intents":[{"name":"A","samples":["  "]}]}}}`},
		{"sample too long", `{"interactionModel":{"languageModel":{"invocationName":"x","intents":[{"name":"A","samples":["` + strings.Repeat("a ", 31) + `"]}]}}}`},
		{"too many slots", `{"interactionModel":{"languageModel":{"invocationName":"x","intents":[{"name":"A","slots":[{"name":"b","type":"AMAZON.SearchQuery"}],"samples":["{b} {b} {b} {b} {b}"]}]}}}`},
		{"too big", `{"x":"` + strings.Repeat("a", MaxModelBytes) + `"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseModel([]byte(tc.model)); !errors.Is(err, ErrBadModel) {
				t.Errorf("ParseModel = %v, want ErrBadModel", err)
			}
		})
	}
}

// conversation is a Conversation on a fixed clock and ids.
func conversation(t testing.TB) (*Conversation, *time.Time) {
	clock := time.Date(2026, 12, 2, 20, 0, 0, 0, time.UTC)
	n := 0
	c := NewConversation(Config{
		Model: loadModel(t), SkillID: customskill.DefaultSkillID,
		Now:   func() time.Time { return clock },
		NewID: func() string { n++; return fmt.Sprintf("id-%d", n) },
	})
	return c, &clock
}

func indent(t testing.TB, b []byte) []byte {
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatal(err)
	}
	return append(out.Bytes(), '\n')
}

// The requests written decode in the skill's own types (alexa-go's,
// extended) to what was said, and are kept as golden files.
func TestConversation(t *testing.T) {
	c, clock := conversation(t)
	say := func(utterance, token string) (Turn, customskill.Request, []byte) {
		t.Helper()
		turn, ok := c.Understand(utterance)
		if !ok {
			t.Fatalf("Understand(%q) = not for the skill", utterance)
		}
		raw, err := c.Request(turn, token)
		if err != nil {
			t.Fatal(err)
		}
		var req customskill.Request
		if err := json.Unmarshal(raw, &req); err != nil {
			t.Fatalf("the skill cannot decode the request: %v", err)
		}
		return turn, req, raw
	}

	// 1. A play with no TV named: the skill asks which TV and keeps the session.
	_, req, raw := say("Alexa, tell Living Room to play This Is Us", "tok-two")
	goldentest.Assert(t, filepath.Join("testdata", "play-without-tv.request.json"), indent(t, raw))
	if req.Body.Type != IntentRequest || req.Body.Intent.Name != "PlayTitleIntent" || !req.Session.New ||
		req.Context.System.Application.ApplicationID != customskill.DefaultSkillID || req.Context.System.User.AccessToken != "tok-two" {
		t.Fatalf("request = %+v", req)
	}
	title := req.Body.Intent.Slots["title"]
	if title.Value != "this is us" || len(title.Resolutions.PerAuthority) != 1 ||
		title.Resolutions.PerAuthority[0].Status.Code != "ER_SUCCESS_MATCH" || title.Resolutions.PerAuthority[0].Values[0].Value.ID != "series-this-is-us" {
		t.Fatalf("title slot = %+v", title)
	}
	ask := []byte(`{"version":"1.0","sessionAttributes":{"pending":{"intent":"PlayTitleIntent","title":"This Is Us"}},
		"response":{"outputSpeech":{"type":"SSML","ssml":"<speak>Which TV: Bedroom TV, or Kitchen &amp; Den?</speak>"},
		"reprompt":{"outputSpeech":{"type":"PlainText","text":"Which TV?"}},"shouldEndSession":false}}`)
	reply, err := c.Answer(Turn{Type: IntentRequest}, ask)
	if err != nil || !reply.SessionOpen || reply.Speech != "Which TV: Bedroom TV, or Kitchen & Den?" {
		t.Fatalf("Answer = %+v, %v", reply, err)
	}
	if tok, ok := c.SessionToken(); !ok || tok != "tok-two" {
		t.Fatalf("SessionToken = %q, %v", tok, ok)
	}

	// 2. The answer, not addressed to the skill, continues the session
	// with its attributes.
	turn, req, raw := say("the bedroom", "tok-two")
	goldentest.Assert(t, filepath.Join("testdata", "answer-in-session.request.json"), indent(t, raw))
	if turn.Addressed || req.Session.New || req.Body.Intent.Name != "ChooseTVIntent" || !strings.Contains(string(req.Session.Attributes), "PlayTitleIntent") {
		t.Fatalf("in-session request = %+v (%s)", req, req.Session.Attributes)
	}
	done := []byte(`{"version":"1.0","response":{"outputSpeech":{"type":"SSML","ssml":"<speak>Playing <lang xml:lang=\"en-US\">This Is Us</lang> on Bedroom TV.</speak>"},
		"card":{"type":"Simple","title":"Living Room","content":"Playing This Is Us on Bedroom TV."},"shouldEndSession":true}}`)
	reply, err = c.Answer(turn, done)
	if err != nil || reply.SessionOpen || reply.Card == nil || reply.Card.Content != "Playing This Is Us on Bedroom TV." || reply.Speech != "Playing This Is Us on Bedroom TV." {
		t.Fatalf("Answer = %+v, %v", reply, err)
	}

	// 3. Session closed: a plain utterance is not for the skill.
	if turn, ok := c.Understand("pause"); ok {
		t.Fatalf("after the session ended, pause went to the skill: %+v", turn)
	}

	// 4. Launch opens a session that times out.
	_, req, raw = say("open living room", "")
	goldentest.Assert(t, filepath.Join("testdata", "launch.request.json"), indent(t, raw))
	if req.Body.Type != LaunchRequest || req.Context.System.User.AccessToken != "" {
		t.Fatalf("launch = %+v", req)
	}
	if _, err := c.Answer(Turn{Type: LaunchRequest}, []byte(`{"version":"1.0","response":{"shouldEndSession":false}}`)); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Understand("pause"); !ok {
		t.Fatal("pause in an open session was not for the skill")
	}
	*clock = clock.Add(SessionTimeout)
	if _, ok := c.Understand("pause"); ok {
		t.Fatal("pause after the session timed out went to the skill")
	}

	// 5. exit in an open session ends it.
	say("ask living room for help", "tok-one")
	if _, err := c.Answer(Turn{Type: IntentRequest}, []byte(`{"version":"1.0","response":{"shouldEndSession":false}}`)); err != nil {
		t.Fatal(err)
	}
	turn, req, _ = say("exit", "tok-one")
	if req.Body.Type != SessionEndedRequest || req.Session.New {
		t.Fatalf("exit = %+v", req)
	}
	if _, err := c.Answer(turn, []byte(`{"version":"1.0","response":{}}`)); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.SessionToken(); ok {
		t.Fatal("session still open after exit")
	}
}

func TestAnswerRejects(t *testing.T) {
	for _, tc := range []struct{ name, reply string }{
		{"not JSON", `<html>`},
		{"no version", `{"response":{}}`},
		{"a video skill reply", `{"event":{"header":{"namespace":"Alexa","name":"Response"}}}`},
		{"attributes too big", `{"version":"1.0","sessionAttributes":{"x":"` + strings.Repeat("a", maxAttributesBytes) + `"},"response":{"shouldEndSession":false}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := conversation(t)
			turn, _ := c.Understand("open living room")
			if _, err := c.Request(turn, "tok"); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Answer(turn, []byte(tc.reply)); !errors.Is(err, ErrBadReply) {
				t.Fatalf("Answer = %v, want ErrBadReply", err)
			}
			if _, ok := c.SessionToken(); ok {
				t.Error("a bad reply left the session open")
			}
		})
	}
}

// FuzzUnderstand: any utterance is understood or not, quickly, without
// panicking, and what is understood makes a request the skill decodes.
func FuzzUnderstand(f *testing.F) {
	for _, s := range []string{"ask living room what's playing in the bedroom", "open living room and play the martian",
		"tell living room to play this is us on the living room tv", "exit", "ask living room {title}", "ask living room " + strings.Repeat("the ", 50)} {
		f.Add(s)
	}
	c, _ := conversation(f)
	f.Fuzz(func(t *testing.T, utterance string) {
		turn, ok := c.Understand(utterance)
		if !ok {
			return
		}
		raw, err := c.Request(turn, "tok")
		if err != nil {
			t.Fatal(err)
		}
		var req customskill.Request
		if err := json.Unmarshal(raw, &req); err != nil {
			t.Fatalf("request does not decode: %v", err)
		}
	})
}

// BenchmarkUnderstand: matching one utterance against the shipped model.
func BenchmarkUnderstand(b *testing.B) {
	c, _ := conversation(b)
	for b.Loop() {
		if _, ok := c.Understand("Alexa, tell Living Room to play This Is Us on the living room TV"); !ok {
			b.Fatal("not understood")
		}
	}
}
