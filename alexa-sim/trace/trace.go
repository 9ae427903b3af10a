// Package trace keeps the timeline of each utterance alexa-sim handles: a
// trace id per /v1/say and its hops (parse, resolve, Lambda invoke, and
// whatever the skill, device-push and the TV report later), each timed by
// the clock of the process that did the work. Other processes learn the
// trace id from the Lambda invoke's client context (see ClientContext) and
// add hops with POST /v1/traces/{id}/hops.
package trace

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"livingroom/internal/tracehops"
	"slices"
	"sync"
	"time"
	"unicode/utf8"
)

// Bounds: a trace store on a laptop must not grow without end, whatever
// other processes post.
const (
	MaxHopsPerTrace = 128
	MaxHopsPerPost  = 32
	maxNameBytes    = 64
	maxDetailBytes  = 512
	// hopWindow is how far from its trace's start a hop may lie; clocks
	// of processes on one machine agree far better than this.
	hopWindow = 10 * time.Minute
)

// Errors of AddHops.
var (
	ErrUnknown = errors.New("no such trace")
	ErrInvalid = errors.New("invalid hop")
	ErrFull    = errors.New("trace holds the most hops it can")
)

// Process names alexa-sim uses for its own hops.
const ProcessAlexaSim = "alexa-sim"

// Hop is one timed step.
type Hop struct {
	Name    string    `json:"name"`
	Process string    `json:"process"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	// OffsetMs is Start relative to the trace's start, DurationMs is
	// End−Start; both are filled in by the store.
	OffsetMs   float64 `json:"offsetMs"`
	DurationMs float64 `json:"durationMs"`
	Detail     string  `json:"detail,omitempty"`
}

// Trace is the timeline of one utterance.
type Trace struct {
	ID         string    `json:"traceId"`
	Utterance  string    `json:"utterance"`
	Start      time.Time `json:"start"`
	EndpointID string    `json:"endpointId,omitempty"`
	MessageID  string    `json:"messageId,omitempty"`
	Hops       []Hop     `json:"hops"`
}

// Store keeps the last traces in memory; safe for concurrent use.
type Store struct {
	now   func() time.Time
	keep  int
	mu    sync.Mutex
	byID  map[string]*Trace
	order []string // oldest first
}

// NewStore keeps the last keep traces.
func NewStore(now func() time.Time, keep int) *Store {
	return &Store{now: now, keep: max(keep, 1), byID: map[string]*Trace{}}
}

// NewID makes a trace id: 16 random bytes in hex, as W3C trace ids are.
func NewID() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails since Go 1.24
	return hex.EncodeToString(b)
}

// Begin starts a trace for an utterance and returns its id.
func (s *Store) Begin(id, utterance string) {
	t := &Trace{ID: id, Utterance: truncate(utterance, 400), Start: s.now().UTC(), Hops: []Hop{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.order) == s.keep {
		delete(s.byID, s.order[0])
		s.order = slices.Delete(s.order, 0, 1)
	}
	s.byID[id] = t
	s.order = append(s.order, id)
}

// Address records which directive the trace sent, so later reports about
// that endpoint can be attached.
func (s *Store) Address(id, endpointID, messageID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.byID[id]; ok {
		t.EndpointID, t.MessageID = endpointID, messageID
	}
}

// AddHops appends hops to a trace after checking each.
func (s *Store) AddHops(id string, hops ...Hop) error {
	if len(hops) > MaxHopsPerPost {
		return fmt.Errorf("%w: %d hops in one report, at most %d", ErrInvalid, len(hops), MaxHopsPerPost)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.byID[id]
	if !ok {
		return ErrUnknown
	}
	for i, h := range hops {
		if err := check(h, t.Start); err != nil {
			return fmt.Errorf("hop %d: %w", i, err)
		}
	}
	if len(t.Hops)+len(hops) > MaxHopsPerTrace {
		return ErrFull
	}
	for _, h := range hops {
		h.Start, h.End = h.Start.UTC(), h.End.UTC()
		h.OffsetMs = ms(h.Start.Sub(t.Start))
		h.DurationMs = ms(h.End.Sub(h.Start))
		t.Hops = append(t.Hops, h)
	}
	slices.SortStableFunc(t.Hops, func(a, b Hop) int { return a.Start.Compare(b.Start) })
	return nil
}

func check(h Hop, start time.Time) error {
	switch {
	case h.Name == "" || len(h.Name) > maxNameBytes || !utf8.ValidString(h.Name):
		return fmt.Errorf("%w: name must be 1 to %d bytes of text", ErrInvalid, maxNameBytes)
	case h.Process == "" || len(h.Process) > maxNameBytes || !utf8.ValidString(h.Process):
		return fmt.Errorf("%w: process must be 1 to %d bytes of text", ErrInvalid, maxNameBytes)
	case len(h.Detail) > maxDetailBytes || !utf8.ValidString(h.Detail):
		return fmt.Errorf("%w: detail must be at most %d bytes of text", ErrInvalid, maxDetailBytes)
	case h.Start.IsZero() || h.End.IsZero():
		return fmt.Errorf("%w: start and end are required", ErrInvalid)
	case h.End.Before(h.Start):
		return fmt.Errorf("%w: end before start", ErrInvalid)
	case h.Start.Before(start.Add(-hopWindow)) || h.End.After(start.Add(hopWindow)):
		return fmt.Errorf("%w: more than %s from the trace's start", ErrInvalid, hopWindow)
	}
	return nil
}

// Get returns a copy of a trace.
func (s *Store) Get(id string) (Trace, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.byID[id]
	if !ok {
		return Trace{}, false
	}
	c := *t
	c.Hops = slices.Clone(t.Hops)
	return c, true
}

// Recent lists the last n traces, newest first.
func (s *Store) Recent(n int) []Trace {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Trace, 0, min(n, len(s.order)))
	for i := len(s.order) - 1; i >= 0 && len(out) < n; i-- {
		t := *s.byID[s.order[i]]
		t.Hops = slices.Clone(t.Hops)
		out = append(out, t)
	}
	return out
}

// LatestFor finds the newest trace addressed to endpointID that started
// within the last window: where a report about that endpoint belongs.
func (s *Store) LatestFor(endpointID string, window time.Duration) (string, bool) {
	if endpointID == "" {
		return "", false
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.order) - 1; i >= 0; i-- {
		t := s.byID[s.order[i]]
		if now.Sub(t.Start) > window {
			return "", false
		}
		if t.EndpointID == endpointID {
			return t.ID, true
		}
	}
	return "", false
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Keys of the Lambda client context that carry a trace to the skill.
const (
	ContextTraceID  = tracehops.ContextTraceID
	ContextHopsURL  = tracehops.ContextHopsURL
	HeaderTraceID   = "X-Livingroom-Trace-Id"
	hopsPathPattern = "%s/v1/traces/%s/hops"
)

// ClientContext is the Lambda Invoke client context (X-Amz-Client-Context,
// base64 JSON) that tells the skill its trace id and where to report hops;
// the skill reads it from lambdacontext.ClientContext.Custom.
func ClientContext(id, baseURL string) string {
	b, _ := json.Marshal(struct {
		Custom map[string]string `json:"custom"`
	}{map[string]string{ContextTraceID: id, ContextHopsURL: fmt.Sprintf(hopsPathPattern, baseURL, id)}})
	return base64.StdEncoding.EncodeToString(b)
}
