package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// Backups returns the world's backup store of db.
func (db *DB) Backups() ports.BackupStore { return &backupStore{db: db} }

type backupStore struct{ db *DB }

var _ ports.BackupStore = (*backupStore)(nil)

var backupCols = []string{"id", "snapshot_id", "disk_id", "instance_id", "source", "state", "size_gib", "error",
	"restore_next", "created_at", "updated_at"}

const backupColumns = "id, snapshot_id, disk_id, instance_id, source, state, size_gib, error, restore_next, created_at, updated_at"

func scanBackup(r rowScanner) (domain.Backup, error) {
	var b domain.Backup
	var state string
	err := r.Scan(&b.ID, &b.SnapshotID, &b.DiskID, &b.InstanceID, &b.Source, &state, &b.SizeGiB, &b.Error,
		&b.RestoreNext, scanTime{&b.CreatedAt}, scanTime{&b.UpdatedAt})
	b.State = domain.BackupState(state)
	return b, err
}

func (s *backupStore) SaveBackup(ctx context.Context, b domain.Backup) error {
	if b.ID == "" || len(b.ID) > 64 {
		return domain.Invalid("id")
	}
	if b.CreatedAt.IsZero() {
		return domain.Invalid("created_at")
	}
	if b.UpdatedAt.IsZero() {
		b.UpdatedAt = b.CreatedAt
	}
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	d := s.db.d
	_, err := s.db.sql.ExecContext(ctx, d.q(d.upsert("backups", "id", backupCols...)),
		b.ID, b.SnapshotID, b.DiskID, b.InstanceID, b.Source, string(b.State), b.SizeGiB, b.Error, b.RestoreNext,
		d.timeArg(b.CreatedAt), d.timeArg(b.UpdatedAt))
	if err != nil {
		return s.db.otherError(ctx, err, "backups: save")
	}
	return nil
}

func (s *backupStore) Backup(ctx context.Context, id string) (domain.Backup, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	b, err := scanBackup(s.db.sql.QueryRowContext(ctx, s.db.d.q("SELECT "+backupColumns+" FROM backups WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Backup{}, domain.ErrNoBackup
	}
	if err != nil {
		return domain.Backup{}, s.db.otherError(ctx, err, "backups: get")
	}
	return b, nil
}

func (s *backupStore) Backups(ctx context.Context) ([]domain.Backup, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	rows, err := s.db.sql.QueryContext(ctx, "SELECT "+backupColumns+" FROM backups ORDER BY created_at DESC, id DESC")
	if err != nil {
		return nil, s.db.otherError(ctx, err, "backups: list")
	}
	defer rows.Close()
	out := []domain.Backup{}
	for rows.Next() {
		b, err := scanBackup(rows)
		if err != nil {
			return nil, s.db.otherError(ctx, err, "backups: scan")
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, s.db.otherError(ctx, err, "backups: list")
	}
	return out, nil
}

func (s *backupStore) DeleteBackup(ctx context.Context, id string) error {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	res, err := s.db.sql.ExecContext(ctx, s.db.d.q("DELETE FROM backups WHERE id = ?"), id)
	if err != nil {
		return s.db.otherError(ctx, err, "backups: delete")
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return domain.ErrNoBackup
	}
	return nil
}
