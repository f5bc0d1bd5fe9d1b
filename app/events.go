package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	httpadapter "github.com/seatidemc/seatide/adapters/http"
	"github.com/seatidemc/seatide/adapters/prom"
	"github.com/seatidemc/seatide/adapters/sqlstore"
	"github.com/seatidemc/seatide/adapters/webhook"
	"github.com/seatidemc/seatide/domain/events"
	"github.com/seatidemc/seatide/ports"
)

// EventsConfig is the event stream: how long events are kept, how often a
// replica reads the shared table for the others' events, and the live
// readers' heartbeat and buffer.
type EventsConfig struct {
	Keep         time.Duration `mapstructure:"keep"` // 0: for ever
	PollInterval time.Duration `mapstructure:"poll_interval"`
	Heartbeat    time.Duration `mapstructure:"heartbeat"`
	ClientBuffer int           `mapstructure:"client_buffer"`
}

// NotifyConfig is where events are pushed: webhooks and chat robots.
type NotifyConfig struct {
	Language string          `mapstructure:"language"` // en | zh-CN
	Webhooks []WebhookConfig `mapstructure:"webhooks"`

	endpoints []*webhook.Endpoint
}

// WebhookConfig is one item of notify.webhooks.
type WebhookConfig struct {
	Name   string   `mapstructure:"name"` // optional; shown in GET /api/v2/webhooks and metrics
	URL    string   `mapstructure:"url"`
	Format string   `mapstructure:"format"` // json | discord | dingtalk | feishu | wecom | onebot
	Events []string `mapstructure:"events"` // left out: every type
	Secret string   `mapstructure:"secret"`
}

func (c *Config) finishEvents() error {
	e := &c.Events
	switch {
	case e.Keep < 0:
		return fmt.Errorf("events.keep: %v must not be negative (0 keeps events for ever)", e.Keep)
	case e.PollInterval <= 0:
		return fmt.Errorf("events.poll_interval: %v must be positive", e.PollInterval)
	case e.Heartbeat <= 0:
		return fmt.Errorf("events.heartbeat: %v must be positive", e.Heartbeat)
	case e.ClientBuffer < 1:
		return fmt.Errorf("events.client_buffer: %d must be at least 1", e.ClientBuffer)
	}
	n := &c.Notify
	n.endpoints = nil
	names := map[string]bool{}
	for i, w := range n.Webhooks {
		ep, err := webhook.Parse(webhook.Config{Name: w.Name, URL: w.URL, Format: w.Format, Events: w.Events, Secret: w.Secret}, i)
		if err != nil {
			return err
		}
		if names[ep.Name] {
			return fmt.Errorf("notify.webhooks[%d].name: %q is used twice", i, ep.Name)
		}
		names[ep.Name] = true
		n.endpoints = append(n.endpoints, ep)
	}
	if _, err := webhook.NewSender(nil, nil, n.Language, time.Now); err != nil {
		return err
	}
	return nil
}

// eventParts are the event machinery of one App.
type eventParts struct {
	bus       *events.Bus
	hub       *events.Hub
	deliverer *events.Deliverer
	status    httpadapter.WebhookStatus
}

// wireEvents builds the Bus every service emits through, the Hub live
// readers subscribe to (fed by polling the shared table, so a replica's
// readers see every replica's events) and the webhook Deliverer (one
// replica at a time, by the webhooks lease).
func wireEvents(ctx context.Context, cfg Config, db *sqlstore.DB, clock ports.Clock, holder string, log *slog.Logger,
	reg prometheus.Registerer) (*eventParts, error) {
	store := db.Events()
	var names []string
	var eps []events.Endpoint
	for _, ep := range cfg.Notify.endpoints {
		names = append(names, ep.Name)
		eps = append(eps, events.Endpoint{Name: ep.Name, Types: ep.Types})
	}
	obs, err := prom.NewEventMetrics(reg, names)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	elog := log.With("component", "events")
	hub, err := events.NewHub(ctx, store, clock, elog, obs, events.HubConfig{
		PollInterval: cfg.Events.PollInterval, ClientBuffer: cfg.Events.ClientBuffer})
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	sender, err := webhook.NewSender(cfg.Notify.endpoints, nil, cfg.Notify.Language, clock.Now)
	if err != nil {
		return nil, err
	}
	deliverer := events.NewDeliverer(store, db.Leases(), sender, clock, log.With("component", "webhooks"), obs,
		events.DelivererConfig{Endpoints: names, Holder: holder})
	bus := events.NewBus(events.BusDeps{Store: store, Clock: clock, Log: elog, Observer: obs,
		Wake: []func(){hub.Wake, deliverer.Wake}}, events.BusConfig{Endpoints: eps, Keep: cfg.Events.Keep})
	status := func(ctx context.Context) ([]httpadapter.WebhookEndpoint, error) {
		sts, err := store.Status(ctx, names)
		if err != nil {
			return nil, err
		}
		out := make([]httpadapter.WebhookEndpoint, 0, len(sts))
		for i, st := range sts {
			ep := cfg.Notify.endpoints[i]
			types := ep.Events
			if types == nil {
				types = []string{}
			}
			out = append(out, httpadapter.WebhookEndpoint{Name: ep.Name, Format: ep.Format, URL: ep.Redacted(),
				Events: types, Backlog: st.Backlog, LastSuccess: timeOrNil(st.LastSuccess), LastError: st.LastError,
				LastErrorAt: timeOrNil(st.LastErrorAt)})
		}
		return out, nil
	}
	return &eventParts{bus: bus, hub: hub, deliverer: deliverer, status: status}, nil
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// run serves live readers and delivers webhooks until ctx ends.
func (p *eventParts) run(ctx context.Context) (wait func()) {
	done := make(chan struct{}, 2)
	go func() { p.hub.Run(ctx); done <- struct{}{} }()
	go func() { p.deliverer.Run(ctx); done <- struct{}{} }()
	return func() { <-done; <-done }
}

// newProcessID names this process in leases.
func newProcessID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "p-" + hex.EncodeToString(b)
}
