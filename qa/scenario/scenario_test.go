package scenario

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseBad(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"empty", ``, "EOF"},
		{"no name", "steps: [{say: pause}]", "no name"},
		{"no steps", "name: x", "0 steps"},
		{"unknown key", "name: x\nsteps: [{sya: pause}]", "field sya not found"},
		{"unknown expect key", "name: x\nsteps: [{say: pause, expect: {tvv: {}}}]", "field tvv not found"},
		{"two actions", "name: x\nsteps: [{say: pause, link: t}]", "does one of"},
		{"empty step", "name: x\nsteps: [{}]", "empty step"},
		{"absolute file", "name: x\nsteps: [{directive: /etc/passwd}]", "inside the scenarios directory"},
		{"parent file", "name: x\nsteps: [{invoke: ../../secret.json}]", "inside the scenarios directory"},
		{"fault without name", "name: x\nsteps: [{fault: {delayMs: 3}}]", "fault wants"},
		{"within too long", "name: x\nsteps: [{say: pause, expect: {within: 1h}}]", "at most"},
		{"within not a duration", "name: x\nsteps: [{say: pause, expect: {within: soon}}]", "time.Duration"},
		{"operator on a string", "name: x\nsteps: [{say: pause, expect: {tv: {positionMs: {gt: many}}}}]", "wants a number"},
		{"oneOf not a list", "name: x\nsteps: [{say: pause, expect: {tv: {screen: {oneOf: home}}}}]", "wants a list"},
		{"endpoint alone", "name: x\nsteps: [{endpointId: tv, expect: {tv: {}}}]", "goes with say"},
		{"long utterance", "name: x\nsteps: [{say: " + strings.Repeat("a", 401) + "}]", "over 400"},
		{"two documents", "name: x\nsteps: [{say: pause}]\n---\nname: y\n", "one document"},
		{"too many steps", "name: x\nsteps:\n" + strings.Repeat("  - say: pause\n", MaxSteps+1), "steps, want"},
		{"too large", "name: x\n#" + strings.Repeat("a", MaxFileBytes), "at most"},
		{"not a map", "- a\n- b", "cannot unmarshal"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "s.yaml", ".")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestShippedScenariosParse(t *testing.T) {
	scs, err := Load([]string{filepath.Join("..", "scenarios")})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	faults := map[string]bool{}
	for _, sc := range scs {
		if names[sc.Name] {
			t.Errorf("two scenarios named %q", sc.Name)
		}
		names[sc.Name] = true
		for _, st := range sc.Steps {
			if f, ok := st.Fault["fault"].(string); ok {
				faults[f] = true
			}
			for _, p := range []string{st.Directive, st.Invoke} {
				if p == "" {
					continue
				}
				b, err := os.ReadFile(filepath.Join(sc.Dir, p))
				if err != nil || !json.Valid(bytes.ReplaceAll(b, []byte("${"), []byte("$"))) {
					t.Errorf("%s: %s unreadable or not JSON: %v", sc.File, p, err)
				}
			}
		}
	}
	for _, f := range []string{"offline", "slow_ack", "background", "connection_drop", "power_off", "clock_skew"} {
		if !faults[f] {
			t.Errorf("no shipped scenario injects %s", f)
		}
	}
}

func TestMatch(t *testing.T) {
	doc := []byte(`{"a":{"b":"PLAYING","n":1500,"f":1.5,"t":true,"z":null},"list":[{"id":"x"},{"id":"y"}],"tags":["offline"],"empty":[]}`)
	cases := []struct {
		name string
		want map[string]any
		ok   bool
	}{
		{"string", map[string]any{"a.b": "PLAYING"}, true},
		{"string differs", map[string]any{"a.b": "PAUSED"}, false},
		{"int", map[string]any{"a.n": 1500}, true},
		{"float", map[string]any{"a.f": 1.5}, true},
		{"bool", map[string]any{"a.t": true}, true},
		{"null", map[string]any{"a.z": nil}, true},
		{"index", map[string]any{"list.1.id": "y"}, true},
		{"index out of range", map[string]any{"list.2.id": "y"}, false},
		{"missing", map[string]any{"a.q": "x"}, false},
		{"list equal", map[string]any{"tags": []any{"offline"}}, true},
		{"empty list", map[string]any{"empty": []any{}}, true},
		{"gt", map[string]any{"a.n": map[string]any{"gt": 1000}}, true},
		{"gt fails", map[string]any{"a.n": map[string]any{"gt": 2000}}, false},
		{"lt", map[string]any{"a.n": map[string]any{"lt": 2000}}, true},
		{"gte equal", map[string]any{"a.n": map[string]any{"gte": 1500}}, true},
		{"gt on a string", map[string]any{"a.b": map[string]any{"gt": 1}}, false},
		{"contains", map[string]any{"a.b": map[string]any{"contains": "LAY"}}, true},
		{"len", map[string]any{"list": map[string]any{"len": 2}}, true},
		{"oneOf", map[string]any{"a.b": map[string]any{"oneOf": []any{"PAUSED", "PLAYING"}}}, true},
		{"oneOf fails", map[string]any{"a.b": map[string]any{"oneOf": []any{"PAUSED"}}}, false},
		{"absent", map[string]any{"a.q": map[string]any{"absent": true}}, true},
		{"absent null", map[string]any{"a.z": map[string]any{"absent": true}}, true},
		{"absent fails", map[string]any{"a.b": map[string]any{"absent": true}}, false},
		{"map compared as JSON", map[string]any{"list.0": map[string]any{"id": "x"}}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mm, err := Match(doc, tc.want)
			if err != nil {
				t.Fatal(err)
			}
			if (len(mm) == 0) != tc.ok {
				t.Fatalf("mismatches %v, want ok=%v", mm, tc.ok)
			}
		})
	}
	if _, err := Match([]byte(`{`), map[string]any{"a": 1}); err == nil {
		t.Fatal("Match of broken JSON did not fail")
	}
}

// fakeStack answers like alexa-sim and tvapp-sim, enough to run a scenario.
type fakeStack struct {
	mu    sync.Mutex
	state map[string]any
}

func (f *fakeStack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.URL.Path == "/v1/state":
		_ = json.NewEncoder(w).Encode(f.state)
	case r.URL.Path == "/v1/faults":
		_, _ = io.WriteString(w, `{"faults":[]}`)
	case r.URL.Path == "/v1/say":
		var req struct{ Utterance string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		if req.Utterance == "pause" {
			f.state["playbackState"] = "PAUSED"
		}
		_, _ = io.WriteString(w, `{"response":{"event":{"header":{"name":"Response"}}}}`)
	default:
		http.NotFound(w, r)
	}
}

func TestRunAndReport(t *testing.T) {
	srv := httptest.NewServer(&fakeStack{state: map[string]any{"power": "ON", "playbackState": "PLAYING", "endpointId": "tv-1"}})
	defer srv.Close()
	pass, err := Parse([]byte(`
name: pause works
steps:
  - say: pause
    expect: {reply: {response.event.header.name: Response}, tv: {playbackState: PAUSED}}
`), "pass.yaml", ".")
	if err != nil {
		t.Fatal(err)
	}
	fail, err := Parse([]byte(`
name: resume is expected but nothing resumes
steps:
  - say: resume
    expect: {tv: {playbackState: PLAYING, power: "OFF"}, within: 100ms}
`), "fail.yaml", ".")
	if err != nil {
		t.Fatal(err)
	}
	skip, err := Parse([]byte("name: fleet only\nneeds: [fleet]\nsteps: [{say: pause}]"), "skip.yaml", ".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse([]byte("name: x\nneeds: [moon]\nsteps: [{say: pause}]"), "bad.yaml", "."); err == nil {
		t.Fatal("an unknown need was accepted")
	}
	r := NewRunner(Config{AlexaURL: srv.URL, TVURL: srv.URL})
	results := r.RunAll(context.Background(), []Scenario{pass, fail, skip})
	if results[2].Skipped == "" || results[2].Failure != nil {
		t.Fatalf("a scenario needing a fleet ran without one: %+v", results[2])
	}
	if results[0].Failure != nil {
		t.Fatalf("pass failed: %+v", results[0].Failure)
	}
	f := results[1].Failure
	if f == nil || f.Step != 1 {
		t.Fatalf("fail did not fail at step 1: %+v", f)
	}
	for _, s := range []string{"tv.playbackState", "- want PLAYING", `+ got  "PAUSED"`, "tv.power", `"power": "ON"`} {
		if !strings.Contains(f.Detail, s) {
			t.Errorf("the diff lacks %q:\n%s", s, f.Detail)
		}
	}
	var out bytes.Buffer
	if err := Summarise(&out, results); err != ErrFailed {
		t.Fatalf("Summarise: %v", err)
	}
	if !strings.Contains(out.String(), "3 scenarios, 1 passed, 1 failed, 1 skipped") {
		t.Fatalf("summary: %s", out.String())
	}

	var x bytes.Buffer
	if err := WriteJUnit(&x, results, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(x.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit XML does not parse: %v\n%s", err, x.String())
	}
	c := doc.Suites[0].Cases
	if doc.Tests != 3 || doc.Failures != 1 || c[0].Failure != nil || c[1].Failure == nil ||
		!strings.Contains(c[1].Failure.Message, "step 1") || !strings.Contains(c[1].Failure.Text, "want PLAYING") {
		t.Fatalf("JUnit XML: %s", x.String())
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"name: x\nsteps: [{say: pause}]", "name: x\nsteps: [{fault: {fault: offline}, expect: {tv: {a: {gt: 1}}}}]", "{", "- 1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sc, err := Parse(b, "f.yaml", ".")
		if err != nil {
			return
		}
		if sc.Name == "" || len(sc.Steps) == 0 || len(sc.Steps) > MaxSteps {
			t.Fatalf("accepted an invalid scenario: %+v", sc)
		}
	})
}
