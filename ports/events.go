package ports

import (
	"context"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// EventSink is where the domain says what happened. Emit never blocks the
// caller on a network, a slow reader or a webhook: an implementation
// queues the event (and stores it, fans it out to live readers and to the
// webhook outbox) on its own time. It returns nothing: an event that cannot
// be kept is the sink's to log and count, never the caller's failure.
//
// Emitters fill Type, Time, Actor, Instance and Payload (domain.NewEvent);
// the store assigns ID. The request id in ctx, if any, may be logged.
type EventSink interface {
	Emit(ctx context.Context, e domain.Event)
}

// NopEventSink drops every event; the default where none is wired.
type NopEventSink struct{}

func (NopEventSink) Emit(context.Context, domain.Event) {}

// EventStore keeps the event stream (the `events` table) and, in the same
// write, the webhook outbox. IDs grow with every Append; readers resume
// with After. Times are UTC with at least millisecond precision.
type EventStore interface {
	// Append stores e with the next ID and returns it stored; for each
	// endpoint named in outbox it queues a delivery in the same
	// transaction, so an event is never stored without its deliveries.
	Append(ctx context.Context, e domain.Event, outbox []string) (domain.Event, error)

	// After lists up to limit events with ID > after, in ID order.
	After(ctx context.Context, after int64, limit int) ([]domain.Event, error)

	// LastID is the highest ID stored, 0 when there is none.
	LastID(ctx context.Context) (int64, error)

	// Prune deletes events older than before and returns how many; queued
	// deliveries keep their events alive (an endpoint down for long still
	// gets them).
	Prune(ctx context.Context, before time.Time) (int64, error)
}
