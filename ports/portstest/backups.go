package portstest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// RunBackupStoreTests runs the ports.BackupStore contract. newStore must
// return an empty store of its own.
func RunBackupStoreTests(t *testing.T, newStore func(t *testing.T) ports.BackupStore) {
	t.Helper()
	runSuite(t, newStore, []suiteCase[ports.BackupStore]{
		{"RoundTrip", testBackupRoundTrip},
		{"SaveReplaces", testBackupReplace},
		{"NewestFirst", testBackupOrder},
		{"DeleteAndMissing", testBackupDelete},
		{"RefusesNoID", testBackupInvalid},
	})
}

var backupT0 = time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)

func sampleBackup(id string, at time.Time) domain.Backup {
	return domain.Backup{ID: id, SnapshotID: "s-" + id, DiskID: "d-1", InstanceID: "i-1", Source: domain.BackupOnSchedule,
		State: domain.BackupReady, SizeGiB: 20, CreatedAt: at, UpdatedAt: at.Add(90*time.Second + 123*time.Microsecond)}
}

func testBackupRoundTrip(t *testing.T, s ports.BackupStore) {
	ctx := context.Background()
	b := sampleBackup("bk-1", backupT0)
	b.RestoreNext, b.Error = true, "a note"
	if err := s.SaveBackup(ctx, b); err != nil {
		t.Fatal(err)
	}
	got, err := s.Backup(ctx, "bk-1")
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(b.CreatedAt) || !got.UpdatedAt.Equal(b.UpdatedAt) || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("times %v %v, want %v %v", got.CreatedAt, got.UpdatedAt, b.CreatedAt, b.UpdatedAt)
	}
	got.CreatedAt, got.UpdatedAt = b.CreatedAt, b.UpdatedAt
	if got != b {
		t.Fatalf("got %+v\nwant %+v", got, b)
	}
}

func testBackupReplace(t *testing.T, s ports.BackupStore) {
	ctx := context.Background()
	b := sampleBackup("bk-1", backupT0)
	b.State, b.SnapshotID = domain.BackupCreating, ""
	if err := s.SaveBackup(ctx, b); err != nil {
		t.Fatal(err)
	}
	b.State, b.SnapshotID, b.Error = domain.BackupFailed, "s-9", "snapshot failed"
	if err := s.SaveBackup(ctx, b); err != nil {
		t.Fatal(err)
	}
	list, err := s.Backups(ctx)
	if err != nil || len(list) != 1 || list[0].State != domain.BackupFailed || list[0].SnapshotID != "s-9" || list[0].Error != "snapshot failed" {
		t.Fatalf("after replace: %+v %v", list, err)
	}
}

func testBackupOrder(t *testing.T, s ports.BackupStore) {
	ctx := context.Background()
	for _, b := range []domain.Backup{
		sampleBackup("bk-b", backupT0.Add(time.Hour)),
		sampleBackup("bk-a", backupT0),
		sampleBackup("bk-c", backupT0.Add(2*time.Hour)),
		sampleBackup("bk-d", backupT0.Add(time.Hour)), // same time as bk-b: the greater id first
	} {
		if err := s.SaveBackup(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.Backups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, b := range list {
		ids = append(ids, b.ID)
	}
	if got, want := ids, []string{"bk-c", "bk-d", "bk-b", "bk-a"}; len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("order %v, want %v", got, want)
	}
}

func testBackupDelete(t *testing.T, s ports.BackupStore) {
	ctx := context.Background()
	if err := s.SaveBackup(ctx, sampleBackup("bk-1", backupT0)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBackup(ctx, "bk-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBackup(ctx, "bk-1"); !errors.Is(err, domain.ErrNoBackup) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := s.Backup(ctx, "bk-1"); !errors.Is(err, domain.ErrNoBackup) {
		t.Fatalf("get deleted: %v", err)
	}
	if list, err := s.Backups(ctx); err != nil || len(list) != 0 {
		t.Fatalf("list %+v %v", list, err)
	}
}

func testBackupInvalid(t *testing.T, s ports.BackupStore) {
	ctx := context.Background()
	if err := s.SaveBackup(ctx, sampleBackup("", backupT0)); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("no id: %v", err)
	}
	if err := s.SaveBackup(ctx, sampleBackup("bk-1", time.Time{})); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("no time: %v", err)
	}
}
