package server

import (
	"net/http"

	"livingroom/device-push/hub"
	"livingroom/internal/adm"
	"livingroom/internal/push"
)

// reasonShuttingDown refuses new devices while device-push stops.
const reasonShuttingDown = "ShuttingDown"

// handleConnect upgrades a device to a websocket. A device that presents a
// well-formed registration id keeps it (after a reconnect or a device-push
// restart); otherwise it gets a new one.
func (s *Server) handleConnect(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("registrationId")
	if id == "" {
		var err error
		if id, err = hub.NewRegistrationID(s.cfg.Rand); err != nil {
			s.logger.Error("connect", "err", err)
			writeJSON(w, http.StatusInternalServerError, adm.ErrorBody{Reason: reasonInternal})
			return
		}
	} else if !hub.ValidRegistrationID(id) {
		writeJSON(w, http.StatusBadRequest, adm.ErrorBody{Reason: adm.ReasonInvalidRegistrationID})
		return
	}
	if !s.track() {
		writeJSON(w, http.StatusServiceUnavailable, adm.ErrorBody{Reason: reasonShuttingDown})
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		// The upgrader already answered the client.
		s.logger.Debug("websocket upgrade failed", "err", err)
		s.conns.Done()
		return
	}
	logger := s.logger.With("registrationId", id)
	c := hub.NewConn(ws, s.cfg.Conn, logger)
	if err := s.hub.Attach(s.life, id, c); err != nil {
		logger.Error("attach device", "err", err)
		ws.Close()
		s.conns.Done()
		return
	}
	logger.Debug("device connected")
	go func() {
		defer s.conns.Done()
		c.Run(s.life, func(f push.Frame) {
			if f.Type != push.TypeAck || f.MessageID == "" {
				logger.Debug("ignoring frame", "type", f.Type)
				return
			}
			if err := s.hub.Ack(s.life, id, f.MessageID); err != nil {
				logger.Error("ack", "messageId", f.MessageID, "err", err)
			}
		})
		s.hub.Detach(id, c)
		logger.Debug("device disconnected")
	}()
}
