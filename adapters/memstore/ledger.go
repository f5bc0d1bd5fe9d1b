package memstore

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Ledger is an in-memory ports.LedgerStore.
type Ledger struct {
	mu  sync.Mutex
	ivs []domain.CostInterval
}

var _ ports.LedgerStore = (*Ledger)(nil)

func (l *Ledger) Begin(ctx context.Context, iv domain.CostInterval) (domain.CostInterval, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.CostInterval{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	iv.Product = iv.ProductOrInstance()
	if l.open(iv.InstanceID, iv.Product) >= 0 {
		return domain.CostInterval{}, domain.ErrIntervalOpen
	}
	iv.ID = int64(len(l.ivs) + 1)
	iv.Start, iv.End = iv.Start.UTC().Truncate(time.Microsecond), time.Time{}
	l.ivs = append(l.ivs, iv)
	return iv, nil
}

func (l *Ledger) open(id string, p domain.Product) int {
	if p == "" {
		p = domain.ProductInstance
	}
	for i, iv := range l.ivs {
		if iv.InstanceID == id && iv.Product == p && iv.End.IsZero() {
			return i
		}
	}
	return -1
}

func (l *Ledger) End(ctx context.Context, instanceID string, product domain.Product, at time.Time) (bool, error) {
	if err := ctxErr(ctx); err != nil {
		return false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	i := l.open(instanceID, product)
	if i < 0 {
		return false, nil
	}
	at = at.UTC().Truncate(time.Microsecond)
	if at.Before(l.ivs[i].Start) {
		at = l.ivs[i].Start
	}
	l.ivs[i].End = at
	return true, nil
}

func (l *Ledger) Running(ctx context.Context, instanceID string, product domain.Product) (domain.CostInterval, bool, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.CostInterval{}, false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if i := l.open(instanceID, product); i >= 0 {
		return l.ivs[i], true, nil
	}
	return domain.CostInterval{}, false, nil
}

func (l *Ledger) Intervals(ctx context.Context, from, to time.Time) ([]domain.CostInterval, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []domain.CostInterval
	for _, iv := range l.ivs {
		if iv.Start.Before(to) && (iv.End.IsZero() || iv.End.After(from)) {
			out = append(out, iv)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) }) // IDs grow with the slice
	return out, nil
}
