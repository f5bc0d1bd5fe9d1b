package instances

import (
	"context"
	"errors"

	"github.com/seatidemc/seatide/domain"
)

// refreshIP records ip as the instance's public IP when the cloud reports
// one that differs from the record, with a history row by actor. An
// instance stopped in economical mode (StopCharging) loses its address and
// gets a new one when it starts (ports.StopMode), so the address is read
// back after every start and on every reconciliation. An empty ip (a
// StopCharging instance while stopped) changes nothing: the record keeps
// the last address until the next start brings one. It returns the
// recorded address afterwards.
func (s *Service) refreshIP(ctx context.Context, id, ip, actor string) string {
	var old string
	changed := false
	err := s.updateRecord(ctx, id, func(r *domain.Instance) {
		old = r.PublicIP
		if ip != "" && r.PublicIP != ip {
			r.PublicIP, changed = ip, true
		}
	})
	switch {
	case errors.Is(err, domain.ErrNoInstance):
		return ""
	case err != nil:
		s.log.Warn("recording the public IP", "instance", id, "ip", ip, "err", err)
		return old
	case !changed:
		return old
	}
	if old != "" {
		now := s.clock.Now()
		s.record(ctx, domain.HistoryEntry{Actor: actor, Action: domain.ActionIP, InstanceID: id, Result: "ok",
			Detail: "public IP " + old + " -> " + ip, StartedAt: now, FinishedAt: now})
		s.log.Info("the public IP changed", "instance", id, "from", old, "to", ip)
	}
	return ip
}

// goRefreshIPAfterStart waits in the background for the started instance
// to run, then reads its public IP back: the start call answers before the
// instance has one.
func (s *Service) goRefreshIPAfterStart(ctx context.Context, id, actor string) {
	bg := domain.WithRequestID(s.bg, domain.RequestIDFrom(ctx))
	s.active.Add(1)
	go func() {
		defer s.active.Done()
		ci, err := s.waitFor(bg, id, domain.StatusRunning)
		if err != nil {
			s.log.Info("reading the public IP after a start", "instance", id, "err", err)
			return // the reconciler reads it on its next round
		}
		s.refreshIP(bg, id, ci.PublicIP, actor)
	}()
}
