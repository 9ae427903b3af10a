package server

import (
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"livingroom/device-push/hub"
	"livingroom/internal/adm"
	"livingroom/internal/push"
)

// Reasons device-push gives outside ADM's own.
const (
	reasonShuttingDown  = "ShuttingDown"  // refuses new devices while device-push stops
	reasonInvalidAppKey = "InvalidAppKey" // POST /v1/registrations without the app's key
	reasonInvalidQuery  = "InvalidQuery"  // a connect with parameters beyond their bounds
)

// maxConnectQuery bounds a connect's query string: a registration id fits
// in well under 128 bytes.
const maxConnectQuery = 256

// appKeyOK compares in constant time.
func (s *Server) appKeyOK(r *http.Request) bool {
	return subtle.ConstantTimeCompare([]byte(r.Header.Get(push.HeaderAppKey)), []byte(s.cfg.AppKey)) == 1
}

// handleRegister issues a registration: id and secret, for the app's key.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	if !s.appKeyOK(r) {
		writeJSON(w, http.StatusUnauthorized, adm.ErrorBody{Reason: reasonInvalidAppKey})
		return
	}
	id, secret, err := s.hub.Register(r.Context())
	if err != nil {
		s.logger.Error("register", "err", err)
		writeJSON(w, http.StatusInternalServerError, adm.ErrorBody{Reason: reasonInternal})
		return
	}
	writeJSON(w, http.StatusCreated, push.Registration{RegistrationID: id, Secret: secret})
}

// handleConnect upgrades a device to a websocket. Without a registration id
// the device gets a new one and its secret in the registered frame; with
// one, it must present that registration's secret. Requests out of shape
// are refused with HTTP 400; a wrong app key or secret, and an unknown
// registration, with a websocket close code the device can read
// (push.CloseForbidden, push.CloseUnknownRegistration), so that it stops
// retrying. The connection of the real device is never touched.
func (s *Server) handleConnect(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id := q.Get("registrationId")
	secret := r.Header.Get(push.HeaderSecret)
	switch {
	case len(r.URL.RawQuery) > maxConnectQuery || len(q) > 1 || len(q["registrationId"]) > 1 ||
		len(r.Header.Get(push.HeaderAppKey)) > maxConnectQuery || len(secret) > maxConnectQuery:
		writeJSON(w, http.StatusBadRequest, adm.ErrorBody{Reason: reasonInvalidQuery})
		return
	case id != "" && !hub.ValidRegistrationID(id):
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
	switch {
	case !s.appKeyOK(r) || (id != "" && !hub.ValidSecret(secret)):
		err = hub.ErrForbidden
	case id == "":
		id, err = s.hub.AttachNew(s.life, c)
		logger = s.logger.With("registrationId", id)
	default:
		err = s.hub.Attach(s.life, id, secret, c)
	}
	if err != nil {
		s.refuse(ws, err, logger)
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
			if err := s.hub.Ack(s.life, id, c, f.MessageID); err != nil {
				logger.Error("ack", "messageId", f.MessageID, "err", err)
			}
		})
		s.hub.Detach(s.life, id, c)
		logger.Debug("device disconnected")
	}()
}

// refuseWait bounds the close frame of a refused connect.
const refuseWait = time.Second

// refuse ends a connect the hub did not accept, with the close code that
// tells the device what to do.
func (s *Server) refuse(ws *websocket.Conn, err error, logger *slog.Logger) {
	d := hub.Disconnect{Code: websocket.CloseInternalServerErr, Reason: "internal error"}
	switch {
	case errors.Is(err, hub.ErrForbidden):
		d = hub.DisconnectForbidden
		logger.Info("connect refused", "err", err)
	case errors.Is(err, hub.ErrUnregistered):
		d = hub.DisconnectUnknown
		logger.Info("connect refused", "err", err)
	default:
		logger.Error("attach device", "err", err)
	}
	msg := websocket.FormatCloseMessage(d.Code, d.Reason)
	_ = ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(refuseWait))
	ws.Close()
}
