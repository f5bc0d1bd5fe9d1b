package prom

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Event metric names.
const (
	EventsStored      = "seatide_events_total"
	EventsLost        = "seatide_events_lost_total"
	StreamClients     = "seatide_event_stream_clients"
	StreamDropped     = "seatide_event_stream_dropped_total"
	WebhookDeliveries = "seatide_webhook_deliveries_total"
)

// EventMetrics counts the event stream, its live readers and webhook
// deliveries. It implements ports.EventObserver.
type EventMetrics struct {
	stored     *prometheus.CounterVec
	lost       prometheus.Counter
	clients    prometheus.Gauge
	dropped    prometheus.Counter
	deliveries *prometheus.CounterVec
}

var _ ports.EventObserver = (*EventMetrics)(nil)

// NewEventMetrics registers the event metrics on reg. endpoints are the
// configured webhook names (the endpoint label takes no other value).
func NewEventMetrics(reg prometheus.Registerer, endpoints []string) (*EventMetrics, error) {
	m := &EventMetrics{
		stored: prometheus.NewCounterVec(prometheus.CounterOpts{Name: EventsStored,
			Help: "Events stored (and so streamed and queued for webhooks), by type."}, []string{"type"}),
		lost: prometheus.NewCounter(prometheus.CounterOpts{Name: EventsLost,
			Help: "Events that could not be stored (queue full or database down); each is logged."}),
		clients: prometheus.NewGauge(prometheus.GaugeOpts{Name: StreamClients,
			Help: "Live event stream (SSE) readers connected to this process."}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: StreamDropped,
			Help: "Live event stream readers dropped for falling too far behind."}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: WebhookDeliveries,
			Help: "Webhook delivery attempts, by endpoint name and result (ok or failed)."}, []string{"endpoint", "result"}),
	}
	for _, c := range []prometheus.Collector{m.stored, m.lost, m.clients, m.dropped, m.deliveries} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for _, t := range domain.EventTypes {
		m.stored.WithLabelValues(string(t))
	}
	for _, ep := range endpoints {
		m.deliveries.WithLabelValues(ep, "ok")
		m.deliveries.WithLabelValues(ep, "failed")
	}
	return m, nil
}

func (m *EventMetrics) EventStored(t domain.EventType) { m.stored.WithLabelValues(string(t)).Inc() }
func (m *EventMetrics) EventLost()                     { m.lost.Inc() }
func (m *EventMetrics) StreamClients(delta int)        { m.clients.Add(float64(delta)) }
func (m *EventMetrics) StreamDropped()                 { m.dropped.Inc() }

func (m *EventMetrics) WebhookAttempt(endpoint string, ok bool) {
	result := "ok"
	if !ok {
		result = "failed"
	}
	m.deliveries.WithLabelValues(endpoint, result).Inc()
}
