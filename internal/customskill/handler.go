// Package customskill answers the Living Room custom skill for Echo
// speakers ("Alexa, ask Living Room what's playing in the bedroom"): it
// decodes a custom skill request (alexa-go's types, extended in wire.go),
// checks the skill id and the bounds, authenticates the linked account the
// way the video skill does, makes the domain calls (devices, viewing
// progress, the catalog) and answers with SSML speech and a simple card.
// Every input gets a valid response, never a Lambda error; domain errors
// become speech through one table (errors.go).
package customskill

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"livingroom/internal/account"
	"livingroom/internal/action"
	"livingroom/internal/catalog"
	"livingroom/internal/device"
	"livingroom/internal/viewing"
)

// Defaults, defined once.
const (
	// DefaultSkillID is the skill's id on the local stack.
	DefaultSkillID = "amzn1.ask.skill.livingroom-dev"
	// DefaultBudget bounds one request, every outbound call included.
	DefaultBudget = time.Second
	// MaxRequestBytes bounds a request: Alexa's are a few kilobytes.
	MaxRequestBytes = 32 << 10
	// maxSlotValue bounds a slot value (a title or a TV's name).
	maxSlotValue = 200
	// maxAttributesBytes bounds the session attributes echoed back to us.
	maxAttributesBytes = 2 << 10
	// maxProgressRead bounds the series "what's new" and "continue
	// watching" look at.
	maxProgressRead = 5
)

// Accounts authenticates a linked account's access token.
type Accounts interface {
	Authenticate(ctx context.Context, token string) (account.Account, error)
}

// Devices lists an account's TVs, reads their last state and sends them
// actions (the same sender the video skill uses).
type Devices interface {
	List(ctx context.Context, accountID string) ([]device.Device, error)
	State(ctx context.Context, accountID, endpointID string) (device.State, error)
	Send(ctx context.Context, d device.Device, a action.Action) (action.Action, error)
}

// Resolver finds what to play in the catalog index.
type Resolver interface {
	ResolvePlay(ctx context.Context, q catalog.Query, progress catalog.ProgressFunc) (catalog.Play, error)
	NextEpisode(ctx context.Context, seriesID string, season, episode int) (catalog.Work, error)
}

// Viewing reads the account's watch progress.
type Viewing interface {
	GetProgress(ctx context.Context, accountID, seriesID string) (viewing.Progress, error)
	ListProgress(ctx context.Context, accountID string, limit int) ([]viewing.Progress, error)
}

// Metrics counts requests for the operations dashboards (CloudWatch EMF in
// the Lambda): name is the intent (or the request type), failure what went
// wrong ("" for none).
type Metrics interface {
	Directive(name, failure string, took time.Duration)
}

// Tagger returns ctx carrying attrs that every log line written under it
// adds (the Lambda's log handler).
type Tagger func(ctx context.Context, attrs ...slog.Attr) context.Context

// Failures counted by Metrics.
const (
	FailureInvalid       = "INVALID_REQUEST"
	FailureOtherSkill    = "OTHER_SKILL"
	FailureUnauthorized  = "NOT_AUTHENTICATED"
	FailureRequest       = "REQUEST_FAILED"
	FailureInternal      = "INTERNAL_ERROR"
	FailureSessionEnded  = "SESSION_ENDED_ERROR"
	metricNameUnknown    = "unknown"
	metricNameNotDecoded = "invalid"
)

// Config wires a Handler. Zero SkillID, SourceID and Budget take defaults.
type Config struct {
	SkillID  string
	SourceID string // key of the partner's ids in catalog queries
	Accounts Accounts
	Devices  Devices
	Content  Resolver
	Viewing  Viewing
	Now      func() time.Time
	Logger   *slog.Logger
	Metrics  Metrics // may be nil
	Tag      Tagger  // may be nil
	Budget   time.Duration
}

// Handler answers custom skill requests.
type Handler struct {
	cfg     Config
	intents map[string]intentFunc
}

// turn is one request being answered.
type turn struct {
	req     *Request
	account account.Account
	state   sessionState
}

type intentFunc func(ctx context.Context, t *turn) (Response, error)

// NewHandler wires a Handler.
func NewHandler(cfg Config) *Handler {
	if cfg.SkillID == "" {
		cfg.SkillID = DefaultSkillID
	}
	if cfg.SourceID == "" {
		cfg.SourceID = "livingroom"
	}
	if cfg.Budget <= 0 {
		cfg.Budget = DefaultBudget
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{cfg: cfg}
	h.intents = map[string]intentFunc{
		IntentWhatsPlaying:    h.whatsPlaying,
		IntentPlayTitle:       h.playTitle,
		IntentPause:           h.control(action.Pause),
		IntentResume:          h.control(action.Resume),
		IntentWhatsNew:        h.whatsNew,
		IntentContinue:        h.continueWatching,
		IntentChooseTV:        h.chooseTV,
		"AMAZON.HelpIntent":   func(context.Context, *turn) (Response, error) { return ask(helpLine(), helpReprompt()), nil },
		"AMAZON.StopIntent":   func(context.Context, *turn) (Response, error) { return tell(say("Goodbye.")), nil },
		"AMAZON.CancelIntent": func(context.Context, *turn) (Response, error) { return tell(say("Okay.")), nil },
	}
	return h
}

// The intents of the interaction model (lambdas/custom-skill/interaction-model.json).
const (
	IntentWhatsPlaying = "WhatsPlayingIntent"
	IntentPlayTitle    = "PlayTitleIntent"
	IntentPause        = "PauseIntent"
	IntentResume       = "ResumeIntent"
	IntentWhatsNew     = "WhatsNewIntent"
	IntentContinue     = "ContinueWatchingIntent"
	IntentChooseTV     = "ChooseTVIntent"
	SlotTV             = "tv"
	SlotTitle          = "title"
)

// Invoke implements lambda.Handler: it always returns a valid response.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Budget)
	defer cancel()
	resp := h.handle(ctx, payload)
	out, err := json.Marshal(resp)
	if err != nil { // cannot happen with these types; answer anyway
		h.cfg.Logger.Error("encode response", "err", err)
		return []byte(`{"version":"1.0","response":{"shouldEndSession":true}}`), nil
	}
	return out, nil
}

func (h *Handler) handle(ctx context.Context, payload []byte) (resp Response) {
	log := h.cfg.Logger
	began := h.cfg.Now()
	name, failure := metricNameNotDecoded, ""
	defer func() {
		if p := recover(); p != nil {
			log.ErrorContext(ctx, "custom skill panic", "panic", fmt.Sprint(p))
			resp, failure = tell(sorry()), FailureInternal
		}
		if h.cfg.Metrics != nil {
			h.cfg.Metrics.Directive(name, failure, h.cfg.Now().Sub(began))
		}
	}()
	if len(payload) > MaxRequestBytes {
		log.WarnContext(ctx, "request over bounds", "bytes", len(payload))
		failure = FailureInvalid
		return tell(sorry())
	}
	var req Request
	if err := json.Unmarshal(payload, &req); err != nil {
		log.WarnContext(ctx, "request not decoded", "err", err)
		failure = FailureInvalid
		return tell(sorry())
	}
	name = h.metricName(&req)
	tags := []slog.Attr{slog.String("requestId", clip(req.Body.RequestID, 100)), slog.String("sessionId", clip(req.Session.SessionID, 100))}
	if h.cfg.Tag != nil {
		ctx = h.cfg.Tag(ctx, tags...)
	}
	log = log.With(tags[0], tags[1])
	if !h.forThisSkill(&req) {
		log.WarnContext(ctx, "request for another skill refused", "session", clip(req.Session.Application.ApplicationID, 100),
			"context", clip(req.Context.System.Application.ApplicationID, 100))
		failure = FailureOtherSkill
		return Response{Version: "1.0", Body: ResponseBody{ResBody: endSession()}}
	}
	log = log.With("type", req.Body.Type, "intent", req.Body.Intent.Name)
	t := &turn{req: &req, state: decodeState(req.Session.Attributes)}
	var route intentFunc
	needsAccount := true
	switch req.Body.Type {
	case "LaunchRequest":
		route = func(context.Context, *turn) (Response, error) {
			return ask(say("Welcome to Living Room. Ask what's playing, say play a title, pause or resume, ask what's new, or continue watching. What would you like?"), helpReprompt()), nil
		}
	case "IntentRequest":
		switch req.Body.Intent.Name {
		case "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent":
			needsAccount = false
			route = h.intents[req.Body.Intent.Name]
		default:
			route = h.intents[req.Body.Intent.Name]
			if route == nil { // AMAZON.FallbackIntent and anything unknown
				needsAccount = false
				route = func(context.Context, *turn) (Response, error) {
					return ask(say("Sorry, Living Room can't help with that. You can ask what's playing, or say play a title on a TV."), helpReprompt()), nil
				}
			}
		}
	case "SessionEndedRequest":
		if e := req.Body.Error; e != nil {
			log.WarnContext(ctx, "session ended with an error", "reason", clip(req.Body.Reason, 50), "errorType", clip(e.Type, 100), "errorMessage", clip(e.Message, 300))
			failure = FailureSessionEnded
		} else {
			log.InfoContext(ctx, "session ended", "reason", clip(req.Body.Reason, 50))
		}
		return Response{Version: "1.0", Body: ResponseBody{ResBody: endSession()}}
	default:
		log.InfoContext(ctx, "request type not handled")
		return Response{Version: "1.0", Body: ResponseBody{ResBody: endSession()}}
	}
	if needsAccount {
		token := req.Session.User.AccessToken
		if token == "" {
			token = req.Context.System.User.AccessToken
		}
		a, err := h.cfg.Accounts.Authenticate(ctx, token)
		if err != nil {
			log.InfoContext(ctx, "not authenticated", "err", err)
			failure = FailureUnauthorized
			return errorResponse(err)
		}
		t.account = a
		log = log.With("account", a.ID)
	}
	resp, err := route(ctx, t)
	if err != nil {
		log.InfoContext(ctx, "request failed", "err", err)
		failure = FailureRequest
		return errorResponse(err)
	}
	return resp
}

// metricName names a request for the metrics from a bounded set: the
// interaction model's intents and the request types.
func (h *Handler) metricName(req *Request) string {
	switch req.Body.Type {
	case "IntentRequest":
		n := req.Body.Intent.Name
		if _, ok := h.intents[n]; ok || n == "AMAZON.FallbackIntent" {
			return n
		}
		return metricNameUnknown
	case "LaunchRequest", "SessionEndedRequest":
		return req.Body.Type
	}
	return metricNameUnknown
}

// forThisSkill checks every application id the request carries: at least
// one, all equal to the skill's.
func (h *Handler) forThisSkill(req *Request) bool {
	ids := []string{req.Session.Application.ApplicationID, req.Context.System.Application.ApplicationID}
	seen := false
	for _, id := range ids {
		if id == "" {
			continue
		}
		if id != h.cfg.SkillID {
			return false
		}
		seen = true
	}
	return seen
}

// slot returns a bounded slot value ("" when absent) and its resolved id.
func (t *turn) slot(name string) (value, id string) {
	s, ok := t.req.Body.Intent.Slots[name]
	if !ok {
		return "", ""
	}
	if len(s.Value) > maxSlotValue {
		return "", ""
	}
	id = s.resolvedID()
	if len(id) > maxSlotValue {
		id = ""
	}
	return s.Value, id
}

// sessionState is what the skill keeps between turns of one session: the
// request waiting for the user to say which TV.
type sessionState struct {
	Pending *pending `json:"pending,omitempty"`
}

type pending struct {
	Intent  string `json:"intent"`
	Title   string `json:"title,omitempty"`
	TitleID string `json:"titleId,omitempty"`
}

// decodeState reads the session attributes we sent, distrusting them: a
// bad or oversized document, or an intent that never waits, is no state.
func decodeState(raw json.RawMessage) sessionState {
	var s sessionState
	if len(raw) == 0 || len(raw) > maxAttributesBytes || json.Unmarshal(raw, &s) != nil || s.Pending == nil {
		return sessionState{}
	}
	p := s.Pending
	switch p.Intent {
	case IntentWhatsPlaying, IntentPlayTitle, IntentPause, IntentResume, IntentContinue:
	default:
		return sessionState{}
	}
	if len(p.Title) > maxSlotValue || len(p.TitleID) > maxSlotValue {
		return sessionState{}
	}
	return s
}

func (s sessionState) attributes() map[string]any {
	if s.Pending == nil {
		return nil
	}
	return map[string]any{"pending": s.Pending}
}

func endSession() (b alexaResBody) { b.ShouldEndSession = true; return b }

// tell answers and ends the session, with the same words on a card.
func tell(l *line) Response {
	return Response{Version: "1.0", Body: ResponseBody{ResBody: endSession(), OutputSpeech: l.speech(),
		Card: &Card{Type: "Simple", Title: "Living Room", Content: l.String()}}}
}

// ask answers and keeps the session open for the user's reply.
func ask(l, reprompt *line) Response {
	return Response{Version: "1.0", Body: ResponseBody{OutputSpeech: l.speech(),
		Card: &Card{Type: "Simple", Title: "Living Room", Content: l.String()}, Reprompt: &Reprompt{OutputSpeech: *reprompt.speech()}}}
}

func helpLine() *line {
	return say("With Living Room you can say: what's playing on the bedroom TV; play a title on the living room TV; pause or resume a TV; what's new; or continue watching. What would you like?")
}

func helpReprompt() *line { return say("What would you like to do?") }

func sorry() *line { return say("Sorry, something went wrong. Please try again.") }
