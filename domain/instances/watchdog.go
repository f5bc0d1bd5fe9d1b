package instances

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// Crash watchdog actions (watchdog.crash_action).
const (
	CrashStop   = "stop"
	CrashDelete = "delete"
)

// WatchReport says what one watchdog round saw and did.
type WatchReport struct {
	Probed  bool   // the server was pinged
	Online  bool   // and answered
	Players int    // players online, when it answered
	Acted   string // the history action taken (sstop, sdelete, istop), or ""
}

// watchState is what the watchdogs remember about the current instance
// between rounds. It lives in the replica holding the monitors lease; a
// replica taking over starts afresh, which can only delay an action.
type watchState struct {
	instance   string    // the instance this is about; a new one resets it
	upSince    time.Time // first round that saw it Running with no operation under way
	lastOK     time.Time // last answered probe
	lastPlayer time.Time // last probe with players online
	idleSince  time.Time // first probe of the current run of 0-player answers
	idleProbes int       // probes in that run
}

// Watch is one round of the crash and idle watchdogs: it pings the
// Minecraft server of the recorded instance when that instance is Running
// and no operation is under way on it, then
//   - stops (or deletes) it when the server has not answered for CrashAfter
//     since it was last seen answering or, if never, since it was up: a
//     crashed server must not burn money;
//   - stops it when every probe for IdleStopAfter answered with 0 players,
//     never within IdleGrace of it coming up. A server that does not
//     answer is not idle; that is the crash watchdog's business.
//
// RunMonitors calls it in the replica that holds the monitors lease; tests
// call it with a manual clock.
func (s *Service) Watch(ctx context.Context) (WatchReport, error) {
	var rep WatchReport
	if s.cfg.CrashAfter <= 0 && s.cfg.IdleStopAfter <= 0 && !s.cfg.PlayerEvents {
		return rep, nil
	}
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	w := &s.watch

	inst, err := s.store.Current(ctx)
	if errors.Is(err, domain.ErrNoInstance) || err == nil && (inst.ID == "" || inst.PublicIP == "") {
		*w = watchState{}
		return rep, nil
	}
	if err != nil {
		return rep, err
	}
	if w.instance != inst.ID {
		*w = watchState{instance: inst.ID}
	}
	if busy, err := s.operationUnderWay(ctx); err != nil || busy {
		w.upSince = time.Time{} // it comes up when the operation ends
		return rep, err
	}
	ci, err := s.cloud.DescribeInstance(ctx, inst.ID)
	if err != nil {
		return rep, err // the reconciler deals with a vanished instance
	}
	if ci.Status != domain.StatusRunning {
		*w = watchState{instance: inst.ID}
		return rep, nil
	}
	// Probe the address it runs with: after an economical-mode stop it
	// came back with a new one, and the old one says nothing.
	if ip := s.refreshIP(ctx, inst.ID, ci.PublicIP, domain.MonitorActor); ip != "" {
		inst.PublicIP = ip
	}
	now := s.clock.Now()
	if w.upSince.IsZero() {
		w.upSince = now
	}

	st, err := s.probes.status(ctx, inst.PublicIP)
	rep.Probed = true
	if err != nil && !errors.Is(err, domain.ErrServerSilent) {
		return rep, err
	}
	if err != nil {
		w.idleSince, w.idleProbes = time.Time{}, 0
		silentSince := later(w.lastOK, w.upSince)
		if s.cfg.CrashAfter > 0 && now.Sub(silentSince) >= s.cfg.CrashAfter {
			rep.Acted = s.crashAction(ctx, inst, w)
			*w = watchState{}
		}
		return rep, nil
	}

	rep.Online, rep.Players = true, st.OnlinePlayers
	s.emitPlayers(ctx, inst.ID, st)
	w.lastOK = now
	if st.OnlinePlayers > 0 {
		w.lastPlayer, w.idleSince, w.idleProbes = now, time.Time{}, 0
		return rep, nil
	}
	if w.idleSince.IsZero() {
		w.idleSince = now
	}
	w.idleProbes++
	if s.cfg.IdleStopAfter > 0 && now.Sub(w.idleSince) >= s.cfg.IdleStopAfter && now.Sub(w.upSince) >= s.cfg.IdleGrace {
		last := "none since it came up at " + stamp(w.upSince)
		if !w.lastPlayer.IsZero() {
			last = stamp(w.lastPlayer)
		}
		detail := fmt.Sprintf("idle: 0 players in %d probes over %s; last player seen: %s",
			w.idleProbes, now.Sub(w.idleSince), last)
		if s.cfg.World.IdleRelease && s.worldOn() {
			if s.monitorRelease(ctx, inst, domain.ActionIRelease, detail, true) {
				rep.Acted = domain.ActionIRelease
			}
		} else if s.monitorStop(ctx, inst, domain.ActionIStop, detail) {
			rep.Acted = domain.ActionIStop
		}
		*w = watchState{}
	}
	return rep, nil
}

// crashAction stops or deletes a silent server and says which it did.
func (s *Service) crashAction(ctx context.Context, inst domain.Instance, w *watchState) string {
	last := "never, up since " + stamp(w.upSince)
	if !w.lastOK.IsZero() {
		last = stamp(w.lastOK)
	}
	detail := fmt.Sprintf("crashed: no answer for %s; last successful probe: %s", s.cfg.CrashAfter, last)
	if s.cfg.CrashAction == CrashDelete {
		// A silent server has nothing unsaved it could flush: no save
		// script, only the snapshot.
		if s.monitorRelease(ctx, inst, domain.ActionSDelete, detail, false) {
			return domain.ActionSDelete
		}
		return ""
	}
	if s.monitorStop(ctx, inst, domain.ActionSStop, detail) {
		return domain.ActionSStop
	}
	return ""
}

// monitorStop stops the instance on a watchdog's behalf and records why.
func (s *Service) monitorStop(ctx context.Context, inst domain.Instance, action, detail string) bool {
	started := s.clock.Now()
	reqID, err := s.move(ctx, inst, domain.ActionStop, domain.MonitorActor)
	return s.monitorDone(ctx, inst, action, detail, reqID, started, err)
}

func (s *Service) monitorDone(ctx context.Context, inst domain.Instance, action, detail, reqID string, started time.Time, err error) bool {
	s.record(ctx, domain.HistoryEntry{Actor: domain.MonitorActor, Action: action, InstanceID: inst.ID,
		Result: result(err), RequestID: reqID, Detail: detail, StartedAt: started})
	if err != nil {
		s.log.Error("watchdog could not act", "action", action, "instance", inst.ID, "reason", detail, "err", err)
		return false
	}
	s.log.Warn("watchdog acted", "action", action, "instance", inst.ID, "reason", detail)
	s.emit(ctx, monitorEvent(action), domain.MonitorActor, inst.ID, domain.EventData{Action: action, Reason: detail})
	return true
}

// operationUnderWay reports whether a multi-step operation is running.
func (s *Service) operationUnderWay(ctx context.Context) (bool, error) {
	op, err := s.store.LastOperation(ctx)
	if errors.Is(err, domain.ErrNoOperation) {
		return false, nil
	}
	return err == nil && op.State == domain.OpRunning, err
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
