package register

import (
	"regexp"
	"strings"

	"livingroom/internal/vsk"
)

// Values the simulated app announces to Alexa.
const (
	ManufacturerName = "Living Room"
	Description      = "Living Room simulated Fire TV app"
	AppPackageName   = "com.livingroom.tv"
	VSKClientVersion = "sim-1"
)

// Endpoint is what identifies this app instance to Alexa and the backend.
type Endpoint struct {
	EndpointID   string
	FriendlyName string
	DeviceID     string
}

var endpointIDPattern = regexp.MustCompile(`^[a-zA-Z0-9_\-=#;:?@&]{1,256}$`)

// ValidEndpointID reports whether id is a valid Alexa endpoint id.
func ValidEndpointID(id string) bool {
	return endpointIDPattern.MatchString(id)
}

// EndpointIDFor derives an endpoint id from a device id, replacing every
// character Alexa does not allow with "-".
func EndpointIDFor(deviceID string) string {
	id := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("_-=#;:?@&", r):
			return r
		default:
			return '-'
		}
	}, "livingroom-tv-"+deviceID)
	if len(id) > 256 {
		id = id[:256]
	}
	return id
}

// AddOrUpdateReport builds the Alexa.Discovery AddOrUpdateReport event the
// way the Alexa Client Library registers a Fire TV app: the endpoint cookie
// carries the device-messaging registration id as applicationInstanceId. The
// scope carries the account token (in this simulator the account link and
// the client library's registration are one step).
func AddOrUpdateReport(ep Endpoint, registrationID, token, messageID string) vsk.Message {
	return vsk.Message{Event: vsk.Event{
		Header: vsk.Header{
			Namespace:      "Alexa.Discovery",
			Name:           "AddOrUpdateReport",
			PayloadVersion: vsk.PayloadVersion,
			MessageID:      messageID,
		},
		Payload: vsk.AddOrUpdateReportPayload{
			Endpoints: []vsk.DiscoveryEndpoint{{
				EndpointID:        ep.EndpointID,
				ManufacturerName:  ManufacturerName,
				FriendlyName:      ep.FriendlyName,
				Description:       Description,
				DisplayCategories: []string{"TV"},
				Cookie: map[string]string{
					"applicationInstanceId": registrationID,
					"appPackageName":        AppPackageName,
					"deviceId":              ep.DeviceID,
					"VSKClientVersion":      VSKClientVersion,
				},
				Capabilities: capabilities(),
			}},
			Scope: vsk.Scope{Type: vsk.ScopeBearerToken, Token: token},
		},
	}}
}

func capabilities() []vsk.Capability {
	iface := func(name string) vsk.Capability {
		return vsk.Capability{Type: "AlexaInterface", Interface: name, Version: "3"}
	}
	withProperty := func(c vsk.Capability, property string, proactive, retrievable bool) vsk.Capability {
		c.Properties = &vsk.CapabilityProperty{
			Supported:           []vsk.PropertyName{{Name: property}},
			ProactivelyReported: proactive,
			Retrievable:         retrievable,
		}
		return c
	}
	playback := iface("Alexa.PlaybackController")
	playback.SupportedOperations = []string{"Play", "Pause", "Stop", "StartOver", "Previous", "Next", "Rewind", "FastForward"}
	return []vsk.Capability{
		iface("Alexa"),
		iface("Alexa.RemoteVideoPlayer"),
		playback,
		iface("Alexa.SeekController"),
		withProperty(iface("Alexa.ChannelController"), "channel", false, false),
		withProperty(iface("Alexa.EndpointHealth"), "connectivity", false, true),
	}
}
