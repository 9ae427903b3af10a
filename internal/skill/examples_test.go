package skill_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"livingroom/internal/vsk/vsktest"
)

// TestEveryOfficialRequestTypeIsHandled sends each of Amazon's sample
// directives (beside the official schema, when it is found) to the skill:
// none may come back INVALID_DIRECTIVE, the answer to a directive the skill
// does not handle. Without the schema the test is skipped, saying how to
// enable it; the project's own golden pairs cover the same directives.
func TestEveryOfficialRequestTypeIsHandled(t *testing.T) {
	schema, err := vsktest.SchemaPath()
	if err != nil {
		t.Skipf("official Alexa samples not found (%v); set ALEXA_SCHEMA to the schema beside examples/ to run this", err)
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(filepath.Dir(schema)), "examples", "*.request.json"))
	if len(files) == 0 {
		t.Skip("no sample requests beside the schema")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".request.json"), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			h, _ := newHandler(t)
			out, err := h.Invoke(context.Background(), raw)
			if err != nil {
				t.Fatal(err)
			}
			vsktest.Validate(t, out)
			var reply struct {
				Event struct {
					Payload struct{ Type string } `json:"payload"`
				} `json:"event"`
			}
			if err := json.Unmarshal(out, &reply); err != nil {
				t.Fatal(err)
			}
			if reply.Event.Payload.Type == "INVALID_DIRECTIVE" {
				t.Fatalf("not handled: %s", out)
			}
		})
	}
}
