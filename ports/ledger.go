package ports

import (
	"context"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// LedgerStore keeps the cost intervals of every instance, product by
// product (domain.Product). An instance has at most one open interval per
// product; replicas racing to open one get one.
type LedgerStore interface {
	// Begin stores iv (End zero; Product "" is domain.ProductInstance) and
	// returns it with its ID and Product. Returns domain.ErrIntervalOpen
	// when iv.InstanceID already has an open one for that product.
	Begin(ctx context.Context, iv domain.CostInterval) (domain.CostInterval, error)

	// End closes the open interval of the instance's product at `at` (its
	// start when `at` is earlier) and reports whether there was one.
	End(ctx context.Context, instanceID string, product domain.Product, at time.Time) (bool, error)

	// Running returns the open interval of the instance's product and
	// whether it has one.
	Running(ctx context.Context, instanceID string, product domain.Product) (domain.CostInterval, bool, error)

	// Intervals returns the intervals that overlap [from, to), open ones
	// included, ordered by start then ID, each with its Product set.
	Intervals(ctx context.Context, from, to time.Time) ([]domain.CostInterval, error)
}
