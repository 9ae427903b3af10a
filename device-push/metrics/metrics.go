// Package metrics is device-push's Prometheus face (GET /metrics): the
// hub's Observer, the send API's outcomes, and gauges read at scrape time.
package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Source is what the gauges read at each scrape (the hub).
type Source interface {
	Connections() int
	Queued() int // -1: unknown
	Ready(ctx context.Context) error
}

// Metrics records device-push's metrics in its own registry.
type Metrics struct {
	reg      *prometheus.Registry
	sends    *prometheus.CounterVec
	receipts *prometheus.CounterVec
	latency  prometheus.Histogram
	slow     prometheus.Counter
}

// storeCheckTimeout bounds the store check a scrape makes.
const storeCheckTimeout = time.Second

// New returns the metrics with the process and Go collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "devicepush_sends_total",
			Help: "ADM send requests by result: accepted, or the ADM reason of the refusal.",
		}, []string{"result"}),
		receipts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "devicepush_receipts_total",
			Help: "Accepted sends that asked for a delivery receipt, by what it said: acked, delivered, queued, discarded.",
		}, []string{"delivery"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "devicepush_delivery_latency_seconds",
			Help: "From a message's acceptance to its frame on the device's connection queue (replays after a reconnect included).",
			// 100 µs … ~52 s; a replay to a device that was off lands high.
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 20),
		}),
		slow: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "devicepush_slow_disconnects_total",
			Help: "Devices disconnected for not reading fast enough (close code 4001).",
		}),
	}
	m.reg.MustRegister(m.sends, m.receipts, m.latency, m.slow,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Watch registers the gauges read from src at each scrape.
func (m *Metrics) Watch(src Source) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "devicepush_connections", Help: "Live device websocket connections.",
		}, func() float64 { return float64(src.Connections()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "devicepush_queued_messages", Help: "Accepted messages not yet acked by their device (-1: the store cannot tell).",
		}, func() float64 { return float64(src.Queued()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "devicepush_store_up", Help: "1 when the message store answers its health check, else 0.",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), storeCheckTimeout)
			defer cancel()
			if src.Ready(ctx) != nil {
				return 0
			}
			return 1
		}),
	)
}

// Sent counts a send request's result.
func (m *Metrics) Sent(result string) { m.sends.WithLabelValues(result).Inc() }

// Receipt counts what a delivery receipt said (adm.Delivery*).
func (m *Metrics) Receipt(delivery string) { m.receipts.WithLabelValues(delivery).Inc() }

// Queued implements hub.Observer.
func (m *Metrics) Queued(waited time.Duration) { m.latency.Observe(waited.Seconds()) }

// SlowDisconnect implements hub.Observer.
func (m *Metrics) SlowDisconnect() { m.slow.Inc() }

// Handler serves the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{MaxRequestsInFlight: 4})
}
