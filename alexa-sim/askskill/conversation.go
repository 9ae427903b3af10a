package askskill

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strings"
	"sync"
	"time"
)

// SessionTimeout is how long an open session waits for the next turn;
// Alexa closes a session after about eight seconds of silence.
const SessionTimeout = 8 * time.Second

// maxAttributesBytes bounds the session attributes kept between turns
// (Alexa's own limit is far larger; ours are a few hundred bytes).
const maxAttributesBytes = 16 << 10

// ErrBadReply is a skill reply that is not a custom skill response.
var ErrBadReply = errors.New("not a custom skill response")

// Config wires a Conversation.
type Config struct {
	Model   *Model
	SkillID string
	Locale  string // en-US when empty
	Now     func() time.Time
	NewID   func() string // request and session ids' random part
}

// Conversation is one simulated Echo speaker talking to one custom skill:
// it holds the open session, if any, between turns.
type Conversation struct {
	cfg     Config
	mu      sync.Mutex
	session *session
}

type session struct {
	id         string
	token      string
	attributes json.RawMessage
	last       time.Time
}

// NewConversation returns a conversation with no open session.
func NewConversation(cfg Config) *Conversation {
	if cfg.Locale == "" {
		cfg.Locale = "en-US"
	}
	return &Conversation{cfg: cfg}
}

// SkillID is the skill's application id.
func (c *Conversation) SkillID() string { return c.cfg.SkillID }

// Understand decides whether an utterance is for the skill: it names the
// skill, or a session is open and waiting for the next turn.
func (c *Conversation) Understand(utterance string) (Turn, bool) {
	ws := words(utterance)
	if len(ws) > MaxWords {
		return Turn{}, false
	}
	rest, launch, addressed := c.cfg.Model.Address(ws)
	if addressed && launch {
		return Turn{Type: LaunchRequest, Addressed: true}, true
	}
	if addressed {
		t, ok := c.cfg.Model.Match(rest)
		if ok && t.Type == SessionEndedRequest {
			// Nothing to end when the skill is only now addressed.
			t = Turn{Type: IntentRequest, Intent: StopIntent}
		}
		t.Addressed = true
		return t, ok
	}
	if !c.open() {
		return Turn{}, false
	}
	return c.cfg.Model.Match(trimPolite(ws))
}

// open reports whether a session is waiting for the next turn.
func (c *Conversation) open() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session != nil && c.cfg.Now().Sub(c.session.last) < SessionTimeout
}

// SessionToken is the open session's account token: the next turn goes
// to the same account ("" and false when no session is open).
func (c *Conversation) SessionToken() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil || c.cfg.Now().Sub(c.session.last) >= SessionTimeout {
		return "", false
	}
	return c.session.token, true
}

// Request writes the request Alexa sends for a turn, on behalf of the
// account whose access token is given ("" for a user who has not linked
// an account). An addressed turn starts a new session; a turn in an open
// session continues it with its attributes.
func (c *Conversation) Request(t Turn, token string) ([]byte, error) {
	c.mu.Lock()
	now := c.cfg.Now()
	s := c.session
	if t.Addressed || s == nil || now.Sub(s.last) >= SessionTimeout || s.token != token {
		s = &session{id: "amzn1.echo-api.session." + c.cfg.NewID(), token: token}
	}
	s.last = now
	isNew := s != c.session
	c.session = s
	attrs := s.attributes
	sessionID := s.id
	c.mu.Unlock()

	body := requestBody{
		Type:      t.Type,
		RequestID: "amzn1.echo-api.request." + c.cfg.NewID(),
		Timestamp: now.UTC().Format(time.RFC3339),
		Locale:    c.cfg.Locale,
	}
	switch t.Type {
	case IntentRequest:
		body.Intent = &intent{Name: t.Intent, ConfirmationStatus: "NONE", Slots: map[string]slot{}}
		for _, v := range t.Slots {
			body.Intent.Slots[v.Name] = c.slot(v)
		}
	case SessionEndedRequest:
		body.Reason = "USER_INITIATED"
	}
	app := application{ApplicationID: c.cfg.SkillID}
	u := user{UserID: userID(token), AccessToken: token}
	req := request{
		Version: "1.0",
		Session: &sessionJSON{New: isNew, SessionID: sessionID, Application: app, Attributes: attrs, User: u},
		Context: contextJSON{System: system{
			Application: app, User: u,
			Device:      deviceJSON{DeviceID: "amzn1.ask.device.livingroom-sim-echo", SupportedInterfaces: map[string]any{}},
			APIEndpoint: "https://api.amazonalexa.com",
		}},
		Request: body,
	}
	b, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encode custom skill request: %w", err)
	}
	return b, nil
}

func (c *Conversation) slot(v SlotValue) slot {
	s := slot{Name: v.Name, Value: v.Value, ConfirmationStatus: "NONE", Source: "USER"}
	if v.Type == "" || strings.HasPrefix(v.Type, "AMAZON.") {
		return s
	}
	auth := authority{Authority: "amzn1.er-authority.echo-sdk." + c.cfg.SkillID + "." + v.Type}
	if v.Resolved != nil {
		auth.Status.Code = "ER_SUCCESS_MATCH"
		auth.Values = []resolvedValue{{Value: valueJSON{Name: v.Resolved.Name, ID: v.Resolved.ID}}}
	} else {
		auth.Status.Code = "ER_SUCCESS_NO_MATCH"
	}
	s.Resolutions = &resolutions{PerAuthority: []authority{auth}}
	return s
}

// userID is the skill-scoped user id Alexa sends: stable per account.
func userID(token string) string {
	sum := sha256.Sum256([]byte("livingroom-sim-user:" + token))
	return "amzn1.ask.account." + strings.ToUpper(hex.EncodeToString(sum[:20]))
}

// Reply is what the speaker does with the skill's answer.
type Reply struct {
	Speech      string `json:"speech"`         // what is said, as plain text
	SSML        string `json:"ssml,omitempty"` // as the skill wrote it
	Card        *Card  `json:"card,omitempty"`
	SessionOpen bool   `json:"sessionOpen"` // the skill waits for the next turn
}

// Card is the card shown in the Alexa app.
type Card struct {
	Type    string `json:"type"`
	Title   string `json:"title,omitempty"`
	Content string `json:"content,omitempty"`
}

// Answer reads the skill's reply to the last request and keeps or closes
// the session as it says. turn is the turn that was sent.
func (c *Conversation) Answer(t Turn, raw []byte) (Reply, error) {
	var resp responseJSON
	err := json.Unmarshal(raw, &resp)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil || resp.Version == "" {
		c.session = nil
		return Reply{}, fmt.Errorf("%w: %v", ErrBadReply, err)
	}
	if t.Type == SessionEndedRequest || resp.Response.ShouldEndSession == nil || *resp.Response.ShouldEndSession {
		c.session = nil
	} else if c.session != nil {
		if len(resp.SessionAttributes) > maxAttributesBytes {
			c.session = nil
			return Reply{}, fmt.Errorf("%w: session attributes over %d bytes", ErrBadReply, maxAttributesBytes)
		}
		c.session.attributes = nil
		if a := resp.SessionAttributes; len(a) > 0 && string(a) != "null" {
			c.session.attributes = a
		}
		c.session.last = c.cfg.Now()
	}
	r := Reply{SessionOpen: c.session != nil}
	if sp := resp.Response.OutputSpeech; sp != nil {
		r.SSML = sp.SSML
		r.Speech = sp.Text
		if sp.SSML != "" {
			r.Speech = plainSpeech(sp.SSML)
		}
	}
	if cd := resp.Response.Card; cd != nil {
		r.Card = &Card{Type: cd.Type, Title: cd.Title, Content: cd.Content + cd.Text}
	}
	return r, nil
}

// plainSpeech is SSML as heard: tags dropped, entities decoded, spaces
// folded.
func plainSpeech(ssml string) string {
	var b strings.Builder
	in := false
	for _, r := range ssml {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	folded := strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
	return spaceBeforePunct.Replace(folded)
}

// spaceBeforePunct undoes the space a closing tag left before punctuation
// ("<say-as …>1</say-as>," is "1,").
var spaceBeforePunct = strings.NewReplacer(" ,", ",", " .", ".", " ?", "?", " !", "!", " ;", ";", " :", ":")
