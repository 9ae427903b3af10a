package ingest

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Changes counts what an ingestion changed, by work id, against the
// catalog in service before it: Amazon's Added / Removed / Updated /
// Unchanged.
type Changes struct {
	Added     int `json:"added"`
	Removed   int `json:"removed"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Diff compares the works of two catalogs by id and content; either may
// be nil (empty).
func Diff(prev, next *Catalog) Changes {
	var ch Changes
	var old, cur map[string]workMeta
	if prev != nil {
		old = prev.works
	}
	if next != nil {
		cur = next.works
	}
	for id, m := range cur {
		p, ok := old[id]
		switch {
		case !ok:
			ch.Added++
		case p.hash != m.hash:
			ch.Updated++
		default:
			ch.Unchanged++
		}
	}
	for id := range old {
		if _, ok := cur[id]; !ok {
			ch.Removed++
		}
	}
	return ch
}

// Report statuses.
const (
	StatusSuccess = "SUCCESS"
	StatusFailure = "FAILURE"
)

// Report is one ingestion as Amazon's ingestion report tells it: when,
// from where, success or failure, what changed, and errors and warnings by
// work id. A failed ingestion changed nothing: the last good catalog stays.
type Report struct {
	ID         string    `json:"ingestionId"`
	Source     string    `json:"source"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt"`
	DurationMs float64   `json:"durationMs"`
	Status     string    `json:"status"`
	// Failure says why the catalog was rejected.
	Failure      string   `json:"failure,omitempty"`
	Counts       Changes  `json:"counts"`
	Catalog      Counts   `json:"catalog"`
	Files        []string `json:"files"`
	FileCount    int      `json:"fileCount"`
	Missing      []string `json:"missing"`
	ErrorCount   int      `json:"errorCount"`
	Errors       []Issue  `json:"errors"`
	WarningCount int      `json:"warningCount"`
	Warnings     []Issue  `json:"warnings"`
}

// NewReport describes an ingestion that produced next (or err) while prev
// was in service.
func NewReport(source string, started, finished time.Time, prev, next *Catalog, err error) Report {
	r := Report{Source: source, StartedAt: started.UTC(), FinishedAt: finished.UTC(),
		DurationMs: float64(finished.Sub(started).Microseconds()) / 1000, Status: StatusSuccess}
	read := next
	if err != nil {
		r.Status, r.Failure = StatusFailure, err.Error()
		read = nil
		var invalid *ValidationError
		if errors.As(err, &invalid) {
			read = invalid.Catalog
		}
	} else {
		r.Counts = Diff(prev, next)
	}
	if read != nil {
		r.Catalog, r.Files, r.FileCount, r.Missing = read.counts, read.Files, read.FileCount, read.Missing
		r.ErrorCount, r.Errors, r.WarningCount, r.Warnings = read.ErrorCount, read.Errors, read.WarningCount, read.Warnings
	}
	for _, s := range []*[]string{&r.Files, &r.Missing} {
		if *s == nil {
			*s = []string{}
		}
	}
	for _, s := range []*[]Issue{&r.Errors, &r.Warnings} {
		if *s == nil {
			*s = []Issue{}
		}
	}
	return r
}

// History keeps the last reports, newest first; safe for concurrent use.
type History struct {
	mu      sync.Mutex
	max     int
	seq     int
	reports []Report
	active  string
}

// NewHistory keeps at most max reports.
func NewHistory(max int) *History { return &History{max: max} }

// Add names the report (a time stamp and a sequence number), keeps it, and
// returns it; a successful one becomes the active ingestion.
func (h *History) Add(r Report) Report {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	r.ID = fmt.Sprintf("%s-%d", r.StartedAt.UTC().Format("20060102T150405Z"), h.seq)
	if r.Status == StatusSuccess {
		h.active = r.ID
	}
	h.reports = append([]Report{r}, h.reports...)
	if len(h.reports) > h.max {
		h.reports = h.reports[:h.max]
	}
	return r
}

// List returns the last n reports, newest first, and the id of the
// ingestion whose catalog is in service ("" before the first success).
func (h *History) List(n int) ([]Report, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n = min(n, len(h.reports))
	return append([]Report{}, h.reports[:n]...), h.active
}
