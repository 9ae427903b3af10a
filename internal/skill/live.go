package skill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"livingroom/internal/account"
	"livingroom/internal/action"
	"livingroom/internal/catalog"
	"livingroom/internal/device"
	"livingroom/internal/vsk"
)

// maxSkip bounds SkipChannels: a line-up wraps anyway.
const maxSkip = 1000

func (h *Handler) changeChannel(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
	var p struct {
		Channel struct {
			Number            string `json:"number"`
			CallSign          string `json:"callSign"`
			AffiliateCallSign string `json:"affiliateCallSign"`
			URI               string `json:"uri"`
		} `json:"channel"`
		ChannelMetadata struct {
			Name string `json:"name"`
		} `json:"channelMetadata"`
	}
	if err := json.Unmarshal(d.Payload, &p); err != nil {
		return vsk.Message{}, fmt.Errorf("ChangeChannel payload: %w", errInvalidDirective)
	}
	c := p.Channel
	q := catalog.ChannelQuery{Number: c.Number, CallSign: c.CallSign, Affiliate: c.AffiliateCallSign, Name: p.ChannelMetadata.Name}
	if !printable(q.Number, 16) || !printable(q.CallSign, 64) || !printable(q.Affiliate, 64) || len(c.URI) > maxTitleBytes ||
		(q.Name != "" && !speakable(q.Name, maxTitleBytes)) {
		return vsk.Message{}, fmt.Errorf("ChangeChannel values over bounds: %w", errInvalidValue)
	}
	if q == (catalog.ChannelQuery{}) {
		return vsk.Message{}, fmt.Errorf("ChangeChannel names no channel: %w", errInvalidValue)
	}
	acct, dev, err := h.target(ctx, d)
	if err != nil {
		return vsk.Message{}, err
	}
	return h.tune(ctx, d, acct, dev, q)
}

func (h *Handler) skipChannels(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
	var p struct {
		ChannelCount *int `json:"channelCount"`
	}
	if err := json.Unmarshal(d.Payload, &p); err != nil || p.ChannelCount == nil {
		return vsk.Message{}, fmt.Errorf("SkipChannels without channelCount: %w", errInvalidDirective)
	}
	if *p.ChannelCount == 0 || *p.ChannelCount < -maxSkip || *p.ChannelCount > maxSkip {
		return vsk.Message{}, fmt.Errorf("channelCount out of range: %w", errInvalidValue)
	}
	acct, dev, err := h.target(ctx, d)
	if err != nil {
		return vsk.Message{}, err
	}
	from := ""
	st, err := h.state(ctx, acct.ID, dev.EndpointID)
	if err != nil && !errors.Is(err, device.ErrNoState) {
		return vsk.Message{}, err
	}
	if err == nil && st.Channel != nil {
		if cur, err := h.cfg.Content.Channel(ctx, catalog.ChannelQuery{Number: st.Channel.Number, CallSign: st.Channel.CallSign}); err == nil {
			from = cur.ID
		}
	}
	ch, err := h.cfg.Content.SkipChannels(ctx, from, *p.ChannelCount)
	if err != nil {
		return vsk.Message{}, err
	}
	return h.tuneTo(ctx, d, acct, dev, ch)
}

// tune finds a channel and shows it live.
func (h *Handler) tune(ctx context.Context, d vsk.Directive, acct account.Account, dev device.Device, q catalog.ChannelQuery) (vsk.Message, error) {
	ch, err := h.cfg.Content.Channel(ctx, q)
	if err != nil {
		return vsk.Message{}, err
	}
	return h.tuneTo(ctx, d, acct, dev, ch)
}

// tuneTo shows a channel live, with the programme on air, if the plan
// includes live TV and the TV is on; the reply's context names the channel.
func (h *Handler) tuneTo(ctx context.Context, d vsk.Directive, acct account.Account, dev device.Device, ch catalog.Channel) (vsk.Message, error) {
	if err := acct.CanWatchLive(); err != nil {
		return vsk.Message{}, err
	}
	if st, err := h.state(ctx, acct.ID, dev.EndpointID); err == nil && st.Power == device.PowerOff {
		return vsk.Message{}, errPoweredOff
	}
	tune := &action.Channel{Number: ch.Number, CallSign: ch.CallSign, Name: ch.Name}
	if on, ok := ch.OnAir(h.cfg.Now()); ok {
		tune.ProgramID, tune.ProgramTitle = on.WorkID, on.Title
	}
	if _, err := h.cfg.Devices.Send(ctx, dev, action.Action{Type: action.TuneChannel, Channel: tune}); err != nil {
		return vsk.Message{}, err
	}
	value := map[string]string{}
	if ch.Number != "" {
		value["number"] = ch.Number
	}
	if ch.CallSign != "" {
		value["callSign"] = ch.CallSign
	}
	if ch.Affiliate != "" {
		value["affiliateCallSign"] = ch.Affiliate
	}
	return h.respond(d, h.properties(vsk.Property{Namespace: "Alexa.ChannelController", Name: "channel", Value: value})), nil
}
