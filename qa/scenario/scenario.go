// Package scenario reads and runs QA scenarios: YAML files of steps (say an
// utterance, send a raw directive, invoke the skill with a whole directive,
// inject or clear a fault) each followed by expectations on the skill's
// reply and on the TV's state.
//
// A scenario file:
//
//	name: pause and resume
//	steps:
//	  - say: watch The Handmaid's Tale
//	    expect:
//	      reply: {response.event.header.name: Response}
//	      tv: {playbackState: PLAYING, content.title: Offred}
//	  - fault: {fault: slow_ack, delayMs: 2500}
//	  - clear: all
//
// Paths are dotted keys into the JSON (array items by index: results.0.id).
// An expected value is a scalar (compared as text: 1, "1" and 1.0 are
// equal only when their JSON text is), a list or map (compared as JSON), or
// one operator: {gt: N}, {gte: N}, {lt: N}, {contains: "text"}, {len: N},
// {oneOf: [a, b]}, {absent: true}. Reply expectations hold at once; TV
// and `reported` expectations must hold within `within` (3 s by default),
// since the TV acts after the skill answers and reports after it acted.
package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Bounds on what a scenario file may hold.
const (
	MaxFileBytes     = 256 << 10
	MaxSteps         = 200
	MaxWithin        = 30 * time.Second
	DefaultWithin    = 3 * time.Second
	maxUtteranceSize = 400 // alexa-sim refuses more anyway
)

// Scenario is one file.
type Scenario struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Needs lists what the scenario needs beyond the stack: "fleet" (a
	// `tvapp-sim --fleet` at FLEET_ADDR). Without it the scenario is skipped.
	Needs []string `yaml:"needs"`
	Steps []Step   `yaml:"steps"`

	File string `yaml:"-"` // where it was read from
	Dir  string `yaml:"-"` // relative paths in steps start here
}

// NeedFleet is the need for a fleet of TVs.
const NeedFleet = "fleet"

// Step does one thing, then checks Expect. Exactly one of Say, Directive,
// Invoke, Fault, Clear, Link is set, or none for a step that only expects.
type Step struct {
	Name string `yaml:"name"`
	Say  string `yaml:"say"`
	// EndpointID, with say or directive, picks the TV (the single TV when
	// empty); `tv` expectations then read that TV, a fleet member's state
	// from the fleet.
	EndpointID string         `yaml:"endpointId"`
	Directive  string         `yaml:"directive"` // a file: alexa-sim POST /v1/directive body
	Invoke     string         `yaml:"invoke"`    // a file: a whole Alexa directive for the skill's Lambda
	Fault      map[string]any `yaml:"fault"`     // POST /v1/faults body
	Clear      string         `yaml:"clear"`     // "all" or a fault name: DELETE /v1/faults[/name]
	// Link links an account as Alexa does after sign-in: alexa-sim POST
	// /v1/accounts/link with this token (variables allowed, e.g. ${TOKEN}),
	// which sends Alexa.Authorization.AcceptGrant to the skill.
	Link   string  `yaml:"link"`
	Expect *Expect `yaml:"expect"`
}

// Expect is what must hold after a step.
type Expect struct {
	Status int            `yaml:"status"` // the HTTP status of the step's request; 200 when zero
	Reply  map[string]any `yaml:"reply"`
	TV     map[string]any `yaml:"tv"`
	// Reported is the TV's state as the backend last heard it (the device
	// API's GET /v1/devices/{endpointId}/state): the skill answers from it,
	// so a step that depends on what the TV shows waits for it first.
	Reported map[string]any `yaml:"reported"`
	Within   time.Duration  `yaml:"within"`
}

// Kind names what a step does.
func (s Step) Kind() string {
	switch {
	case s.Say != "":
		return "say"
	case s.Directive != "":
		return "directive"
	case s.Invoke != "":
		return "invoke"
	case s.Fault != nil:
		return "fault"
	case s.Clear != "":
		return "clear"
	case s.Link != "":
		return "link"
	}
	return "expect"
}

// Title is how a step is named in reports.
func (s Step) Title() string {
	if s.Name != "" {
		return s.Name
	}
	switch s.Kind() {
	case "say":
		return fmt.Sprintf("say %q", s.Say)
	case "directive":
		return "directive " + s.Directive
	case "invoke":
		return "invoke " + s.Invoke
	case "fault":
		return fmt.Sprintf("fault %v", s.Fault["fault"])
	case "clear":
		return "clear " + s.Clear
	case "link":
		return "link " + s.Link
	}
	return "expect"
}

// Parse reads one scenario. file names it in errors; dir anchors its paths.
func Parse(b []byte, file, dir string) (Scenario, error) {
	if len(b) > MaxFileBytes {
		return Scenario{}, fmt.Errorf("%s: %d bytes, at most %d", file, len(b), MaxFileBytes)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var sc Scenario
	if err := dec.Decode(&sc); err != nil {
		return Scenario{}, fmt.Errorf("%s: %w", file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return Scenario{}, fmt.Errorf("%s: one document per file", file)
	}
	sc.File, sc.Dir = file, dir
	if err := sc.validate(); err != nil {
		return Scenario{}, fmt.Errorf("%s: %w", file, err)
	}
	return sc, nil
}

func (sc Scenario) validate() error {
	if strings.TrimSpace(sc.Name) == "" {
		return errors.New("no name")
	}
	for _, n := range sc.Needs {
		if n != NeedFleet {
			return fmt.Errorf("needs %q: only %q is known", n, NeedFleet)
		}
	}
	if len(sc.Steps) == 0 || len(sc.Steps) > MaxSteps {
		return fmt.Errorf("%d steps, want 1 to %d", len(sc.Steps), MaxSteps)
	}
	for i, st := range sc.Steps {
		if err := st.validate(); err != nil {
			return fmt.Errorf("step %d (%s): %w", i+1, st.Title(), err)
		}
	}
	return nil
}

func (s Step) validate() error {
	n := 0
	for _, set := range []bool{s.Say != "", s.Directive != "", s.Invoke != "", s.Fault != nil, s.Clear != "", s.Link != ""} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return errors.New("a step does one of say, directive, invoke, fault, clear, link")
	case n == 0 && s.Expect == nil:
		return errors.New("empty step")
	case len(s.Say) > maxUtteranceSize:
		return fmt.Errorf("utterance over %d bytes", maxUtteranceSize)
	case s.EndpointID != "" && s.Say == "" && s.Directive == "":
		return errors.New("endpointId goes with say or directive")
	}
	for _, p := range []string{s.Directive, s.Invoke} {
		if p != "" && (filepath.IsAbs(p) || slices.Contains(strings.Split(filepath.ToSlash(p), "/"), "..")) {
			return fmt.Errorf("%s: a path inside the scenarios directory, please", p)
		}
	}
	if s.Fault != nil {
		if _, ok := s.Fault["fault"].(string); !ok {
			return errors.New("fault wants {fault: name, ...}")
		}
	}
	if e := s.Expect; e != nil {
		if e.Within < 0 || e.Within > MaxWithin {
			return fmt.Errorf("within %v: at most %v", e.Within, MaxWithin)
		}
		for path, want := range e.Reply {
			if err := checkMatcher(path, want); err != nil {
				return err
			}
		}
		for _, m := range []map[string]any{e.TV, e.Reported} {
			for path, want := range m {
				if err := checkMatcher(path, want); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Load reads every *.yaml (and *.yml) file under dir, or the files named,
// sorted by path.
func Load(paths []string) ([]Scenario, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(files)
	var out []Scenario
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		sc, err := Parse(b, f, filepath.Dir(f))
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no scenario in %s", strings.Join(paths, ", "))
	}
	return out, nil
}
