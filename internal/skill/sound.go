package skill

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"livingroom/internal/action"
	"livingroom/internal/device"
	"livingroom/internal/vsk"
)

// DefaultVolumeStep is how far Speaker.AdjustVolume moves when the user
// named no amount ("turn it up": volumeDefault true).
const DefaultVolumeStep = 10

// sound reads the TV's last reported volume and mute, or the defaults of a
// TV that never reported them.
func sound(st *device.State) device.StateSound {
	if st != nil && st.Sound != nil {
		return *st.Sound
	}
	return device.StateSound{Volume: action.DefaultVolume}
}

// speakerProps are the Alexa.Speaker properties of a reply.
func (h *Handler) speakerProps(s device.StateSound) *vsk.Context {
	return h.properties(
		vsk.Property{Namespace: "Alexa.Speaker", Name: "volume", Value: s.Volume},
		vsk.Property{Namespace: "Alexa.Speaker", Name: "muted", Value: s.Muted},
	)
}

// setVolume answers Alexa.Speaker.SetVolume (volume 0..100).
func (h *Handler) setVolume(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
	var p struct {
		Volume *int `json:"volume"`
	}
	if err := json.Unmarshal(d.Payload, &p); err != nil || p.Volume == nil {
		return vsk.Message{}, fmt.Errorf("SetVolume without volume: %w", errInvalidDirective)
	}
	if *p.Volume < 0 || *p.Volume > action.MaxVolume {
		return vsk.Message{}, fmt.Errorf("SetVolume: %w", outOfRange{0, action.MaxVolume})
	}
	dev, st, err := h.targetOn(ctx, d)
	if err != nil {
		return vsk.Message{}, err
	}
	if _, err := h.cfg.Devices.Send(ctx, dev, action.Action{Type: action.Volume, SetVolume: true, VolumeLevel: *p.Volume}); err != nil {
		return vsk.Message{}, err
	}
	s := sound(st)
	s.Volume = *p.Volume
	return h.respond(d, h.speakerProps(s)), nil
}

// adjustVolume answers Alexa.Speaker.AdjustVolume (volume −100..100, or the
// default step) and Alexa.StepSpeaker.AdjustVolume (volumeSteps).
func (h *Handler) adjustVolume(stepSpeaker bool) route {
	return func(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
		var p struct {
			Volume        *int `json:"volume"`
			VolumeDefault bool `json:"volumeDefault"`
			VolumeSteps   *int `json:"volumeSteps"`
		}
		if err := json.Unmarshal(d.Payload, &p); err != nil {
			return vsk.Message{}, fmt.Errorf("AdjustVolume payload: %w", errInvalidDirective)
		}
		amount := p.Volume
		if stepSpeaker {
			amount = p.VolumeSteps
		}
		if amount == nil {
			return vsk.Message{}, fmt.Errorf("AdjustVolume without an amount: %w", errInvalidDirective)
		}
		delta := *amount
		if delta < -action.MaxVolume || delta > action.MaxVolume {
			return vsk.Message{}, fmt.Errorf("AdjustVolume: %w", outOfRange{-action.MaxVolume, action.MaxVolume})
		}
		if !stepSpeaker && p.VolumeDefault && delta != 0 {
			delta = DefaultVolumeStep * sign(delta)
		}
		dev, st, err := h.targetOn(ctx, d)
		if err != nil {
			return vsk.Message{}, err
		}
		if _, err := h.cfg.Devices.Send(ctx, dev, action.Action{Type: action.Volume, VolumeDelta: delta}); err != nil {
			return vsk.Message{}, err
		}
		if stepSpeaker {
			return h.respond(d, nil), nil // StepSpeaker has no properties
		}
		s := sound(st)
		s.Volume = min(max(s.Volume+delta, 0), action.MaxVolume)
		return h.respond(d, h.speakerProps(s)), nil
	}
}

// setMute answers Alexa.Speaker.SetMute and Alexa.StepSpeaker.SetMute.
func (h *Handler) setMute(stepSpeaker bool) route {
	return func(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
		var p struct {
			Mute *bool `json:"mute"`
		}
		if err := json.Unmarshal(d.Payload, &p); err != nil || p.Mute == nil {
			return vsk.Message{}, fmt.Errorf("SetMute without mute: %w", errInvalidDirective)
		}
		dev, st, err := h.targetOn(ctx, d)
		if err != nil {
			return vsk.Message{}, err
		}
		if _, err := h.cfg.Devices.Send(ctx, dev, action.Action{Type: action.Mute, Muted: *p.Mute}); err != nil {
			return vsk.Message{}, err
		}
		if stepSpeaker {
			return h.respond(d, nil), nil
		}
		s := sound(st)
		s.Muted = *p.Mute
		return h.respond(d, h.speakerProps(s)), nil
	}
}

// selectInput answers Alexa.InputController.SelectInput with one of the
// TV's inputs, matched without case or spaces ("hdmi1" is "HDMI 1").
func (h *Handler) selectInput(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
	var p struct {
		Input *string `json:"input"`
	}
	if err := json.Unmarshal(d.Payload, &p); err != nil || p.Input == nil {
		return vsk.Message{}, fmt.Errorf("SelectInput without input: %w", errInvalidDirective)
	}
	input, ok := inputNamed(*p.Input)
	if !ok {
		return vsk.Message{}, fmt.Errorf("no such input: %w", errInvalidValue)
	}
	dev, _, err := h.targetOn(ctx, d)
	if err != nil {
		return vsk.Message{}, err
	}
	if _, err := h.cfg.Devices.Send(ctx, dev, action.Action{Type: action.Input, InputName: input}); err != nil {
		return vsk.Message{}, err
	}
	return h.respond(d, h.properties(vsk.Property{Namespace: "Alexa.InputController", Name: "input", Value: input})), nil
}

func inputNamed(s string) (string, bool) {
	if len(s) > action.MaxInputBytes {
		return "", false
	}
	key := func(s string) string { return strings.ToUpper(strings.ReplaceAll(s, " ", "")) }
	for _, in := range action.Inputs {
		if key(in) == key(s) {
			return in, true
		}
	}
	return "", false
}

func sign(n int) int {
	if n < 0 {
		return -1
	}
	return 1
}
