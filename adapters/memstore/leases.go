package memstore

import (
	"context"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Leases is an in-memory ports.LeaseStore: right for one process and for
// tests of the rules built on leases.
type Leases struct {
	clock ports.Clock

	mu     sync.Mutex
	leases map[string]ports.Lease
}

var _ ports.LeaseStore = (*Leases)(nil)

// NewLeases returns a lease store reading time from clock.
func NewLeases(clock ports.Clock) *Leases {
	return &Leases{clock: clock, leases: make(map[string]ports.Lease)}
}

func (s *Leases) Acquire(ctx context.Context, name, holder string, ttl time.Duration) (ports.Lease, bool, error) {
	if err := ctxErr(ctx); err != nil {
		return ports.Lease{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	l, ok := s.leases[name]
	switch {
	case ok && l.Holder == holder:
	case ok && now.Before(l.ExpiresAt):
		return l, false, nil
	default:
		l = ports.Lease{Name: name, Holder: holder, Token: l.Token + 1}
	}
	l.ExpiresAt = now.Add(ttl)
	s.leases[name] = l
	return l, true, nil
}

func (s *Leases) Release(ctx context.Context, name, holder string) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.leases[name]; ok && l.Holder == holder {
		l.ExpiresAt = s.clock.Now().UTC().Truncate(time.Microsecond)
		s.leases[name] = l
	}
	return nil
}

func (s *Leases) Get(ctx context.Context, name string) (ports.Lease, error) {
	if err := ctxErr(ctx); err != nil {
		return ports.Lease{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.leases[name]
	if !ok {
		return ports.Lease{}, domain.ErrNoLease
	}
	return l, nil
}
