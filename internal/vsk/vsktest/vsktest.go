// Package vsktest validates messages a skill emits against Amazon's official
// Alexa Smart Home message schema (draft-04). The schema is not part of the
// repository: it is found at the path in ALEXA_SCHEMA, or in
// shared/alexa/schema beside the checkout (where the project's own machines
// keep it). In a clone without it, Validate checks only the envelope every
// message must have and logs how to enable the full comparison, so a user's
// clone still passes its tests. Messages in namespaces the schema does not
// cover (Alexa.Video error responses) are checked against the documented
// shape.
package vsktest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// EnvSchema overrides where the schema file is found.
const EnvSchema = "ALEXA_SCHEMA"

const schemaRel = "shared/alexa/schema/alexa_smart_home_message_schema.json"

// ErrNoSchema reports that the official schema file was not found.
var ErrNoSchema = errors.New("official Alexa schema not found")

// HowToEnable says how to turn the schema comparisons on.
const HowToEnable = "set " + EnvSchema + " to the path of alexa_smart_home_message_schema.json (from github.com/alexa/alexa-smarthome, validation_schemas/) to compare against the official schema"

var (
	loadOnce sync.Once
	compiled *jsonschema.Schema
	loadErr  error
)

// SchemaPath finds the schema file: ALEXA_SCHEMA, or shared/alexa/schema in
// the working directory or any parent, or beside any parent.
func SchemaPath() (string, error) {
	if p := os.Getenv(EnvSchema); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("find schema: %s=%s: %w", EnvSchema, p, err)
		}
		return p, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find schema: %w", err)
	}
	for {
		for _, candidate := range []string{filepath.Join(dir, schemaRel), filepath.Join(dir, "..", schemaRel)} {
			if _, err := os.Stat(candidate); err == nil {
				return candidate, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("find schema: %s not found above the working directory: %w", schemaRel, ErrNoSchema)
		}
		dir = parent
	}
}

func schema() (*jsonschema.Schema, error) {
	loadOnce.Do(func() {
		path, err := SchemaPath()
		if err != nil {
			loadErr = err
			return
		}
		f, err := os.Open(path)
		if err != nil {
			loadErr = fmt.Errorf("open schema: %w", err)
			return
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			loadErr = fmt.Errorf("parse schema %s: %w", path, err)
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft4)
		if err := c.AddResource("alexa.json", doc); err != nil {
			loadErr = fmt.Errorf("add schema: %w", err)
			return
		}
		compiled, loadErr = c.Compile("alexa.json")
	})
	return compiled, loadErr
}

// Check validates one message and returns what is wrong with it.
func Check(msg []byte) error {
	var head struct {
		Event struct {
			Header struct {
				Namespace string `json:"namespace"`
			} `json:"header"`
		} `json:"event"`
	}
	if err := json.Unmarshal(msg, &head); err != nil {
		return fmt.Errorf("not a JSON Alexa message: %w", err)
	}
	switch head.Event.Header.Namespace {
	case "Alexa.Video":
		return checkVideoError(msg)
	case "Alexa.VideoRecorder":
		return checkVideoRecorder(msg)
	case "Alexa.Discovery":
		stripped, err := stripUncovered(msg)
		if err != nil {
			return err
		}
		msg = stripped
	}
	s, err := schema()
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(msg))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if err := s.Validate(doc); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	return nil
}

// Validate fails the test when msg is not a valid Alexa message. Without
// the official schema it checks the envelope only and says so in the log.
func Validate(t testing.TB, msg []byte) {
	t.Helper()
	err := Check(msg)
	if errors.Is(err, ErrNoSchema) {
		if envErr := checkEnvelope(msg); envErr != nil {
			t.Fatalf("invalid Alexa message: %v\n%s", envErr, msg)
		}
		t.Logf("schema comparison skipped (envelope checked only): %s", HowToEnable)
		return
	}
	if err != nil {
		t.Fatalf("invalid Alexa message: %v\n%s", err, msg)
	}
}

// CheckAvailable is Check for places that cannot log (a handler goroutine):
// without the official schema it checks the envelope only.
func CheckAvailable(msg []byte) error {
	if err := Check(msg); !errors.Is(err, ErrNoSchema) {
		return err
	}
	return checkEnvelope(msg)
}

// RequireSchema skips a test whose only point is the comparison with the
// official schema, when the schema is not there.
func RequireSchema(t testing.TB) string {
	t.Helper()
	path, err := SchemaPath()
	if errors.Is(err, ErrNoSchema) {
		t.Skipf("official schema not found: %s", HowToEnable)
	}
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// checkEnvelope checks what every message a skill sends must have, for
// clones without the official schema: an event with a header in payload
// version 3, a valid message id, a namespace and a name, and a payload.
func checkEnvelope(msg []byte) error {
	var m struct {
		Event *struct {
			Header struct {
				Namespace, Name, MessageID, PayloadVersion string
				CorrelationToken                           *string
			} `json:"header"`
			Payload json.RawMessage `json:"payload"`
		} `json:"event"`
	}
	if err := json.Unmarshal(msg, &m); err != nil {
		return fmt.Errorf("not a JSON Alexa message: %w", err)
	}
	if m.Event == nil {
		return errors.New("no event")
	}
	h := m.Event.Header
	var errs []error
	if h.Namespace == "" || h.Name == "" {
		errs = append(errs, errors.New("header without namespace or name"))
	}
	if h.PayloadVersion != "3" {
		errs = append(errs, fmt.Errorf("payloadVersion %q, want 3", h.PayloadVersion))
	}
	if !messageIDPattern.MatchString(h.MessageID) {
		errs = append(errs, fmt.Errorf("messageId %q does not match the pattern", h.MessageID))
	}
	if h.CorrelationToken != nil && *h.CorrelationToken == "" {
		errs = append(errs, errors.New("empty correlationToken"))
	}
	if len(m.Event.Payload) == 0 || m.Event.Payload[0] != '{' {
		errs = append(errs, errors.New("payload is not an object"))
	}
	return errors.Join(errs...)
}

var (
	messageIDPattern = regexp.MustCompile(`^[a-zA-Z0-9\-]{1,127}$`)
	videoErrorTypes  = map[string]bool{
		"NOT_SUBSCRIBED": true, "ACTION_NOT_PERMITTED_FOR_CONTENT": true, "CONFIRMATION_REQUIRED": true,
		"CONTENT_NOT_RECORDABLE": true, "RECORDING_EXISTS": true, "STORAGE_FULL": true,
		"TITLE_DISAMBIGUATION_REQUIRED": true, "TUNER_OCCUPIED": true,
	}
)

// checkVideoError checks an Alexa.Video ErrorResponse against the shape in
// the Video Skill API reference, since the schema has no such namespace.
func checkVideoError(msg []byte) error {
	var m struct {
		Event struct {
			Header struct {
				Namespace, Name, MessageID, PayloadVersion string
				CorrelationToken                           *string
			} `json:"header"`
			Payload struct {
				Type    string  `json:"type"`
				Message *string `json:"message"`
			} `json:"payload"`
		} `json:"event"`
	}
	dec := json.NewDecoder(bytes.NewReader(msg))
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("Alexa.Video message: %w", err)
	}
	h := m.Event.Header
	var errs []error
	if h.Name != "ErrorResponse" {
		errs = append(errs, fmt.Errorf("Alexa.Video: name %q, want ErrorResponse", h.Name))
	}
	if h.PayloadVersion != "3" {
		errs = append(errs, fmt.Errorf("Alexa.Video: payloadVersion %q, want 3", h.PayloadVersion))
	}
	if !messageIDPattern.MatchString(h.MessageID) {
		errs = append(errs, fmt.Errorf("Alexa.Video: messageId %q does not match the pattern", h.MessageID))
	}
	if h.CorrelationToken != nil && *h.CorrelationToken == "" {
		errs = append(errs, errors.New("Alexa.Video: empty correlationToken"))
	}
	if !videoErrorTypes[m.Event.Payload.Type] {
		errs = append(errs, fmt.Errorf("Alexa.Video: unknown error type %q", m.Event.Payload.Type))
	}
	if m.Event.Payload.Message == nil {
		errs = append(errs, errors.New("Alexa.Video: payload.message is required"))
	}
	return errors.Join(errs...)
}

// NotInSchema lists the interfaces the official schema does not cover. A
// Discovery message advertising them is checked against the Video Skill API
// reference for those capabilities, and against the schema for the rest.
var NotInSchema = map[string]func(capability map[string]any) error{
	// keys: the KeypadController keys Alexa documents (BACK per the SDK).
	"Alexa.KeypadController": func(c map[string]any) error {
		allowed := map[string]bool{"UP": true, "DOWN": true, "LEFT": true, "RIGHT": true, "SELECT": true, "BACK": true,
			"INFO": true, "MORE": true, "PAGE_UP": true, "PAGE_DOWN": true, "PAGE_LEFT": true, "PAGE_RIGHT": true}
		keys, _ := c["keys"].([]any)
		if len(keys) == 0 {
			return errors.New("KeypadController without keys")
		}
		for _, k := range keys {
			if s, _ := k.(string); !allowed[s] {
				return fmt.Errorf("KeypadController key %v is not documented", k)
			}
		}
		return nil
	},
	"Alexa.VideoRecorder":         func(map[string]any) error { return nil },
	"Alexa.PlaybackStateReporter": func(map[string]any) error { return nil },
}

// stripUncovered checks the capabilities the schema does not cover and
// returns the message without them, for the schema to check the rest.
func stripUncovered(msg []byte) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(msg, &m); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	event, _ := m["event"].(map[string]any)
	payload, _ := event["payload"].(map[string]any)
	endpoints, _ := payload["endpoints"].([]any)
	for _, e := range endpoints {
		ep, _ := e.(map[string]any)
		caps, _ := ep["capabilities"].([]any)
		kept := caps[:0:0]
		for _, c := range caps {
			capability, _ := c.(map[string]any)
			iface, _ := capability["interface"].(string)
			check, uncovered := NotInSchema[iface]
			if !uncovered {
				kept = append(kept, c)
				continue
			}
			if capability["type"] != "AlexaInterface" || capability["version"] != "3" {
				return nil, fmt.Errorf("%s: type must be AlexaInterface and version 3", iface)
			}
			if err := check(capability); err != nil {
				return nil, err
			}
		}
		if ep != nil {
			ep["capabilities"] = kept
		}
	}
	return json.Marshal(m)
}

// checkVideoRecorder checks an Alexa.VideoRecorder event against the shape
// in the Video Skill API reference (§8.5), since the schema has no such
// namespace.
func checkVideoRecorder(msg []byte) error {
	if err := checkEnvelope(msg); err != nil {
		return fmt.Errorf("Alexa.VideoRecorder: %w", err)
	}
	var m struct {
		Event struct {
			Header  struct{ Name string } `json:"header"`
			Payload struct {
				RecordingStatus string `json:"recordingStatus"`
			} `json:"payload"`
		} `json:"event"`
	}
	if err := json.Unmarshal(msg, &m); err != nil {
		return fmt.Errorf("Alexa.VideoRecorder: %w", err)
	}
	if m.Event.Header.Name != "SearchAndRecord.Response" {
		return fmt.Errorf("Alexa.VideoRecorder: name %q, want SearchAndRecord.Response", m.Event.Header.Name)
	}
	if s := m.Event.Payload.RecordingStatus; s != "SCHEDULED" && s != "STARTED" {
		return fmt.Errorf("Alexa.VideoRecorder: recordingStatus %q, want SCHEDULED or STARTED", s)
	}
	return nil
}
