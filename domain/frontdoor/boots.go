package frontdoor

import (
	"context"
	"slices"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// historyRows bounds the history read for boots measured before this
// process started.
const historyRows = 200

// expectedBoot is the median of the last measured boots: the wakes this
// process saw through to an answering server, and before any, the `new`s
// in history (from the create to its init finishing). DefaultBoot when
// nothing was measured.
func (s *Service) expectedBoot(ctx context.Context) time.Duration {
	s.bootMu.Lock()
	defer s.bootMu.Unlock()
	if !s.bootRead && s.d.History != nil {
		s.bootRead = true
		s.boots = append(bootsFromHistory(s.readHistory(ctx)), s.boots...)
		if len(s.boots) > maxBoots {
			s.boots = s.boots[len(s.boots)-maxBoots:]
		}
	}
	if len(s.boots) == 0 {
		return s.cfg.DefaultBoot
	}
	sorted := slices.Clone(s.boots)
	slices.Sort(sorted)
	return sorted[len(sorted)/2]
}

func (s *Service) readHistory(ctx context.Context) []domain.HistoryEntry {
	rows, err := s.d.History.List(ctx, 0, historyRows)
	if err != nil {
		s.bootRead = false // try again at the next status
		s.log.Warn("frontdoor: reading history for boot times", "err", err)
	}
	return rows
}

// bootsFromHistory pairs each successful create with its successful init
// (rows newest first), oldest boot first.
func bootsFromHistory(rows []domain.HistoryEntry) []time.Duration {
	done := map[string]time.Time{} // instance -> its init's end
	var out []time.Duration
	for _, r := range rows {
		switch {
		case r.Result != "ok" || r.InstanceID == "":
		case r.Action == domain.ActionInit:
			done[r.InstanceID] = r.FinishedAt
		case r.Action == domain.ActionCreate:
			if end, ok := done[r.InstanceID]; ok && end.After(r.StartedAt) {
				out = append(out, end.Sub(r.StartedAt))
			}
		}
	}
	slices.Reverse(out)
	return out
}

// addBoot remembers one measured boot; the caller holds bootMu.
func (s *Service) addBoot(d time.Duration) {
	s.boots = append(s.boots, d)
	if len(s.boots) > maxBoots {
		s.boots = s.boots[1:]
	}
}
