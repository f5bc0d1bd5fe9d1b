package prom_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/seatidemc/seatide/adapters/prom"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

func newMetrics(t *testing.T) (*prom.Metrics, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	m, err := prom.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	return m, reg
}

func TestTwoRegistriesDoNotClash(t *testing.T) {
	newMetrics(t)
	newMetrics(t) // a global registry would refuse the second
	reg := prometheus.NewRegistry()
	if _, err := prom.New(reg); err != nil {
		t.Fatal(err)
	}
	if _, err := prom.New(reg); err == nil {
		t.Error("registering twice on one registry should fail")
	}
}

func TestInstanceObserver(t *testing.T) {
	tests := []struct {
		name   string
		do     func(m *prom.Metrics)
		metric string
		want   string
	}{
		{"no status at start", func(*prom.Metrics) {}, prom.InstanceStatus, `
seatide_instance_status{status="Pending"} 0
seatide_instance_status{status="Running"} 0
seatide_instance_status{status="Starting"} 0
seatide_instance_status{status="Stopped"} 0
seatide_instance_status{status="Stopping"} 0
`},
		{"running then stopped", func(m *prom.Metrics) {
			m.RecordedStatus(domain.StatusRunning)
			m.RecordedStatus(domain.StatusStopped)
		}, prom.InstanceStatus, `
seatide_instance_status{status="Pending"} 0
seatide_instance_status{status="Running"} 0
seatide_instance_status{status="Starting"} 0
seatide_instance_status{status="Stopped"} 1
seatide_instance_status{status="Stopping"} 0
`},
		{"an unknown status gets its own series until it goes", func(m *prom.Metrics) {
			m.RecordedStatus("Rebooting")
		}, prom.InstanceStatus, `
seatide_instance_status{status="Pending"} 0
seatide_instance_status{status="Rebooting"} 1
seatide_instance_status{status="Running"} 0
seatide_instance_status{status="Starting"} 0
seatide_instance_status{status="Stopped"} 0
seatide_instance_status{status="Stopping"} 0
`},
		{"reconcile results add up", func(m *prom.Metrics) {
			m.Reconciled(ports.Reconciliation{Orphans: 2, Deleted: 1, Drift: 1})
			m.Reconciled(ports.Reconciliation{Orphans: 1, Adopted: 1, Problems: 1})
		}, prom.ReconcileResults, `
seatide_reconcile_results_total{kind="adopted"} 1
seatide_reconcile_results_total{kind="cleared"} 0
seatide_reconcile_results_total{kind="deleted"} 1
seatide_reconcile_results_total{kind="drift"} 1
seatide_reconcile_results_total{kind="orphan"} 3
seatide_reconcile_results_total{kind="problem"} 1
seatide_reconcile_results_total{kind="resumed"} 0
`},
		{"orphan gauge is the last complete reconciliation's", func(m *prom.Metrics) {
			m.Reconciled(ports.Reconciliation{Orphans: 2})
			m.Reconciled(ports.Reconciliation{Failed: true, Problems: 1})
		}, prom.ReconcileOrphans, `
seatide_reconcile_orphans 2
`},
		{"reconciliations by outcome", func(m *prom.Metrics) {
			m.Reconciled(ports.Reconciliation{})
			m.Reconciled(ports.Reconciliation{Failed: true, Problems: 1})
			m.Reconciled(ports.Reconciliation{})
		}, prom.Reconciliations, `
seatide_reconciliations_total{outcome="failed"} 1
seatide_reconciliations_total{outcome="ok"} 2
`},
		{"retries", func(m *prom.Metrics) {
			m.Retry("CreateInstance", "Throttling.User")
			m.Retry("CreateInstance", "Throttling.User")
			m.Retry("DescribeInstances", "unavailable")
		}, prom.CloudRetries, `
seatide_cloud_retries_total{action="CreateInstance",code="Throttling.User"} 2
seatide_cloud_retries_total{action="DescribeInstances",code="unavailable"} 1
`},
		{"http requests", func(m *prom.Metrics) {
			m.ObserveRequest("/api/user/v1/auth", "POST", 200, "ok", time.Millisecond)
			m.ObserveRequest("/api/user/v1/auth", "POST", 200, "ok", time.Millisecond)
			m.ObserveRequest("/api/user/v1/auth", "POST", 200, "ng", time.Millisecond)
			m.ObserveRequest("unmatched", "GET", 404, "http-error", time.Millisecond)
		}, prom.HTTPRequests, `
seatide_http_requests_total{method="GET",outcome="http-error",route="unmatched",status="404"} 1
seatide_http_requests_total{method="POST",outcome="ng",route="/api/user/v1/auth",status="200"} 1
seatide_http_requests_total{method="POST",outcome="ok",route="/api/user/v1/auth",status="200"} 2
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, reg := newMetrics(t)
			tt.do(m)
			want := "# HELP " + tt.metric + " " + help(t, reg, tt.metric) + "\n# TYPE " + tt.metric + " " + kind(t, reg, tt.metric) + tt.want
			if err := testutil.GatherAndCompare(reg, strings.NewReader(want), tt.metric); err != nil {
				t.Error(err)
			}
		})
	}
}

// help and kind read a metric's HELP and TYPE back, so the tests compare
// the series, which is what they are about.
func help(t *testing.T, g prometheus.Gatherer, name string) string {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetHelp()
		}
	}
	t.Fatalf("no metric %s", name)
	return ""
}

func kind(t *testing.T, g prometheus.Gatherer, name string) string {
	t.Helper()
	mfs, _ := g.Gather()
	for _, mf := range mfs {
		if mf.GetName() == name {
			return strings.ToLower(mf.GetType().String())
		}
	}
	return ""
}

// stubCloud answers every call with err.
type stubCloud struct{ err error }

func (s stubCloud) RunInstance(context.Context, ports.InstanceSpec, string) (string, string, error) {
	return "i-1", "r", s.err
}
func (s stubCloud) CheckCreate(context.Context, ports.InstanceSpec) error { return s.err }
func (s stubCloud) DescribeInstance(context.Context, string) (ports.CloudInstance, error) {
	return ports.CloudInstance{}, s.err
}
func (s stubCloud) ListManaged(context.Context, map[string]string) ([]ports.CloudInstance, error) {
	return nil, s.err
}
func (s stubCloud) AllocatePublicIP(context.Context, string) (string, string, error) {
	return "", "", s.err
}
func (s stubCloud) StartInstance(context.Context, string) (string, error) { return "", s.err }
func (s stubCloud) StopInstance(context.Context, string, ports.StopMode) (string, error) {
	return "", s.err
}
func (s stubCloud) DeleteInstance(context.Context, string) (string, error) { return "", s.err }
func (s stubCloud) Available(context.Context, string, string) (bool, error) {
	return true, s.err
}
func (s stubCloud) Price(context.Context, ports.InstanceSpec) (ports.Price, error) {
	return ports.Price{}, s.err
}
func (s stubCloud) AgentReady(context.Context, string) (bool, error) { return true, s.err }
func (s stubCloud) RunCommand(context.Context, string, string, string) (string, string, error) {
	return "", "", s.err
}
func (s stubCloud) Invocation(context.Context, string) (ports.Invocation, error) {
	return ports.Invocation{}, s.err
}

type stubBilling struct{ err error }

func (s stubBilling) Balance(context.Context) (ports.Balance, error) { return ports.Balance{}, s.err }
func (s stubBilling) Transactions(context.Context, ports.TransactionQuery) (ports.TransactionPage, error) {
	return ports.TransactionPage{}, s.err
}
func (s stubBilling) Bill(context.Context, int, int, int) (string, error) { return "", s.err }

func TestDecorators(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		err  error
		want string // result label
	}{
		{"ok", nil, "ok"},
		{"throttled", domain.ErrThrottled, "unavailable"},
		{"not found", domain.ErrCloudNotFound, "not_found"},
		{"foreign error", context.DeadlineExceeded, "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, reg := newMetrics(t)
			c := m.Cloud(stubCloud{tt.err})
			id, _, err := c.RunInstance(ctx, ports.InstanceSpec{}, "tok")
			if id != "i-1" || err != tt.err {
				t.Fatalf("the decorator changed the answer: %q %v", id, err)
			}
			_ = c.CheckCreate(ctx, ports.InstanceSpec{})
			_, _ = c.DescribeInstance(ctx, "i-1")
			_, _ = c.DescribeInstance(ctx, "i-1")
			_, _ = c.ListManaged(ctx, nil)
			_, _, _ = c.AllocatePublicIP(ctx, "i-1")
			_, _ = c.StartInstance(ctx, "i-1")
			_, _ = c.StopInstance(ctx, "i-1", ports.StopCharging)
			_, _ = c.DeleteInstance(ctx, "i-1")
			_, _ = c.Available(ctx, "z", "t")
			_, _ = c.Price(ctx, ports.InstanceSpec{})
			_, _ = c.AgentReady(ctx, "i-1")
			_, _, _ = c.RunCommand(ctx, "i-1", "s", "t")
			_, _ = c.Invocation(ctx, "t-1")
			b := m.Billing(stubBilling{tt.err})
			_, _ = b.Balance(ctx)
			_, _ = b.Transactions(ctx, ports.TransactionQuery{})
			_, _ = b.Bill(ctx, 2026, 11, 0)
			var lines []string
			for _, a := range []string{"AgentReady", "AllocatePublicIP", "Available", "Balance", "Bill", "CheckCreate", "RunInstance",
				"DeleteInstance", "DescribeInstance", "Invocation", "ListManaged", "Price", "RunCommand",
				"StartInstance", "StopInstance", "Transactions"} {
				n := "1"
				if a == "DescribeInstance" {
					n = "2"
				}
				lines = append(lines, `seatide_cloud_calls_total{action="`+a+`",result="`+tt.want+`"} `+n)
			}
			want := "# HELP " + prom.CloudCalls + " " + help(t, reg, prom.CloudCalls) + "\n# TYPE " + prom.CloudCalls + " counter\n" +
				strings.Join(lines, "\n") + "\n"
			if err := testutil.GatherAndCompare(reg, strings.NewReader(want), prom.CloudCalls); err != nil {
				t.Error(err)
			}
			if n := testutil.CollectAndCount(reg, prom.CloudDuration); n != 16 {
				t.Errorf("%d duration series, want 16", n)
			}
		})
	}
}

func TestHandlerServesTextFormat(t *testing.T) {
	m, reg := newMetrics(t)
	m.ObserveRequest("/healthz", "GET", 200, "2xx", time.Millisecond)
	rec := httptest.NewRecorder()
	prom.Handler(reg).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{`seatide_http_requests_total{method="GET",outcome="2xx",route="/healthz",status="200"} 1`,
		"go_goroutines ", "process_start_time_seconds "} {
		if !strings.Contains(body, want) {
			t.Errorf("no %q in:\n%.2000s", want, body)
		}
	}
}

func TestEventMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := prom.NewEventMetrics(reg, []string{"json-1"})
	if err != nil {
		t.Fatal(err)
	}
	m.EventStored(domain.EventPlayerJoined)
	m.EventLost()
	m.StreamClients(3)
	m.StreamClients(-1)
	m.StreamDropped()
	m.WebhookAttempt("json-1", false)
	m.WebhookAttempt("json-1", true)
	m.WebhookAttempt("json-1", true)
	want := `
# HELP seatide_event_stream_clients Live event stream (SSE) readers connected to this process.
# TYPE seatide_event_stream_clients gauge
seatide_event_stream_clients 2
# HELP seatide_event_stream_dropped_total Live event stream readers dropped for falling too far behind.
# TYPE seatide_event_stream_dropped_total counter
seatide_event_stream_dropped_total 1
# HELP seatide_events_lost_total Events that could not be stored (queue full or database down); each is logged.
# TYPE seatide_events_lost_total counter
seatide_events_lost_total 1
# HELP seatide_webhook_deliveries_total Webhook delivery attempts, by endpoint name and result (ok or failed).
# TYPE seatide_webhook_deliveries_total counter
seatide_webhook_deliveries_total{endpoint="json-1",result="failed"} 1
seatide_webhook_deliveries_total{endpoint="json-1",result="ok"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), prom.StreamClients, prom.StreamDropped, prom.EventsLost, prom.WebhookDeliveries); err != nil {
		t.Error(err)
	}
	rec := httptest.NewRecorder()
	prom.Handler(reg).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, line := range []string{`seatide_events_total{type="player.joined"} 1`, `seatide_events_total{type="backup.failed"} 0`} {
		if !strings.Contains(rec.Body.String(), line+"\n") {
			t.Errorf("no %s", line)
		}
	}
}
