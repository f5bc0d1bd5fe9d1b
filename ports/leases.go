package ports

import (
	"context"
	"time"
)

// Lease is a named, expiring right held by one process: "monitors" (only
// its holder runs the reconciler and watchdogs) or "process/<id>" (a live
// process's heartbeat, so others can tell its operations are abandoned).
type Lease struct {
	Name   string
	Holder string
	// Token grows every time the lease changes hands: a fencing token that
	// lets a holder notice it lost the lease in between.
	Token     int64
	ExpiresAt time.Time
}

// LeaseStore grants leases through the shared database, so replicas agree
// on them. Times come from the store's clock.
type LeaseStore interface {
	// Acquire takes the lease for holder until now+ttl when it is free,
	// expired or already holder's (then it is renewed, keeping its token).
	// held is false, with the current lease, when another holds it.
	Acquire(ctx context.Context, name, holder string, ttl time.Duration) (lease Lease, held bool, err error)

	// Release gives the lease up if holder still holds it.
	Release(ctx context.Context, name, holder string) error

	// Get returns the lease as stored (expired or not), or
	// domain.ErrNoLease when it was never taken.
	Get(ctx context.Context, name string) (Lease, error)
}
