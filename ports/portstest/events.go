package portstest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// EventStores is one event store and the outbox over the same data.
type EventStores struct {
	Events ports.EventStore
	Outbox ports.OutboxStore
}

// RunEventStoreTests runs the ports.EventStore and ports.OutboxStore
// contract. newStores must return empty stores of their own.
func RunEventStoreTests(t *testing.T, newStores func(t *testing.T) EventStores) {
	t.Helper()
	runSuite(t, newStores, []suiteCase[EventStores]{
		{"AppendRoundTrip", testEventsRoundTrip},
		{"AfterResumesInOrder", testEventsAfter},
		{"ConcurrentAppendsGetDistinctGrowingIDs", testEventsConcurrent},
		{"OutboxInOrderPerEndpoint", testOutboxOrder},
		{"OutboxRetryAndStatus", testOutboxRetry},
		{"PruneKeepsQueued", testEventsPrune},
		{"DropOthers", testOutboxDropOthers},
	})
}

var eventsT0 = time.Date(2026, 12, 5, 8, 0, 0, 123456000, time.UTC)

func appendEvent(t *testing.T, s ports.EventStore, typ domain.EventType, at time.Time, outbox ...string) domain.Event {
	t.Helper()
	e, err := s.Append(context.Background(), domain.NewEvent(typ, at, "steve", "i-1", domain.EventData{IP: "1.2.3.4"}), outbox)
	if err != nil {
		t.Fatalf("append %s: %v", typ, err)
	}
	return e
}

func testEventsRoundTrip(t *testing.T, f EventStores) {
	ctx := context.Background()
	if id, err := f.Events.LastID(ctx); err != nil || id != 0 {
		t.Fatalf("empty LastID %d %v", id, err)
	}
	e := appendEvent(t, f.Events, domain.EventInstanceIP, eventsT0)
	if e.ID <= 0 {
		t.Fatalf("id %d", e.ID)
	}
	got, err := f.Events.After(ctx, 0, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("after %v %v", got, err)
	}
	g := got[0]
	if g.ID != e.ID || g.Type != domain.EventInstanceIP || !g.Time.Equal(eventsT0) || g.Time.Location() != time.UTC ||
		g.Actor != "steve" || g.Instance != "i-1" || g.Data().IP != "1.2.3.4" {
		t.Fatalf("read back %+v (%s)", g, g.Payload)
	}
	if id, err := f.Events.LastID(ctx); err != nil || id != e.ID {
		t.Fatalf("LastID %d %v", id, err)
	}
}

func testEventsAfter(t *testing.T, f EventStores) {
	ctx := context.Background()
	var ids []int64
	for i := range 5 {
		ids = append(ids, appendEvent(t, f.Events, domain.EventPlayerJoined, eventsT0.Add(time.Duration(i)*time.Second)).ID)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("ids do not grow: %v", ids)
		}
	}
	page, err := f.Events.After(ctx, ids[1], 2)
	if err != nil || len(page) != 2 || page[0].ID != ids[2] || page[1].ID != ids[3] {
		t.Fatalf("page %+v %v", page, err)
	}
	rest, err := f.Events.After(ctx, ids[4], 10)
	if err != nil || len(rest) != 0 {
		t.Fatalf("after the last %+v %v", rest, err)
	}
}

func testEventsConcurrent(t *testing.T, f EventStores) {
	const n = 20
	ids := make(chan int64, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			e, err := f.Events.Append(context.Background(), domain.NewEvent(domain.EventDeployOutput, eventsT0, "", "", domain.EventData{}), []string{"a"})
			if err != nil {
				t.Error(err)
				return
			}
			ids <- e.ID
		})
	}
	wg.Wait()
	close(ids)
	seen := map[int64]bool{}
	for id := range ids {
		if seen[id] {
			t.Fatalf("id %d twice", id)
		}
		seen[id] = true
	}
	all, err := f.Events.After(context.Background(), 0, 100)
	if err != nil || len(all) != n {
		t.Fatalf("%d events, %v", len(all), err)
	}
}

func testOutboxOrder(t *testing.T, f EventStores) {
	ctx := context.Background()
	e1 := appendEvent(t, f.Events, domain.EventOperationStarted, eventsT0, "a", "b")
	e2 := appendEvent(t, f.Events, domain.EventOperationStep, eventsT0, "a")
	if _, ok, err := f.Outbox.Head(ctx, "c"); err != nil || ok {
		t.Fatalf("unknown endpoint has a head: %v %v", ok, err)
	}
	for _, want := range []int64{e1.ID, e2.ID} {
		d, ok, err := f.Outbox.Head(ctx, "a")
		if err != nil || !ok || d.Event.ID != want || d.Endpoint != "a" || d.Event.Type == "" || d.Attempts != 0 {
			t.Fatalf("head of a: %+v %v %v, want event %d", d, ok, err, want)
		}
		if err := f.Outbox.Done(ctx, "a", want, eventsT0); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, _ := f.Outbox.Head(ctx, "a"); ok {
		t.Fatal("a still has a head")
	}
	if d, ok, err := f.Outbox.Head(ctx, "b"); err != nil || !ok || d.Event.ID != e1.ID {
		t.Fatalf("b's head %+v %v %v", d, ok, err)
	}
	// Done twice (a restarted deliverer) is harmless.
	if err := f.Outbox.Done(ctx, "a", e1.ID, eventsT0); err != nil {
		t.Fatal(err)
	}
}

func testOutboxRetry(t *testing.T, f EventStores) {
	ctx := context.Background()
	e := appendEvent(t, f.Events, domain.EventBackupFailed, eventsT0, "a")
	appendEvent(t, f.Events, domain.EventBackupFailed, eventsT0, "a")
	next := eventsT0.Add(30 * time.Second)
	if err := f.Outbox.Retry(ctx, "a", e.ID, next, "HTTP 500", eventsT0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	d, ok, err := f.Outbox.Head(ctx, "a")
	if err != nil || !ok || d.Event.ID != e.ID || d.Attempts != 1 || !d.NextAt.Equal(next) || d.LastError != "HTTP 500" {
		t.Fatalf("after a retry %+v %v %v", d, ok, err)
	}
	st, err := f.Outbox.Status(ctx, []string{"a", "z"})
	if err != nil || len(st) != 2 {
		t.Fatalf("status %+v %v", st, err)
	}
	if st[0].Endpoint != "a" || st[0].Backlog != 2 || st[0].LastError != "HTTP 500" || !st[0].LastErrorAt.Equal(eventsT0.Add(time.Second)) || !st[0].LastSuccess.IsZero() {
		t.Fatalf("a %+v", st[0])
	}
	if st[1].Endpoint != "z" || st[1].Backlog != 0 || st[1].LastError != "" {
		t.Fatalf("z %+v", st[1])
	}
	if err := f.Outbox.Done(ctx, "a", e.ID, eventsT0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	st, _ = f.Outbox.Status(ctx, []string{"a"})
	if st[0].Backlog != 1 || !st[0].LastSuccess.Equal(eventsT0.Add(time.Minute)) || st[0].LastError != "HTTP 500" {
		t.Fatalf("after done %+v", st[0])
	}
}

func testEventsPrune(t *testing.T, f EventStores) {
	ctx := context.Background()
	old := appendEvent(t, f.Events, domain.EventPlayerLeft, eventsT0)
	queued := appendEvent(t, f.Events, domain.EventPlayerLeft, eventsT0, "a")
	fresh := appendEvent(t, f.Events, domain.EventPlayerLeft, eventsT0.Add(48*time.Hour))
	n, err := f.Events.Prune(ctx, eventsT0.Add(24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d %v", n, err)
	}
	got, _ := f.Events.After(ctx, 0, 10)
	if len(got) != 2 || got[0].ID != queued.ID || got[1].ID != fresh.ID {
		t.Fatalf("left %+v (old was %d)", got, old.ID)
	}
	if id, _ := f.Events.LastID(ctx); id != fresh.ID {
		t.Fatalf("LastID %d", id)
	}
}

func testOutboxDropOthers(t *testing.T, f EventStores) {
	ctx := context.Background()
	appendEvent(t, f.Events, domain.EventPlayerLeft, eventsT0, "a", "b", "c")
	appendEvent(t, f.Events, domain.EventPlayerLeft, eventsT0, "b")
	n, err := f.Outbox.DropOthers(ctx, []string{"a", "z"})
	if err != nil || n != 3 {
		t.Fatalf("dropped %d %v, want 3", n, err)
	}
	st, err := f.Outbox.Status(ctx, []string{"a", "b", "c"})
	if err != nil || st[0].Backlog != 1 || st[1].Backlog != 0 || st[2].Backlog != 0 {
		t.Fatalf("after %+v %v", st, err)
	}
	if n, err := f.Outbox.DropOthers(ctx, nil); err != nil || n != 1 {
		t.Fatalf("dropping all: %d %v", n, err)
	}
}
