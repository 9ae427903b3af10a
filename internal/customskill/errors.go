package customskill

import (
	"context"
	"errors"

	"livingroom/internal/account"
	"livingroom/internal/catalog"
	"livingroom/internal/device"
)

// errorResponse is the one table from domain errors to what the user
// hears. Details stay in the logs; the words are fixed.
func errorResponse(err error) Response {
	switch {
	case errors.Is(err, account.ErrNotFound), errors.Is(err, account.ErrExpired):
		// Unlinked, or a token the partner no longer honours: link again.
		l := say("To use Living Room, link your Living Room account in the Alexa app. I've sent a card there.")
		return Response{Version: "1.0", Body: ResponseBody{ResBody: endSession(), OutputSpeech: l.speech(), Card: &Card{Type: "LinkAccount"}}}
	case errors.Is(err, account.ErrNotSubscribed):
		return tell(say("Your Living Room plan doesn't include that."))
	case errors.Is(err, catalog.ErrUnavailable):
		return tell(say("That isn't available to watch right now."))
	case errors.Is(err, catalog.ErrNotFound):
		return tell(say("I couldn't find that in Living Room."))
	case errors.Is(err, device.ErrUnreachable):
		return tell(say("That TV isn't connected right now. Check that the Living Room app is open on it."))
	case errors.Is(err, device.ErrNotFound):
		return tell(say("I couldn't find that TV."))
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return tell(say("Living Room took too long to answer. Please try again."))
	}
	return tell(sorry())
}
