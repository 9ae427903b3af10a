// Package push defines the websocket protocol between device-push and a
// device (tvapp-sim). Every frame is one JSON object with a "type" field.
// It uses only the standard library so the server and the simulator share it.
package push

import (
	"encoding/json"
	"fmt"
)

// ConnectPath is where a device opens its websocket. Every connect carries
// the app's key in HeaderAppKey. A device that already has a registration id
// passes it as the query parameter "registrationId" with its secret in
// HeaderSecret to keep it; otherwise it gets a new id and secret in the
// registered frame.
const ConnectPath = "/ws"

// RegistrationsPath issues a registration (id and secret) over plain HTTP,
// for apps that register before they connect.
const RegistrationsPath = "/v1/registrations"

// Handshake headers a device sends.
const (
	HeaderAppKey = "X-Device-Push-App-Key" // the app's key, as ADM's api_key.txt
	HeaderSecret = "X-Device-Push-Secret"  // the secret issued with the registration id
)

// DevelopmentAppKey is the app key device-push and tvapp-sim agree on when
// DEVICE_PUSH_APP_KEY is unset.
const DevelopmentAppKey = "dev-app-key"

// Registration is what RegistrationsPath answers (201).
type Registration struct {
	RegistrationID string `json:"registrationId"`
	Secret         string `json:"secret"`
}

// Frame types.
const (
	TypeRegistered = "registered" // server → device: your registration id
	TypeMessage    = "message"    // server → device: an ADM message
	TypeAck        = "ack"        // device → server: message handled
)

// Close codes device-push sends when it ends a connection itself (RFC 6455
// private range). A shutdown uses the standard 1001 (going away).
const (
	// CloseReplaced: another connection took this registration id. The
	// device should not reconnect, or two copies would evict each other.
	CloseReplaced = 4000
	// CloseSlow: the device did not read fast enough. Reconnecting replays
	// every message not yet acked.
	CloseSlow = 4001
	// CloseForbidden: the app key or the registration's secret is wrong.
	// Do not reconnect with the same credentials.
	CloseForbidden = 4003
	// CloseUnknownRegistration: the registration id is unknown or expired.
	// Do not reconnect with it; connect without one to get a new id.
	CloseUnknownRegistration = 4004
)

// Frame is the envelope of every frame. Fields not used by a frame type are
// left empty. device-push may pack several frames into one websocket message,
// separated by newlines (a backlog goes out in few writes).
type Frame struct {
	Type           string `json:"type"`
	RegistrationID string `json:"registrationId,omitempty"`
	// Secret comes with a newly issued registration id only, once: the
	// device keeps it to reconnect as that registration.
	Secret    string            `json:"secret,omitempty"`
	MessageID string            `json:"messageId,omitempty"`
	Data      map[string]string `json:"data,omitempty"`
	// Notification is the sender's ADM notification object, as validated.
	Notification json.RawMessage `json:"notification,omitempty"`
	// Priority is the sender's ADM priority (normal or high).
	Priority string `json:"priority,omitempty"`
	MD5      string `json:"md5,omitempty"`
	// ConsolidationKey is passed through as ADM passes it to the app.
	ConsolidationKey string `json:"consolidationKey,omitempty"`
	// SentAtMs is when device-push accepted the message (epoch ms).
	SentAtMs int64 `json:"sentAtMs,omitempty"`
}

// Encode marshals a frame.
func Encode(f Frame) ([]byte, error) {
	b, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("encode %s frame: %w", f.Type, err)
	}
	return b, nil
}

// ackPrefix and ackSuffix frame an ack as Encode writes it.
const (
	ackPrefix = `{"type":"ack","messageId":"`
	ackSuffix = `"}`
)

// DecodeAck reads an ack frame in the exact form Encode writes, with a
// message id free of escapes, without the JSON decoder: a device sends one
// per message, and decoding it with encoding/json was 3% of device-push's
// CPU per message (CPU profile at its max rate). ok is false for anything
// else; Decode then reads the frame.
func DecodeAck(b []byte) (messageID string, ok bool) {
	if len(b) <= len(ackPrefix)+len(ackSuffix) || string(b[:len(ackPrefix)]) != ackPrefix ||
		string(b[len(b)-len(ackSuffix):]) != ackSuffix {
		return "", false
	}
	id := b[len(ackPrefix) : len(b)-len(ackSuffix)]
	for _, c := range id {
		if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
			return "", false // escapes, controls or UTF-8: the decoder's job
		}
	}
	return string(id), true
}

// Decode unmarshals a frame and checks that it names a type.
func Decode(b []byte) (Frame, error) {
	var f Frame
	if err := json.Unmarshal(b, &f); err != nil {
		return Frame{}, fmt.Errorf("decode frame: %w", err)
	}
	if f.Type == "" {
		return Frame{}, fmt.Errorf("decode frame: missing type")
	}
	return f, nil
}
