// Package prom exports seatide's metrics in the Prometheus format: HTTP
// requests by route, cloud and billing calls by action and result, cloud
// retries, the recorded instance's status and what reconciliations found.
// Everything is registered on a registry the caller makes (never the
// global one), so two processes in one test do not share counters.
package prom

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Metric names, for dashboards and tests.
const (
	HTTPRequests     = "seatide_http_requests_total"
	HTTPDuration     = "seatide_http_request_duration_seconds"
	CloudCalls       = "seatide_cloud_calls_total"
	CloudDuration    = "seatide_cloud_call_duration_seconds"
	CloudRetries     = "seatide_cloud_retries_total"
	InstanceStatus   = "seatide_instance_status"
	Reconciliations  = "seatide_reconciliations_total"
	ReconcileResults = "seatide_reconcile_results_total"
	ReconcileOrphans = "seatide_reconcile_orphans"
)

// Reconcile result kinds, the label values of ReconcileResults.
var reconcileKinds = []string{"resumed", "cleared", "drift", "adopted", "orphan", "deleted", "problem"}

// statuses are always exported (0 or 1), so a dashboard sees every one.
var statuses = []domain.InstanceStatus{domain.StatusPending, domain.StatusStarting, domain.StatusRunning,
	domain.StatusStopping, domain.StatusStopped}

// Metrics holds seatide's collectors. It implements ports.InstanceObserver.
type Metrics struct {
	httpRequests   *prometheus.CounterVec
	httpDuration   *prometheus.HistogramVec
	cloudCalls     *prometheus.CounterVec
	cloudDuration  *prometheus.HistogramVec
	cloudRetries   *prometheus.CounterVec
	instanceStatus *prometheus.GaugeVec
	reconciles     *prometheus.CounterVec
	results        *prometheus.CounterVec
	orphans        prometheus.Gauge
}

var _ ports.InstanceObserver = (*Metrics)(nil)

// New registers seatide's metrics and the Go runtime and process
// collectors on reg.
func New(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: HTTPRequests,
			Help: "HTTP requests answered, by route pattern (unmatched for none), method, status and outcome (v1: ok, ng, error, http-error; else the status class, e.g. 2xx)."},
			[]string{"route", "method", "status", "outcome"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: HTTPDuration,
			Help: "Time to answer an HTTP request, by route pattern and method.", Buckets: prometheus.DefBuckets},
			[]string{"route", "method"}),
		cloudCalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: CloudCalls,
			Help: "Cloud and billing calls, retries included, by action and result (ok or the domain error code)."},
			[]string{"action", "result"}),
		cloudDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: CloudDuration,
			Help:    "Time of a cloud or billing call, retries included, by action.",
			Buckets: []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}},
			[]string{"action"}),
		cloudRetries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: CloudRetries,
			Help: "Retries of throttled or transient cloud API calls, by API action and cloud error code."},
			[]string{"action", "code"}),
		instanceStatus: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: InstanceStatus,
			Help: "1 for the recorded instance's last known status; all 0 when none is recorded."},
			[]string{"status"}),
		reconciles: prometheus.NewCounterVec(prometheus.CounterOpts{Name: Reconciliations,
			Help: "Reconciliations run by this process, by outcome (ok, or failed when one stopped early)."},
			[]string{"outcome"}),
		results: prometheus.NewCounterVec(prometheus.CounterOpts{Name: ReconcileResults,
			Help: "What reconciliations found and did, by kind: resumed, cleared, drift, adopted, orphan, deleted, problem."},
			[]string{"kind"}),
		orphans: prometheus.NewGauge(prometheus.GaugeOpts{Name: ReconcileOrphans,
			Help: "Managed instances neither recorded nor adopted, seen by this process's last complete reconciliation."}),
	}
	for _, c := range []prometheus.Collector{m.httpRequests, m.httpDuration, m.cloudCalls, m.cloudDuration,
		m.cloudRetries, m.instanceStatus, m.reconciles, m.results, m.orphans,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for _, k := range reconcileKinds {
		m.results.WithLabelValues(k)
	}
	for _, o := range []string{"ok", "failed"} {
		m.reconciles.WithLabelValues(o)
	}
	m.RecordedStatus("")
	return m, nil
}

// Handler serves what g gathers in the Prometheus text format.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}

// ObserveRequest counts one answered HTTP request; route must be a
// pattern, never a raw path.
func (m *Metrics) ObserveRequest(route, method string, status int, outcome string, elapsed time.Duration) {
	m.httpRequests.WithLabelValues(route, method, strconv.Itoa(status), outcome).Inc()
	m.httpDuration.WithLabelValues(route, method).Observe(elapsed.Seconds())
}

// Retry counts one retry of a cloud API call.
func (m *Metrics) Retry(action, code string) {
	m.cloudRetries.WithLabelValues(action, code).Inc()
}

// RecordedStatus sets the status gauge: 1 for status, 0 for the others.
func (m *Metrics) RecordedStatus(status domain.InstanceStatus) {
	m.instanceStatus.Reset() // drops a status the cloud reported once and no longer
	for _, s := range statuses {
		m.instanceStatus.WithLabelValues(string(s)).Set(0)
	}
	if status != "" {
		m.instanceStatus.WithLabelValues(string(status)).Set(1)
	}
}

// Reconciled counts one reconciliation's results; the orphan gauge keeps
// its value when the reconciliation stopped early.
func (m *Metrics) Reconciled(r ports.Reconciliation) {
	outcome := "ok"
	if r.Failed {
		outcome = "failed"
	}
	m.reconciles.WithLabelValues(outcome).Inc()
	for kind, n := range map[string]int{"resumed": r.Resumed, "cleared": r.Cleared, "drift": r.Drift,
		"adopted": r.Adopted, "orphan": r.Orphans, "deleted": r.Deleted, "problem": r.Problems} {
		if n > 0 {
			m.results.WithLabelValues(kind).Add(float64(n))
		}
	}
	if !r.Failed {
		m.orphans.Set(float64(r.Orphans))
	}
}

// observe records one call of a port.
func (m *Metrics) observe(action string, start time.Time, err error) {
	result := "ok"
	if err != nil {
		result = string(domain.ErrorCode(err))
	}
	m.cloudCalls.WithLabelValues(action, result).Inc()
	m.cloudDuration.WithLabelValues(action).Observe(time.Since(start).Seconds())
}
