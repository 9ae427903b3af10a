package nlu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"livingroom/internal/vsk"
	"livingroom/internal/vsk/vsktest"
)

// The official schema describes what skills send, not directives; but its
// common definitions (message id, correlation token, scope, endpoint id,
// payload version) and two property values (a channel, a launch target)
// are exactly the fields of the directives alexa-sim builds, so those
// parts are checked against it.
type directiveSchemas struct {
	header   map[string]*jsonschema.Schema // field → schema
	scope    *jsonschema.Schema
	endpoint *jsonschema.Schema
	channel  *jsonschema.Schema
	target   *jsonschema.Schema
	samples  map[string]map[string]any // "<namespace>.<name>" → Amazon's sample directive
}

var (
	schemasOnce sync.Once
	schemas     *directiveSchemas
	schemasErr  error
)

func loadDirectiveSchemas() (*directiveSchemas, error) {
	schemasOnce.Do(func() {
		path, err := vsktest.SchemaPath()
		if err != nil {
			schemasErr = err
			return
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			schemasErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			schemasErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft4)
		if err := c.AddResource("alexa.json", doc); err != nil {
			schemasErr = err
			return
		}
		compile := func(ptr string) *jsonschema.Schema {
			s, err := c.Compile("alexa.json#" + ptr)
			if err != nil && schemasErr == nil {
				schemasErr = fmt.Errorf("compile %s: %w", ptr, err)
			}
			return s
		}
		d := &directiveSchemas{header: map[string]*jsonschema.Schema{}}
		for field, def := range map[string]string{"messageId": "model.MessageId", "correlationToken": "model.CorrelationToken", "payloadVersion": "model.PayloadVersion"} {
			d.header[field] = compile("/definitions/common/" + def)
		}
		d.scope = compile("/definitions/common/model.Scope")
		d.endpoint = compile("/definitions/common/model.EndpointId")
		var top struct {
			Definitions struct {
				StateProperties struct {
					Items struct {
						AnyOf []struct {
							Properties struct {
								Namespace struct{ Enum []string } `json:"namespace"`
								Name      struct{ Enum []string } `json:"name"`
							} `json:"properties"`
						} `json:"anyOf"`
					} `json:"items"`
				} `json:"state.properties"`
			} `json:"definitions"`
		}
		if err := json.Unmarshal(raw, &top); err != nil {
			schemasErr = err
			return
		}
		for i, p := range top.Definitions.StateProperties.Items.AnyOf {
			key := fmt.Sprint(p.Properties.Namespace.Enum, p.Properties.Name.Enum)
			ptr := fmt.Sprintf("/definitions/state.properties/items/anyOf/%d/properties/value", i)
			switch key {
			case "[Alexa.ChannelController] [channel]":
				d.channel = compile(ptr)
			case "[Alexa.Launcher] [target]":
				d.target = compile(ptr)
			}
		}
		if d.channel == nil || d.target == nil {
			schemasErr = fmt.Errorf("channel or launch target property not found in %s", path)
			return
		}
		d.samples = map[string]map[string]any{}
		files, _ := filepath.Glob(filepath.Join(filepath.Dir(filepath.Dir(path)), "examples", "*.request.json"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				schemasErr = err
				return
			}
			var req vsk.Request
			var m map[string]any
			if json.Unmarshal(b, &req) == nil && json.Unmarshal(b, &m) == nil {
				d.samples[req.Directive.Header.Namespace+"."+req.Directive.Header.Name] = m
			}
		}
		schemas = d
	})
	return schemas, schemasErr
}

// TestOfficialSchemaFound says when the schema checks are not running.
func TestOfficialSchemaFound(t *testing.T) {
	if _, err := loadDirectiveSchemas(); err != nil {
		t.Skipf("official Alexa schema not found, so directives are not compared with it (%v); set %s to the path of alexa_smart_home_message_schema.json to enable", err, vsktest.EnvSchema)
	}
}

func validate(t *testing.T, s *jsonschema.Schema, what string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(doc); err != nil {
		t.Errorf("%s %s does not match the official schema: %v", what, b, err)
	}
}

func checkAgainstSchema(t *testing.T, raw []byte) {
	t.Helper()
	d, err := loadDirectiveSchemas()
	if err != nil {
		return // TestOfficialSchemaFound reports it
	}
	var m struct {
		Directive struct {
			Header   map[string]any `json:"header"`
			Endpoint struct {
				Scope      any `json:"scope"`
				EndpointID any `json:"endpointId"`
			} `json:"endpoint"`
			Payload map[string]any `json:"payload"`
		} `json:"directive"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for field, s := range d.header {
		validate(t, s, "header."+field, m.Directive.Header[field])
	}
	validate(t, d.scope, "endpoint.scope", m.Directive.Endpoint.Scope)
	validate(t, d.endpoint, "endpoint.endpointId", m.Directive.Endpoint.EndpointID)
	switch m.Directive.Header["namespace"].(string) + "." + m.Directive.Header["name"].(string) {
	case "Alexa.ChannelController.ChangeChannel":
		validate(t, d.channel, "payload.channel", m.Directive.Payload["channel"])
	case "Alexa.Launcher.LaunchTarget":
		validate(t, d.target, "payload", m.Directive.Payload)
	}
}

// checkAgainstSample compares the envelope's keys with Amazon's sample for
// the same directive, where there is one.
func checkAgainstSample(t *testing.T, raw []byte) {
	t.Helper()
	d, err := loadDirectiveSchemas()
	if err != nil {
		return
	}
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	h := dig(got, []string{"directive", "header"})
	sample, ok := d.samples[fmt.Sprint(h["namespace"], ".", h["name"])]
	if !ok {
		return
	}
	for _, path := range [][]string{{"directive"}, {"directive", "header"}, {"directive", "endpoint", "scope"}} {
		// Some samples (AdjustSeekPosition) lack the optional correlationToken.
		g := slices.DeleteFunc(keysOf(dig(got, path)), func(k string) bool { return k == "correlationToken" })
		w := slices.DeleteFunc(keysOf(dig(sample, path)), func(k string) bool { return k == "correlationToken" })
		if !slices.Equal(g, w) {
			t.Errorf("%v keys = %v, official sample has %v", path, g, w)
		}
	}
	// Samples differ on the cookie (some have none); ours always has one,
	// as the client library's registration puts the ADM id there.
	for _, k := range []string{"scope", "endpointId"} {
		if _, ok := dig(got, []string{"directive", "endpoint"})[k]; !ok {
			t.Errorf("endpoint lacks %s", k)
		}
	}
}

func dig(m map[string]any, path []string) map[string]any {
	for _, k := range path {
		next, _ := m[k].(map[string]any)
		m = next
	}
	return m
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
