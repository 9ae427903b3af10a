// Package inbox keeps the last device messages a TV received, garbage
// included, for QA (GET /v1/messages): what reached the TV and what it did
// with each.
package inbox

import (
	"encoding/json"
	"net/http"
	"sort"
	"sync"
	"unicode/utf8"
)

// Path is where a TV serves its inbox.
const Path = "/v1/messages"

// Bounds: a message from device-push is at most 6 KB of data, but the
// inbox also keeps what a broken sender or a fault let through.
const (
	Capacity     = 100  // messages kept, oldest dropped first
	maxIDBytes   = 128  // messageId beyond this is cut
	maxKeys      = 32   // data fields beyond this (in key order) are left out
	maxKeyBytes  = 128  // longer keys are cut
	maxValueByte = 1024 // longer values are cut
)

// Entry is one received message as GET /v1/messages shows it.
type Entry struct {
	MessageID  string            `json:"messageId"`
	ReceivedAt string            `json:"receivedAt"`
	Data       map[string]string `json:"data"`
	// Outcome: applied, duplicate, stale, invalid, or what else the TV did
	// (expired, unsupported, ignored, background).
	Outcome string `json:"outcome"`
	// Truncated says the id or data were cut to the bounds above.
	Truncated bool `json:"truncated,omitempty"`
}

// Inbox is a bounded, concurrency-safe log of received messages.
type Inbox struct {
	mu      sync.Mutex
	entries []Entry // ring: next is the slot written next once full
	next    int
}

// New returns an empty inbox.
func New() *Inbox { return &Inbox{entries: make([]Entry, 0, Capacity)} }

// Add records a message, cut to the bounds.
func (in *Inbox) Add(messageID, receivedAt string, data map[string]string, outcome string) {
	e := Entry{ReceivedAt: receivedAt, Outcome: outcome, Data: make(map[string]string, min(len(data), maxKeys))}
	e.MessageID, e.Truncated = cut(messageID, maxIDBytes)
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > maxKeys {
		keys, e.Truncated = keys[:maxKeys], true
	}
	for _, k := range keys {
		v, vCut := cut(data[k], maxValueByte)
		key, kCut := cut(k, maxKeyBytes)
		e.Data[key] = v
		e.Truncated = e.Truncated || vCut || kCut
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.entries) < Capacity {
		in.entries = append(in.entries, e)
		return
	}
	in.entries[in.next] = e
	in.next = (in.next + 1) % Capacity
}

// List returns the entries, oldest first.
func (in *Inbox) List() []Entry {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]Entry, 0, len(in.entries))
	out = append(out, in.entries[in.next:]...)
	return append(out, in.entries[:in.next]...)
}

// ServeHTTP answers GET with the entries as a JSON array, oldest first.
func (in *Inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(in.List()) // a failed write: the client left
}

// cut shortens s to at most n bytes on a rune boundary.
func cut(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}
