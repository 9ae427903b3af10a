package customskill

import (
	"encoding/json"

	alexa "github.com/arienmalec/alexa-go"
)

// Request is a custom skill request: alexa-go's types, extended here where
// they lack what the skill reads (the request's error, slot resolution
// status, the context's user). Fields declared here shadow alexa-go's of
// the same JSON name.
type Request struct {
	alexa.Request
	Session Session     `json:"session"`
	Body    RequestBody `json:"request"`
	Context Context     `json:"context"`
}

// Session adds typed-later attributes to alexa-go's session: they are
// decoded by the skill into its own bounded state, never trusted as a map.
type Session struct {
	alexa.Session
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// Context adds System.user, which alexa-go leaves out.
type Context struct {
	System struct {
		Application struct {
			ApplicationID string `json:"applicationId"`
		} `json:"application"`
		User struct {
			UserID      string `json:"userId"`
			AccessToken string `json:"accessToken,omitempty"`
		} `json:"user"`
	} `json:"System"`
}

// RequestBody adds the SessionEndedRequest error and slot resolution
// status to alexa-go's request body.
type RequestBody struct {
	alexa.ReqBody
	Intent Intent        `json:"intent"`
	Error  *RequestError `json:"error,omitempty"`
}

// RequestError is why a session ended with ERROR.
type RequestError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// Intent is alexa-go's with slots that carry resolution status.
type Intent struct {
	Name  string          `json:"name"`
	Slots map[string]Slot `json:"slots"`
}

// Slot is alexa-go's slot with the entity-resolution status code.
type Slot struct {
	alexa.Slot
	Resolutions struct {
		PerAuthority []struct {
			Status struct {
				Code string `json:"code"`
			} `json:"status"`
			Values []struct {
				Value struct {
					Name string `json:"name"`
					ID   string `json:"id"`
				} `json:"value"`
			} `json:"values"`
		} `json:"resolutionsPerAuthority"`
	} `json:"resolutions"`
}

// resolvedID is the id entity resolution matched ("" when none did).
func (s Slot) resolvedID() string {
	for _, a := range s.Resolutions.PerAuthority {
		if a.Status.Code == "ER_SUCCESS_MATCH" && len(a.Values) > 0 {
			return a.Values[0].Value.ID
		}
	}
	return ""
}

// Response is alexa-go's envelope with a body whose cards and speech carry
// no empty image object (alexa-go's Payload always encodes one).
type Response struct {
	Version           string         `json:"version"`
	SessionAttributes map[string]any `json:"sessionAttributes,omitempty"`
	Body              ResponseBody   `json:"response"`
}

// ResponseBody shadows alexa-go's speech, card and reprompt.
type ResponseBody struct {
	alexa.ResBody
	OutputSpeech *Speech   `json:"outputSpeech,omitempty"`
	Card         *Card     `json:"card,omitempty"`
	Reprompt     *Reprompt `json:"reprompt,omitempty"`
}

// Speech is SSML output speech.
type Speech struct {
	Type string `json:"type"`
	SSML string `json:"ssml,omitempty"`
	Text string `json:"text,omitempty"`
}

// Card is a Simple or LinkAccount card.
type Card struct {
	Type    string `json:"type"`
	Title   string `json:"title,omitempty"`
	Content string `json:"content,omitempty"`
}

// Reprompt is what Alexa says when the user says nothing.
type Reprompt struct {
	OutputSpeech Speech `json:"outputSpeech"`
}

type alexaResBody = alexa.ResBody
