package memstore_test

import (
	"testing"

	"github.com/seatidemc/seatide/adapters/memstore"
	"github.com/seatidemc/seatide/ports"
	"github.com/seatidemc/seatide/ports/portstest"
)

func TestUserStore(t *testing.T) {
	portstest.RunUserStoreTests(t, func(t *testing.T, clock ports.Clock) ports.UserStore {
		return memstore.New(clock)
	})
}

func TestLeaseStore(t *testing.T) {
	portstest.RunLeaseStoreTests(t, func(t *testing.T, clock ports.Clock) ports.LeaseStore {
		return memstore.NewLeases(clock)
	})
}

func TestInstanceStore(t *testing.T) {
	portstest.RunInstanceStoreTests(t, func(t *testing.T) ports.InstanceStore {
		return memstore.NewInstances(ports.SystemClock{})
	})
}

func TestHistoryStore(t *testing.T) {
	portstest.RunHistoryStoreTests(t, func(t *testing.T) ports.HistoryStore {
		return &memstore.History{}
	})
}

func TestLedgerStore(t *testing.T) {
	portstest.RunLedgerStoreTests(t, func(t *testing.T) ports.LedgerStore { return &memstore.Ledger{} })
}

func TestBackupStore(t *testing.T) {
	portstest.RunBackupStoreTests(t, func(t *testing.T) ports.BackupStore { return &memstore.Backups{} })
}

func TestEventStore(t *testing.T) {
	portstest.RunEventStoreTests(t, func(t *testing.T) portstest.EventStores {
		s := &memstore.Events{}
		return portstest.EventStores{Events: s, Outbox: s}
	})
}
