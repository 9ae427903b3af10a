package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Validator checks an event against the official Alexa message schema.
type Validator interface {
	Validate(event []byte) error
}

// SchemaValidator validates against Amazon's Alexa Smart Home message
// schema (draft-04). That schema predates parts of the Video Skill API, so
// what it does not know is set aside before validation and checked by the
// gateway's own rules instead: capabilities of interfaces it lacks
// (KeypadController, PlaybackStateReporter, VideoRecorder, UIController,
// MediaDetailsNavigator, and 3.1 versions), properties it lacks
// (playbackState), and whole namespaces it lacks (Alexa.Application,
// Alexa.Video, DeleteReport).
type SchemaValidator struct {
	schema *jsonschema.Schema
}

// LoadSchema compiles the schema file at path.
func LoadSchema(path string) (*SchemaValidator, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open Alexa schema: %w", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("parse Alexa schema %s: %w", path, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	if err := c.AddResource("alexa.json", doc); err != nil {
		return nil, fmt.Errorf("add Alexa schema: %w", err)
	}
	s, err := c.Compile("alexa.json")
	if err != nil {
		return nil, fmt.Errorf("compile Alexa schema: %w", err)
	}
	return &SchemaValidator{schema: s}, nil
}

// interfacesOutsideSchema are video interfaces the schema has no
// definition for; their capabilities are checked by the gateway's rules.
var interfacesOutsideSchema = []string{"Alexa.KeypadController", "Alexa.PlaybackStateReporter", "Alexa.VideoRecorder",
	"Alexa.UIController", "Alexa.MediaDetailsNavigator", "Alexa.Application"}

// propertiesOutsideSchema are state properties the schema lacks.
var propertiesOutsideSchema = []string{"Alexa.PlaybackStateReporter.playbackState", "Alexa.SeekController.positionMilliseconds",
	"Alexa.VideoRecorder.isExtendedRecordingGUIShown", "Alexa.VideoRecorder.storageLevel"}

// Validate checks event; events in namespaces the schema lacks pass here
// (the gateway's own rules still apply).
func (v *SchemaValidator) Validate(event []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(event))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return fmt.Errorf("not a JSON object")
	}
	ev, _ := m["event"].(map[string]any)
	header, _ := ev["header"].(map[string]any)
	ns, _ := header["namespace"].(string)
	name, _ := header["name"].(string)
	if ns == "Alexa.Application" || ns == "Alexa.Video" || name == "DeleteReport" {
		return nil
	}
	if payload, ok := ev["payload"].(map[string]any); ok {
		if eps, ok := payload["endpoints"].([]any); ok {
			for _, e := range eps {
				if ep, ok := e.(map[string]any); ok {
					ep["capabilities"] = pruneCapabilities(ep["capabilities"])
					ep["displayCategories"] = replaceApplication(ep["displayCategories"])
				}
			}
		}
		if change, ok := payload["change"].(map[string]any); ok {
			change["properties"] = pruneProperties(change["properties"])
		}
	}
	if ctx, ok := m["context"].(map[string]any); ok {
		ctx["properties"] = pruneProperties(ctx["properties"])
	}
	if err := v.schema.Validate(doc); err != nil {
		return fmt.Errorf("does not match the Alexa message schema: %w", err)
	}
	return nil
}

func pruneCapabilities(v any) any {
	caps, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]any, 0, len(caps))
	for _, c := range caps {
		cm, ok := c.(map[string]any)
		iface, _ := cm["interface"].(string)
		version, _ := cm["version"].(string)
		if ok && (slices.Contains(interfacesOutsideSchema, iface) || version != "3" && (iface == "Alexa.RemoteVideoPlayer" || iface == "Alexa.Launcher")) {
			continue
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return caps // let the schema judge what is left rather than an empty list
	}
	return out
}

// replaceApplication reads the client library's APPLICATION display
// category, which the schema's enum predates, as OTHER.
func replaceApplication(v any) any {
	cats, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]any, len(cats))
	for i, c := range cats {
		if c == "APPLICATION" {
			c = "OTHER"
		}
		out[i] = c
	}
	return out
}

func pruneProperties(v any) any {
	props, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]any, 0, len(props))
	for _, p := range props {
		pm, ok := p.(map[string]any)
		ns, _ := pm["namespace"].(string)
		name, _ := pm["name"].(string)
		if ok && (slices.Contains(propertiesOutsideSchema, ns+"."+name) || ns == "Alexa.Application") {
			continue
		}
		out = append(out, p)
	}
	return out
}

// The gateway's own rules: facts from the Video Skill API reference, applied
// to every event whatever the schema covers.
var (
	messageIDPattern  = regexp.MustCompile(`^[a-zA-Z0-9\-]{1,127}$`)
	endpointIDPattern = regexp.MustCompile(`^[a-zA-Z0-9_\-=#;:?@&]{1,256}$`)
	causeTypes        = []string{"APP_INTERACTION", "PHYSICAL_INTERACTION", "PERIODIC_POLL", "RULE_TRIGGER", "VOICE_INTERACTION",
		"INVALID_CREDENTIALS", "SUBSCRIPTION_EXPIRED"}
	timeOfSamplePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$`)
)

// maxEndpointsPerReport is the Discovery limit.
const maxEndpointsPerReport = 300

type property struct {
	Namespace                 string          `json:"namespace"`
	Name                      string          `json:"name"`
	Value                     json.RawMessage `json:"value"`
	TimeOfSample              string          `json:"timeOfSample"`
	UncertaintyInMilliseconds *int            `json:"uncertaintyInMilliseconds"`
}

func checkProperties(where string, props []property) error {
	for i, p := range props {
		switch {
		case p.Namespace == "" || p.Name == "":
			return invalid("%s[%d]: namespace and name are required", where, i)
		case len(p.Value) == 0:
			return invalid("%s[%d]: value is required", where, i)
		case !timeOfSamplePattern.MatchString(p.TimeOfSample):
			return invalid("%s[%d].timeOfSample %q: want UTC like 2017-09-27T18:30:30.45Z", where, i, truncateText(p.TimeOfSample, 40))
		case p.UncertaintyInMilliseconds == nil || *p.UncertaintyInMilliseconds < 0:
			return invalid("%s[%d].uncertaintyInMilliseconds must be an integer ≥ 0", where, i)
		}
		if _, err := time.Parse(time.RFC3339, p.TimeOfSample); err != nil {
			return invalid("%s[%d].timeOfSample is not a time", where, i)
		}
	}
	return nil
}

func truncateText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
