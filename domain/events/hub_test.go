package events_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/events"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

func newHub(t *testing.T, store ports.EventStore, clock ports.Clock, buffer int) *events.Hub {
	t.Helper()
	h, err := events.NewHub(context.Background(), store, clock, nil, nil, events.HubConfig{ClientBuffer: buffer, GapGrace: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// 1,000 readers, one of which never reads: it is dropped once its buffer
// is full, and the 999 others get every event in order. Events arrive in
// chunks smaller than a buffer, and each chunk is handed out only after
// every live reader took the last one, so the test does not depend on how
// fast the machine schedules 999 goroutines (a live reader is never slow
// here; only the stalled one is).
func TestHubThousandReadersOneStalled(t *testing.T) {
	const readers, n, buffer, chunk = 1000, 300, 64, 50
	store := &memstore.Events{}
	h := newHub(t, store, ports.SystemClock{}, buffer)
	stalled := h.Subscribe(nil)
	subs := make([]*events.Subscription, readers-1)
	for i := range subs {
		subs[i] = h.Subscribe(nil)
	}
	chunks := make([]sync.WaitGroup, n/chunk)
	for i := range chunks {
		chunks[i].Add(len(subs))
	}
	var wg sync.WaitGroup
	for _, s := range subs {
		wg.Go(func() {
			want := int64(1)
			defer func() { // a reader that failed must not leave the test waiting for it
				for c := (want - 1) / chunk; want <= n && c < int64(len(chunks)); c++ {
					chunks[c].Done() // the chunks it never finished
				}
			}()
			for e := range s.C {
				if e.ID != want {
					t.Errorf("got event %d, want %d", e.ID, want)
					return
				}
				if e.ID%chunk == 0 {
					chunks[e.ID/chunk-1].Done()
				}
				if want++; want > n {
					return
				}
			}
			t.Errorf("closed at event %d", want)
		})
	}
	for i := range chunks {
		emitN(t, store, chunk)
		if err := h.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		chunks[i].Wait()
	}
	wg.Wait()
	if !h.Dropped(stalled) {
		t.Fatal("the stalled reader was not dropped")
	}
	got := 0
	for range stalled.C {
		got++
	}
	if got != buffer {
		t.Fatalf("the stalled reader's buffer held %d, want %d", got, buffer)
	}
}

// IDs are handed out before their transactions commit: a later one may be
// visible first. The Hub holds back at the gap until it fills, or skips it
// after GapGrace (a rolled-back insert never fills).
func TestHubWaitsAtAGap(t *testing.T) {
	ctx := context.Background()
	clock := portstest.NewManualClock(t0)
	store := &gappyStore{Events: &memstore.Events{}}
	h := newHub(t, store, clock, 16)
	sub := h.Subscribe(nil)
	emitN(t, store.Events, 4)
	store.hide = 2 // event 2 is not committed yet
	must(t, h.Poll(ctx))
	if got := drain(sub); !equalIDs(got, 1) {
		t.Fatalf("got %v, want 1 only", got)
	}
	store.hide = 0 // it commits
	must(t, h.Poll(ctx))
	if got := drain(sub); !equalIDs(got, 2, 3, 4) {
		t.Fatalf("got %v, want 2 3 4", got)
	}
	emitN(t, store.Events, 2) // 5, 6
	store.hide = 5            // 5 rolled back: never shows
	must(t, h.Poll(ctx))
	clock.Add(4 * time.Second)
	must(t, h.Poll(ctx))
	if got := drain(sub); len(got) != 0 {
		t.Fatalf("skipped the gap early: %v", got)
	}
	clock.Add(2 * time.Second)
	must(t, h.Poll(ctx))
	if got := drain(sub); !equalIDs(got, 6) {
		t.Fatalf("got %v, want 6 after the grace", got)
	}
}

// gappyStore hides one event id, as an uncommitted insert is hidden.
type gappyStore struct {
	*memstore.Events
	hide int64
}

func (g *gappyStore) After(ctx context.Context, after int64, limit int) ([]domain.Event, error) {
	all, err := g.Events.After(ctx, after, limit)
	out := all[:0]
	for _, e := range all {
		if e.ID != g.hide {
			out = append(out, e)
		}
	}
	return out, err
}

func drain(s *events.Subscription) []int64 {
	var out []int64
	for {
		select {
		case e := <-s.C:
			out = append(out, e.ID)
		default:
			return out
		}
	}
}

func equalIDs(got []int64, want ...int64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The Bus stores events in emission order, with their deliveries, logs one
// info line each, and drops (counting) rather than blocks when its queue
// is full.
func TestBusStoresLogsAndNeverBlocks(t *testing.T) {
	store := &memstore.Events{}
	var logs bytes.Buffer
	obs := &countingObserver{}
	gate := make(chan struct{})
	b := events.NewBus(events.BusDeps{Store: &slowStore{EventStore: store, gate: gate}, Clock: portstest.NewManualClock(t0),
		Log: slog.New(slog.NewTextHandler(&logs, nil)), Observer: obs},
		events.BusConfig{QueueSize: 2, Endpoints: []events.Endpoint{{Name: "all"}, {Name: "players", Types: []domain.EventType{domain.EventPlayerJoined}}}})
	ctx := domain.WithRequestID(context.Background(), "req-1")
	for range 4 { // the writer holds at most one and two wait: the rest are dropped
		b.Emit(ctx, domain.NewEvent(domain.EventPlayerJoined, t0, "steve", "i-1", domain.EventData{Player: "alex"}))
	}
	b.Emit(ctx, domain.Event{Type: domain.EventBackupReady}) // no time: the clock's
	close(gate)
	b.Close()
	all, _ := store.After(ctx, 0, 10)
	if len(all) < 2 || obs.lost() < 2 || len(all)+obs.lost() != 5 {
		t.Fatalf("stored %d, lost %d of 5", len(all), obs.lost())
	}
	if st, _ := store.Status(ctx, []string{"all", "players"}); st[0].Backlog != len(all) || st[1].Backlog != len(all)-boolInt(all[len(all)-1].Type == domain.EventBackupReady) {
		t.Fatalf("backlogs %+v for %d events", st, len(all))
	}
	if n := strings.Count(logs.String(), "msg=event "); n != len(all) {
		t.Fatalf("%d event lines for %d events:\n%s", n, len(all), logs.String())
	}
	if !strings.Contains(logs.String(), "request_id=req-1") || !strings.Contains(logs.String(), "event lost") {
		t.Fatalf("logs:\n%s", logs.String())
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// slowStore holds every Append until gate closes.
type slowStore struct {
	ports.EventStore
	gate chan struct{}
}

func (s *slowStore) Append(ctx context.Context, e domain.Event, outbox []string) (domain.Event, error) {
	<-s.gate
	return s.EventStore.Append(ctx, e, outbox)
}

type countingObserver struct {
	ports.NopEventObserver
	mu sync.Mutex
	n  int
}

func (c *countingObserver) EventLost() { c.mu.Lock(); c.n++; c.mu.Unlock() }
func (c *countingObserver) lost() int  { c.mu.Lock(); defer c.mu.Unlock(); return c.n }

// Replicas share the table: a reader on replica B sees what replica A
// emitted once B's poller reads the table (A's Bus wakes only A's Hub).
func TestHubAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	store := &memstore.Events{} // the shared database
	hubA, hubB := newHub(t, store, ports.SystemClock{}, 16), newHub(t, store, ports.SystemClock{}, 16)
	onB := hubB.Subscribe(nil)
	busA := events.NewBus(events.BusDeps{Store: store, Clock: ports.SystemClock{}, Wake: []func(){hubA.Wake}}, events.BusConfig{})
	busA.Emit(ctx, domain.NewEvent(domain.EventPlayerJoined, t0, "", "i-1", domain.EventData{Player: "alex"}))
	busA.Close() // stored
	if got := drain(onB); len(got) != 0 {
		t.Fatalf("B saw %v before polling", got)
	}
	must(t, hubB.Poll(ctx))
	if got := drain(onB); !equalIDs(got, 1) {
		t.Fatalf("B got %v", got)
	}
}

func TestBusEmitAfterCloseIsLostNotAPanic(t *testing.T) {
	obs := &countingObserver{}
	b := events.NewBus(events.BusDeps{Store: &memstore.Events{}, Clock: ports.SystemClock{}, Observer: obs}, events.BusConfig{})
	b.Close()
	b.Close()
	b.Emit(context.Background(), domain.NewEvent(domain.EventPlayerJoined, t0, "", "", domain.EventData{}))
	if obs.lost() != 1 {
		t.Fatalf("lost %d", obs.lost())
	}
}
