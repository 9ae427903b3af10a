// Package skill answers Alexa Video Skill API directives: it decodes a
// directive, checks it against the input bounds, makes one domain call per
// directive type, and encodes the Alexa reply. Domain errors become Alexa
// errors through one table (errors.go). Every input gets a valid Alexa
// message back, inside one time budget, and a directive Alexa sends again
// gets the same reply without acting twice.
package skill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"livingroom/internal/account"
	"livingroom/internal/action"
	"livingroom/internal/catalog"
	"livingroom/internal/device"
	"livingroom/internal/idempotency"
	"livingroom/internal/viewing"
	"livingroom/internal/vsk"
)

// DefaultBudget is how long one directive may take, all outbound calls
// included. Alexa allows about 8 s; a voice command that takes more than a
// second has failed the user anyway, and a quick ErrorResponse lets Alexa
// say so.
const DefaultBudget = 800 * time.Millisecond

// Accounts finds the account behind an access token, or by id.
type Accounts interface {
	Authenticate(ctx context.Context, token string) (account.Account, error)
	Get(ctx context.Context, id string) (account.Account, error)
}

// Devices finds devices, reads what they reported and sends them actions.
type Devices interface {
	Find(ctx context.Context, accountID, endpointID string) (device.Device, error)
	FindWithState(ctx context.Context, accountID, endpointID string) (device.Device, *device.State, error)
	// Cached returns the device when a recent read is still fresh (no I/O).
	Cached(accountID, endpointID string) (device.Device, bool)
	FindByRegistration(ctx context.Context, registrationID string) (device.Device, error)
	List(ctx context.Context, accountID string) ([]device.Device, error)
	State(ctx context.Context, accountID, endpointID string) (device.State, error)
	Send(ctx context.Context, d device.Device, a action.Action) (action.Action, error)
}

// Resolver finds content and channels.
type Resolver interface {
	ResolvePlay(ctx context.Context, q catalog.Query, progress catalog.ProgressFunc) (catalog.Play, error)
	NextEpisode(ctx context.Context, seriesID string, season, episode int) (catalog.Work, error)
	PreviousEpisode(ctx context.Context, seriesID string, season, episode int) (catalog.Work, error)
	Search(ctx context.Context, q catalog.SearchQuery, limit int) ([]catalog.Work, error)
	Channel(ctx context.Context, q catalog.ChannelQuery) (catalog.Channel, error)
	SkipChannels(ctx context.Context, fromID string, count int) (catalog.Channel, error)
	ChannelOfGenre(ctx context.Context, genre string) (catalog.Channel, error)
}

// Viewing keeps the account's watch progress and recordings.
type Viewing interface {
	GetProgress(ctx context.Context, accountID, seriesID string) (viewing.Progress, error)
	AddRecording(ctx context.Context, accountID string, r viewing.Recording) error
	DeleteRecording(ctx context.Context, accountID, id string) error
}

// Replies remembers replies by directive (see package idempotency).
type Replies interface {
	Claim(ctx context.Context, key string, now, expires time.Time) (claimed bool, reply []byte, err error)
	Save(ctx context.Context, key string, reply []byte, expires time.Time) error
	Release(ctx context.Context, key string) error
}

// Metrics counts directives for the operations dashboards (CloudWatch
// EMF in the Lambda): name is Namespace.Name, alexaError the error type the
// reply carries ("" for none).
type Metrics interface {
	Directive(name, alexaError string, took time.Duration)
}

// Tagger returns ctx carrying attrs that every log line written under it
// adds, in the Lambda's log handler (so lines of the services a directive
// calls carry its messageId and correlation token too).
type Tagger func(ctx context.Context, attrs ...slog.Attr) context.Context

// Config wires a Handler. Replies may be nil (no idempotency); the zero
// Budget and ReplyTTL take the defaults.
type Config struct {
	Accounts Accounts
	Devices  Devices
	Content  Resolver
	Replies  Replies
	Viewing  Viewing
	Grants   Grants           // may be nil: AcceptGrant then fails
	NewID    func() string    // message ids (UUIDs in production)
	Now      func() time.Time // the clock
	Logger   *slog.Logger
	Metrics  Metrics // may be nil
	Tag      Tagger  // may be nil
	Budget   time.Duration
	ReplyTTL time.Duration
}

// Handler handles directives.
type Handler struct {
	cfg    Config
	routes map[string]route
}

// route answers one directive type; it returns the reply or an error that
// the error table maps to an Alexa error.
type route func(ctx context.Context, d vsk.Directive) (vsk.Message, error)

// NewHandler wires a Handler.
func NewHandler(cfg Config) *Handler {
	if cfg.Budget <= 0 {
		cfg.Budget = DefaultBudget
	}
	if cfg.ReplyTTL <= 0 {
		cfg.ReplyTTL = idempotency.DefaultTTL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	clock := timer{now: cfg.Now}
	cfg.Accounts = timedAccounts{cfg.Accounts, clock}
	cfg.Devices = timedDevices{cfg.Devices, clock}
	cfg.Content = timedResolver{cfg.Content, clock}
	if cfg.Viewing != nil {
		cfg.Viewing = timedViewing{cfg.Viewing, clock}
	}
	if cfg.Replies != nil {
		cfg.Replies = timedReplies{cfg.Replies, clock}
	}
	// Side effects wait for the idempotency claim, which runs beside the
	// reads (see handle).
	cfg.Devices = gatedDevices{cfg.Devices}
	if cfg.Viewing != nil {
		cfg.Viewing = gatedViewing{cfg.Viewing}
	}
	if cfg.Grants != nil {
		cfg.Grants = gatedGrants{cfg.Grants}
	}
	h := &Handler{cfg: cfg}
	h.routes = map[string]route{
		"Alexa.RemoteVideoPlayer.SearchAndPlay":           h.searchAndPlay,
		"Alexa.PlaybackController.Play":                   h.playback(action.Resume),
		"Alexa.PlaybackController.Pause":                  h.playback(action.Pause),
		"Alexa.PlaybackController.Stop":                   h.playback(action.Stop),
		"Alexa.PlaybackController.Resume":                 h.playback(action.Resume),
		"Alexa.PlaybackController.StartOver":              h.playback(action.StartOver),
		"Alexa.PlaybackController.Next":                   h.episodeStep(+1),
		"Alexa.PlaybackController.Previous":               h.episodeStep(-1),
		"Alexa.PlaybackController.FastForward":            h.fixedSeek(+SeekStepMs),
		"Alexa.PlaybackController.Rewind":                 h.fixedSeek(-SeekStepMs),
		"Alexa.SeekController.AdjustSeekPosition":         h.adjustSeek,
		"Alexa.Launcher.LaunchTarget":                     h.launch,
		"Alexa.KeypadController.SendKeystroke":            h.keystroke,
		"Alexa.PowerController.TurnOn":                    h.power(action.PowerOn),
		"Alexa.PowerController.TurnOff":                   h.power(action.PowerOff),
		"Alexa.Discovery.Discover":                        h.discover,
		"Alexa.Authorization.AcceptGrant":                 h.acceptGrant,
		"Alexa.RemoteVideoPlayer.SearchAndDisplayResults": h.searchAndDisplay,
		"Alexa.ChannelController.ChangeChannel":           h.changeChannel,
		"Alexa.ChannelController.SkipChannels":            h.skipChannels,
		"Alexa.RecordController.StartRecording":           h.startRecording,
		"Alexa.RecordController.StopRecording":            h.stopRecording,
		"Alexa.VideoRecorder.SearchAndRecord":             h.searchAndRecord,
		"Alexa.VideoRecorder.CancelRecording":             h.cancelRecording,
		"Alexa.VideoRecorder.DeleteRecording":             h.cancelRecording,
		"Alexa.ReportState":                               h.reportState,
		"Alexa.Speaker.SetVolume":                         h.setVolume,
		"Alexa.Speaker.AdjustVolume":                      h.adjustVolume(false),
		"Alexa.Speaker.SetMute":                           h.setMute(false),
		"Alexa.StepSpeaker.AdjustVolume":                  h.adjustVolume(true),
		"Alexa.StepSpeaker.SetMute":                       h.setMute(true),
		"Alexa.InputController.SelectInput":               h.selectInput,
	}
	return h
}

// Directives lists the directives the handler answers, as
// "<namespace>.<name>", sorted.
func (h *Handler) Directives() []string {
	out := make([]string, 0, len(h.routes))
	for name := range h.routes {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// readOnly lists directives that change nothing, so need no idempotency.
var readOnly = map[string]bool{
	"Alexa.ReportState":        true,
	"Alexa.Discovery.Discover": true,
}

// Handle answers one raw directive. It never returns an error or a nil
// message: bad input, unknown directives, failures and panics all become
// Alexa error responses.
func (h *Handler) Handle(ctx context.Context, raw json.RawMessage) (vsk.Message, error) {
	msg, _ := h.handle(ctx, raw)
	return msg, nil
}

// Invoke implements the Lambda runtime's raw handler interface, so that even
// a payload that is not JSON gets an Alexa error response instead of a
// Lambda error. A replayed directive gets the stored bytes.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	_, out := h.handle(ctx, payload)
	return out, nil
}

// handle runs one directive inside the budget: the work (and every call it
// makes) gets three quarters of it, saving the reply the rest.
func (h *Handler) handle(ctx context.Context, raw []byte) (_ vsk.Message, _ []byte) {
	end := timer{h.cfg.Now}.start(ctx, "handle")
	defer end(nil)
	began := h.cfg.Now()
	name, failure := "invalid", ""
	if h.cfg.Metrics != nil {
		defer func() {
			if _, known := h.routes[name]; !known {
				name = "unsupported" // bounded dimension values
			}
			h.cfg.Metrics.Directive(name, failure, h.cfg.Now().Sub(began))
		}()
	}
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Budget)
	defer cancel()
	workCtx, cancelWork := context.WithTimeout(ctx, h.cfg.Budget*3/4)
	defer cancelWork()

	var req vsk.Request
	if err := json.Unmarshal(raw, &req); err != nil || req.Directive.Header.Namespace == "" {
		h.cfg.Logger.InfoContext(ctx, "not a directive", "bytes", len(raw))
		failure = vsk.ErrorInvalidDirective
		return h.encode(h.errorReply(vsk.Directive{}, vsk.ErrorInvalidDirective))
	}
	d := req.Directive
	if err := checkEnvelope(&d); err != nil {
		e := alexaError(err)
		h.cfg.Logger.InfoContext(ctx, "directive refused", "alexaError", e.Type, "err", err,
			"messageId", clip(d.Header.MessageID), "correlationToken", clip(d.Header.CorrelationToken))
		failure = e.Type
		return h.encode(h.errorReply(d, e.Type, e.Namespace))
	}
	name = d.Header.Namespace + "." + d.Header.Name
	tags := []slog.Attr{slog.String("messageId", clip(d.Header.MessageID)), slog.String("correlationToken", clip(d.Header.CorrelationToken))}
	if h.cfg.Tag != nil {
		ctx = h.cfg.Tag(ctx, tags...)
		workCtx = h.cfg.Tag(workCtx, tags...)
	}
	log := h.cfg.Logger.With(slog.String("directive", name), tags[0], tags[1])

	// The claim runs once the send to the TV is out (or the directive is
	// done, or another side effect needs it): the send is named by the
	// directive, so device messaging drops a second copy's, and every other
	// side effect waits for the claim (gated* in memo.go).
	key := ""
	var claim *claimRun
	if !readOnly[name] && h.cfg.Replies != nil {
		key = replayKey(d)
		claim = newClaimRun()
		go func() {
			defer close(claim.done)
			select {
			case <-claim.begin:
			case <-workCtx.Done():
			}
			claim.stored, claim.claimed, claim.err = h.claim(workCtx, key)
		}()
	}
	msg, failed := h.run(withMemo(workCtx, claim, key), d, name, log)
	failure = failed
	if claim != nil {
		claim.start()
		<-claim.done // claim's own context bounds it
		switch {
		case claim.err != nil:
			log.ErrorContext(ctx, "idempotency claim failed", "err", claim.err)
			failure = vsk.ErrorInternal
			return h.encode(h.errorReply(d, vsk.ErrorInternal))
		case !claim.claimed:
			log.InfoContext(ctx, "directive replayed")
			var stored vsk.Message
			_ = json.Unmarshal(claim.stored, &stored)
			return stored, claim.stored
		}
	}
	msg, out := h.encode(msg)
	if claim != nil {
		if failure == vsk.ErrorInternal {
			// An internal error may be passing (a dependency that hung):
			// let Alexa's retry try again.
			if err := h.cfg.Replies.Release(ctx, key); err != nil {
				log.ErrorContext(ctx, "idempotency release failed", "err", err)
			}
		} else if err := h.cfg.Replies.Save(ctx, key, out, h.cfg.Now().Add(h.cfg.ReplyTTL)); err != nil {
			log.ErrorContext(ctx, "idempotency save failed", "err", err)
		}
	}
	return msg, out
}

// claim takes the directive's key. When another copy holds it, it waits
// (inside the budget) for that copy's reply; if that copy releases the key,
// this one takes it over.
func (h *Handler) claim(ctx context.Context, key string) ([]byte, bool, error) {
	if h.cfg.Replies == nil || key == "" {
		return nil, true, nil
	}
	const poll = 20 * time.Millisecond
	for {
		now := h.cfg.Now()
		claimed, stored, err := h.cfg.Replies.Claim(ctx, key, now, now.Add(h.cfg.ReplyTTL))
		if err != nil {
			return nil, false, err
		}
		if claimed {
			return nil, true, nil
		}
		if stored != nil {
			return stored, false, nil
		}
		select {
		case <-ctx.Done():
			return nil, false, fmt.Errorf("waiting for the first copy of the directive: %w", idempotency.ErrInFlight)
		case <-time.After(poll):
		}
	}
}

// run routes a directive and turns errors and panics into an ErrorResponse.
// It returns the Alexa error type when the reply is an error.
func (h *Handler) run(ctx context.Context, d vsk.Directive, name string, log *slog.Logger) (msg vsk.Message, failure string) {
	defer func() {
		if p := recover(); p != nil {
			log.ErrorContext(ctx, "directive handler panicked", "panic", fmt.Sprint(p))
			msg, failure = h.errorReply(d, vsk.ErrorInternal), vsk.ErrorInternal
		}
	}()
	r, ok := h.routes[name]
	if !ok {
		log.InfoContext(ctx, "directive not supported")
		return h.errorReply(d, vsk.ErrorInvalidDirective), vsk.ErrorInvalidDirective
	}
	start := h.cfg.Now()
	msg, err := r(ctx, d)
	took := h.cfg.Now().Sub(start)
	if err != nil {
		e := alexaError(err)
		level := slog.LevelInfo
		if e.Type == vsk.ErrorInternal {
			level = slog.LevelError
		}
		if errors.Is(err, errNotClaimed) {
			level = slog.LevelInfo // a replay or a failed claim; handle answers
		}
		log.Log(ctx, level, "directive failed", "alexaError", e.Type, "took", took, "err", err)
		e.Message = publicMessage(e.Type)
		return vsk.ErrorResponse(d, h.cfg.NewID(), e), e.Type
	}
	log.InfoContext(ctx, "directive handled", "took", took)
	return msg, ""
}

// errorReply builds an ErrorResponse with the fixed text of its type.
func (h *Handler) errorReply(d vsk.Directive, errType string, namespace ...string) vsk.Message {
	ns := vsk.NamespaceAlexa
	if len(namespace) > 0 && namespace[0] != "" {
		ns = namespace[0]
	}
	return vsk.ErrorResponse(d, h.cfg.NewID(), vsk.Error{Namespace: ns, Type: errType, Message: publicMessage(errType)})
}

// respond builds an Alexa.Response.
func (h *Handler) respond(d vsk.Directive, props *vsk.Context) vsk.Message {
	return vsk.Response(d, h.cfg.NewID(), props)
}

func (h *Handler) encode(msg vsk.Message) (vsk.Message, []byte) {
	out, err := json.Marshal(msg)
	if err != nil {
		// Only an unencodable property value could get here; the reply
		// must still be an Alexa message.
		msg = h.errorReply(vsk.Directive{}, vsk.ErrorInternal)
		out, _ = json.Marshal(msg)
	}
	return msg, out
}

// replayKey names a directive for idempotency: its message id, the
// credential and the endpoint it acts on.
func replayKey(d vsk.Directive) string {
	parts := []string{d.Header.Namespace, d.Header.Name}
	if d.Endpoint == nil {
		// AcceptGrant and Discover carry their credential in the payload.
		parts = append(parts, string(d.Payload))
	}
	if e := d.Endpoint; e != nil {
		parts = append(parts, e.EndpointID, e.Cookie[cookieRegistration])
		if e.Scope != nil {
			parts = append(parts, e.Scope.Type, e.Scope.Token, e.Scope.DirectedUserID)
		}
	}
	return idempotency.Key(d.Header.MessageID, parts...)
}

// clip shortens a logged value; inputs are bounded but logs stay small.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// errInvalidValue marks a directive whose values are out of bounds.
var errInvalidValue = errors.New("invalid value")
