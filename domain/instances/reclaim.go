package instances

import (
	"context"
	"errors"
	"fmt"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Spot reclaim. ECS announces the release of a spot instance about five
// minutes ahead with an OperationLocks entry LockReason Recycling on
// DescribeInstances; the reconciler, which lists the managed instances every
// ReconcileInterval (keep it well under the notice), sees it and at once
// saves the world and snapshots the data disk (history action reclaim).
// Then, per world.on_reclaim, it waits (the next `new` restores) or hops: it
// deletes the doomed instance itself and creates one in the next offer,
// skipping the reclaimed one for HopSkip, restored from that snapshot.

// usableOffers are the configured offers less those a reclaim took away
// lately; all of them when that would leave none.
func (s *Service) usableOffers() []Offer {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Offer
	for _, o := range s.cfg.Offers {
		if until, ok := s.skipped[o]; ok && now.Before(until) {
			continue
		}
		out = append(out, o)
	}
	if len(out) == 0 {
		return s.cfg.Offers
	}
	return out
}

// onReclaim handles a Recycling lock on the recorded instance, once per
// instance and process; a second replica finds the reclaim backup by its
// key and makes no second snapshot.
func (s *Service) onReclaim(ctx context.Context, rec domain.Instance, ci ports.CloudInstance, rep *Report) {
	s.mu.Lock()
	seen := s.reclaiming[rec.ID]
	s.reclaiming[rec.ID] = true
	s.mu.Unlock()
	if seen {
		return
	}
	now := s.clock.Now()
	rep.Reclaimed = rec.ID
	s.emit(ctx, domain.EventReclaimNotice, domain.MonitorActor, rec.ID,
		domain.EventData{Zone: ci.Zone, InstanceType: ci.InstanceType, Reason: "spot capacity reclaimed by the cloud"})
	s.log.Warn("the cloud is reclaiming the spot instance", "instance", rec.ID, "zone", ci.Zone, "type", ci.InstanceType)
	detail := "spot reclaim notice"
	var err error
	if s.worldOn() {
		var b domain.Backup
		b, err = s.takeBackup(ctx, rec, domain.BackupOnReclaim, "reclaim-"+rec.ID, domain.MonitorActor, true, nil)
		if err != nil {
			detail += "; backup failed: " + reasonOf(err)
		} else {
			detail += fmt.Sprintf("; world kept in backup %s (snapshot %s)", b.ID, b.SnapshotID)
		}
	}
	hop := s.cfg.World.OnReclaim == ReclaimHop
	var reqID string
	if hop {
		s.mu.Lock()
		s.skipped[Offer{Zone: rec.Zone, InstanceType: rec.InstanceType}] = now.Add(s.cfg.World.HopSkip)
		for _, o := range s.cfg.Offers { // an offer with its own vSwitch is the same offer
			if o.Zone == rec.Zone && o.InstanceType == rec.InstanceType {
				s.skipped[o] = now.Add(s.cfg.World.HopSkip)
			}
		}
		s.mu.Unlock()
		// The cloud releases it within minutes anyway: releasing it now
		// frees the slot for the hop.
		var derr error
		reqID, derr = s.deleteInstance(ctx, rec.ID)
		if derr == nil || errors.Is(derr, domain.ErrCloudNotFound) {
			derr = s.forget(ctx, rec)
		}
		if derr != nil {
			rep.Problems = append(rep.Problems, derr)
			hop = false
		}
	}
	s.record(ctx, domain.HistoryEntry{Actor: domain.MonitorActor, Action: domain.ActionReclaim, InstanceID: rec.ID,
		Result: result(err), RequestID: reqID, Detail: detail, StartedAt: now})
	if !hop {
		return
	}
	herr := s.create(ctx, domain.MonitorActor)
	s.record(ctx, domain.HistoryEntry{Actor: domain.MonitorActor, Action: domain.ActionHop, InstanceID: rec.ID,
		Result: result(herr), Detail: "a new instance in the next offer after the reclaim", StartedAt: now})
	if herr != nil {
		rep.Problems = append(rep.Problems, herr)
	}
}

// wasReclaimed reports whether the instance's disappearance is the reclaim
// already recorded: then it is no udelete.
func (s *Service) wasReclaimed(ctx context.Context, id string) bool {
	s.mu.Lock()
	seen := s.reclaiming[id]
	s.mu.Unlock()
	if seen || s.backups == nil {
		return seen
	}
	b, err := s.backups.Backup(ctx, backupID("reclaim-"+id))
	return err == nil && b.Source == domain.BackupOnReclaim
}

// ScheduledBackup takes a backup of the running instance when the last one
// is BackupEvery old (or, for none, the instance is), then applies
// retention. The monitors run it each round; tests call it on a manual clock.
func (s *Service) ScheduledBackup(ctx context.Context) (domain.Backup, bool, error) {
	if !s.worldOn() || s.cfg.World.BackupEvery <= 0 {
		return domain.Backup{}, false, nil
	}
	inst, err := s.recorded(ctx)
	if errors.Is(err, domain.ErrNoInstance) {
		return domain.Backup{}, false, nil
	}
	if err != nil {
		return domain.Backup{}, false, err
	}
	if busy, err := s.operationUnderWay(ctx); err != nil || busy {
		return domain.Backup{}, false, err
	}
	if inst.LastStatus != domain.StatusRunning {
		return domain.Backup{}, false, nil
	}
	list, err := s.backups.Backups(ctx)
	if err != nil {
		return domain.Backup{}, false, err
	}
	last := inst.CreatedAt
	for _, b := range list {
		if b.InstanceID == inst.ID && b.CreatedAt.After(last) {
			last = b.CreatedAt
		}
	}
	now := s.clock.Now()
	if now.Sub(last) < s.cfg.World.BackupEvery {
		return domain.Backup{}, false, nil
	}
	key := "sched-" + inst.ID + "-" + now.UTC().Format("20060102T150405")
	b, err := s.takeBackup(ctx, inst, domain.BackupOnSchedule, key, domain.MonitorActor, true, nil)
	return b, err == nil, err
}

// prune applies retention: the newest Keep ready backups stay, and so do
// one being made and one an admin picked; failed ones go once a newer ready
// one exists. Each goes with its snapshot.
func (s *Service) prune(ctx context.Context) {
	list, err := s.backups.Backups(ctx)
	if err != nil {
		s.log.Warn("retention: listing backups", "err", err)
		return
	}
	ready := 0
	for _, b := range list {
		switch {
		case b.State == domain.BackupCreating, b.RestoreNext:
			continue
		case b.State == domain.BackupReady:
			ready++
			if ready <= s.cfg.World.Keep {
				continue
			}
		case ready == 0: // a failed one with no ready one newer
			continue
		}
		if err := s.dropBackup(ctx, b); err != nil {
			s.log.Warn("retention: deleting a backup", "backup", b.ID, "err", err)
		}
	}
}

// dropBackup deletes the snapshot, then the row: a row without its
// snapshot never stays behind to be restored from.
func (s *Service) dropBackup(ctx context.Context, b domain.Backup) error {
	if b.SnapshotID != "" {
		if _, err := s.snaps.DeleteSnapshot(ctx, b.SnapshotID); err != nil && !errors.Is(err, domain.ErrCloudNotFound) {
			return err
		}
		s.storageStopped(ctx, b, s.clock.Now())
	}
	if err := s.backups.DeleteBackup(ctx, b.ID); err != nil && !errors.Is(err, domain.ErrNoBackup) {
		return err
	}
	s.log.Info("backup deleted", "backup", b.ID, "snapshot", b.SnapshotID)
	return nil
}
