package scenario

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Config says where the stack is.
type Config struct {
	AlexaURL  string // alexa-sim, e.g. http://127.0.0.1:8300
	TVURL     string // tvapp-sim, e.g. http://127.0.0.1:8400
	LambdaURL string // the Lambda invoke API, e.g. http://127.0.0.1:3001
	// DeviceAPIURL is the device API, e.g. http://127.0.0.1:3000, where
	// `reported` expectations read the TV's state as the backend has it
	// (with Vars["TOKEN"]).
	DeviceAPIURL string
	// FleetURL is the fleet's tvapp-sim (`--fleet`), "" when there is none:
	// scenarios that need it are skipped then.
	FleetURL string
	// Vars are substituted as ${NAME} in directive and invoke files, beside
	// ENDPOINT_ID and REGISTRATION_ID (the TV's) and MESSAGE_ID (fresh).
	Vars       map[string]string
	HTTPClient *http.Client // a client with a 10 s timeout when nil
	// Log, when set, receives a line per step as it runs.
	Log io.Writer
}

// Result is the outcome of one scenario.
type Result struct {
	Scenario Scenario
	Duration time.Duration
	Steps    int      // steps run (the failed one included)
	Failure  *Failure // nil when it passed
	Skipped  string   // why it did not run, "" when it ran
}

// Failure says which step failed and how.
type Failure struct {
	Step    int // 1-based
	Title   string
	Message string // one line
	Detail  string // the readable diff and the documents compared
}

// maxBody bounds what is read of any answer.
const maxBody = 1 << 20

// Runner runs scenarios against one stack.
type Runner struct {
	cfg Config
}

// NewRunner returns a Runner.
func NewRunner(cfg Config) *Runner {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	for _, u := range []*string{&cfg.AlexaURL, &cfg.TVURL, &cfg.LambdaURL, &cfg.DeviceAPIURL, &cfg.FleetURL} {
		*u = strings.TrimRight(*u, "/")
	}
	return &Runner{cfg: cfg}
}

// RunAll runs the scenarios one after the other.
func (r *Runner) RunAll(ctx context.Context, scs []Scenario) []Result {
	out := make([]Result, 0, len(scs))
	for _, sc := range scs {
		if ctx.Err() != nil {
			break
		}
		out = append(out, r.Run(ctx, sc))
	}
	return out
}

// Run runs one scenario from a clean TV: no fault, powered on.
func (r *Runner) Run(ctx context.Context, sc Scenario) Result {
	began := time.Now()
	res := Result{Scenario: sc}
	fail := func(step int, title, msg, detail string) Result {
		res.Duration = time.Since(began)
		res.Failure = &Failure{Step: step, Title: title, Message: msg, Detail: detail}
		fmt.Fprintf(r.cfg.Log, "  FAIL step %d %s: %s\n", step, title, msg)
		return res
	}
	fmt.Fprintf(r.cfg.Log, "=== %s (%s)\n", sc.Name, sc.File)
	if slices.Contains(sc.Needs, NeedFleet) && r.cfg.FleetURL == "" {
		res.Skipped = "needs a fleet (tvapp-sim --fleet at FLEET_ADDR); none answers"
		fmt.Fprintf(r.cfg.Log, "  skipped: %s\n", res.Skipped)
		return res
	}
	vars, err := r.reset(ctx)
	if err != nil {
		return fail(0, "reset the TV", err.Error(), "")
	}
	for i, st := range sc.Steps {
		res.Steps = i + 1
		fmt.Fprintf(r.cfg.Log, "  step %d: %s\n", i+1, st.Title())
		status, body, err := r.do(ctx, sc, st, vars)
		if err != nil {
			return fail(i+1, st.Title(), err.Error(), "")
		}
		e := st.Expect
		if e == nil {
			e = &Expect{}
		}
		if want := cmp.Or(e.Status, http.StatusOK); st.Kind() != "expect" && status != want {
			return fail(i+1, st.Title(), fmt.Sprintf("HTTP status %d, want %d", status, want), indent(body))
		}
		if len(e.Reply) > 0 {
			mm, err := Match(body, e.Reply)
			if err != nil {
				return fail(i+1, st.Title(), "reply: "+err.Error(), indent(body))
			}
			if len(mm) > 0 {
				return fail(i+1, st.Title(), "reply differs: "+mm[0].String(), diff("reply", mm, body))
			}
		}
		within := cmp.Or(e.Within, DefaultWithin)
		if len(e.TV) > 0 {
			read := r.state
			if st.EndpointID != "" && st.EndpointID != vars["ENDPOINT_ID"] && r.cfg.FleetURL != "" {
				read = func(ctx context.Context) ([]byte, error) { return r.fleetState(ctx, st.EndpointID) }
			}
			mm, state, err := r.wait(ctx, read, e.TV, within)
			if err != nil {
				return fail(i+1, st.Title(), "TV state: "+err.Error(), "")
			}
			if len(mm) > 0 {
				return fail(i+1, st.Title(), fmt.Sprintf("TV state differs after %v: %s", within, mm[0]), diff("tv", mm, state))
			}
		}
		if len(e.Reported) > 0 {
			read := func(ctx context.Context) ([]byte, error) { return r.reported(ctx, vars) }
			mm, state, err := r.wait(ctx, read, e.Reported, within)
			if err != nil {
				return fail(i+1, st.Title(), "reported state: "+err.Error(), "")
			}
			if len(mm) > 0 {
				return fail(i+1, st.Title(), fmt.Sprintf("reported state differs after %v: %s", within, mm[0]), diff("reported", mm, state))
			}
		}
	}
	res.Duration = time.Since(began)
	fmt.Fprintf(r.cfg.Log, "  ok (%v)\n", res.Duration.Round(time.Millisecond))
	return res
}

// reset clears the faults and turns the TV on, and learns the TV's ids.
func (r *Runner) reset(ctx context.Context) (map[string]string, error) {
	if status, body, err := r.send(ctx, http.MethodDelete, r.cfg.TVURL+"/v1/faults", nil); err != nil || status != http.StatusOK {
		return nil, fmt.Errorf("clear faults: %d %s %v", status, body, err)
	}
	st, err := r.state(ctx)
	if err != nil {
		return nil, err
	}
	var s struct {
		Power          string `json:"power"`
		EndpointID     string `json:"endpointId"`
		RegistrationID string `json:"registrationId"`
	}
	if err := json.Unmarshal(st, &s); err != nil {
		return nil, fmt.Errorf("TV state: %w", err)
	}
	if s.Power == "OFF" {
		if status, body, err := r.say(ctx, "turn on the TV", s.EndpointID); err != nil || status != http.StatusOK {
			return nil, fmt.Errorf("turn the TV on: %d %s %v", status, body, err)
		}
		if mm, _, err := r.wait(ctx, r.state, map[string]any{"power": "ON"}, DefaultWithin); err != nil || len(mm) > 0 {
			return nil, fmt.Errorf("the TV did not turn on: %v %v", mm, err)
		}
	}
	vars := map[string]string{"ENDPOINT_ID": s.EndpointID, "REGISTRATION_ID": s.RegistrationID}
	for k, v := range r.cfg.Vars {
		vars[k] = v
	}
	// The skill answers from the state the TV last reported: wait until the
	// backend heard the TV's latest, so the last scenario cannot leak in.
	if r.cfg.DeviceAPIURL != "" {
		st, err := r.state(ctx)
		if err != nil {
			return nil, err
		}
		var last struct {
			LastActionID string `json:"lastActionId"`
			Power        string `json:"power"`
		}
		_ = json.Unmarshal(st, &last)
		want := map[string]any{"lastActionId": last.LastActionID, "power": last.Power}
		read := func(ctx context.Context) ([]byte, error) { return r.reported(ctx, vars) }
		if last.LastActionID != "" {
			if mm, _, err := r.wait(ctx, read, want, DefaultWithin); err != nil || len(mm) > 0 {
				return nil, fmt.Errorf("the backend did not hear the TV's state: %v %v", mm, err)
			}
		}
	}
	return vars, nil
}

// do runs what a step does and returns the answer.
func (r *Runner) do(ctx context.Context, sc Scenario, st Step, vars map[string]string) (int, []byte, error) {
	switch st.Kind() {
	case "say":
		// Addressed to the single TV unless the step names another: with a
		// fleet running, alexa-sim knows many.
		return r.say(ctx, st.Say, cmp.Or(st.EndpointID, vars["ENDPOINT_ID"]))
	case "directive":
		b, err := r.file(sc, st.Directive, vars)
		if err != nil {
			return 0, nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return 0, nil, fmt.Errorf("%s: %w", st.Directive, err)
		}
		if id, _ := m["endpointId"].(string); st.EndpointID != "" || id == "" {
			m["endpointId"] = cmp.Or(st.EndpointID, vars["ENDPOINT_ID"])
		}
		b, _ = json.Marshal(m)
		return r.send(ctx, http.MethodPost, r.cfg.AlexaURL+"/v1/directive", b)
	case "invoke":
		b, err := r.file(sc, st.Invoke, vars)
		if err != nil {
			return 0, nil, err
		}
		status, body, err := r.send(ctx, http.MethodPost, r.cfg.LambdaURL+"/2015-03-31/functions/SkillFunction/invocations", b)
		if err != nil || status != http.StatusOK {
			return status, body, err
		}
		return status, wrapInvoke(body), nil
	case "fault":
		b, err := json.Marshal(st.Fault)
		if err != nil {
			return 0, nil, fmt.Errorf("fault: %w", err)
		}
		return r.send(ctx, http.MethodPost, r.cfg.TVURL+"/v1/faults", b)
	case "link":
		token := os.Expand(st.Link, func(k string) string { return vars[k] })
		b, _ := json.Marshal(map[string]string{"token": token})
		return r.send(ctx, http.MethodPost, r.cfg.AlexaURL+"/v1/accounts/link", b)
	case "clear":
		u := r.cfg.TVURL + "/v1/faults"
		if st.Clear != "all" {
			u += "/" + st.Clear
		}
		return r.send(ctx, http.MethodDelete, u, nil)
	}
	return 0, nil, nil
}

// wrapInvoke shapes the skill's own reply like alexa-sim's: {"response",
// "error": {"type", "message"}} so that scenarios check both alike.
func wrapInvoke(payload []byte) []byte {
	var m struct {
		Event struct {
			Header  struct{ Name string } `json:"header"`
			Payload struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"payload"`
		} `json:"event"`
	}
	out := map[string]any{"response": json.RawMessage(payload)}
	if json.Unmarshal(payload, &m) == nil && m.Event.Header.Name == "ErrorResponse" {
		out["error"] = map[string]string{"type": m.Event.Payload.Type, "message": m.Event.Payload.Message}
	}
	b, _ := json.Marshal(out)
	return b
}

// file reads a step's file (within the scenario's directory) and fills in
// the variables.
func (r *Runner) file(sc Scenario, name string, vars map[string]string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(sc.Dir, filepath.FromSlash(name)))
	if err != nil {
		return nil, err
	}
	if len(b) > 64<<10 {
		return nil, fmt.Errorf("%s: over 64 KB", name)
	}
	s := os.Expand(string(b), func(k string) string {
		if k == "MESSAGE_ID" {
			return newID()
		}
		if v, ok := vars[k]; ok {
			return v
		}
		return "${" + k + "}"
	})
	return []byte(s), nil
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "qa-" + hex.EncodeToString(b)
}

func (r *Runner) say(ctx context.Context, utterance, endpointID string) (int, []byte, error) {
	body, _ := json.Marshal(map[string]string{"utterance": utterance, "endpointId": endpointID})
	return r.send(ctx, http.MethodPost, r.cfg.AlexaURL+"/v1/say", body)
}

func (r *Runner) state(ctx context.Context) ([]byte, error) {
	status, body, err := r.send(ctx, http.MethodGet, r.cfg.TVURL+"/v1/state", nil)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET /v1/state: status %d", status)
	}
	return body, nil
}

// fleetState reads a fleet member's state.
func (r *Runner) fleetState(ctx context.Context, endpointID string) ([]byte, error) {
	status, body, err := r.send(ctx, http.MethodGet, r.cfg.FleetURL+"/tv/"+url.PathEscape(endpointID)+"/v1/state", nil)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET fleet TV %s state: status %d", endpointID, status)
	}
	return body, nil
}

// reported reads the TV's state as the backend last heard it.
func (r *Runner) reported(ctx context.Context, vars map[string]string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.cfg.DeviceAPIURL+"/v1/devices/"+url.PathEscape(vars["ENDPOINT_ID"])+"/state", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+vars["TOKEN"])
	resp, err := r.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotFound {
		return []byte(`{}`), nil // nothing reported yet
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET reported state: status %d", resp.StatusCode)
	}
	return b, nil
}

// wait reads a document until want holds or within passes, and returns
// what still differs with the last document read.
func (r *Runner) wait(ctx context.Context, read func(context.Context) ([]byte, error), want map[string]any, within time.Duration) ([]Mismatch, []byte, error) {
	deadline := time.Now().Add(within)
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := read(ctx)
		if err != nil {
			return nil, nil, err
		}
		mm, err := Match(st, want)
		if err != nil || len(mm) == 0 || time.Now().After(deadline) {
			return mm, st, err
		}
		select {
		case <-ctx.Done():
			return mm, st, ctx.Err()
		case <-tick.C:
		}
	}
}

func (r *Runner) send(ctx context.Context, method, url string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, url, err)
	}
	return resp.StatusCode, b, nil
}

// diff renders the mismatches and the document they were read from.
func diff(what string, mm []Mismatch, doc []byte) string {
	var b strings.Builder
	for _, m := range mm {
		fmt.Fprintf(&b, "  %s.%s\n    - want %s\n    + got  %s\n", what, m.Path, m.Want, m.Got)
	}
	b.WriteString("  " + what + " was:\n" + indent(doc))
	return b.String()
}

// indent pretty-prints JSON (or returns the text as it is), cut at 4 KB.
func indent(doc []byte) string {
	var out bytes.Buffer
	if json.Indent(&out, doc, "    ", "  ") != nil {
		out.Reset()
		out.Write(doc)
	}
	s := "    " + out.String()
	if len(s) > 4096 {
		s = s[:4096] + "\n    …"
	}
	return s + "\n"
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// ErrFailed is returned by Summarise when a scenario failed.
var ErrFailed = errors.New("scenarios failed")

// Summarise writes the failures' diffs and a last line, and returns
// ErrFailed when any failed.
func Summarise(w io.Writer, results []Result) error {
	failed, skipped := 0, 0
	for _, res := range results {
		if res.Skipped != "" {
			skipped++
		}
		if f := res.Failure; f != nil {
			failed++
			fmt.Fprintf(w, "\nFAIL %s (%s), step %d %s:\n  %s\n%s", res.Scenario.Name, res.Scenario.File, f.Step, f.Title, f.Message, f.Detail)
		}
	}
	fmt.Fprintf(w, "\n%d scenarios, %d passed, %d failed, %d skipped\n", len(results), len(results)-failed-skipped, failed, skipped)
	if failed > 0 {
		return ErrFailed
	}
	return nil
}
