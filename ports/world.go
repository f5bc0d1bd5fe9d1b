package ports

import (
	"context"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// Snapshot statuses as ECS reports them (DescribeSnapshots Status).
const (
	SnapshotProgressing  = "progressing"
	SnapshotAccomplished = "accomplished"
	SnapshotFailed       = "failed"
)

// DataDisk is the data disk attached to an instance.
type DataDisk struct {
	ID       string
	Category string
	SizeGiB  int
}

// Snapshot is a disk snapshot as the cloud reports it.
type Snapshot struct {
	ID        string
	DiskID    string // the disk it was taken of
	Status    string // SnapshotProgressing, SnapshotAccomplished, SnapshotFailed
	Progress  int    // percent
	SizeGiB   int    // the source disk's size: what a disk made from it needs at least
	CreatedAt time.Time
}

// Snapshots is the cloud's disk and snapshot side, in domain terms, with the
// errors of Cloud. Snapshots are regional: a disk of any zone of the region
// can be made from one (InstanceSpec.DataDisk.Snapshot).
type Snapshots interface {
	// DataDisk returns the instance's data disk, or domain.ErrCloudNotFound
	// when it has none.
	DataDisk(ctx context.Context, instanceID string) (DataDisk, error)
	// CreateSnapshot starts a snapshot of diskID; the same clientToken
	// returns the same snapshot. domain.ErrQuota when the snapshot quota
	// is reached.
	CreateSnapshot(ctx context.Context, diskID, name, clientToken string) (id, requestID string, err error)
	// DescribeSnapshot returns one snapshot, or domain.ErrCloudNotFound.
	DescribeSnapshot(ctx context.Context, id string) (Snapshot, error)
	// DeleteSnapshot releases a snapshot, also one disks were made from;
	// domain.ErrCloudNotFound when it is gone already.
	DeleteSnapshot(ctx context.Context, id string) (requestID string, err error)
}

// BackupStore keeps the world's backups.
type BackupStore interface {
	// SaveBackup inserts or replaces a backup by ID.
	SaveBackup(ctx context.Context, b domain.Backup) error
	// Backup returns one backup, or domain.ErrNoBackup.
	Backup(ctx context.Context, id string) (domain.Backup, error)
	// Backups returns every backup, newest (CreatedAt, then ID) first.
	Backups(ctx context.Context) ([]domain.Backup, error)
	// DeleteBackup removes a backup, or returns domain.ErrNoBackup.
	DeleteBackup(ctx context.Context, id string) error
}
