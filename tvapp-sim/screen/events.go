package screen

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Event stream defaults.
const (
	// DefaultHeartbeat: a stream resends the state this often when nothing
	// changed, so a page that missed nothing still corrects its clock.
	DefaultHeartbeat = 2 * time.Second
	// DefaultMaxStreams bounds open pages: each holds a goroutine.
	DefaultMaxStreams = 32
	// eventWriteTimeout drops a page that stops reading.
	eventWriteTimeout = 10 * time.Second
)

// EventName is the server-sent event carrying the state document.
const EventName = "state"

// events streams the state as server-sent events: one "state" event at
// once, then one at every change and every heartbeat. The data is the
// GET /v1/state document.
func (h *handler) events(w http.ResponseWriter, r *http.Request) {
	select {
	case h.streams <- struct{}{}:
		defer func() { <-h.streams }()
	default:
		h.writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "too_many_streams", "message": "Too many pages are open on this TV."})
		return
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// The browser reconnects by itself after a second if the stream ends.
	if !h.send(rc, w, []byte("retry: 1000\n\n")) {
		return
	}
	tick := time.NewTicker(h.cfg.Heartbeat)
	defer tick.Stop()
	for {
		var changed <-chan struct{}
		if h.cfg.Changes != nil {
			changed = h.cfg.Changes.Changed() // before the snapshot: no change is missed
		}
		b, err := json.Marshal(h.snapshot())
		if err != nil {
			h.cfg.Logger.Error("encode state event", "err", err)
			return
		}
		if !h.send(rc, w, fmt.Appendf(nil, "event: %s\ndata: %s\n\n", EventName, b)) {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-changed:
		case <-tick.C:
		}
	}
}

// send writes and flushes one event; false when the page is gone.
func (h *handler) send(rc *http.ResponseController, w http.ResponseWriter, b []byte) bool {
	_ = rc.SetWriteDeadline(time.Now().Add(eventWriteTimeout)) // not every writer has deadlines
	if _, err := w.Write(b); err != nil {
		h.cfg.Logger.Debug("event stream closed", "err", err)
		return false
	}
	if err := rc.Flush(); err != nil {
		h.cfg.Logger.Debug("event stream flush", "err", err)
		return false
	}
	return true
}
