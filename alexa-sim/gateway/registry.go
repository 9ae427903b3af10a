// Package gateway is alexa-sim's event gateway (POST /v3/events): it keeps
// the endpoints apps register through Alexa.Discovery events, the way the
// Alexa Client Library registers a Fire TV app, and the last ChangeReports.
package gateway

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"
)

// Endpoint is a registered device endpoint.
type Endpoint struct {
	EndpointID   string            `json:"endpointId"`
	FriendlyName string            `json:"friendlyName"`
	Cookie       map[string]string `json:"cookie"`
	// Token is the linked account's token from the report's scope; Alexa
	// sends it back as the BearerToken scope of every directive.
	Token string `json:"token"`
	// Capabilities are kept as registered, fields unknown to vsk included.
	Capabilities []json.RawMessage `json:"capabilities"`
	RegisteredAt time.Time         `json:"registeredAt"`
}

// Event is an event kept as received, with the gateway's answer.
type Event struct {
	Namespace        string          `json:"namespace"`
	Name             string          `json:"name"`
	MessageID        string          `json:"messageId,omitempty"`
	CorrelationToken string          `json:"correlationToken,omitempty"`
	EndpointID       string          `json:"endpointId,omitempty"`
	ReceivedAt       time.Time       `json:"receivedAt"`
	Status           int             `json:"status,omitempty"`
	Code             string          `json:"code,omitempty"`
	Description      string          `json:"description,omitempty"`
	Body             json.RawMessage `json:"body"`
}

// Registry is the in-memory endpoint store; safe for concurrent use.
type Registry struct {
	now     func() time.Time
	keep    int
	mu      sync.RWMutex
	byID    map[string]Endpoint
	changes []Event // oldest first, at most keep
}

// NewRegistry returns an empty registry that keeps the last keep
// ChangeReports.
func NewRegistry(now func() time.Time, keep int) *Registry {
	return &Registry{now: now, keep: max(keep, 0), byID: map[string]Endpoint{}}
}

// Put adds or replaces endpoints, stamping them with the current time.
func (r *Registry) Put(eps ...Endpoint) {
	at := r.now().UTC()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ep := range eps {
		ep.RegisteredAt = at
		if ep.Cookie == nil {
			ep.Cookie = map[string]string{}
		}
		if ep.Capabilities == nil {
			ep.Capabilities = []json.RawMessage{}
		}
		r.byID[ep.EndpointID] = ep
	}
}

// Delete removes endpoints; unknown ids are ignored, as Alexa does.
func (r *Registry) Delete(ids ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		delete(r.byID, id)
	}
}

// Endpoint returns one endpoint.
func (r *Registry) Endpoint(id string) (Endpoint, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ep, ok := r.byID[id]
	return ep, ok
}

// Endpoints lists the endpoints by id.
func (r *Registry) Endpoints() []Endpoint {
	r.mu.RLock()
	out := make([]Endpoint, 0, len(r.byID))
	for _, ep := range r.byID {
		out = append(out, ep)
	}
	r.mu.RUnlock()
	slices.SortFunc(out, func(a, b Endpoint) int { return strings.Compare(a.EndpointID, b.EndpointID) })
	return out
}

// Len counts the endpoints.
func (r *Registry) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.byID)
}

// AddChangeReport keeps a ChangeReport, dropping the oldest beyond the limit.
func (r *Registry) AddChangeReport(e Event) {
	if e.ReceivedAt.IsZero() {
		e.ReceivedAt = r.now().UTC()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.keep == 0 {
		return
	}
	if len(r.changes) == r.keep {
		r.changes = slices.Delete(r.changes, 0, 1)
	}
	r.changes = append(r.changes, e)
}

// ChangeReports returns the kept ChangeReports, oldest first.
func (r *Registry) ChangeReports() []Event {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]Event{}, r.changes...)
}
