package instances

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// refusalWindow: a retry storm of refused actions (wrong state, over
// budget) wrote a history row each, 1,500 a minute. Within this window
// only the first refusal of an actor, action and result is written; the
// others are counted, and the count is noted on the next row written for
// them. Sampling keeps the first of each burst, which is the one an admin
// wants to see, and the count keeps the storm visible.
const refusalWindow = time.Minute

// refusalsMax bounds the remembered keys (actors x actions x results).
const refusalsMax = 1024

type refusalMark struct {
	at         time.Time
	suppressed int
}

type refusals struct {
	mu   sync.Mutex
	last map[string]*refusalMark
}

// refused reports an action refused before it touched the cloud.
func refused(err error) bool {
	var se *domain.StateError
	var be *domain.BudgetError
	return errors.As(err, &se) || errors.As(err, &be)
}

// recordRefusal writes a refusal's history row, or counts it when an
// identical one was written within refusalWindow.
func (s *Service) recordRefusal(ctx context.Context, e domain.HistoryEntry) {
	now := s.clock.Now()
	key := e.Actor + "\x00" + e.Action + "\x00" + e.Result + "\x00" + e.InstanceID
	r := &s.refusals
	r.mu.Lock()
	if r.last == nil {
		r.last = make(map[string]*refusalMark)
	}
	m := r.last[key]
	if m != nil && now.Sub(m.at) < refusalWindow {
		m.suppressed++
		r.mu.Unlock()
		return
	}
	if m != nil && m.suppressed > 0 {
		note := fmt.Sprintf("%d more refused within %v of the last row", m.suppressed, refusalWindow)
		if e.Detail != "" {
			note = e.Detail + "; " + note
		}
		e.Detail = note
	}
	if len(r.last) >= refusalsMax {
		for k, old := range r.last {
			if now.Sub(old.at) >= refusalWindow {
				delete(r.last, k)
			}
		}
	}
	r.last[key] = &refusalMark{at: now}
	r.mu.Unlock()
	s.record(ctx, e)
}
