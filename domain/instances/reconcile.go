package instances

import (
	"context"
	"errors"
	"slices"
	"sort"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Lease names. The monitors lease makes one replica at a time run the
// reconciler and the watchdogs; each process renews its own lease
// as a heartbeat, so others can tell when its operations are abandoned.
const (
	MonitorsLease = "monitors"
	processLease  = "process/"
)

// Report says what one reconciliation found and did.
type Report struct {
	Resumed   string   // a taken-over operation's id
	Cleared   string   // a recorded instance gone from the cloud
	Drift     string   // the recorded instance's status changed behind our back: "Running -> Stopped"
	Adopted   string   // a managed instance recorded again
	Reclaimed string   // the recorded spot instance the cloud announced it reclaims
	Orphans   []string // managed instances neither recorded nor adopted
	Deleted   []string // orphans deleted
	Problems  []error  // steps that failed; the rest still ran
}

// RunMonitors heartbeats this process and, while it holds the monitors
// lease, reconciles every ReconcileInterval, until ctx ends; then it gives
// its leases up so that another replica takes over at once.
func (s *Service) RunMonitors(ctx context.Context) {
	t := time.NewTicker(s.cfg.ReconcileInterval)
	defer t.Stop()
	me := s.cfg.ProcessID
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = s.leases.Release(rctx, MonitorsLease, me)
		_ = s.leases.Release(rctx, processLease+me, me)
	}()
	for {
		s.Tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick is one round of RunMonitors: heartbeat, then reconcile if this
// process holds the monitors lease. It reports whether it reconciled.
func (s *Service) Tick(ctx context.Context) bool {
	me := s.cfg.ProcessID
	if err := s.Heartbeat(ctx); err != nil {
		s.log.Warn("heartbeat", "err", err)
		return false
	}
	_, held, err := s.leases.Acquire(ctx, MonitorsLease, me, s.cfg.LeaseTTL)
	if err != nil || !held {
		if err != nil {
			s.log.Warn("monitors lease", "err", err)
		}
		return false
	}
	rep, err := s.Reconcile(ctx)
	if err != nil {
		s.log.Warn("reconciling", "err", err)
	}
	for _, p := range rep.Problems {
		s.log.Warn("reconciling", "err", p)
	}
	if _, err := s.Watch(ctx); err != nil {
		s.log.Warn("watchdogs", "err", err)
	}
	s.KeepLedger(ctx)
	if _, err := s.EnforceBudget(ctx); err != nil {
		s.log.Warn("budget", "err", err)
	}
	if err := s.AnnounceBudget(ctx); err != nil {
		s.log.Warn("budget thresholds", "err", err)
	}
	if _, _, err := s.ScheduledBackup(ctx); err != nil {
		s.log.Warn("scheduled backup", "err", err)
	}
	return true
}

// Heartbeat renews this process's lease; call it before serving, so that
// no operation of this process ever looks abandoned.
func (s *Service) Heartbeat(ctx context.Context) error {
	me := s.cfg.ProcessID
	_, _, err := s.leases.Acquire(ctx, processLease+me, me, s.cfg.LeaseTTL)
	return err
}

// Reconcile compares the cloud's managed instances with the store: it takes
// over an abandoned `new`, forgets a recorded instance deleted behind the
// service's back (history udelete), notes one stopped behind its back
// (ustop), adopts a managed instance when none is recorded, and reports or
// deletes the other ones. Run it in one process at a time (RunMonitors does).
// The Observer hears the outcome and the recorded status after it.
func (s *Service) Reconcile(ctx context.Context) (Report, error) {
	rep, err := s.reconcile(ctx)
	s.obs.Reconciled(rep.counts(err))
	if err == nil {
		// The record may have changed in another replica too.
		if cur, cerr := s.store.Current(ctx); cerr == nil {
			s.obs.RecordedStatus(cur.LastStatus)
		} else if errors.Is(cerr, domain.ErrNoInstance) {
			s.obs.RecordedStatus("")
		}
	}
	return rep, err
}

// counts is the report for an InstanceObserver; err is the early stop.
func (r Report) counts(err error) ports.Reconciliation {
	one := func(s string) int {
		if s == "" {
			return 0
		}
		return 1
	}
	c := ports.Reconciliation{Resumed: one(r.Resumed), Cleared: one(r.Cleared), Drift: one(r.Drift),
		Adopted: one(r.Adopted), Orphans: len(r.Orphans), Deleted: len(r.Deleted), Problems: len(r.Problems)}
	if err != nil {
		c.Failed = true
		c.Problems++
	}
	return c
}

func (s *Service) reconcile(ctx context.Context) (Report, error) {
	s.reconciling.Lock()
	defer s.reconciling.Unlock()
	var rep Report
	// List the cloud before reading the store: an instance created after
	// the listing is not judged; one created before it has its record (or
	// its claim) in the store by the time we read it.
	managed, err := s.cloud.ListManaged(ctx, ManagedTag)
	if err != nil {
		return rep, err
	}
	op, err := s.store.LastOperation(ctx)
	if err != nil && !errors.Is(err, domain.ErrNoOperation) {
		return rep, err
	}
	if err == nil && op.State == domain.OpRunning && isDelete(op.Action) && s.abandoned(ctx, op) {
		if err := s.takeOverDelete(ctx, op); err != nil {
			rep.Problems = append(rep.Problems, err)
		} else {
			rep.Resumed = op.ID
		}
	}
	deleting := err == nil && op.State == domain.OpRunning && isDelete(op.Action)
	running := err == nil && op.State == domain.OpRunning && op.Action == "new"
	if running && (s.abandoned(ctx, op) || s.stalled(ctx, op)) {
		if err := s.takeOver(ctx, op, managed); err != nil {
			rep.Problems = append(rep.Problems, err)
		} else {
			rep.Resumed = op.ID
		}
	}

	rec, err := s.store.Current(ctx)
	hasRec := err == nil
	if err != nil && !errors.Is(err, domain.ErrNoInstance) {
		return rep, err
	}
	if hasRec && rec.ID != "" {
		s.checkRecord(ctx, rec, managed, running || deleting, &rep)
	}

	// What is neither the record nor the work of the running operation is
	// adopted (when nothing is recorded) or an orphan.
	var strays []ports.CloudInstance
	for _, ci := range managed {
		switch {
		case hasRec && ci.ID == rec.ID:
		case hasRec && rec.OperationID != "" && ci.Tags[OperationTag] == rec.OperationID:
		case running && ci.Tags[OperationTag] == op.ID:
		default:
			strays = append(strays, ci)
		}
	}
	sort.Slice(strays, func(i, j int) bool { return strays[i].CreatedAt.After(strays[j].CreatedAt) })
	if !hasRec && !running && len(strays) > 0 {
		if err := s.adopt(ctx, strays[0]); err != nil {
			rep.Problems = append(rep.Problems, err)
		} else {
			rep.Adopted = strays[0].ID
			strays = strays[1:]
		}
	}
	for _, ci := range strays {
		s.orphan(ctx, ci, &rep)
	}
	return rep, nil
}

// abandoned reports an operation whose owner stopped heartbeating (or
// gave its lease up when it shut down). An owner that never beat is given
// one lease's time from the operation's start.
func (s *Service) abandoned(ctx context.Context, op domain.Operation) bool {
	if op.Owner == s.cfg.ProcessID {
		return false
	}
	now := s.clock.Now()
	l, err := s.leases.Get(ctx, processLease+op.Owner)
	switch {
	case errors.Is(err, domain.ErrNoLease):
		return now.Sub(op.StartedAt) >= s.cfg.LeaseTTL
	case err != nil:
		return false // cannot tell: leave it for the next round
	}
	return !now.Before(l.ExpiresAt)
}

// takeOver resumes an abandoned `new`: it finds the instance the operation
// created (by its tag) and finishes the steps, or, when the create call
// never went through, releases the slot.
func (s *Service) takeOver(ctx context.Context, op domain.Operation, managed []ports.CloudInstance) error {
	s.log.Warn("taking over an abandoned operation", "op", op.ID, "owner", op.Owner, "step", op.Step)
	op.Owner = s.cfg.ProcessID
	rec, err := s.store.Current(ctx)
	if errors.Is(err, domain.ErrNoInstance) || err == nil && rec.OperationID != op.ID {
		// Its slot is gone (deleted meanwhile): nothing to finish.
		op.State, op.Error, op.Reason, op.FinishedAt = domain.OpFailed, result(domain.ErrAbandoned), Reason(domain.ErrAbandoned), s.clock.Now()
		s.saveOp(ctx, op)
		return nil
	}
	if err != nil {
		return err
	}
	if rec.ID == "" {
		i := slices.IndexFunc(managed, func(ci ports.CloudInstance) bool { return ci.Tags[OperationTag] == op.ID })
		if i < 0 {
			_ = s.abandon(ctx, rec, op, op.StartedAt, op.StartedBy, domain.ErrAbandoned)
			return nil
		}
		ci := managed[i]
		rec.ID, rec.Zone, rec.InstanceType = ci.ID, ci.Zone, ci.InstanceType
		if rec, err = s.store.UpdateInstance(ctx, rec); err != nil {
			return err
		}
		s.record(ctx, domain.HistoryEntry{Actor: op.StartedBy, Action: domain.ActionCreate, InstanceID: ci.ID,
			Result: "ok", Detail: "found after its process stopped", StartedAt: op.StartedAt})
	}
	op.InstanceID, op.Step = rec.ID, "resume"
	s.saveOp(ctx, op)
	s.goFinish(ctx, rec, op)
	return nil
}

// checkRecord compares the recorded instance with the cloud: with the
// listing when it holds the instance, else (an untagged, e.g. imported,
// instance) by asking for it.
func (s *Service) checkRecord(ctx context.Context, rec domain.Instance, managed []ports.CloudInstance, busy bool, rep *Report) {
	now := s.clock.Now()
	var ci ports.CloudInstance
	var err error
	if i := slices.IndexFunc(managed, func(ci ports.CloudInstance) bool { return ci.ID == rec.ID }); i >= 0 {
		ci = managed[i]
	} else {
		ci, err = s.cloud.DescribeInstance(ctx, rec.ID)
	}
	switch {
	case errors.Is(err, domain.ErrCloudNotFound) && s.wasReclaimed(ctx, rec.ID):
		// The reclaim is in history already; this is its end, no udelete.
		if err := s.forget(ctx, rec); err != nil {
			rep.Problems = append(rep.Problems, err)
			return
		}
		rep.Cleared = rec.ID
		s.log.Info("the reclaimed spot instance is gone; record cleared", "instance", rec.ID)
		return
	case errors.Is(err, domain.ErrCloudNotFound):
		if err := s.forget(ctx, rec); err != nil {
			rep.Problems = append(rep.Problems, err)
			return
		}
		rep.Cleared = rec.ID
		s.record(ctx, domain.HistoryEntry{Actor: domain.MonitorActor, Action: domain.ActionUDelete, InstanceID: rec.ID,
			Result: "ok", Detail: "deleted outside seatide", StartedAt: now})
		s.log.Warn("the recorded instance is gone from the cloud; record cleared", "instance", rec.ID)
		return
	case err != nil:
		rep.Problems = append(rep.Problems, err)
		return
	}
	if ci.Reclaiming && !busy {
		s.onReclaim(ctx, rec, ci, rep)
		return
	}
	up := rec.LastStatus == domain.StatusRunning || rec.LastStatus == domain.StatusStarting
	down := ci.Status == domain.StatusStopping || ci.Status == domain.StatusStopped
	if up && down && !busy {
		rep.Drift = string(rec.LastStatus) + " -> " + string(ci.Status)
		s.record(ctx, domain.HistoryEntry{Actor: domain.MonitorActor, Action: domain.ActionUStop, InstanceID: rec.ID,
			Result: "ok", Detail: "stopped outside seatide", StartedAt: now})
		s.log.Warn("the recorded instance was stopped outside seatide", "instance", rec.ID)
	}
	if busy {
		return // the operation owns the record's status for now
	}
	// The ledger follows the cloud: a start or stop made elsewhere (or a
	// price that could not be read at our own start) is caught up here.
	switch ci.Status {
	case domain.StatusStarting, domain.StatusRunning:
		s.costStarted(ctx, rec, now)
	case domain.StatusStopping, domain.StatusStopped:
		s.costStoppedIn(ctx, rec.ID, ci.StoppedMode, now) // a stop made elsewhere may use another mode
	}
	err = s.updateRecord(ctx, rec.ID, func(r *domain.Instance) { r.LastStatus = ci.Status })
	if err != nil && !errors.Is(err, domain.ErrNoInstance) {
		rep.Problems = append(rep.Problems, err)
	}
	// A start made elsewhere, or one whose read-back was cut short, may
	// have brought a new address.
	s.refreshIP(ctx, rec.ID, ci.PublicIP, domain.MonitorActor)
}

// adopt records a managed instance the store has lost.
func (s *Service) adopt(ctx context.Context, ci ports.CloudInstance) error {
	now := s.clock.Now()
	op := domain.Operation{ID: newID(), Action: domain.ActionAdopt, Step: "done", State: domain.OpSucceeded,
		InstanceID: ci.ID, StartedBy: domain.MonitorActor, Owner: s.cfg.ProcessID, StartedAt: now, FinishedAt: now}
	inst := domain.Instance{ID: ci.ID, Zone: ci.Zone, InstanceType: ci.InstanceType, PublicIP: ci.PublicIP,
		LastStatus: ci.Status, CreatedBy: domain.MonitorActor, OperationID: op.ID}
	if _, err := s.store.Claim(ctx, inst, op); err != nil {
		return err
	}
	s.obs.RecordedStatus(ci.Status)
	s.record(ctx, domain.HistoryEntry{Actor: domain.MonitorActor, Action: domain.ActionAdopt, InstanceID: ci.ID,
		Result: "ok", Detail: "managed instance not recorded", StartedAt: now})
	s.log.Warn("adopted a managed instance the store did not record", "instance", ci.ID)
	return nil
}

// orphan reports a managed instance that is not recorded (once per process)
// or deletes it when configured to.
func (s *Service) orphan(ctx context.Context, ci ports.CloudInstance, rep *Report) {
	now := s.clock.Now()
	rep.Orphans = append(rep.Orphans, ci.ID)
	if s.cfg.DeleteOrphans {
		// An orphan may hold a world too: it is backed up first.
		b, reqID, err := s.release(ctx, domain.Instance{ID: ci.ID, Zone: ci.Zone, InstanceType: ci.InstanceType},
			"odelete-"+ci.ID, domain.MonitorActor, ci.Status == domain.StatusRunning, false, nil)
		detail := "managed instance not recorded"
		if note := releaseDetail(b, err, s.worldOn()); note != "" {
			detail += "; " + note
		}
		if err != nil {
			s.record(ctx, domain.HistoryEntry{Actor: domain.MonitorActor, Action: domain.ActionODelete, InstanceID: ci.ID,
				Result: result(err), RequestID: reqID, Detail: detail, StartedAt: now})
			rep.Problems = append(rep.Problems, err)
			return
		}
		rep.Deleted = append(rep.Deleted, ci.ID)
		s.record(ctx, domain.HistoryEntry{Actor: domain.MonitorActor, Action: domain.ActionODelete, InstanceID: ci.ID,
			Result: "ok", RequestID: reqID, Detail: detail, StartedAt: now})
		s.log.Warn("deleted an orphaned managed instance", "instance", ci.ID)
		return
	}
	s.mu.Lock()
	seen := s.reported[ci.ID]
	s.reported[ci.ID] = true
	s.mu.Unlock()
	s.log.Warn("orphaned managed instance: it is not recorded and costs money (set reconcile.delete_orphans to delete it)", "instance", ci.ID)
	if !seen {
		s.record(ctx, domain.HistoryEntry{Actor: domain.MonitorActor, Action: domain.ActionOrphan, InstanceID: ci.ID,
			Result: "ok", Detail: "managed instance not recorded", StartedAt: now})
	}
}
