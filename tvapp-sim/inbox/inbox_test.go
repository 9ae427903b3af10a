package inbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestKeepsTheLast100OldestFirst(t *testing.T) {
	in := New()
	for i := range 150 {
		in.Add(fmt.Sprintf("m%d", i), "t", map[string]string{"i": fmt.Sprint(i)}, "applied")
	}
	got := in.List()
	if len(got) != Capacity || got[0].MessageID != "m50" || got[99].MessageID != "m149" {
		t.Fatalf("%d entries, first %s, last %s", len(got), got[0].MessageID, got[len(got)-1].MessageID)
	}
}

func TestBoundsGarbage(t *testing.T) {
	huge := map[string]string{}
	for i := range 40 {
		huge[fmt.Sprintf("k%02d", i)] = "v"
	}
	tests := []struct {
		name      string
		id        string
		data      map[string]string
		check     func(Entry) bool
		truncated bool
	}{
		{"nil data", "m", nil, func(e Entry) bool { return e.Data != nil && len(e.Data) == 0 }, false},
		{"long id", strings.Repeat("i", 1000), nil, func(e Entry) bool { return len(e.MessageID) == maxIDBytes }, true},
		{"long value", "m", map[string]string{"k": strings.Repeat("é", 1000)}, func(e Entry) bool {
			return len(e.Data["k"]) <= maxValueByte && strings.HasPrefix(strings.Repeat("é", 1000), e.Data["k"])
		}, true},
		{"long key", "m", map[string]string{strings.Repeat("k", 500): "v"}, func(e Entry) bool { return e.Data[strings.Repeat("k", maxKeyBytes)] == "v" }, true},
		{"40 keys", "m", huge, func(e Entry) bool { return len(e.Data) == maxKeys && e.Data["k00"] == "v" }, true},
		{"ordinary", "m", map[string]string{"a": "1"}, func(e Entry) bool { return e.Data["a"] == "1" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := New()
			in.Add(tt.id, "t", tt.data, "invalid")
			e := in.List()[0]
			if !tt.check(e) || e.Truncated != tt.truncated {
				t.Errorf("entry %+v", e)
			}
		})
	}
}

func TestServeHTTP(t *testing.T) {
	in := New()
	rec := httptest.NewRecorder()
	in.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, Path, nil))
	if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != "[]" {
		t.Fatalf("empty inbox: %d %s", rec.Code, rec.Body)
	}
	in.Add("m1", "2026-01-01T00:00:00.000Z", map[string]string{"a": "1"}, "applied")
	rec = httptest.NewRecorder()
	in.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, Path, nil))
	var got []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(got) != 1 {
		t.Fatalf("%v %s", err, rec.Body)
	}
	for _, k := range []string{"messageId", "receivedAt", "data", "outcome"} {
		if _, ok := got[0][k]; !ok {
			t.Errorf("no %q in %s", k, rec.Body)
		}
	}
	rec = httptest.NewRecorder()
	in.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, Path, nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}
}
