package emf

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"livingroom/internal/goldentest"
)

var at = time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)

func TestGolden(t *testing.T) {
	tests := []struct {
		name  string
		write func(*Writer)
	}{
		{"directive_ok", func(w *Writer) { w.Directive("Alexa.RemoteVideoPlayer.SearchAndPlay", "", 12345*time.Microsecond) }},
		{"directive_error", func(w *Writer) {
			w.Directive("Alexa.PowerController.TurnOn", "ENDPOINT_UNREACHABLE", 3*time.Millisecond)
		}},
		{"request_ok", func(w *Writer) { w.Request("POST /v1/devices", 201, 8*time.Millisecond) }},
		{"request_5xx", func(w *Writer) { w.Request("PUT /v1/devices/{id}/state", 500, time.Second) }},
		{"export_ok", func(w *Writer) { w.Export(90*time.Second, 120000, 3, "") }},
		{"export_failed", func(w *Writer) { w.Export(2*time.Second, 0, 0, "REFUSED") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := New(&buf, "skill", func() time.Time { return at })
			tt.write(w)
			checkEMF(t, buf.Bytes())
			goldentest.Assert(t, filepath.Join("testdata", tt.name+".jsonl"), buf.Bytes())
		})
	}
}

// checkEMF checks each line against the EMF specification's rules: every
// metric and every dimension named in _aws is a member of the record, the
// dimension values are strings, metric values numbers.
func checkEMF(t *testing.T, out []byte) {
	t.Helper()
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("not JSON: %s", line)
		}
		var meta struct {
			AWS struct {
				Timestamp         int64
				CloudWatchMetrics []struct {
					Namespace  string
					Dimensions [][]string
					Metrics    []struct{ Name, Unit string }
				}
			} `json:"_aws"`
		}
		if err := json.Unmarshal(line, &meta); err != nil || meta.AWS.Timestamp != at.UnixMilli() || len(meta.AWS.CloudWatchMetrics) != 1 {
			t.Fatalf("bad _aws member: %s", line)
		}
		d := meta.AWS.CloudWatchMetrics[0]
		if d.Namespace != Namespace || len(d.Metrics) == 0 {
			t.Errorf("bad directive: %s", line)
		}
		for _, set := range d.Dimensions {
			if len(set) == 0 || len(set) > 30 {
				t.Errorf("dimension set %v: want 1..30 names", set)
			}
			for _, k := range set {
				if _, ok := rec[k].(string); !ok {
					t.Errorf("dimension %s is not a string member: %s", k, line)
				}
			}
		}
		for _, m := range d.Metrics {
			if _, ok := rec[m.Name].(float64); !ok {
				t.Errorf("metric %s is not a number member: %s", m.Name, line)
			}
		}
	}
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("closed") }

func TestWriteFailureCountedNotPanicking(t *testing.T) {
	w := New(failing{}, "device-api", time.Now)
	w.Directive("Alexa.Discovery.Discover", "INTERNAL_ERROR", time.Millisecond)
	if w.Failed() != 2 {
		t.Errorf("Failed() = %d, want 2", w.Failed())
	}
}
