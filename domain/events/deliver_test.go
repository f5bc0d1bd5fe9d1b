package events_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/domain/events"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

var t0 = time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)

// receiver records what it was sent; while down it fails every send.
type receiver struct {
	mu   sync.Mutex
	down bool
	got  map[string][]int64 // by endpoint
	// hang, when set, blocks the send of this event id until ctx ends,
	// closing hanging when it starts to.
	hang    int64
	hanging chan struct{}
}

func (r *receiver) Send(ctx context.Context, ep string, e domain.Event) error {
	r.mu.Lock()
	if r.down {
		r.mu.Unlock()
		return errors.New("HTTP 503")
	}
	if r.got == nil {
		r.got = map[string][]int64{}
	}
	r.got[ep] = append(r.got[ep], e.ID)
	hang := r.hang == e.ID
	if hang {
		r.hang = 0 // once
	}
	r.mu.Unlock()
	if hang {
		close(r.hanging)
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (r *receiver) received(ep string) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got[ep])
}

func (r *receiver) setDown(down bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = down
}

func emitN(t *testing.T, s ports.EventStore, n int, outbox ...string) []int64 {
	t.Helper()
	var ids []int64
	for i := range n {
		e, err := s.Append(context.Background(), domain.NewEvent(domain.EventPlayerJoined, t0, "", "i-1",
			domain.EventData{Player: fmt.Sprint("p", i)}), outbox)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	return ids
}

func halfJitter(d time.Duration) time.Duration { return d } // the longest wait: deterministic

// A receiver down for an hour gets every event once it is back, once each
// and in order; the other endpoint is not held up meanwhile.
func TestDeliveryReceiverDownThenUp(t *testing.T) {
	ctx := context.Background()
	clock := portstest.NewManualClock(t0)
	store := &memstore.Events{}
	down, up := &receiver{down: true}, &receiver{}
	send := sendFunc(func(ctx context.Context, ep string, e domain.Event) error {
		if ep == "down" {
			return down.Send(ctx, ep, e)
		}
		return up.Send(ctx, ep, e)
	})
	d := events.NewDeliverer(store, memstore.NewLeases(clock), send, clock, nil, nil,
		events.DelivererConfig{Endpoints: []string{"down", "up"}, Holder: "p1", MinBackoff: time.Second, MaxBackoff: time.Minute, Jitter: halfJitter})
	want := emitN(t, store, 5, "down", "up")

	for range 60 { // an hour of retries, a minute apart at most
		if err := d.Step(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute)
	}
	if got := up.received("up"); !slices.Equal(got, want) {
		t.Fatalf("the healthy endpoint got %v, want %v", got, want)
	}
	st, _ := store.Status(ctx, []string{"down"})
	if st[0].Backlog != 5 || st[0].LastError != "HTTP 503" {
		t.Fatalf("status while down %+v", st[0])
	}
	head, _, _ := store.Head(ctx, "down")
	if head.Attempts < 50 || head.Event.ID != want[0] {
		t.Fatalf("head while down %+v", head)
	}

	if err := d.Step(ctx); err != nil { // one more failure: the next try is a minute away
		t.Fatal(err)
	}
	down.setDown(false)
	if err := d.Step(ctx); err != nil { // not due yet: the backoff holds
		t.Fatal(err)
	}
	if got := down.received("down"); len(got) != 0 {
		t.Fatalf("sent before its retry time: %v", got)
	}
	clock.Add(time.Minute)
	if err := d.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if got := down.received("down"); !slices.Equal(got, want) {
		t.Fatalf("after recovery got %v, want %v once each in order", got, want)
	}
	st, _ = store.Status(ctx, []string{"down"})
	if st[0].Backlog != 0 || !st[0].LastSuccess.Equal(clock.Now()) {
		t.Fatalf("status after recovery %+v", st[0])
	}
}

type sendFunc func(ctx context.Context, ep string, e domain.Event) error

func (f sendFunc) Send(ctx context.Context, ep string, e domain.Event) error { return f(ctx, ep, e) }

func TestBackoffDoublesToTheCap(t *testing.T) {
	d := events.NewDeliverer(nil, nil, nil, ports.SystemClock{}, nil, nil,
		events.DelivererConfig{MinBackoff: time.Second, MaxBackoff: 10 * time.Second})
	for attempt, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 40: 10 * time.Second} {
		if got := d.Backoff(attempt); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", attempt, got, want)
		}
	}
}

// A process that dies mid-delivery loses nothing: after its lease runs out
// another process (a restart, or another replica) delivers the rest from
// the same database, the interrupted event again (at least once).
func TestDeliveryRestartMidDelivery(t *testing.T) {
	ctx := context.Background()
	clock := portstest.NewManualClock(t0)
	store, leases := &memstore.Events{}, memstore.NewLeases(clock) // the database both processes share
	want := emitN(t, store, 5, "a")
	rcv := &receiver{hang: want[2], hanging: make(chan struct{})}
	cfg := events.DelivererConfig{Endpoints: []string{"a"}, Holder: "p1", LeaseTTL: 30 * time.Second, Jitter: halfJitter}
	d1 := events.NewDeliverer(store, leases, rcv, clock, nil, nil, cfg)
	crash, kill := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = d1.Step(crash) }()
	<-rcv.hanging // the third send is under way
	kill()        // and the process dies
	<-done

	cfg.Holder = "p2"
	d2 := events.NewDeliverer(store, leases, rcv, clock, nil, nil, cfg)
	if err := d2.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rcv.received("a"); len(got) != 3 {
		t.Fatalf("delivered while p1's lease still runs: %v", got)
	}
	clock.Add(31 * time.Second) // p1's lease expires
	if err := d2.Step(ctx); err != nil {
		t.Fatal(err)
	}
	got := rcv.received("a")
	if !slices.Equal(slices.Compact(got), want) || len(got) != 6 {
		t.Fatalf("after the restart got %v, want %v with the interrupted one twice", got, want)
	}
}

// Deliveries queued for an endpoint that is no longer configured are
// dropped when a deliverer takes the lease, so their events can be pruned.
func TestDeliveryDropsRemovedEndpoints(t *testing.T) {
	ctx := context.Background()
	clock := portstest.NewManualClock(t0)
	store := &memstore.Events{}
	emitN(t, store, 3, "old", "kept")
	d := events.NewDeliverer(store, memstore.NewLeases(clock), &receiver{down: true}, clock, nil, nil,
		events.DelivererConfig{Endpoints: []string{"kept"}, Holder: "p1", Jitter: halfJitter})
	must(t, d.Step(ctx))
	st, _ := store.Status(ctx, []string{"old", "kept"})
	if st[0].Backlog != 0 || st[1].Backlog != 3 {
		t.Fatalf("%+v", st)
	}
	none := events.NewDeliverer(store, memstore.NewLeases(clock), &receiver{}, clock, nil, nil, events.DelivererConfig{Holder: "p2"})
	none.Run(ctx) // no endpoints: returns at once, after dropping the rest
	st, _ = store.Status(ctx, []string{"kept"})
	if st[0].Backlog != 0 {
		t.Fatalf("%+v", st)
	}
}
