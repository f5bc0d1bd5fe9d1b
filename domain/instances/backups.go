package instances

import (
	"context"
	"errors"

	"github.com/seatidemc/seatide/domain"
)

// Backups lists the world's backups, newest first, to any signed-in user.
func (s *Service) Backups(ctx context.Context, actor *domain.User) ([]domain.Backup, error) {
	if actor == nil {
		return nil, domain.ErrPermissionDenied
	}
	if s.backups == nil {
		return []domain.Backup{}, nil
	}
	return s.backups.Backups(ctx)
}

// BackupNow starts a backup of the recorded instance for an admin and
// answers with its row (state creating); the save and the snapshot run in
// the background.
func (s *Service) BackupNow(ctx context.Context, actor *domain.User) (domain.Backup, error) {
	if actor == nil || !actor.IsAdmin() {
		return domain.Backup{}, domain.ErrPermissionDenied
	}
	if !s.worldOn() {
		return domain.Backup{}, domain.ErrWorldOff
	}
	inst, err := s.recorded(ctx)
	if err != nil {
		return domain.Backup{}, err
	}
	if busy, err := s.operationUnderWay(ctx); err != nil || busy {
		if err == nil {
			err = domain.ErrBusy
		}
		return domain.Backup{}, err
	}
	key := "manual-" + newID()[3:]
	now := s.clock.Now()
	b := domain.Backup{ID: backupID(key), InstanceID: inst.ID, Source: domain.BackupManual, State: domain.BackupCreating,
		CreatedAt: now, UpdatedAt: now}
	if err := s.backups.SaveBackup(ctx, b); err != nil {
		return domain.Backup{}, err
	}
	bg := domain.WithRequestID(s.bg, domain.RequestIDFrom(ctx))
	s.active.Add(1)
	go func() {
		defer s.active.Done()
		if _, err := s.takeBackup(bg, inst, domain.BackupManual, key, actor.Username, true, nil); err != nil {
			s.record(bg, domain.HistoryEntry{Actor: actor.Username, Action: domain.ActionBackup, InstanceID: inst.ID,
				Result: result(err), Detail: "manual backup " + b.ID + " failed: " + reasonOf(err), StartedAt: now})
		}
	}()
	return b, nil
}

// ChooseBackup makes backup id the one the next `new` restores, for an
// admin; it must be ready (domain.ErrBackupNotReady otherwise).
func (s *Service) ChooseBackup(ctx context.Context, actor *domain.User, id string) (domain.Backup, error) {
	if actor == nil || !actor.IsAdmin() {
		return domain.Backup{}, domain.ErrPermissionDenied
	}
	if s.backups == nil {
		return domain.Backup{}, domain.ErrNoBackup
	}
	b, err := s.backups.Backup(ctx, id)
	if err != nil {
		return b, err
	}
	if b.State != domain.BackupReady {
		return b, domain.ErrBackupNotReady
	}
	list, err := s.backups.Backups(ctx)
	if err != nil {
		return b, err
	}
	for _, o := range list {
		if o.RestoreNext && o.ID != id {
			o.RestoreNext = false
			if err := s.saveBackup(ctx, &o); err != nil {
				return b, err
			}
		}
	}
	b.RestoreNext = true
	if err := s.saveBackup(ctx, &b); err != nil {
		return b, err
	}
	s.record(ctx, domain.HistoryEntry{Actor: actor.Username, Action: domain.ActionBackup, InstanceID: b.InstanceID,
		Result: "ok", Detail: "the next new restores backup " + b.ID, StartedAt: s.clock.Now()})
	return b, nil
}

// RemoveBackup deletes a backup and its snapshot, for an admin. One being
// made cannot be deleted (domain.ErrBackupNotReady).
func (s *Service) RemoveBackup(ctx context.Context, actor *domain.User, id string) error {
	if actor == nil || !actor.IsAdmin() {
		return domain.ErrPermissionDenied
	}
	if s.backups == nil {
		return domain.ErrNoBackup
	}
	b, err := s.backups.Backup(ctx, id)
	if err != nil {
		return err
	}
	if b.State == domain.BackupCreating {
		return domain.ErrBackupNotReady
	}
	if s.snaps == nil && b.SnapshotID != "" {
		return domain.ErrWorldOff
	}
	if err := s.dropBackup(ctx, b); err != nil {
		if errors.Is(err, domain.ErrNoBackup) {
			return nil
		}
		return err
	}
	s.record(ctx, domain.HistoryEntry{Actor: actor.Username, Action: domain.ActionBackup, InstanceID: b.InstanceID,
		Result: "ok", Detail: "backup " + b.ID + " deleted with snapshot " + b.SnapshotID, StartedAt: s.clock.Now()})
	return nil
}
