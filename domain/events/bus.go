// Package events carries what the domain emits to everyone who listens:
// the Bus is the ports.EventSink the services emit through; it stores each
// event (with its webhook deliveries queued in the same write), writes one
// info log line per event, and wakes the Hub (live readers) and the
// Deliverer (webhooks). Every replica serves live readers from the shared
// table, so an event emitted on one replica reaches readers of all.
package events

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Endpoint is a webhook endpoint as the Bus queues for it: its outbox name
// and the types it wants (none: every type).
type Endpoint struct {
	Name  string
	Types []domain.EventType
}

// Wants reports whether the endpoint takes events of type t.
func (e Endpoint) Wants(t domain.EventType) bool {
	return len(e.Types) == 0 || slices.Contains(e.Types, t)
}

// BusConfig tunes the Bus.
type BusConfig struct {
	Endpoints []Endpoint
	// QueueSize bounds the events waiting to be stored; beyond it Emit
	// drops (and logs and counts) rather than block the lifecycle.
	QueueSize int
	// Keep is how long stored events are kept (0: for ever); PruneEvery
	// paces the pruning.
	Keep       time.Duration
	PruneEvery time.Duration
}

// BusDeps are the ports the Bus works through.
type BusDeps struct {
	Store    ports.EventStore
	Clock    ports.Clock
	Log      *slog.Logger        // nil: discard
	Observer ports.EventObserver // nil: none
	Wake     []func()            // called after each stored event (the Hub's and Deliverer's Wake)
}

// Bus is the ports.EventSink: a bounded queue and one writer, so events are
// stored in the order they were emitted in this process.
type Bus struct {
	d     BusDeps
	cfg   BusConfig
	log   *slog.Logger
	obs   ports.EventObserver
	queue chan queued

	mu     sync.RWMutex // guards closed against Emit's send
	closed bool
	done   chan struct{}
}

type queued struct {
	e         domain.Event
	requestID string
}

var _ ports.EventSink = (*Bus)(nil)

// NewBus starts a Bus; Close it to store what is queued and stop.
func NewBus(d BusDeps, cfg BusConfig) *Bus {
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 4096
	}
	if cfg.PruneEvery <= 0 {
		cfg.PruneEvery = time.Hour
	}
	b := &Bus{d: d, cfg: cfg, log: d.Log, obs: d.Observer, queue: make(chan queued, cfg.QueueSize), done: make(chan struct{})}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.obs == nil {
		b.obs = ports.NopEventObserver{}
	}
	go b.run()
	return b
}

// Emit queues e without waiting. Time is set from the clock when zero.
func (b *Bus) Emit(ctx context.Context, e domain.Event) {
	if e.Time.IsZero() {
		e.Time = b.d.Clock.Now()
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		b.obs.EventLost()
		b.log.Error("event lost: emitted after shutdown", "type", e.Type, "instance", e.Instance)
		return
	}
	select {
	case b.queue <- queued{e, domain.RequestIDFrom(ctx)}:
	default:
		b.obs.EventLost()
		b.log.Error("event lost: the event queue is full", "type", e.Type, "instance", e.Instance)
	}
}

// Close stores the events already queued, then stops; an event emitted
// after Close is lost (and logged).
func (b *Bus) Close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.queue)
	}
	b.mu.Unlock()
	<-b.done
}

func (b *Bus) run() {
	defer close(b.done)
	lastPrune := time.Time{}
	for q := range b.queue {
		b.store(q)
		if now := b.d.Clock.Now(); b.cfg.Keep > 0 && now.Sub(lastPrune) >= b.cfg.PruneEvery {
			lastPrune = now
			b.prune(now)
		}
	}
}

func (b *Bus) store(q queued) {
	var outbox []string
	for _, ep := range b.cfg.Endpoints {
		if ep.Wants(q.e.Type) {
			outbox = append(outbox, ep.Name)
		}
	}
	// The store may be briefly away (a failover): a few tries, then the
	// event is lost loudly rather than holding up the ones behind it.
	var (
		e   domain.Event
		err error
	)
	for attempt := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		e, err = b.d.Store.Append(ctx, q.e, outbox)
		cancel()
		if err == nil || attempt == 2 {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond) // back off from a failing store; not synchronisation
	}
	if err != nil {
		b.obs.EventLost()
		b.log.Error("event lost: storing it failed", "type", q.e.Type, "instance", q.e.Instance, "err", err)
		return
	}
	b.obs.EventStored(e.Type)
	attrs := []any{"id", e.ID, "type", e.Type}
	if e.Actor != "" {
		attrs = append(attrs, "actor", e.Actor)
	}
	if e.Instance != "" {
		attrs = append(attrs, "instance", e.Instance)
	}
	if q.requestID != "" {
		attrs = append(attrs, "request_id", q.requestID)
	}
	b.log.Info("event", append(attrs, "data", string(e.Payload))...)
	for _, wake := range b.d.Wake {
		wake()
	}
}

func (b *Bus) prune(now time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := b.d.Store.Prune(ctx, now.Add(-b.cfg.Keep))
	if err != nil {
		b.log.Warn("pruning old events", "err", err)
		return
	}
	if n > 0 {
		b.log.Info("pruned old events", "count", n, "older_than", now.Add(-b.cfg.Keep))
	}
}
