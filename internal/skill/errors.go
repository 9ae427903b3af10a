package skill

import (
	"errors"
	"fmt"

	"livingroom/internal/account"
	"livingroom/internal/catalog"
	"livingroom/internal/device"
	"livingroom/internal/viewing"
	"livingroom/internal/vsk"
)

// errInvalidDirective marks a directive the skill cannot read or does not
// handle.
var errInvalidDirective = errors.New("invalid directive")

// errNotInMode marks a directive the TV cannot follow in what it shows now
// (Next with nothing of a series playing).
var errNotInMode = errors.New("not supported in the current mode")

// errInvalidCredential marks a credential that is malformed or too long.
var errInvalidCredential = fmt.Errorf("malformed credential: %w", account.ErrNotFound)

// errValueOutOfRange marks a number outside what the directive allows;
// outOfRange carries the range for the reply.
var errValueOutOfRange = errors.New("value out of range")

type outOfRange struct{ min, max int }

func (e outOfRange) Error() string { return fmt.Sprintf("value outside [%d, %d]", e.min, e.max) }
func (e outOfRange) Unwrap() error { return errValueOutOfRange }

// errorTable maps domain errors to the Alexa error a directive gets back,
// in order; the first match wins. It is the one place where that mapping
// lives. Note: the two credential errors make Alexa drop the account link,
// which is right for a token the backend does not know or that expired.
var errorTable = []struct {
	err       error
	namespace string
	errType   string
}{
	// First: a failed AcceptGrant has one error type whatever the cause.
	{errAcceptGrantFailed, vsk.NamespaceAuthorization, vsk.ErrorAcceptGrantFailed},
	{errInvalidDirective, vsk.NamespaceAlexa, vsk.ErrorInvalidDirective},
	{errInvalidValue, vsk.NamespaceAlexa, vsk.ErrorInvalidValue},
	{errValueOutOfRange, vsk.NamespaceAlexa, vsk.ErrorValueOutOfRange},
	{errNotInMode, vsk.NamespaceAlexa, vsk.ErrorNotSupportedInMode},
	{account.ErrExpired, vsk.NamespaceAlexa, vsk.ErrorExpiredCredential},
	{account.ErrNotFound, vsk.NamespaceAlexa, vsk.ErrorInvalidCredential},
	{account.ErrNotSubscribed, vsk.NamespaceVideo, vsk.ErrorNotSubscribed},
	{device.ErrNotFound, vsk.NamespaceAlexa, vsk.ErrorNoSuchEndpoint},
	// Device messaging took the action but no connection of the TV did (off,
	// offline): it was discarded and is never applied.
	{device.ErrNotDelivered, vsk.NamespaceAlexa, vsk.ErrorEndpointUnreachable},
	{device.ErrUnreachable, vsk.NamespaceAlexa, vsk.ErrorEndpointUnreachable},
	{catalog.ErrNotFound, vsk.NamespaceAlexa, vsk.ErrorInvalidValue},
	{catalog.ErrUnavailable, vsk.NamespaceVideo, vsk.ErrorActionNotPermitted},
	{viewing.ErrRecordingExists, vsk.NamespaceVideo, vsk.ErrorRecordingExists},
	{viewing.ErrStorageFull, vsk.NamespaceVideo, vsk.ErrorStorageFull},
	{errNotRecordable, vsk.NamespaceVideo, vsk.ErrorContentNotRecordable},
}

// publicMessages is the fixed text sent to Alexa with each error type. The
// error chain (ids, URLs, input) goes to the logs only.
var publicMessages = map[string]string{
	vsk.ErrorInvalidDirective:     "The directive is not supported or is malformed.",
	vsk.ErrorInvalidValue:         "No content matches the request.",
	vsk.ErrorExpiredCredential:    "The access token has expired.",
	vsk.ErrorInvalidCredential:    "The access token is not valid.",
	vsk.ErrorNotSubscribed:        "The account's plan does not include this content.",
	vsk.ErrorNoSuchEndpoint:       "The endpoint is not known for this account.",
	vsk.ErrorEndpointUnreachable:  "The TV cannot be reached.",
	vsk.ErrorInternal:             "The request could not be completed.",
	vsk.ErrorAcceptGrantFailed:    "The grant could not be accepted.",
	vsk.ErrorNotSupportedInMode:   "The TV cannot do that with what it shows now.",
	vsk.ErrorActionNotPermitted:   "This content cannot be watched now.",
	vsk.ErrorRecordingExists:      "That is already being recorded.",
	vsk.ErrorStorageFull:          "The recordings storage is full.",
	vsk.ErrorContentNotRecordable: "There is nothing to record.",
	vsk.ErrorValueOutOfRange:      "The value is outside the range the TV accepts.",
}

// publicMessage returns the fixed text for an error type.
func publicMessage(errType string) string {
	if m, ok := publicMessages[errType]; ok {
		return m
	}
	return publicMessages[vsk.ErrorInternal]
}

// alexaError classifies err; anything unknown is an INTERNAL_ERROR. The
// Message is the fixed public text.
func alexaError(err error) vsk.Error {
	for _, row := range errorTable {
		if errors.Is(err, row.err) {
			e := vsk.Error{Namespace: row.namespace, Type: row.errType, Message: publicMessage(row.errType)}
			if r := (outOfRange{}); errors.As(err, &r) {
				e.ValidRange = &vsk.Range{Minimum: r.min, Maximum: r.max}
			}
			return e
		}
	}
	return vsk.Error{Namespace: vsk.NamespaceAlexa, Type: vsk.ErrorInternal, Message: publicMessage(vsk.ErrorInternal)}
}
