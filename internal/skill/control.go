package skill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"livingroom/internal/action"
	"livingroom/internal/catalog"
	"livingroom/internal/device"
	"livingroom/internal/vsk"
)

// SeekStepMs is how far FastForward and Rewind move: Fire TV's fixed jump.
const SeekStepMs = 10_000

// maxSeekDeltaMs is the range of AdjustSeekPosition (±24 h, as Alexa sends).
const maxSeekDeltaMs = 86_400_000

// healthyWithin is how recent a state report must be for EndpointHealth to
// say OK: the TV reports at least every minute.
const healthyWithin = 2 * time.Minute

// errPoweredOff marks a directive for a TV that reported itself off.
var errPoweredOff = fmt.Errorf("TV is off: %w", device.ErrUnreachable)

// targetOn finds the target device and refuses it if it reported itself
// off: a TV that is off ignores everything but TurnOn.
func (h *Handler) targetOn(ctx context.Context, d vsk.Directive) (device.Device, *device.State, error) {
	acct, dev, err := h.target(ctx, d)
	if err != nil {
		return device.Device{}, nil, err
	}
	st, err := h.state(ctx, acct.ID, dev.EndpointID)
	switch {
	case errors.Is(err, device.ErrNoState):
		return dev, nil, nil
	case err != nil:
		return device.Device{}, nil, err
	case st.Power == device.PowerOff:
		return device.Device{}, nil, errPoweredOff
	}
	return dev, &st, nil
}

// playback sends a playback command without waiting for the TV's state:
// the state, when not read with the device, is read after the send and only
// decides the answer (a TV that is off ignores the command, and Alexa hears
// that it is off).
func (h *Handler) playback(t action.Type) route {
	return func(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
		acct, dev, err := h.target(ctx, d)
		if err != nil {
			return vsk.Message{}, err
		}
		poweredOff := func(r *stateRead) bool { return r.err == nil && r.st.Power == device.PowerOff }
		st, known := h.knownState(ctx, acct.ID, dev.EndpointID)
		if known && poweredOff(st) {
			return vsk.Message{}, errPoweredOff // read with the device
		}
		_, sendErr := h.cfg.Devices.Send(ctx, dev, action.Action{Type: t})
		if !known {
			// After the send, so that the read does not take the two
			// cores from the command on its way to the TV. A state that
			// cannot be read does not undo a command the TV took.
			st = h.startState(ctx, acct.ID, dev.EndpointID)
			select {
			case <-st.done:
			case <-ctx.Done():
				return vsk.Message{}, ctx.Err()
			}
			if poweredOff(st) {
				return vsk.Message{}, errPoweredOff
			}
		}
		if sendErr != nil {
			return vsk.Message{}, sendErr
		}
		return h.respond(d, nil), nil
	}
}

// episodeStep plays the next (+1) or previous (-1) episode of the series on
// the TV, as its last state report names it.
func (h *Handler) episodeStep(step int) route {
	return func(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
		dev, st, err := h.targetOn(ctx, d)
		if err != nil {
			return vsk.Message{}, err
		}
		if st == nil || st.Content == nil || st.Content.SeriesID == "" {
			return vsk.Message{}, fmt.Errorf("%s: nothing of a series is playing: %w", d.Header.Name, errNotInMode)
		}
		c := st.Content
		var w catalog.Work
		if step > 0 {
			w, err = h.cfg.Content.NextEpisode(ctx, c.SeriesID, c.Season, c.Episode)
		} else {
			w, err = h.cfg.Content.PreviousEpisode(ctx, c.SeriesID, c.Season, c.Episode)
		}
		if err != nil {
			return vsk.Message{}, err
		}
		if _, err := h.cfg.Devices.Send(ctx, dev, playAction(w, 0)); err != nil {
			return vsk.Message{}, err
		}
		return h.respond(d, nil), nil
	}
}

func playAction(w catalog.Work, positionMs int64) action.Action {
	return action.Action{Type: action.PlayContent, PositionMs: positionMs, Content: &action.Content{
		ID: w.ID, Title: w.Title, SeriesID: w.SeriesID, SeriesTitle: w.SeriesTitle,
		Season: w.Season, Episode: w.Episode, DurationMs: int64(w.RuntimeMinutes) * 60_000,
	}}
}

func (h *Handler) fixedSeek(deltaMs int64) route {
	return func(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
		dev, _, err := h.targetOn(ctx, d)
		if err != nil {
			return vsk.Message{}, err
		}
		if _, err := h.cfg.Devices.Send(ctx, dev, action.Action{Type: action.Seek, DeltaMs: deltaMs}); err != nil {
			return vsk.Message{}, err
		}
		return h.respond(d, nil), nil
	}
}

// adjustSeek moves the position and answers with the resulting position,
// estimated from the TV's last report and clamped to the content, in the
// SeekController StateReport form the official schema validates.
func (h *Handler) adjustSeek(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
	var p struct {
		Delta *int64 `json:"deltaPositionMilliseconds"`
	}
	if err := json.Unmarshal(d.Payload, &p); err != nil || p.Delta == nil {
		return vsk.Message{}, fmt.Errorf("AdjustSeekPosition without deltaPositionMilliseconds: %w", errInvalidDirective)
	}
	if *p.Delta < -maxSeekDeltaMs || *p.Delta > maxSeekDeltaMs {
		return vsk.Message{}, fmt.Errorf("seek delta out of range: %w", errInvalidValue)
	}
	dev, st, err := h.targetOn(ctx, d)
	if err != nil {
		return vsk.Message{}, err
	}
	if _, err := h.cfg.Devices.Send(ctx, dev, action.Action{Type: action.Seek, DeltaMs: *p.Delta}); err != nil {
		return vsk.Message{}, err
	}
	var position int64
	if st != nil {
		position = st.PositionAt(h.cfg.Now()) + *p.Delta
		if st.DurationMs > 0 {
			position = min(position, st.DurationMs)
		}
	}
	position = min(max(position, 0), maxSeekDeltaMs)
	payload := map[string]any{"properties": []map[string]any{{"name": "positionMilliseconds", "value": position}}}
	return vsk.Reply(d, "Alexa.SeekController", "StateReport", h.cfg.NewID(), payload, nil), nil
}

// launchTargets maps Alexa's shortcut identifiers to the TV's screens.
var launchTargets = map[string]action.Target{
	"amzn1.alexa-ask-target.shortcut.33122": action.TargetHome,
	"amzn1.alexa-ask-target.shortcut.07395": action.TargetSettings,
	"amzn1.alexa-ask-target.shortcut.68228": action.TargetGuide,
	"amzn1.alexa-ask-target.shortcut.52304": action.TargetRecordings,
	"amzn1.alexa-ask-target.shortcut.69247": action.TargetRecordings, // DVR
	"amzn1.alexa-ask-target.shortcut.95950": action.TargetHome,       // On Demand
	"amzn1.alexa-ask-target.shortcut.83028": action.TargetHome,       // Featured
}

// launchByName is the fallback for targets named rather than identified.
var launchByName = map[string]action.Target{
	"home": action.TargetHome, "settings": action.TargetSettings, "search": action.TargetSearch,
	"guide": action.TargetGuide, "recordings": action.TargetRecordings, "dvr": action.TargetRecordings,
}

func (h *Handler) launch(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
	var p struct {
		Identifier string `json:"identifier"`
		Name       string `json:"name"`
	}
	if err := json.Unmarshal(d.Payload, &p); err != nil || p.Identifier == "" {
		return vsk.Message{}, fmt.Errorf("LaunchTarget without identifier: %w", errInvalidDirective)
	}
	if !printable(p.Identifier, maxHeaderField) || len(p.Name) > maxTitleBytes {
		return vsk.Message{}, fmt.Errorf("LaunchTarget values over bounds: %w", errInvalidValue)
	}
	target, ok := launchTargets[p.Identifier]
	if !ok {
		target, ok = launchByName[strings.ToLower(strings.TrimSpace(p.Name))]
	}
	if !ok {
		return vsk.Message{}, fmt.Errorf("LaunchTarget: unknown target: %w", errInvalidValue)
	}
	dev, _, err := h.targetOn(ctx, d)
	if err != nil {
		return vsk.Message{}, err
	}
	if _, err := h.cfg.Devices.Send(ctx, dev, action.Action{Type: action.Launch, Target: target}); err != nil {
		return vsk.Message{}, err
	}
	name := p.Name
	if name == "" {
		name = string(target)
	}
	return h.respond(d, h.properties(vsk.Property{Namespace: "Alexa.Launcher", Name: "target",
		Value: map[string]string{"identifier": p.Identifier, "name": name}})), nil
}

// keys are the keystrokes the TV handles (Alexa's KeypadController set;
// MORE is accepted and means INFO).
var keys = map[string]action.Key{
	"UP": action.KeyUp, "DOWN": action.KeyDown, "LEFT": action.KeyLeft, "RIGHT": action.KeyRight,
	"SELECT": action.KeySelect, "BACK": action.KeyBack, "INFO": action.KeyInfo, "MORE": action.KeyInfo,
	"PAGE_UP": action.KeyPageUp, "PAGE_DOWN": action.KeyPageDown, "PAGE_LEFT": action.KeyPageLeft, "PAGE_RIGHT": action.KeyPageRight,
}

func (h *Handler) keystroke(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
	var p struct {
		Keystroke string `json:"keystroke"`
	}
	if err := json.Unmarshal(d.Payload, &p); err != nil || p.Keystroke == "" {
		return vsk.Message{}, fmt.Errorf("SendKeystroke without keystroke: %w", errInvalidDirective)
	}
	key, ok := keys[p.Keystroke]
	if !ok {
		return vsk.Message{}, fmt.Errorf("SendKeystroke: unknown key: %w", errInvalidValue)
	}
	dev, _, err := h.targetOn(ctx, d)
	if err != nil {
		return vsk.Message{}, err
	}
	if _, err := h.cfg.Devices.Send(ctx, dev, action.Action{Type: action.Keystroke, Key: key}); err != nil {
		return vsk.Message{}, err
	}
	return h.respond(d, nil), nil
}

// power turns the TV on or off. TurnOn goes through whatever the TV last
// reported; both answer with the new powerState.
func (h *Handler) power(p action.Power) route {
	return func(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
		_, dev, err := h.target(ctx, d)
		if err != nil {
			return vsk.Message{}, err
		}
		if _, err := h.cfg.Devices.Send(ctx, dev, action.Action{Type: action.PowerSet, Power: p}); err != nil {
			return vsk.Message{}, err
		}
		return h.respond(d, h.properties(vsk.Property{Namespace: "Alexa.PowerController", Name: "powerState", Value: string(p)})), nil
	}
}

// discover lists the account's TVs with the interfaces the skill answers.
func (h *Handler) discover(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
	var p vsk.ScopePayload
	if err := json.Unmarshal(d.Payload, &p); err != nil || p.Scope.Type != vsk.ScopeBearerToken {
		return vsk.Message{}, fmt.Errorf("Discover without a bearer token scope: %w", errInvalidDirective)
	}
	if !printable(p.Scope.Token, maxTokenLen) {
		return vsk.Message{}, fmt.Errorf("Discover token over bounds: %w", errInvalidCredential)
	}
	acct, err := h.cfg.Accounts.Authenticate(ctx, p.Scope.Token)
	if err != nil {
		return vsk.Message{}, err
	}
	devs, err := h.cfg.Devices.List(ctx, acct.ID)
	if err != nil {
		return vsk.Message{}, err
	}
	const maxEndpoints = 300 // Alexa's limit per Discover.Response
	endpoints := make([]vsk.DiscoveryEndpoint, 0, min(len(devs), maxEndpoints))
	for _, dev := range devs[:min(len(devs), maxEndpoints)] {
		name := dev.FriendlyName
		if name == "" {
			name = "TV"
		}
		endpoints = append(endpoints, vsk.DiscoveryEndpoint{
			EndpointID: dev.EndpointID, ManufacturerName: manufacturer, FriendlyName: name,
			Description: "Living Room streaming app", DisplayCategories: []string{"TV"},
			Cookie:       map[string]string{cookieRegistration: dev.RegistrationID},
			Capabilities: Capabilities(),
		})
	}
	return vsk.DiscoverResponse(h.cfg.NewID(), endpoints), nil
}

// manufacturer names the partner in Discovery.
const manufacturer = "Living Room"

// Capabilities are the interfaces a TV endpoint advertises: exactly what
// the skill answers. Retrievable properties come from the TV's state
// reports.
func Capabilities() []vsk.Capability {
	prop := func(name string, retrievable bool) *vsk.CapabilityProperty {
		return &vsk.CapabilityProperty{Supported: []vsk.PropertyName{{Name: name}}, Retrievable: retrievable}
	}
	// Power and playback changes are sent as ChangeReports once the
	// account granted events (AcceptGrant).
	reported := func(name string) *vsk.CapabilityProperty {
		return &vsk.CapabilityProperty{Supported: []vsk.PropertyName{{Name: name}}, ProactivelyReported: true, Retrievable: true}
	}
	return []vsk.Capability{
		{Type: "AlexaInterface", Interface: "Alexa", Version: "3"},
		{Type: "AlexaInterface", Interface: "Alexa.RemoteVideoPlayer", Version: "3"},
		{Type: "AlexaInterface", Interface: "Alexa.PlaybackController", Version: "3",
			SupportedOperations: []string{"Play", "Pause", "Stop", "Resume", "StartOver", "Previous", "Next", "Rewind", "FastForward"}},
		{Type: "AlexaInterface", Interface: "Alexa.SeekController", Version: "3"},
		{Type: "AlexaInterface", Interface: "Alexa.ChannelController", Version: "3", Properties: prop("channel", false)},
		{Type: "AlexaInterface", Interface: "Alexa.RecordController", Version: "3", Properties: prop("RecordingState", false)},
		{Type: "AlexaInterface", Interface: "Alexa.KeypadController", Version: "3",
			Keys: []string{"UP", "DOWN", "LEFT", "RIGHT", "SELECT", "BACK", "INFO", "MORE", "PAGE_UP", "PAGE_DOWN", "PAGE_LEFT", "PAGE_RIGHT"}},
		{Type: "AlexaInterface", Interface: "Alexa.Launcher", Version: "3"},
		{Type: "AlexaInterface", Interface: "Alexa.PowerController", Version: "3", Properties: reported("powerState")},
		{Type: "AlexaInterface", Interface: "Alexa.PlaybackStateReporter", Version: "3", Properties: reported("playbackState")},
		{Type: "AlexaInterface", Interface: "Alexa.EndpointHealth", Version: "3", Properties: prop("connectivity", true)},
		// Volume and mute as the TV last reported them. StepSpeaker
		// directives are answered too, but a TV advertises one of the two.
		{Type: "AlexaInterface", Interface: "Alexa.Speaker", Version: "3",
			Properties: &vsk.CapabilityProperty{Supported: []vsk.PropertyName{{Name: "volume"}, {Name: "muted"}}, Retrievable: true}},
		{Type: "AlexaInterface", Interface: "Alexa.InputController", Version: "3", Properties: prop("input", true), Inputs: inputs()},
	}
}

// reportState answers ReportState from the TV's last state report.
func (h *Handler) reportState(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
	acct, dev, err := h.target(ctx, d)
	if err != nil {
		return vsk.Message{}, err
	}
	now := h.cfg.Now()
	st, err := h.state(ctx, acct.ID, dev.EndpointID)
	if errors.Is(err, device.ErrNoState) {
		return vsk.Reply(d, vsk.NamespaceAlexa, "StateReport", h.cfg.NewID(), nil,
			h.propertiesAt(now, vsk.Property{Namespace: "Alexa.EndpointHealth", Name: "connectivity", Value: map[string]string{"value": "UNREACHABLE"}})), nil
	}
	if err != nil {
		return vsk.Message{}, err
	}
	health := "OK"
	if now.Sub(st.ReceivedAt) > healthyWithin {
		health = "UNREACHABLE"
	}
	props := []vsk.Property{
		{Namespace: "Alexa.EndpointHealth", Name: "connectivity", Value: map[string]string{"value": health}},
		{Namespace: "Alexa.PowerController", Name: "powerState", Value: st.Power},
		{Namespace: "Alexa.PlaybackStateReporter", Name: "playbackState", Value: map[string]string{"state": st.Playback}},
	}
	if s := st.Sound; s != nil {
		props = append(props,
			vsk.Property{Namespace: "Alexa.Speaker", Name: "volume", Value: s.Volume},
			vsk.Property{Namespace: "Alexa.Speaker", Name: "muted", Value: s.Muted})
	}
	if st.Input != "" {
		props = append(props, vsk.Property{Namespace: "Alexa.InputController", Name: "input", Value: st.Input})
	}
	if c := st.Channel; c != nil && (c.Number != "" || c.CallSign != "") {
		value := map[string]string{}
		if c.Number != "" {
			value["number"] = c.Number
		}
		if c.CallSign != "" {
			value["callSign"] = c.CallSign
		}
		props = append(props, vsk.Property{Namespace: "Alexa.ChannelController", Name: "channel", Value: value})
	}
	return vsk.Reply(d, vsk.NamespaceAlexa, "StateReport", h.cfg.NewID(), nil, h.propertiesAt(st.ReceivedAt, props...)), nil
}

// properties builds a context sampled now.
func (h *Handler) properties(ps ...vsk.Property) *vsk.Context {
	return h.propertiesAt(h.cfg.Now(), ps...)
}

func (h *Handler) propertiesAt(at time.Time, ps ...vsk.Property) *vsk.Context {
	for i := range ps {
		ps[i].TimeOfSample = vsk.FormatTime(at)
	}
	return &vsk.Context{Properties: ps}
}

// inputs lists the TV's inputs for Discovery.
func inputs() []vsk.InputName {
	out := make([]vsk.InputName, len(action.Inputs))
	for i, name := range action.Inputs {
		out[i] = vsk.InputName{Name: name}
	}
	return out
}
