package ports

import (
	"context"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// LedgerStore keeps the cost intervals of every instance. An instance has
// at most one open interval; replicas racing to open one get one.
type LedgerStore interface {
	// Begin stores iv (End zero) and returns it with its ID. Returns
	// domain.ErrIntervalOpen when iv.InstanceID already has an open one.
	Begin(ctx context.Context, iv domain.CostInterval) (domain.CostInterval, error)

	// End closes the instance's open interval at `at` (its start when `at`
	// is earlier) and reports whether there was one.
	End(ctx context.Context, instanceID string, at time.Time) (bool, error)

	// Running returns the instance's open interval and whether it has one.
	Running(ctx context.Context, instanceID string) (domain.CostInterval, bool, error)

	// Intervals returns the intervals that overlap [from, to), open ones
	// included, ordered by start then ID.
	Intervals(ctx context.Context, from, to time.Time) ([]domain.CostInterval, error)
}
