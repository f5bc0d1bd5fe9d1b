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

// Delivery is one event queued for one webhook endpoint.
type Delivery struct {
	Endpoint  string
	Event     domain.Event
	Attempts  int       // failed attempts so far
	NextAt    time.Time // not before; zero: at once
	LastError string
}

// EndpointStatus is what an operator sees of one webhook endpoint.
type EndpointStatus struct {
	Endpoint    string
	Backlog     int // deliveries still queued
	LastSuccess time.Time
	LastError   string
	LastErrorAt time.Time
}

// OutboxStore hands queued webhook deliveries to the one process that
// delivers them (it holds the "webhooks" lease), oldest event first per
// endpoint, so each endpoint gets its events in order. A delivery stays
// queued until Done: a process that dies mid-delivery leaves it for the
// next holder (at least once; receivers dedupe by event id).
type OutboxStore interface {
	// Head returns endpoint's queued delivery with the lowest event ID, ok
	// false when none is queued.
	Head(ctx context.Context, endpoint string) (d Delivery, ok bool, err error)

	// Done removes the delivery and records a success at at.
	Done(ctx context.Context, endpoint string, eventID int64, at time.Time) error

	// Retry records a failed attempt at at: one more attempt, next try at
	// next, errText as the endpoint's last error.
	Retry(ctx context.Context, endpoint string, eventID int64, next time.Time, errText string, at time.Time) error

	// Status reports each endpoint in endpoints (in that order).
	Status(ctx context.Context, endpoints []string) ([]EndpointStatus, error)

	// DropOthers removes the deliveries queued for endpoints not in keep
	// (removed or renamed in the configuration, so nobody would deliver
	// them and they would keep their events for ever); it returns how many.
	DropOthers(ctx context.Context, keep []string) (int64, error)
}

// WebhookSender delivers one event to one configured webhook endpoint
// (named as in the outbox). An error means "not delivered, try again
// later"; it must be safe to show an operator (no secrets, no URL query).
type WebhookSender interface {
	Send(ctx context.Context, endpoint string, e domain.Event) error
}

// EventObserver hears what the event machinery does, for metrics. Its
// methods are called synchronously and must not block.
type EventObserver interface {
	// EventStored counts an event stored (and so streamed and queued).
	EventStored(t domain.EventType)
	// EventLost counts an event that could not be kept (queue full, store
	// down): it is logged, but nobody will see it.
	EventLost()
	// StreamClients moves the number of connected live readers by delta.
	StreamClients(delta int)
	// StreamDropped counts a live reader dropped for being too slow.
	StreamDropped()
	// WebhookAttempt counts one delivery attempt to endpoint.
	WebhookAttempt(endpoint string, ok bool)
}

// NopEventObserver ignores everything; the default.
type NopEventObserver struct{}

func (NopEventObserver) EventStored(domain.EventType) {}
func (NopEventObserver) EventLost()                   {}
func (NopEventObserver) StreamClients(int)            {}
func (NopEventObserver) StreamDropped()               {}
func (NopEventObserver) WebhookAttempt(string, bool)  {}
