// Package emf writes Lambda metrics in CloudWatch Embedded Metric Format:
// one JSON object per line on stdout, which CloudWatch Logs turns into
// metrics without an API call (see the README's "Operations" section).
//
// Every record carries the dimension Service (the Lambda: skill,
// device-api, custom-skill, catalog-export) in namespace LivingRoom. The
// methods Directive, Request and Export implement the small metrics
// interfaces the domain packages declare.
package emf

import (
	"encoding/json"
	"io"
	"strconv"
	"sync"
	"time"
)

// Namespace is the CloudWatch namespace of every metric.
const Namespace = "LivingRoom"

// Metric names, one place (the README's Operations table and the alarms
// name them).
const (
	MetricDirectives     = "Directives"     // Count, by Service, Service+Directive
	MetricErrors         = "Errors"         // Count, by Service+ErrorType
	MetricHandlerLatency = "HandlerLatency" // Milliseconds, by Service, Service+Directive
	MetricRequests       = "Requests"       // Count (device API), by Service, Service+Route
	MetricExportSeconds  = "ExportSeconds"  // Seconds (catalog export)
	MetricWorksExported  = "WorksExported"  // Count (catalog export)
	MetricExportProblems = "ExportProblems" // Count (catalog export: records left out)
)

// Unit is a CloudWatch unit.
type Unit string

// Units used here.
const (
	Count        Unit = "Count"
	Milliseconds Unit = "Milliseconds"
	Seconds      Unit = "Seconds"
)

// Metric is one value.
type Metric struct {
	Name  string
	Unit  Unit
	Value float64
}

// Writer writes EMF records; safe for concurrent use. A write error is
// counted, never returned to the request (metrics must not fail a reply).
type Writer struct {
	mu      sync.Mutex
	w       io.Writer
	service string
	now     func() time.Time
	failed  int
}

// New returns a Writer for service writing to w (os.Stdout in a Lambda).
func New(w io.Writer, service string, now func() time.Time) *Writer {
	return &Writer{w: w, service: service, now: now}
}

// Failed reports how many records could not be written.
func (w *Writer) Failed() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.failed
}

// Put writes one record: metrics published under each dimension set (the
// names of dimensions, each one of dims' keys; Service is added to every
// set), with dims and props as the record's other members.
func (w *Writer) Put(sets [][]string, dims map[string]string, props map[string]any, metrics ...Metric) {
	rec := make(map[string]any, len(dims)+len(props)+len(metrics)+2)
	for k, v := range props {
		rec[k] = v
	}
	for k, v := range dims {
		rec[k] = v
	}
	rec["Service"] = w.service
	defs := make([]metricDef, 0, len(metrics))
	for _, m := range metrics {
		rec[m.Name] = m.Value
		defs = append(defs, metricDef{Name: m.Name, Unit: m.Unit})
	}
	full := make([][]string, 0, len(sets))
	for _, s := range sets {
		full = append(full, append([]string{"Service"}, s...))
	}
	rec["_aws"] = awsMeta{
		Timestamp:         w.now().UnixMilli(),
		CloudWatchMetrics: []directive{{Namespace: Namespace, Dimensions: full, Metrics: defs}},
	}
	line, err := json.Marshal(rec) // map keys sorted: stable lines
	w.mu.Lock()
	defer w.mu.Unlock()
	if err == nil {
		_, err = w.w.Write(append(line, '\n'))
	}
	if err != nil {
		w.failed++
	}
}

type awsMeta struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

type directive struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []metricDef `json:"Metrics"`
}

type metricDef struct {
	Name string `json:"Name"`
	Unit Unit   `json:"Unit"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Directive records one directive or skill request: name is the
// directive's Namespace.Name (or the custom skill's request type or
// intent), errType the error it was answered with ("" for none). Errors
// get a second record by error type.
func (w *Writer) Directive(name, errType string, took time.Duration) {
	w.Put([][]string{{}, {"Directive"}}, map[string]string{"Directive": name}, nil,
		Metric{MetricDirectives, Count, 1}, Metric{MetricHandlerLatency, Milliseconds, ms(took)})
	if errType != "" {
		w.Put([][]string{{"ErrorType"}}, map[string]string{"ErrorType": errType}, map[string]any{"Directive": name},
			Metric{MetricErrors, Count, 1})
	}
}

// Request records one device API request: route is its method and
// templated path, status the HTTP status; 5xx replies are also counted as
// Errors by ErrorType "HTTP_<status>".
func (w *Writer) Request(route string, status int, took time.Duration) {
	w.Put([][]string{{}, {"Route"}}, map[string]string{"Route": route}, map[string]any{"Status": status},
		Metric{MetricRequests, Count, 1}, Metric{MetricHandlerLatency, Milliseconds, ms(took)})
	if status >= 500 {
		w.Put([][]string{{"ErrorType"}}, map[string]string{"ErrorType": "HTTP_" + strconv.Itoa(status)}, map[string]any{"Route": route},
			Metric{MetricErrors, Count, 1})
	}
}

// Export records one catalog export run; failed names why it failed
// ("" when it did not).
func (w *Writer) Export(took time.Duration, works, problems int, failed string) {
	w.Put([][]string{{}}, nil, nil,
		Metric{MetricExportSeconds, Seconds, took.Seconds()},
		Metric{MetricWorksExported, Count, float64(works)},
		Metric{MetricExportProblems, Count, float64(problems)})
	if failed != "" {
		w.Put([][]string{{"ErrorType"}}, map[string]string{"ErrorType": failed}, nil, Metric{MetricErrors, Count, 1})
	}
}
