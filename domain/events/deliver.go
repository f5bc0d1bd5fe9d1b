package events

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seatidemc/seatide/ports"
)

// WebhookLease is the lease whose holder delivers webhooks: one replica at
// a time, another taking over when it dies.
const WebhookLease = "webhooks"

// DelivererConfig tunes webhook delivery.
type DelivererConfig struct {
	Endpoints []string // outbox names
	Holder    string   // this process, in the lease
	// Interval paces the look at the outbox (and the lease renewal is
	// LeaseTTL/3); a local event wakes the Deliverer at once.
	Interval time.Duration
	LeaseTTL time.Duration
	// Retries back off from MinBackoff, doubling to MaxBackoff, each wait
	// drawn between half and all of it (jitter), so endpoints that failed
	// together do not retry together.
	MinBackoff  time.Duration
	MaxBackoff  time.Duration
	SendTimeout time.Duration
	// Jitter picks the wait in [d/2, d]; nil: random.
	Jitter func(d time.Duration) time.Duration
}

// Deliverer sends queued deliveries, per endpoint in event order: the head
// of an endpoint's queue blocks the rest until it is delivered, so a
// receiver that is down gets everything, in order, once it is back. Each
// endpoint has its own worker: a hanging one never holds the others up.
type Deliverer struct {
	outbox ports.OutboxStore
	leases ports.LeaseStore
	send   ports.WebhookSender
	clock  ports.Clock
	log    *slog.Logger
	obs    ports.EventObserver
	cfg    DelivererConfig

	held  atomic.Bool
	wakes map[string]chan struct{}
}

// NewDeliverer returns a Deliverer; Run it, or drive it with Step.
func NewDeliverer(outbox ports.OutboxStore, leases ports.LeaseStore, send ports.WebhookSender, clock ports.Clock,
	log *slog.Logger, obs ports.EventObserver, cfg DelivererConfig) *Deliverer {
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 30 * time.Second
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(10*time.Minute, cfg.MinBackoff)
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 10 * time.Second
	}
	if cfg.Jitter == nil {
		cfg.Jitter = func(d time.Duration) time.Duration { return d/2 + rand.N(d/2+1) }
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if obs == nil {
		obs = ports.NopEventObserver{}
	}
	d := &Deliverer{outbox: outbox, leases: leases, send: send, clock: clock, log: log, obs: obs, cfg: cfg,
		wakes: map[string]chan struct{}{}}
	for _, ep := range cfg.Endpoints {
		d.wakes[ep] = make(chan struct{}, 1)
	}
	return d
}

// Wake makes every endpoint's worker look at its queue now.
func (d *Deliverer) Wake() {
	for _, w := range d.wakes {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// Backoff is the wait before retry number attempt (1 = the first retry),
// before jitter.
func (d *Deliverer) Backoff(attempt int) time.Duration {
	b := d.cfg.MinBackoff
	for i := 1; i < attempt && b < d.cfg.MaxBackoff; i++ {
		b *= 2
	}
	return min(b, d.cfg.MaxBackoff)
}

// Run delivers until ctx ends, while this process holds the lease.
func (d *Deliverer) Run(ctx context.Context) {
	if len(d.cfg.Endpoints) == 0 {
		// Nothing to deliver; deliveries left from endpoints configured
		// before are dropped once, by whoever holds the lease.
		if held, _ := d.acquire(ctx); held {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = d.leases.Release(rctx, WebhookLease, d.cfg.Holder)
		}
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() { d.holdLease(ctx) })
	for _, ep := range d.cfg.Endpoints {
		wg.Go(func() { d.work(ctx, ep) })
	}
	wg.Wait()
	if d.held.Load() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = d.leases.Release(rctx, WebhookLease, d.cfg.Holder)
	}
}

func (d *Deliverer) holdLease(ctx context.Context) {
	t := time.NewTicker(d.cfg.LeaseTTL / 3)
	defer t.Stop()
	for {
		if held, err := d.acquire(ctx); err != nil {
			d.log.Warn("webhooks lease", "err", err)
		} else if held {
			d.Wake()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (d *Deliverer) acquire(ctx context.Context) (bool, error) {
	_, held, err := d.leases.Acquire(ctx, WebhookLease, d.cfg.Holder, d.cfg.LeaseTTL)
	if err != nil {
		held = false
	}
	was := d.held.Swap(held)
	if held && !was {
		d.log.Info("delivering webhooks from this process", "holder", d.cfg.Holder)
		if n, err := d.outbox.DropOthers(ctx, d.cfg.Endpoints); err != nil {
			d.log.Warn("dropping deliveries of endpoints no longer configured", "err", err)
		} else if n > 0 {
			d.log.Warn("dropped deliveries of endpoints no longer configured", "count", n)
		}
	}
	return held, err
}

func (d *Deliverer) work(ctx context.Context, ep string) {
	t := time.NewTicker(d.cfg.Interval)
	defer t.Stop()
	for {
		if d.held.Load() {
			d.drain(ctx, ep)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.wakes[ep]:
		}
	}
}

// Step takes the lease if free and delivers everything due, every
// endpoint at once; for tests with a manual clock.
func (d *Deliverer) Step(ctx context.Context) error {
	held, err := d.acquire(ctx)
	if err != nil || !held {
		return err
	}
	var wg sync.WaitGroup
	for _, ep := range d.cfg.Endpoints {
		wg.Go(func() { d.drain(ctx, ep) })
	}
	wg.Wait()
	return nil
}

// drain sends endpoint's queue in order until it is empty, its head is not
// due yet, or a send fails (then the head waits its backoff).
func (d *Deliverer) drain(ctx context.Context, ep string) {
	for ctx.Err() == nil && d.held.Load() {
		del, ok, err := d.outbox.Head(ctx, ep)
		if err != nil {
			d.log.Warn("reading the webhook outbox", "endpoint", ep, "err", err)
			return
		}
		if !ok || d.clock.Now().Before(del.NextAt) {
			return
		}
		sctx, cancel := context.WithTimeout(ctx, d.cfg.SendTimeout)
		err = d.send.Send(sctx, ep, del.Event)
		cancel()
		now := d.clock.Now()
		d.obs.WebhookAttempt(ep, err == nil)
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, context.Canceled) {
				return // shutting down: the delivery stays queued
			}
			wait := d.cfg.Jitter(d.Backoff(del.Attempts + 1))
			d.log.Warn("webhook delivery failed; will retry", "endpoint", ep, "event", del.Event.ID,
				"attempt", del.Attempts+1, "retry_in", wait, "err", err)
			if rerr := d.outbox.Retry(context.WithoutCancel(ctx), ep, del.Event.ID, now.Add(wait), err.Error(), now); rerr != nil {
				d.log.Warn("recording a failed webhook delivery", "endpoint", ep, "err", rerr)
			}
			return
		}
		if err := d.outbox.Done(context.WithoutCancel(ctx), ep, del.Event.ID, now); err != nil {
			d.log.Warn("recording a webhook delivery", "endpoint", ep, "err", err)
			return
		}
	}
}
