package domain

import "time"

// BackupState is where a backup of the world stands.
type BackupState string

const (
	BackupCreating BackupState = "creating" // the snapshot is being taken
	BackupReady    BackupState = "ready"    // the snapshot is accomplished: a disk can be made from it
	BackupFailed   BackupState = "failed"   // the save or the snapshot did not succeed
)

// Backup sources: what made seatide take it.
const (
	BackupOnDelete   = "delete"   // before a release (v1 delete, watchdog, idle, orphan)
	BackupOnSchedule = "schedule" // world.backup_every while running
	BackupOnReclaim  = "reclaim"  // the cloud announced a spot reclaim
	BackupManual     = "manual"   // an admin asked for one
)

// Backup is one snapshot of the world's data disk, as seatide recorded it.
// The world lives on a data disk that goes with its instance; the snapshot
// is what outlives both.
type Backup struct {
	ID         string // seatide's id, "bk-..."; stable across retries of the same backup
	SnapshotID string // the cloud's snapshot id; "" until CreateSnapshot answered
	DiskID     string // the data disk it was taken of
	InstanceID string // the instance the disk belonged to
	Source     string // BackupOnDelete, BackupOnSchedule, BackupOnReclaim, BackupManual
	State      BackupState
	SizeGiB    int
	// Error is a short, safe reason when State is BackupFailed.
	Error string
	// RestoreNext marks the backup an admin picked for the next `new`;
	// otherwise the newest ready one is used.
	RestoreNext bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Sentinel errors of the world's backups.
var (
	ErrNoBackup       = Errorf(CodeNotFound, "no such backup")
	ErrBackupNotReady = Errorf(CodePrecondition, "the backup is not ready")
	ErrSaveFailed     = Errorf(CodePrecondition, "the world save script did not succeed")
	ErrSnapshotFailed = Errorf(CodePrecondition, "the snapshot of the world did not succeed")
	ErrBusy           = Errorf(CodeConflict, "another operation is under way")
	ErrWorldOff       = Errorf(CodePrecondition, "the world is not kept on a data disk (world.enabled is off)")
)
