package skill

import (
	"errors"

	"livingroom/internal/account"
	"livingroom/internal/catalog"
	"livingroom/internal/device"
	"livingroom/internal/vsk"
)

// errInvalidDirective marks a directive the skill cannot read or does not
// handle.
var errInvalidDirective = errors.New("invalid directive")

// errorTable maps domain errors to the Alexa error a directive gets back,
// in order; the first match wins. It is the one place where that mapping
// lives. Note: the two credential errors make Alexa drop the account link,
// which is right for a token the backend does not know or that expired.
var errorTable = []struct {
	err       error
	namespace string
	errType   string
}{
	{errInvalidDirective, vsk.NamespaceAlexa, vsk.ErrorInvalidDirective},
	{account.ErrExpired, vsk.NamespaceAlexa, vsk.ErrorExpiredCredential},
	{account.ErrNotFound, vsk.NamespaceAlexa, vsk.ErrorInvalidCredential},
	{account.ErrNotSubscribed, vsk.NamespaceVideo, vsk.ErrorNotSubscribed},
	{device.ErrNotFound, vsk.NamespaceAlexa, vsk.ErrorNoSuchEndpoint},
	{device.ErrUnreachable, vsk.NamespaceAlexa, vsk.ErrorEndpointUnreachable},
	{catalog.ErrNotFound, vsk.NamespaceAlexa, vsk.ErrorInvalidValue},
}

// alexaError classifies err; anything unknown is an INTERNAL_ERROR.
func alexaError(err error) vsk.Error {
	for _, row := range errorTable {
		if errors.Is(err, row.err) {
			return vsk.Error{Namespace: row.namespace, Type: row.errType, Message: err.Error()}
		}
	}
	return vsk.Error{Namespace: vsk.NamespaceAlexa, Type: vsk.ErrorInternal, Message: err.Error()}
}
