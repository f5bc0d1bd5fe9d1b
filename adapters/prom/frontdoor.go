package prom

import "github.com/prometheus/client_golang/prometheus"

// Front door metric names.
const (
	FrontdoorConnections = "seatide_frontdoor_connections_total"
	FrontdoorBytes       = "seatide_frontdoor_relayed_bytes_total"
	FrontdoorRelays      = "seatide_frontdoor_relays"
)

// frontdoorOutcomes are the label values of FrontdoorConnections, always
// exported so that a dashboard sees each.
var frontdoorOutcomes = []string{"status", "disconnect", "relay", "full", "limited", "malformed", "timeout", "unreachable"}

// Frontdoor counts what the front door's listener does (it implements the
// listener's Observer).
type Frontdoor struct {
	conns  *prometheus.CounterVec
	bytes  *prometheus.CounterVec
	relays prometheus.Gauge
}

// NewFrontdoor registers the front door's metrics on reg.
func NewFrontdoor(reg prometheus.Registerer) (*Frontdoor, error) {
	f := &Frontdoor{
		conns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: FrontdoorConnections,
			Help: "Front door connections by how they ended: status, disconnect, relay, full, limited, malformed, timeout, unreachable."},
			[]string{"outcome"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: FrontdoorBytes,
			Help: "Bytes relayed between players and the game server, by direction (up: player to server; down)."},
			[]string{"direction"}),
		relays: prometheus.NewGauge(prometheus.GaugeOpts{Name: FrontdoorRelays,
			Help: "Connections being relayed to the game server now."}),
	}
	for _, c := range []prometheus.Collector{f.conns, f.bytes, f.relays} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for _, o := range frontdoorOutcomes {
		f.conns.WithLabelValues(o)
	}
	f.bytes.WithLabelValues("up")
	f.bytes.WithLabelValues("down")
	return f, nil
}

// Handled counts one connection by outcome.
func (f *Frontdoor) Handled(outcome string) { f.conns.WithLabelValues(outcome).Inc() }

// Relayed counts relayed bytes.
func (f *Frontdoor) Relayed(direction string, n int) {
	f.bytes.WithLabelValues(direction).Add(float64(n))
}

// Relays moves the gauge of relayed connections.
func (f *Frontdoor) Relays(delta int) { f.relays.Add(float64(delta)) }
