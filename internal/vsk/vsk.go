// Package vsk holds the wire types of the Alexa Video Skill API (payload
// version 3): directives that Alexa sends, and the responses and events a
// skill sends back, with builders that get the details right (fresh message
// ids, echoed correlation tokens, schema-valid timestamps).
package vsk

import (
	"encoding/json"
	"time"
)

// PayloadVersion is the only version written on output.
const PayloadVersion = "3"

// TimeLayout formats timeOfSample the way the official schema accepts:
// UTC, "Z", at most three fractional digits.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// Scope types.
const (
	ScopeBearerToken = "BearerToken"
)

// Request is what Alexa sends: one directive.
type Request struct {
	Directive Directive `json:"directive"`
}

// Directive is a command for one endpoint.
type Directive struct {
	Header   Header          `json:"header"`
	Endpoint *Endpoint       `json:"endpoint,omitempty"`
	Payload  json.RawMessage `json:"payload"`
}

// Header identifies a directive or event.
type Header struct {
	Namespace        string `json:"namespace"`
	Name             string `json:"name"`
	MessageID        string `json:"messageId"`
	CorrelationToken string `json:"correlationToken,omitempty"`
	PayloadVersion   string `json:"payloadVersion"`
}

// Endpoint names the device a directive is for.
type Endpoint struct {
	Scope      *Scope            `json:"scope,omitempty"`
	EndpointID string            `json:"endpointId"`
	Cookie     map[string]string `json:"cookie,omitempty"`
}

// Scope carries the user's credentials. Several variants exist; all their
// fields are kept so a scope can be echoed as received.
type Scope struct {
	Type           string `json:"type"`
	Token          string `json:"token,omitempty"`
	DirectedUserID string `json:"directedUserId,omitempty"`
	Partition      string `json:"partition,omitempty"`
	UserID         string `json:"userId,omitempty"`
	SkillID        string `json:"skillId,omitempty"`
	SkillStage     string `json:"skillStage,omitempty"`
}

// Message is a response or event sent to Alexa.
type Message struct {
	Event   Event    `json:"event"`
	Context *Context `json:"context,omitempty"`
}

// Event is the body of a Message.
type Event struct {
	Header   Header    `json:"header"`
	Endpoint *Endpoint `json:"endpoint,omitempty"`
	Payload  any       `json:"payload"`
}

// Context carries endpoint properties.
type Context struct {
	Properties []Property `json:"properties"`
}

// Property is one reported state value.
type Property struct {
	Namespace                 string `json:"namespace"`
	Name                      string `json:"name"`
	Value                     any    `json:"value"`
	TimeOfSample              string `json:"timeOfSample"`
	UncertaintyInMilliseconds int    `json:"uncertaintyInMilliseconds"`
}

// FormatTime formats t for timeOfSample.
func FormatTime(t time.Time) string {
	return t.UTC().Format(TimeLayout)
}

// DiscoveryEndpoint describes an endpoint in Discover.Response and
// AddOrUpdateReport.
type DiscoveryEndpoint struct {
	EndpointID        string            `json:"endpointId"`
	ManufacturerName  string            `json:"manufacturerName"`
	FriendlyName      string            `json:"friendlyName"`
	Description       string            `json:"description"`
	DisplayCategories []string          `json:"displayCategories"`
	Cookie            map[string]string `json:"cookie,omitempty"`
	Capabilities      []Capability      `json:"capabilities"`
}

// Capability is one interface an endpoint supports.
type Capability struct {
	Type                string              `json:"type"`
	Interface           string              `json:"interface"`
	Version             string              `json:"version"`
	Properties          *CapabilityProperty `json:"properties,omitempty"`
	SupportedOperations []string            `json:"supportedOperations,omitempty"`
	Keys                []string            `json:"keys,omitempty"`   // KeypadController
	Inputs              []InputName         `json:"inputs,omitempty"` // InputController
}

// InputName names an input InputController can select.
type InputName struct {
	Name string `json:"name"`
}

// CapabilityProperty lists the properties an interface reports.
type CapabilityProperty struct {
	Supported           []PropertyName `json:"supported"`
	ProactivelyReported bool           `json:"proactivelyReported"`
	Retrievable         bool           `json:"retrievable"`
}

// PropertyName names a supported property.
type PropertyName struct {
	Name string `json:"name"`
}

// AddOrUpdateReportPayload is the payload of Alexa.Discovery.AddOrUpdateReport.
type AddOrUpdateReportPayload struct {
	Endpoints []DiscoveryEndpoint `json:"endpoints"`
	Scope     Scope               `json:"scope"`
}

// EntityPayload is the payload of RemoteVideoPlayer SearchAndPlay and
// SearchAndDisplayResults.
type EntityPayload struct {
	Entities   []Entity    `json:"entities"`
	SearchText *SearchText `json:"searchText,omitempty"`
	TimeWindow *TimeWindow `json:"timeWindow,omitempty"`
}

// Entity is one resolved slot of a video search.
type Entity struct {
	Type        string            `json:"type"`
	Value       string            `json:"value"`
	ExternalIDs map[string]string `json:"externalIds,omitempty"`
	URI         string            `json:"uri,omitempty"`
	// EntityMetadata is documented for Channel entities only.
	EntityMetadata *EntityMetadata `json:"entityMetadata,omitempty"`
}

// EntityMetadata of a Channel entity. The number is documented as an
// integer; a string is tolerated.
type EntityMetadata struct {
	ChannelNumber   json.RawMessage `json:"channelNumber,omitempty"`
	ChannelCallSign string          `json:"channelCallSign,omitempty"`
}

// SearchText is the raw transcription.
type SearchText struct {
	Transcribed string `json:"transcribed"`
}

// TimeWindow bounds live content.
type TimeWindow struct {
	Start string `json:"start"`
	End   string `json:"end"`
}
