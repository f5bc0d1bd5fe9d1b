package instances

import (
	"context"
	"errors"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// Snapshot storage is money: while a backup's snapshot is kept, the cost
// ledger holds an open interval for it, keyed by the snapshot id, at an
// hourly price of SnapshotPrice x size / 720. Aliyun bills standard
// snapshot storage hourly, at the monthly price per GiB / 720, a started
// hour in full ("Snapshot billing", ECS documentation). The size used is
// the data disk's, an upper bound: the cloud bills the blocks written, and
// a later snapshot only its changes. This is the world's own piece of the
// ledger; the day and budget sums take it as they take instance intervals.

// hoursPerBillingMonth is the month Aliyun turns a monthly price into an
// hourly one by (a price per GiB-month of 0.0200 is 0.0000277778 per hour
// in its own billing example).
const hoursPerBillingMonth = 720

// storageStarted opens the storage interval of a ready backup.
func (s *Service) storageStarted(ctx context.Context, b domain.Backup, at time.Time) {
	if s.ledger == nil || s.cfg.World.SnapshotPrice <= 0 || b.SnapshotID == "" || b.SizeGiB <= 0 {
		return
	}
	hourly := s.cfg.World.SnapshotPrice * domain.Money(b.SizeGiB) / hoursPerBillingMonth
	_, err := s.ledger.Begin(ctx, domain.CostInterval{InstanceID: b.SnapshotID, Start: at, Price: hourly, Currency: s.cfg.Currency})
	if err != nil && !errors.Is(err, domain.ErrIntervalOpen) {
		s.log.Warn("cost ledger: snapshot storage", "snapshot", b.SnapshotID, "err", err)
	}
}

// storageStopped closes it when the snapshot is deleted.
func (s *Service) storageStopped(ctx context.Context, b domain.Backup, at time.Time) {
	if b.SnapshotID != "" {
		s.costStopped(ctx, b.SnapshotID, at)
	}
}
