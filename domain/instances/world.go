package instances

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// The world (issue 16). The game's world lives on the instance's data
// disk, which goes with the instance. Before seatide releases an instance
// it saves the world (the save script, through Cloud Assistant), snapshots
// the data disk and waits for the snapshot; only then does it delete. A
// `new` makes the data disk from the newest ready snapshot (or the one an
// admin picked). seatide never touches game files: the deploy script mounts
// the disk and the save script flushes the game to it.

// World settings (Config.World).
type WorldConfig struct {
	// Enabled keeps the world on a data disk with backups; Spec.DataDisk
	// must be set. Off: releases delete without a backup, as before.
	Enabled bool
	// SaveScript runs on the instance before a snapshot; it must exit 0
	// within SaveTimeout. "" skips the save.
	SaveScript  string
	SaveTimeout time.Duration
	// SnapshotTimeout bounds the wait for a snapshot to be accomplished.
	SnapshotTimeout time.Duration
	// BackupOptional lets a release go ahead when its backup failed
	// (world.require_backup: false). Off, a failed backup refuses it.
	BackupOptional bool
	// BackupEvery takes a scheduled backup while the instance runs
	// (0: never); Keep is how many ready backups retention keeps (the
	// newest ready one is never deleted, whatever Keep says).
	BackupEvery time.Duration
	Keep        int
	// OnReclaim says what follows a spot reclaim: ReclaimWait leaves the
	// next `new` to restore; ReclaimHop creates an instance in the next
	// offer at once, skipping the reclaimed offer for HopSkip.
	OnReclaim string
	HopSkip   time.Duration
	// IdleRelease makes the idle watchdog release (backup + delete)
	// instead of stop.
	IdleRelease bool
	// SnapshotPrice is snapshot storage per GiB and month (snapcost.go);
	// 0 leaves it out of the ledger.
	SnapshotPrice domain.Money
}

// What follows a spot reclaim (world.on_reclaim).
const (
	ReclaimWait = "wait"
	ReclaimHop  = "hop"
)

func (c *WorldConfig) withDefaults() {
	if c.SaveTimeout <= 0 {
		c.SaveTimeout = 2 * time.Minute
	}
	if c.SnapshotTimeout <= 0 {
		c.SnapshotTimeout = 30 * time.Minute
	}
	if c.Keep < 1 {
		c.Keep = 1
	}
	if c.OnReclaim == "" {
		c.OnReclaim = ReclaimWait
	}
	if c.HopSkip <= 0 {
		c.HopSkip = time.Hour
	}
}

// worldOn reports whether releases back the world up.
func (s *Service) worldOn() bool {
	return s.cfg.World.Enabled && s.snaps != nil && s.backups != nil && s.cfg.Spec.DataDisk != nil
}

// backupError is a failed backup with a short reason, safe for history,
// the operation and the answer. It matches its sentinel.
type backupError struct {
	sentinel *domain.Error
	reason   string
	cause    error
}

func (e *backupError) Error() string {
	if e.cause != nil {
		return e.reason + ": " + e.cause.Error()
	}
	return e.reason
}
func (e *backupError) Unwrap() []error { return []error{e.sentinel, e.cause} }

// reasonOf is the safe reason of a failed backup.
func reasonOf(err error) string {
	var be *backupError
	if errors.As(err, &be) {
		return be.reason
	}
	return Reason(err)
}

// backupID is the backup made under key (an operation or schedule id): a
// retried or taken-over step finds the same row and cloud tokens.
func backupID(key string) string { return "bk-" + strings.TrimPrefix(key, "op-") }

// takeBackup saves the world of inst and snapshots its data disk, keeping
// the backup row up to date (creating -> ready | failed). save is false
// when the game is known to be down (a crashed server has nothing unsaved
// and cannot answer). The same key makes the same cloud calls (client
// tokens), so a retry after a crash finds the first attempt's snapshot.
//
// step, when not nil, hears each step as it begins (an operation persists
// them).
func (s *Service) takeBackup(ctx context.Context, inst domain.Instance, source, key, actor string, save bool, step func(string)) (domain.Backup, error) {
	if step == nil {
		step = func(string) {}
	}
	now := s.clock.Now()
	b, err := s.backups.Backup(ctx, backupID(key))
	if errors.Is(err, domain.ErrNoBackup) {
		b = domain.Backup{ID: backupID(key), InstanceID: inst.ID, Source: source, State: domain.BackupCreating,
			CreatedAt: now, UpdatedAt: now}
	} else if err != nil {
		return b, err
	}
	if b.State == domain.BackupReady {
		return b, nil
	}
	b.State, b.Error = domain.BackupCreating, ""
	if err := s.saveBackup(ctx, &b); err != nil {
		return b, err
	}
	s.emit(ctx, domain.EventBackupStarted, actor, inst.ID, domain.EventData{Backup: b.ID})
	fail := func(err error) (domain.Backup, error) {
		if ctx.Err() != nil {
			return b, err // shutting down: the row stays creating for the take-over
		}
		b.State, b.Error = domain.BackupFailed, reasonOf(err)
		_ = s.saveBackup(context.WithoutCancel(ctx), &b)
		s.emit(ctx, domain.EventBackupFailed, actor, inst.ID, domain.EventData{Backup: b.ID, Reason: b.Error,
			Code: string(domain.ErrorCode(err))})
		s.log.Warn("backup failed", "backup", b.ID, "instance", inst.ID, "reason", b.Error, "err", err)
		return b, err
	}

	disk, err := s.snaps.DataDisk(ctx, inst.ID)
	if err != nil {
		return fail(&backupError{domain.ErrSnapshotFailed, "the instance has no data disk to snapshot", err})
	}
	b.DiskID, b.SizeGiB = disk.ID, disk.SizeGiB
	if save && s.cfg.World.SaveScript != "" && b.SnapshotID == "" {
		step("save")
		if err := s.saveWorld(ctx, inst.ID, key); err != nil {
			if source != domain.BackupOnReclaim {
				return fail(err)
			}
			// The instance goes whatever we do: a snapshot of what is on
			// the disk beats none.
			s.log.Warn("reclaim: the save failed; snapshotting what is on the disk", "instance", inst.ID, "err", err)
		}
	}
	if b.SnapshotID == "" {
		step("snapshot")
		name := fmt.Sprintf("seatide-%s-%s", source, b.ID)
		id, _, err := s.snaps.CreateSnapshot(ctx, disk.ID, name, key+"-snap")
		if err != nil {
			reason := "the cloud refused the snapshot"
			if errors.Is(err, domain.ErrQuota) {
				reason = "the snapshot quota is reached"
			}
			return fail(&backupError{domain.ErrSnapshotFailed, reason, err})
		}
		b.SnapshotID = id
		if err := s.saveBackup(ctx, &b); err != nil {
			return fail(err)
		}
	}
	step("wait_snapshot")
	wctx, cancel := context.WithTimeout(ctx, s.cfg.World.SnapshotTimeout)
	defer cancel()
	var sn ports.Snapshot
	err = s.poll(wctx, func() (bool, error) {
		sn, err = s.snaps.DescribeSnapshot(wctx, b.SnapshotID)
		return err == nil && sn.Status != ports.SnapshotProgressing, err
	})
	if err != nil {
		return fail(&backupError{domain.ErrSnapshotFailed, "the snapshot did not finish in time", err})
	}
	if sn.Status != ports.SnapshotAccomplished {
		return fail(&backupError{domain.ErrSnapshotFailed, "the snapshot failed in the cloud", nil})
	}
	if sn.SizeGiB > 0 {
		b.SizeGiB = sn.SizeGiB
	}
	b.State = domain.BackupReady
	if err := s.saveBackup(ctx, &b); err != nil {
		return b, err
	}
	s.storageStarted(ctx, b, s.clock.Now())
	s.emit(ctx, domain.EventBackupReady, actor, inst.ID, domain.EventData{Backup: b.ID, Size: int64(b.SizeGiB) << 30})
	s.record(ctx, domain.HistoryEntry{Actor: actor, Action: domain.ActionBackup, InstanceID: inst.ID, Result: "ok",
		Detail:    fmt.Sprintf("%s backup %s: snapshot %s of disk %s (%d GiB)", source, b.ID, b.SnapshotID, b.DiskID, b.SizeGiB),
		StartedAt: now})
	s.prune(ctx)
	return b, nil
}

func (s *Service) saveBackup(ctx context.Context, b *domain.Backup) error {
	b.UpdatedAt = s.clock.Now()
	return s.backups.SaveBackup(ctx, *b)
}

// saveWorld runs the save script and waits for it, within SaveTimeout.
func (s *Service) saveWorld(ctx context.Context, id, key string) error {
	sctx, cancel := context.WithTimeout(ctx, s.cfg.World.SaveTimeout)
	defer cancel()
	invokeID, _, err := s.cloud.RunCommand(sctx, id, s.cfg.World.SaveScript, key+"-save")
	if err != nil {
		return &backupError{domain.ErrSaveFailed, "the save script could not be started", err}
	}
	var inv ports.Invocation
	err = s.poll(sctx, func() (bool, error) {
		inv, err = s.cloud.Invocation(sctx, invokeID)
		return err == nil && inv.Finished(), err
	})
	if err != nil {
		return &backupError{domain.ErrSaveFailed, fmt.Sprintf("the save script did not finish within %s", s.cfg.World.SaveTimeout), err}
	}
	if inv.Status != ports.InvocationSuccess {
		return &backupError{domain.ErrSaveFailed,
			fmt.Sprintf("the save script ended %s (exit code %d)", inv.Status, inv.ExitCode), nil}
	}
	return nil
}

// release backs the world up and then deletes inst, refusing (nothing
// deleted) when the backup failed unless force or BackupOptional. It
// returns the backup (zero when the world is off) and the delete's
// request id. The record is cleared once the instance is gone.
func (s *Service) release(ctx context.Context, inst domain.Instance, key, actor string, save, force bool, step func(string)) (domain.Backup, string, error) {
	var b domain.Backup
	if s.worldOn() {
		var err error
		b, err = s.takeBackup(ctx, inst, domain.BackupOnDelete, key, actor, save, step)
		if err != nil && (ctx.Err() != nil || !force && !s.cfg.World.BackupOptional) {
			return b, "", err
		}
	}
	if step != nil {
		step("delete")
	}
	reqID, err := s.deleteInstance(ctx, inst.ID)
	if err != nil && !errors.Is(err, domain.ErrCloudNotFound) {
		return b, reqID, err
	}
	return b, reqID, s.forget(ctx, inst)
}

// releaseDetail is the history note of a release: which backup kept the
// world, or why there was none.
func releaseDetail(b domain.Backup, err error, worldOn bool) string {
	switch {
	case err != nil:
		return "refused: " + reasonOf(err) + "; nothing deleted"
	case !worldOn:
		return ""
	case b.State == domain.BackupReady:
		return fmt.Sprintf("world kept in backup %s (snapshot %s)", b.ID, b.SnapshotID)
	}
	return "released without a backup: " + b.Error
}

// restoreFrom is the backup the next `new` makes its data disk from: the
// one an admin picked, else the newest ready one; ok false for none (the
// first `new` ever gets an empty disk).
func (s *Service) restoreFrom(ctx context.Context) (domain.Backup, bool, error) {
	list, err := s.backups.Backups(ctx)
	if err != nil {
		return domain.Backup{}, false, err
	}
	for _, b := range list {
		if b.RestoreNext && b.State == domain.BackupReady {
			return b, true, nil
		}
	}
	for _, b := range list {
		if b.State == domain.BackupReady {
			return b, true, nil
		}
	}
	return domain.Backup{}, false, nil
}

// dataDisk is the data disk of the next create: empty, or made from the
// backup to restore.
func (s *Service) dataDisk(ctx context.Context) (*ports.Disk, domain.Backup, error) {
	if !s.worldOn() {
		return s.cfg.Spec.DataDisk, domain.Backup{}, nil
	}
	d := *s.cfg.Spec.DataDisk
	b, ok, err := s.restoreFrom(ctx)
	if err != nil || !ok {
		return &d, b, err
	}
	d.Snapshot = b.SnapshotID
	return &d, b, nil
}

// restored clears an admin's pick once a create has used it.
func (s *Service) restored(ctx context.Context, b domain.Backup) {
	if !b.RestoreNext {
		return
	}
	b.RestoreNext = false
	if err := s.saveBackup(ctx, &b); err != nil {
		s.log.Warn("clearing the restore pick", "backup", b.ID, "err", err)
	}
}

// Delete releases the recorded instance. With the world on it is a
// persisted operation: the answer comes at once, the backup and the delete
// run in the background (GET /api/ecs/v1/operation shows the steps), and a
// failed backup refuses the delete with its reason in history. Without the
// world the instance is deleted at once, as before.
func (s *Service) Delete(ctx context.Context, actor *domain.User) error {
	return s.DeleteWorld(ctx, actor, false)
}

// DeleteWorld is Delete with an admin's explicit force: release even when
// the backup fails.
func (s *Service) DeleteWorld(ctx context.Context, actor *domain.User, force bool) error {
	if !s.worldOn() {
		return s.adminAction(ctx, actor, domain.ActionDelete, domain.NeedAdmin, func(inst domain.Instance) (string, error) {
			reqID, err := s.deleteInstance(ctx, inst.ID)
			if err != nil && !errors.Is(err, domain.ErrCloudNotFound) {
				return reqID, err
			}
			return reqID, s.forget(ctx, inst)
		})
	}
	if err := domain.Allowed(actor, domain.NeedAdmin); err != nil {
		return err
	}
	inst, err := s.recorded(ctx)
	if err != nil {
		return err
	}
	if busy, err := s.operationUnderWay(ctx); err != nil || busy {
		if err == nil {
			err = domain.ErrBusy
		}
		return err
	}
	op := domain.Operation{ID: newID(), Action: domain.ActionDelete, Step: "backup", State: domain.OpRunning,
		InstanceID: inst.ID, StartedBy: actor.Username, Owner: s.cfg.ProcessID, StartedAt: s.clock.Now()}
	if force {
		op.Action = "delete_force"
	}
	if err := s.store.SaveOperation(ctx, op); err != nil {
		return err
	}
	s.emitOp(ctx, domain.EventOperationStarted, op, nil)
	s.goDelete(ctx, inst, op)
	return nil
}

func (s *Service) goDelete(ctx context.Context, inst domain.Instance, op domain.Operation) {
	bg := domain.WithRequestID(s.bg, domain.RequestIDFrom(ctx))
	s.active.Add(1)
	go func() {
		defer s.active.Done()
		s.runDelete(bg, inst, op)
	}()
}

// runDelete is the background part of a delete; a taken-over one runs it
// again from the start: the same keys find the same snapshot.
func (s *Service) runDelete(ctx context.Context, inst domain.Instance, op domain.Operation) {
	started := s.clock.Now()
	step := func(name string) {
		op.Step = name
		s.saveOp(ctx, op)
		s.emitOp(ctx, domain.EventOperationStep, op, nil)
	}
	b, reqID, err := s.release(ctx, inst, op.ID, op.StartedBy, true, op.Action == "delete_force", step)
	if err != nil && ctx.Err() != nil {
		s.log.Info("delete interrupted by shutdown", "op", op.ID)
		return
	}
	op.Step, op.FinishedAt = "done", s.clock.Now()
	op.State = domain.OpSucceeded
	if err != nil {
		op.State, op.Error, op.Reason = domain.OpFailed, result(err), reasonOf(err)
	}
	s.saveOp(ctx, op)
	if err != nil {
		s.emitOp(ctx, domain.EventOperationFailed, op, err)
	} else {
		s.emitOp(ctx, domain.EventOperationSucceeded, op, nil)
	}
	s.record(ctx, domain.HistoryEntry{Actor: op.StartedBy, Action: domain.ActionDelete, InstanceID: inst.ID,
		Result: result(err), RequestID: reqID, Detail: releaseDetail(b, err, true), StartedAt: started})
	if err != nil {
		s.log.Warn("delete refused", "instance", inst.ID, "reason", reasonOf(err), "err", err)
	}
}

func isDelete(action string) bool { return action == domain.ActionDelete || action == "delete_force" }

// takeOverDelete resumes an abandoned delete.
func (s *Service) takeOverDelete(ctx context.Context, op domain.Operation) error {
	s.log.Warn("taking over an abandoned delete", "op", op.ID, "owner", op.Owner)
	op.Owner = s.cfg.ProcessID
	rec, err := s.store.Current(ctx)
	if errors.Is(err, domain.ErrNoInstance) || err == nil && rec.ID != op.InstanceID {
		op.Step, op.State, op.FinishedAt = "done", domain.OpSucceeded, s.clock.Now() // it is gone already
		s.saveOp(ctx, op)
		return nil
	}
	if err != nil {
		return err
	}
	s.saveOp(ctx, op)
	s.goDelete(ctx, rec, op)
	return nil
}

// monitorRelease releases on a monitor's behalf (crash delete, idle
// release, orphan delete), with the world backed up first.
func (s *Service) monitorRelease(ctx context.Context, inst domain.Instance, action, detail string, save bool) bool {
	started := s.clock.Now()
	b, reqID, err := s.release(ctx, inst, action+"-"+inst.ID+"-"+started.UTC().Format("20060102T150405"), domain.MonitorActor, save, false, nil)
	if note := releaseDetail(b, err, s.worldOn()); note != "" {
		detail += "; " + note
	}
	return s.monitorDone(ctx, inst, action, detail, reqID, started, err)
}
