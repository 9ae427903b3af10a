package server

import (
	"bufio"
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net"
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
	hj := &hijacker{ResponseWriter: w}
	ws, err := s.upgrader.Upgrade(hj, r, nil)
	if err != nil {
		// The upgrader already answered the client.
		s.logger.Debug("websocket upgrade failed", "err", err)
		s.conns.Done()
		return
	}
	c := hub.NewConn(ws, s.cfg.Conn, s.logger)
	if hj.br != nil {
		c.IdleReader(hj.br)
	}
	switch {
	case !s.appKeyOK(r) || (id != "" && !hub.ValidSecret(secret)):
		err = hub.ErrForbidden
	case id == "":
		id, err = s.hub.AttachNew(s.life, c)
	default:
		err = s.hub.Attach(s.life, id, secret, c)
	}
	if err != nil {
		s.refuse(ws, err, s.logger.With("registrationId", id))
		s.conns.Done()
		return
	}
	// The logs name the registration per call: a logger holding it would
	// stay with every idle connection.
	c.LogAs(id)
	s.logger.Debug("device connected", "registrationId", id)
	c.Start(s.life, func(f push.Frame) {
		if f.Type != push.TypeAck || f.MessageID == "" {
			s.logger.Debug("ignoring frame", "registrationId", id, "type", f.Type)
			return
		}
		if err := s.hub.Ack(s.life, id, c, f.MessageID); err != nil {
			s.logger.Error("ack", "registrationId", id, "messageId", f.MessageID, "err", err)
		}
	}, func() {
		// Not s.life: on shutdown it is cancelled before the devices are
		// closed, and the touch that counts each of them as seen would
		// fail. The store's own timeout bounds the call.
		s.hub.Detach(context.WithoutCancel(s.life), id, c)
		s.logger.Debug("device disconnected", "registrationId", id)
		s.conns.Done()
	})
}

// readBufferSize is a websocket's read buffer: devices only send small
// acks. Above 256 B, so that gorilla's upgrader takes it (it reuses a
// hijacked reader only from that size).
const readBufferSize = 512

// hijacker hands the websocket upgrader a small read buffer of its own, in
// place of net/http's 4 KB one, and keeps it: the connection checks it
// before waiting for the socket (hub.Conn.IdleReader).
type hijacker struct {
	http.ResponseWriter
	br *bufio.Reader
}

func (h *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil || brw.Reader.Buffered() > 0 {
		// The upgrader refuses a client that did not wait for the
		// handshake; keep what it sent for it to see.
		return conn, brw, err
	}
	h.br = bufio.NewReaderSize(conn, readBufferSize)
	brw.Reader = h.br
	return conn, brw, nil
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
