package skill

import (
	"context"
	"errors"
	"fmt"

	"livingroom/internal/account"
	"livingroom/internal/action"
	"livingroom/internal/catalog"
	"livingroom/internal/device"
	"livingroom/internal/viewing"
	"livingroom/internal/vsk"
)

// errNotRecordable marks a request that names nothing to record.
var errNotRecordable = errors.New("content not recordable")

// startRecording records what the TV shows: the programme of the channel
// tuned, or the work playing.
func (h *Handler) startRecording(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
	acct, dev, st, err := h.recorderTarget(ctx, d)
	if err != nil {
		return vsk.Message{}, err
	}
	r, err := recordingOf(st)
	if err != nil {
		return vsk.Message{}, err
	}
	if err := h.record(ctx, acct, dev, r); err != nil {
		return vsk.Message{}, err
	}
	return h.respond(d, h.properties(vsk.Property{Namespace: "Alexa.RecordController", Name: "RecordingState", Value: "RECORDING"})), nil
}

// stopRecording stops recording what the TV shows.
func (h *Handler) stopRecording(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
	acct, _, st, err := h.recorderTarget(ctx, d)
	if err != nil {
		return vsk.Message{}, err
	}
	r, err := recordingOf(st)
	if err != nil {
		return vsk.Message{}, err
	}
	if err := h.cfg.Viewing.DeleteRecording(ctx, acct.ID, r.ID); err != nil && !errors.Is(err, viewing.ErrNotFound) {
		return vsk.Message{}, err
	}
	return h.respond(d, h.properties(vsk.Property{Namespace: "Alexa.RecordController", Name: "RecordingState", Value: "NOT_RECORDING"})), nil
}

// searchAndRecord records a show or a channel named by entities.
func (h *Handler) searchAndRecord(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
	req, err := parseSearch(d)
	if err != nil {
		return vsk.Message{}, err
	}
	acct, dev, _, err := h.recorderTarget(ctx, d)
	if err != nil {
		return vsk.Message{}, err
	}
	r, err := h.recordingFor(ctx, req)
	if err != nil {
		return vsk.Message{}, err
	}
	if err := h.record(ctx, acct, dev, r); err != nil {
		return vsk.Message{}, err
	}
	return vsk.Reply(d, "Alexa.VideoRecorder", "SearchAndRecord.Response", h.cfg.NewID(), map[string]string{"recordingStatus": "SCHEDULED"}, nil), nil
}

// cancelRecording removes a recording named by entities.
func (h *Handler) cancelRecording(ctx context.Context, d vsk.Directive) (vsk.Message, error) {
	req, err := parseSearch(d)
	if err != nil {
		return vsk.Message{}, err
	}
	acct, _, _, err := h.recorderTarget(ctx, d)
	if err != nil {
		return vsk.Message{}, err
	}
	r, err := h.recordingFor(ctx, req)
	if err != nil {
		return vsk.Message{}, err
	}
	if err := h.cfg.Viewing.DeleteRecording(ctx, acct.ID, r.ID); err != nil {
		if errors.Is(err, viewing.ErrNotFound) {
			return vsk.Message{}, fmt.Errorf("no such recording: %w", catalog.ErrNotFound)
		}
		return vsk.Message{}, err
	}
	return h.respond(d, nil), nil
}

// recorderTarget finds the device and checks that the plan includes DVR.
func (h *Handler) recorderTarget(ctx context.Context, d vsk.Directive) (account.Account, device.Device, *device.State, error) {
	if h.cfg.Viewing == nil {
		return account.Account{}, device.Device{}, nil, fmt.Errorf("%s: no recordings store: %w", d.Header.Name, errInvalidDirective)
	}
	acct, dev, err := h.target(ctx, d)
	if err != nil {
		return account.Account{}, device.Device{}, nil, err
	}
	if err := acct.CanRecord(); err != nil {
		return account.Account{}, device.Device{}, nil, err
	}
	var st *device.State
	if s, err := h.state(ctx, acct.ID, dev.EndpointID); err == nil {
		st = &s
	} else if !errors.Is(err, device.ErrNoState) {
		return account.Account{}, device.Device{}, nil, err
	}
	return acct, dev, st, nil
}

// recordingOf names what the TV shows as a recording.
func recordingOf(st *device.State) (viewing.Recording, error) {
	switch {
	case st == nil || st.Power == device.PowerOff:
		return viewing.Recording{}, fmt.Errorf("the TV shows nothing: %w", errNotRecordable)
	case st.Channel != nil:
		c := st.Channel
		title := c.ProgramTitle
		if title == "" {
			title = c.Name
		}
		return viewing.Recording{ID: "channel-" + c.CallSign + "-" + c.Number + "-" + c.ProgramID, ContentID: c.ProgramID,
			Title: title, ChannelNumber: c.Number, CallSign: c.CallSign}, nil
	case st.Content != nil:
		return viewing.Recording{ID: st.Content.ID, ContentID: st.Content.ID, Title: st.Content.Title}, nil
	}
	return viewing.Recording{}, fmt.Errorf("the TV shows nothing: %w", errNotRecordable)
}

// recordingFor resolves the entities of a VideoRecorder directive.
func (h *Handler) recordingFor(ctx context.Context, req searchRequest) (viewing.Recording, error) {
	if req.channel != nil {
		ch, err := h.cfg.Content.Channel(ctx, *req.channel)
		if err != nil {
			return viewing.Recording{}, err
		}
		r := viewing.Recording{ID: "channel-" + ch.CallSign + "-" + ch.Number + "-", Title: ch.Name, ChannelNumber: ch.Number, CallSign: ch.CallSign}
		if on, ok := ch.OnAir(h.cfg.Now()); ok {
			r.ID, r.ContentID, r.Title = r.ID+on.WorkID, on.WorkID, on.Title
		}
		return r, nil
	}
	if req.query.Title == "" && len(req.query.ExternalIDs) == 0 {
		return viewing.Recording{}, fmt.Errorf("nothing named to record: %w", errInvalidValue)
	}
	play, err := h.cfg.Content.ResolvePlay(ctx, req.query, nil)
	if err != nil {
		return viewing.Recording{}, err
	}
	w := play.Work
	title := w.Title
	if w.SeriesTitle != "" {
		title = w.SeriesTitle
		w.ID = w.SeriesID // a series is recorded as a whole
	}
	return viewing.Recording{ID: w.ID, ContentID: w.ID, Title: title}, nil
}

// record stores the recording and tells the TV, which lists it.
func (h *Handler) record(ctx context.Context, acct account.Account, dev device.Device, r viewing.Recording) error {
	r.CreatedAt = h.cfg.Now().UTC()
	if err := h.cfg.Viewing.AddRecording(ctx, acct.ID, r); err != nil {
		return err
	}
	rec := &action.Recording{ContentID: r.ContentID, Title: clipText(r.Title), ChannelNumber: r.ChannelNumber, CallSign: r.CallSign}
	if rec.ContentID == "" && rec.CallSign == "" {
		rec.ContentID = r.ID
	}
	if _, err := h.cfg.Devices.Send(ctx, dev, action.Action{Type: action.Record, Recording: rec}); err != nil {
		return err
	}
	return nil
}
