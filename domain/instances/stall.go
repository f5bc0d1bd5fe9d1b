package instances

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// Operations never hang (issue 17). Two rules:
//
//   - A background step whose outcome cannot be recorded (the store is
//     unavailable) is retried with a bounded backoff until the store answers,
//     instead of failing the operation with a failure nobody can save.
//   - The worker finishing an operation holds the lease "op/<id>" and renews
//     it at every step and poll. An operation whose lease has not been
//     renewed for StallAfter is stalled: the reconciler takes it over even
//     when its owner process is alive, and the old worker, finding the lease
//     gone, stops before writing anything more.

const opLease = "op/"

// Store retries back off from storeRetryBase, doubling up to storeRetryMax.
const (
	storeRetryBase = 100 * time.Millisecond
	storeRetryMax  = 5 * time.Second
)

// worker is one goroutine finishing one operation.
type worker struct {
	opID   string
	holder string // this process and this worker: a worker in the same process can take over too
	cancel context.CancelFunc

	mu   sync.Mutex
	last time.Time // the last renewal: renewing at every poll would make a write per poll
}

type workerKey struct{}

// workers are the operations this process is finishing, so that taking one
// over (from a stalled worker of this very process) stops the old worker.
type workers struct {
	mu sync.Mutex
	by map[string]*worker // op ID -> worker
}

func (ws *workers) swap(w *worker) (old *worker) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.by == nil {
		ws.by = make(map[string]*worker)
	}
	old = ws.by[w.opID]
	ws.by[w.opID] = w
	return old
}

func (ws *workers) done(w *worker) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.by[w.opID] == w {
		delete(ws.by, w.opID)
	}
}

// startWorker makes the context of a new worker for op, holding op's
// lease; a worker of this process already on op is stopped.
func (s *Service) startWorker(ctx context.Context, op domain.Operation) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	w := &worker{opID: op.ID, holder: s.cfg.ProcessID + "/" + newID(), cancel: cancel}
	if old := s.workers.swap(w); old != nil {
		old.cancel()
	}
	ctx = context.WithValue(ctx, workerKey{}, w)
	s.renew(ctx, w)
	return ctx, func() {
		s.workers.done(w)
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer rcancel()
		_ = s.leases.Release(rctx, opLease+op.ID, w.holder)
		cancel()
	}
}

// beat renews the lease of the operation ctx works on, at most ten times
// per StallAfter. When another worker holds it (the operation was taken
// over), this worker stops.
func (s *Service) beat(ctx context.Context) {
	w, ok := ctx.Value(workerKey{}).(*worker)
	if !ok || ctx.Err() != nil {
		return
	}
	now := s.clock.Now()
	w.mu.Lock()
	due := now.Sub(w.last) >= s.cfg.StallAfter/10
	w.mu.Unlock()
	if due {
		s.renew(ctx, w)
	}
}

func (s *Service) renew(ctx context.Context, w *worker) {
	w.mu.Lock()
	w.last = s.clock.Now()
	w.mu.Unlock()
	l, held, err := s.leases.Acquire(ctx, opLease+w.opID, w.holder, s.cfg.StallAfter)
	if err == nil && !held {
		s.log.Warn("operation taken over by another worker; this one stops", "op", w.opID, "holder", l.Holder)
		w.cancel()
	}
}

// stalled reports a running operation that no worker has renewed for
// StallAfter, whether or not its owner process is alive.
func (s *Service) stalled(ctx context.Context, op domain.Operation) bool {
	now := s.clock.Now()
	l, err := s.leases.Get(ctx, opLease+op.ID)
	switch {
	case errors.Is(err, domain.ErrNoLease):
		return now.Sub(op.StartedAt) >= s.cfg.StallAfter
	case err != nil:
		return false // cannot tell: leave it for the next round
	}
	return !now.Before(l.ExpiresAt)
}

// persist runs a store write of a background step until the store answers:
// an unavailable store is retried with a bounded backoff (renewing the
// operation's lease as it goes); any other answer, or the worker's end,
// returns.
func (s *Service) persist(ctx context.Context, what string, write func(context.Context) error) error {
	delay := s.cfg.StoreRetryBase
	for {
		err := write(ctx)
		if err == nil || domain.ErrorCode(err) != domain.CodeUnavailable || ctx.Err() != nil {
			return err
		}
		s.log.Warn("store unavailable; retrying", "what", what, "in", delay, "err", err)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		delay = min(delay*2, storeRetryMax)
		s.beat(ctx)
	}
}

// saveOpBg saves a background step of op, retrying while the store is
// unavailable.
func (s *Service) saveOpBg(ctx context.Context, op domain.Operation) {
	s.beat(ctx)
	err := s.persist(ctx, "operation "+op.Step, func(ctx context.Context) error { return s.store.SaveOperation(ctx, op) })
	if err != nil {
		s.log.Error("saving operation", "op", op.ID, "step", op.Step, "err", err)
	}
}
