package vsktest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The official samples that are responses or events must pass; a message
// broken in ways the schema forbids must fail.
func TestOfficialSamplesValidate(t *testing.T) {
	path := RequireSchema(t)
	examples := filepath.Join(filepath.Dir(filepath.Dir(path)), "examples")
	files, err := filepath.Glob(filepath.Join(examples, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples in %s: %v", examples, err)
	}
	checked := 0
	for _, f := range files {
		base := filepath.Base(f)
		if strings.Contains(base, ".request.") || strings.Contains(base, ".payload.") || base == "ReportState.json" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(base, func(t *testing.T) { Validate(t, b) })
		checked++
	}
	if checked < 10 {
		t.Fatalf("only %d samples checked", checked)
	}
}

func TestInvalidMessagesFail(t *testing.T) {
	cases := map[string]string{
		"payloadVersion 3.1": `{"event":{"header":{"namespace":"Alexa","name":"Response","messageId":"abc","payloadVersion":"3.1"},"payload":{}}}`,
		"empty correlation":  `{"event":{"header":{"namespace":"Alexa","name":"Response","messageId":"abc","correlationToken":"","payloadVersion":"3"},"payload":{}}}`,
		"bare string":        `"Directive is not supported. Ignoring it."`,
		"error without type": `{"event":{"header":{"namespace":"Alexa","name":"ErrorResponse","messageId":"abc","payloadVersion":"3"},"payload":{"message":"x"}}}`,
		"video bad type":     `{"event":{"header":{"namespace":"Alexa.Video","name":"ErrorResponse","messageId":"abc","payloadVersion":"3"},"payload":{"type":"NOPE","message":"x"}}}`,
	}
	for name, msg := range cases {
		t.Run(name, func(t *testing.T) {
			if err := Check([]byte(msg)); err == nil {
				t.Fatalf("Check accepted %s", msg)
			}
		})
	}
}
