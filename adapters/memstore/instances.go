package memstore

import (
	"context"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Instances is an in-memory ports.InstanceStore.
type Instances struct {
	clock ports.Clock

	mu      sync.Mutex
	current *domain.Instance
	ops     map[string]domain.Operation
	order   []string // operation ids, oldest first
	invoke  [2]string
}

var _ ports.InstanceStore = (*Instances)(nil)

// NewInstances returns an empty instance store stamping times with clock
// (ports.SystemClock when nil).
func NewInstances(clock ports.Clock) *Instances {
	if clock == nil {
		clock = ports.SystemClock{}
	}
	return &Instances{clock: clock, ops: make(map[string]domain.Operation)}
}

// now is the clock's time in UTC, cut to microseconds like the SQL stores.
func (s *Instances) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// keptTime is t as the SQL stores keep it: UTC at microseconds, zero as zero.
func keptTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// checkOp refuses what the SQL stores cannot keep, and returns op as kept.
func checkOp(op domain.Operation) (domain.Operation, error) {
	if op.StartedAt.IsZero() {
		return op, domain.Invalid("started_at")
	}
	op.StartedAt, op.FinishedAt = keptTime(op.StartedAt), keptTime(op.FinishedAt)
	return op, nil
}

func (s *Instances) Current(ctx context.Context) (domain.Instance, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.Instance{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil {
		return domain.Instance{}, domain.ErrNoInstance
	}
	return *s.current, nil
}

func (s *Instances) Claim(ctx context.Context, inst domain.Instance, op domain.Operation) (domain.Instance, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.Instance{}, err
	}
	op, err := checkOp(op)
	if err != nil {
		return domain.Instance{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current != nil {
		return domain.Instance{}, domain.ErrInstanceExists
	}
	now := s.now()
	inst.Version, inst.CreatedAt, inst.UpdatedAt = 1, now, now
	s.current = &inst
	s.saveOp(op)
	return inst, nil
}

func (s *Instances) UpdateInstance(ctx context.Context, inst domain.Instance) (domain.Instance, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.Instance{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.current == nil:
		return domain.Instance{}, domain.ErrNoInstance
	case s.current.Version != inst.Version:
		return domain.Instance{}, domain.ErrVersionConflict
	}
	inst.Version++
	inst.CreatedAt = s.current.CreatedAt
	inst.UpdatedAt = s.now()
	s.current = &inst
	return inst, nil
}

func (s *Instances) Clear(ctx context.Context, version int64) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.current == nil:
		return domain.ErrNoInstance
	case s.current.Version != version:
		return domain.ErrVersionConflict
	}
	s.current = nil
	return nil
}

func (s *Instances) SaveOperation(ctx context.Context, op domain.Operation) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	op, err := checkOp(op)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saveOp(op)
	return nil
}

func (s *Instances) saveOp(op domain.Operation) {
	if _, ok := s.ops[op.ID]; !ok {
		s.order = append(s.order, op.ID)
	}
	s.ops[op.ID] = op
}

func (s *Instances) Operation(ctx context.Context, id string) (domain.Operation, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.Operation{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	op, ok := s.ops[id]
	if !ok {
		return domain.Operation{}, domain.ErrNoOperation
	}
	return op, nil
}

func (s *Instances) LastOperation(ctx context.Context) (domain.Operation, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.Operation{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.order) == 0 {
		return domain.Operation{}, domain.ErrNoOperation
	}
	return s.ops[s.order[len(s.order)-1]], nil
}

func (s *Instances) SaveInvocation(ctx context.Context, instanceID, invokeID string) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invoke = [2]string{instanceID, invokeID}
	return nil
}

func (s *Instances) LastInvocation(ctx context.Context) (string, string, error) {
	if err := ctxErr(ctx); err != nil {
		return "", "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.invoke[1] == "" {
		return "", "", domain.ErrNoInvocation
	}
	return s.invoke[0], s.invoke[1], nil
}

// History is an in-memory ports.HistoryStore.
type History struct {
	mu      sync.Mutex
	entries []domain.HistoryEntry
}

var _ ports.HistoryStore = (*History)(nil)

func (h *History) Append(ctx context.Context, e domain.HistoryEntry) (domain.HistoryEntry, error) {
	if err := ctxErr(ctx); err != nil {
		return domain.HistoryEntry{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if e.Source != "" {
		for _, old := range h.entries {
			if old.Source == e.Source {
				return domain.HistoryEntry{}, domain.ErrHistoryImported
			}
		}
	}
	e.ID = int64(len(h.entries) + 1)
	e.StartedAt, e.FinishedAt = keptTime(e.StartedAt), keptTime(e.FinishedAt)
	h.entries = append(h.entries, e)
	return e, nil
}

func (h *History) List(ctx context.Context, before int64, limit int) ([]domain.HistoryEntry, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	out := []domain.HistoryEntry{}
	for i := len(h.entries) - 1; i >= 0 && len(out) < limit; i-- {
		if before <= 0 || h.entries[i].ID < before {
			out = append(out, h.entries[i])
		}
	}
	return out, nil
}
