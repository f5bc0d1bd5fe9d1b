package events

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// HubConfig tunes the Hub.
type HubConfig struct {
	// PollInterval is how often the Hub reads the shared table for events
	// other replicas stored (this replica's own wake it at once).
	PollInterval time.Duration
	// GapGrace is how long a missing ID holds back the ones after it: IDs
	// are handed out before their transactions commit, so a later ID can
	// become visible first; one that never shows (a rolled-back insert)
	// is skipped after GapGrace.
	GapGrace time.Duration
	// ClientBuffer is how many events a live reader may fall behind
	// before it is dropped (never waited on).
	ClientBuffer int
}

// Hub fans stored events out to live readers (SSE clients). One poller per
// process reads the table in ID order and hands each event to every
// subscriber without blocking: a subscriber whose buffer is full is
// dropped, and resumes from the table when it reconnects.
type Hub struct {
	store ports.EventStore
	clock ports.Clock
	cfg   HubConfig
	log   *slog.Logger
	obs   ports.EventObserver
	wake  chan struct{}

	mu      sync.Mutex
	cursor  int64     // every event up to here has been fanned out
	gapSeen time.Time // when the poller first waited on a missing ID
	subs    map[*Subscription]struct{}
}

// Subscription is one live reader. C delivers events after Start in ID
// order; it is closed when the reader is dropped (Dropped then reports
// true) or unsubscribed.
type Subscription struct {
	// C carries events shared by every subscriber: read them, never change
	// them. A pointer a slot keeps an idle reader's buffer small.
	C       <-chan *domain.Event
	Start   int64 // the Hub's cursor when subscribed: C carries only later events
	c       chan *domain.Event
	want    func(domain.Event) bool
	dropped bool // guarded by the Hub's mu
}

// NewHub returns a Hub starting after the newest stored event.
func NewHub(ctx context.Context, store ports.EventStore, clock ports.Clock, log *slog.Logger, obs ports.EventObserver, cfg HubConfig) (*Hub, error) {
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.GapGrace <= 0 {
		cfg.GapGrace = 5 * time.Second
	}
	if cfg.ClientBuffer <= 0 {
		cfg.ClientBuffer = 256
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if obs == nil {
		obs = ports.NopEventObserver{}
	}
	last, err := store.LastID(ctx)
	if err != nil {
		return nil, err
	}
	return &Hub{store: store, clock: clock, cfg: cfg, log: log, obs: obs, wake: make(chan struct{}, 1),
		cursor: last, subs: map[*Subscription]struct{}{}}, nil
}

// Store is where readers catch up from before their subscription starts.
func (h *Hub) Store() ports.EventStore { return h.store }

// Wake makes the poller read the table now (after a local event).
func (h *Hub) Wake() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Run polls until ctx ends, then closes every subscription.
func (h *Hub) Run(ctx context.Context) {
	t := time.NewTicker(h.cfg.PollInterval)
	defer t.Stop()
	defer h.closeAll()
	for {
		if err := h.Poll(ctx); err != nil && ctx.Err() == nil {
			h.log.Warn("reading new events", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-h.wake:
		}
	}
}

// Poll reads the events after the cursor and fans them out, stopping at a
// missing ID until GapGrace has passed. Run calls it; tests may too.
func (h *Hub) Poll(ctx context.Context) error {
	for {
		h.mu.Lock()
		cursor := h.cursor
		h.mu.Unlock()
		page, err := h.store.After(ctx, cursor, 500)
		if err != nil || len(page) == 0 {
			return err
		}
		h.mu.Lock()
		n := h.fanOut(page)
		h.mu.Unlock()
		if n < len(page) {
			return nil // held back at a gap
		}
	}
}

// fanOut hands page (in ID order) to subscribers and moves the cursor;
// it returns how many events it took. Called with mu held.
func (h *Hub) fanOut(page []domain.Event) int {
	for i := range page {
		e := &page[i]
		if e.ID != h.cursor+1 {
			now := h.clock.Now()
			if h.gapSeen.IsZero() {
				h.gapSeen = now
			}
			if now.Sub(h.gapSeen) < h.cfg.GapGrace {
				return i
			}
		}
		h.gapSeen = time.Time{}
		h.cursor = e.ID
		for s := range h.subs {
			if s.want != nil && !s.want(*e) {
				continue
			}
			select {
			case s.c <- e:
			default:
				h.drop(s)
			}
		}
	}
	return len(page)
}

// drop ends a subscriber that fell behind. Called with mu held.
func (h *Hub) drop(s *Subscription) {
	s.dropped = true
	delete(h.subs, s)
	close(s.c)
	h.obs.StreamDropped()
	h.obs.StreamClients(-1)
}

// Subscribe adds a live reader taking the events want accepts (nil: all).
func (h *Hub) Subscribe(want func(domain.Event) bool) *Subscription {
	c := make(chan *domain.Event, h.cfg.ClientBuffer)
	h.mu.Lock()
	defer h.mu.Unlock()
	s := &Subscription{C: c, c: c, want: want, Start: h.cursor}
	h.subs[s] = struct{}{}
	h.obs.StreamClients(1)
	return s
}

// Unsubscribe removes s; harmless after it was dropped.
func (h *Hub) Unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.c)
		h.obs.StreamClients(-1)
	}
}

// Dropped reports whether s was dropped for falling behind.
func (h *Hub) Dropped(s *Subscription) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return s.dropped
}

func (h *Hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		delete(h.subs, s)
		close(s.c)
		h.obs.StreamClients(-1)
	}
}
