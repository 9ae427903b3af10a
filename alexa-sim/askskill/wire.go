package askskill

import "encoding/json"

// The custom skill request and response, as Alexa writes and reads them
// (ASK request and response JSON reference).

type request struct {
	Version string       `json:"version"`
	Session *sessionJSON `json:"session,omitempty"`
	Context contextJSON  `json:"context"`
	Request requestBody  `json:"request"`
}

type sessionJSON struct {
	New         bool            `json:"new"`
	SessionID   string          `json:"sessionId"`
	Application application     `json:"application"`
	Attributes  json.RawMessage `json:"attributes,omitempty"`
	User        user            `json:"user"`
}

type application struct {
	ApplicationID string `json:"applicationId"`
}

type user struct {
	UserID      string `json:"userId"`
	AccessToken string `json:"accessToken,omitempty"`
}

type contextJSON struct {
	System system `json:"System"`
}

type system struct {
	Application application `json:"application"`
	User        user        `json:"user"`
	Device      deviceJSON  `json:"device"`
	APIEndpoint string      `json:"apiEndpoint"`
}

type deviceJSON struct {
	DeviceID            string         `json:"deviceId"`
	SupportedInterfaces map[string]any `json:"supportedInterfaces"`
}

type requestBody struct {
	Type        string  `json:"type"`
	RequestID   string  `json:"requestId"`
	Timestamp   string  `json:"timestamp"`
	Locale      string  `json:"locale"`
	DialogState string  `json:"dialogState,omitempty"`
	Intent      *intent `json:"intent,omitempty"`
	Reason      string  `json:"reason,omitempty"`
}

type intent struct {
	Name               string          `json:"name"`
	ConfirmationStatus string          `json:"confirmationStatus"`
	Slots              map[string]slot `json:"slots,omitempty"`
}

type slot struct {
	Name               string       `json:"name"`
	Value              string       `json:"value,omitempty"`
	ConfirmationStatus string       `json:"confirmationStatus"`
	Source             string       `json:"source,omitempty"`
	Resolutions        *resolutions `json:"resolutions,omitempty"`
}

type resolutions struct {
	PerAuthority []authority `json:"resolutionsPerAuthority"`
}

type authority struct {
	Authority string `json:"authority"`
	Status    struct {
		Code string `json:"code"`
	} `json:"status"`
	Values []resolvedValue `json:"values,omitempty"`
}

type resolvedValue struct {
	Value valueJSON `json:"value"`
}

type valueJSON struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

type responseJSON struct {
	Version           string          `json:"version"`
	SessionAttributes json.RawMessage `json:"sessionAttributes"`
	Response          struct {
		OutputSpeech *struct {
			Type string `json:"type"`
			Text string `json:"text"`
			SSML string `json:"ssml"`
		} `json:"outputSpeech"`
		Card *struct {
			Type    string `json:"type"`
			Title   string `json:"title"`
			Content string `json:"content"`
			Text    string `json:"text"`
		} `json:"card"`
		ShouldEndSession *bool `json:"shouldEndSession"`
	} `json:"response"`
}
