package vsk

// Response builds an Alexa.Response to a directive: a fresh message id, the
// directive's correlation token when it had one, and its endpoint echoed
// (see echoEndpoint; the cookie is not echoed).
func Response(d Directive, messageID string, ctx *Context) Message {
	return Message{
		Event: Event{
			Header:   replyHeader(d, "Alexa", "Response", messageID),
			Endpoint: echoEndpoint(d.Endpoint),
			Payload:  struct{}{},
		},
		Context: ctx,
	}
}

// Error is an error Alexa understands: the namespace of the ErrorResponse
// ("Alexa" or "Alexa.Video"), its type and a message for the logs.
type Error struct {
	Namespace  string
	Type       string
	Message    string
	ValidRange *Range // VALUE_OUT_OF_RANGE only
}

// Range is the validRange of a VALUE_OUT_OF_RANGE error.
type Range struct {
	Minimum int `json:"minimumValue"`
	Maximum int `json:"maximumValue"`
}

func (e *Error) Error() string { return e.Namespace + " " + e.Type + ": " + e.Message }

// Error types used by the skill, as the schema spells them.
const (
	ErrorInvalidDirective       = "INVALID_DIRECTIVE"
	ErrorInvalidValue           = "INVALID_VALUE"
	ErrorValueOutOfRange        = "VALUE_OUT_OF_RANGE"
	ErrorNoSuchEndpoint         = "NO_SUCH_ENDPOINT"
	ErrorEndpointUnreachable    = "ENDPOINT_UNREACHABLE"
	ErrorInternal               = "INTERNAL_ERROR"
	ErrorInvalidCredential      = "INVALID_AUTHORIZATION_CREDENTIAL"
	ErrorExpiredCredential      = "EXPIRED_AUTHORIZATION_CREDENTIAL"
	ErrorNotSubscribed          = "NOT_SUBSCRIBED" // namespace Alexa.Video
	NamespaceAlexa              = "Alexa"
	NamespaceVideo              = "Alexa.Video"
	NamespaceAuthorization      = "Alexa.Authorization"
	ErrorAcceptGrantFailed      = "ACCEPT_GRANT_FAILED" // namespace Alexa.Authorization
	ErrorResponseName           = "ErrorResponse"
	ResponseName                = "Response"
	ErrorNotSupportedInMode     = "NOT_SUPPORTED_IN_CURRENT_MODE"
	ErrorActionNotPermitted     = "ACTION_NOT_PERMITTED_FOR_CONTENT" // namespace Alexa.Video
	ErrorTitleDisambiguationReq = "TITLE_DISAMBIGUATION_REQUIRED"    // namespace Alexa.Video
	ErrorRecordingExists        = "RECORDING_EXISTS"                 // namespace Alexa.Video
	ErrorStorageFull            = "STORAGE_FULL"                     // namespace Alexa.Video
	ErrorContentNotRecordable   = "CONTENT_NOT_RECORDABLE"           // namespace Alexa.Video
)

// ErrorResponse builds an ErrorResponse to a directive.
func ErrorResponse(d Directive, messageID string, e Error) Message {
	ns := e.Namespace
	if ns == "" {
		ns = NamespaceAlexa
	}
	return Message{
		Event: Event{
			Header:   replyHeader(d, ns, ErrorResponseName, messageID),
			Endpoint: echoEndpoint(d.Endpoint),
			Payload:  errorPayload(e),
		},
	}
}

// ErrorPayload is the payload of an ErrorResponse.
type ErrorPayload struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	// CurrentDeviceMode is required with NOT_SUPPORTED_IN_CURRENT_MODE.
	CurrentDeviceMode string `json:"currentDeviceMode,omitempty"`
	ValidRange        *Range `json:"validRange,omitempty"`
}

func errorPayload(e Error) ErrorPayload {
	p := ErrorPayload{Type: e.Type, Message: e.Message, ValidRange: e.ValidRange}
	if e.Type == ErrorNotSupportedInMode {
		p.CurrentDeviceMode = "OTHER"
	}
	return p
}

func replyHeader(d Directive, namespace, name, messageID string) Header {
	return Header{
		Namespace:        namespace,
		Name:             name,
		MessageID:        messageID,
		CorrelationToken: d.Header.CorrelationToken,
		PayloadVersion:   PayloadVersion,
	}
}

// echoEndpoint repeats the directive's endpoint id and scope. Only a
// BearerToken scope is repeated: the schema allows no other type in a
// reply, and the scope is optional there.
func echoEndpoint(e *Endpoint) *Endpoint {
	if e == nil || e.EndpointID == "" {
		return nil
	}
	out := &Endpoint{EndpointID: e.EndpointID}
	if e.Scope != nil && e.Scope.Type == ScopeBearerToken && e.Scope.Token != "" {
		out.Scope = e.Scope
	}
	return out
}

// Reply builds a reply event of any namespace and name (Discover.Response,
// StateReport, SeekController StateReport ...): a fresh message id, the
// directive's correlation token and its endpoint echoed.
func Reply(d Directive, namespace, name, messageID string, payload any, ctx *Context) Message {
	if payload == nil {
		payload = struct{}{}
	}
	return Message{
		Event: Event{
			Header:   replyHeader(d, namespace, name, messageID),
			Endpoint: echoEndpoint(d.Endpoint),
			Payload:  payload,
		},
		Context: ctx,
	}
}

// DiscoverResponse builds Alexa.Discovery Discover.Response: no endpoint,
// no correlation token.
func DiscoverResponse(messageID string, endpoints []DiscoveryEndpoint) Message {
	if endpoints == nil {
		endpoints = []DiscoveryEndpoint{}
	}
	return Message{Event: Event{
		Header: Header{Namespace: "Alexa.Discovery", Name: "Discover.Response", MessageID: messageID, PayloadVersion: PayloadVersion},
		Payload: struct {
			Endpoints []DiscoveryEndpoint `json:"endpoints"`
		}{endpoints},
	}}
}

// ScopePayload is the payload of directives that carry the user's scope
// there (Discover).
type ScopePayload struct {
	Scope Scope `json:"scope"`
}

// ChangeReport builds the proactive Alexa ChangeReport event: what changed
// in the payload, the rest of the state in the context. The caller sets the
// endpoint's scope to the gateway token.
func ChangeReport(messageID, endpointID, cause string, changed, unchanged []Property) Message {
	payload := map[string]any{"change": map[string]any{"cause": map[string]string{"type": cause}, "properties": changed}}
	var ctx *Context
	if len(unchanged) > 0 {
		ctx = &Context{Properties: unchanged}
	}
	return Message{
		Event: Event{
			Header:   Header{Namespace: "Alexa", Name: "ChangeReport", MessageID: messageID, PayloadVersion: PayloadVersion},
			Endpoint: &Endpoint{EndpointID: endpointID},
			Payload:  payload,
		},
		Context: ctx,
	}
}
